//! The receive buffer: bytes from the transport in, whole records out.
//!
//! Records are decrypted where they lie. Application data stays there too,
//! queued as ranges of the buffer, until the reader copies it out: one copy
//! from the buffer to the caller, none in between. The buffer packs its
//! live bytes at the front only when it needs room at the end and at least
//! half of what it has filled is dead, and puts the front where a record's
//! ciphertext starts on a cache line.

use core::ops::Range;
use std::collections::VecDeque;
use std::io;

use super::copy::copy_plaintext;
use super::protect::MAX_FRAGMENT_LEN;
use super::{skip_to_aligned_payload, CACHE_LINE};
use crate::error::{Error, InvalidMessage};
use crate::msgs::codec::{Codec, Reader};
use crate::msgs::enums::ProtocolVersion;
use crate::msgs::record_header::{RecordHeader, HEADER_LEN};

/// The largest TLS 1.3 record fragment: 2^14 + 256 (RFC 8446 §5.2).
pub const MAX_TLS13_CIPHERTEXT: usize = MAX_FRAGMENT_LEN + 256;
/// The largest TLS 1.2 record fragment: 2^14 + 2048 (RFC 5246 §6.2.3).
pub const MAX_TLS12_CIPHERTEXT: usize = MAX_FRAGMENT_LEN + 2048;
/// The most bytes one record occupies on the wire, under any version.
pub const MAX_WIRE_RECORD: usize = HEADER_LEN + MAX_TLS12_CIPHERTEXT;

/// The least a read asks the transport for: enough for a typical server
/// flight, small enough not to zero-fill a whole maximal record for it.
const MIN_READ: usize = 4096;

/// The largest record fragment accepted under `version`: TLS 1.3's limit
/// once it is chosen (RFC 8446 §5.2), TLS 1.2's until then, since the
/// server may answer with either (RFC 5246 §6.2.3).
pub fn max_fragment(version: Option<ProtocolVersion>) -> usize {
    match version {
        Some(ProtocolVersion::TLSv1_3) => MAX_TLS13_CIPHERTEXT,
        _ => MAX_TLS12_CIPHERTEXT,
    }
}

/// Received bytes, and the plaintext decrypted in place among them.
#[derive(Default)]
pub struct Deframer {
    buf: Vec<u8>,
    /// Bytes before `processed` have been taken as records.
    processed: usize,
    /// Bytes before `filled` have been received.
    filled: usize,
    /// Application data in `buf`, decrypted and waiting for the reader.
    plaintext: VecDeque<Range<usize>>,
    plaintext_len: usize,
    /// Whether large records have arrived since the buffer was allocated:
    /// a bulk transfer, during which the buffer is kept between records
    /// rather than freed and allocated again for each.
    bulk: bool,
    /// The bytes of nonce between a record's header and its ciphertext
    /// under the current read keys: where [`Deframer::aligned_front`]
    /// aligns.
    explicit_nonce_len: usize,
}

/// Records larger than this mark a bulk transfer (see `Deframer::bulk`).
const BULK_RECORD: usize = 4096;

/// One record taken off the buffer: its header, and where its fragment
/// lies (an absolute range of the buffer, for [`Deframer::fragment_mut`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    pub header: RecordHeader,
    pub fragment: Range<usize>,
}

