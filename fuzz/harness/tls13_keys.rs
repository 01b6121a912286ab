//! The server's side of TLS 1.3 record protection and the little of the
//! key schedule the harness needs (RFC 8446 §4.4.4, §5.2, §5.3, §7.1-§7.3),
//! from the traffic secrets the client logs.

use ring::{aead, digest, hkdf, hmac};

use super::common::{whole_records, ClientRecordLog};

/// The three TLS 1.3 suites ring can seal with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suite {
    Aes128GcmSha256,
    Aes256GcmSha384,
    Chacha20Poly1305Sha256,
}

impl Suite {
    pub fn from_id(id: u16) -> Option<Self> {
        match id {
            0x1301 => Some(Self::Aes128GcmSha256),
            0x1302 => Some(Self::Aes256GcmSha384),
            0x1303 => Some(Self::Chacha20Poly1305Sha256),
            _ => None,
        }
    }

    fn hkdf(self) -> hkdf::Algorithm {
        match self {
            Self::Aes256GcmSha384 => hkdf::HKDF_SHA384,
            _ => hkdf::HKDF_SHA256,
        }
    }

    fn hmac(self) -> hmac::Algorithm {
        match self {
            Self::Aes256GcmSha384 => hmac::HMAC_SHA384,
            _ => hmac::HMAC_SHA256,
        }
    }

    pub fn digest(self) -> &'static digest::Algorithm {
        match self {
            Self::Aes256GcmSha384 => &digest::SHA384,
            _ => &digest::SHA256,
        }
    }

    fn aead(self) -> &'static aead::Algorithm {
        match self {
            Self::Aes128GcmSha256 => &aead::AES_128_GCM,
            Self::Aes256GcmSha384 => &aead::AES_256_GCM,
            Self::Chacha20Poly1305Sha256 => &aead::CHACHA20_POLY1305,
        }
    }

    pub fn hash_len(self) -> usize {
        self.digest().output_len()
    }
}

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// RFC 8446 §7.1: HKDF-Expand-Label(secret, label, context, len).
pub fn expand_label(
    suite: Suite,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
    len: usize,
) -> Vec<u8> {
    let prk = hkdf::Prk::new_less_safe(suite.hkdf(), secret);
    let full_label_len = 6 + label.len();
    let length = (len as u16).to_be_bytes();
    let label_len = [full_label_len as u8];
    let context_len = [context.len() as u8];
    let info: [&[u8]; 6] = [&length, &label_len, b"tls13 ", label, &context_len, context];
    let mut out = vec![0u8; len];
    prk.expand(&info, Len(len))
        .and_then(|okm| okm.fill(&mut out))
        .expect("HKDF output of a valid length");
    out
}

/// RFC 8446 §7.2: application_traffic_secret_N+1.
pub fn next_secret(suite: Suite, secret: &[u8]) -> Vec<u8> {
    expand_label(suite, secret, b"traffic upd", b"", suite.hash_len())
}

/// RFC 8446 §4.4.4: the Finished verify_data keyed by `base_key` (a
/// handshake traffic secret) over `transcript` (the messages it covers).
pub fn finished(suite: Suite, base_key: &[u8], transcript: &[u8]) -> Vec<u8> {
    let finished_key = expand_label(suite, base_key, b"finished", b"", suite.hash_len());
    let hash = digest::digest(suite.digest(), transcript);
    let key = hmac::Key::new(suite.hmac(), &finished_key);
    hmac::sign(&key, hash.as_ref()).as_ref().to_vec()
}

/// Seals records under one traffic secret (RFC 8446 §5.2, §5.3).
pub struct Sealer {
    key: aead::LessSafeKey,
    iv: [u8; 12],
    seq: u64,
}

