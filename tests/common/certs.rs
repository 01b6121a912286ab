//! A test PKI generated at run time with rcgen: a root CA, an unrelated
//! second root, and leaves (optionally under an intermediate) of every key
//! type oxtls must handle, with the defects certificate tests need
//! (expired, not yet valid, wrong usage, wrong issuer, wrong name).
//!
//! ```ignore
//! let pki = TestPki::new();
//! let server = pki.server_cert(KeyType::EcdsaP256);          // "localhost" + 127.0.0.1
//! let expired = pki.leaf("example.test").validity(Validity::Expired).build();
//! let deep = pki.leaf("example.test").key_type(KeyType::Rsa2048).via_intermediate().build();
//! // trust anchors for a client: pki.ca_der() / pki.ca_pem()
//! ```
//!
//! Nothing here is cached on disk: every test process makes its own PKI,
//! except that RSA keys come from one 2048-bit key per process (see
//! [`KeyType::Rsa2048`]).

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::tempdir::TempDir;

/// The key algorithm of a certificate's subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    EcdsaP256,
    EcdsaP384,
    Ed25519,
    /// ring cannot generate RSA keys, so this is one 2048-bit key made by
    /// `openssl genpkey` once per test process and shared by every RSA
    /// certificate in it (generation takes up to a second).
    Rsa2048,
}

impl KeyType {
    pub const ALL: [KeyType; 4] = [
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
        KeyType::Ed25519,
        KeyType::Rsa2048,
    ];

    fn new_key_pair(self) -> KeyPair {
        let generated = match self {
            KeyType::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
            KeyType::EcdsaP384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384),
            KeyType::Ed25519 => KeyPair::generate_for(&rcgen::PKCS_ED25519),
            KeyType::Rsa2048 => KeyPair::from_pem(rsa_2048_pkcs8_pem()),
        };
        generated.unwrap_or_else(|e| panic!("cannot make a {self:?} key pair: {e}"))
    }
}

/// One RSA 2048 private key (PKCS#8 PEM) for this test process.
fn rsa_2048_pkcs8_pem() -> &'static str {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| {
        let out = Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ])
            .output()
            .unwrap_or_else(|e| panic!("cannot run `openssl genpkey` for an RSA key: {e}"));
        assert!(
            out.status.success(),
            "`openssl genpkey` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("openssl genpkey printed non-UTF-8 PEM")
    })
}

/// When a certificate is valid, relative to the time the test runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    /// From an hour ago for a year.
    Current,
    /// Ended a month ago.
    Expired,
    /// Starts in a month.
    NotYetValid,
}

impl Validity {
    fn apply(self, params: &mut CertificateParams) {
        const HOUR: Duration = Duration::from_secs(3600);
        const DAY: Duration = Duration::from_secs(24 * 3600);
        let now = rcgen::date_time_ymd(1970, 1, 1)
            + SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .expect("system clock before 1970");
        (params.not_before, params.not_after) = match self {
            Validity::Current => (now - HOUR, now + 365 * DAY),
            Validity::Expired => (now - 60 * DAY, now - 30 * DAY),
            Validity::NotYetValid => (now + 30 * DAY, now + 60 * DAY),
        };
    }
}

/// The extended key usage a leaf carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eku {
    /// id-kp-serverAuth, what a TLS server certificate needs.
    ServerAuth,
    /// id-kp-clientAuth only: a client certificate, wrong for a server.
    ClientAuthOnly,
    /// Both, as many real certificates have.
    ServerAndClientAuth,
}

/// Who signs a leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Issuer {
    /// The PKI's root CA ([`TestPki::ca_der`]), the usual trust anchor.
    Ca,
    /// The leaf's own key: chains to nothing a client trusts.
    SelfSigned,
    /// A second root CA the client is not told to trust
    /// ([`TestPki::unrelated_ca_der`]).
    UnrelatedCa,
}

/// A certificate authority: its certificate and signing key.
struct Authority {
    cert: Certificate,
    key: KeyPair,
}

impl Authority {
    fn root(common_name: &str, key_type: KeyType) -> Authority {
        let key = key_type.new_key_pair();
        let params = ca_params(common_name);
        let cert = params
            .self_signed(&key)
            .unwrap_or_else(|e| panic!("cannot self-sign CA {common_name:?}: {e}"));
        Authority { cert, key }
    }

    fn intermediate(common_name: &str, parent: &Authority) -> Authority {
        let key = KeyType::EcdsaP256.new_key_pair();
        let mut params = ca_params(common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.use_authority_key_identifier_extension = true;
        let cert = params
            .signed_by(&key, &parent.cert, &parent.key)
            .unwrap_or_else(|e| panic!("cannot sign intermediate {common_name:?}: {e}"));
        Authority { cert, key }
    }
}

fn ca_params(common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.serial_number = Some(fresh_serial());
    Validity::Current.apply(&mut params);
    params.not_after += Duration::from_secs(9 * 365 * 24 * 3600);
    params
}

fn distinguished_name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "oxtls tests");
    name.push(DnType::CommonName, common_name);
    name
}

