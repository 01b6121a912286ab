//! The AEAD ciphers of TLS, as keys that seal and open in place.
//!
//! Nonce construction and record framing belong to the record layer; this
//! module only wraps ring's AEAD with the three algorithms TLS uses.

use ring::aead;

use crate::error::Error;

/// The length of every AEAD nonce TLS uses.
pub const NONCE_LEN: usize = 12;
/// The length of the authentication tag of every AEAD TLS uses.
pub const TAG_LEN: usize = 16;

/// An AEAD algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AeadAlgorithm {
    Aes128Gcm,
    Aes256Gcm,
    ChaCha20Poly1305,
}

impl AeadAlgorithm {
    /// The key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            Self::Aes128Gcm => 16,
            Self::Aes256Gcm | Self::ChaCha20Poly1305 => 32,
        }
    }

    fn ring(self) -> &'static aead::Algorithm {
        match self {
            Self::Aes128Gcm => &aead::AES_128_GCM,
            Self::Aes256Gcm => &aead::AES_256_GCM,
            Self::ChaCha20Poly1305 => &aead::CHACHA20_POLY1305,
        }
    }
}

/// One direction's AEAD key. ring keeps the expanded key schedule and wipes
/// nothing itself, but holds no copy of the raw key bytes we passed in, which
/// the caller zeroizes.
pub struct AeadKey {
    key: aead::LessSafeKey,
}

impl AeadKey {
    /// Makes a key; `key` must be `alg.key_len()` bytes.
    pub fn new(alg: AeadAlgorithm, key: &[u8]) -> Result<Self, Error> {
        let unbound = aead::UnboundKey::new(alg.ring(), key)
            .map_err(|_| Error::General("AEAD key of the wrong length".into()))?;
        Ok(Self {
            key: aead::LessSafeKey::new(unbound),
        })
    }

    pub fn algorithm(&self) -> AeadAlgorithm {
        let alg = self.key.algorithm();
        if alg == &aead::AES_128_GCM {
            AeadAlgorithm::Aes128Gcm
        } else if alg == &aead::AES_256_GCM {
            AeadAlgorithm::Aes256Gcm
        } else {
            AeadAlgorithm::ChaCha20Poly1305
        }
    }

    /// Encrypts `in_out` in place and returns the tag to append after it.
    pub fn seal_in_place(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; TAG_LEN], Error> {
        let tag = self
            .key
            .seal_in_place_separate_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                in_out,
            )
            .map_err(|_| Error::EncryptError)?;
        let mut out = [0u8; TAG_LEN];
        out.copy_from_slice(tag.as_ref());
        Ok(out)
    }

    /// Decrypts `in_out` (ciphertext followed by the tag) in place and
    /// returns the plaintext, a prefix of `in_out`. A wrong tag is
    /// `Error::DecryptError`.
    pub fn open_in_place<'a>(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        in_out: &'a mut [u8],
    ) -> Result<&'a mut [u8], Error> {
        self.key
            .open_in_place(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                in_out,
            )
            .map_err(|_| Error::DecryptError)
    }
}

impl core::fmt::Debug for AeadKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AeadKey")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_then_open_in_place() {
        for alg in [
            AeadAlgorithm::Aes128Gcm,
            AeadAlgorithm::Aes256Gcm,
            AeadAlgorithm::ChaCha20Poly1305,
        ] {
            let key = AeadKey::new(alg, &vec![7u8; alg.key_len()]).unwrap();
            assert_eq!(key.algorithm(), alg);
            let mut buf = b"hello record".to_vec();
            let tag = key.seal_in_place([1; 12], b"aad", &mut buf).unwrap();
            assert_ne!(&buf[..], b"hello record");
            buf.extend_from_slice(&tag);
            let mut tampered = buf.clone();
            assert_eq!(
                key.open_in_place([1; 12], b"aad", &mut buf).unwrap(),
                b"hello record"
            );
            tampered[0] ^= 1;
            assert_eq!(
                key.open_in_place([1; 12], b"aad", &mut tampered)
                    .unwrap_err(),
                Error::DecryptError
            );
            assert!(AeadKey::new(alg, &[0; 5]).is_err());
        }
    }
}