impl Sealer {
    pub fn new(suite: Suite, secret: &[u8]) -> Self {
        let alg = suite.aead();
        let key_bytes = expand_label(suite, secret, b"key", b"", alg.key_len());
        let iv_bytes = expand_label(suite, secret, b"iv", b"", 12);
        let key = aead::UnboundKey::new(alg, &key_bytes).expect("a key of the suite's length");
        let mut iv = [0u8; 12];
        iv.copy_from_slice(&iv_bytes);
        Self {
            key: aead::LessSafeKey::new(key),
            iv,
            seq: 0,
        }
    }

    /// One protected record: `content`, then the real content type, then
    /// `padding` zeros (TLSInnerPlaintext, RFC 8446 §5.2). The outer length
    /// is whatever the ciphertext takes, even past the protocol's limit
    /// (truncated to 16 bits, as the field is).
    pub fn seal(&mut self, inner_type: u8, content: &[u8], padding: usize) -> Vec<u8> {
        let mut body = Vec::with_capacity(content.len() + 1 + padding + 16);
        body.extend_from_slice(content);
        body.push(inner_type);
        body.resize(body.len() + padding, 0);
        let ciphertext_len = body.len() + self.key.algorithm().tag_len();
        let header = [23, 3, 3, (ciphertext_len >> 8) as u8, ciphertext_len as u8];
        let mut nonce = self.iv;
        for (n, s) in nonce[4..].iter_mut().zip(self.seq.to_be_bytes()) {
            *n ^= s;
        }
        self.seq += 1;
        self.key
            .seal_in_place_append_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(header),
                &mut body,
            )
            .expect("sealing cannot fail");
        let mut record = header.to_vec();
        record.extend_from_slice(&body);
        record
    }
}

/// Opens the client's record `record` (header included), its `seq`th
/// under `secret`; returns the inner content type and content, or `None`
/// if it does not open.
pub fn open(suite: Suite, secret: &[u8], seq: u64, record: &[u8]) -> Option<(u8, Vec<u8>)> {
    let header: [u8; 5] = record.get(..5)?.try_into().ok()?;
    let alg = suite.aead();
    let key = expand_label(suite, secret, b"key", b"", alg.key_len());
    let iv = expand_label(suite, secret, b"iv", b"", 12);
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(alg, &key).ok()?);
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&iv);
    for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
        *n ^= s;
    }
    let mut body = record[5..].to_vec();
    let plain = key
        .open_in_place(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(header),
            &mut body,
        )
        .ok()?;
    // RFC 8446 §5.2: the content type is the last non-zero byte.
    let end = plain.iter().rposition(|&b| b != 0)?;
    Some((plain[end], plain[..end].to_vec()))
}

/// Follows the client's protected records after the handshake: opens
/// each under its current application traffic secret (moving to the next
/// after its own KeyUpdate, RFC 8446 §7.2), so that the harness checks
/// the client's encryption as well as what it says.
pub struct ClientRecords {
    suite: Suite,
    secret: Vec<u8>,
    seq: u64,
    last: Option<(u8, Vec<u8>)>,
}

impl ClientRecords {
    pub fn new(suite: Suite, secret: Vec<u8>) -> Self {
        Self {
            suite,
            secret,
            seq: 0,
            last: None,
        }
    }
}

impl ClientRecordLog for ClientRecords {
    fn absorb(&mut self, written: &[u8]) {
        for record in whole_records(written) {
            assert_eq!(
                record[0], 23,
                "the client wrote a record in the clear after the handshake"
            );
            let opened = open(self.suite, &self.secret, self.seq, record);
            let (typ, content) = opened.unwrap_or_else(|| {
                panic!(
                    "the client's record {} under its traffic secret does not open",
                    self.seq
                )
            });
            self.seq += 1;
            if typ == 22 && content.first() == Some(&24) {
                self.secret = next_secret(self.suite, &self.secret);
                self.seq = 0;
            }
            self.last = Some((typ, content));
        }
    }

    fn last(&self) -> Option<&(u8, Vec<u8>)> {
        self.last.as_ref()
    }
}
