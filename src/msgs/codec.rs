//! The reader and the `Codec` trait every wire structure implements.
//!
//! Parsing is total: every read checks the bytes are there before taking
//! them and reports what was being read when they were not. Nothing here
//! indexes a slice with a peer-controlled value.

use crate::error::InvalidMessage;

/// A cursor over received bytes that never reads past its end.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Takes exactly `n` bytes, or `None` if fewer remain.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    /// Takes exactly `n` bytes, or fails naming `what` was truncated.
    pub fn take_for(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], InvalidMessage> {
        self.take(n).ok_or(InvalidMessage::Truncated(what))
    }

    /// Takes a fixed-size array.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], InvalidMessage> {
        let bytes = self.take_for(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// Everything not yet read.
    pub fn rest(&mut self) -> &'a [u8] {
        let out = self.buf.get(self.pos..).unwrap_or_default();
        self.pos = self.buf.len();
        out
    }

    pub fn any_left(&self) -> bool {
        self.pos < self.buf.len()
    }

    pub fn left(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// How many bytes have been read so far.
    pub fn used(&self) -> usize {
        self.pos
    }

    /// Fails with `TrailingData(what)` if any bytes remain.
    pub fn expect_empty(&self, what: &'static str) -> Result<(), InvalidMessage> {
        if self.any_left() {
            Err(InvalidMessage::TrailingData(what))
        } else {
            Ok(())
        }
    }

    pub fn u8(&mut self, what: &'static str) -> Result<u8, InvalidMessage> {
        Ok(self.array::<1>(what)?[0])
    }

    pub fn u16(&mut self, what: &'static str) -> Result<u16, InvalidMessage> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    pub fn u24(&mut self, what: &'static str) -> Result<u32, InvalidMessage> {
        let [a, b, c] = self.array(what)?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    pub fn u32(&mut self, what: &'static str) -> Result<u32, InvalidMessage> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    pub fn u64(&mut self, what: &'static str) -> Result<u64, InvalidMessage> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }

    /// Reads a length prefix of the given size, then returns a reader over
    /// exactly that many following bytes.
    pub fn sub(
        &mut self,
        len: ListLength,
        what: &'static str,
    ) -> Result<Reader<'a>, InvalidMessage> {
        let n = match len {
            ListLength::U8 => usize::from(self.u8(what)?),
            ListLength::U16 => usize::from(self.u16(what)?),
            ListLength::U24 => self.u24(what)? as usize,
        };
        Ok(Reader::new(self.take_for(n, what)?))
    }

    /// Reads a length-prefixed opaque vector and returns its body.
    pub fn opaque(
        &mut self,
        len: ListLength,
        what: &'static str,
    ) -> Result<&'a [u8], InvalidMessage> {
        let mut sub = self.sub(len, what)?;
        Ok(sub.rest())
    }

    /// Like [`Reader::opaque`] but rejects an empty body, for the vectors
    /// whose RFC syntax has a lower bound of 1 (`<1..2^8-1>` and the like).
    pub fn opaque_nonempty(
        &mut self,
        len: ListLength,
        what: &'static str,
    ) -> Result<&'a [u8], InvalidMessage> {
        let body = self.opaque(len, what)?;
        if body.is_empty() {
            return Err(InvalidMessage::EmptyVector(what));
        }
        Ok(body)
    }

    /// Reads a length-prefixed vector of `T`, every element whole.
    pub fn list<T: Codec<'a>>(
        &mut self,
        len: ListLength,
        what: &'static str,
    ) -> Result<Vec<T>, InvalidMessage> {
        let mut sub = self.sub(len, what)?;
        let mut out = Vec::new();
        while sub.any_left() {
            out.push(T::read(&mut sub)?);
        }
        Ok(out)
    }

    /// Like [`Reader::list`] but rejects an empty list.
    pub fn list_nonempty<T: Codec<'a>>(
        &mut self,
        len: ListLength,
        what: &'static str,
    ) -> Result<Vec<T>, InvalidMessage> {
        let out = self.list(len, what)?;
        if out.is_empty() {
            return Err(InvalidMessage::EmptyVector(what));
        }
        Ok(out)
    }
}

/// The size of a vector's length prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListLength {
    U8,
    U16,
    U24,
}

impl ListLength {
    fn size(self) -> usize {
        match self {
            Self::U8 => 1,
            Self::U16 => 2,
            Self::U24 => 3,
        }
    }

    fn max(self) -> usize {
        match self {
            Self::U8 => 0xff,
            Self::U16 => 0xffff,
            Self::U24 => 0xff_ffff,
        }
    }
}

/// Writes a length prefix of the given size, then whatever `body` appends,
/// then patches the prefix with the body's length.
///
/// The encoders only build values this crate chose or received whole, so a
/// body over the prefix's range is a bug in the caller; it is caught by a
/// debug assertion and truncated to the field's maximum in release builds.
/// Where a body may hold what a peer chose, use [`try_encode_prefixed`].
pub fn encode_prefixed(out: &mut Vec<u8>, len: ListLength, body: impl FnOnce(&mut Vec<u8>)) {
    let fits = try_encode_prefixed(out, len, body);
    debug_assert!(fits, "vector too long for its length prefix");
}

