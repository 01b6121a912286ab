//! Certificate chain verification against certificates made at test time.

use rcgen::{date_time_ymd, ExtendedKeyUsagePurpose};
use rustls_pki_types::{CertificateDer, ServerName};

use super::dangerous::NoVerification;
use super::test_pki::{now, server_params, Issuer, KeyKind};
use super::{RootCertStore, ServerCertVerifier, WebPkiServerVerifier};
use crate::error::{CertificateError, Error};
use crate::msgs::enums::AlertDescription;

fn name(s: &str) -> ServerName<'static> {
    ServerName::try_from(s.to_string()).expect("valid server name")
}

fn verify(
    verifier: &dyn ServerCertVerifier,
    leaf: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    server_name: &str,
) -> Result<(), Error> {
    verifier
        .verify_server_cert(leaf, intermediates, &name(server_name), &[], now())
        .map(|_| ())
}

fn cert_error(reason: CertificateError) -> Result<(), Error> {
    Err(Error::InvalidCertificate(reason))
}

#[test]
fn good_chain_verifies_for_every_key_type() {
    for kind in [
        KeyKind::EcdsaP256,
        KeyKind::EcdsaP384,
        KeyKind::Ed25519,
        KeyKind::Rsa2048,
    ] {
        let root = Issuer::root(kind, "Test Root");
        let server = root.server(kind, &["localhost", "example.com"]);
        let verifier = root.verifier();
        assert_eq!(
            verify(&verifier, &server.cert, &[], "example.com"),
            Ok(()),
            "{kind:?}"
        );
        assert_eq!(
            verify(&verifier, &server.cert, &[], "localhost"),
            Ok(()),
            "{kind:?}"
        );
    }
}

#[test]
fn wrong_name_is_not_valid_for_name() {
    let root = Issuer::root(KeyKind::EcdsaP256, "Test Root");
    let server = root.server(KeyKind::EcdsaP256, &["example.com"]);
    let verifier = root.verifier();
    for wrong in ["example.org", "www.example.com", "com", "localhost"] {
        let result = verify(&verifier, &server.cert, &[], wrong);
        assert_eq!(
            result,
            cert_error(CertificateError::NotValidForName),
            "{wrong}"
        );
    }
    let err = verify(&verifier, &server.cert, &[], "example.org").unwrap_err();
    assert_eq!(err.alert(), Some(AlertDescription::BadCertificate));
}

#[test]
fn wildcard_matches_one_label() {
    let root = Issuer::root(KeyKind::EcdsaP256, "Test Root");
    let server = root.server(KeyKind::EcdsaP256, &["*.example.com"]);
    let verifier = root.verifier();
    assert_eq!(
        verify(&verifier, &server.cert, &[], "www.example.com"),
        Ok(())
    );
    assert_eq!(
        verify(&verifier, &server.cert, &[], "a.b.example.com"),
        cert_error(CertificateError::NotValidForName)
    );
}

#[test]
fn expired_certificate_is_expired() {
    let root = Issuer::root(KeyKind::EcdsaP256, "Test Root");
    let mut params = server_params(&["example.com"]);
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2021, 1, 1);
    let server = root.server_with(KeyKind::EcdsaP256, params);
    let result = verify(&root.verifier(), &server.cert, &[], "example.com");
    assert_eq!(result, cert_error(CertificateError::Expired));
    assert_eq!(
        result.unwrap_err().alert(),
        Some(AlertDescription::CertificateExpired)
    );
}

#[test]
fn future_certificate_is_not_valid_yet() {
    let root = Issuer::root(KeyKind::EcdsaP256, "Test Root");
    let mut params = server_params(&["example.com"]);
    params.not_before = date_time_ymd(2030, 1, 1);
    params.not_after = date_time_ymd(2031, 1, 1);
    let server = root.server_with(KeyKind::EcdsaP256, params);
    assert_eq!(
        verify(&root.verifier(), &server.cert, &[], "example.com"),
        cert_error(CertificateError::NotValidYet)
    );
}

#[test]
fn expiry_wins_over_wrong_name() {
    // Both are wrong; the chain is checked first, so the user hears about
    // the date, which says more than the name.
    let root = Issuer::root(KeyKind::EcdsaP256, "Test Root");
    let mut params = server_params(&["example.com"]);
    params.not_after = date_time_ymd(2024, 6, 1);
    let server = root.server_with(KeyKind::EcdsaP256, params);
    assert_eq!(
        verify(&root.verifier(), &server.cert, &[], "example.org"),
        cert_error(CertificateError::Expired)
    );
}

#[test]
fn unknown_ca_is_unknown_issuer() {
    let trusted = Issuer::root(KeyKind::EcdsaP256, "Trusted Root");
    let other = Issuer::root(KeyKind::EcdsaP256, "Other Root");
    let server = other.server(KeyKind::EcdsaP256, &["example.com"]);
    let result = verify(&trusted.verifier(), &server.cert, &[], "example.com");
    assert_eq!(result, cert_error(CertificateError::UnknownIssuer));
    assert_eq!(
        result.unwrap_err().alert(),
        Some(AlertDescription::UnknownCa)
    );
}

#[test]
fn self_signed_server_certificate_is_unknown_issuer() {
    let trusted = Issuer::root(KeyKind::EcdsaP256, "Trusted Root");
    let key = super::test_pki::key(KeyKind::EcdsaP256);
    let self_signed = server_params(&["example.com"])
        .self_signed(&key)
        .expect("self-sign");
    assert_eq!(
        verify(&trusted.verifier(), self_signed.der(), &[], "example.com"),
        cert_error(CertificateError::UnknownIssuer)
    );
}

