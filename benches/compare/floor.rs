//! The floor: the cryptography a figure cannot avoid, done with ring
//! directly and nothing of TLS around it. A client's figure over its
//! floor is the cost of everything else (parsing, state, buffers, copies).

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey};
use ring::digest::{self, SHA256};
use ring::hkdf::{self, Prk, Salt, HKDF_SHA256};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};

use crate::aligned::Aligned;
use crate::drive::Meter;
use crate::figures::CHUNK;

/// A TLS 1.3 record as the floor handles it: 5-byte header, the chunk
/// plus its one content-type byte, the 16-byte tag.
const INNER: usize = CHUNK + 1;
const HEADER: usize = 5;
const TAG: usize = 16;
const RECORD: usize = HEADER + INNER + TAG;
/// Where a record starts past a page boundary: its payload then starts on
/// a 64-byte boundary, the placement that makes copies fastest.
const RECORD_OFFSET: usize = 64 - HEADER;

/// One direction's AEAD key and IV, as a record layer holds them.
pub struct RecordKey {
    key: LessSafeKey,
    iv: [u8; 12],
}

impl RecordKey {
    pub fn new(alg: &'static aead::Algorithm) -> RecordKey {
        let rng = SystemRandom::new();
        let mut key = vec![0u8; alg.key_len()];
        let mut iv = [0u8; 12];
        rng.fill(&mut key).expect("randomness");
        rng.fill(&mut iv).expect("randomness");
        RecordKey {
            key: LessSafeKey::new(UnboundKey::new(alg, &key).expect("key length")),
            iv,
        }
    }

    /// RFC 8446 §5.3: the IV XORed with the sequence number.
    fn nonce(&self, seq: u64) -> Nonce {
        let mut nonce = self.iv;
        for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
            *n ^= s;
        }
        Nonce::assume_unique_for_key(nonce)
    }

    /// Seals `record[HEADER..HEADER + INNER]` in place, tag after it.
    fn seal(&self, seq: u64, record: &mut [u8]) {
        self.seal_inner(seq, record, INNER);
    }

    /// A record of `inner_len` bytes of `fill` (its header too, which is
    /// only AAD here) sealed as number `seq`: a server's record for the
    /// floor to open.
    fn sealed_record(&self, seq: u64, fill: u8, inner_len: usize) -> Vec<u8> {
        let mut record = vec![fill; HEADER + inner_len + TAG];
        self.seal_inner(seq, &mut record, inner_len);
        record
    }

    /// Seals the `inner_len` bytes after the header in place, the tag
    /// after them, with the header as AAD.
    fn seal_inner(&self, seq: u64, record: &mut [u8], inner_len: usize) {
        let (header, body) = record.split_at_mut(HEADER);
        let (inner, tag_out) = body.split_at_mut(inner_len);
        let tag = self
            .key
            .seal_in_place_separate_tag(self.nonce(seq), Aad::from(&*header), inner)
            .expect("seal");
        tag_out[..TAG].copy_from_slice(tag.as_ref());
    }

    /// Opens a record sealed by `seal` or `sealed_record`, in place;
    /// returns the plaintext.
    fn open<'r>(&self, seq: u64, record: &'r mut [u8]) -> &'r mut [u8] {
        let (header, body) = record.split_at_mut(HEADER);
        self.key
            .open_in_place(self.nonce(seq), Aad::from(&*header), body)
            .expect("open")
    }
}

fn record_header() -> [u8; HEADER] {
    let len = (INNER + TAG) as u16;
    let [hi, lo] = len.to_be_bytes();
    [23, 3, 3, hi, lo]
}

/// MB/s of sealing 16 KiB records in place. With `copies`, also the copy
/// of the caller's plaintext in and of the record out that a buffered
/// API (`writer()` then `write_tls`) makes.
pub fn seal_mbps(alg: &'static aead::Algorithm, bytes: usize, copies: bool) -> f64 {
    let key = RecordKey::new(alg);
    let plaintext = Aligned::from_slice(&[0x5a; CHUNK]);
    let mut record = Aligned::new(RECORD, RECORD_OFFSET);
    record[..HEADER].copy_from_slice(&record_header());
    let mut out = Aligned::new(RECORD, RECORD_OFFSET);
    let records = bytes / CHUNK;
    let mut meter = Meter::default();
    meter.client(|| {
        for seq in 0..records as u64 {
            if copies {
                record[HEADER..HEADER + CHUNK].copy_from_slice(&plaintext);
                record[HEADER + CHUNK] = 23;
            }
            key.seal(seq, &mut record);
            if copies {
                out.copy_from_slice(&record);
            }
        }
    });
    std::hint::black_box(&*out);
    (records * CHUNK) as f64 / meter.seconds() / 1e6
}

