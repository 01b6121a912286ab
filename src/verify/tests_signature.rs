//! Handshake signature verification, with signatures made by rustls's
//! signer and by the openssl command.

use super::dangerous::NoVerification;
use super::signature::{
    tls13_client_verify_message, tls13_server_verify_message, verify_tls12_signature,
    verify_tls13_signature, SUPPORTED_VERIFY_SCHEMES,
};
use super::test_pki::{Issuer, KeyKind, Server};
use super::ServerCertVerifier;
use crate::error::{CertificateError, Error, PeerMisbehaved};
use crate::msgs::enums::{AlertDescription, SignatureScheme};

const MESSAGE: &[u8] = b"the transcript, or the ServerKeyExchange params";

fn server(kind: KeyKind) -> Server {
    Issuer::root(KeyKind::EcdsaP256, "Test Root").server(kind, &["example.com"])
}

fn tls13(server: &Server, scheme: SignatureScheme, signature: &[u8]) -> Result<(), Error> {
    verify_tls13_signature(MESSAGE, &server.cert, scheme, signature).map(|_| ())
}

fn tls12(server: &Server, scheme: SignatureScheme, signature: &[u8]) -> Result<(), Error> {
    verify_tls12_signature(MESSAGE, &server.cert, scheme, signature).map(|_| ())
}

fn not_permitted(scheme: SignatureScheme) -> Result<(), Error> {
    Err(PeerMisbehaved::SignatureSchemeNotPermitted(scheme).into())
}

fn does_not_match_key(scheme: SignatureScheme) -> Result<(), Error> {
    Err(PeerMisbehaved::SignatureSchemeDoesNotMatchKey(scheme).into())
}

fn bad_signature() -> Result<(), Error> {
    Err(CertificateError::BadSignature.into())
}

/// Each key type with the TLS 1.3 schemes it can sign with.
fn tls13_cases() -> Vec<(KeyKind, SignatureScheme)> {
    vec![
        (KeyKind::EcdsaP256, SignatureScheme::ECDSA_NISTP256_SHA256),
        (KeyKind::EcdsaP384, SignatureScheme::ECDSA_NISTP384_SHA384),
        (KeyKind::Ed25519, SignatureScheme::ED25519),
        (KeyKind::Rsa2048, SignatureScheme::RSA_PSS_RSAE_SHA256),
        (KeyKind::Rsa2048, SignatureScheme::RSA_PSS_RSAE_SHA384),
        (KeyKind::Rsa2048, SignatureScheme::RSA_PSS_RSAE_SHA512),
    ]
}

#[test]
fn every_tls13_scheme_verifies_in_both_versions() {
    for (kind, scheme) in tls13_cases() {
        let server = server(kind);
        let signature = server.sign(scheme, MESSAGE);
        assert_eq!(tls13(&server, scheme, &signature), Ok(()), "{scheme:?}");
        assert_eq!(tls12(&server, scheme, &signature), Ok(()), "{scheme:?}");
    }
}

#[test]
fn flipped_bit_is_bad_signature() {
    for (kind, scheme) in tls13_cases() {
        let server = server(kind);
        let mut signature = server.sign(scheme, MESSAGE);
        // The middle byte is inside the signature value for every format
        // (the DER of an ECDSA signature has its header at the front).
        let middle = signature.len() / 2;
        signature[middle] ^= 0x10;
        let result = tls13(&server, scheme, &signature);
        assert_eq!(result, bad_signature(), "{scheme:?}");
        assert_eq!(
            result.unwrap_err().alert(),
            Some(AlertDescription::DecryptError)
        );

        // The right signature over a different message fails the same way.
        let good = server.sign(scheme, MESSAGE);
        let other =
            verify_tls13_signature(b"another message", &server.cert, scheme, &good).map(|_| ());
        assert_eq!(other, bad_signature(), "{scheme:?}");
    }
}

