//! The client's certificate and key (mutual TLS), and the choice of what
//! to send when a server asks for a certificate (RFC 8446 §4.3.2, §4.4.2;
//! RFC 5246 §7.4.4, §7.4.6).

use std::fmt;

use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::crypto::sign::SigningKey;
use crate::error::Error;
use crate::msgs::enums::{ClientCertificateType, ProtocolVersion, SignatureScheme};
use crate::verify::certificate_public_key_info;

/// A certificate chain and the private key of its end-entity certificate.
pub struct ClientCertKey {
    chain: Vec<CertificateDer<'static>>,
    key: SigningKey,
}

impl ClientCertKey {
    /// Pairs `chain` (end-entity first) with `key`, checking that the key
    /// is the one the end-entity certificate certifies: a mismatch would
    /// otherwise surface only as a server rejecting our signature.
    pub fn new(
        chain: Vec<CertificateDer<'static>>,
        key: &PrivateKeyDer<'_>,
    ) -> Result<Self, Error> {
        let end_entity = chain
            .first()
            .ok_or(Error::InvalidConfig("client certificate chain is empty"))?;
        let key = SigningKey::from_der(key)?;
        if certificate_public_key_info(end_entity)? != key.subject_public_key_info() {
            return Err(Error::InvalidConfig(
                "client private key does not match the certificate's public key",
            ));
        }
        Ok(Self { chain, key })
    }

    /// The chain we send, end-entity first.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    pub(crate) fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The scheme to sign a TLS 1.3 CertificateVerify with, if the server
    /// listed one our key can make (RFC 8446 §4.4.3).
    pub(crate) fn tls13_scheme(&self, offered: &[SignatureScheme]) -> Option<SignatureScheme> {
        self.key.choose_scheme(offered, ProtocolVersion::TLSv1_3)
    }

    /// The scheme for a TLS 1.2 CertificateVerify, if the server accepts
    /// our certificate's type and listed a scheme our key can make
    /// (RFC 5246 §7.4.4, §7.4.6).
    pub(crate) fn tls12_scheme(
        &self,
        certificate_types: &[ClientCertificateType],
        offered: &[SignatureScheme],
    ) -> Option<SignatureScheme> {
        if !certificate_types.contains(&self.key.tls12_certificate_type()) {
            return None;
        }
        self.key.choose_scheme(offered, ProtocolVersion::TLSv1_2)
    }
}

impl fmt::Debug for ClientCertKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertKey")
            .field("chain_len", &self.chain.len())
            .field("key", &self.key)
            .finish()
    }
}

#[cfg(test)]
#[path = "client_cert_tests.rs"]
mod tests;
