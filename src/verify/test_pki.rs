//! A small PKI made at test time: roots, intermediates and server
//! certificates from rcgen, and handshake signatures from rustls's signer
//! (or the openssl command), so that what we verify was produced by code we
//! did not write.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};

// rustls's signer, an implementation independent of ours (this module
// names no crypto crate itself).
use rustls::crypto::ring as rustls_ring;

use super::{RootCertStore, WebPkiServerVerifier};
use crate::msgs::enums::SignatureScheme;

/// The time the tests verify at: 2025-06-01T00:00:00Z. Certificates made by
/// [`server_params`] are valid from 2024 to 2027.
pub fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(1_748_736_000))
}

/// The kinds of key a test can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    EcdsaP256,
    EcdsaP384,
    Ed25519,
    /// 2048-bit RSA, made by the openssl command (ring cannot generate RSA
    /// keys) once per test run.
    Rsa2048,
}

pub fn key(kind: KeyKind) -> KeyPair {
    let generated = match kind {
        KeyKind::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
        KeyKind::EcdsaP384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384),
        KeyKind::Ed25519 => KeyPair::generate_for(&rcgen::PKCS_ED25519),
        KeyKind::Rsa2048 => KeyPair::from_pem(rsa_key_pem()),
    };
    generated.expect("generate test key")
}

fn rsa_key_pem() -> &'static str {
    static PEM: OnceLock<String> = OnceLock::new();
    PEM.get_or_init(|| {
        let out = openssl(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ]);
        String::from_utf8(out).expect("openssl writes PEM")
    })
}

/// Runs the openssl command and returns its output; panics, saying so, if
/// it is missing or fails.
pub fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("these tests need the openssl command on PATH");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A CA: its certificate and the key it signs with.
pub struct Issuer {
    pub cert: rcgen::Certificate,
    pub key: KeyPair,
}

impl Issuer {
    /// A self-signed root CA.
    pub fn root(kind: KeyKind, name: &str) -> Self {
        let key = key(kind);
        let cert = ca_params(name).self_signed(&key).expect("self-sign root");
        Self { cert, key }
    }

    /// An intermediate CA signed by this one.
    pub fn intermediate(&self, kind: KeyKind, name: &str) -> Self {
        let key = key(kind);
        let cert = ca_params(name)
            .signed_by(&key, &self.cert, &self.key)
            .expect("sign intermediate");
        Self { cert, key }
    }

    pub fn der(&self) -> CertificateDer<'static> {
        self.cert.der().clone()
    }

    /// A server certificate for `names` (DNS names or IP addresses), valid
    /// at [`now`], for TLS server authentication.
    pub fn server(&self, kind: KeyKind, names: &[&str]) -> Server {
        self.server_with(kind, server_params(names))
    }

    /// A certificate signed by this CA with the given parameters.
    pub fn server_with(&self, kind: KeyKind, params: CertificateParams) -> Server {
        let key = key(kind);
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .expect("sign server certificate");
        Server {
            cert: cert.der().clone(),
            key,
        }
    }

    /// A store holding just this CA.
    pub fn store(&self) -> RootCertStore {
        let mut store = RootCertStore::new();
        store.add(self.der()).expect("add root");
        store
    }

    /// A verifier trusting just this CA.
    pub fn verifier(&self) -> WebPkiServerVerifier {
        WebPkiServerVerifier::new(self.store()).expect("verifier")
    }
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2040, 1, 1);
    params
}

/// Parameters of an ordinary server certificate for `names`, valid from
/// 2024 to 2027, with the serverAuth extended key usage.
pub fn server_params(names: &[&str]) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).expect("server names");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, "test server");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.not_before = date_time_ymd(2024, 1, 1);
    params.not_after = date_time_ymd(2027, 1, 1);
    params
}

/// A server's certificate and private key.
pub struct Server {
    pub cert: CertificateDer<'static>,
    pub key: KeyPair,
}

impl Server {
    /// Signs `message` under `scheme` as a rustls server would. Panics if
    /// the key cannot sign with that scheme.
    pub fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Vec<u8> {
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.serialize_der()));
        let key: Arc<dyn rustls::sign::SigningKey> =
            rustls_ring::sign::any_supported_type(&der).expect("rustls loads the key");
        let signer = key
            .choose_scheme(&[rustls::SignatureScheme::from(scheme.to_wire())])
            .unwrap_or_else(|| panic!("key cannot sign with {scheme:?}"));
        signer.sign(message).expect("rustls signs")
    }

    /// Signs `message` with the openssl command: ECDSA with the given
    /// digest (`"sha256"`, `"sha384"`), whatever the key's curve, which
    /// rustls will not do.
    pub fn sign_with_openssl(&self, digest: &str, message: &[u8]) -> Vec<u8> {
        let dir = temp_dir("sign");
        let key_path = dir.join("key.pem");
        let msg_path = dir.join("message");
        std::fs::write(&key_path, self.key.serialize_pem()).expect("write key");
        std::fs::write(&msg_path, message).expect("write message");
        let sig = openssl(&[
            "dgst",
            &format!("-{digest}"),
            "-sign",
            key_path.to_str().expect("utf-8 path"),
            msg_path.to_str().expect("utf-8 path"),
        ]);
        let _ = std::fs::remove_dir_all(&dir);
        sig
    }
}

/// A fresh, empty directory under the system's temporary directory.
pub fn temp_dir(what: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("oxtls-verify-{what}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}
