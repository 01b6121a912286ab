//! The floor of a full TLS 1.2 handshake: the cryptography of an
//! ECDHE-ECDSA (or ECDHE-RSA) client with AES-128-GCM and SHA-256 and the
//! extended master secret (RFC 7627), done with ring alone.

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey};
use ring::digest::{self, SHA256};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature;

use crate::floor::{ChainKind, FloorHandshake, FloorKey, HandshakeShape, RSA_PKCS1_SHA256};

const HEADER: usize = 5;
const EXPLICIT_NONCE: usize = 8;
const TAG: usize = 16;
/// A Finished message: 4-byte header and 12 bytes of verify_data.
const FINISHED: usize = 16;

/// Everything the TLS 1.2 handshake floor needs, made once.
pub struct Tls12Floor {
    rng: SystemRandom,
    server_share: Vec<u8>,
    verify_alg: &'static dyn signature::VerificationAlgorithm,
    public_key: Vec<u8>,
    /// The leaf certificate's signed part and the CA's signature on it.
    tbs: Vec<u8>,
    tbs_sig: Vec<u8>,
    /// client_random + server_random + ServerECDHParams, and the
    /// ServerKeyExchange signature over it (RFC 8422 §5.4).
    ske_content: Vec<u8>,
    ske_sig: Vec<u8>,
    client_hello: Vec<u8>,
    /// ServerHello, Certificate, ServerKeyExchange, ServerHelloDone.
    server_flight: Vec<u8>,
    /// The server's Finished, sealed under a fixed key (its key is still
    /// derived in `finish`, as in the TLS 1.3 floor).
    server_finished: Vec<u8>,
    finished_key: LessSafeKey,
}

impl Tls12Floor {
    /// `pkcs8` is the server's key, standing in for the CA's too (as in
    /// the TLS 1.3 floor).
    pub fn new(kind: ChainKind, pkcs8: &[u8], shape: &HandshakeShape) -> Tls12Floor {
        let rng = SystemRandom::new();
        let peer = EphemeralPrivateKey::generate(&agreement::X25519, &rng).expect("X25519 key");
        let server_share = peer.compute_public_key().expect("X25519").as_ref().to_vec();
        let tbs = vec![0x30; shape.leaf_len];
        let mut ske_content = vec![0xcc; 64];
        ske_content.extend_from_slice(&[3, 0, 29, 32]);
        ske_content.extend_from_slice(&server_share);

        let key = FloorKey::from_pkcs8(kind, pkcs8, &rng);
        let public_key = key.public_key();
        let (tbs_sig, verify_alg) = key.sign(&rng, RSA_PKCS1_SHA256, &tbs);
        let (ske_sig, _) = key.sign(&rng, RSA_PKCS1_SHA256, &ske_content);

        let mut key_bytes = [0u8; 16];
        rng.fill(&mut key_bytes).expect("randomness");
        let finished_key =
            LessSafeKey::new(UnboundKey::new(&aead::AES_128_GCM, &key_bytes).expect("key"));
        let mut server_finished = vec![0x16; HEADER + EXPLICIT_NONCE + FINISHED + TAG];
        {
            let (header, body) = server_finished.split_at_mut(HEADER + EXPLICIT_NONCE);
            let (inner, tag_out) = body.split_at_mut(FINISHED);
            let tag = finished_key
                .seal_in_place_separate_tag(nonce(&[0; 4], 0), Aad::from(&header[..HEADER]), inner)
                .expect("seal");
            tag_out.copy_from_slice(tag.as_ref());
        }
        Tls12Floor {
            rng,
            server_share,
            verify_alg,
            public_key,
            tbs,
            tbs_sig,
            ske_content,
            ske_sig,
            client_hello: vec![1; shape.client_hello_len],
            server_flight: vec![2; shape.server_plain_len],
            server_finished,
            finished_key,
        }
    }
}

/// What checking the server's Finished needs: the master secret and the
/// transcript through our Finished (RFC 5246 §7.4.9).
pub struct AwaitingServerFinished {
    master: [u8; 48],
    transcript: digest::Context,
}

impl FloorHandshake for Tls12Floor {
    type Started = EphemeralPrivateKey;
    type Finished = AwaitingServerFinished;

    /// The server's ChangeCipherSpec and Finished come after it has taken
    /// ours: a client checks them in a third part.
    fn answered_after_finished(&self) -> bool {
        true
    }

    /// The server's Finished: open it and check its verify_data.
    fn after_finished(&self, awaiting: AwaitingServerFinished) {
        // Copied where it is opened, as a client's receive buffer holds it;
        // on the stack, so the floor allocates nothing here.
        let mut finished = [0u8; HEADER + EXPLICIT_NONCE + FINISHED + TAG];
        finished.copy_from_slice(&self.server_finished);
        let (header, body) = finished.split_at_mut(HEADER + EXPLICIT_NONCE);
        let plain = self
            .finished_key
            .open_in_place(nonce(&[0; 4], 0), Aad::from(&header[..HEADER]), body)
            .expect("open the server's Finished");
        let expected_hash = awaiting.transcript.finish();
        let mut expected = [0u8; 12];
        prf(
            &awaiting.master,
            b"server finished",
            &[expected_hash.as_ref()],
            &mut expected,
        );
        std::hint::black_box((plain.len(), expected));
    }

