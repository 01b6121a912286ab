//! GnuTLS's `gnutls-serv` as a child process: a third, independent server
//! implementation (after rustls and OpenSSL). It is killed when the
//! [`GnutlsServer`] guard drops.
//!
//! ```ignore
//! let server = GnutlsServerOptions::new(&cert)
//!     .priority("NORMAL:-VERS-ALL:+VERS-TLS1.3")
//!     .mode(GnutlsMode::Http)
//!     .start();
//! let sock = TcpStream::connect(server.addr())?;   // then TLS, then "GET / HTTP/1.0\r\n\r\n"
//! ```
//!
//! Modes ([`GnutlsMode`]):
//! - `Http`: answers `GET /` with an `HTTP/1.0 200 OK` HTML page that
//!   describes the connection (protocol version, key exchange, cipher,
//!   "Ciphersuite"), then closes with close_notify.
//! - `Echo`: collects what the client sends until it holds a `\n`, then
//!   sends it all back (as a C string: up to the first NUL; a trailing
//!   `\r\n` becomes `\n`). A line starting `**REHANDSHAKE**` is a command:
//!   in TLS 1.3 gnutls sends a KeyUpdate asking for one back, in TLS 1.2 a
//!   HelloRequest; the answer is `Successfully executed command\n`.
//!
//! gnutls-serv asks for a client certificate on every handshake unless
//! told otherwise ([`ClientCertPolicy`]), so a client without one is
//! always tested on answering an empty Certificate.
//!
//! It prints each connection's parameters (`- Description: (TLS1.3-X.509)-
//! (ECDHE-SECP256R1)-...`, `*** This is a resumed session`) on stdout and
//! its listening sockets and errors on stderr; both go to files in its
//! temp dir, and [`GnutlsServer::diagnostics`] returns them for panic
//! messages.
//!
//! If `gnutls-serv` is not installed, starting one panics saying so: these
//! tests must fail, not silently pass, on a machine without it.
//!
//! gnutls-serv 3.7 has no option to choose its address: while a test runs
//! it listens on every interface (0.0.0.0 and ::), on a port just found
//! free. The tests connect to 127.0.0.1 only.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::certs::IssuedCert;
use super::server_process::{ServerProcess, STARTUP_TIMEOUT};
use super::tempdir::TempDir;

/// How many ports to try before giving up (see [`GnutlsServerOptions::start`]).
const PORT_ATTEMPTS: usize = 5;

/// What gnutls-serv does with a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GnutlsMode {
    /// `--http`: an HTML status page for `GET /`, then close.
    Http,
    /// `--echo`: each line sent back; `**REHANDSHAKE**` and friends are
    /// commands.
    Echo,
}

/// Whether gnutls-serv asks for a client certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientCertPolicy {
    /// `--disable-client-cert`: no CertificateRequest.
    Disabled,
    /// gnutls-serv's default: a CertificateRequest, but a client without a
    /// certificate is let in.
    Requested,
    /// `--require-client-cert --verify-client-cert`: a certificate that
    /// chains to the given CA is required.
    Required,
}

/// Options for one `gnutls-serv`; [`GnutlsServerOptions::start`] launches
/// it. Defaults: priority `NORMAL` (TLS 1.2 and 1.3, gnutls's default
/// suites and groups), `Http` mode, client certificates requested.
pub struct GnutlsServerOptions {
    pub chain_pem: String,
    pub key_pem: String,
    /// `--priority`, GnuTLS priority syntax
    /// (`NORMAL:-VERS-ALL:+VERS-TLS1.2:-GROUP-ALL:+GROUP-SECP384R1`).
    pub priority: Option<String>,
    pub mode: GnutlsMode,
    /// `--alpn`, once per protocol.
    pub alpn: Vec<String>,
    pub client_cert: ClientCertPolicy,
    /// `--x509cafile` contents: the CA client certificates must chain to.
    pub client_ca_pem: Option<String>,
    /// Anything else, passed as is (e.g. `["--noticket"]`).
    pub extra_args: Vec<String>,
}

impl GnutlsServerOptions {
    pub fn new(cert: &IssuedCert) -> GnutlsServerOptions {
        GnutlsServerOptions {
            chain_pem: cert.chain_pem.clone(),
            key_pem: cert.key_pem.clone(),
            priority: None,
            mode: GnutlsMode::Http,
            alpn: Vec::new(),
            client_cert: ClientCertPolicy::Requested,
            client_ca_pem: None,
            extra_args: Vec::new(),
        }
    }

    pub fn priority(mut self, priority: &str) -> Self {
        self.priority = Some(priority.to_string());
        self
    }

    pub fn mode(mut self, mode: GnutlsMode) -> Self {
        self.mode = mode;
        self
    }

    pub fn alpn(mut self, protocols: &[&str]) -> Self {
        self.alpn = protocols.iter().map(|p| p.to_string()).collect();
        self
    }

    pub fn client_cert(mut self, policy: ClientCertPolicy) -> Self {
        self.client_cert = policy;
        self
    }

    /// Requires a client certificate issued under `ca_pem`.
    pub fn require_client_cert(mut self, ca_pem: &str) -> Self {
        self.client_cert = ClientCertPolicy::Required;
        self.client_ca_pem = Some(ca_pem.to_string());
        self
    }

