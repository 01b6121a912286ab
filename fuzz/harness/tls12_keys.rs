//! The server's side of TLS 1.2 record protection and Finished, from the
//! master secret the client logs (RFC 5246 §5, §6.3, §7.4.9; RFC 5288 §3
//! for AES-GCM, RFC 7905 §2 for ChaCha20-Poly1305).

use ring::{aead, digest, hmac};

use super::common::{whole_records, ClientRecordLog};

/// The AEAD suites the client offers for TLS 1.2.
#[derive(Clone, Copy, Debug)]
pub struct Suite12 {
    pub id: u16,
    aead: &'static aead::Algorithm,
    sha384: bool,
    /// 4 (the GCM salt) or 12 (the ChaCha20 nonce mask).
    fixed_iv_len: usize,
}

impl Suite12 {
    pub fn from_id(id: u16) -> Option<Self> {
        let (aead, sha384, fixed_iv_len): (&'static aead::Algorithm, bool, usize) = match id {
            0xc02b | 0xc02f => (&aead::AES_128_GCM, false, 4),
            0xc02c | 0xc030 => (&aead::AES_256_GCM, true, 4),
            0xcca8 | 0xcca9 => (&aead::CHACHA20_POLY1305, false, 12),
            _ => return None,
        };
        Some(Self {
            id,
            aead,
            sha384,
            fixed_iv_len,
        })
    }

    fn hmac(self) -> hmac::Algorithm {
        if self.sha384 {
            hmac::HMAC_SHA384
        } else {
            hmac::HMAC_SHA256
        }
    }

    pub fn digest(self) -> &'static digest::Algorithm {
        if self.sha384 {
            &digest::SHA384
        } else {
            &digest::SHA256
        }
    }
}

/// RFC 5246 §5: PRF(secret, label, seed) = P_hash(secret, label + seed).
pub fn prf(suite: Suite12, secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    let key = hmac::Key::new(suite.hmac(), secret);
    let mut label_seed = label.to_vec();
    label_seed.extend_from_slice(seed);
    let mut a = hmac::sign(&key, &label_seed).as_ref().to_vec();
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(&a);
        ctx.update(&label_seed);
        out.extend_from_slice(ctx.sign().as_ref());
        a = hmac::sign(&key, &a).as_ref().to_vec();
    }
    out.truncate(len);
    out
}

/// RFC 5246 §7.4.9: verify_data for `label` ("client finished" or
/// "server finished") over the handshake messages in `transcript`.
pub fn finished(suite: Suite12, master: &[u8], label: &[u8], transcript: &[u8]) -> Vec<u8> {
    let hash = digest::digest(suite.digest(), transcript);
    prf(suite, master, label, hash.as_ref(), 12)
}

/// Seals the server's records (RFC 5246 §6.2.3.3).
pub struct Sealer12 {
    key: aead::LessSafeKey,
    iv: [u8; 12],
    explicit_nonce: bool,
    seq: u64,
}

impl Sealer12 {
    /// The server's write keys from the key block (RFC 5246 §6.3).
    pub fn new(suite: Suite12, master: &[u8], client_random: &[u8], server_random: &[u8]) -> Self {
        Self::from_key_block(suite, master, client_random, server_random, false)
    }

    /// The client's write keys from the same key block, to open what it
    /// sends.
    pub fn client(
        suite: Suite12,
        master: &[u8],
        client_random: &[u8],
        server_random: &[u8],
    ) -> Self {
        Self::from_key_block(suite, master, client_random, server_random, true)
    }

