//! The send buffer: outgoing records are built, fragmented and encrypted
//! here in place, then drained to the transport by `write_tls`.

use std::io;

use super::protect::{RecordEncrypter, MAX_FRAGMENT_LEN};
use super::{skip_to_aligned_payload, CACHE_LINE};
use crate::error::Error;
use crate::msgs::enums::{ContentType, ProtocolVersion};
use crate::msgs::record_header::RecordHeader;

/// The capacity up to which a drained send buffer is freed at once.
const SMALL_BUFFER: usize = 4096;

/// Bytes waiting for the transport.
#[derive(Debug, Default)]
pub struct SendBuffer {
    buf: Vec<u8>,
    /// Bytes before `sent` have been written to the transport.
    sent: usize,
    /// The most plaintext per record (RFC 8446 §5.1: at most 2^14).
    max_fragment: usize,
}

impl SendBuffer {
    /// A send buffer that puts at most `max_fragment` plaintext bytes in a
    /// record (clamped to 1..=2^14).
    pub fn new(max_fragment: usize) -> Self {
        Self {
            buf: Vec::new(),
            sent: 0,
            max_fragment: max_fragment.clamp(1, MAX_FRAGMENT_LEN),
        }
    }

    pub fn max_fragment(&self) -> usize {
        self.max_fragment
    }

    /// Appends `data` as unprotected records of type `typ` (the ClientHello,
    /// a ChangeCipherSpec, an alert before keys exist).
    pub fn push_plain(&mut self, typ: ContentType, version: ProtocolVersion, data: &[u8]) {
        let records = data.len().div_ceil(self.max_fragment).max(1);
        self.buf.reserve(data.len() + records * 5);
        for chunk in chunks(data, self.max_fragment) {
            let header = RecordHeader {
                typ,
                version,
                len: chunk.len() as u16,
            };
            self.buf.extend_from_slice(&header.to_bytes());
            self.buf.extend_from_slice(chunk);
        }
    }

    /// Appends `data` as protected records of type `typ`. Only application
    /// data may be empty (it then becomes one empty record).
    pub fn push_protected(
        &mut self,
        enc: &mut RecordEncrypter,
        typ: ContentType,
        data: &[u8],
    ) -> Result<(), Error> {
        let records = data.len().div_ceil(self.max_fragment).max(1);
        self.buf
            .reserve(data.len() + records * enc.overhead() + CACHE_LINE);
        if self.buf.is_empty() {
            self.align_first_payload(enc.explicit_nonce_len());
        }
        chunks(data, self.max_fragment)
            .try_for_each(|chunk| enc.seal_record(typ, chunk, &mut self.buf))
    }

    /// Starts an empty buffer's first record where its ciphertext begins a
    /// cache line (see [`CACHE_LINE`]). The bytes skipped are never sent.
    fn align_first_payload(&mut self, explicit_nonce_len: usize) {
        let skip = skip_to_aligned_payload(self.buf.as_ptr(), explicit_nonce_len);
        self.buf.resize(skip, 0);
        self.sent = skip;
    }

    /// Bytes not yet written to the transport.
    pub fn len(&self) -> usize {
        self.buf.len() - self.sent
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes once to `wr`; returns how many bytes it took.
    pub fn write_tls(&mut self, wr: &mut dyn io::Write) -> io::Result<usize> {
        if self.is_empty() {
            return Ok(0);
        }
        let n = wr.write(&self.buf[self.sent..])?;
        self.sent += n;
        if self.sent == self.buf.len() {
            self.buf.clear();
            self.sent = 0;
        }
        Ok(n)
    }

    /// Frees the buffer after small traffic (handshake messages, alerts,
    /// short writes) once nothing is waiting in it; a buffer that has held
    /// whole records is kept for the next ones, until
    /// [`SendBuffer::release_if_empty`] says otherwise.
    pub fn release_if_small_and_empty(&mut self) {
        if self.buf.capacity() <= SMALL_BUFFER {
            self.release_if_empty();
        }
    }

    /// Frees the buffer if nothing is waiting in it.
    pub fn release_if_empty(&mut self) {
        if self.is_empty() {
            self.buf = Vec::new();
            self.sent = 0;
        }
    }

    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }
}

