//! Record protection: TLS 1.3 (RFC 8446 §5.2, §5.3) and the TLS 1.2 AEAD
//! suites (RFC 5246 §6.2.3.3 with RFC 5288 §3 for AES-GCM and RFC 7905 §2
//! for ChaCha20-Poly1305).
//!
//! Both directions work in place: a received fragment is decrypted where it
//! lies in the receive buffer, and an outgoing record is built and
//! encrypted where it lies in the send buffer.

use core::ops::Range;

use super::copy::extend_plaintext;
use crate::crypto::aead::{AeadKey, NONCE_LEN, TAG_LEN};
use crate::error::{Error, InvalidMessage, PeerMisbehaved};
use crate::msgs::enums::{AlertDescription, ContentType, ProtocolVersion};
use crate::msgs::record_header::{RecordHeader, HEADER_LEN};

/// The most plaintext one record may carry (RFC 8446 §5.1, RFC 5246 §6.2.1).
pub const MAX_FRAGMENT_LEN: usize = 1 << 14;

/// The static IV of one direction, wiped on drop.
#[derive(Clone)]
pub struct Iv([u8; NONCE_LEN]);

impl Iv {
    pub fn new(bytes: [u8; NONCE_LEN]) -> Self {
        Self(bytes)
    }
}

impl Drop for Iv {
    fn drop(&mut self) {
        crate::crypto::secret::wipe(&mut self.0);
    }
}

/// How a version protects records, beyond the AEAD itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    /// RFC 8446 §5.2: inner content type, header as AAD, nonce = IV ⊕ seq.
    Tls13,
    /// RFC 5288 §3: 4-byte implicit salt plus an 8-byte explicit nonce sent
    /// in front of the ciphertext.
    Tls12ExplicitNonce,
    /// RFC 7905 §2: nonce = 12-byte IV ⊕ seq, nothing explicit.
    Tls12XorNonce,
}

/// One direction's keys and sequence number.
struct DirectionKeys {
    key: AeadKey,
    iv: Iv,
    seq: u64,
    scheme: Scheme,
}

impl DirectionKeys {
    fn tls13(key: AeadKey, iv: Iv) -> Self {
        Self {
            key,
            iv,
            seq: 0,
            scheme: Scheme::Tls13,
        }
    }

    fn tls12(key: AeadKey, iv: &[u8], explicit_nonce_len: usize) -> Result<Self, Error> {
        let mut full = [0u8; NONCE_LEN];
        let scheme = match (iv.len(), explicit_nonce_len) {
            (4, 8) => {
                full[..4].copy_from_slice(iv);
                Scheme::Tls12ExplicitNonce
            }
            (NONCE_LEN, 0) => {
                full.copy_from_slice(iv);
                Scheme::Tls12XorNonce
            }
            _ => return Err(Error::General("unsupported TLS 1.2 nonce layout".into())),
        };
        Ok(Self {
            key,
            iv: Iv(full),
            seq: 0,
            scheme,
        })
    }

    /// The nonce for sequence number `seq`: the IV with the big-endian
    /// sequence number xored into its last eight bytes (RFC 8446 §5.3,
    /// RFC 7905 §2).
    fn xor_nonce(&self, seq: u64) -> [u8; NONCE_LEN] {
        let mut nonce = self.iv.0;
        for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
            *n ^= s;
        }
        nonce
    }

    /// RFC 8446 §5.3 and RFC 5246 §6.1: sequence numbers never wrap. The
    /// last value is refused rather than used, so the counter can never
    /// be asked to step past it.
    fn take_seq(&mut self) -> Option<u64> {
        let seq = self.seq;
        self.seq = seq.checked_add(1).filter(|s| *s != u64::MAX)?;
        Some(seq)
    }

    /// The bytes of nonce a record carries between its header and its
    /// ciphertext (RFC 5288 §3).
    fn explicit_nonce_len(&self) -> usize {
        match self.scheme {
            Scheme::Tls12ExplicitNonce => 8,
            Scheme::Tls13 | Scheme::Tls12XorNonce => 0,
        }
    }
}

