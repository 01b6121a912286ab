//! Verifiers that give up security, for tests and for the rare program that
//! authenticates the server some other way. Each name says what it skips.

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::{ServerCertVerified, ServerCertVerifier};
use crate::error::Error;

/// Accepts any server certificate, for any name, at any time: a connection
/// using it can be intercepted by anyone on the path.
///
/// It still checks the handshake signature with the key of the presented
/// certificate (the defaults of [`ServerCertVerifier`]), so the server must
/// at least hold that key, and the handshake code runs the same paths as
/// with real verification.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVerification;

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }
}
