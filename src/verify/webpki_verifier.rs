//! The default verifier: the certificate chain must lead to a trusted root,
//! every certificate must be valid now, the end-entity certificate must be
//! for TLS server authentication and for the name we connected to.

use std::sync::Arc;

use rustls_pki_types::{CertificateDer, ServerName, SignatureVerificationAlgorithm, UnixTime};
use webpki::ring as algs;
use webpki::{EndEntityCert, KeyUsage};

use super::webpki_errors::certificate_error;
use super::{RootCertStore, ServerCertVerified, ServerCertVerifier};
use crate::error::Error;

/// The algorithms we accept for signatures inside certificate chains:
/// everything webpki's ring backend verifies. None uses SHA-1 (RFC 8446
/// §4.4.2.4 permits refusing it) or MD5 (which it forbids).
static CHAIN_SIGNATURE_ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = &[
    algs::ECDSA_P256_SHA256,
    algs::ECDSA_P256_SHA384,
    algs::ECDSA_P384_SHA256,
    algs::ECDSA_P384_SHA384,
    algs::ED25519,
    algs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    algs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    algs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
    algs::RSA_PKCS1_2048_8192_SHA256,
    algs::RSA_PKCS1_2048_8192_SHA384,
    algs::RSA_PKCS1_2048_8192_SHA512,
    algs::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
    algs::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
    algs::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
];

/// Verifies server certificates with webpki against a set of roots.
///
/// Not checked: revocation (the stapled OCSP response is ignored, and no
/// CRLs are consulted) and Certificate Transparency.
#[derive(Debug, Clone)]
pub struct WebPkiServerVerifier {
    roots: Arc<RootCertStore>,
}

impl WebPkiServerVerifier {
    /// A verifier trusting `roots`.
    ///
    /// Fails on an empty store, which could never verify anything: better
    /// to learn that when configuring than at the first connection.
    pub fn new(roots: impl Into<Arc<RootCertStore>>) -> Result<Self, Error> {
        let roots = roots.into();
        if roots.is_empty() {
            return Err(Error::InvalidConfig(
                "no root certificates to verify servers with",
            ));
        }
        Ok(Self { roots })
    }

    /// The roots this verifier trusts.
    pub fn roots(&self) -> &RootCertStore {
        &self.roots
    }
}

impl ServerCertVerifier for WebPkiServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let cert = EndEntityCert::try_from(end_entity).map_err(certificate_error)?;

        // The chain first, so that a certificate from nowhere is reported as
        // such rather than as being for the wrong name. webpki checks each
        // certificate's validity period at `now` and the server-auth
        // extended key usage of the end entity along the way.
        cert.verify_for_usage(
            CHAIN_SIGNATURE_ALGORITHMS,
            self.roots.trust_anchors(),
            intermediates,
            now,
            KeyUsage::server_auth(),
            None,
            None,
        )
        .map_err(certificate_error)?;

        // RFC 6125 §6 via webpki: DNS names match the subjectAltName dNSName
        // entries (never the subject's common name), IP addresses the
        // iPAddress entries.
        cert.verify_is_valid_for_subject_name(server_name)
            .map_err(certificate_error)?;

        Ok(ServerCertVerified::assertion())
    }
}
