//! rustls server configurations built from options, and what the server
//! saw of a connection: the independent peer oxtls is tested against in
//! process.
//!
//! ```ignore
//! let cert = pki.server_cert(KeyType::EcdsaP256);
//! // A server that supports only P-384, so a client offering an X25519
//! // share first gets a HelloRetryRequest:
//! let mut server = RustlsServerOptions::new(&cert)
//!     .versions(TlsVersions::Tls13Only)
//!     .kx_groups(&[NamedGroup::secp384r1])
//!     .alpn(&["h2", "http/1.1"])
//!     .connection();
//! handshake(&mut client, &mut server).expect("handshake");
//! let view = ServerView::of(&server);
//! assert_eq!(view.handshake_kind, Some(HandshakeKind::FullWithHelloRetryRequest));
//! ```

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::server::WebPkiClientVerifier;
use rustls::{
    CipherSuite, HandshakeKind, NamedGroup, ProtocolVersion, RootCertStore, ServerConfig,
    ServerConnection,
};

use super::certs::IssuedCert;
use super::TlsVersions;

/// The ring provider, optionally cut down to some cipher suites and key
/// exchange groups (in the order given, which becomes the preference).
pub fn ring_provider(
    cipher_suites: Option<&[CipherSuite]>,
    kx_groups: Option<&[NamedGroup]>,
) -> CryptoProvider {
    let mut provider = rustls::crypto::ring::default_provider();
    if let Some(wanted) = cipher_suites {
        let all = std::mem::take(&mut provider.cipher_suites);
        provider.cipher_suites = wanted
            .iter()
            .map(|id| {
                *all.iter()
                    .find(|s| s.suite() == *id)
                    .unwrap_or_else(|| panic!("rustls's ring provider has no suite {id:?}"))
            })
            .collect();
    }
    if let Some(wanted) = kx_groups {
        let all = std::mem::take(&mut provider.kx_groups);
        provider.kx_groups = wanted
            .iter()
            .map(|id| {
                *all.iter()
                    .find(|g| g.name() == *id)
                    .unwrap_or_else(|| panic!("rustls's ring provider has no group {id:?}"))
            })
            .collect();
    }
    provider
}

/// How to configure a rustls server; [`RustlsServerOptions::config`]
/// builds it. Defaults: TLS 1.3 and 1.2, every ring suite and group, no
/// ALPN, no client auth, default fragment size, tickets sent.
pub struct RustlsServerOptions {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: rustls::pki_types::PrivateKeyDer<'static>,
    pub versions: TlsVersions,
    pub cipher_suites: Option<Vec<CipherSuite>>,
    pub kx_groups: Option<Vec<NamedGroup>>,
    pub alpn: Vec<Vec<u8>>,
    pub max_fragment_size: Option<usize>,
    pub send_tickets: bool,
    /// Require a client certificate chaining to one of these roots.
    pub client_auth_roots: Option<Vec<CertificateDer<'static>>>,
    /// With `client_auth_roots`: ask for a certificate but go on without.
    pub client_auth_optional: bool,
}

impl RustlsServerOptions {
    pub fn new(cert: &IssuedCert) -> RustlsServerOptions {
        RustlsServerOptions {
            chain: cert.chain.clone(),
            key: cert.key(),
            versions: TlsVersions::Both,
            cipher_suites: None,
            kx_groups: None,
            alpn: Vec::new(),
            max_fragment_size: None,
            send_tickets: true,
            client_auth_roots: None,
            client_auth_optional: false,
        }
    }

    pub fn versions(mut self, versions: TlsVersions) -> Self {
        self.versions = versions;
        self
    }

    /// Only these suites, in this order of preference.
    pub fn cipher_suites(mut self, suites: &[CipherSuite]) -> Self {
        self.cipher_suites = Some(suites.to_vec());
        self
    }

    /// Only these key exchange groups, in this order of preference. A
    /// group the client offered but sent no key share for forces a
    /// HelloRetryRequest (RFC 8446 §4.1.4).
    pub fn kx_groups(mut self, groups: &[NamedGroup]) -> Self {
        self.kx_groups = Some(groups.to_vec());
        self
    }

    /// ALPN protocols the server accepts, in its order of preference.
    pub fn alpn(mut self, protocols: &[&str]) -> Self {
        self.alpn = protocols.iter().map(|p| p.as_bytes().to_vec()).collect();
        self
    }

