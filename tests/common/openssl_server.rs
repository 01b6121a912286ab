//! `openssl s_server` on 127.0.0.1 as a child process: the out-of-process
//! peer. It is killed when the [`OpensslServer`] guard drops.
//!
//! ```ignore
//! let server = OpensslServerOptions::new(&cert)
//!     .versions(TlsVersions::Tls13Only)
//!     .ciphersuites("TLS_CHACHA20_POLY1305_SHA256")
//!     .mode(SServerMode::Www)
//!     .start();
//! let sock = TcpStream::connect(server.addr())?;   // then TLS, then "GET / HTTP/1.0\r\n\r\n"
//! ```
//!
//! Modes ([`SServerMode`]):
//! - `Www`: answers `GET /` with an `HTTP/1.0 200 ok` status page
//!   describing the connection; stdin is not read.
//! - `Rev`: echoes each line it receives, reversed.
//! - `Interactive` (s_server's default): prints what the client sends to
//!   its stdout and sends lines written to its stdin to the client. A stdin
//!   line that is just `k` sends a KeyUpdate, `K` a KeyUpdate requesting
//!   one back (TLS 1.3; see `man openssl-s_server`, CONNECTED COMMANDS).
//!   Lines starting with `q`/`Q` end the connection/server, so data sent
//!   this way must not start with a command letter.
//!
//! Its stdout and stderr go to files in its temp dir; [`OpensslServer::
//! diagnostics`] returns both, for panic messages.

use std::io::Write;
use std::net::SocketAddr;
use std::process::{ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use super::certs::IssuedCert;
use super::server_process::{ServerProcess, STARTUP_TIMEOUT};
use super::tempdir::TempDir;
use super::TlsVersions;

/// What s_server does with a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SServerMode {
    /// `-www`: an HTTP status page for `GET /`.
    Www,
    /// `-rev`: echo each line reversed.
    Rev,
    /// No mode flag: print received data, send stdin lines, obey commands.
    Interactive,
}

/// Options for one `openssl s_server`; [`OpensslServerOptions::start`]
/// launches it. Defaults: TLS 1.2 and 1.3, OpenSSL's default suites and
/// groups, `Www` mode.
pub struct OpensslServerOptions {
    pub chain_pem: String,
    pub key_pem: String,
    pub versions: TlsVersions,
    /// `-ciphersuites`: TLS 1.3 suites, OpenSSL names, `:`-separated.
    pub ciphersuites: Option<String>,
    /// `-cipher`: TLS 1.2 cipher list, OpenSSL names.
    pub cipher: Option<String>,
    /// `-groups`: `:`-separated (`X25519:P-256`, `secp384r1`, ...).
    pub groups: Option<String>,
    /// `-alpn`: protocols, joined with `,` on the command line.
    pub alpn: Vec<String>,
    pub mode: SServerMode,
    /// `-keylogfile` into the temp dir.
    pub keylog: bool,
    /// Anything else, passed as is (e.g. `["-num_tickets", "0"]`).
    pub extra_args: Vec<String>,
    /// Refuse the TLS 1.2 extended master secret (RFC 7627), which
    /// s_server can do only through an OpenSSL config file.
    pub no_extended_master_secret: bool,
}

/// An OpenSSL config that turns the extended master secret off.
const NO_EMS_CONF: &str = "openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Options = -ExtendedMasterSecret
";

impl OpensslServerOptions {
    pub fn new(cert: &IssuedCert) -> OpensslServerOptions {
        OpensslServerOptions {
            chain_pem: cert.chain_pem.clone(),
            key_pem: cert.key_pem.clone(),
            versions: TlsVersions::Both,
            ciphersuites: None,
            cipher: None,
            groups: None,
            alpn: Vec::new(),
            mode: SServerMode::Www,
            keylog: false,
            extra_args: Vec::new(),
            no_extended_master_secret: false,
        }
    }

    pub fn versions(mut self, versions: TlsVersions) -> Self {
        self.versions = versions;
        self
    }

    pub fn ciphersuites(mut self, tls13_suites: &str) -> Self {
        self.ciphersuites = Some(tls13_suites.to_string());
        self
    }

    pub fn cipher(mut self, tls12_ciphers: &str) -> Self {
        self.cipher = Some(tls12_ciphers.to_string());
        self
    }