/// [`encode_prefixed`] for a body that can outgrow its prefix (a ClientHello
/// echoing a server's ticket or cookie): returns whether it fit. If not,
/// the prefix is capped at the field's maximum and the encoding is wrong:
/// the caller must discard it.
#[must_use]
pub fn try_encode_prefixed(
    out: &mut Vec<u8>,
    len: ListLength,
    body: impl FnOnce(&mut Vec<u8>),
) -> bool {
    let at = out.len();
    out.extend_from_slice(&[0u8; 3][..len.size()]);
    body(out);
    let n = out.len() - at - len.size();
    let prefix = (n.min(len.max()) as u32).to_be_bytes();
    out[at..at + len.size()].copy_from_slice(&prefix[4 - len.size()..]);
    n <= len.max()
}

/// Writes a length-prefixed opaque vector.
pub fn encode_opaque(out: &mut Vec<u8>, len: ListLength, bytes: &[u8]) {
    encode_prefixed(out, len, |out| out.extend_from_slice(bytes));
}

/// Writes a length-prefixed vector of `T`.
pub fn encode_list<'a, T: Codec<'a>>(out: &mut Vec<u8>, len: ListLength, items: &[T]) {
    encode_prefixed(out, len, |out| {
        for item in items {
            item.encode(out);
        }
    });
}

/// One wire structure: how to write it and how to read it back.
///
/// `'a` is the lifetime of the received bytes, so a type may borrow from
/// them instead of copying.
pub trait Codec<'a>: Sized {
    /// Appends the encoding of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// Reads one value from the front of `r`.
    fn read(r: &mut Reader<'a>) -> Result<Self, InvalidMessage>;

    /// The encoding of `self` as a new vector.
    fn get_encoding(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Reads one value that must use all of `bytes`.
    fn read_bytes(bytes: &'a [u8]) -> Result<Self, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let out = Self::read(&mut r)?;
        r.expect_empty(
            core::any::type_name::<Self>()
                .rsplit("::")
                .next()
                .unwrap_or("message"),
        )?;
        Ok(out)
    }
}

impl Codec<'_> for u8 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        r.u8("u8")
    }
}

impl Codec<'_> for u16 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes());
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        r.u16("u16")
    }
}

impl Codec<'_> for u32 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes());
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        r.u32("u32")
    }
}

/// Appends a 24-bit big-endian integer.
pub fn encode_u24(out: &mut Vec<u8>, v: u32) {
    debug_assert!(v <= 0xff_ffff);
    out.extend_from_slice(&v.to_be_bytes()[1..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_never_pass_the_end() {
        let mut r = Reader::new(&[0, 3, 1, 2]);
        assert_eq!(
            r.sub(ListLength::U16, "x").err(),
            Some(InvalidMessage::Truncated("x"))
        );
        let mut r = Reader::new(&[0, 2, 1, 2, 9]);
        assert_eq!(r.opaque(ListLength::U16, "x"), Ok(&[1u8, 2][..]));
        assert_eq!(r.expect_empty("y"), Err(InvalidMessage::TrailingData("y")));
        assert_eq!(r.u24("z"), Err(InvalidMessage::Truncated("z")));
        assert_eq!(r.u8("w"), Ok(9));
        assert!(!r.any_left());
        assert_eq!(r.take(usize::MAX), None);
    }

    #[test]
    fn prefixed_encoding_patches_the_length() {
        let mut out = vec![0xaa];
        encode_prefixed(&mut out, ListLength::U24, |o| {
            o.extend_from_slice(&[1, 2, 3, 4])
        });
        assert_eq!(out, [0xaa, 0, 0, 4, 1, 2, 3, 4]);
        let mut out = Vec::new();
        encode_list(&mut out, ListLength::U8, &[0x0102u16, 0x0304]);
        assert_eq!(out, [4, 1, 2, 3, 4]);
        assert_eq!(
            Reader::new(&out).list::<u16>(ListLength::U8, "l"),
            Ok(vec![0x0102, 0x0304])
        );
        assert_eq!(
            Reader::new(&[3, 1, 2, 3]).list::<u16>(ListLength::U8, "l"),
            Err(InvalidMessage::Truncated("u16"))
        );
        assert_eq!(
            Reader::new(&[0]).list_nonempty::<u16>(ListLength::U8, "l"),
            Err(InvalidMessage::EmptyVector("l"))
        );
    }

    #[test]
    fn a_body_over_its_prefix_is_reported_not_panicked_on() {
        let mut out = Vec::new();
        assert!(try_encode_prefixed(&mut out, ListLength::U8, |o| o.extend_from_slice(&[7; 255])));
        assert_eq!(out[0], 255);
        let mut out = Vec::new();
        assert!(!try_encode_prefixed(&mut out, ListLength::U8, |o| o.extend_from_slice(&[7; 256])));
        assert_eq!(out.len(), 257);
    }
}
