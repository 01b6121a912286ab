//! A rustls client: the reference implementation the harness is proven
//! with, and a baseline to compare oxtls against.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, NamedGroup, RootCertStore};

use super::rustls_server::ring_provider;
use super::TlsVersions;

/// A rustls client config trusting `roots`, speaking `versions`, offering
/// `alpn`. Key exchange groups are ring's defaults (X25519 first, and only
/// an X25519 share in the first ClientHello) unless `kx_groups` is given.
pub fn rustls_client_config(
    roots: &[CertificateDer<'static>],
    versions: TlsVersions,
    alpn: &[&str],
    kx_groups: Option<&[NamedGroup]>,
) -> Arc<ClientConfig> {
    let mut store = RootCertStore::empty();
    for root in roots {
        store
            .add(root.clone())
            .unwrap_or_else(|e| panic!("bad root for the rustls client: {e}"));
    }
    let mut config = ClientConfig::builder_with_provider(Arc::new(ring_provider(None, kx_groups)))
        .with_protocol_versions(versions.rustls())
        .unwrap_or_else(|e| panic!("bad client versions: {e}"))
        .with_root_certificates(store)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    Arc::new(config)
}

/// A client connection to `server_name` (a DNS name or an IP literal).
pub fn rustls_client(config: Arc<ClientConfig>, server_name: &str) -> ClientConnection {
    let name = ServerName::try_from(server_name.to_string())
        .unwrap_or_else(|e| panic!("{server_name:?} is not a server name: {e}"));
    ClientConnection::new(config, name)
        .unwrap_or_else(|e| panic!("cannot start a rustls client connection: {e}"))
}
