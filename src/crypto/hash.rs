//! The hash functions of TLS (SHA-256 and SHA-384), HMAC over them, and the
//! handshake transcript hash.
//!
//! The transcript comes in two types because the client learns which hash
//! to use only from the server's reply: [`TranscriptBuffer`] keeps the raw
//! messages until then, and [`TranscriptBuffer::start_hash`] turns it into a
//! [`Transcript`] that hashes incrementally. Only a `Transcript` can give a
//! `current_hash`, so asking for a hash before the algorithm is known does
//! not compile.

use core::fmt;
use std::sync::OnceLock;

use ring::{digest, hmac};

use super::secret::SecretBytes;
use crate::msgs::enums::HandshakeType;

/// The largest hash output we handle (SHA-384).
pub const MAX_HASH_LEN: usize = 48;

/// A hash function a cipher suite names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    Sha256,
    Sha384,
}

impl HashAlgorithm {
    /// The output length in bytes (`Hash.length` in RFC 8446).
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
        }
    }

    /// The hash of `data`.
    pub fn hash(self, data: &[u8]) -> HashOutput {
        HashOutput::from_digest(digest::digest(self.ring_digest(), data))
    }

    /// The hash of the empty string, which every TLS 1.3 key schedule
    /// needs two or three times (`Derive-Secret(., "derived", "")`):
    /// computed once per process.
    pub fn empty_hash(self) -> HashOutput {
        static SHA256: OnceLock<HashOutput> = OnceLock::new();
        static SHA384: OnceLock<HashOutput> = OnceLock::new();
        let cell = match self {
            Self::Sha256 => &SHA256,
            Self::Sha384 => &SHA384,
        };
        *cell.get_or_init(|| self.hash(&[]))
    }

    /// HMAC (RFC 2104) keyed with `key` over the concatenation of `parts`.
    ///
    /// Taking the message in parts lets callers MAC structured inputs
    /// (HKDF labels, PRF seeds) without first copying them together. The
    /// result is treated as a secret because it usually is one (HKDF and PRF
    /// outputs).
    pub fn hmac(self, key: &[u8], parts: &[&[u8]]) -> SecretBytes {
        hmac_parts(&self.hmac_key(key), parts.iter().copied())
    }

    pub(super) fn hmac_key(self, key: &[u8]) -> hmac::Key {
        hmac::Key::new(self.ring_hmac(), key)
    }

    fn ring_digest(self) -> &'static digest::Algorithm {
        match self {
            Self::Sha256 => &digest::SHA256,
            Self::Sha384 => &digest::SHA384,
        }
    }

    fn ring_hmac(self) -> hmac::Algorithm {
        match self {
            Self::Sha256 => hmac::HMAC_SHA256,
            Self::Sha384 => hmac::HMAC_SHA384,
        }
    }
}

/// HMAC with a prepared key over the concatenation of `parts`. Loops that
/// MAC many times under one key (the TLS 1.2 PRF) prepare the key once.
pub(super) fn hmac_parts<'a>(
    key: &hmac::Key,
    parts: impl IntoIterator<Item = &'a [u8]>,
) -> SecretBytes {
    let mut ctx = hmac::Context::with_key(key);
    for part in parts {
        ctx.update(part);
    }
    let tag = ctx.sign();
    // A tag is at most 48 bytes for the two algorithms we construct keys
    // for, so this never truncates.
    SecretBytes::from_slice(tag.as_ref()).unwrap_or_else(|| SecretBytes::zeroed(0))
}

/// A hash value: a transcript hash, a Finished verify_data, a PSK binder.
///
/// These are not secret (they are sent or derived from what was sent), so
/// the type is `Copy` and its `Debug` shows the bytes in hex.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HashOutput {
    buf: [u8; MAX_HASH_LEN],
    len: u8,
}

impl HashOutput {
    fn from_digest(d: digest::Digest) -> Self {
        Self::from_slice(d.as_ref()).unwrap_or(Self {
            buf: [0; MAX_HASH_LEN],
            len: 0,
        })
    }

