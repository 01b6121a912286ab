//! Translation of webpki's reasons into ours.
//!
//! Every webpki error a server certificate can cause gets the most precise
//! [`CertificateError`] we have, since that decides both the alert we send
//! (RFC 8446 §6.2) and what the user reads. Errors about CRLs cannot arise
//! (we pass webpki none) and fall into `Other` with webpki's own words.

use crate::error::{CertificateError, Error};

/// The error for a certificate that webpki refused.
pub(crate) fn certificate_error(error: webpki::Error) -> Error {
    Error::InvalidCertificate(certificate_reason(error))
}

#[allow(deprecated)] // The context-free variants still come from older paths.
fn certificate_reason(error: webpki::Error) -> CertificateError {
    use webpki::Error as W;
    use CertificateError as C;
    match error {
        W::CertExpired { .. } => C::Expired,
        W::CertNotValidYet { .. } => C::NotValidYet,
        W::CertNotValidForName(_) => C::NotValidForName,
        W::UnknownIssuer => C::UnknownIssuer,
        W::CertRevoked => C::Revoked,
        W::InvalidSignatureForPublicKey => C::BadSignature,
        W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) => C::InvalidPurpose,
        W::UnsupportedSignatureAlgorithm
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKey
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            C::UnsupportedSignatureAlgorithm
        }
        W::UnsupportedCriticalExtension => C::UnhandledCriticalExtension,
        W::NameConstraintViolation => C::NameConstraintViolation,

        // The certificate is not well-formed DER or X.509.
        W::BadDer
        | W::BadDerTime
        | W::TrailingData(_)
        | W::UnsupportedCertVersion
        | W::MalformedExtensions
        | W::ExtensionValueInvalid
        | W::InvalidSerialNumber
        | W::InvalidCertValidity
        | W::EmptyEkuExtension
        | W::MalformedDnsIdentifier
        | W::MalformedNameConstraint
        | W::InvalidNetworkMaskConstraint
        | W::SignatureAlgorithmMismatch => C::BadEncoding,

        W::CaUsedAsEndEntity => {
            C::Other("server presented a CA certificate as its own certificate".into())
        }
        W::EndEntityUsedAsCa => C::Other("certificate was issued by a non-CA certificate".into()),
        W::PathLenConstraintViolated => {
            C::Other("certificate chain is longer than an issuer's path length allows".into())
        }
        W::CertDistrusted => C::Other("certificate chain uses a distrusted key".into()),
        W::MaximumPathBuildCallsExceeded
        | W::MaximumPathDepthExceeded
        | W::MaximumSignatureChecksExceeded
        | W::MaximumNameConstraintComparisonsExceeded => {
            C::Other("certificate chain is too complex to verify".into())
        }
        W::UnsupportedNameType => C::Other("server name is of an unsupported type".into()),
        W::UnknownRevocationStatus => C::Other("certificate revocation status is unknown".into()),
        other => C::Other(format!("certificate refused: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::AlertDescription;

    #[test]
    fn each_reason_sends_its_alert() {
        let cases = [
            (webpki::Error::UnknownIssuer, AlertDescription::UnknownCa),
            (webpki::Error::BadDer, AlertDescription::BadCertificate),
            (
                webpki::Error::InvalidSignatureForPublicKey,
                AlertDescription::DecryptError,
            ),
            (
                webpki::Error::UnsupportedCriticalExtension,
                AlertDescription::UnsupportedCertificate,
            ),
            (
                webpki::Error::CaUsedAsEndEntity,
                AlertDescription::BadCertificate,
            ),
            (
                webpki::Error::CertRevoked,
                AlertDescription::CertificateRevoked,
            ),
        ];
        for (webpki_error, alert) in cases {
            assert_eq!(
                certificate_error(webpki_error.clone()).alert(),
                Some(alert),
                "{webpki_error:?}"
            );
        }
    }
}