#[test]
fn client_auth_only_certificate_is_invalid_purpose() {
    let root = Issuer::root(KeyKind::EcdsaP256, "Test Root");
    let mut params = server_params(&["example.com"]);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let server = root.server_with(KeyKind::EcdsaP256, params);
    let result = verify(&root.verifier(), &server.cert, &[], "example.com");
    assert_eq!(result, cert_error(CertificateError::InvalidPurpose));
    assert_eq!(
        result.unwrap_err().alert(),
        Some(AlertDescription::UnsupportedCertificate)
    );
}

#[test]
fn ip_address_matches_ip_san_only() {
    let root = Issuer::root(KeyKind::EcdsaP256, "Test Root");
    let by_ip = root.server(KeyKind::EcdsaP256, &["127.0.0.1"]);
    let by_dns = root.server(KeyKind::EcdsaP256, &["localhost"]);
    let verifier = root.verifier();
    assert_eq!(verify(&verifier, &by_ip.cert, &[], "127.0.0.1"), Ok(()));
    assert_eq!(
        verify(&verifier, &by_ip.cert, &[], "127.0.0.2"),
        cert_error(CertificateError::NotValidForName)
    );
    assert_eq!(
        verify(&verifier, &by_ip.cert, &[], "localhost"),
        cert_error(CertificateError::NotValidForName)
    );
    assert_eq!(
        verify(&verifier, &by_dns.cert, &[], "127.0.0.1"),
        cert_error(CertificateError::NotValidForName)
    );
}

#[test]
fn intermediates_complete_the_chain() {
    let root = Issuer::root(KeyKind::EcdsaP384, "Test Root");
    let intermediate = root.intermediate(KeyKind::EcdsaP256, "Test Intermediate");
    let server = intermediate.server(KeyKind::Ed25519, &["example.com"]);
    let verifier = root.verifier();
    assert_eq!(
        verify(
            &verifier,
            &server.cert,
            &[intermediate.der()],
            "example.com"
        ),
        Ok(())
    );
    // Without the intermediate there is no path to the root.
    assert_eq!(
        verify(&verifier, &server.cert, &[], "example.com"),
        cert_error(CertificateError::UnknownIssuer)
    );
    // Extra, unrelated certificates do not get in the way.
    let stray = Issuer::root(KeyKind::EcdsaP256, "Stray").der();
    assert_eq!(
        verify(
            &verifier,
            &server.cert,
            &[stray, intermediate.der()],
            "example.com"
        ),
        Ok(())
    );
}

#[test]
fn forged_certificate_signature_is_refused() {
    let root = Issuer::root(KeyKind::EcdsaP256, "Test Root");
    let server = root.server(KeyKind::EcdsaP256, &["example.com"]);
    // The ECDSA signature value is the last bytes of the certificate;
    // flipping a bit in its last integer keeps the DER well-formed.
    let mut forged = server.cert.to_vec();
    if let Some(last) = forged.last_mut() {
        *last ^= 0x01;
    }
    let result = verify(
        &root.verifier(),
        &CertificateDer::from(forged),
        &[],
        "example.com",
    );
    assert_eq!(result, cert_error(CertificateError::BadSignature));
}

#[test]
fn garbage_is_bad_encoding() {
    let root = Issuer::root(KeyKind::EcdsaP256, "Test Root");
    let garbage = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01]);
    let result = verify(&root.verifier(), &garbage, &[], "example.com");
    assert_eq!(result, cert_error(CertificateError::BadEncoding));
    assert_eq!(
        result.unwrap_err().alert(),
        Some(AlertDescription::BadCertificate)
    );
}

#[test]
fn ca_certificate_as_server_certificate_is_refused() {
    let root = Issuer::root(KeyKind::EcdsaP256, "Test Root");
    let intermediate = root.intermediate(KeyKind::EcdsaP256, "example.com");
    let result = verify(&root.verifier(), &intermediate.der(), &[], "example.com");
    match result {
        Err(Error::InvalidCertificate(CertificateError::Other(why))) => {
            assert!(why.contains("CA certificate"), "{why}")
        }
        other => panic!("expected a refusal of the CA certificate, got {other:?}"),
    }
}

#[test]
fn empty_root_store_is_a_config_error() {
    assert!(matches!(
        WebPkiServerVerifier::new(RootCertStore::new()),
        Err(Error::InvalidConfig(_))
    ));
}

#[test]
fn no_verification_accepts_anything() {
    let stranger = Issuer::root(KeyKind::EcdsaP256, "Stranger");
    let mut params = server_params(&["elsewhere.test"]);
    params.not_after = date_time_ymd(2020, 1, 1);
    params.not_before = date_time_ymd(2019, 1, 1);
    let server = stranger.server_with(KeyKind::EcdsaP256, params);
    assert_eq!(
        verify(&NoVerification, &server.cert, &[], "example.com"),
        Ok(())
    );
    assert_eq!(
        verify(
            &NoVerification,
            &CertificateDer::from(vec![1, 2, 3]),
            &[],
            "example.com"
        ),
        Ok(())
    );
}

#[test]
fn verifier_is_usable_as_a_shared_trait_object() {
    fn assert_shareable<T: Send + Sync + 'static>(_: &T) {}
    let root = Issuer::root(KeyKind::EcdsaP256, "Test Root");
    let verifier: std::sync::Arc<dyn ServerCertVerifier> = std::sync::Arc::new(root.verifier());
    assert_shareable(&verifier);
    assert!(format!("{verifier:?}").contains("RootCertStore"));
}