#[test]
fn pkcs1_is_refused_in_tls13_and_accepted_in_tls12() {
    let server = server(KeyKind::Rsa2048);
    for scheme in [
        SignatureScheme::RSA_PKCS1_SHA256,
        SignatureScheme::RSA_PKCS1_SHA384,
        SignatureScheme::RSA_PKCS1_SHA512,
    ] {
        let signature = server.sign(scheme, MESSAGE);
        let result = tls13(&server, scheme, &signature);
        // RFC 8446 §4.4.3: PKCS#1 v1.5 never signs a TLS 1.3 handshake.
        assert_eq!(result, not_permitted(scheme));
        assert_eq!(
            result.unwrap_err().alert(),
            Some(AlertDescription::IllegalParameter)
        );
        assert_eq!(tls12(&server, scheme, &signature), Ok(()), "{scheme:?}");
    }
}

#[test]
fn unsupported_and_legacy_schemes_are_refused() {
    let server = server(KeyKind::Rsa2048);
    let signature = server.sign(SignatureScheme::RSA_PKCS1_SHA256, MESSAGE);
    for scheme in [
        SignatureScheme::RSA_PKCS1_SHA1,
        SignatureScheme::ECDSA_SHA1_Legacy,
        SignatureScheme::ECDSA_NISTP521_SHA512,
        SignatureScheme::ED448,
        SignatureScheme::RSA_PSS_PSS_SHA256,
        SignatureScheme::RSA_PSS_PSS_SHA384,
        SignatureScheme::RSA_PSS_PSS_SHA512,
        SignatureScheme::Unknown(0xfefe),
    ] {
        assert_eq!(tls13(&server, scheme, &signature), not_permitted(scheme));
        assert_eq!(tls12(&server, scheme, &signature), not_permitted(scheme));
    }
}

#[test]
fn tls13_ecdsa_curve_must_match_the_scheme() {
    // RFC 8446 §4.2.3: in TLS 1.3 ecdsa_secp256r1_sha256 means a P-256 key.
    let p384 = server(KeyKind::EcdsaP384);
    let sha256_by_p384 = p384.sign_with_openssl("sha256", MESSAGE);
    let scheme = SignatureScheme::ECDSA_NISTP256_SHA256;
    let result = tls13(&p384, scheme, &sha256_by_p384);
    assert_eq!(result, does_not_match_key(scheme));
    assert_eq!(
        result.unwrap_err().alert(),
        Some(AlertDescription::IllegalParameter)
    );
    // TLS 1.2's code point names only the hash, so the same signature is
    // good there.
    assert_eq!(tls12(&p384, scheme, &sha256_by_p384), Ok(()));

    let p256 = server(KeyKind::EcdsaP256);
    let sha384_by_p256 = p256.sign_with_openssl("sha384", MESSAGE);
    let scheme = SignatureScheme::ECDSA_NISTP384_SHA384;
    assert_eq!(
        tls13(&p256, scheme, &sha384_by_p256),
        does_not_match_key(scheme)
    );
    assert_eq!(tls12(&p256, scheme, &sha384_by_p256), Ok(()));
}

#[test]
fn openssl_signatures_verify() {
    // A second, independent signer for the common case.
    let p256 = server(KeyKind::EcdsaP256);
    let signature = p256.sign_with_openssl("sha256", MESSAGE);
    assert_eq!(
        tls13(&p256, SignatureScheme::ECDSA_NISTP256_SHA256, &signature),
        Ok(())
    );
}

#[test]
fn scheme_for_another_key_type_does_not_match_key() {
    let rsa = server(KeyKind::Rsa2048);
    let ecdsa = server(KeyKind::EcdsaP256);
    let ed25519 = server(KeyKind::Ed25519);
    let by_ecdsa = ecdsa.sign(SignatureScheme::ECDSA_NISTP256_SHA256, MESSAGE);
    let by_rsa = rsa.sign(SignatureScheme::RSA_PSS_RSAE_SHA256, MESSAGE);

    let scheme = SignatureScheme::ECDSA_NISTP256_SHA256;
    assert_eq!(tls13(&rsa, scheme, &by_ecdsa), does_not_match_key(scheme));
    assert_eq!(tls12(&rsa, scheme, &by_ecdsa), does_not_match_key(scheme));
    assert_eq!(
        tls13(&ed25519, scheme, &by_ecdsa),
        does_not_match_key(scheme)
    );

    let scheme = SignatureScheme::RSA_PSS_RSAE_SHA256;
    assert_eq!(tls13(&ecdsa, scheme, &by_rsa), does_not_match_key(scheme));
    let scheme = SignatureScheme::RSA_PKCS1_SHA256;
    assert_eq!(tls12(&ecdsa, scheme, &by_rsa), does_not_match_key(scheme));
    let scheme = SignatureScheme::ED25519;
    assert_eq!(tls13(&ecdsa, scheme, &by_ecdsa), does_not_match_key(scheme));
}