    /// The ClientHello's random and the key pair for ClientKeyExchange
    /// (made before the ServerHello, as clients offering TLS 1.3 too must).
    fn start(&self) -> EphemeralPrivateKey {
        let mut random = [0u8; 32];
        self.rng.fill(&mut random).expect("randomness");
        let private =
            EphemeralPrivateKey::generate(&agreement::X25519, &self.rng).expect("X25519 key");
        std::hint::black_box((private.compute_public_key().expect("X25519"), &random));
        private
    }

    /// The server's flight to its ServerHelloDone: both signature checks,
    /// the agreement, the extended master secret, the key block, and our
    /// Finished's PRF, sealed.
    fn finish(&self, private: EphemeralPrivateKey) -> AwaitingServerFinished {
        let mut transcript = digest::Context::new(&SHA256);
        transcript.update(&self.client_hello);
        transcript.update(&self.server_flight);
        signature::UnparsedPublicKey::new(self.verify_alg, &self.public_key)
            .verify(&self.tbs, &self.tbs_sig)
            .expect("certificate signature");
        signature::UnparsedPublicKey::new(self.verify_alg, &self.public_key)
            .verify(&self.ske_content, &self.ske_sig)
            .expect("ServerKeyExchange signature");
        let mut pms = [0u8; 32];
        agreement::agree_ephemeral(
            private,
            &UnparsedPublicKey::new(&agreement::X25519, &self.server_share),
            |secret| pms.copy_from_slice(secret),
        )
        .expect("X25519 agreement");
        // ClientKeyExchange: a length byte and our 32-byte share.
        transcript.update(&[0x10, 0, 0, 33, 32]);
        transcript.update(&[0x55; 32]);
        let session_hash = transcript.clone().finish();

        // RFC 7627 §4, RFC 5246 §6.3.
        let mut master = [0u8; 48];
        prf(
            &pms,
            b"extended master secret",
            &[session_hash.as_ref()],
            &mut master,
        );
        let mut key_block = [0u8; 40];
        prf(
            &master,
            b"key expansion",
            &[&[0xcc; 32], &[0xdd; 32]],
            &mut key_block,
        );
        let client_key =
            LessSafeKey::new(UnboundKey::new(&aead::AES_128_GCM, &key_block[..16]).expect("key"));
        let server_key =
            LessSafeKey::new(UnboundKey::new(&aead::AES_128_GCM, &key_block[16..32]).expect("key"));
        std::hint::black_box(&server_key);

        // Our Finished (RFC 5246 §7.4.9), sealed with an explicit nonce.
        let mut verify_data = [0u8; 12];
        prf(
            &master,
            b"client finished",
            &[session_hash.as_ref()],
            &mut verify_data,
        );
        let mut record = [0u8; HEADER + EXPLICIT_NONCE + FINISHED + TAG];
        record[..HEADER].copy_from_slice(&[22, 3, 3, 0, 40]);
        record[HEADER + EXPLICIT_NONCE..HEADER + EXPLICIT_NONCE + 4]
            .copy_from_slice(&[20, 0, 0, 12]);
        record[HEADER + EXPLICIT_NONCE + 4..HEADER + EXPLICIT_NONCE + FINISHED]
            .copy_from_slice(&verify_data);
        transcript.update(&record[HEADER + EXPLICIT_NONCE..HEADER + EXPLICIT_NONCE + FINISHED]);
        {
            let (header, body) = record.split_at_mut(HEADER + EXPLICIT_NONCE);
            let (inner, tag_out) = body.split_at_mut(FINISHED);
            let tag = client_key
                .seal_in_place_separate_tag(
                    nonce(&key_block[32..36], 0),
                    Aad::from(&header[..HEADER]),
                    inner,
                )
                .expect("seal");
            tag_out.copy_from_slice(tag.as_ref());
        }
        std::hint::black_box(&record);
        AwaitingServerFinished { master, transcript }
    }
}

/// The AES-GCM nonce of TLS 1.2 (RFC 5288 §3): 4 bytes of IV and the
/// 8-byte explicit part (here the sequence number).
fn nonce(iv: &[u8], seq: u64) -> Nonce {
    let mut n = [0u8; 12];
    n[..4].copy_from_slice(iv);
    n[4..].copy_from_slice(&seq.to_be_bytes());
    Nonce::assume_unique_for_key(n)
}

/// RFC 5246 §5: PRF(secret, label, seed) = P_SHA256(secret, label + seed).
fn prf(secret: &[u8], label: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let mut a = {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(label);
        for s in seed {
            ctx.update(s);
        }
        ctx.sign()
    };
    let mut chunks = out.chunks_mut(32).peekable();
    while let Some(chunk) = chunks.next() {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(a.as_ref());
        ctx.update(label);
        for s in seed {
            ctx.update(s);
        }
        let block = ctx.sign();
        chunk.copy_from_slice(&block.as_ref()[..chunk.len()]);
        // A(i+1) only if another block follows.
        if chunks.peek().is_some() {
            a = hmac::sign(&key, a.as_ref());
        }
    }
}