impl Deframer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads once from `rd` into the buffer. Never holds more than one
    /// maximal record of unprocessed bytes: past that it refuses with an
    /// `Other` error until [`Deframer::next_record`] takes some out.
    pub fn read_tls(&mut self, rd: &mut dyn io::Read) -> io::Result<usize> {
        let unprocessed = self.filled - self.processed;
        let limit = MAX_WIRE_RECORD.saturating_sub(unprocessed);
        if limit == 0 {
            return Err(io::Error::other(
                "received data buffer is full: process it before reading more",
            ));
        }
        self.reset_if_empty();
        // Grow the buffer only as far as the record in hand needs (a
        // handshake flight is a few KB; growing means zero-filling), but
        // read into all the room it already has.
        let needed = self.rest_of_current_record().max(MIN_READ);
        let room = self.buf.len() - self.filled;
        let want = needed.max(room).min(limit);
        self.make_room(want);
        let n = rd.read(&mut self.buf[self.filled..self.filled + want])?;
        self.filled += n;
        Ok(n)
    }

    /// The bytes still to come of the record whose header has arrived, if
    /// any.
    fn rest_of_current_record(&self) -> usize {
        match self.buf.get(self.processed..self.filled) {
            Some([_, _, _, hi, lo, rest @ ..]) => (HEADER_LEN
                + usize::from(u16::from_be_bytes([*hi, *lo])))
            .saturating_sub(HEADER_LEN + rest.len()),
            _ => 0,
        }
    }

    /// Ensures `want` free bytes at the end. When there are not, and at
    /// least half the bytes it has filled are dead (read plaintext, the
    /// headers, tags and padding of records taken, the bytes skipped to the
    /// front), the live bytes are packed together at the aligned front (see
    /// [`Deframer::pack_at`]); otherwise the buffer grows, and packs only
    /// if growing moved it.
    ///
    /// Packing when half is dead copies the live bytes (twice, in the rare
    /// move to the right) and frees at least as many, less the under 64
    /// bytes skipped to the front; so over a connection it copies at most
    /// twice what was received plus a cache line per read, however the
    /// reader and the peer go. Packing after a reallocation copies at most
    /// twice what the reallocation did. And the buffer grows only while
    /// less than half of it is dead, so its length never passes twice the
    /// most it has held live at once, plus a record (its capacity twice
    /// that, as a `Vec` grows by doubling). Without packing, a peer padding
    /// one byte of content to a full record (RFC 8446 §5.4) would make the
    /// plaintext limit hold 16,000 times its size.
    fn make_room(&mut self, want: usize) {
        if self.buf.len() - self.filled >= want {
            return;
        }
        let live_len = self.plaintext_len + (self.filled - self.processed);
        let dead_len = self.filled - live_len;
        // Room for the packed bytes wherever the front falls.
        let packed_needs = CACHE_LINE - 1 + live_len + want;
        if dead_len < live_len {
            let base = self.buf.as_ptr();
            self.buf.resize(packed_needs.max(self.filled + want), 0);
            // A reallocation has copied every byte and moved the front;
            // one more copy of the live ones puts them back on it.
            if self.buf.as_ptr() != base {
                self.pack_at(self.aligned_front());
            }
            return;
        }
        if self.buf.len() < packed_needs {
            self.buf.resize(packed_needs, 0);
        }
        self.pack_at(self.aligned_front());
    }

    /// Moves the queued plaintext and then the unprocessed bytes to lie
    /// together from `front`, in order. Runs of plaintext that end up
    /// adjacent are joined up to a record's worth, so a peer's many tiny
    /// records cannot keep as many ranges queued.
    fn pack_at(&mut self, front: usize) {
        // Pieces move left while `front` is at or before the first of
        // them; after a reallocation or a change of nonce length the front
        // may lie after it, so the bytes are first packed where they
        // start, then moved together.
        let start = self.live_start();
        let at = front.min(start);
        let mut to = at;
        let mut runs: usize = 0;
        for i in 0..self.plaintext.len() {
            let piece = self.plaintext[i].clone();
            let len = piece.len();
            self.buf.copy_within(piece, to);
            // The last run kept ends at `to`: extend it, or start another.
            if runs > 0 && self.plaintext[runs - 1].len() + len <= MAX_FRAGMENT_LEN {
                self.plaintext[runs - 1].end += len;
            } else {
                self.plaintext[runs] = to..to + len;
                runs += 1;
            }
            to += len;
        }
        self.plaintext.truncate(runs);
        let unprocessed = self.filled - self.processed;
        self.buf.copy_within(self.processed..self.filled, to);
        self.processed = to;
        self.filled = to + unprocessed;
        if at < front {
            self.buf.copy_within(at..self.filled, front);
            let moved = |pos: usize| pos - at + front;
            for r in &mut self.plaintext {
                *r = moved(r.start)..moved(r.end);
            }
            self.processed = moved(self.processed);
            self.filled = moved(self.filled);
        }
    }

    /// Where in the buffer a record should start for its ciphertext to
    /// start on a cache line (see [`CACHE_LINE`]); 0 before there is a
    /// buffer.
    fn aligned_front(&self) -> usize {
        if self.buf.is_empty() {
            return 0;
        }
        skip_to_aligned_payload(self.buf.as_ptr(), self.explicit_nonce_len)
    }

    /// Aligns the records still to come for read keys whose records carry
    /// `len` bytes of nonce before their ciphertext.
    pub fn set_explicit_nonce_len(&mut self, len: usize) {
        self.explicit_nonce_len = len;
    }

    /// The first byte still needed: queued plaintext, or else the first
    /// unprocessed byte.
    fn live_start(&self) -> usize {
        self.plaintext.front().map_or(self.processed, |r| r.start)
    }

    /// Takes the next whole record, if one has arrived, refusing a fragment
    /// over `max_fragment` (see [`max_fragment`]). The header is checked
    /// before the body is awaited, so an impossible length fails at once
    /// instead of waiting for bytes that will never come.
    pub fn next_record(&mut self, max_fragment: usize) -> Result<Option<RawRecord>, Error> {
        let pending = &self.buf[self.processed..self.filled];
        if pending.len() < HEADER_LEN {
            return Ok(None);
        }
        let header = RecordHeader::read(&mut Reader::new(&pending[..HEADER_LEN]))?;
        let len = usize::from(header.len);
        if len > max_fragment {
            return Err(InvalidMessage::RecordTooLarge.into());
        }
        if pending.len() < HEADER_LEN + len {
            return Ok(None);
        }
        let start = self.processed + HEADER_LEN;
        self.processed = start + len;
        self.bulk |= len > BULK_RECORD;
        Ok(Some(RawRecord {
            header,
            fragment: start..start + len,
        }))
    }

    /// The bytes of a record's fragment (or part of it), for decryption
    /// in place.
    pub fn fragment_mut(&mut self, range: Range<usize>) -> &mut [u8] {
        &mut self.buf[range]
    }

    /// The bytes of a record's fragment (or part of it).
    pub fn fragment(&self, range: Range<usize>) -> &[u8] {
        &self.buf[range]
    }

    /// Keeps application data (an absolute range of the buffer, from a
    /// record just taken) for the reader.
    pub fn queue_plaintext(&mut self, range: Range<usize>) {
        debug_assert!(range.end <= self.processed);
        if range.is_empty() {
            return;
        }
        self.plaintext_len += range.len();
        self.plaintext.push_back(range);
    }

    /// How many plaintext bytes wait for the reader.
    pub fn plaintext_len(&self) -> usize {
        self.plaintext_len
    }

    /// Copies queued plaintext into `out`; returns how many bytes.
    pub fn read_plaintext(&mut self, out: &mut [u8]) -> usize {
        let mut done = 0;
        while done < out.len() {
            let Some(front) = self.plaintext.front_mut() else {
                break;
            };
            let n = front.len().min(out.len() - done);
            copy_plaintext(
                &mut out[done..done + n],
                &self.buf[front.start..front.start + n],
            );
            front.start += n;
            done += n;
            if front.start == front.end {
                self.plaintext.pop_front();
            }
        }
        self.plaintext_len -= done;
        if done > 0 {
            self.after_plaintext_taken();
        }
        done
    }

    /// The first queued run of plaintext, in place in the receive buffer
    /// (empty if none): what a caller may read without a copy.
    pub fn peek_plaintext(&self) -> &[u8] {
        self.plaintext
            .front()
            .map_or(&[][..], |front| &self.buf[front.clone()])
    }

    /// Drops the first `n` bytes of [`Deframer::peek_plaintext`] (at most
    /// all of them), as read.
    pub fn consume_plaintext(&mut self, n: usize) {
        let Some(front) = self.plaintext.front_mut() else {
            return;
        };
        let n = n.min(front.len());
        if n == 0 {
            return;
        }
        front.start += n;
        if front.start == front.end {
            self.plaintext.pop_front();
        }
        self.plaintext_len -= n;
        self.after_plaintext_taken();
    }

    /// Once the reader has taken the last of the plaintext, unless a bulk
    /// transfer is under way the connection is likely idle: keep no
    /// receive buffer (the next read allocates one again). Only a read
    /// that took something says so: a caller polling for plaintext
    /// mid-handshake would otherwise free the buffer before every flight.
    fn after_plaintext_taken(&mut self) {
        if !self.bulk {
            self.release_if_empty();
        }
    }

    /// Whether bytes of an incomplete record are held (so an EOF now
    /// would truncate a record).
    pub fn has_partial_record(&self) -> bool {
        self.filled > self.processed
    }

    /// Rewinds to the aligned front once nothing in the buffer is live, so
    /// the next read needs no move. Not done when a record is taken: its
    /// fragment stays valid until the next read, for decryption and
    /// queueing.
    fn reset_if_empty(&mut self) {
        if self.plaintext.is_empty() && self.processed == self.filled {
            self.processed = self.aligned_front();
            self.filled = self.processed;
        }
    }

    /// Frees the buffer if it holds nothing live: an idle connection then
    /// keeps no receive buffer at all.
    pub fn release_if_empty(&mut self) {
        if self.plaintext.is_empty() && self.processed == self.filled {
            self.buf = Vec::new();
            self.plaintext = VecDeque::new();
            self.processed = 0;
            self.filled = 0;
            self.bulk = false;
        }
    }

    /// The bytes of buffer currently allocated.
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::{ContentType, ProtocolVersion};

    /// A seeded xorshift: numbers below its argument, the same every run.
    fn xorshift(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |bound| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % bound as u64) as usize
        }
    }

    fn record(typ: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![typ, 3, 3];
        out.extend_from_slice(&(body.len() as u16).to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    /// Feeds `input` in chunks of the given sizes and collects every
    /// record's (type, fragment).
    fn deframe(
        input: &[u8],
        chunks: &mut dyn Iterator<Item = usize>,
    ) -> Result<Vec<(u8, Vec<u8>)>, Error> {
        let mut d = Deframer::new();
        let mut rd = input;
        let mut out = Vec::new();
        loop {
            let n = chunks.next().unwrap_or(1).max(1).min(rd.len());
            let mut chunk = &rd[..n];
            rd = &rd[n..];
            while !chunk.is_empty() {
                d.read_tls(&mut chunk).unwrap();
                while let Some(r) = d.next_record(MAX_TLS12_CIPHERTEXT)? {
                    out.push((r.header.typ.to_wire(), d.fragment(r.fragment).to_vec()));
                }
            }
            if rd.is_empty() {
                assert!(!d.has_partial_record());
                return Ok(out);
            }
        }
    }

    #[test]
    fn yields_the_same_records_however_the_stream_is_cut() {
        let mut stream = Vec::new();
        let mut expect = Vec::new();
        for (i, len) in [
            0usize,
            1,
            5,
            300,
            MAX_FRAGMENT_LEN,
            17,
            MAX_TLS12_CIPHERTEXT,
        ]
        .into_iter()
        .enumerate()
        {
            let body: Vec<u8> = (0..len).map(|j| (i * 31 + j) as u8).collect();
            stream.extend(record(23, &body));
            expect.push((23u8, body));
        }
        assert_eq!(deframe(&stream, &mut std::iter::repeat(1)).unwrap(), expect);
        assert_eq!(
            deframe(&stream, &mut std::iter::repeat(usize::MAX)).unwrap(),
            expect
        );
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..200 {
            let mut cuts = std::iter::from_fn(|| Some(next(7000)));
            assert_eq!(deframe(&stream, &mut cuts).unwrap(), expect);
        }
    }

    #[test]
    fn malformed_headers_are_errors() {
        let cases: [(&[u8], InvalidMessage); 3] = [
            (b"HTTP/1.1 400", InvalidMessage::InvalidContentType(b'H')),
            (
                &[23, 2, 0, 0, 1, 0],
                InvalidMessage::InvalidRecordVersion(0x0200),
            ),
            (&[23, 3, 3, 0x48, 0x01], InvalidMessage::RecordTooLarge),
        ];
        for (input, want) in cases {
            let mut d = Deframer::new();
            d.read_tls(&mut &input[..]).unwrap();
            assert_eq!(
                d.next_record(MAX_TLS12_CIPHERTEXT),
                Err(Error::InvalidMessage(want))
            );
        }
        // After TLS 1.3 is chosen, 2^14 + 257 is too large too.
        let mut d = Deframer::new();
        d.read_tls(&mut &[23, 3, 3, 0x41, 0x01][..]).unwrap();
        let tls13 = max_fragment(Some(ProtocolVersion::TLSv1_3));
        assert_eq!(
            d.next_record(tls13),
            Err(InvalidMessage::RecordTooLarge.into())
        );
    }

    #[test]
    fn unprocessed_bytes_are_bounded() {
        let huge = vec![0x17u8; 3 * MAX_WIRE_RECORD];
        let mut d = Deframer::new();
        let mut rd = &huge[..];
        let mut total = 0;
        loop {
            match d.read_tls(&mut rd) {
                Ok(n) => total += n,
                Err(e) => {
                    assert_eq!(e.kind(), io::ErrorKind::Other);
                    break;
                }
            }
        }
        assert_eq!(total, MAX_WIRE_RECORD);
        assert!(d.capacity() <= 2 * MAX_WIRE_RECORD);
    }

    #[test]
    fn plaintext_of_the_last_record_survives_the_next_read() {
        let mut d = Deframer::new();
        d.read_tls(&mut &record(23, b"first")[..]).unwrap();
        let r = d.next_record(MAX_TLS12_CIPHERTEXT).unwrap().unwrap();
        d.queue_plaintext(r.fragment);
        d.read_tls(&mut &record(23, b"second")[..]).unwrap();
        let r = d.next_record(MAX_TLS12_CIPHERTEXT).unwrap().unwrap();
        d.queue_plaintext(r.fragment);
        let mut out = [0u8; 32];
        let n = d.read_plaintext(&mut out);
        assert_eq!(&out[..n], b"firstsecond");
    }

    #[test]
    fn plaintext_can_be_peeked_and_consumed_in_place() {
        let mut d = Deframer::new();
        assert_eq!(d.peek_plaintext(), b"");
        d.consume_plaintext(10); // nothing queued: no effect
        let mut stream = record(23, b"first");
        stream.extend(record(23, b"second"));
        d.read_tls(&mut &stream[..]).unwrap();
        while let Some(r) = d.next_record(MAX_TLS12_CIPHERTEXT).unwrap() {
            d.queue_plaintext(r.fragment);
        }
        assert_eq!(d.plaintext_len(), 11);
        // One record's run at a time, read where it was decrypted.
        assert_eq!(d.peek_plaintext(), b"first");
        d.consume_plaintext(2);
        assert_eq!(d.peek_plaintext(), b"rst");
        assert_eq!(d.plaintext_len(), 9);
        // Consuming more than the run takes just the run.
        d.consume_plaintext(100);
        assert_eq!(d.peek_plaintext(), b"second");
        // Copying reads and peeking reads share one queue.
        let mut out = [0u8; 3];
        assert_eq!(d.read_plaintext(&mut out), 3);
        assert_eq!(&out, b"sec");
        assert_eq!(d.peek_plaintext(), b"ond");
        d.consume_plaintext(3);
        assert_eq!(d.plaintext_len(), 0);
        assert_eq!(d.peek_plaintext(), b"");
        // The last of it taken, an idle connection keeps no buffer.
        assert_eq!(d.capacity(), 0);
    }

    /// Asking for plaintext when none is queued (as a caller polling
    /// mid-handshake does) keeps the buffer for the next flight.
    #[test]
    fn a_read_that_takes_nothing_keeps_the_buffer() {
        let mut d = Deframer::new();
        d.read_tls(&mut &record(22, b"flight")[..]).unwrap();
        assert!(d.next_record(MAX_TLS12_CIPHERTEXT).unwrap().is_some());
        let held = d.capacity();
        assert!(held > 0);
        assert_eq!(d.read_plaintext(&mut [0u8; 16]), 0);
        d.consume_plaintext(16);
        assert_eq!(d.capacity(), held);
    }

    /// Random record sizes, random read sizes, plaintext of random parts
    /// of each record (as padding and tags leave), read out in random
    /// amounts by copy or in place, and the read keys' nonce length
    /// changing between reads: every byte comes out once, in order. This
    /// packs and moves queued plaintext both left and (after a reallocation
    /// or a change of front) right, and grows the buffer instead where too
    /// little of it is dead.
    #[test]
    fn moves_keep_every_byte_whatever_is_queued() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for round in 0..60 {
            let mut stream = Vec::new();
            let mut kept = Vec::new();
            for _ in 0..12 {
                let len = match next(3) {
                    0 => next(40),
                    1 => next(5000),
                    _ => MAX_FRAGMENT_LEN - next(100),
                };
                let body: Vec<u8> = (0..len).map(|_| next(256) as u8).collect();
                let skip = next(len / 4 + 1);
                let keep = next(len - skip + 1);
                kept.push(skip..skip + keep);
                stream.extend(record(23, &body));
            }
            let want: Vec<u8> = {
                let mut at = 0;
                let mut want = Vec::new();
                for part in &kept {
                    let len = usize::from(u16::from_be_bytes([stream[at + 3], stream[at + 4]]));
                    want.extend_from_slice(&stream[at + HEADER_LEN..][part.clone()]);
                    at += HEADER_LEN + len;
                }
                want
            };
            let mut kept = kept.into_iter();
            let mut d = Deframer::new();
            let mut rd = &stream[..];
            let mut got = Vec::new();
            while !rd.is_empty() || d.plaintext_len() > 0 {
                if !rd.is_empty() {
                    d.set_explicit_nonce_len([0, 8][next(2)]);
                    let cut = (1 + next(20_000)).min(rd.len());
                    let mut piece = &rd[..cut];
                    // A refusal (too much unprocessed) leaves the rest.
                    if let Ok(n) = d.read_tls(&mut piece) {
                        rd = &rd[n..];
                    }
                }
                while let Some(r) = d.next_record(MAX_TLS12_CIPHERTEXT).unwrap() {
                    let part = kept.next().unwrap();
                    let at = r.fragment.start;
                    d.queue_plaintext(at + part.start..at + part.end);
                }
                if next(2) == 0 {
                    let mut out = vec![0u8; next(30_000)];
                    let n = d.read_plaintext(&mut out);
                    got.extend_from_slice(&out[..n]);
                } else {
                    let run = d.peek_plaintext();
                    let n = next(run.len() + 1);
                    got.extend_from_slice(&run[..n]);
                    d.consume_plaintext(n);
                }
            }
            assert!(got == want, "round {round}: bytes lost or reordered");
        }
    }

    /// Packing to a front before or after the first live byte (after a
    /// reallocation it can be either) keeps queued plaintext, its order,
    /// and the partial record that follows it.
    #[test]
    fn packing_moves_queued_plaintext_either_way() {
        let body = |len: usize, salt: u8| -> Vec<u8> { (0..len).map(|i| i as u8 ^ salt).collect() };
        let (a, b, c) = (body(100, 1), body(200, 2), body(300, 3));
        let mut stream = record(23, &a);
        stream.extend(record(23, &b));
        let c_record = record(23, &c);
        stream.extend_from_slice(&c_record[..HEADER_LEN + 50]);
        for shift in [-10isize, 0, 30] {
            let mut d = Deframer::new();
            d.read_tls(&mut &stream[..]).unwrap();
            let ra = d.next_record(MAX_TLS12_CIPHERTEXT).unwrap().unwrap();
            d.queue_plaintext(ra.fragment.start + 10..ra.fragment.start + 60);
            let rb = d.next_record(MAX_TLS12_CIPHERTEXT).unwrap().unwrap();
            d.queue_plaintext(rb.fragment.start..rb.fragment.start + 150);
            assert_eq!(d.next_record(MAX_TLS12_CIPHERTEXT).unwrap(), None);

            let front = d.live_start().checked_add_signed(shift).unwrap();
            d.pack_at(front);
            assert_eq!(d.live_start(), front, "shift {shift}");
            // The two runs now touch, and are joined.
            assert_eq!(d.plaintext.len(), 1);

            d.read_tls(&mut &c_record[HEADER_LEN + 50..]).unwrap();
            let rc = d.next_record(MAX_TLS12_CIPHERTEXT).unwrap().unwrap();
            assert_eq!(d.fragment(rc.fragment), &c[..]);
            let mut out = [0u8; 400];
            let n = d.read_plaintext(&mut out);
            assert_eq!(&out[..n], [&a[10..60], &b[..150]].concat());
        }
    }

    /// Feeds `stream` to `d` as a connection reads it, taking the first
    /// byte of each record as its plaintext (the rest standing for padding
    /// and tag) and reading none of it out; `after_read` sees the buffer
    /// after each read. Returns how many records were taken.
    fn queue_first_byte_of_each(
        d: &mut Deframer,
        stream: &[u8],
        mut after_read: impl FnMut(&Deframer),
    ) -> usize {
        let mut rd = stream;
        let mut records = 0;
        while !rd.is_empty() {
            d.read_tls(&mut rd).unwrap();
            while let Some(r) = d.next_record(MAX_TLS13_CIPHERTEXT).unwrap() {
                d.queue_plaintext(r.fragment.start..r.fragment.start + 1);
                records += 1;
            }
            after_read(d);
        }
        records
    }

    /// A peer's records may carry far less plaintext than they occupy
    /// (TLS 1.3 padding, RFC 8446 §5.4). While their plaintext waits for
    /// the reader, the buffer keeps that plaintext and what is still
    /// unprocessed, not the records it came in: 2,000 maximal records of
    /// one byte each hold about 2 KB of plaintext, not 33 MB of records.
    #[test]
    fn padded_records_do_not_hold_their_size_in_memory() {
        let mut d = Deframer::new();
        let body = vec![0x17u8; MAX_TLS13_CIPHERTEXT];
        let mut stream = Vec::new();
        for _ in 0..2000 {
            stream.extend(record(23, &body));
        }
        let queued = queue_first_byte_of_each(&mut d, &stream, |_| {});
        assert_eq!((queued, d.plaintext_len()), (2000, 2000));
        assert!(
            d.capacity() <= 4 * MAX_WIRE_RECORD,
            "{} bytes held for 2000 bytes of plaintext",
            d.capacity()
        );
        let mut out = vec![0u8; 4000];
        assert_eq!(d.read_plaintext(&mut out), 2000);
        assert!(out[..2000].iter().all(|b| *b == 0x17));
    }

    /// Tiny records (one byte of content in 23 bytes) queue one run of
    /// plaintext each; packing joins the runs, so the queue of runs stays
    /// near what the buffer's unpacked bytes can hold (a few thousand
    /// here), not one per record ever received (50,000).
    #[test]
    fn tiny_records_do_not_queue_a_run_each() {
        let mut d = Deframer::new();
        let mut stream = Vec::new();
        let mut want = Vec::new();
        for i in 0..50_000u32 {
            let body = [i as u8; 18];
            stream.extend(record(23, &body));
            want.push(i as u8);
        }
        let mut most_runs = 0;
        queue_first_byte_of_each(&mut d, &stream, |d| {
            most_runs = most_runs.max(d.plaintext.len());
        });
        assert!(most_runs <= 5_000, "{most_runs} runs queued");
        // Live bytes twice over plus a record, and Vec's doubling on top.
        let bound = 4 * (50_000 + MAX_WIRE_RECORD);
        assert!(d.capacity() <= bound, "{} bytes held", d.capacity());
        let mut got = vec![0u8; 60_000];
        assert_eq!(d.read_plaintext(&mut got), 50_000);
        assert!(got[..50_000] == want[..], "plaintext lost or reordered");
    }

    #[test]
    fn queued_plaintext_survives_compaction_and_is_read_once() {
        let mut d = Deframer::new();
        let mut stream = Vec::new();
        for i in 0..5u8 {
            stream.extend(record(23, &vec![i; 10_000]));
        }
        let mut rd = &stream[..];
        let mut got = Vec::new();
        while !rd.is_empty() || d.plaintext_len() > 0 {
            if !rd.is_empty() {
                d.read_tls(&mut rd).unwrap();
            }
            while let Some(r) = d.next_record(MAX_TLS12_CIPHERTEXT).unwrap() {
                assert_eq!(r.header.typ, ContentType::ApplicationData);
                assert_eq!(r.header.version, ProtocolVersion::TLSv1_2);
                d.queue_plaintext(r.fragment);
            }
            let mut out = [0u8; 7_000];
            let n = d.read_plaintext(&mut out);
            got.extend_from_slice(&out[..n]);
        }
        let want: Vec<u8> = (0..5u8).flat_map(|i| vec![i; 10_000]).collect();
        assert_eq!(got, want);
        d.release_if_empty();
        assert_eq!(d.capacity(), 0);
    }

    /// A stream of maximal records read as a connection reads it (as much
    /// as the buffer takes, plaintext read out before the next read): each
    /// record starts either at a rewound buffer or moved to its front, so
    /// every ciphertext starts on a cache line, after TLS 1.2 AES-GCM's
    /// explicit nonce too.
    #[test]
    fn bulk_records_land_aligned() {
        for explicit in [0, 8] {
            let mut d = Deframer::new();
            d.set_explicit_nonce_len(explicit);
            let mut stream = Vec::new();
            let fragment_len = MAX_FRAGMENT_LEN + explicit + 16;
            for i in 0..9u8 {
                stream.extend(record(23, &vec![i; fragment_len]));
            }
            let mut rd = &stream[..];
            let mut records = 0;
            while !rd.is_empty() {
                d.read_tls(&mut rd).unwrap();
                while let Some(r) = d.next_record(MAX_TLS12_CIPHERTEXT).unwrap() {
                    let fragment = d.fragment(r.fragment.clone());
                    let ciphertext_at = fragment.as_ptr() as usize + explicit;
                    assert_eq!(ciphertext_at % CACHE_LINE, 0, "record {records}");
                    assert!(fragment.iter().all(|b| *b == records as u8));
                    d.queue_plaintext(r.fragment);
                    records += 1;
                }
                let mut out = vec![0u8; fragment_len];
                while d.read_plaintext(&mut out) > 0 {}
            }
            assert_eq!(records, 9);
        }
    }
}
