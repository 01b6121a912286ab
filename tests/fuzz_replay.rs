//! Replays the fuzz harnesses (`fuzz/harness`) on stable Rust: every input
//! committed under `fuzz/regressions/<target>/` (each once crashed, hung
//! or grew without bound, and was fixed), and a fixed set of generated
//! inputs so the harnesses are run, and kept compiling, even with no
//! regressions on file.

#[allow(dead_code)]
#[path = "../fuzz/harness/mod.rs"]
mod harness;

use std::fs;
use std::path::Path;

/// Runs `run` over every file in `fuzz/regressions/<target>`; returns how
/// many there were.
fn replay_regressions(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let Ok(entries) = fs::read_dir(&dir) else {
        return 0;
    };
    let mut count = 0;
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_file() && path.extension().map_or(true, |e| e != "md") {
            let data = fs::read(&path).expect("a readable regression input");
            eprintln!("replaying {}", path.display());
            run(&data);
            count += 1;
        }
    }
    count
}

/// Inputs from a fixed xorshift sequence: mostly short runs of mostly
/// small bytes, so they make varied choices rather than only random ones.
fn generated_inputs(seed: u64, count: usize) -> Vec<Vec<u8>> {
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let len = (next() % 300) as usize;
            (0..len)
                .map(|_| match next() % 4 {
                    0 => 0,
                    1 => (next() % 8) as u8,
                    _ => next() as u8,
                })
                .collect()
        })
        .collect()
}

#[test]
fn server_bytes_regressions_and_generated_inputs() {
    replay_regressions("server_bytes", harness::server_bytes::run);
    for data in generated_inputs(0x5eed_0001, 200) {
        harness::server_bytes::run(&data);
    }
}

#[test]
fn tls13_scripted_regressions_and_generated_inputs() {
    replay_regressions("tls13_scripted", harness::tls13_scripted::run);
    for data in generated_inputs(0x5eed_0002, 200) {
        harness::tls13_scripted::run(&data);
    }
    // Some of those failed in the encrypted flight, and the harness
    // opened the client's alert to check it.
    assert!(harness::tls13_scripted::ALERT_CHECKED.with(|c| c.get()));
}

/// The scripted server's ordinary choices (an empty input) must still
/// make a complete handshake, or the fuzzer would never get past it.
#[test]
fn tls13_scripted_empty_input_completes_the_handshake() {
    assert!(harness::tls13_scripted::play(&[]));
    // With ALPN and early data enabled, and a ticket and some data after.
    assert!(harness::tls13_scripted::play(&[3]));
    // After a HelloRetryRequest (the third byte chooses one).
    assert!(harness::tls13_scripted::play(&[0, 0, 255]));
}

mod common;

/// Writes seed inputs for `server_bytes` into `fuzz/corpus/server_bytes`:
/// a rustls server's real first flight (TLS 1.3, and TLS 1.2 with each key
/// type) answering the harness's client, behind the harness's four bytes
/// of choices. Run by hand before fuzzing:
/// `cargo test --test fuzz_replay -- --ignored write_server_bytes_seeds`.
#[test]
#[ignore]
fn write_server_bytes_seeds() {
    use common::certs::{KeyType, TestPki};
    use common::rustls_server::RustlsServerOptions;
    use common::TlsVersions;

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/server_bytes");
    fs::create_dir_all(&dir).expect("the corpus directory");
    let pki = TestPki::new();
    let mut n = 0;
    for versions in [TlsVersions::Tls13Only, TlsVersions::Tls12Only] {
        for key in [KeyType::EcdsaP256, KeyType::Rsa2048, KeyType::Ed25519] {
            for options in [0u8, 1] {
                let mut server = RustlsServerOptions::new(&pki.server_cert(key))
                    .versions(versions)
                    .alpn(&["h2"])
                    .connection();
                let config = harness::common::config(options, None);
                let mut client = harness::common::connect(&config);
                let hello = harness::common::drain(&mut client);
                server.read_tls(&mut &hello[..]).expect("read");
                server.process_new_packets().expect("the hello is accepted");
                let mut seed = vec![options, 0, 0, 0];
                while server.wants_write() {
                    server.write_tls(&mut seed).expect("write");
                }
                fs::write(dir.join(format!("seed-{n}")), &seed).expect("write a seed");
                n += 1;
            }
        }
    }
}

#[test]
fn tls12_scripted_regressions_and_generated_inputs() {
    replay_regressions("tls12_scripted", harness::tls12_scripted::run);
    for data in generated_inputs(0x5eed_0003, 200) {
        harness::tls12_scripted::run(&data);
    }
}

/// As for TLS 1.3: the ordinary choices make a whole TLS 1.2 handshake,
/// with each of the suites, and a second connection that resumes it.
#[test]
fn tls12_scripted_empty_input_completes_and_resumes() {
    use harness::tls12_scripted::{play, Outcome};
    let both = Outcome {
        completed: true,
        resumed: true,
    };
    // By ticket: the client asks for one and the server sends it.
    assert_eq!(play(&[]), both);
    for suite in 1..=5 {
        assert_eq!(play(&[0, 0, suite]), both, "suite choice {suite}");
    }
    // By session id: the ServerHello's flags byte declines tickets.
    assert_eq!(play(&[0, 0, 0, 0, 0, 0, 0x80]), both);
    // Eight days on (options bits 4-5), the session has expired.
    let expired = play(&[0x20]);
    assert!(expired.completed && !expired.resumed);
}
