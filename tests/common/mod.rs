//! Test infrastructure shared by the integration tests (`mod common;`).
//!
//! - [`certs`]: a PKI generated at run time (CA, intermediates, leaves of
//!   every key type, with the defects certificate tests need).
//! - [`pump`]: moves TLS bytes between a client and a server in memory,
//!   through the small [`pump::TlsEndpoint`] trait, so any client (rustls's
//!   today, oxtls's later) can be driven against a rustls server.
//! - [`rustls_server`]: `rustls::ServerConfig`s built from options, and what
//!   the server saw of a connection.
//! - [`rustls_client`]: a rustls client, the reference the harness is proven
//!   with (and a baseline for comparisons).
//! - [`tcp_server`]: a rustls server on 127.0.0.1 in a thread, for tests
//!   and examples that need a real socket.
//! - [`openssl_server`]: `openssl s_server` as a child process, killed on
//!   drop.
//! - [`gnutls_server`]: GnuTLS's `gnutls-serv` as a child process, killed
//!   on drop.
//! - [`server_process`]: what those two share: the child process, its
//!   output kept in files, diagnostics for panic messages.
//! - [`tempdir`]: a directory removed on drop, for PEM files and logs.
//!
//! Every test binary compiles this whole module but uses only part of it.
#![allow(dead_code)]

pub mod certs;
pub mod flight;
pub mod gnutls_server;
pub mod openssl_server;
pub mod oxtls_client;
pub mod pump;
pub mod rustls_client;
pub mod rustls_server;
pub mod server_process;
pub mod tcp_server;
pub mod tempdir;

/// Which protocol versions a peer is configured to speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsVersions {
    Tls13Only,
    Tls12Only,
    Both,
}

impl TlsVersions {
    /// The rustls version list for this choice.
    pub fn rustls(self) -> &'static [&'static rustls::SupportedProtocolVersion] {
        static TLS13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
        static TLS12: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
        match self {
            TlsVersions::Tls13Only => &TLS13,
            TlsVersions::Tls12Only => &TLS12,
            TlsVersions::Both => rustls::ALL_VERSIONS,
        }
    }
}
