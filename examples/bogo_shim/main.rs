//! A shim for BoringSSL's TLS test suite ("BoGo", `ssl/test/runner`), so
//! that the runner's thousands of scripted, often hostile, servers can
//! attack oxtls's client.
//!
//! The protocol is the one of BoringSSL's `ssl/test/PORTING.md`: the runner
//! starts this program once per test with flags from
//! `ssl/test/test_config.cc`; the shim connects to the runner's port,
//! identifies itself with the shim id, makes the connections the flags ask
//! for, and reports through its exit code: 0 success, 1 failure (with the
//! error on stderr), 89 for a test oxtls cannot run.
//!
//! With BoringSSL's runner built separately (outside this repository):
//!
//! ```text
//! cargo build --example bogo_shim
//! runner.test -shim-path target/debug/examples/bogo_shim \
//!     -shim-config examples/bogo_shim/config.json -allow-unimplemented
//! ```
//!
//! `config.json` lists the tests that do not apply to oxtls, each with its
//! reason, and maps the runner's error names onto what oxtls reports.
//! Setting `BOGO_SHIM_LOG` to a file name appends one line per
//! unimplemented test, with the reason, for tallying.

mod connection;
mod flags;
mod report;
mod sessions;
mod settings;
mod verifier;

use std::io::Write;
use std::process::ExitCode;

use connection::{Connection, Outcome, SessionFacts};
use oxtls::ProtocolVersion;
use settings::{Settings, Shared, Unimplemented};

/// The runner's code for "this shim does not implement the test".
const EXIT_UNIMPLEMENTED: u8 = 89;

fn main() -> ExitCode {
    let argv: Vec<_> = std::env::args_os().skip(1).collect();
    let args = match flags::parse_args(&argv) {
        Ok(args) => args,
        Err(flags::ParseError::UnknownFlag(name)) => {
            return unimplemented(&Unimplemented(format!("{name}: unknown flag")))
        }
        Err(e) => {
            eprintln!("shim: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.initial.is_handshaker_supported {
        // Split handshakes are BoringSSL's own feature.
        println!("No");
        return ExitCode::SUCCESS;
    }

    match run_test(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err((_, Outcome::Unimplemented(why))) => unimplemented(&why),
        Err((i, Outcome::Failed(failure))) => {
            eprintln!("{failure}");
            eprintln!("Connection {} failed.", i + 1);
            ExitCode::FAILURE
        }
    }
}

/// Makes the test's connections: the initial one, then `-resume-count`
/// more, each offering the session the one before received. On failure,
/// says which connection (from 0) failed.
fn run_test(args: &flags::Args) -> Result<(), (u32, Outcome)> {
    let caps = settings::OXTLS;
    let shared = Shared::new();
    let count = args.initial.resume_count;
    // Every connection's options are checked before the first is made, so
    // that a test oxtls cannot finish is "unimplemented" from the start.
    settings::check_resumption(args, caps).map_err(|u| (0, u.into()))?;
    let mut settings: Vec<Settings> = Vec::new();
    for i in 0..=count {
        let opts = if i == 0 { &args.initial } else { &args.resume };
        settings.push(settings::build(opts, caps, &shared).map_err(|u| (i, u.into()))?);
    }

    let mut session = SessionFacts::default();
    for (i, s) in (0..=count).zip(settings) {
        let c = Connection {
            opts: if i == 0 { &args.initial } else { &args.resume },
            retry: &args.retry,
            resume: i > 0,
            store: &shared.store,
        };
        let version = connection::run(&c, s, &mut session).map_err(|o| (i, o))?;
        if i < count && version == Some(ProtocolVersion::TLSv1_2) && !caps.tls12_resumption {
            return Err((
                i,
                Unimplemented(
                    "server chose TLS 1.2 for a session to resume: oxtls has no TLS 1.2 resumption yet"
                        .into(),
                )
                .into(),
            ));
        }
        shared.clock.advance(c.opts.resumption_delay);
    }
    Ok(())
}

fn unimplemented(why: &Unimplemented) -> ExitCode {
    eprintln!("unimplemented: {}", why.0);
    if let Some(path) = std::env::var_os("BOGO_SHIM_LOG") {
        if let Ok(mut log) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            // One write per line: two workers may append at once.
            let _ = log.write_all(format!("{}\n", why.0).as_bytes());
        }
    }
    ExitCode::from(EXIT_UNIMPLEMENTED)
}