/// MB/s of opening 16 KiB records in place, with `copies` of them timed:
/// 1 is the copy of the record into the receive buffer (`read_tls`), 2
/// adds the copy of the plaintext out (`reader().read`). Untimed, the
/// record is still copied in (so each open starts from fresh ciphertext).
pub fn open_mbps(alg: &'static aead::Algorithm, bytes: usize, copies: usize) -> f64 {
    /// Records sealed once and opened over and over, in batches.
    const BATCH: usize = 16;
    let key = RecordKey::new(alg);
    let mut sealed: Vec<Aligned> = (0..BATCH)
        .map(|_| Aligned::new(RECORD, RECORD_OFFSET))
        .collect();
    for (seq, record) in sealed.iter_mut().enumerate() {
        record[..HEADER].copy_from_slice(&record_header());
        key.seal(seq as u64, record);
    }
    let mut scratch: Vec<Aligned> = (0..BATCH)
        .map(|_| Aligned::new(RECORD, RECORD_OFFSET))
        .collect();
    let mut user = Aligned::new(CHUNK, 0);
    let batches = (bytes / CHUNK).div_ceil(BATCH);
    let mut meter = Meter::default();
    for _ in 0..batches {
        if copies == 0 {
            for (to, from) in scratch.iter_mut().zip(&sealed) {
                to.copy_from_slice(from);
            }
        }
        meter.client(|| {
            for (seq, record) in scratch.iter_mut().enumerate() {
                if copies >= 1 {
                    record.copy_from_slice(&sealed[seq]);
                }
                let plaintext = key.open(seq as u64, record);
                if copies >= 2 {
                    user.copy_from_slice(&plaintext[..CHUNK]);
                }
            }
        });
    }
    std::hint::black_box(&*user);
    (batches * BATCH * CHUNK) as f64 / meter.seconds() / 1e6
}

/// The signature algorithm of a test certificate chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainKind {
    EcdsaP256,
    Rsa2048,
}