#[test]
fn garbage_certificate_is_bad_encoding() {
    let garbage = rustls_pki_types::CertificateDer::from(vec![0xff; 8]);
    let result = verify_tls13_signature(MESSAGE, &garbage, SignatureScheme::ED25519, &[0; 64]);
    assert!(matches!(
        result,
        Err(Error::InvalidCertificate(CertificateError::BadEncoding))
    ));
}

#[test]
fn verifiers_check_signatures_by_default() {
    let server = server(KeyKind::EcdsaP256);
    let scheme = SignatureScheme::ECDSA_NISTP256_SHA256;
    let good = server.sign(scheme, MESSAGE);
    let mut bad = good.clone();
    let middle = bad.len() / 2;
    bad[middle] ^= 1;
    let root = Issuer::root(KeyKind::EcdsaP256, "Test Root");
    let verifiers: [&dyn ServerCertVerifier; 2] = [&NoVerification, &root.verifier()];
    for verifier in verifiers {
        assert!(verifier
            .verify_tls13_signature(MESSAGE, &server.cert, scheme, &good)
            .is_ok());
        assert!(verifier
            .verify_tls12_signature(MESSAGE, &server.cert, scheme, &good)
            .is_ok());
        assert_eq!(
            verifier
                .verify_tls13_signature(MESSAGE, &server.cert, scheme, &bad)
                .map(|_| ()),
            bad_signature()
        );
        assert_eq!(
            verifier.supported_verify_schemes(),
            SUPPORTED_VERIFY_SCHEMES.to_vec()
        );
    }
}

#[test]
fn offered_schemes_are_all_verifiable_and_none_uses_sha1() {
    let server = server(KeyKind::Ed25519);
    for &scheme in SUPPORTED_VERIFY_SCHEMES {
        assert!(
            !matches!(
                scheme,
                SignatureScheme::RSA_PKCS1_SHA1 | SignatureScheme::ECDSA_SHA1_Legacy
            ),
            "{scheme:?}"
        );
        // Permitted in TLS 1.2: the only refusal left is the key mismatch
        // or the bad signature, never "not permitted".
        let result = tls12(&server, scheme, &[0; 64]);
        assert_ne!(result, not_permitted(scheme), "{scheme:?}");
    }
}

#[test]
fn tls13_verify_message_layout() {
    // RFC 8446 §4.4.3: 64 spaces, the context string, a zero byte, the hash.
    let hash = [0xab; 32];
    let message = tls13_server_verify_message(&hash);
    let mut expected = vec![0x20; 64];
    expected.extend_from_slice(b"TLS 1.3, server CertificateVerify");
    expected.push(0);
    expected.extend_from_slice(&hash);
    assert_eq!(&message[..], &expected[..]);
    assert_eq!(message.len(), 64 + 33 + 1 + 32);

    let client = tls13_client_verify_message(&[0xcd; 48]);
    assert_eq!(&client[..64], &[0x20; 64][..]);
    assert_eq!(&client[64..97], b"TLS 1.3, client CertificateVerify");
    assert_eq!(client[97], 0);
    assert_eq!(&client[98..], &[0xcd; 48][..]);
}

#[test]
fn tls13_verify_message_signed_by_rustls_verifies() {
    let server = server(KeyKind::EcdsaP384);
    let scheme = SignatureScheme::ECDSA_NISTP384_SHA384;
    let message = tls13_server_verify_message(&[7; 48]);
    let signature = server.sign(scheme, &message);
    assert!(verify_tls13_signature(&message, &server.cert, scheme, &signature).is_ok());
    let client_message = tls13_client_verify_message(&[7; 48]);
    assert!(verify_tls13_signature(&client_message, &server.cert, scheme, &signature).is_err());
}