    /// A MAC that is about to be sent or compared (a Finished, a binder),
    /// and so no longer secret.
    pub(super) fn from_secret(mac: &SecretBytes) -> Self {
        let bytes = mac.as_bytes();
        let mut buf = [0; MAX_HASH_LEN];
        let len = bytes.len().min(MAX_HASH_LEN);
        buf[..len].copy_from_slice(&bytes[..len]);
        Self {
            buf,
            len: len as u8,
        }
    }

    /// A copy of `bytes`, or `None` if longer than [`MAX_HASH_LEN`].
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let len = u8::try_from(bytes.len())
            .ok()
            .filter(|&l| usize::from(l) <= MAX_HASH_LEN)?;
        let mut buf = [0; MAX_HASH_LEN];
        buf[..bytes.len()].copy_from_slice(bytes);
        Some(Self { buf, len })
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }
}

impl AsRef<[u8]> for HashOutput {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for HashOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashOutput(")?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// The handshake messages sent and received before the server has chosen a
/// cipher suite (and so a hash): in practice the ClientHello, and the
/// HelloRetryRequest or ServerHello that names the suite.
#[derive(Clone, Default)]
pub struct TranscriptBuffer {
    messages: Vec<u8>,
}

impl TranscriptBuffer {
    pub fn new() -> Self {
        Self::default()
    }

    /// A buffer whose first message is `message` (header included),
    /// taken as it is rather than copied.
    pub fn starting_with(message: Vec<u8>) -> Self {
        Self { messages: message }
    }

    /// Appends one whole handshake message, header included.
    pub fn add(&mut self, message: &[u8]) {
        self.messages.extend_from_slice(message);
    }

    /// `Hash(messages so far || extra)` with `alg`, leaving the buffer as it
    /// is.
    ///
    /// RFC 8446 §4.2.11.2: a PSK binder covers the transcript up to and
    /// including the ClientHello truncated before the binders, hashed with
    /// the PSK's hash, and is computed before the server has chosen a suite.
    /// `extra` is that truncated ClientHello.
    pub fn hash_with(&self, alg: HashAlgorithm, extra: &[u8]) -> HashOutput {
        let mut ctx = digest::Context::new(alg.ring_digest());
        ctx.update(&self.messages);
        ctx.update(extra);
        HashOutput::from_digest(ctx.finish())
    }

    /// Starts hashing with `alg` (the hash of the chosen suite), hashing the
    /// buffered messages first and then dropping them.
    pub fn start_hash(self, alg: HashAlgorithm) -> Transcript {
        let mut t = Transcript::new(alg);
        t.add(&self.messages);
        t
    }

    /// As [`Self::start_hash`], but keeps a copy of every message as well,
    /// for a TLS 1.2 client CertificateVerify, which signs the handshake
    /// messages themselves (RFC 5246 §7.4.8) and so needs them whole.
    pub fn start_hash_keeping_messages(self, alg: HashAlgorithm) -> Transcript {
        let mut t = Transcript::new(alg);
        t.add(&self.messages);
        t.kept = Some(self.messages);
        t
    }
}

impl fmt::Debug for TranscriptBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TranscriptBuffer")
            .field("len", &self.messages.len())
            .finish()
    }
}

/// The running hash of the handshake messages (RFC 8446 §4.4.1, RFC 5246
/// §7.4.9), once the hash algorithm is known.
///
/// `Clone` forks it: the clone goes on hashing independently.
#[derive(Clone)]
pub struct Transcript {
    alg: HashAlgorithm,
    ctx: digest::Context,
    kept: Option<Vec<u8>>,
}

impl Transcript {
    /// An empty transcript hashed with `alg`.
    pub fn new(alg: HashAlgorithm) -> Self {
        Self {
            alg,
            ctx: digest::Context::new(alg.ring_digest()),
            kept: None,
        }
    }