/// A serial number unique within the process. rcgen's default derives it
/// from the public key, which would repeat for the shared RSA key.
fn fresh_serial() -> SerialNumber {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    SerialNumber::from((nanos << 8) ^ COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A root CA plus an unrelated second root, from which leaves are issued.
pub struct TestPki {
    ca: Authority,
    unrelated_ca: Authority,
}

impl TestPki {
    /// A PKI whose root CA has a P-256 key.
    pub fn new() -> TestPki {
        TestPki::with_ca_key(KeyType::EcdsaP256)
    }

    /// A PKI whose root CA has a `key_type` key (so leaves are signed with
    /// that algorithm).
    pub fn with_ca_key(key_type: KeyType) -> TestPki {
        TestPki {
            ca: Authority::root("oxtls test root CA", key_type),
            unrelated_ca: Authority::root("oxtls unrelated root CA", KeyType::EcdsaP256),
        }
    }

    /// The root CA certificate: the trust anchor clients should be given.
    pub fn ca_der(&self) -> CertificateDer<'static> {
        self.ca.cert.der().clone()
    }

    pub fn ca_pem(&self) -> String {
        self.ca.cert.pem()
    }

    /// The second root, which issues [`Issuer::UnrelatedCa`] leaves.
    pub fn unrelated_ca_der(&self) -> CertificateDer<'static> {
        self.unrelated_ca.cert.der().clone()
    }

    /// A builder for a leaf named `dns_name` (its first subject alt name
    /// and its common name).
    pub fn leaf(&self, dns_name: &str) -> LeafBuilder<'_> {
        LeafBuilder {
            pki: self,
            names: vec![SanType::DnsName(
                dns_name
                    .to_string()
                    .try_into()
                    .unwrap_or_else(|e| panic!("{dns_name:?} is not a DNS name: {e}")),
            )],
            common_name: dns_name.to_string(),
            key_type: KeyType::EcdsaP256,
            validity: Validity::Current,
            eku: Eku::ServerAuth,
            issuer: Issuer::Ca,
            intermediate: false,
        }
    }

    /// The usual good server certificate: `localhost`, 127.0.0.1 and ::1,
    /// issued by the root CA.
    pub fn server_cert(&self, key_type: KeyType) -> IssuedCert {
        self.leaf("localhost")
            .ip("127.0.0.1".parse().expect("IPv4 literal"))
            .ip("::1".parse().expect("IPv6 literal"))
            .key_type(key_type)
            .build()
    }
}

impl Default for TestPki {
    fn default() -> TestPki {
        TestPki::new()
    }
}

/// Options for one leaf certificate; [`LeafBuilder::build`] issues it.
pub struct LeafBuilder<'a> {
    pki: &'a TestPki,
    names: Vec<SanType>,
    common_name: String,
    key_type: KeyType,
    validity: Validity,
    eku: Eku,
    issuer: Issuer,
    intermediate: bool,
}

