//! The shim's certificate verifier: BoringSSL's test verify callback,
//! expressed as an oxtls `ServerCertVerifier`.
//!
//! BoringSSL's shim replaces chain building with a callback that accepts
//! every chain unless `-verify-fail` is given, and only enforces the verdict
//! with `-verify-peer`. We do the same, so the runner's made-up certificates
//! pass; the handshake signature is still checked by oxtls's own code (the
//! trait's defaults), which is what most of the suite attacks. The verifier
//! also remembers what a BoringSSL shim would ask the connection afterwards:
//! the verdict and the server's signature scheme.

use std::sync::Mutex;

use oxtls::pki_types::{CertificateDer, ServerName, UnixTime};
use oxtls::verify::{signature, HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use oxtls::{CertificateError, Error, SignatureScheme};

/// What the verifier saw during one handshake.
#[derive(Debug, Default, Clone)]
pub struct Observed {
    /// Whether the certificate was verified at all, and the verdict.
    pub verdict: Option<bool>,
    /// The scheme of the server's handshake signature.
    pub peer_signature_scheme: Option<SignatureScheme>,
}

#[derive(Debug)]
pub struct ShimVerifier {
    /// Enforce the verdict (BoringSSL's `SSL_VERIFY_PEER`).
    verify_peer: bool,
    /// The verdict: refuse (true) or accept every certificate.
    verify_fail: bool,
    /// Schemes to offer (`-verify-prefs`); oxtls's defaults if `None`.
    schemes: Option<Vec<SignatureScheme>>,
    observed: Mutex<Observed>,
}

impl ShimVerifier {
    pub fn new(
        verify_peer: bool,
        verify_fail: bool,
        schemes: Option<Vec<SignatureScheme>>,
    ) -> Self {
        Self {
            verify_peer,
            verify_fail,
            schemes,
            observed: Mutex::new(Observed::default()),
        }
    }

    pub fn observed(&self) -> Observed {
        self.observed.lock().map(|o| o.clone()).unwrap_or_default()
    }

    fn record(&self, f: impl FnOnce(&mut Observed)) {
        if let Ok(mut o) = self.observed.lock() {
            f(&mut o);
        }
    }
}

impl ServerCertVerifier for ShimVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let accepted = !self.verify_fail;
        self.record(|o| o.verdict = Some(accepted));
        if !accepted && self.verify_peer {
            return Err(CertificateError::ApplicationVerificationFailure.into());
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        scheme: SignatureScheme,
        sig: &[u8],
    ) -> Result<HandshakeSignatureValid, Error> {
        self.record(|o| o.peer_signature_scheme = Some(scheme));
        signature::verify_tls12_signature(message, cert, scheme, sig)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        scheme: SignatureScheme,
        sig: &[u8],
    ) -> Result<HandshakeSignatureValid, Error> {
        self.record(|o| o.peer_signature_scheme = Some(scheme));
        signature::verify_tls13_signature(message, cert, scheme, sig)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        match &self.schemes {
            Some(schemes) => schemes.clone(),
            None => signature::SUPPORTED_VERIFY_SCHEMES.to_vec(),
        }
    }
}
