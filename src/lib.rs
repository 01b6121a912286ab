//! oxtls: a TLS 1.3 and TLS 1.2 client with a C ABI.
//!
//! The public API follows rustls's client: build a [`ClientConfig`], share
//! it as `Arc<ClientConfig>`, and make a [`ClientConnection`] per
//! connection. The connection is sans-I/O: feed it received bytes with
//! [`ClientConnection::read_tls`], act on them with
//! [`ClientConnection::process_new_packets`], and send what
//! [`ClientConnection::write_tls`] produces.
//!
//! Inside, bytes flow `msgs` (wire format) → `record` (framing and
//! protection) → `client` (handshake) → `conn` (the public API), with every
//! cryptographic primitive in `crypto` and certificate checks in `verify`.

// Unsafe code is denied everywhere but `ffi` (the C API), which opts in.
#![deny(unsafe_code)]

pub mod client;
pub mod conn;
pub mod crypto;
pub mod error;
mod ffi;
mod inline_bytes;
pub mod keylog;
pub mod log;
pub mod msgs;
pub mod record;
pub mod verify;

#[cfg(test)]
pub(crate) mod test_vectors;

pub use client::{
    ClientConfig, ClientSessionMemoryCache, ClientSessionStore, ConfigBuilder, Resumption,
    TimeProvider, Tls12Session, Tls13Session,
};
pub use conn::{
    ClientConnection, ConnectionTrafficSecrets, EarlyData, ExtractedKey, ExtractedSecrets,
    HandshakeKind, IoState, Reader, Writer,
};
pub use crypto::kx::{SupportedKxGroup, ALL_KX_GROUPS};
pub use crypto::suites::{SupportedCipherSuite, ALL_CIPHER_SUITES, DEFAULT_CIPHER_SUITES};
pub use error::{CertificateError, Error, InvalidMessage, PeerIncompatible, PeerMisbehaved};
pub use keylog::{KeyLog, KeyLogFile};
pub use log::{LogLevel, Logger};
pub use msgs::enums::{
    AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme,
};
pub use rustls_pki_types as pki_types;
pub use verify::{RootCertStore, ServerCertVerifier, WebPkiServerVerifier};

#[cfg(test)]
mod thread_safety {
    /// A config is shared by connections on any threads; a connection may
    /// move between threads (one at a time).
    #[test]
    fn config_is_shareable_and_connections_can_move() {
        fn shareable<T: Send + Sync>() {}
        fn movable<T: Send>() {}
        shareable::<super::ClientConfig>();
        shareable::<std::sync::Arc<super::ClientConfig>>();
        movable::<super::ClientConnection>();
    }
}
