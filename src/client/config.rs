//! `ClientConfig`: what every connection made with it shares. Built once,
//! immutable, shared as `Arc<ClientConfig>` by any number of connections
//! on any threads.

use std::fmt;
use std::sync::Arc;

use super::session::{Resumption, SystemClock, TimeProvider};
use crate::crypto::kx::{SupportedKxGroup, ALL_KX_GROUPS};
use crate::crypto::rand::Randomness;
use crate::crypto::suites::{SupportedCipherSuite, DEFAULT_CIPHER_SUITES};
use crate::error::Error;
use crate::keylog::KeyLog;
use crate::log::Logger;
use crate::msgs::enums::{ProtocolVersion, SignatureScheme};
use crate::record::joiner::DEFAULT_MAX_HANDSHAKE_LEN;
use crate::record::protect::MAX_FRAGMENT_LEN;
use crate::verify::{RootCertStore, ServerCertVerifier, WebPkiServerVerifier};

pub use super::client_cert::ClientCertKey;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// The protocol versions a config enables when none are chosen: TLS 1.3
/// and TLS 1.2, so that any current server can be reached. A TLS 1.3
/// server cannot be pushed down to 1.2 (RFC 8446 §4.1.3's sentinel).
pub const DEFAULT_VERSIONS: &[ProtocolVersion] =
    &[ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2];

/// The record header's length, which `max_fragment_size` includes.
const RECORD_HEADER_LEN: usize = 5;

