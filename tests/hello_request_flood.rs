//! A TLS 1.2 server that keeps asking to renegotiate (RFC 5246 §7.4.1.1)
//! and never reads its socket. The test holds the server's keys (rustls's
//! extracted secrets) and seals the records itself: a byte of application
//! data, then eight HelloRequests, over and over. Each byte of data resets
//! the count of HelloRequests in a row, so the flood is never refused; what
//! bounds it is that only the first HelloRequest is answered.

mod common;

use std::io::Read;
use std::sync::Arc;

use common::certs::{KeyType, TestPki};
use common::oxtls_client::{oxtls_client, oxtls_config};
use common::pump::handshake;
use common::rustls_server::RustlsServerOptions;
use common::TlsVersions;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
use rustls::CipherSuite as RSuite;
use rustls::ConnectionTrafficSecrets as RSecrets;

/// Seals TLS 1.2 AES-GCM records (RFC 5288 §3), the sequence number as
/// the explicit nonce.
struct Tls12Sealer {
    key: LessSafeKey,
    salt: [u8; 4],
    seq: u64,
}

impl Tls12Sealer {
    fn seal(&mut self, typ: u8, plain: &[u8]) -> Vec<u8> {
        let seq = self.seq.to_be_bytes();
        self.seq += 1;
        let mut nonce = [0u8; 12];
        nonce[..4].copy_from_slice(&self.salt);
        nonce[4..].copy_from_slice(&seq);
        // RFC 5246 §6.2.3.3: seq_num + type + version + length.
        let mut aad = [0u8; 13];
        aad[..8].copy_from_slice(&seq);
        aad[8] = typ;
        aad[9..11].copy_from_slice(&[3, 3]);
        aad[11..].copy_from_slice(&(plain.len() as u16).to_be_bytes());
        let mut body = plain.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut body,
            )
            .expect("sealed");
        let mut record = vec![typ, 3, 3];
        record.extend_from_slice(&((8 + body.len()) as u16).to_be_bytes());
        record.extend_from_slice(&seq);
        record.extend_from_slice(&body);
        record
    }
}

#[test]
fn only_the_first_hello_request_is_answered() {
    let pki = TestPki::new();
    let options = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls12Only)
        .cipher_suites(&[RSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]);
    let mut server_config = (*options.config()).clone();
    server_config.enable_secret_extraction = true;
    let mut server = rustls::ServerConnection::new(Arc::new(server_config)).expect("a server");
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    let (seq, secrets) = server.dangerous_extract_secrets().expect("secrets").tx;
    let RSecrets::Aes128Gcm { key, iv } = secrets else {
        panic!("the server chose another suite");
    };
    let mut sealer = Tls12Sealer {
        key: LessSafeKey::new(UnboundKey::new(&AES_128_GCM, key.as_ref()).expect("a key")),
        salt: iv.as_ref()[..4].try_into().expect("a salt"),
        seq,
    };

    let eight_hello_requests = [0u8, 0, 0, 0].repeat(8);
    let mut plaintext = Vec::new();
    let mut queued = Vec::new();
    for _ in 0..1000 {
        let mut wire = sealer.seal(23, b"x");
        wire.extend(sealer.seal(22, &eight_hello_requests));
        let mut rd = &wire[..];
        while !rd.is_empty() {
            client.read_tls(&mut rd).expect("read");
            let state = client
                .process_new_packets()
                .unwrap_or_else(|e| panic!("{e}"));
            queued.push(state.tls_bytes_to_write());
        }
        let mut buf = [0u8; 16];
        while let Ok(n @ 1..) = client.reader().read(&mut buf) {
            plaintext.extend_from_slice(&buf[..n]);
        }
    }
    assert_eq!(plaintext, b"x".repeat(1000));
    // One warning alert sealed: header, explicit nonce, 2 bytes, tag.
    let one_alert = 5 + 8 + 2 + 16;
    assert_eq!(queued.first(), Some(&one_alert));
    assert_eq!(queued.iter().max(), Some(&one_alert));
}