    pub fn arg(mut self, arg: &str) -> Self {
        self.extra_args.push(arg.to_string());
        self
    }

    /// The arguments after `gnutls-serv`, without `--port`.
    fn args(&self, dir: &TempDir) -> Vec<String> {
        let mut args: Vec<String> = vec![
            format!(
                "--x509certfile={}",
                dir.write("cert.pem", &self.chain_pem).display()
            ),
            format!(
                "--x509keyfile={}",
                dir.write("key.pem", &self.key_pem).display()
            ),
        ];
        args.push(
            match self.mode {
                GnutlsMode::Http => "--http",
                GnutlsMode::Echo => "--echo",
            }
            .into(),
        );
        if let Some(priority) = &self.priority {
            args.push(format!("--priority={priority}"));
        }
        for protocol in &self.alpn {
            args.push(format!("--alpn={protocol}"));
        }
        match self.client_cert {
            ClientCertPolicy::Disabled => args.push("--disable-client-cert".into()),
            ClientCertPolicy::Requested => {}
            ClientCertPolicy::Required => {
                args.push("--require-client-cert".into());
                args.push("--verify-client-cert".into());
            }
        }
        if let Some(ca) = &self.client_ca_pem {
            args.push(format!(
                "--x509cafile={}",
                dir.write("client-ca.pem", ca).display()
            ));
        }
        args.extend(self.extra_args.iter().cloned());
        args
    }

    /// Starts gnutls-serv and waits until it listens on 127.0.0.1; panics
    /// (with its output) if it cannot.
    ///
    /// gnutls-serv cannot be asked for port 0: it would bind its IPv4 and
    /// IPv6 sockets to two different ports and print neither. So the port
    /// is one just found free (bound to 0, read, released). Should another
    /// process take it in between, gnutls-serv says `bind() failed` for
    /// IPv4 yet keeps running (on IPv6 alone, or on nothing); that is
    /// seen, the server is killed, and another port is tried.
    pub fn start(self) -> GnutlsServer {
        let mut dir = TempDir::new("gnutls-serv");
        let args = self.args(&dir);
        for _attempt in 0..PORT_ATTEMPTS {
            let mut server = GnutlsServer::spawn(dir, &args, free_port());
            if server.wait_until_listening() {
                return server;
            }
            dir = server.stop_and_take_dir();
        }
        panic!("gnutls-serv could not get a port in {PORT_ATTEMPTS} attempts");
    }
}

/// A port nothing listens on right now (bind to 0, read, release).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("listener address").port()
}

/// A running `gnutls-serv`; killed on drop.
pub struct GnutlsServer {
    pub port: u16,
    process: ServerProcess,
}

impl GnutlsServer {
    fn spawn(dir: TempDir, args: &[String], port: u16) -> GnutlsServer {
        let port_arg = format!("--port={port}");
        let command_line = format!("gnutls-serv {port_arg} {}", args.join(" "));
        let mut command = Command::new("gnutls-serv");
        command.arg(&port_arg).args(args).stdin(Stdio::null());
        let process = ServerProcess::spawn(
            "gnutls-serv",
            command,
            command_line,
            dir,
            "gnutls-serv is not installed (Debian/Ubuntu: `apt-get install gnutls-bin`); \
             the GnuTLS interop tests need it",
        );
        GnutlsServer { port, process }
    }

    /// True once gnutls-serv reports its IPv4 socket bound and listening;
    /// false if the bind failed (the port was taken). Its IPv6 socket does
    /// not matter: tests connect to 127.0.0.1.
    fn wait_until_listening(&mut self) -> bool {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        // stderr: "Echo Server listening on IPv4 0.0.0.0 port 5556...done"
        // or "...bind() failed: Address already in use".
        let ipv4 = format!("IPv4 0.0.0.0 port {}...", self.port);
        loop {
            let stderr = self.stderr();
            if let Some(line) = stderr.lines().find(|l| l.contains(&ipv4)) {
                let outcome = line.split_once(&ipv4).map_or("", |(_, rest)| rest);
                if outcome.starts_with("done") {
                    return true;
                }
                if outcome.contains("in use") {
                    return false;
                }
                // Anything else after the dots is an error worth seeing;
                // an empty rest means the line is still being written.
                assert!(
                    outcome.is_empty(),
                    "gnutls-serv cannot listen\n{}",
                    self.diagnostics()
                );
            }
            self.process.check_running("listening", |_| false);
            assert!(
                Instant::now() < deadline,
                "gnutls-serv not listening after {STARTUP_TIMEOUT:?}\n{}",
                self.diagnostics()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The `- Description:` lines gnutls-serv printed, one per completed
    /// handshake, e.g. `(TLS1.3-X.509)-(ECDHE-SECP256R1)-(ECDSA-SECP256R1-
    /// SHA256)-(AES-256-GCM)`.
    pub fn descriptions(&self) -> Vec<String> {
        self.stdout()
            .lines()
            .filter_map(|l| l.strip_prefix("- Description: "))
            .map(str::to_string)
            .collect()
    }

    fn stop_and_take_dir(self) -> TempDir {
        self.process.stop_and_take_dir()
    }
}

/// Its output, diagnostics and temp dir ([`ServerProcess`]).
impl std::ops::Deref for GnutlsServer {
    type Target = ServerProcess;

    fn deref(&self) -> &ServerProcess {
        &self.process
    }
}