    pub fn groups(mut self, groups: &str) -> Self {
        self.groups = Some(groups.to_string());
        self
    }

    pub fn alpn(mut self, protocols: &[&str]) -> Self {
        self.alpn = protocols.iter().map(|p| p.to_string()).collect();
        self
    }

    pub fn mode(mut self, mode: SServerMode) -> Self {
        self.mode = mode;
        self
    }

    pub fn keylog(mut self, on: bool) -> Self {
        self.keylog = on;
        self
    }

    /// A TLS 1.2 server that does not negotiate the extended master secret.
    pub fn without_extended_master_secret(mut self) -> Self {
        self.no_extended_master_secret = true;
        self
    }

    pub fn arg(mut self, arg: &str) -> Self {
        self.extra_args.push(arg.to_string());
        self
    }

    /// The arguments after `openssl s_server`, without `-accept`.
    fn args(&self, dir: &TempDir) -> Vec<String> {
        let mut args: Vec<String> = vec![
            "-cert".into(),
            dir.write("cert.pem", &self.chain_pem).display().to_string(),
            "-key".into(),
            dir.write("key.pem", &self.key_pem).display().to_string(),
        ];
        let mut push = |flag: &str, value: Option<&str>| {
            args.push(flag.to_string());
            args.extend(value.map(str::to_string));
        };
        match self.versions {
            TlsVersions::Tls13Only => push("-tls1_3", None),
            TlsVersions::Tls12Only => push("-tls1_2", None),
            TlsVersions::Both => push("-min_protocol", Some("TLSv1.2")),
        }
        if let Some(suites) = &self.ciphersuites {
            push("-ciphersuites", Some(suites));
        }
        if let Some(cipher) = &self.cipher {
            push("-cipher", Some(cipher));
        }
        if let Some(groups) = &self.groups {
            push("-groups", Some(groups));
        }
        if !self.alpn.is_empty() {
            push("-alpn", Some(&self.alpn.join(",")));
        }
        match self.mode {
            SServerMode::Www => push("-www", None),
            SServerMode::Rev => push("-rev", None),
            SServerMode::Interactive => {}
        }
        if self.keylog {
            push(
                "-keylogfile",
                Some(&dir.join("keylog.txt").display().to_string()),
            );
        }
        args.extend(self.extra_args.iter().cloned());
        args
    }

    /// Starts s_server and waits until it listens; panics (with its
    /// output) if it cannot.
    ///
    /// It is asked for port 0, and OpenSSL 3 reports the port it got
    /// (`ACCEPT 127.0.0.1:PORT`), so no other process can take the port in
    /// between. An OpenSSL that prints a bare `ACCEPT` gets a port found
    /// free by binding it first, retried if someone else took it meanwhile.
    pub fn start(self) -> OpensslServer {
        let mut dir = TempDir::new("s_server");
        let args = self.args(&dir);
        let openssl_conf = self
            .no_extended_master_secret
            .then(|| dir.write("no_ems.cnf", NO_EMS_CONF));
        let mut requested_port = 0;
        for _attempt in 0..5 {
            let mut server =
                OpensslServer::spawn(dir, &args, requested_port, openssl_conf.as_deref());
            match server.wait_until_listening() {
                Listening::On(port) => {
                    server.port = port;
                    return server;
                }
                Listening::Unreported if requested_port != 0 => {
                    server.port = requested_port;
                    return server;
                }
                Listening::Unreported => requested_port = free_port(),
                Listening::PortTaken => requested_port = free_port(),
            }
            dir = server.stop_and_take_dir();
        }
        panic!("openssl s_server could not get a port in 5 attempts");
    }
}

/// A port nothing listens on right now (bind to 0, read, release).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("listener address").port()
}

enum Listening {
    On(u16),
    /// Listening, but the port was not printed.
    Unreported,
    PortTaken,
}

/// A running `openssl s_server`; killed on drop.
pub struct OpensslServer {
    pub port: u16,
    /// Dropped before the process: s_server ends a connection when it
    /// reads EOF on stdin, so it is kept open for the server's life.
    stdin: Option<ChildStdin>,
    process: ServerProcess,
}

