//! The cipher suites we implement, as static descriptions of what each one
//! uses: AEAD, hash, and for TLS 1.2 the server's signature algorithm and
//! nonce layout.

use core::fmt;

use super::aead::AeadAlgorithm;
use super::hash::HashAlgorithm;
use crate::msgs::enums::{CipherSuite, ProtocolVersion, SignatureScheme};

/// A TLS 1.3 cipher suite (RFC 8446 §B.4): an AEAD and the hash of HKDF
/// and the transcript.
#[derive(PartialEq, Eq)]
pub struct Tls13CipherSuite {
    pub suite: CipherSuite,
    pub aead: AeadAlgorithm,
    pub hash: HashAlgorithm,
}

impl Tls13CipherSuite {
    /// RFC 8446 §4.2.11: a PSK may be used with any suite whose hash is the
    /// one the PSK was made with.
    pub fn can_resume_from(&self, original: &Tls13CipherSuite) -> bool {
        self.hash == original.hash
    }
}

/// The kind of key that signs a TLS 1.2 ECDHE ServerKeyExchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    Ecdsa,
    Rsa,
}

/// A TLS 1.2 ECDHE cipher suite with an AEAD (RFC 5289, RFC 7905).
#[derive(PartialEq, Eq)]
pub struct Tls12CipherSuite {
    pub suite: CipherSuite,
    pub aead: AeadAlgorithm,
    /// The hash of the PRF (RFC 5246 §5; RFC 5289 §3 for SHA-384).
    pub hash: HashAlgorithm,
    /// The key type that signs the ServerKeyExchange.
    pub sig: SignatureAlgorithm,
    /// Bytes of `client/server_write_IV` taken from the key block: the
    /// 4-byte implicit salt for AES-GCM (RFC 5288 §3), the whole 12-byte
    /// nonce mask for ChaCha20-Poly1305 (RFC 7905 §2).
    pub fixed_iv_len: usize,
    /// Bytes of explicit nonce sent before each record's ciphertext: 8 for
    /// AES-GCM (RFC 5288 §3), none for ChaCha20-Poly1305 (RFC 7905 §2).
    pub explicit_nonce_len: usize,
}

impl Tls12CipherSuite {
    /// Whether a ServerKeyExchange signed with `scheme` fits this suite's
    /// key type: RFC 8422 §2 lets ECDHE_ECDSA suites be signed with ECDSA
    /// or EdDSA; ECDHE_RSA suites are signed with RSA, PKCS#1 v1.5 or
    /// (RFC 8446 §4.2.3, applied to TLS 1.2) RSASSA-PSS. SHA-1 schemes, which
    /// we never offer, are not accepted.
    pub fn usable_with(&self, scheme: SignatureScheme) -> bool {
        use SignatureScheme as S;
        match self.sig {
            SignatureAlgorithm::Ecdsa => matches!(
                scheme,
                S::ECDSA_NISTP256_SHA256
                    | S::ECDSA_NISTP384_SHA384
                    | S::ECDSA_NISTP521_SHA512
                    | S::ED25519
            ),
            SignatureAlgorithm::Rsa => matches!(
                scheme,
                S::RSA_PKCS1_SHA256
                    | S::RSA_PKCS1_SHA384
                    | S::RSA_PKCS1_SHA512
                    | S::RSA_PSS_RSAE_SHA256
                    | S::RSA_PSS_RSAE_SHA384
                    | S::RSA_PSS_RSAE_SHA512
            ),
        }
    }

    /// Length of the key block (RFC 5246 §6.3) for an AEAD suite: two keys
    /// and two fixed IVs, no MAC keys.
    pub fn key_block_len(&self) -> usize {
        2 * self.aead.key_len() + 2 * self.fixed_iv_len
    }
}

pub static TLS13_AES_128_GCM_SHA256: Tls13CipherSuite = Tls13CipherSuite {
    suite: CipherSuite::TLS13_AES_128_GCM_SHA256,
    aead: AeadAlgorithm::Aes128Gcm,
    hash: HashAlgorithm::Sha256,
};

pub static TLS13_AES_256_GCM_SHA384: Tls13CipherSuite = Tls13CipherSuite {
    suite: CipherSuite::TLS13_AES_256_GCM_SHA384,
    aead: AeadAlgorithm::Aes256Gcm,
    hash: HashAlgorithm::Sha384,
};