    /// Largest plaintext record the server makes, its 5-byte header
    /// included (rustls's meaning): each carries at most `size - 5` bytes
    /// of data, and its encrypted form is larger by the AEAD's overhead.
    pub fn max_fragment_size(mut self, size: usize) -> Self {
        self.max_fragment_size = Some(size);
        self
    }

    /// Whether the server issues session tickets (1.3 NewSessionTicket,
    /// 1.2 stateless tickets).
    pub fn send_tickets(mut self, on: bool) -> Self {
        self.send_tickets = on;
        self
    }

    pub fn require_client_cert(mut self, roots: &[CertificateDer<'static>]) -> Self {
        self.client_auth_roots = Some(roots.to_vec());
        self
    }

    /// Ask for a client certificate chaining to `roots`, but accept a
    /// client that sends none.
    pub fn request_client_cert(mut self, roots: &[CertificateDer<'static>]) -> Self {
        self.client_auth_roots = Some(roots.to_vec());
        self.client_auth_optional = true;
        self
    }

    pub fn config(&self) -> Arc<ServerConfig> {
        let provider = Arc::new(ring_provider(
            self.cipher_suites.as_deref(),
            self.kx_groups.as_deref(),
        ));
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(self.versions.rustls())
            .unwrap_or_else(|e| panic!("bad server versions/suites/groups: {e}"));
        let builder = match &self.client_auth_roots {
            None => builder.with_no_client_auth(),
            Some(roots) => {
                let mut store = RootCertStore::empty();
                for root in roots {
                    store
                        .add(root.clone())
                        .unwrap_or_else(|e| panic!("bad client auth root: {e}"));
                }
                let mut verifier =
                    WebPkiClientVerifier::builder_with_provider(store.into(), provider);
                if self.client_auth_optional {
                    verifier = verifier.allow_unauthenticated();
                }
                let verifier = verifier
                    .build()
                    .unwrap_or_else(|e| panic!("cannot build client verifier: {e}"));
                builder.with_client_cert_verifier(verifier)
            }
        };
        let mut config = builder
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .unwrap_or_else(|e| panic!("rustls rejected the server cert/key: {e}"));
        config.alpn_protocols = self.alpn.clone();
        config.max_fragment_size = self.max_fragment_size;
        if self.send_tickets {
            config.ticketer = rustls::crypto::ring::Ticketer::new()
                .unwrap_or_else(|e| panic!("cannot make a ticketer: {e}"));
        } else {
            config.send_tls13_tickets = 0;
        }
        Arc::new(config)
    }

    /// A fresh server connection with this configuration.
    pub fn connection(&self) -> ServerConnection {
        ServerConnection::new(self.config())
            .unwrap_or_else(|e| panic!("cannot start a rustls server connection: {e}"))
    }
}

/// What the rustls server negotiated and saw, for assertions.
#[derive(Clone, Debug)]
pub struct ServerView {
    /// The server_name the client sent (SNI).
    pub sni: Option<String>,
    pub alpn: Option<Vec<u8>>,
    pub suite: Option<CipherSuite>,
    pub version: Option<ProtocolVersion>,
    pub kx_group: Option<NamedGroup>,
    /// Full, FullWithHelloRetryRequest or Resumed.
    pub handshake_kind: Option<HandshakeKind>,
    /// The client's certificate chain, if it sent one.
    pub client_certificates: Option<Vec<CertificateDer<'static>>>,
}

impl ServerView {
    pub fn of(server: &ServerConnection) -> ServerView {
        ServerView {
            sni: server.server_name().map(str::to_string),
            alpn: server.alpn_protocol().map(<[u8]>::to_vec),
            suite: server.negotiated_cipher_suite().map(|s| s.suite()),
            version: server.protocol_version(),
            kx_group: server.negotiated_key_exchange_group().map(|g| g.name()),
            handshake_kind: server.handshake_kind(),
            client_certificates: server.peer_certificates().map(<[_]>::to_vec),
        }
    }
}

/// The server's keying material exporter output (RFC 8446 §7.5 / RFC
/// 5705), to compare with the client's.
pub fn server_export(
    server: &ServerConnection,
    label: &[u8],
    context: Option<&[u8]>,
    len: usize,
) -> Vec<u8> {
    server
        .export_keying_material(vec![0u8; len], label, context)
        .unwrap_or_else(|e| panic!("server export_keying_material failed: {e}"))
}