/// How a client connects: versions, algorithms, whom it trusts, and
/// the options of its ClientHello.
#[derive(Clone)]
pub struct ClientConfig {
    pub(crate) versions: Vec<ProtocolVersion>,
    pub(crate) cipher_suites: Vec<SupportedCipherSuite>,
    pub(crate) kx_groups: Vec<&'static SupportedKxGroup>,
    pub(crate) verifier: Arc<dyn ServerCertVerifier>,
    /// `verifier.supported_verify_schemes()`, asked once when the verifier
    /// is set rather than (as a fresh `Vec`) for every ClientHello and
    /// every handshake signature.
    pub(crate) verify_schemes: Vec<SignatureScheme>,
    /// Protocols to offer by ALPN (RFC 7301), most preferred first. Empty
    /// means ALPN is not used.
    pub alpn_protocols: Vec<Vec<u8>>,
    /// Whether to send the server's DNS name in server_name (RFC 6066 §3).
    /// IP addresses are never sent there.
    pub enable_sni: bool,
    /// The largest record we send before protection, header included (as
    /// in rustls: 32 to 16389 bytes): each record carries at most this less
    /// 5 bytes of plaintext, and encryption adds its overhead on top.
    /// `None` means the protocol's maximum.
    pub max_fragment_size: Option<usize>,
    /// Receives a line for each notable event of a connection.
    pub logger: Option<Arc<dyn Logger>>,
    /// Receives every connection's secrets, for decrypting captures while
    /// debugging (see [`crate::KeyLogFile`]). `None`, the default, logs
    /// nothing.
    pub key_log: Option<Arc<dyn KeyLog>>,
    /// Whether and where sessions are kept to resume later connections
    /// (RFC 8446 §2.2; RFC 5246 §7.3 and RFC 5077 for TLS 1.2).
    /// Connections made from one config (through its `Arc`) share the
    /// store. Default: in memory, 256 sessions.
    pub resumption: Resumption,
    /// Whether to send 0-RTT data (RFC 8446 §2.3) when a stored ticket
    /// allows it; see [`crate::ClientConnection::early_data`]. Default:
    /// false, since early data can be replayed by an attacker.
    pub enable_early_data: bool,
    /// Whether [`crate::ClientConnection::dangerous_extract_secrets`] may
    /// hand out a connection's traffic keys (for kernel TLS, say).
    /// Default: false.
    pub enable_secret_extraction: bool,
    /// The clock that times tickets (their age and lifetime).
    pub time_provider: Arc<dyn TimeProvider>,
    /// The largest handshake message accepted from the server.
    pub(crate) max_handshake_message_len: usize,
    /// Where random values come from; fixed only in known-answer tests.
    pub(crate) randomness: Randomness,
    /// Whether to send a legacy_session_id and a ChangeCipherSpec so that
    /// middleboxes see something like TLS 1.2 resumption (RFC 8446 §D.4).
    pub(crate) middlebox_compat: bool,
    /// A problem found while building, reported when a connection is made
    /// (the builder's methods are infallible, as in rustls).
    pub(crate) build_error: Option<Error>,
    /// Our certificate chain and key, if we authenticate ourselves when a
    /// server asks (RFC 8446 §4.3.2, RFC 5246 §7.4.4).
    pub(crate) client_auth: Option<Arc<ClientCertKey>>,
    /// Test seam: rewrites each ClientHello before it is sent, so a
    /// known-answer test can reproduce a published trace's exact hello.
    pub(crate) client_hello_hook: Option<fn(&mut crate::msgs::hello::ClientHello<'_>)>,
}

impl ClientConfig {
    /// Starts building a config with the default versions, suites and
    /// groups.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder {
            versions: DEFAULT_VERSIONS.to_vec(),
            cipher_suites: DEFAULT_CIPHER_SUITES.to_vec(),
            kx_groups: ALL_KX_GROUPS.to_vec(),
        }
    }

    /// Like [`ClientConfig::builder`] but with the given protocol versions.
    pub fn builder_with_protocol_versions(versions: &[ProtocolVersion]) -> ConfigBuilder {
        Self::builder().with_protocol_versions(versions)
    }

    /// Settings that weaken security; for tests and special cases.
    pub fn dangerous(&mut self) -> DangerousClientConfig<'_> {
        DangerousClientConfig { cfg: self }
    }

    /// The enabled protocol versions.
    pub fn protocol_versions(&self) -> &[ProtocolVersion] {
        &self.versions
    }

    /// The enabled cipher suites, in order of preference.
    pub fn cipher_suites(&self) -> &[SupportedCipherSuite] {
        &self.cipher_suites
    }

    /// The enabled key-exchange groups, in order of preference; the
    /// ClientHello carries a key share for the first.
    pub fn kx_groups(&self) -> &[&'static SupportedKxGroup] {
        &self.kx_groups
    }

    /// The most plaintext bytes we put in one record.
    pub(crate) fn max_fragment_len(&self) -> usize {
        match self.max_fragment_size {
            Some(size) => size
                .saturating_sub(RECORD_HEADER_LEN)
                .clamp(1, MAX_FRAGMENT_LEN),
            None => MAX_FRAGMENT_LEN,
        }
    }

    pub(crate) fn max_handshake_message_len(&self) -> usize {
        self.max_handshake_message_len
    }

    pub(crate) fn supports_version(&self, v: ProtocolVersion) -> bool {
        self.versions.contains(&v)
    }

    /// Checks the config can make a connection at all.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if let Some(err) = &self.build_error {
            return Err(err.clone());
        }
        if self.versions.is_empty() {
            return Err(Error::InvalidConfig("no protocol versions enabled"));
        }
        if !self
            .cipher_suites
            .iter()
            .any(|s| self.versions.contains(&s.version()))
        {
            return Err(Error::InvalidConfig(
                "no cipher suite for any enabled protocol version",
            ));
        }
        if self.kx_groups.is_empty() {
            return Err(Error::InvalidConfig("no key-exchange groups enabled"));
        }
        if let Some(size) = self.max_fragment_size {
            if !(32..=MAX_FRAGMENT_LEN + RECORD_HEADER_LEN).contains(&size) {
                return Err(Error::InvalidConfig(
                    "max_fragment_size must be between 32 and 16389",
                ));
            }
        }
        if self
            .alpn_protocols
            .iter()
            .any(|p| p.is_empty() || p.len() > 255)
        {
            return Err(Error::InvalidConfig(
                "ALPN protocol names must be 1 to 255 bytes",
            ));
        }
        // RFC 7301 §3.1: ProtocolName protocol_name_list<2..2^16-1>, inside
        // an extension whose body has a 16-bit length as well.
        let alpn_len: usize = self.alpn_protocols.iter().map(|p| 1 + p.len()).sum();
        if alpn_len > 0xffff - 2 {
            return Err(Error::InvalidConfig(
                "ALPN protocol names must take under 64 KiB together",
            ));
        }
        Ok(())
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("versions", &self.versions)
            .field("cipher_suites", &self.cipher_suites)
            .field("kx_groups", &self.kx_groups)
            .field("verifier", &self.verifier)
            .field("alpn_protocols", &self.alpn_protocols)
            .field("enable_sni", &self.enable_sni)
            .field("max_fragment_size", &self.max_fragment_size)
            .field("key_log", &self.key_log.is_some())
            .field("resumption", &self.resumption)
            .field("enable_early_data", &self.enable_early_data)
            .field("client_auth", &self.client_auth)
            .finish_non_exhaustive()
    }
}

/// Builds a [`ClientConfig`]: choose versions, suites and groups (or keep
/// the defaults), then whom to trust, then client authentication.
#[derive(Debug, Clone)]
pub struct ConfigBuilder {
    versions: Vec<ProtocolVersion>,
    cipher_suites: Vec<SupportedCipherSuite>,
    kx_groups: Vec<&'static SupportedKxGroup>,
}

impl ConfigBuilder {
    /// The protocol versions to enable.
    pub fn with_protocol_versions(mut self, versions: &[ProtocolVersion]) -> Self {
        self.versions = versions.to_vec();
        self
    }

    /// The cipher suites to enable, most preferred first.
    pub fn with_cipher_suites(mut self, suites: &[SupportedCipherSuite]) -> Self {
        self.cipher_suites = suites.to_vec();
        self
    }

