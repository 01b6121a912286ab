use super::*;

use crate::verify::test_pki::{self, KeyKind as TestKey};

const ALL_KEYS: [TestKey; 4] = [
    TestKey::EcdsaP256,
    TestKey::EcdsaP384,
    TestKey::Ed25519,
    TestKey::Rsa2048,
];

fn key_of(kind: TestKey) -> SigningKey {
    let pair = test_pki::key(kind);
    let der = PrivateKeyDer::try_from(pair.serialize_der()).expect("pkcs8");
    SigningKey::from_der(&der).expect("load key")
}

const ALL_OFFERED: &[SignatureScheme] = &[
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::ECDSA_NISTP256_SHA256,
];

#[test]
fn each_key_type_chooses_its_own_scheme() {
    let tls13 = ProtocolVersion::TLSv1_3;
    let p256 = key_of(TestKey::EcdsaP256);
    assert_eq!(
        p256.choose_scheme(ALL_OFFERED, tls13),
        Some(SignatureScheme::ECDSA_NISTP256_SHA256)
    );
    let p384 = key_of(TestKey::EcdsaP384);
    assert_eq!(
        p384.choose_scheme(ALL_OFFERED, tls13),
        Some(SignatureScheme::ECDSA_NISTP384_SHA384)
    );
    let ed = key_of(TestKey::Ed25519);
    assert_eq!(
        ed.choose_scheme(ALL_OFFERED, tls13),
        Some(SignatureScheme::ED25519)
    );
    // A P-256 key cannot sign a TLS 1.3 ecdsa_secp384r1_sha384.
    assert_eq!(
        p256.choose_scheme(&[SignatureScheme::ECDSA_NISTP384_SHA384], tls13),
        None
    );
}

#[test]
fn rsa_uses_pkcs1_only_in_tls12() {
    let rsa = key_of(TestKey::Rsa2048);
    let pkcs1_only = &[SignatureScheme::RSA_PKCS1_SHA256];
    // RFC 8446 §4.4.3: never PKCS#1 v1.5 in a TLS 1.3 CertificateVerify.
    assert_eq!(
        rsa.choose_scheme(pkcs1_only, ProtocolVersion::TLSv1_3),
        None
    );
    assert_eq!(
        rsa.choose_scheme(pkcs1_only, ProtocolVersion::TLSv1_2),
        Some(SignatureScheme::RSA_PKCS1_SHA256)
    );
    // PSS is preferred where offered.
    assert_eq!(
        rsa.choose_scheme(ALL_OFFERED, ProtocolVersion::TLSv1_2),
        Some(SignatureScheme::RSA_PSS_RSAE_SHA384)
    );
    assert_eq!(rsa.tls12_certificate_type(), ClientCertificateType::RsaSign);
}

#[test]
fn signatures_verify_and_wrong_schemes_are_refused() {
    let rand = Randomness::System;
    for kind in ALL_KEYS {
        let key = key_of(kind);
        for &scheme in key.schemes(ProtocolVersion::TLSv1_2) {
            let sig = key.sign(scheme, b"hello", &rand).expect("sign");
            assert!(!sig.is_empty(), "{scheme:?}");
        }
        let wrong = if key.algorithm_name() == "Ed25519" {
            SignatureScheme::ECDSA_NISTP256_SHA256
        } else {
            SignatureScheme::ED25519
        };
        assert!(key.sign(wrong, b"hello", &rand).is_err());
        assert!(!format!("{key:?}").is_empty());
    }
}

#[test]
fn spki_matches_the_certificates() {
    for kind in ALL_KEYS {
        let pair = test_pki::key(kind);
        let cert = rcgen::CertificateParams::new(vec!["client".into()])
            .expect("params")
            .self_signed(&pair)
            .expect("cert");
        let der = PrivateKeyDer::try_from(pair.serialize_der()).expect("pkcs8");
        let key = SigningKey::from_der(&der).expect("load");
        let from_cert = crate::verify::certificate_public_key_info(cert.der()).expect("spki");
        assert_eq!(key.subject_public_key_info(), from_cert, "{kind:?}");
    }
}

#[test]
fn sec1_keys_are_refused_with_a_reason() {
    let der = PrivateKeyDer::Sec1(vec![0x30, 0x00].into());
    assert!(matches!(
        SigningKey::from_der(&der),
        Err(Error::InvalidConfig(_))
    ));
}