    /// One side's write key and IV from the key block: client key, server
    /// key, client IV, server IV (RFC 5246 §6.3).
    fn from_key_block(
        suite: Suite12,
        master: &[u8],
        client_random: &[u8],
        server_random: &[u8],
        client_side: bool,
    ) -> Self {
        let key_len = suite.aead.key_len();
        let iv_len = suite.fixed_iv_len;
        let mut seed = server_random.to_vec();
        seed.extend_from_slice(client_random);
        let block = prf(
            suite,
            master,
            b"key expansion",
            &seed,
            2 * key_len + 2 * iv_len,
        );
        let (key_at, iv_at) = if client_side {
            (0, 2 * key_len)
        } else {
            (key_len, 2 * key_len + iv_len)
        };
        let mut iv = [0u8; 12];
        iv[..iv_len].copy_from_slice(&block[iv_at..iv_at + iv_len]);
        let key = aead::UnboundKey::new(suite.aead, &block[key_at..key_at + key_len])
            .expect("a key of the right length");
        Self {
            key: aead::LessSafeKey::new(key),
            iv,
            explicit_nonce: iv_len == 4,
            seq: 0,
        }
    }

    /// Opens the next record (header included) under these keys; `None`
    /// if it does not open.
    pub fn open(&mut self, record: &[u8]) -> Option<(u8, Vec<u8>)> {
        let typ = *record.first()?;
        let mut body = record.get(5..)?.to_vec();
        let seq = self.seq.to_be_bytes();
        self.seq += 1;
        let mut nonce = self.iv;
        if self.explicit_nonce {
            let explicit = body.get(..8)?.to_vec();
            nonce[4..].copy_from_slice(&explicit);
            body.drain(..8);
        } else {
            for (n, s) in nonce[4..].iter_mut().zip(seq) {
                *n ^= s;
            }
        }
        let plain_len = body.len().checked_sub(self.key.algorithm().tag_len())?;
        let mut aad = [0u8; 13];
        aad[..8].copy_from_slice(&seq);
        aad[8] = typ;
        aad[9..11].copy_from_slice(&[3, 3]);
        aad[11..].copy_from_slice(&(plain_len as u16).to_be_bytes());
        let plain = self
            .key
            .open_in_place(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                &mut body,
            )
            .ok()?;
        Some((typ, plain.to_vec()))
    }

    pub fn seal(&mut self, typ: u8, plain: &[u8]) -> Vec<u8> {
        let seq = self.seq.to_be_bytes();
        self.seq += 1;
        let mut nonce = self.iv;
        if self.explicit_nonce {
            nonce[4..].copy_from_slice(&seq);
        } else {
            for (n, s) in nonce[4..].iter_mut().zip(seq) {
                *n ^= s;
            }
        }
        let mut aad = [0u8; 13];
        aad[..8].copy_from_slice(&seq);
        aad[8] = typ;
        aad[9..11].copy_from_slice(&[3, 3]);
        aad[11..].copy_from_slice(&(plain.len() as u16).to_be_bytes());
        let mut body = plain.to_vec();
        self.key
            .seal_in_place_append_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                &mut body,
            )
            .expect("sealing cannot fail");
        let explicit: &[u8] = if self.explicit_nonce { &seq } else { &[] };
        let len = explicit.len() + body.len();
        let mut record = vec![typ, 3, 3, (len >> 8) as u8, len as u8];
        record.extend_from_slice(explicit);
        record.extend_from_slice(&body);
        record
    }
}

/// Follows the client's protected records: each must open, in order,
/// under its write keys.
pub struct ClientRecords12 {
    keys: Sealer12,
    last: Option<(u8, Vec<u8>)>,
}

impl ClientRecords12 {
    pub fn new(keys: Sealer12) -> Self {
        Self { keys, last: None }
    }
}

impl ClientRecordLog for ClientRecords12 {
    fn absorb(&mut self, written: &[u8]) {
        for record in whole_records(written) {
            // Before the client's keys start (a failed resumption), its
            // alert goes in the clear, and `deliver` has checked it.
            if let [21, 3, 3, 0, 2, body @ ..] = record {
                self.last = Some((21, body.to_vec()));
                continue;
            }
            let opened = self.keys.open(record);
            self.last = Some(opened.expect("the client's record does not open under its keys"));
        }
    }

    fn last(&self) -> Option<&(u8, Vec<u8>)> {
        self.last.as_ref()
    }
}