/// `data` in pieces of at most `max` bytes; one empty piece for empty data.
fn chunks(data: &[u8], max: usize) -> impl Iterator<Item = &[u8]> {
    let empty = data.is_empty().then_some(data);
    data.chunks(max).chain(empty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::aead::{AeadAlgorithm, AeadKey};
    use crate::msgs::record_header::HEADER_LEN;
    use crate::record::deframer::{max_fragment, Deframer, MAX_TLS12_CIPHERTEXT};
    use crate::record::protect::{Iv, RecordDecrypter};

    #[test]
    fn fragments_and_drains_in_partial_writes() {
        let mut sb = SendBuffer::new(1000);
        let data: Vec<u8> = (0..2500u32).map(|i| i as u8).collect();
        sb.push_plain(ContentType::Handshake, ProtocolVersion::TLSv1_0, &data);
        assert_eq!(sb.len(), 2500 + 3 * 5);
        let mut wire = Vec::new();
        while !sb.is_empty() {
            let mut small = [0u8; 333];
            let n = sb.write_tls(&mut &mut small[..]).unwrap();
            wire.extend_from_slice(&small[..n]);
        }
        let mut d = Deframer::new();
        let mut rd = &wire[..];
        let mut got = Vec::new();
        let mut sizes = Vec::new();
        while !rd.is_empty() {
            d.read_tls(&mut rd).unwrap();
            while let Some(r) = d.next_record(MAX_TLS12_CIPHERTEXT).unwrap() {
                assert_eq!(r.header.version, ProtocolVersion::TLSv1_0);
                sizes.push(r.fragment.len());
                got.extend_from_slice(d.fragment(r.fragment));
            }
        }
        assert_eq!(sizes, [1000, 1000, 500]);
        assert_eq!(got, data);
    }

    /// A protected record put in an empty buffer starts its ciphertext on
    /// a cache line (past TLS 1.2 AES-GCM's explicit nonce too), and the
    /// bytes skipped to get there are never sent.
    #[test]
    fn a_fresh_record_ciphertext_starts_a_cache_line() {
        let key = || AeadKey::new(AeadAlgorithm::Aes128Gcm, &[5; 16]).unwrap();
        let cases = [
            (RecordEncrypter::tls13(key(), Iv::new([1; 12])), 0, 1),
            (RecordEncrypter::tls12(key(), &[1; 4], 8).unwrap(), 8, 0),
        ];
        for (mut enc, explicit, content_type) in cases {
            let mut sb = SendBuffer::new(MAX_FRAGMENT_LEN);
            for round in 0..3 {
                sb.push_protected(&mut enc, ContentType::ApplicationData, &[7; 1000])
                    .unwrap();
                let record = &sb.buf[sb.sent..];
                assert_eq!(record[0], 23, "round {round}: the record comes first");
                let ciphertext_at = record.as_ptr() as usize + HEADER_LEN + explicit;
                assert_eq!(ciphertext_at % CACHE_LINE, 0, "explicit nonce {explicit}");
                let mut wire = Vec::new();
                while sb.write_tls(&mut wire).unwrap() > 0 {}
                assert_eq!(wire.len(), HEADER_LEN + explicit + 1000 + content_type + 16);
                assert_eq!(wire[..3], [23, 3, 3]);
                assert!(sb.is_empty());
            }
        }
    }

    #[test]
    fn protected_records_respect_the_fragment_limit() {
        let key = || AeadKey::new(AeadAlgorithm::Aes128Gcm, &[5; 16]).unwrap();
        let mut enc = RecordEncrypter::tls13(key(), Iv::new([1; 12]));
        let mut dec = RecordDecrypter::tls13(key(), Iv::new([1; 12]));
        let mut sb = SendBuffer::new(usize::MAX);
        assert_eq!(sb.max_fragment(), MAX_FRAGMENT_LEN);
        let data = vec![0xabu8; 40_000];
        sb.push_protected(&mut enc, ContentType::ApplicationData, &data)
            .unwrap();
        sb.push_protected(&mut enc, ContentType::ApplicationData, &[])
            .unwrap();
        let mut wire = Vec::new();
        while sb.write_tls(&mut wire).unwrap() > 0 {}
        let mut d = Deframer::new();
        let tls13 = max_fragment(Some(ProtocolVersion::TLSv1_3));
        let mut rd = &wire[..];
        let mut lens = Vec::new();
        while !rd.is_empty() {
            d.read_tls(&mut rd).unwrap();
            while let Some(r) = d.next_record(tls13).unwrap() {
                let (typ, range) = dec
                    .open_in_place(&r.header, d.fragment_mut(r.fragment))
                    .unwrap();
                assert_eq!(typ, ContentType::ApplicationData);
                lens.push(range.len());
            }
        }
        assert_eq!(lens, [16384, 16384, 40_000 - 32768, 0]);
        sb.release_if_empty();
        assert_eq!(sb.capacity(), 0);
    }
}