pub static TLS13_CHACHA20_POLY1305_SHA256: Tls13CipherSuite = Tls13CipherSuite {
    suite: CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
    aead: AeadAlgorithm::ChaCha20Poly1305,
    hash: HashAlgorithm::Sha256,
};

const GCM_FIXED_IV_LEN: usize = 4;
const GCM_EXPLICIT_NONCE_LEN: usize = 8;
const CHACHA_FIXED_IV_LEN: usize = 12;

pub static TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: Tls12CipherSuite = Tls12CipherSuite {
    suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    aead: AeadAlgorithm::Aes128Gcm,
    hash: HashAlgorithm::Sha256,
    sig: SignatureAlgorithm::Ecdsa,
    fixed_iv_len: GCM_FIXED_IV_LEN,
    explicit_nonce_len: GCM_EXPLICIT_NONCE_LEN,
};

pub static TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: Tls12CipherSuite = Tls12CipherSuite {
    suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    aead: AeadAlgorithm::Aes128Gcm,
    hash: HashAlgorithm::Sha256,
    sig: SignatureAlgorithm::Rsa,
    fixed_iv_len: GCM_FIXED_IV_LEN,
    explicit_nonce_len: GCM_EXPLICIT_NONCE_LEN,
};

pub static TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: Tls12CipherSuite = Tls12CipherSuite {
    suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    aead: AeadAlgorithm::Aes256Gcm,
    hash: HashAlgorithm::Sha384,
    sig: SignatureAlgorithm::Ecdsa,
    fixed_iv_len: GCM_FIXED_IV_LEN,
    explicit_nonce_len: GCM_EXPLICIT_NONCE_LEN,
};

pub static TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: Tls12CipherSuite = Tls12CipherSuite {
    suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    aead: AeadAlgorithm::Aes256Gcm,
    hash: HashAlgorithm::Sha384,
    sig: SignatureAlgorithm::Rsa,
    fixed_iv_len: GCM_FIXED_IV_LEN,
    explicit_nonce_len: GCM_EXPLICIT_NONCE_LEN,
};

pub static TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: Tls12CipherSuite = Tls12CipherSuite {
    suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    aead: AeadAlgorithm::ChaCha20Poly1305,
    hash: HashAlgorithm::Sha256,
    sig: SignatureAlgorithm::Ecdsa,
    fixed_iv_len: CHACHA_FIXED_IV_LEN,
    explicit_nonce_len: 0,
};

pub static TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: Tls12CipherSuite = Tls12CipherSuite {
    suite: CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    aead: AeadAlgorithm::ChaCha20Poly1305,
    hash: HashAlgorithm::Sha256,
    sig: SignatureAlgorithm::Rsa,
    fixed_iv_len: CHACHA_FIXED_IV_LEN,
    explicit_nonce_len: 0,
};

/// A cipher suite of either protocol version.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SupportedCipherSuite {
    Tls13(&'static Tls13CipherSuite),
    Tls12(&'static Tls12CipherSuite),
}

impl SupportedCipherSuite {
    /// The suite's registered number.
    pub fn suite(&self) -> CipherSuite {
        match self {
            Self::Tls13(s) => s.suite,
            Self::Tls12(s) => s.suite,
        }
    }

    /// The protocol version the suite belongs to.
    pub fn version(&self) -> ProtocolVersion {
        match self {
            Self::Tls13(_) => ProtocolVersion::TLSv1_3,
            Self::Tls12(_) => ProtocolVersion::TLSv1_2,
        }
    }

    pub fn aead(&self) -> AeadAlgorithm {
        match self {
            Self::Tls13(s) => s.aead,
            Self::Tls12(s) => s.aead,
        }
    }

    /// The transcript hash (and HKDF or PRF hash).
    pub fn hash(&self) -> HashAlgorithm {
        match self {
            Self::Tls13(s) => s.hash,
            Self::Tls12(s) => s.hash,
        }
    }

    pub fn tls13(&self) -> Option<&'static Tls13CipherSuite> {
        match self {
            Self::Tls13(s) => Some(s),
            Self::Tls12(_) => None,
        }
    }

    pub fn tls12(&self) -> Option<&'static Tls12CipherSuite> {
        match self {
            Self::Tls12(s) => Some(s),
            Self::Tls13(_) => None,
        }
    }

    /// The suite numbered `suite`, if we implement it.
    pub fn find(suite: CipherSuite) -> Option<Self> {
        ALL_CIPHER_SUITES
            .iter()
            .copied()
            .find(|s| s.suite() == suite)
    }
}