impl OpensslServer {
    fn spawn(
        dir: TempDir,
        args: &[String],
        port: u16,
        openssl_conf: Option<&std::path::Path>,
    ) -> OpensslServer {
        let accept = format!("127.0.0.1:{port}");
        let mut command = Command::new("openssl");
        command
            .arg("s_server")
            .args(["-accept", &accept])
            .args(args)
            .stdin(Stdio::piped());
        if let Some(conf) = openssl_conf {
            command.env("OPENSSL_CONF", conf);
        }
        let command_line = format!("openssl s_server -accept {accept} {}", args.join(" "));
        let mut process = ServerProcess::spawn(
            "s_server",
            command,
            command_line,
            dir,
            "openssl is not installed (Debian/Ubuntu: `apt-get install openssl`)",
        );
        OpensslServer {
            port,
            stdin: process.take_stdin(),
            process,
        }
    }

    fn wait_until_listening(&mut self) -> Listening {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            let stdout = self.stdout();
            if let Some(line) = stdout.lines().find(|l| l.starts_with("ACCEPT")) {
                return match line
                    .rsplit_once(':')
                    .and_then(|(_, p)| p.trim().parse().ok())
                {
                    Some(port) if port != 0 => Listening::On(port),
                    _ => Listening::Unreported,
                };
            }
            let port_taken = |stderr: &str| stderr.contains("in use");
            if self
                .process
                .check_running("listening", port_taken)
                .is_some()
            {
                return Listening::PortTaken;
            }
            assert!(
                Instant::now() < deadline,
                "openssl s_server not listening after {STARTUP_TIMEOUT:?}\n{}",
                self.diagnostics()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Writes `line` and a newline to s_server's stdin: data for the client
    /// in `Interactive` mode, or a command (`q`, `Q`, ...; for KeyUpdate use
    /// [`OpensslServer::key_update`], which waits for it to be done).
    pub fn send_line(&mut self, line: &str) {
        let stdin = self
            .stdin
            .as_mut()
            .expect("stdin is open while the server runs");
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|e| {
                panic!(
                    "cannot write to s_server's stdin: {e}\n{}",
                    self.diagnostics()
                )
            });
    }

    /// Sends a TLS 1.3 KeyUpdate to the connected client, asking for one
    /// back if `request_peer_update` (`Interactive` mode only), and waits
    /// until s_server has sent it.
    ///
    /// The wait matters: s_server reads whatever stdin holds in one go and
    /// takes it as a command only if it is the letter alone on its line,
    /// dropping the rest; a data line written right after the command would
    /// be lost. s_server's own report of the command is buffered, so the
    /// sign it was done is its write of the KeyUpdate record to the socket:
    /// the process's written-bytes count grows while the client is idle.
    pub fn key_update(&mut self, request_peer_update: bool) {
        let before = self.bytes_written();
        self.send_line(if request_peer_update { "K" } else { "k" });
        let Some(before) = before else {
            // No /proc: give s_server ample time to read the command alone.
            std::thread::sleep(Duration::from_millis(300));
            return;
        };
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while self.bytes_written().is_some_and(|now| now == before) {
            assert!(
                Instant::now() < deadline,
                "s_server sent no KeyUpdate (is a TLS 1.3 client connected?)\n{}",
                self.diagnostics()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Bytes the s_server process has written so far (Linux `/proc/PID/io`
    /// `wchar`), or None where that is not available.
    fn bytes_written(&self) -> Option<u64> {
        let pid = self.process.pid()?;
        let io = std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?;
        io.lines()
            .find_map(|line| line.strip_prefix("wchar:"))
            .and_then(|n| n.trim().parse().ok())
    }

    /// The `-keylogfile` contents (NSS key log format), if enabled.
    pub fn keylog(&self) -> Option<String> {
        std::fs::read_to_string(self.process.path("keylog.txt")?).ok()
    }

    fn stop_and_take_dir(mut self) -> TempDir {
        self.stdin = None;
        self.process.stop_and_take_dir()
    }
}

/// Its output, diagnostics and temp dir ([`ServerProcess`]).
impl std::ops::Deref for OpensslServer {
    type Target = ServerProcess;

    fn deref(&self) -> &ServerProcess {
        &self.process
    }
}