/// The server's key as the floors sign with it: the certificate's
/// signature (the key stands in for the CA's too: verification costs
/// depend on the algorithm and key size, not on which key signed) and the
/// handshake's.
pub enum FloorKey {
    Ecdsa(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

impl FloorKey {
    pub fn from_pkcs8(kind: ChainKind, pkcs8: &[u8], rng: &SystemRandom) -> FloorKey {
        match kind {
            ChainKind::EcdsaP256 => FloorKey::Ecdsa(
                EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, rng)
                    .expect("a P-256 PKCS#8 key"),
            ),
            ChainKind::Rsa2048 => {
                FloorKey::Rsa(RsaKeyPair::from_pkcs8(pkcs8).expect("an RSA PKCS#8 key"))
            }
        }
    }

    pub fn public_key(&self) -> Vec<u8> {
        match self {
            FloorKey::Ecdsa(key) => key.public_key().as_ref().to_vec(),
            FloorKey::Rsa(key) => key.public_key().as_ref().to_vec(),
        }
    }

    /// Signs `message`; an RSA key with `rsa` (ECDSA P-256 always hashes
    /// with SHA-256). Returns the signature and the algorithm that
    /// verifies it.
    pub fn sign(
        &self,
        rng: &SystemRandom,
        rsa: (
            &'static dyn signature::RsaEncoding,
            &'static dyn signature::VerificationAlgorithm,
        ),
        message: &[u8],
    ) -> (Vec<u8>, &'static dyn signature::VerificationAlgorithm) {
        match self {
            FloorKey::Ecdsa(key) => (
                key.sign(rng, message).expect("sign").as_ref().to_vec(),
                &signature::ECDSA_P256_SHA256_ASN1,
            ),
            FloorKey::Rsa(key) => {
                let mut sig = vec![0; key.public().modulus_len()];
                key.sign(rsa.0, rng, message, &mut sig).expect("sign");
                (sig, rsa.1)
            }
        }
    }
}

/// RSA PKCS#1 with SHA-256: what the test CA signs certificates with, and
/// what rustls's TLS 1.2 server signs its ServerKeyExchange with.
pub const RSA_PKCS1_SHA256: (
    &dyn signature::RsaEncoding,
    &dyn signature::VerificationAlgorithm,
) = (
    &signature::RSA_PKCS1_SHA256,
    &signature::RSA_PKCS1_2048_8192_SHA256,
);

/// Everything the handshake floor needs, made once.
pub struct HandshakeFloor {
    rng: SystemRandom,
    server_share: Vec<u8>,
    verify_alg: &'static dyn signature::VerificationAlgorithm,
    cv_alg: &'static dyn signature::VerificationAlgorithm,
    public_key: Vec<u8>,
    tbs: Vec<u8>,
    tbs_sig: Vec<u8>,
    cv_content: Vec<u8>,
    cv_sig: Vec<u8>,
    client_hello: Vec<u8>,
    server_hello: Vec<u8>,
    /// EncryptedExtensions..Finished, sealed as one record under `hs_key`.
    server_flight: Vec<u8>,
    hs_key: RecordKey,
    /// The records the server sends after our Finished, each sealed once
    /// under `hs_key` with its sequence number, and how many tickets they
    /// carry.
    server_tickets: Vec<Vec<u8>>,
    tickets_sent: usize,
    /// A resumed handshake's PSK (see `resumed`): then a binder is made,
    /// no signature is checked, and the tickets' PSKs are derived.
    psk: Option<[u8; 32]>,
}

/// What the floor's first flight leaves for the rest.
pub struct Started {
    private: EphemeralPrivateKey,
    early: Prk,
}

/// The fixed lengths of a real handshake the floor mirrors.
pub struct HandshakeShape {
    pub client_hello_len: usize,
    pub server_hello_len: usize,
    /// The server's encrypted flight (EncryptedExtensions to Finished).
    pub server_flight_len: usize,
    /// The protected records the server sends after the client's
    /// Finished, by their inner plaintext length, and how many tickets
    /// they carry.
    pub server_ticket_records: Vec<usize>,
    pub tickets_sent: usize,
    /// The leaf certificate's DER; its signature covers about this much.
    pub leaf_len: usize,
    /// The server's first flight sent in the clear (TLS 1.3: the
    /// ServerHello; TLS 1.2: ServerHello to ServerHelloDone).
    pub server_plain_len: usize,
    /// A real ClientHello record, for a server to answer between the
    /// floor's timed calls (see `handshake_micros_in_rhythm`).
    pub client_hello: Vec<u8>,
}

impl HandshakeFloor {
    /// `pkcs8` is the server's private key, standing in for the CA's too:
    /// verification costs depend on the algorithm and key size, not on
    /// which key of that kind signed.
    pub fn new(kind: ChainKind, pkcs8: &[u8], shape: &HandshakeShape) -> HandshakeFloor {
        let rng = SystemRandom::new();
        let peer = EphemeralPrivateKey::generate(&agreement::X25519, &rng).expect("X25519 key");
        let server_share = peer.compute_public_key().expect("X25519").as_ref().to_vec();

        let tbs = vec![0x30; shape.leaf_len];
        // RFC 8446 §4.4.3: 64 spaces, the context string, 0, the hash.
        let mut cv_content = vec![0x20; 64];
        cv_content.extend_from_slice(b"TLS 1.3, server CertificateVerify\0");
        cv_content.extend_from_slice(&[0xab; 32]);

        let key = FloorKey::from_pkcs8(kind, pkcs8, &rng);
        let public_key = key.public_key();
        let (tbs_sig, verify_alg) = key.sign(&rng, RSA_PKCS1_SHA256, &tbs);
        // rustls's server picks RSA-PSS with SHA-512 first.
        let rsa_pss_sha512: (
            &'static dyn signature::RsaEncoding,
            &'static dyn signature::VerificationAlgorithm,
        ) = (
            &signature::RSA_PSS_SHA512,
            &signature::RSA_PSS_2048_8192_SHA512,
        );
        let (cv_sig, cv_alg) = key.sign(&rng, rsa_pss_sha512, &cv_content);

        let hs_key = RecordKey::new(&aead::AES_128_GCM);
        let server_flight = hs_key.sealed_record(0, 0x16, shape.server_flight_len);
        let server_tickets = (0..)
            .zip(&shape.server_ticket_records)
            .map(|(seq, &len)| hs_key.sealed_record(seq, 0x17, len))
            .collect();
        HandshakeFloor {
            rng,
            server_share,
            verify_alg,
            cv_alg,
            public_key,
            tbs,
            tbs_sig,
            cv_content,
            cv_sig,
            client_hello: vec![1; shape.client_hello_len],
            server_hello: vec![2; shape.server_hello_len],
            server_flight,
            hs_key,
            server_tickets,
            tickets_sent: shape.tickets_sent,
            psk: None,
        }
    }

