//! Where random bytes come from: the operating system, or (in tests only) a
//! fixed script of bytes, so that a handshake can be replayed byte for byte
//! against a published trace such as RFC 8448.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};

use ring::rand::{SecureRandom, SystemRandom};

use crate::error::Error;

/// A source of random bytes for client randoms, session ids and ephemeral
/// private keys.
#[derive(Clone, Default)]
pub enum Randomness {
    /// The operating system's generator. Always use this.
    #[default]
    System,
    /// A fixed script of bytes, consumed in order by every request.
    ///
    /// For known-answer tests only: it makes every "random" value, private
    /// keys included, predictable. A request for more bytes than remain
    /// fails with [`Error::FailedToGetRandomBytes`].
    Fixed(Arc<FixedBytes>),
}

impl Randomness {
    /// A [`Randomness::Fixed`] that will hand out `bytes` in order. Tests
    /// only: see [`Randomness::Fixed`].
    pub fn fixed_for_testing(bytes: Vec<u8>) -> Self {
        Self::Fixed(Arc::new(FixedBytes {
            remaining: Mutex::new(bytes.into()),
        }))
    }

    /// Fills `out` with random bytes.
    pub fn fill(&self, out: &mut [u8]) -> Result<(), Error> {
        match self {
            Self::System => SystemRandom::new()
                .fill(out)
                .map_err(|_| Error::FailedToGetRandomBytes),
            Self::Fixed(fixed) => fixed.take(out),
        }
    }

    /// Runs `f` with a ring generator that will be asked for exactly `len`
    /// bytes (ring's fixed generator requires the length be known up
    /// front).
    pub(super) fn with_ring<R>(
        &self,
        len: usize,
        f: impl FnOnce(&dyn SecureRandom) -> R,
    ) -> Result<R, Error> {
        match self {
            Self::System => Ok(f(&SystemRandom::new())),
            Self::Fixed(fixed) => {
                let mut bytes = zeroize::Zeroizing::new(vec![0u8; len]);
                fixed.take(&mut bytes)?;
                #[allow(deprecated)]
                let rng = ring::test::rand::FixedSliceRandom { bytes: &bytes };
                Ok(f(&rng))
            }
        }
    }
}

impl Randomness {
    /// Runs `f` with a ring generator for a use whose length ring decides
    /// (an ECDSA nonce, a PSS salt). A fixed script gives one byte, which
    /// ring's fixed-byte generator repeats: deterministic, for tests only.
    pub(super) fn with_ring_any<R>(
        &self,
        f: impl FnOnce(&dyn SecureRandom) -> R,
    ) -> Result<R, Error> {
        match self {
            Self::System => Ok(f(&SystemRandom::new())),
            Self::Fixed(fixed) => {
                let mut byte = [0u8; 1];
                fixed.take(&mut byte)?;
                #[allow(deprecated)]
                let rng = ring::test::rand::FixedByteRandom { byte: byte[0] };
                Ok(f(&rng))
            }
        }
    }
}

impl fmt::Debug for Randomness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::System => f.write_str("System"),
            Self::Fixed(_) => f.write_str("Fixed"),
        }
    }
}

/// The script behind [`Randomness::Fixed`].
pub struct FixedBytes {
    remaining: Mutex<VecDeque<u8>>,
}

impl FixedBytes {
    fn take(&self, out: &mut [u8]) -> Result<(), Error> {
        let mut remaining = self
            .remaining
            .lock()
            .map_err(|_| Error::FailedToGetRandomBytes)?;
        if remaining.len() < out.len() {
            return Err(Error::FailedToGetRandomBytes);
        }
        let wanted = out.len();
        for (dst, src) in out.iter_mut().zip(remaining.drain(..wanted)) {
            *dst = src;
        }
        Ok(())
    }
}

/// Fills `out` from the operating system's generator.
pub fn fill_random(out: &mut [u8]) -> Result<(), Error> {
    Randomness::System.fill(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_randomness_fills() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        fill_random(&mut a).unwrap();
        fill_random(&mut b).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn fixed_randomness_is_consumed_in_order() {
        let rng = Randomness::fixed_for_testing(vec![1, 2, 3, 4, 5]);
        let shared = rng.clone();
        let mut two = [0u8; 2];
        rng.fill(&mut two).unwrap();
        assert_eq!(two, [1, 2]);
        shared.fill(&mut two).unwrap();
        assert_eq!(two, [3, 4]);
        assert_eq!(rng.fill(&mut two), Err(Error::FailedToGetRandomBytes));
        let mut one = [0u8; 1];
        rng.fill(&mut one).unwrap();
        assert_eq!(one, [5]);
        assert_eq!(format!("{rng:?}"), "Fixed");
    }
}
