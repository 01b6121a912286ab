//! A hostile TLS 1.3 server may pad every record (RFC 8446 §5.4): a full
//! 16 KiB record can carry one byte of content. The client must hold what
//! it has received in proportion to the plaintext waiting to be read, not
//! to the records that carried it.
//!
//! The server here is rustls, whose keys are extracted after the handshake
//! so that the test can seal its own padded records with them. Memory is
//! read as the process's peak resident set (Linux's `VmHWM`), which a
//! buffer holding the records whole would raise by tens of megabytes; this
//! file holds one test so that nothing else moves it.
#![cfg(target_os = "linux")]

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

/// The process's peak resident set so far, in bytes.
fn peak_resident_bytes() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// One TLS 1.3 application data record carrying `content` and then
/// zeros up to the largest inner plaintext (2^14 + 1 bytes), sealed as
/// record number `seq` under `key` and `iv` (RFC 8446 §5.2, §5.3).
fn padded_record(key: &LessSafeKey, iv: &[u8; 12], seq: u64, content: u8) -> Vec<u8> {
    const INNER: usize = (1 << 14) + 1;
    let mut inner = vec![0u8; INNER];
    inner[0] = content;
    inner[1] = 23; // application_data; the zeros after it are padding
    let len = (INNER + 16) as u16;
    let header = [23, 3, 3, (len >> 8) as u8, len as u8];
    let mut nonce = *iv;
    for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
        *n ^= s;
    }
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(header),
        &mut inner,
    )
    .unwrap();
    [&header[..], &inner].concat()
}

#[test]
fn padded_records_are_held_by_their_content_not_their_size() {
    let pki = TestPki::new();
    let options = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls13Only)
        .cipher_suites(&[RSuite::TLS13_AES_128_GCM_SHA256]);
    let mut server_config = (*options.config()).clone();
    server_config.enable_secret_extraction = true;
    let mut server = rustls::ServerConnection::new(Arc::new(server_config)).unwrap();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    let (mut seq, secrets) = server.dangerous_extract_secrets().unwrap().tx;
    let RSecrets::Aes128Gcm { key, iv } = secrets else {
        panic!("the server chose another suite");
    };
    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, key.as_ref()).unwrap());
    let iv: [u8; 12] = iv.as_ref().try_into().unwrap();

    // 2,000 full records, one byte of content each: 33 MB on the wire.
    const RECORDS: usize = 2000;
    let peak_before = peak_resident_bytes();
    for i in 0..RECORDS {
        let record = padded_record(&key, &iv, seq, b'a' + (i % 26) as u8);
        seq += 1;
        let mut rd = &record[..];
        while !rd.is_empty() {
            client.read_tls(&mut rd).unwrap();
            client.process_new_packets().unwrap();
        }
    }
    assert_eq!(
        client
            .process_new_packets()
            .unwrap()
            .plaintext_bytes_to_read(),
        RECORDS
    );
    // A few maximal records' worth of buffer and the allocator's slack,
    // not 33 MB.
    let grown = peak_resident_bytes().saturating_sub(peak_before);
    assert!(
        grown < 8 << 20,
        "the peak resident set grew by {grown} bytes for {RECORDS} bytes of plaintext"
    );

    let mut got = Vec::new();
    client.reader().read_to_end(&mut got).unwrap_err();
    let want: Vec<u8> = (0..RECORDS).map(|i| b'a' + (i % 26) as u8).collect();
    assert!(got == want, "the plaintext came back changed");
}