/// Removes protection from received records.
pub struct RecordDecrypter {
    keys: DirectionKeys,
}

impl RecordDecrypter {
    /// TLS 1.3 read keys.
    pub fn tls13(key: AeadKey, iv: Iv) -> Self {
        Self {
            keys: DirectionKeys::tls13(key, iv),
        }
    }

    /// TLS 1.2 read keys: `iv` is the suite's fixed IV from the key block
    /// (4 bytes for AES-GCM with an 8-byte explicit nonce, 12 for
    /// ChaCha20-Poly1305 with none).
    pub fn tls12(key: AeadKey, iv: &[u8], explicit_nonce_len: usize) -> Result<Self, Error> {
        Ok(Self {
            keys: DirectionKeys::tls12(key, iv, explicit_nonce_len)?,
        })
    }

    /// The number of records opened so far under these keys.
    pub fn sequence_number(&self) -> u64 {
        self.keys.seq
    }

    /// The bytes between a record's header and its ciphertext.
    pub fn explicit_nonce_len(&self) -> usize {
        self.keys.explicit_nonce_len()
    }

    /// Decrypts `fragment` (the bytes after `header`) in place. Returns the
    /// true content type and where the plaintext lies within `fragment`.
    pub fn open_in_place(
        &mut self,
        header: &RecordHeader,
        fragment: &mut [u8],
    ) -> Result<(ContentType, Range<usize>), Error> {
        let seq = self.keys.take_seq().ok_or(PeerMisbehaved::Other(
            "peer sent more records than one key may protect",
            AlertDescription::UnexpectedMessage,
        ))?;
        match self.keys.scheme {
            Scheme::Tls13 => self.open_tls13(header, seq, fragment),
            _ => self.open_tls12(header, seq, fragment),
        }
    }

    fn open_tls13(
        &mut self,
        header: &RecordHeader,
        seq: u64,
        fragment: &mut [u8],
    ) -> Result<(ContentType, Range<usize>), Error> {
        // RFC 8446 §5.2: the AAD is the record header as received.
        let nonce = self.keys.xor_nonce(seq);
        let aad = header.to_bytes();
        let inner = self.keys.key.open_in_place(nonce, &aad, fragment)?;
        // RFC 8446 §5.2: TLSInnerPlaintext may not exceed 2^14 + 1 bytes.
        if inner.len() > MAX_FRAGMENT_LEN + 1 {
            return Err(InvalidMessage::RecordTooLarge.into());
        }
        // RFC 8446 §5.4: the content type is the last non-zero byte; a
        // record of nothing but zeros is unexpected_message.
        let type_at = inner
            .iter()
            .rposition(|b| *b != 0)
            .ok_or(InvalidMessage::NoContentType)?;
        let typ = ContentType::from(inner[type_at]);
        if let ContentType::Unknown(t) = typ {
            return Err(InvalidMessage::InvalidContentType(t).into());
        }
        // RFC 8446 §5.4: only application data may be empty.
        if type_at == 0 && typ != ContentType::ApplicationData {
            return Err(InvalidMessage::EmptyRecord.into());
        }
        Ok((typ, 0..type_at))
    }

    fn open_tls12(
        &mut self,
        header: &RecordHeader,
        seq: u64,
        fragment: &mut [u8],
    ) -> Result<(ContentType, Range<usize>), Error> {
        let explicit = self.keys.explicit_nonce_len();
        // A fragment too short to hold the nonce and the tag cannot be
        // authentic (RFC 5246 §6.2.3.3).
        let plain_len = fragment
            .len()
            .checked_sub(explicit + TAG_LEN)
            .ok_or(Error::DecryptError)?;
        if plain_len > MAX_FRAGMENT_LEN {
            return Err(InvalidMessage::RecordTooLarge.into());
        }
        let nonce = match self.keys.scheme {
            Scheme::Tls12ExplicitNonce => {
                let mut n = self.keys.iv.0;
                n[4..].copy_from_slice(&fragment[..8]);
                n
            }
            _ => self.keys.xor_nonce(seq),
        };
        let aad = tls12_aad(seq, header.typ, header.version, plain_len);
        let plain = self
            .keys
            .key
            .open_in_place(nonce, &aad, &mut fragment[explicit..])?;
        debug_assert_eq!(plain.len(), plain_len);
        Ok((header.typ, explicit..explicit + plain_len))
    }
}

