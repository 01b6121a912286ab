//! The client's private key, for client authentication (mutual TLS): it
//! signs CertificateVerify (RFC 8446 §4.4.3, RFC 5246 §7.4.8).
//!
//! Key formats accepted, as ring allows:
//! - PKCS#8 (`PrivateKeyDer::Pkcs8`) for ECDSA P-256, ECDSA P-384, RSA and
//!   Ed25519 (v1 or v2 for Ed25519);
//! - PKCS#1 (`PrivateKeyDer::Pkcs1`) for RSA.
//!
//! SEC1 EC keys (`BEGIN EC PRIVATE KEY`) are refused: ring reads EC keys
//! only from PKCS#8. `openssl pkcs8 -topk8 -nocrypt` converts them.

use std::fmt;

use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use rustls_pki_types::{alg_id, PrivateKeyDer};

use super::rand::Randomness;
use crate::error::Error;
use crate::msgs::enums::{ClientCertificateType, ProtocolVersion, SignatureScheme};

/// A private key able to sign handshakes.
///
/// Its secret material lives inside ring's key pair types; the DER it was
/// read from is not kept. `Debug` names only the algorithm.
pub struct SigningKey {
    key: KeyKind,
}

enum KeyKind {
    EcdsaP256(EcdsaKeyPair),
    EcdsaP384(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
}

/// RSA schemes, most preferred first. RFC 8446 §4.4.3: a TLS 1.3
/// CertificateVerify made by an RSA key must use RSASSA-PSS; TLS 1.2 may
/// also use PKCS#1 v1.5 (RFC 5246 §7.4.1.4.1), which we offer last.
const RSA_PSS_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
];
const RSA_TLS12_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

impl SigningKey {
    /// Reads a private key. A format or algorithm ring cannot use is
    /// `Error::InvalidConfig`, saying which.
    pub fn from_der(der: &PrivateKeyDer<'_>) -> Result<Self, Error> {
        let key = match der {
            PrivateKeyDer::Pkcs8(pkcs8) => Self::from_pkcs8(pkcs8.secret_pkcs8_der())?,
            PrivateKeyDer::Pkcs1(pkcs1) => KeyKind::Rsa(
                RsaKeyPair::from_der(pkcs1.secret_pkcs1_der())
                    .map_err(|_| Error::InvalidConfig("client key: not a usable PKCS#1 RSA key"))?,
            ),
            PrivateKeyDer::Sec1(_) => {
                return Err(Error::InvalidConfig(
                    "client key: SEC1 EC keys are not supported; convert to PKCS#8",
                ))
            }
            _ => return Err(Error::InvalidConfig("client key: unknown key format")),
        };
        Ok(Self { key })
    }

