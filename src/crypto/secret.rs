//! A small owned buffer for key material, wiped on drop, and the
//! constant-time comparison every MAC check needs.
//!
//! What is not wiped: the state `ring` builds from a secret (an AEAD key's
//! round keys and GHASH table, an HMAC key's two hash states, ephemeral
//! key-exchange keys, a signing key) lives in `ring`'s types, which have no
//! zeroizing drop, and ring offers no way to wipe them. So the crate keeps
//! such state only as long as it serves: the schedule's HMAC keys
//! ([`super::hkdf::Prk`]) end with the handshake, and AEAD keys with their
//! traffic secrets.

use core::fmt;

use zeroize::Zeroize;

/// The most key material one [`SecretBytes`] holds: a SHA-384 output (48
/// bytes) is the longest secret of any TLS 1.3 or TLS 1.2 suite we support.
pub const MAX_SECRET_LEN: usize = 48;

/// Up to [`MAX_SECRET_LEN`] bytes of key material.
///
/// Lives on the stack (no allocation to leave copies behind), is zeroized on
/// drop, and its `Debug` shows only the length.
#[derive(Clone)]
pub struct SecretBytes {
    buf: [u8; MAX_SECRET_LEN],
    len: usize,
}

impl SecretBytes {
    /// `len` zero bytes. `len` is clamped to [`MAX_SECRET_LEN`]; callers pass
    /// lengths of algorithms we define, never peer-controlled ones.
    pub(crate) fn zeroed(len: usize) -> Self {
        Self {
            buf: [0; MAX_SECRET_LEN],
            len: len.min(MAX_SECRET_LEN),
        }
    }

    /// A copy of `bytes`, or `None` if longer than [`MAX_SECRET_LEN`].
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        if bytes.len() > MAX_SECRET_LEN {
            return None;
        }
        let mut out = Self::zeroed(bytes.len());
        out.buf[..bytes.len()].copy_from_slice(bytes);
        Some(out)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub(crate) fn as_mut_bytes(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len]
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for SecretBytes {
    fn drop(&mut self) {
        wipe(&mut self.buf);
    }
}

/// Overwrites key material with zeros, in writes the optimiser must keep
/// (`zeroize`).
///
/// Never inlined: inlined, the byte-by-byte volatile writes were unrolled
/// at every place a secret is dropped (48 stores each, 790 of the 1,900
/// instructions of the function that starts the handshake keys), and that
/// code, run once per handshake, was fetched cold each time. One copy
/// stays in the instruction cache.
#[inline(never)]
pub(crate) fn wipe(bytes: &mut [u8]) {
    bytes.zeroize();
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes({} bytes)", self.len)
    }
}

/// Whether `a` and `b` are equal, in time that depends only on their
/// lengths (which are public: they follow from the negotiated suite).
///
/// Used to check Finished messages and PSK binders, where an early exit
/// would tell an attacker how many leading bytes of a forgery were right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // Keep the optimiser from turning the fold back into a short-circuit.
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_bytes() {
        let s = SecretBytes::from_slice(&[0xab; 32]).unwrap();
        let shown = format!("{s:?}");
        assert_eq!(shown, "SecretBytes(32 bytes)");
    }

    #[test]
    fn from_slice_limits_length() {
        assert!(SecretBytes::from_slice(&[0; 49]).is_none());
        assert_eq!(
            SecretBytes::from_slice(&[1, 2]).unwrap().as_bytes(),
            &[1, 2]
        );
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }
}