impl LeafBuilder<'_> {
    /// Adds a DNS subject alt name.
    pub fn dns(mut self, name: &str) -> Self {
        let name = name
            .to_string()
            .try_into()
            .unwrap_or_else(|e| panic!("{name:?} is not a DNS name: {e}"));
        self.names.push(SanType::DnsName(name));
        self
    }

    /// Adds an IP address subject alt name.
    pub fn ip(mut self, addr: IpAddr) -> Self {
        self.names.push(SanType::IpAddress(addr));
        self
    }

    pub fn key_type(mut self, key_type: KeyType) -> Self {
        self.key_type = key_type;
        self
    }

    pub fn validity(mut self, validity: Validity) -> Self {
        self.validity = validity;
        self
    }

    pub fn eku(mut self, eku: Eku) -> Self {
        self.eku = eku;
        self
    }

    pub fn issuer(mut self, issuer: Issuer) -> Self {
        self.issuer = issuer;
        self
    }

    /// Issue the leaf from a fresh intermediate CA (signed by the chosen
    /// issuer); the chain is then `[leaf, intermediate]`.
    pub fn via_intermediate(mut self) -> Self {
        self.intermediate = true;
        self
    }

    pub fn build(self) -> IssuedCert {
        let key = self.key_type.new_key_pair();
        let mut params = CertificateParams::default();
        params.distinguished_name = distinguished_name(&self.common_name);
        params.subject_alt_names = self.names;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = match self.eku {
            Eku::ServerAuth => vec![ExtendedKeyUsagePurpose::ServerAuth],
            Eku::ClientAuthOnly => vec![ExtendedKeyUsagePurpose::ClientAuth],
            Eku::ServerAndClientAuth => vec![
                ExtendedKeyUsagePurpose::ServerAuth,
                ExtendedKeyUsagePurpose::ClientAuth,
            ],
        };
        params.serial_number = Some(fresh_serial());
        self.validity.apply(&mut params);

        let root = match self.issuer {
            Issuer::Ca => Some(&self.pki.ca),
            Issuer::UnrelatedCa => Some(&self.pki.unrelated_ca),
            Issuer::SelfSigned => None,
        };
        let (leaf, intermediate) = match (root, self.intermediate) {
            (None, true) => panic!("a self-signed leaf cannot have an intermediate"),
            (None, false) => {
                let leaf = params.self_signed(&key);
                (leaf, None)
            }
            (Some(root), false) => {
                params.use_authority_key_identifier_extension = true;
                (params.signed_by(&key, &root.cert, &root.key), None)
            }
            (Some(root), true) => {
                let mid = Authority::intermediate("oxtls test intermediate CA", root);
                params.use_authority_key_identifier_extension = true;
                let leaf = params.signed_by(&key, &mid.cert, &mid.key);
                (leaf, Some(mid.cert))
            }
        };
        let leaf = leaf.unwrap_or_else(|e| panic!("cannot issue leaf: {e}"));

        let mut chain = vec![leaf.der().clone()];
        let mut chain_pem = leaf.pem();
        if let Some(mid) = intermediate {
            chain.push(mid.der().clone());
            chain_pem.push_str(&mid.pem());
        }
        IssuedCert {
            key_type: self.key_type,
            chain,
            chain_pem,
            key_pkcs8: key.serialize_der(),
            key_pem: openssl_readable_pem(&key),
        }
    }
}

/// `key` as PKCS#8 PEM that OpenSSL can read.
///
/// ring writes Ed25519 keys as PKCS#8 v2 (RFC 5958, with the public key),
/// which OpenSSL 3.0 refuses ("unsupported"); the v1 form (the 32-byte
/// seed alone, RFC 8410 §7) is read by OpenSSL, ring and rustls alike.
/// Other key types are written as they are.
fn openssl_readable_pem(key: &KeyPair) -> String {
    // After the outer SEQUENCE header: version, AlgorithmIdentifier
    // (id-Ed25519), then OCTET STRING { OCTET STRING (32 bytes) }.
    const V2_BODY: &[u8] = b"\x02\x01\x01\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20";
    const V1_PREFIX: &[u8] = b"\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20";
    let der = key.serialized_der();
    let seed_at = 2 + V2_BODY.len();
    if key.algorithm() != &rcgen::PKCS_ED25519
        || der.len() < seed_at + 32
        || &der[2..seed_at] != V2_BODY
    {
        return key.serialize_pem();
    }
    let v1 = [V1_PREFIX, &der[seed_at..seed_at + 32]].concat();
    KeyPair::from_pkcs8_der_and_sign_algo(&PrivatePkcs8KeyDer::from(v1), &rcgen::PKCS_ED25519)
        .unwrap_or_else(|e| panic!("cannot re-encode an Ed25519 key as PKCS#8 v1: {e}"))
        .serialize_pem()
}

/// A leaf certificate, its chain and its private key, in DER and PEM.
pub struct IssuedCert {
    pub key_type: KeyType,
    /// Leaf first, then the intermediate if any (never the root).
    pub chain: Vec<CertificateDer<'static>>,
    /// `chain` as concatenated PEM blocks, leaf first.
    pub chain_pem: String,
    key_pkcs8: Vec<u8>,
    /// The private key as PKCS#8 PEM (`BEGIN PRIVATE KEY`); for Ed25519
    /// the v1 form OpenSSL reads (see [`openssl_readable_pem`]), so it may
    /// differ in form (not in key) from [`IssuedCert::key`].
    pub key_pem: String,
}

impl IssuedCert {
    pub fn leaf(&self) -> &CertificateDer<'static> {
        &self.chain[0]
    }

    /// The private key (PKCS#8), ready for a rustls or oxtls config.
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_pkcs8.clone()))
    }

    /// Writes `cert.pem` (the chain) and `key.pem` into `dir`.
    pub fn write_pem_files(&self, dir: &TempDir) -> PemFiles {
        PemFiles {
            cert: dir.write("cert.pem", &self.chain_pem),
            key: dir.write("key.pem", &self.key_pem),
        }
    }

    /// [`IssuedCert::write_pem_files`] into a fresh temp dir, returned with
    /// the paths (the files go when the `TempDir` is dropped).
    pub fn to_pem_dir(&self) -> (TempDir, PemFiles) {
        let dir = TempDir::new("pem");
        let files = self.write_pem_files(&dir);
        (dir, files)
    }
}

/// Paths of a certificate chain and its key written as PEM.
pub struct PemFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}
