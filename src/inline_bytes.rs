//! Short byte strings held inline: the values a handshake makes once or
//! twice (a session id, a ticket's nonce, the content a CertificateVerify
//! signs, a session cache key), for which an allocation would cost more
//! than the bytes.

use core::ops::Deref;

/// At most `N` bytes (`N` at most 255), held in place. Reads, and
/// compares, as the bytes it holds.
#[derive(Clone, Copy)]
pub(crate) struct InlineBytes<const N: usize> {
    bytes: [u8; N],
    len: u8,
}

impl<const N: usize> InlineBytes<N> {
    pub(crate) const EMPTY: Self = {
        assert!(N <= u8::MAX as usize, "the length is kept in a u8");
        Self {
            bytes: [0; N],
            len: 0,
        }
    };

    /// `bytes`, or `None` if there are more than `N`.
    pub(crate) fn new(bytes: &[u8]) -> Option<Self> {
        Self::from_parts(&[bytes])
    }

    /// The concatenation of `parts`, or `None` if it is longer than `N`.
    pub(crate) fn from_parts(parts: &[&[u8]]) -> Option<Self> {
        let mut out = Self::EMPTY;
        let mut len = 0;
        for part in parts {
            out.bytes
                .get_mut(len..len + part.len())?
                .copy_from_slice(part);
            len += part.len();
        }
        // At most N, which is at most 255.
        out.len = len as u8;
        Some(out)
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.bytes[..usize::from(self.len)]
    }
}

impl<const N: usize> Deref for InlineBytes<N> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl<const N: usize> PartialEq for InlineBytes<N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<const N: usize> Eq for InlineBytes<N> {}

impl<const N: usize> core::fmt::Debug for InlineBytes<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.as_slice().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_up_to_its_capacity_and_compares_by_content() {
        let joined = InlineBytes::<8>::from_parts(&[b"abc", b"", b"de"]).unwrap();
        assert_eq!(joined.as_slice(), b"abcde");
        assert_eq!(joined, InlineBytes::new(b"abcde").unwrap());
        assert_ne!(joined, InlineBytes::new(b"abcd").unwrap());
        assert_eq!(InlineBytes::<8>::new(&[7; 8]).unwrap().len(), 8);
        assert!(InlineBytes::<8>::new(&[7; 9]).is_none());
        assert!(InlineBytes::<8>::from_parts(&[b"abcde", b"fghi"]).is_none());
        assert!(InlineBytes::<8>::EMPTY.is_empty());
        let mut upper = InlineBytes::<8>::new(b"AbC").unwrap();
        upper.as_mut_slice().make_ascii_lowercase();
        assert_eq!(&upper[..], b"abc");
    }
}
