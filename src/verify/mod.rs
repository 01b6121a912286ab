//! Verification of the server's identity: its certificate chain and its
//! handshake signature.
//!
//! This is the only module that names `webpki`. Path building and X.509
//! validation are webpki's; what lives here is the glue a TLS client needs
//! around it:
//!
//! - [`RootCertStore`]: the roots we trust, loaded from DER, PEM files, an
//!   OpenSSL-style hashed directory, or the platform bundle.
//! - [`ServerCertVerifier`]: the one interface the handshake calls, shaped
//!   so that an application (or the C layer) can supply its own.
//! - [`WebPkiServerVerifier`]: the default, checking the chain to a root,
//!   the validity dates, the server-auth purpose and the server name.
//! - [`signature`]: which signature schemes each TLS version allows and the
//!   verification of a `CertificateVerify` / `ServerKeyExchange` signature.
//! - [`dangerous::NoVerification`]: accepts any certificate, for tests.

pub mod dangerous;
mod roots;
pub mod signature;
mod signing_key;
mod webpki_errors;
mod webpki_verifier;

#[cfg(test)]
pub(crate) mod test_pki;
#[cfg(test)]
mod tests_chain;
#[cfg(test)]
mod tests_roots;
#[cfg(test)]
mod tests_signature;

use core::fmt;

pub use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

pub(crate) use roots::read_pem_file;
pub use roots::RootCertStore;
pub use webpki_verifier::WebPkiServerVerifier;

use crate::error::Error;
use crate::msgs::enums::SignatureScheme;

/// Proof that a [`ServerCertVerifier`] accepted the server's certificate.
///
/// Only a verifier makes one, so the handshake cannot go on by mistake
/// without having asked.
#[derive(Debug)]
pub struct ServerCertVerified(());

impl ServerCertVerified {
    /// Says that the certificate was verified. Only a verifier should call
    /// this, after it has checked the certificate.
    pub fn assertion() -> Self {
        Self(())
    }
}

/// Proof that a handshake signature was verified.
#[derive(Debug)]
pub struct HandshakeSignatureValid(());

impl HandshakeSignatureValid {
    /// Says that the signature was verified. Only a verifier should call
    /// this, after it has checked the signature.
    pub fn assertion() -> Self {
        Self(())
    }
}

/// Decides whether the server is who it claims to be.
///
/// The handshake calls [`verify_server_cert`](Self::verify_server_cert)
/// once with the server's Certificate message, then one of the signature
/// methods with the signature that proves the server holds the key.
///
/// The signature methods and [`supported_verify_schemes`](Self::supported_verify_schemes)
/// have defaults that do the standard checks of [`signature`]; a verifier
/// that only wants a different policy for certificates overrides
/// `verify_server_cert` alone and keeps them, so the server must still prove
/// it holds the certificate's key.
pub trait ServerCertVerifier: Send + Sync + fmt::Debug {
    /// Verifies the server's end-entity certificate, with the intermediates
    /// it sent, for `server_name` at time `now`.
    ///
    /// `ocsp_response` is the stapled OCSP response, empty if none.
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error>;

    /// Verifies a TLS 1.2 handshake signature (ServerKeyExchange) over
    /// `message` made with the key of `cert`.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<HandshakeSignatureValid, Error> {
        signature::verify_tls12_signature(message, cert, scheme, signature)
    }

    /// Verifies a TLS 1.3 CertificateVerify signature over `message` (built
    /// by [`signature::tls13_server_verify_message`]) made with the key of
    /// `cert`.
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<HandshakeSignatureValid, Error> {
        signature::verify_tls13_signature(message, cert, scheme, signature)
    }

    /// The schemes to offer in the ClientHello's signature_algorithms
    /// extension, most preferred first.
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        signature::SUPPORTED_VERIFY_SCHEMES.to_vec()
    }
}

/// The SubjectPublicKeyInfo (DER, outer SEQUENCE included) of a
/// certificate: to check that a client key belongs to its certificate
/// before any handshake relies on it.
pub fn certificate_public_key_info(cert: &CertificateDer<'_>) -> Result<Vec<u8>, Error> {
    let cert = webpki::EndEntityCert::try_from(cert).map_err(|_| {
        Error::InvalidConfig("client certificate: not a parsable X.509 certificate")
    })?;
    Ok(cert.subject_public_key_info().as_ref().to_vec())
}