    /// The floor of a resumed handshake (PSK with (EC)DHE, RFC 8446
    /// §2.2): the same, but the ClientHello carries a binder (an HMAC
    /// under a key from the PSK), no signature is checked, the resumption
    /// master secret is derived, and the records of the tickets the server
    /// sends after our Finished are opened and each ticket's PSK derived,
    /// as a client that stores them must. `shape` is that of a resumed
    /// handshake.
    pub fn resumed(kind: ChainKind, pkcs8: &[u8], shape: &HandshakeShape) -> HandshakeFloor {
        HandshakeFloor {
            psk: Some([0x42; 32]),
            ..HandshakeFloor::new(kind, pkcs8, shape)
        }
    }

    /// The cryptography of one full TLS 1.3 client handshake with
    /// TLS_AES_128_GCM_SHA256 and X25519: client random and legacy
    /// session id, key generation and agreement, transcript hashing, the
    /// whole key schedule with traffic keys, opening the server's flight,
    /// both signature checks (the chain of one certificate and
    /// CertificateVerify), both Finished MACs, sealing the client's
    /// Finished.
    /// The client's first flight: its randomness and key share, and for
    /// a resumption the early secret and the binder (RFC 8446 §4.2.11.2).
    pub fn start(&self) -> Started {
        let mut random = [0u8; 64];
        self.rng.fill(&mut random).expect("randomness");
        let private =
            EphemeralPrivateKey::generate(&agreement::X25519, &self.rng).expect("X25519 key");
        let public = private.compute_public_key().expect("X25519");
        std::hint::black_box((public.as_ref(), &random));
        let zeros = [0u8; 32];
        let early = Salt::new(HKDF_SHA256, &zeros).extract(self.psk.as_ref().unwrap_or(&zeros));
        if self.psk.is_some() {
            let binder_key = expand_label(&early, b"res binder", &EMPTY_SHA256);
            // The hello up to its binders, hashed.
            let truncated = digest::digest(&SHA256, &self.client_hello);
            std::hint::black_box(finished_mac(&prk(&binder_key), truncated.as_ref()));
        }
        Started { private, early }
    }