/// RFC 5246 §6.2.3.3: additional_data = seq_num + type + version + length.
fn tls12_aad(seq: u64, typ: ContentType, version: ProtocolVersion, len: usize) -> [u8; 13] {
    let mut aad = [0u8; 13];
    aad[..8].copy_from_slice(&seq.to_be_bytes());
    aad[8] = typ.to_wire();
    aad[9..11].copy_from_slice(&version.to_wire().to_be_bytes());
    aad[11..].copy_from_slice(&(len as u16).to_be_bytes());
    aad
}

/// Adds protection to outgoing records.
pub struct RecordEncrypter {
    keys: DirectionKeys,
}

impl RecordEncrypter {
    /// TLS 1.3 write keys.
    pub fn tls13(key: AeadKey, iv: Iv) -> Self {
        Self {
            keys: DirectionKeys::tls13(key, iv),
        }
    }

    /// TLS 1.2 write keys; see [`RecordDecrypter::tls12`].
    pub fn tls12(key: AeadKey, iv: &[u8], explicit_nonce_len: usize) -> Result<Self, Error> {
        Ok(Self {
            keys: DirectionKeys::tls12(key, iv, explicit_nonce_len)?,
        })
    }

    /// The number of records sealed so far under these keys.
    pub fn sequence_number(&self) -> u64 {
        self.keys.seq
    }

    /// The bytes between a record's header and its ciphertext.
    pub fn explicit_nonce_len(&self) -> usize {
        self.keys.explicit_nonce_len()
    }

    /// How many more records these keys may seal.
    pub fn records_left(&self) -> u64 {
        u64::MAX - 1 - self.keys.seq
    }

    /// The bytes a record adds around `plaintext_len` bytes of content.
    pub fn overhead(&self) -> usize {
        let content_type = usize::from(self.keys.scheme == Scheme::Tls13);
        HEADER_LEN + self.keys.explicit_nonce_len() + content_type + TAG_LEN
    }