impl fmt::Debug for SupportedCipherSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.suite(), f)
    }
}

impl fmt::Debug for Tls13CipherSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.suite, f)
    }
}

impl fmt::Debug for Tls12CipherSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.suite, f)
    }
}

/// Every suite we implement: TLS 1.3 first, then TLS 1.2; within each,
/// AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 (and ECDSA before RSA).
pub static ALL_CIPHER_SUITES: &[SupportedCipherSuite] = &[
    SupportedCipherSuite::Tls13(&TLS13_AES_128_GCM_SHA256),
    SupportedCipherSuite::Tls13(&TLS13_AES_256_GCM_SHA384),
    SupportedCipherSuite::Tls13(&TLS13_CHACHA20_POLY1305_SHA256),
    SupportedCipherSuite::Tls12(&TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
    SupportedCipherSuite::Tls12(&TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
    SupportedCipherSuite::Tls12(&TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384),
    SupportedCipherSuite::Tls12(&TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384),
    SupportedCipherSuite::Tls12(&TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256),
    SupportedCipherSuite::Tls12(&TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256),
];

/// The suites a default configuration offers, in order: all of them.
pub static DEFAULT_CIPHER_SUITES: &[SupportedCipherSuite] = ALL_CIPHER_SUITES;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_by_number() {
        for s in ALL_CIPHER_SUITES {
            assert_eq!(SupportedCipherSuite::find(s.suite()), Some(*s));
        }
        assert_eq!(
            SupportedCipherSuite::find(CipherSuite::from(0x1302)),
            Some(SupportedCipherSuite::Tls13(&TLS13_AES_256_GCM_SHA384))
        );
        assert_eq!(
            SupportedCipherSuite::find(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV),
            None
        );
        assert_eq!(
            SupportedCipherSuite::find(CipherSuite::Unknown(0x009c)),
            None
        );
    }

    #[test]
    fn versions_and_order() {
        let versions: Vec<_> = ALL_CIPHER_SUITES.iter().map(|s| s.version()).collect();
        assert_eq!(&versions[..3], &[ProtocolVersion::TLSv1_3; 3]);
        assert!(versions[3..].iter().all(|v| *v == ProtocolVersion::TLSv1_2));
        let aeads: Vec<_> = ALL_CIPHER_SUITES.iter().map(|s| s.aead()).collect();
        use AeadAlgorithm::*;
        assert_eq!(
            aeads,
            [
                Aes128Gcm,
                Aes256Gcm,
                ChaCha20Poly1305,
                Aes128Gcm,
                Aes128Gcm,
                Aes256Gcm,
                Aes256Gcm,
                ChaCha20Poly1305,
                ChaCha20Poly1305
            ]
        );
        assert_eq!(
            format!("{:?}", ALL_CIPHER_SUITES[0]),
            "TLS13_AES_128_GCM_SHA256"
        );
    }

    #[test]
    fn tls12_nonce_layout_and_signatures() {
        for s in ALL_CIPHER_SUITES.iter().filter_map(|s| s.tls12()) {
            // RFC 5288 §3 / RFC 7905 §2: the nonce is 12 bytes either way.
            assert_eq!(s.fixed_iv_len + s.explicit_nonce_len, 12);
            let sha384 = s.aead == AeadAlgorithm::Aes256Gcm;
            assert_eq!(s.hash == HashAlgorithm::Sha384, sha384);
            assert_eq!(
                s.usable_with(SignatureScheme::ECDSA_NISTP256_SHA256),
                s.sig == SignatureAlgorithm::Ecdsa
            );
            assert_eq!(
                s.usable_with(SignatureScheme::RSA_PSS_RSAE_SHA256),
                s.sig == SignatureAlgorithm::Rsa
            );
            assert_eq!(
                s.usable_with(SignatureScheme::ED25519),
                s.sig == SignatureAlgorithm::Ecdsa
            );
            assert!(!s.usable_with(SignatureScheme::RSA_PKCS1_SHA1));
        }
        assert_eq!(TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.key_block_len(), 40);
        assert_eq!(
            TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256.key_block_len(),
            88
        );
    }

    #[test]
    fn resumption_needs_the_same_hash() {
        assert!(TLS13_CHACHA20_POLY1305_SHA256.can_resume_from(&TLS13_AES_128_GCM_SHA256));
        assert!(!TLS13_AES_256_GCM_SHA384.can_resume_from(&TLS13_AES_128_GCM_SHA256));
    }
}