    /// The rest: everything from the server's reply to our Finished.
    pub fn finish(&self, started: Started) -> Option<Prk> {
        let Started { private, early } = started;
        let mut shared = [0u8; 32];
        agreement::agree_ephemeral(
            private,
            &UnparsedPublicKey::new(&agreement::X25519, &self.server_share),
            |secret| shared.copy_from_slice(secret),
        )
        .expect("X25519 agreement");

        let mut transcript = digest::Context::new(&SHA256);
        transcript.update(&self.client_hello);
        transcript.update(&self.server_hello);
        let hello_hash = transcript.clone().finish();

        // RFC 8446 §7.1, the schedule up to the handshake traffic secrets.
        let zeros = [0u8; 32];
        let derived = expand_label(&early, b"derived", &EMPTY_SHA256);
        let handshake = Salt::new(HKDF_SHA256, &derived).extract(&shared);
        let c_hs = expand_label(&handshake, b"c hs traffic", hello_hash.as_ref());
        let s_hs = expand_label(&handshake, b"s hs traffic", hello_hash.as_ref());
        let derived = expand_label(&handshake, b"derived", &EMPTY_SHA256);
        let master = Salt::new(HKDF_SHA256, &derived).extract(&zeros);
        // Each handshake traffic secret is keyed for HMAC once, for its
        // record key and IV and later for its finished_key.
        let (s_hs, c_hs) = (prk(&s_hs), prk(&c_hs));
        let s_hs_key = traffic_key(&s_hs);
        let c_hs_key = traffic_key(&c_hs);

        // The server's flight: decrypt, hash, check the chain and
        // CertificateVerify, then its Finished.
        let mut flight = self.server_flight.clone();
        // The flight was sealed once under a fixed key (`hs_key`), so it
        // is opened with that one; `s_hs_key` was still derived above.
        std::hint::black_box(&s_hs_key);
        transcript.update(self.hs_key.open(0, &mut flight));
        if self.psk.is_none() {
            let cert_hash = transcript.clone().finish();
            signature::UnparsedPublicKey::new(self.verify_alg, &self.public_key)
                .verify(&self.tbs, &self.tbs_sig)
                .expect("certificate signature");
            std::hint::black_box(cert_hash);
            signature::UnparsedPublicKey::new(self.cv_alg, &self.public_key)
                .verify(&self.cv_content, &self.cv_sig)
                .expect("CertificateVerify signature");
        }
        let cv_hash = transcript.clone().finish();
        let server_finished = finished_mac(&s_hs, cv_hash.as_ref());
        std::hint::black_box(&server_finished);
        let server_finished_hash = transcript.clone().finish();

        // Application traffic secrets, the exporter, our Finished.
        let c_ap = expand_label(&master, b"c ap traffic", server_finished_hash.as_ref());
        let s_ap = expand_label(&master, b"s ap traffic", server_finished_hash.as_ref());
        let exporter = expand_label(&master, b"exp master", server_finished_hash.as_ref());
        let client_finished = finished_mac(&c_hs, server_finished_hash.as_ref());
        let mut record = [0u8; HEADER + 36 + 1 + TAG];
        record[HEADER..HEADER + 4].copy_from_slice(&[20, 0, 0, 32]);
        record[HEADER + 4..HEADER + 36].copy_from_slice(client_finished.as_ref());
        record[HEADER + 36] = 22;
        c_hs_key.seal_inner(0, &mut record, 37);
        let c_ap_key = traffic_key(&prk(&c_ap));
        let s_ap_key = traffic_key(&prk(&s_ap));
        std::hint::black_box((&record, &exporter, &c_ap_key, &s_ap_key));
        // RFC 8446 §7.1: the resumption master secret, over the
        // transcript through our Finished, for the tickets to come.
        self.psk.is_some().then(|| {
            transcript.update(&record[HEADER..HEADER + 36]);
            prk(&expand_label(
                &master,
                b"res master",
                transcript.finish().as_ref(),
            ))
        })
    }

    /// The server's records after our Finished: each opened, and with a
    /// resumption master secret each ticket's PSK derived (RFC 8446
    /// §4.6.1), a counter standing in for the ticket's nonce.
    pub fn tickets(&self, res_master: Option<Prk>) {
        for (seq, sealed) in (0..).zip(&self.server_tickets) {
            let mut record = sealed.clone();
            std::hint::black_box(self.hs_key.open(seq, &mut record));
        }
        if let Some(res_master) = &res_master {
            for nonce in 0..self.tickets_sent as u64 {
                let psk = expand_label(res_master, b"resumption", &nonce.to_be_bytes());
                std::hint::black_box(psk);
            }
        }
    }
}

/// SHA-256 of the empty string (RFC 8446 §7.1's `Derive-Secret(., "derived", "")`).
const EMPTY_SHA256: [u8; 32] = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// RFC 8446 §7.1 HKDF-Expand-Label into `N` bytes.
fn expand_label_n<const N: usize>(secret: &Prk, label: &[u8], context: &[u8]) -> [u8; N] {
    let len = (N as u16).to_be_bytes();
    let label_len = [(6 + label.len()) as u8];
    let context_len = [context.len() as u8];
    let info: [&[u8]; 6] = [&len, &label_len, b"tls13 ", label, &context_len, context];
    let mut out = [0u8; N];
    secret
        .expand(&info, Len(N))
        .expect("expand")
        .fill(&mut out)
        .expect("fill");
    out
}

fn expand_label(secret: &Prk, label: &[u8], context: &[u8]) -> [u8; 32] {
    expand_label_n(secret, label, context)
}

fn prk(secret: &[u8; 32]) -> Prk {
    Prk::new_less_safe(HKDF_SHA256, secret)
}

/// A traffic secret's AES-128-GCM key and IV (RFC 8446 §7.3).
fn traffic_key(secret: &Prk) -> RecordKey {
    let key: [u8; 16] = expand_label_n(secret, b"key", b"");
    let iv: [u8; 12] = expand_label_n(secret, b"iv", b"");
    RecordKey {
        key: LessSafeKey::new(UnboundKey::new(&aead::AES_128_GCM, &key).expect("key length")),
        iv,
    }
}

/// RFC 8446 §4.4.4: HMAC(finished_key, transcript hash).
fn finished_mac(base_secret: &Prk, transcript_hash: &[u8]) -> hmac::Tag {
    let finished_key: [u8; 32] = expand_label_n(base_secret, b"finished", b"");
    hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, &finished_key),
        transcript_hash,
    )
}