    /// Appends one protected record carrying `plaintext` (at most
    /// `MAX_FRAGMENT_LEN` bytes) of type `typ` to `out`. The plaintext is
    /// copied once, into `out`, and encrypted there.
    pub fn seal_record(
        &mut self,
        typ: ContentType,
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        debug_assert!(plaintext.len() <= MAX_FRAGMENT_LEN);
        let seq = self.keys.take_seq().ok_or(Error::EncryptError)?;
        let start = out.len();
        let payload_len = self.overhead() - HEADER_LEN + plaintext.len();
        // RFC 8446 §5.2: a protected TLS 1.3 record is always labelled
        // application_data with version 0x0303; TLS 1.2 labels it truly.
        let header = RecordHeader {
            typ: match self.keys.scheme {
                Scheme::Tls13 => ContentType::ApplicationData,
                _ => typ,
            },
            version: ProtocolVersion::TLSv1_2,
            len: payload_len as u16,
        };
        out.reserve(HEADER_LEN + payload_len);
        out.extend_from_slice(&header.to_bytes());
        let (nonce, aad_buf, aad_len, body_at) = match self.keys.scheme {
            Scheme::Tls13 => {
                let mut aad = [0u8; 13];
                aad[..HEADER_LEN].copy_from_slice(&header.to_bytes());
                (
                    self.keys.xor_nonce(seq),
                    aad,
                    HEADER_LEN,
                    start + HEADER_LEN,
                )
            }
            Scheme::Tls12ExplicitNonce => {
                // The explicit nonce is the sequence number: unique per key,
                // which is all RFC 5288 §3 asks.
                out.extend_from_slice(&seq.to_be_bytes());
                let mut nonce = self.keys.iv.0;
                nonce[4..].copy_from_slice(&seq.to_be_bytes());
                let aad = tls12_aad(seq, typ, header.version, plaintext.len());
                (nonce, aad, 13, start + HEADER_LEN + 8)
            }
            Scheme::Tls12XorNonce => {
                let aad = tls12_aad(seq, typ, header.version, plaintext.len());
                (self.keys.xor_nonce(seq), aad, 13, start + HEADER_LEN)
            }
        };
        extend_plaintext(out, plaintext);
        if self.keys.scheme == Scheme::Tls13 {
            out.push(typ.to_wire());
        }
        let tag = self
            .keys
            .key
            .seal_in_place(nonce, &aad_buf[..aad_len], &mut out[body_at..])?;
        out.extend_from_slice(&tag);
        debug_assert_eq!(out.len() - start, HEADER_LEN + payload_len);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::aead::AeadAlgorithm;
    use crate::msgs::codec::Codec;

    fn pair(alg: AeadAlgorithm, tls13: bool) -> (RecordEncrypter, RecordDecrypter) {
        let key = vec![0x42; alg.key_len()];
        let mk = || AeadKey::new(alg, &key).unwrap();
        if tls13 {
            let iv = Iv::new([9; 12]);
            (
                RecordEncrypter::tls13(mk(), iv.clone()),
                RecordDecrypter::tls13(mk(), iv),
            )
        } else {
            let (iv, explicit): (&[u8], usize) = match alg {
                AeadAlgorithm::ChaCha20Poly1305 => (&[7; 12], 0),
                _ => (&[7; 4], 8),
            };
            (
                RecordEncrypter::tls12(mk(), iv, explicit).unwrap(),
                RecordDecrypter::tls12(mk(), iv, explicit).unwrap(),
            )
        }
    }

    fn open(dec: &mut RecordDecrypter, record: &mut [u8]) -> Result<(ContentType, Vec<u8>), Error> {
        let header = RecordHeader::read_bytes(&record[..HEADER_LEN]).unwrap();
        let (typ, range) = dec.open_in_place(&header, &mut record[HEADER_LEN..])?;
        Ok((typ, record[HEADER_LEN..][range].to_vec()))
    }

    #[test]
    fn every_scheme_round_trips_and_detects_tampering() {
        for alg in [
            AeadAlgorithm::Aes128Gcm,
            AeadAlgorithm::Aes256Gcm,
            AeadAlgorithm::ChaCha20Poly1305,
        ] {
            for tls13 in [true, false] {
                let (mut enc, mut dec) = pair(alg, tls13);
                let mut out = Vec::new();
                enc.seal_record(ContentType::Handshake, b"first", &mut out)
                    .unwrap();
                let first_len = out.len();
                assert_eq!(first_len, enc.overhead() + 5);
                enc.seal_record(ContentType::ApplicationData, b"", &mut out)
                    .unwrap();
                enc.seal_record(ContentType::Alert, &[1, 0], &mut out)
                    .unwrap();
                let (a, rest) = out.split_at_mut(first_len);
                assert_eq!(
                    open(&mut dec, a).unwrap(),
                    (ContentType::Handshake, b"first".to_vec())
                );
                let (b, c) = rest.split_at_mut(enc.overhead());
                assert_eq!(
                    open(&mut dec, b).unwrap(),
                    (ContentType::ApplicationData, vec![])
                );
                let mut c2 = c.to_vec();
                c2[HEADER_LEN + 1] ^= 0x80;
                assert_eq!(open(&mut dec, &mut c2).unwrap_err(), Error::DecryptError);
                assert_eq!(dec.sequence_number(), 3);
            }
        }
    }

    #[test]
    fn records_out_of_order_fail() {
        let (mut enc, mut dec) = pair(AeadAlgorithm::Aes128Gcm, true);
        let mut first = Vec::new();
        let mut second = Vec::new();
        enc.seal_record(ContentType::ApplicationData, b"1", &mut first)
            .unwrap();
        enc.seal_record(ContentType::ApplicationData, b"2", &mut second)
            .unwrap();
        assert_eq!(
            open(&mut dec, &mut second).unwrap_err(),
            Error::DecryptError
        );
    }

    #[test]
    fn tls13_padding_and_empty_inner_plaintext() {
        // Seal by hand so the inner plaintext can carry padding or no type.
        let key = AeadKey::new(AeadAlgorithm::Aes128Gcm, &[1; 16]).unwrap();
        let iv = [3u8; 12];
        let seal = |inner: &[u8]| {
            let header = RecordHeader {
                typ: ContentType::ApplicationData,
                version: ProtocolVersion::TLSv1_2,
                len: (inner.len() + TAG_LEN) as u16,
            };
            let mut body = inner.to_vec();
            let tag = key
                .seal_in_place(iv, &header.to_bytes(), &mut body)
                .unwrap();
            body.extend_from_slice(&tag);
            (header, body)
        };
        let mk = || {
            RecordDecrypter::tls13(
                AeadKey::new(AeadAlgorithm::Aes128Gcm, &[1; 16]).unwrap(),
                Iv::new(iv),
            )
        };

        let (h, mut body) = seal(&[b'h', b'i', 23, 0, 0, 0]);
        let (typ, range) = mk().open_in_place(&h, &mut body).unwrap();
        assert_eq!(
            (typ, &body[range]),
            (ContentType::ApplicationData, &b"hi"[..])
        );

        let (h, mut body) = seal(&[0, 0, 0]);
        assert_eq!(
            mk().open_in_place(&h, &mut body).unwrap_err(),
            Error::InvalidMessage(InvalidMessage::NoContentType)
        );
        let (h, mut body) = seal(&[22]);
        assert_eq!(
            mk().open_in_place(&h, &mut body).unwrap_err(),
            Error::InvalidMessage(InvalidMessage::EmptyRecord)
        );
        let (h, mut body) = seal(&[1, 2, 99]);
        assert_eq!(
            mk().open_in_place(&h, &mut body).unwrap_err(),
            Error::InvalidMessage(InvalidMessage::InvalidContentType(99))
        );
        let (h, mut body) = seal(&vec![23u8; MAX_FRAGMENT_LEN + 2]);
        assert_eq!(
            mk().open_in_place(&h, &mut body).unwrap_err(),
            Error::InvalidMessage(InvalidMessage::RecordTooLarge)
        );
    }

    #[test]
    fn tls12_short_fragment_is_a_decrypt_error() {
        let (_, mut dec) = pair(AeadAlgorithm::Aes128Gcm, false);
        let header = RecordHeader {
            typ: ContentType::ApplicationData,
            version: ProtocolVersion::TLSv1_2,
            len: 10,
        };
        assert_eq!(
            dec.open_in_place(&header, &mut [0u8; 10]).unwrap_err(),
            Error::DecryptError
        );
    }

    #[test]
    fn sequence_numbers_do_not_wrap() {
        let (mut enc, mut dec) = pair(AeadAlgorithm::ChaCha20Poly1305, true);
        enc.keys.seq = u64::MAX - 2;
        assert_eq!(enc.records_left(), 1);
        let mut out = Vec::new();
        enc.seal_record(ContentType::ApplicationData, b"x", &mut out)
            .unwrap();
        assert_eq!(
            enc.seal_record(ContentType::ApplicationData, b"y", &mut out)
                .unwrap_err(),
            Error::EncryptError
        );
        dec.keys.seq = u64::MAX - 2;
        open(&mut dec, &mut out).unwrap();
        assert!(matches!(
            open(&mut dec, &mut out.clone()).unwrap_err(),
            Error::PeerMisbehaved(_)
        ));
    }
}