    pub fn algorithm(&self) -> HashAlgorithm {
        self.alg
    }

    /// Appends one whole handshake message, header included.
    pub fn add(&mut self, message: &[u8]) {
        self.ctx.update(message);
        if let Some(kept) = &mut self.kept {
            kept.extend_from_slice(message);
        }
    }

    /// The hash of every message added so far.
    pub fn current_hash(&self) -> HashOutput {
        HashOutput::from_digest(self.ctx.clone().finish())
    }

    /// `Hash(messages so far || extra)`, leaving the transcript as it is:
    /// for a PSK binder in the second ClientHello, which covers a truncated
    /// ClientHello2 that is never itself part of the transcript.
    pub fn hash_with(&self, extra: &[u8]) -> HashOutput {
        let mut ctx = self.ctx.clone();
        ctx.update(extra);
        HashOutput::from_digest(ctx.finish())
    }

    /// RFC 8446 §4.4.1: after a HelloRetryRequest, ClientHello1 is replaced
    /// in the transcript by a synthetic `message_hash` message holding
    /// `Hash(ClientHello1)`.
    ///
    /// Call this when the transcript holds exactly ClientHello1, then add
    /// the HelloRetryRequest.
    pub fn replace_with_message_hash(&mut self) {
        let ch1_hash = self.current_hash();
        let hash = ch1_hash.as_bytes();
        let mut synthetic = Vec::with_capacity(4 + hash.len());
        synthetic.push(HandshakeType::MessageHash.to_wire());
        // A handshake header's uint24 length; a hash is at most 48 bytes.
        synthetic.extend_from_slice(&[0, 0, ch1_hash.len]);
        synthetic.extend_from_slice(hash);

        let kept = self.kept.take().map(|_| Vec::new());
        *self = Self {
            alg: self.alg,
            ctx: digest::Context::new(self.alg.ring_digest()),
            kept,
        };
        self.add(&synthetic);
    }

    /// The handshake messages themselves, if this transcript was started
    /// with [`TranscriptBuffer::start_hash_keeping_messages`] and
    /// [`Self::stop_keeping_messages`] was not called since.
    pub fn kept_messages(&self) -> Option<&[u8]> {
        self.kept.as_deref()
    }

    /// Drops the kept messages: the server did not ask for a client
    /// certificate, so nothing will sign them.
    pub fn stop_keeping_messages(&mut self) {
        self.kept = None;
    }
}