/// A handshake's floor, in the two parts a client's rhythm splits it
/// into: the first flight, and everything after the server's reply.
pub trait FloorHandshake {
    type Started;
    type Finished;
    fn start(&self) -> Self::Started;
    fn finish(&self, started: Self::Started) -> Self::Finished;
    /// Whether the server answers the client's Finished with records the
    /// floor then takes, in a third part: TLS 1.3 tickets, or TLS 1.2's
    /// ChangeCipherSpec and Finished. A client has them only after the
    /// server's turn that takes its Finished.
    fn answered_after_finished(&self) -> bool;
    fn after_finished(&self, finished: Self::Finished);
}

impl FloorHandshake for HandshakeFloor {
    type Started = Started;
    type Finished = Option<Prk>;
    fn start(&self) -> Started {
        HandshakeFloor::start(self)
    }
    fn finish(&self, started: Started) -> Option<Prk> {
        HandshakeFloor::finish(self, started)
    }
    fn answered_after_finished(&self) -> bool {
        !self.server_tickets.is_empty()
    }
    fn after_finished(&self, res_master: Option<Prk>) {
        HandshakeFloor::tickets(self, res_master)
    }
}

/// Mean µs of a handshake floor over `n` handshakes, run back to back as
/// one timed block: the crypto with hot caches and one clock reading.
pub fn handshake_micros<F: FloorHandshake>(floor: &F, n: usize) -> f64 {
    let mut meter = Meter::default();
    meter.client(|| {
        for _ in 0..n {
            floor.after_finished(floor.finish(floor.start()));
        }
    });
    meter.seconds() * 1e6 / n as f64
}

/// A real server that has sent its flight to a client, and the client's
/// Finished for it: its next turn (taking the Finished, sending tickets)
/// is the server's work before a client's third part.
pub struct AwaitingFinished {
    pub server: rustls::ServerConnection,
    pub finished: Vec<u8>,
    /// Hands what the server sent next back to the client (which keeps
    /// its tickets, so that the next one resumes too).
    pub take_reply: TakeReply,
}

/// See `AwaitingFinished::take_reply`.
pub type TakeReply = Box<dyn FnOnce(&mut Vec<u8>)>;

/// Mean µs of a handshake floor over `n` handshakes run in a client's
/// rhythm: the first flight and the rest timed as separate calls, with a
/// real server answering a recorded ClientHello (untimed) between them,
/// as every client's handshake has; and for a floor the server answers
/// after the client's Finished (tickets, or TLS 1.2's Finished), a third
/// call after a real server has taken a client's Finished and answered,
/// which is when a client gets the answer. What the server's
/// work does to the caches and branch predictors, and what each clock
/// reading costs beyond its calibrated price, then weighs on the floor as
/// on a client.
///
/// `awaiting_finished` makes one, untimed, before each handshake.
pub fn handshake_micros_in_rhythm<F: FloorHandshake>(
    floor: &F,
    server: &std::sync::Arc<rustls::ServerConfig>,
    client_hello: &[u8],
    awaiting_finished: &dyn Fn() -> AwaitingFinished,
    n: usize,
) -> f64 {
    let mut meter = Meter::default();
    let mut flight = Vec::with_capacity(8192);
    crate::drive::measured_handshakes_start();
    for _ in 0..n {
        let answering = floor.answered_after_finished().then(awaiting_finished);
        crate::drive::handshake_starts();
        let started = meter.client(|| floor.start());
        let mut conn = rustls::ServerConnection::new(server.clone()).expect("server");
        crate::drive::server_receive(&mut conn, client_hello);
        crate::drive::server_send(&mut conn, &mut flight);
        flight.clear();
        let finished = meter.client(|| floor.finish(started));
        if let Some(mut answering) = answering {
            crate::drive::server_receive(&mut answering.server, &answering.finished);
            crate::drive::server_send(&mut answering.server, &mut flight);
            assert!(!flight.is_empty(), "the server did not answer the Finished");
            meter.client(|| floor.after_finished(finished));
            (answering.take_reply)(&mut flight);
            flight.clear();
        }
    }
    meter.seconds() * 1e6 / n as f64
}