    /// The key-exchange groups to enable, most preferred first.
    pub fn with_kx_groups(mut self, groups: &[&'static SupportedKxGroup]) -> Self {
        self.kx_groups = groups.to_vec();
        self
    }

    /// Trust certificates that chain to `roots`, checked by webpki.
    pub fn with_root_certificates(self, roots: impl Into<Arc<RootCertStore>>) -> WantsClientCert {
        let verifier =
            WebPkiServerVerifier::new(roots).map(|v| Arc::new(v) as Arc<dyn ServerCertVerifier>);
        WantsClientCert {
            builder: self,
            verifier,
        }
    }

    /// Settings that weaken security; for tests and special cases.
    pub fn dangerous(self) -> DangerousConfigBuilder {
        DangerousConfigBuilder { builder: self }
    }
}

/// A [`ConfigBuilder`] that has been told whom to trust.
pub struct WantsClientCert {
    builder: ConfigBuilder,
    verifier: Result<Arc<dyn ServerCertVerifier>, Error>,
}

impl WantsClientCert {
    /// Finishes the config without a client certificate.
    ///
    /// A root store webpki cannot use (an empty one) is reported when a
    /// connection is made, as `Error::InvalidConfig`; until then the config
    /// holds a verifier that refuses everything.
    pub fn with_no_client_auth(self) -> ClientConfig {
        self.finish(None)
    }

    /// Finishes the config with a client certificate: when a server asks
    /// for one, we send `cert_chain` (end-entity certificate first) and
    /// prove we hold `key_der` by signing the handshake with it.
    ///
    /// The key may be PKCS#8 (ECDSA P-256/P-384, Ed25519, RSA) or PKCS#1
    /// (RSA); see [`crate::crypto::sign::SigningKey`]. An empty chain, a key ring cannot use, or
    /// a key that is not the end-entity certificate's is
    /// `Error::InvalidConfig` here, not a handshake failure later.
    pub fn with_client_auth_cert(
        self,
        cert_chain: Vec<CertificateDer<'static>>,
        key_der: PrivateKeyDer<'static>,
    ) -> Result<ClientConfig, Error> {
        let cert_key = ClientCertKey::new(cert_chain, &key_der)?;
        Ok(self.finish(Some(Arc::new(cert_key))))
    }

    fn finish(self, client_auth: Option<Arc<ClientCertKey>>) -> ClientConfig {
        let (verifier, build_error) = match self.verifier {
            Ok(v) => (v, None),
            Err(e) => (Arc::new(RefuseAll) as Arc<dyn ServerCertVerifier>, Some(e)),
        };
        ClientConfig {
            versions: self.builder.versions,
            cipher_suites: self.builder.cipher_suites,
            kx_groups: self.builder.kx_groups,
            verify_schemes: verifier.supported_verify_schemes(),
            verifier,
            alpn_protocols: Vec::new(),
            enable_sni: true,
            max_fragment_size: None,
            logger: None,
            key_log: None,
            resumption: Resumption::default(),
            enable_early_data: false,
            enable_secret_extraction: false,
            time_provider: Arc::new(SystemClock),
            max_handshake_message_len: DEFAULT_MAX_HANDSHAKE_LEN,
            randomness: Randomness::System,
            middlebox_compat: true,
            build_error,
            client_auth,
            client_hello_hook: None,
        }
    }
}

/// The dangerous settings of a [`ConfigBuilder`].
pub struct DangerousConfigBuilder {
    builder: ConfigBuilder,
}

impl DangerousConfigBuilder {
    /// Use `verifier` instead of webpki to decide whether to trust the
    /// server's certificate.
    pub fn with_custom_certificate_verifier(
        self,
        verifier: Arc<dyn ServerCertVerifier>,
    ) -> WantsClientCert {
        WantsClientCert {
            builder: self.builder,
            verifier: Ok(verifier),
        }
    }
}

/// The dangerous settings of a built [`ClientConfig`].
pub struct DangerousClientConfig<'a> {
    cfg: &'a mut ClientConfig,
}

impl DangerousClientConfig<'_> {
    /// Replace the certificate verifier.
    pub fn set_certificate_verifier(&mut self, verifier: Arc<dyn ServerCertVerifier>) {
        self.cfg.verify_schemes = verifier.supported_verify_schemes();
        self.cfg.verifier = verifier;
    }
}

/// Stands in for a verifier that could not be built; never consulted,
/// because such a config cannot make a connection.
#[derive(Debug)]
struct RefuseAll;

impl ServerCertVerifier for RefuseAll {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls_pki_types::CertificateDer<'_>,
        _intermediates: &[rustls_pki_types::CertificateDer<'_>],
        _server_name: &rustls_pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls_pki_types::UnixTime,
    ) -> Result<crate::verify::ServerCertVerified, Error> {
        Err(Error::InvalidConfig("no usable certificate verifier"))
    }
}