    fn from_pkcs8(der: &[u8]) -> Result<KeyKind, Error> {
        // ring checks the key against the algorithm it is asked for, so
        // trying each in turn finds the key's type.
        let rng = ring::rand::SystemRandom::new();
        if let Ok(k) =
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, der, &rng)
        {
            return Ok(KeyKind::EcdsaP256(k));
        }
        if let Ok(k) =
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P384_SHA384_ASN1_SIGNING, der, &rng)
        {
            return Ok(KeyKind::EcdsaP384(k));
        }
        if let Ok(k) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
            return Ok(KeyKind::Ed25519(k));
        }
        if let Ok(k) = RsaKeyPair::from_pkcs8(der) {
            return Ok(KeyKind::Rsa(k));
        }
        Err(Error::InvalidConfig(
            "client key: not a PKCS#8 ECDSA P-256/P-384, Ed25519 or RSA key",
        ))
    }

    /// The algorithm's name, for logs.
    pub fn algorithm_name(&self) -> &'static str {
        match self.key {
            KeyKind::EcdsaP256(_) => "ECDSA P-256",
            KeyKind::EcdsaP384(_) => "ECDSA P-384",
            KeyKind::Ed25519(_) => "Ed25519",
            KeyKind::Rsa(_) => "RSA",
        }
    }

    /// The schemes this key can sign with under `version`, most preferred
    /// first.
    ///
    /// RFC 8446 §4.2.3: in TLS 1.3 the ECDSA schemes name their curve, so a
    /// P-256 key signs only ecdsa_secp256r1_sha256. TLS 1.2's ECDSA code
    /// points name only the hash; we still use the curve's own hash there,
    /// which every server that asks for ECDSA lists.
    pub fn schemes(&self, version: ProtocolVersion) -> &'static [SignatureScheme] {
        match &self.key {
            KeyKind::EcdsaP256(_) => &[SignatureScheme::ECDSA_NISTP256_SHA256],
            KeyKind::EcdsaP384(_) => &[SignatureScheme::ECDSA_NISTP384_SHA384],
            KeyKind::Ed25519(_) => &[SignatureScheme::ED25519],
            KeyKind::Rsa(_) if version == ProtocolVersion::TLSv1_3 => RSA_PSS_SCHEMES,
            KeyKind::Rsa(_) => RSA_TLS12_SCHEMES,
        }
    }

    /// Our most preferred scheme among those the server `offered`, or
    /// `None` if it listed none this key can make under `version`.
    pub fn choose_scheme(
        &self,
        offered: &[SignatureScheme],
        version: ProtocolVersion,
    ) -> Option<SignatureScheme> {
        self.schemes(version)
            .iter()
            .copied()
            .find(|s| offered.contains(s))
    }

    /// RFC 5246 §7.4.4: the TLS 1.2 certificate_type our certificate is.
    /// RFC 8422 §5.5: Ed25519 certificates go under ecdsa_sign too.
    pub fn tls12_certificate_type(&self) -> ClientCertificateType {
        match self.key {
            KeyKind::Rsa(_) => ClientCertificateType::RsaSign,
            _ => ClientCertificateType::EcdsaSign,
        }
    }

    /// Signs `message` with `scheme`, which must be one of
    /// [`Self::schemes`]; ECDSA nonces and PSS salts come from `randomness`.
    pub fn sign(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        randomness: &Randomness,
    ) -> Result<Vec<u8>, Error> {
        let failed = |_| Error::General(format!("could not sign with {scheme:?}"));
        match (&self.key, scheme) {
            (KeyKind::EcdsaP256(k), SignatureScheme::ECDSA_NISTP256_SHA256)
            | (KeyKind::EcdsaP384(k), SignatureScheme::ECDSA_NISTP384_SHA384) => randomness
                .with_ring_any(|rng| k.sign(rng, message))?
                .map(|sig| sig.as_ref().to_vec())
                .map_err(failed),
            (KeyKind::Ed25519(k), SignatureScheme::ED25519) => {
                Ok(k.sign(message).as_ref().to_vec())
            }
            (KeyKind::Rsa(k), _) => {
                let padding: &'static dyn signature::RsaEncoding = match scheme {
                    SignatureScheme::RSA_PSS_RSAE_SHA256 => &signature::RSA_PSS_SHA256,
                    SignatureScheme::RSA_PSS_RSAE_SHA384 => &signature::RSA_PSS_SHA384,
                    SignatureScheme::RSA_PSS_RSAE_SHA512 => &signature::RSA_PSS_SHA512,
                    SignatureScheme::RSA_PKCS1_SHA256 => &signature::RSA_PKCS1_SHA256,
                    SignatureScheme::RSA_PKCS1_SHA384 => &signature::RSA_PKCS1_SHA384,
                    SignatureScheme::RSA_PKCS1_SHA512 => &signature::RSA_PKCS1_SHA512,
                    _ => return Err(wrong_scheme(scheme)),
                };
                let mut sig = vec![0u8; k.public().modulus_len()];
                randomness
                    .with_ring_any(|rng| k.sign(padding, rng, message, &mut sig))?
                    .map_err(failed)?;
                Ok(sig)
            }
            _ => Err(wrong_scheme(scheme)),
        }
    }

    /// The key's SubjectPublicKeyInfo in DER (RFC 5280 §4.1.2.7), to
    /// compare with a certificate's.
    pub fn subject_public_key_info(&self) -> Vec<u8> {
        let (alg, public): (&[u8], &[u8]) = match &self.key {
            KeyKind::EcdsaP256(k) => (alg_id::ECDSA_P256.as_ref(), k.public_key().as_ref()),
            KeyKind::EcdsaP384(k) => (alg_id::ECDSA_P384.as_ref(), k.public_key().as_ref()),
            KeyKind::Ed25519(k) => (alg_id::ED25519.as_ref(), k.public_key().as_ref()),
            // ring's RSA public key is the DER RSAPublicKey, which is what
            // an rsaEncryption SPKI's BIT STRING holds (RFC 8017 §A.1.1).
            KeyKind::Rsa(k) => (alg_id::RSA_ENCRYPTION.as_ref(), k.public_key().as_ref()),
        };
        let mut bits = vec![0u8]; // no unused bits
        bits.extend_from_slice(public);
        let mut body = der_tlv(0x30, alg);
        body.extend(der_tlv(0x03, &bits));
        der_tlv(0x30, &body)
    }
}

fn wrong_scheme(scheme: SignatureScheme) -> Error {
    Error::General(format!("client key cannot sign with {scheme:?}"))
}

/// One DER tag-length-value, definite length.
fn der_tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(value);
    out
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm_name())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[path = "sign_tests.rs"]
mod tests;
