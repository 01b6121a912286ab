use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::*;
use crate::crypto::rand::Randomness;
use crate::verify::signature::{
    tls13_client_verify_message, tls13_server_verify_message, verify_tls12_signature,
    verify_tls13_signature,
};
use crate::verify::test_pki::{self, KeyKind};

const ALL_KEYS: [KeyKind; 4] = [
    KeyKind::EcdsaP256,
    KeyKind::EcdsaP384,
    KeyKind::Ed25519,
    KeyKind::Rsa2048,
];

/// What a server typically lists in CertificateRequest.signature_algorithms.
const SERVER_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::ECDSA_NISTP256_SHA256,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PKCS1_SHA512,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA256,
];

/// A self-signed client certificate of `kind` and the pair made from it.
fn cert_key(kind: KeyKind) -> (CertificateDer<'static>, ClientCertKey) {
    let pair = test_pki::key(kind);
    let mut params = rcgen::CertificateParams::new(vec!["client.test".into()]).expect("params");
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    let cert = params.self_signed(&pair).expect("cert").der().clone();
    let key = PrivateKeyDer::try_from(pair.serialize_der()).expect("pkcs8");
    let ck = ClientCertKey::new(vec![cert.clone()], &key).expect("matching pair");
    (cert, ck)
}

/// RFC 8446 §4.4.3: 64 spaces, the client's context string, a zero byte,
/// then the transcript hash.
#[test]
fn tls13_client_verify_content_is_laid_out_as_the_rfc_says() {
    let hash = [0xabu8; 32];
    let message = tls13_client_verify_message(&hash);
    let mut expected = vec![0x20u8; 64];
    expected.extend_from_slice(b"TLS 1.3, client CertificateVerify");
    expected.push(0);
    expected.extend_from_slice(&hash);
    assert_eq!(&message[..], &expected[..]);
}

/// Our TLS 1.3 CertificateVerify verifies as a client's under the scheme
/// we chose, and not as a server's (the context strings differ).
#[test]
fn tls13_certificate_verify_verifies_with_our_certificate() {
    let hash = [0x5au8; 48];
    for kind in ALL_KEYS {
        let (cert, ck) = cert_key(kind);
        let scheme = ck.tls13_scheme(SERVER_SCHEMES).expect("a scheme");
        let content = tls13_client_verify_message(&hash);
        let signature = ck
            .key()
            .sign(scheme, &content, &Randomness::System)
            .expect("sign");
        verify_tls13_signature(&content, &cert, scheme, &signature)
            .unwrap_or_else(|e| panic!("{kind:?} {scheme:?}: {e}"));
        let as_server = tls13_server_verify_message(&hash);
        assert!(
            verify_tls13_signature(&as_server, &cert, scheme, &signature).is_err(),
            "{kind:?}"
        );
    }
}

#[test]
fn tls13_schemes_follow_the_key_and_the_server() {
    let (_, p256) = cert_key(KeyKind::EcdsaP256);
    let (_, p384) = cert_key(KeyKind::EcdsaP384);
    let (_, ed) = cert_key(KeyKind::Ed25519);
    let (_, rsa) = cert_key(KeyKind::Rsa2048);
    assert_eq!(
        p256.tls13_scheme(SERVER_SCHEMES),
        Some(SignatureScheme::ECDSA_NISTP256_SHA256)
    );
    assert_eq!(
        p384.tls13_scheme(SERVER_SCHEMES),
        Some(SignatureScheme::ECDSA_NISTP384_SHA384)
    );
    assert_eq!(
        ed.tls13_scheme(SERVER_SCHEMES),
        Some(SignatureScheme::ED25519)
    );
    // Our preference (SHA-256 first) wins over the server's order.
    assert_eq!(
        rsa.tls13_scheme(SERVER_SCHEMES),
        Some(SignatureScheme::RSA_PSS_RSAE_SHA256)
    );
    // RFC 8446 §4.4.3: never rsa_pkcs1_* in TLS 1.3.
    assert_eq!(
        rsa.tls13_scheme(&[
            SignatureScheme::RSA_PKCS1_SHA256,
            SignatureScheme::ECDSA_NISTP256_SHA256
        ]),
        None
    );
    assert_eq!(p256.tls13_scheme(&[]), None);
}

/// RFC 5246 §7.4.4: the certificate type must be one the server lists,
/// and the scheme one of its supported_signature_algorithms; the
/// signature covers the messages themselves.
#[test]
fn tls12_scheme_needs_an_accepted_certificate_type() {
    let (rsa_cert, rsa) = cert_key(KeyKind::Rsa2048);
    let (_, ed) = cert_key(KeyKind::Ed25519);
    let pkcs1 = &[SignatureScheme::RSA_PKCS1_SHA384];
    assert_eq!(
        rsa.tls12_scheme(&[ClientCertificateType::RsaSign], pkcs1),
        Some(SignatureScheme::RSA_PKCS1_SHA384)
    );
    assert_eq!(
        rsa.tls12_scheme(&[ClientCertificateType::EcdsaSign], pkcs1),
        None
    );
    // RFC 8422 §5.5: Ed25519 goes under ecdsa_sign.
    assert_eq!(
        ed.tls12_scheme(&[ClientCertificateType::EcdsaSign], SERVER_SCHEMES),
        Some(SignatureScheme::ED25519)
    );
    assert_eq!(
        ed.tls12_scheme(&[ClientCertificateType::RsaSign], SERVER_SCHEMES),
        None
    );

    let messages = b"ClientHello..ServerHello..ClientKeyExchange";
    let signature = rsa
        .key()
        .sign(
            SignatureScheme::RSA_PKCS1_SHA384,
            messages,
            &Randomness::System,
        )
        .expect("sign");
    verify_tls12_signature(
        messages,
        &rsa_cert,
        SignatureScheme::RSA_PKCS1_SHA384,
        &signature,
    )
    .expect("verifies");
}

#[test]
fn pairing_checks_the_key_against_the_certificate() {
    let (cert, _) = cert_key(KeyKind::EcdsaP256);
    let other =
        PrivateKeyDer::try_from(test_pki::key(KeyKind::EcdsaP256).serialize_der()).expect("pkcs8");
    assert_eq!(
        ClientCertKey::new(vec![cert.clone()], &other).unwrap_err(),
        Error::InvalidConfig("client private key does not match the certificate's public key")
    );
    let garbage = CertificateDer::from(vec![0x30, 0x00]);
    assert!(matches!(
        ClientCertKey::new(vec![garbage], &other),
        Err(Error::InvalidConfig(_))
    ));
    // Debug shows no key material.
    let (_, ck) = cert_key(KeyKind::Ed25519);
    assert_eq!(
        format!("{ck:?}"),
        "ClientCertKey { chain_len: 1, key: SigningKey { algorithm: \"Ed25519\", .. } }"
    );
}
