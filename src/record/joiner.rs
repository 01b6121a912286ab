//! Handshake messages out of handshake records: several messages may share
//! one record, and one message may span several (RFC 8446 §5.1).

use crate::error::{Error, InvalidMessage};

/// The length of a handshake message header: type and 24-bit length.
pub const HANDSHAKE_HEADER_LEN: usize = 4;

/// The default limit on one handshake message's body. Certificate chains
/// are the largest messages a client receives; 64 KiB holds any chain
/// seen in practice while bounding what a hostile length can make us buffer.
pub const DEFAULT_MAX_HANDSHAKE_LEN: usize = 0xffff;

/// What the joiner reserves when it first needs a buffer: a typical
/// server flight (a certificate chain or two) fits.
const FIRST_ALLOCATION: usize = 4096;

/// Collects handshake record contents and hands out whole messages.
#[derive(Debug)]
pub struct HandshakeJoiner {
    buf: Vec<u8>,
    /// Bytes before `start` have been handed out.
    start: usize,
    max_message: usize,
}

impl Default for HandshakeJoiner {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_HANDSHAKE_LEN)
    }
}

impl HandshakeJoiner {
    pub fn new(max_message: usize) -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            max_message,
        }
    }

    /// Adds the plaintext of one handshake record. Each message header is
    /// checked as soon as it is complete, so an announced length over the
    /// limit fails before its body is buffered.
    pub fn push(&mut self, fragment: &[u8]) -> Result<(), Error> {
        // RFC 8446 §5.1: handshake records are never empty.
        if fragment.is_empty() {
            return Err(InvalidMessage::EmptyRecord.into());
        }
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        if self.buf.capacity() == 0 {
            // One allocation for a whole server flight in the usual case.
            self.buf.reserve(fragment.len().max(FIRST_ALLOCATION));
        }
        self.buf.extend_from_slice(fragment);
        self.check_lengths()
    }

    /// The length of the whole handshake message at the start of
    /// `bytes`, header included, or `None` if `bytes` holds only part of
    /// it. Fails if the header announces more than the limit.
    pub fn whole_message_len(&self, bytes: &[u8]) -> Result<Option<usize>, Error> {
        Ok(self
            .checked_message_len(bytes)?
            .filter(|&whole| whole <= bytes.len()))
    }

    fn check_lengths(&self) -> Result<(), Error> {
        let mut at = self.start;
        // `at` passes the end once the last message is partial.
        while let Some(whole) = self.checked_message_len(self.buf.get(at..).unwrap_or_default())? {
            at += whole;
        }
        Ok(())
    }

    /// The length, header included, that the message header at the start
    /// of `bytes` announces (`None` until the header is whole), refused
    /// over the limit.
    fn checked_message_len(&self, bytes: &[u8]) -> Result<Option<usize>, Error> {
        let Some(header) = bytes.get(..HANDSHAKE_HEADER_LEN) else {
            return Ok(None);
        };
        let body = body_len(header);
        if body > self.max_message {
            return Err(InvalidMessage::HandshakeMessageTooLarge.into());
        }
        Ok(Some(HANDSHAKE_HEADER_LEN + body))
    }

    /// The next whole message (header and body, as received: the bytes the
    /// transcript hashes), if one is complete.
    pub fn pop(&mut self) -> Option<&[u8]> {
        self.pop_noting_rest().map(|(message, _)| message)
    }

    /// Like [`HandshakeJoiner::pop`], and says whether more bytes follow
    /// the message (which, since records are pushed whole, came in the
    /// same record as its end).
    pub fn pop_noting_rest(&mut self) -> Option<(&[u8], bool)> {
        let pending = &self.buf[self.start..];
        let header = pending.get(..HANDSHAKE_HEADER_LEN)?;
        let whole = pending.get(..HANDSHAKE_HEADER_LEN + body_len(header))?;
        let more = pending.len() > whole.len();
        self.start += whole.len();
        Some((whole, more))
    }

    /// Whether no partial message is held. A key change, or a record of
    /// another type, while this is false breaks RFC 8446 §5.1.
    pub fn is_empty(&self) -> bool {
        self.start == self.buf.len()
    }

    /// Frees the buffer; for when the handshake is over and empty.
    pub fn release_if_empty(&mut self) {
        if self.is_empty() {
            self.buf = Vec::new();
            self.start = 0;
        }
    }
}

/// The body length a handshake message header (type, then a 24-bit
/// length) announces.
fn body_len(header: &[u8]) -> usize {
    match header {
        [_, a, b, c, ..] => u32::from_be_bytes([0, *a, *b, *c]) as usize,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(typ: u8, body_len: usize) -> Vec<u8> {
        let mut m = vec![typ];
        m.extend_from_slice(&(body_len as u32).to_be_bytes()[1..]);
        m.extend((0..body_len).map(|i| i as u8));
        m
    }

    #[test]
    fn joins_and_splits_at_any_cut() {
        let msgs = [
            message(2, 90),
            message(8, 0),
            message(11, 3000),
            message(20, 32),
        ];
        let stream: Vec<u8> = msgs.concat();
        for cut in [1usize, 3, 4, 5, 89, 1000, stream.len()] {
            let mut j = HandshakeJoiner::default();
            let mut got = Vec::new();
            for chunk in stream.chunks(cut) {
                j.push(chunk).unwrap();
                while let Some(m) = j.pop() {
                    got.push(m.to_vec());
                }
            }
            assert_eq!(got, msgs, "cut {cut}");
            assert!(j.is_empty());
        }
    }

    #[test]
    fn hostile_lengths_fail_before_buffering() {
        let mut j = HandshakeJoiner::new(1000);
        assert_eq!(
            j.push(&[11, 0xff, 0xff, 0xff]),
            Err(InvalidMessage::HandshakeMessageTooLarge.into())
        );
        let mut j = HandshakeJoiner::new(1000);
        let mut two = message(2, 10);
        two.extend_from_slice(&[11, 0, 0x03]);
        j.push(&two).unwrap();
        assert_eq!(
            j.push(&[0xe9]),
            Err(InvalidMessage::HandshakeMessageTooLarge.into())
        );
        assert_eq!(j.push(&[]), Err(InvalidMessage::EmptyRecord.into()));
    }

    #[test]
    fn partial_message_is_visible() {
        let mut j = HandshakeJoiner::default();
        j.push(&message(20, 32)[..10]).unwrap();
        assert!(j.pop().is_none());
        assert!(!j.is_empty());
    }
}
