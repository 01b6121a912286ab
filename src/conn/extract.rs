//! `dangerous_extract_secrets`: the record keys of an established
//! connection, for handing its records to another implementation (kernel
//! TLS, say) after the handshake.
//!
//! Dangerous because whoever holds them can read and forge the
//! connection's traffic; so a config must opt in
//! ([`crate::ClientConfig::enable_secret_extraction`]) and the
//! connection is consumed.

use core::fmt;

use crate::crypto::aead::AeadAlgorithm;
use crate::crypto::aead::NONCE_LEN;
use crate::crypto::secret::SecretBytes;

/// The traffic keys of both directions, each with the sequence number of
/// the next record in that direction.
#[derive(Debug)]
pub struct ExtractedSecrets {
    /// What we send with: (next sequence number, keys).
    pub tx: (u64, ConnectionTrafficSecrets),
    /// What the server sends with: (next sequence number, keys).
    pub rx: (u64, ConnectionTrafficSecrets),
}

/// One direction's AEAD key and IV, by algorithm.
///
/// The IV is what the record layer combines with the sequence number:
/// TLS 1.3's `write_iv` (RFC 8446 §5.3) and TLS 1.2 ChaCha20-Poly1305's
/// (RFC 7905 §2), both XORed with the sequence number. For TLS 1.2
/// AES-GCM (RFC 5288 §3) it is the 4-byte salt followed by the next
/// record's 8-byte explicit nonce; oxtls's explicit nonces are the
/// sequence numbers, so a sender carries on by counting up, as kernel
/// TLS does.
#[non_exhaustive]
#[derive(Debug)]
pub enum ConnectionTrafficSecrets {
    Aes128Gcm {
        key: ExtractedKey,
        iv: [u8; NONCE_LEN],
    },
    Aes256Gcm {
        key: ExtractedKey,
        iv: [u8; NONCE_LEN],
    },
    Chacha20Poly1305 {
        key: ExtractedKey,
        iv: [u8; NONCE_LEN],
    },
}

impl ConnectionTrafficSecrets {
    pub(crate) fn new(aead: AeadAlgorithm, key: &[u8], iv: [u8; NONCE_LEN]) -> Option<Self> {
        if key.len() != aead.key_len() {
            return None;
        }
        let key = ExtractedKey(SecretBytes::from_slice(key)?);
        Some(match aead {
            AeadAlgorithm::Aes128Gcm => Self::Aes128Gcm { key, iv },
            AeadAlgorithm::Aes256Gcm => Self::Aes256Gcm { key, iv },
            AeadAlgorithm::ChaCha20Poly1305 => Self::Chacha20Poly1305 { key, iv },
        })
    }

    /// The key, whatever the algorithm.
    pub fn key(&self) -> &ExtractedKey {
        match self {
            Self::Aes128Gcm { key, .. }
            | Self::Aes256Gcm { key, .. }
            | Self::Chacha20Poly1305 { key, .. } => key,
        }
    }

    /// The IV, whatever the algorithm.
    pub fn iv(&self) -> &[u8; NONCE_LEN] {
        match self {
            Self::Aes128Gcm { iv, .. }
            | Self::Aes256Gcm { iv, .. }
            | Self::Chacha20Poly1305 { iv, .. } => iv,
        }
    }
}

/// An AEAD key taken out of a connection: wiped when dropped, and never
/// shown by `Debug`.
pub struct ExtractedKey(SecretBytes);

impl ExtractedKey {
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for ExtractedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExtractedKey({} bytes)", self.0.len())
    }
}