impl fmt::Debug for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transcript")
            .field("algorithm", &self.alg)
            .field("keeping_messages", &self.kept.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_vectors::rfc8448;

    #[test]
    fn hash_of_empty_input() {
        // RFC 8448 §3 uses Hash("") as the context of Derive-Secret(.,
        // "derived", "").
        assert_eq!(
            HashAlgorithm::Sha256.hash(b"").as_bytes(),
            rfc8448("3. ", "derive secret for handshake", "hash")
        );
        assert_eq!(HashAlgorithm::Sha384.hash(b"").as_bytes().len(), 48);
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        // RFC 4231 §4.3, test case 2.
        let mac = HashAlgorithm::Sha256.hmac(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex(mac.as_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let mac = HashAlgorithm::Sha384.hmac(b"Jefe", &[b"what do ya want for nothing?"]);
        assert_eq!(
            hex(mac.as_bytes()),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e\
             8e2240ca5e69e2c78b3239ecfab21649"
        );
    }

    #[test]
    fn buffering_then_hashing_equals_hashing_throughout() {
        let msgs: [&[u8]; 3] = [b"client hello", b"server hello", b"encrypted extensions"];
        for alg in [HashAlgorithm::Sha256, HashAlgorithm::Sha384] {
            let mut direct = Transcript::new(alg);
            let mut buffer = TranscriptBuffer::new();
            buffer.add(msgs[0]);
            buffer.add(msgs[1]);
            assert_eq!(
                buffer.hash_with(alg, b""),
                alg.hash(b"client helloserver hello")
            );
            let mut late = buffer.start_hash(alg);
            direct.add(msgs[0]);
            direct.add(msgs[1]);
            assert_eq!(late.current_hash(), direct.current_hash());
            late.add(msgs[2]);
            direct.add(msgs[2]);
            assert_eq!(late.current_hash(), direct.current_hash());
            assert_eq!(
                late.current_hash(),
                alg.hash(b"client helloserver helloencrypted extensions")
            );
        }
    }

    #[test]
    fn fork_and_hash_with_leave_the_transcript_alone() {
        let mut t = Transcript::new(HashAlgorithm::Sha256);
        t.add(b"one");
        let before = t.current_hash();
        let mut fork = t.clone();
        fork.add(b"two");
        assert_eq!(t.current_hash(), before);
        assert_eq!(t.hash_with(b"two"), fork.current_hash());
        assert_eq!(t.current_hash(), before);
    }

    #[test]
    fn kept_messages() {
        let mut buffer = TranscriptBuffer::new();
        buffer.add(b"ch");
        let mut t = buffer.start_hash_keeping_messages(HashAlgorithm::Sha256);
        t.add(b"sh");
        assert_eq!(t.kept_messages(), Some(&b"chsh"[..]));
        t.stop_keeping_messages();
        t.add(b"cert");
        assert_eq!(t.kept_messages(), None);
        assert_eq!(t.current_hash(), HashAlgorithm::Sha256.hash(b"chshcert"));
    }

    #[test]
    fn message_hash_rule_by_hand() {
        let ch1 = b"\x01\x00\x00\x02hi";
        let mut buffer = TranscriptBuffer::new();
        buffer.add(ch1);
        let mut t = buffer.start_hash(HashAlgorithm::Sha384);
        t.replace_with_message_hash();
        t.add(b"hrr");

        let mut expect = vec![254, 0, 0, 48];
        expect.extend_from_slice(HashAlgorithm::Sha384.hash(ch1).as_bytes());
        expect.extend_from_slice(b"hrr");
        assert_eq!(t.current_hash(), HashAlgorithm::Sha384.hash(&expect));
    }

    /// RFC 8448 §5: the transcript through ServerHello after a
    /// HelloRetryRequest hashes to the context of "tls13 c hs traffic".
    #[test]
    fn message_hash_rule_against_rfc8448_section_5() {
        let ch1 = rfc8448("5. ", "construct a ClientHello", "ClientHello");
        let hrr = rfc8448("5. ", "construct a ServerHello", "ServerHello");
        // The reader finds the first step that matches, so the second
        // ClientHello and ServerHello are read from "sections" that start at
        // the unique step lines just before them.
        let ch2 = rfc8448(
            "   {client}  create an ephemeral P-256 key pair",
            "construct a ClientHello",
            "ClientHello",
        );
        let sh = rfc8448(
            "   {server}  create an ephemeral P-256 key pair",
            "construct a ServerHello",
            "ServerHello",
        );
        assert_eq!(
            (ch1.len(), hrr.len(), ch2.len(), sh.len()),
            (180, 176, 512, 123)
        );

        let mut buffer = TranscriptBuffer::new();
        buffer.add(&ch1);
        let mut t = buffer.start_hash(HashAlgorithm::Sha256);
        t.replace_with_message_hash();
        t.add(&hrr);
        t.add(&ch2);
        t.add(&sh);
        assert_eq!(
            t.current_hash().as_bytes(),
            rfc8448("5. ", "derive secret \"tls13 c hs traffic\"", "hash")
        );
    }

    #[test]
    fn hash_output_from_slice_limits_length() {
        assert!(HashOutput::from_slice(&[0; 49]).is_none());
        assert_eq!(
            HashOutput::from_slice(&[1; 12]).unwrap().as_bytes(),
            &[1; 12]
        );
        assert_eq!(
            format!("{:?}", HashOutput::from_slice(&[0xab, 1]).unwrap()),
            "HashOutput(ab01)"
        );
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}
