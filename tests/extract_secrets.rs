//! `dangerous_extract_secrets` against a rustls server that extracts its
//! own: each side's send keys must be the other's receive keys, with the
//! same next sequence numbers, for every suite of both versions, after
//! data both ways (and, in TLS 1.3, a KeyUpdate each way).

mod common;

use std::io::{Read, Write};
use std::sync::Arc;

use common::certs::{KeyType, TestPki};
use common::oxtls_client::{oxtls_client, oxtls_config};
use common::pump::{handshake, pump, Side};
use common::rustls_server::RustlsServerOptions;
use common::TlsVersions;
use oxtls::{ClientConnection, ConnectionTrafficSecrets, Error};
use rustls::CipherSuite as RSuite;
use rustls::ConnectionTrafficSecrets as RSecrets;

/// A connected pair; both ends allow secret extraction.
fn connected(versions: TlsVersions, suite: RSuite) -> (ClientConnection, rustls::ServerConnection) {
    let pki = TestPki::new();
    let options = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(versions)
        .cipher_suites(&[suite]);
    let mut server_config = (*options.config()).clone();
    server_config.enable_secret_extraction = true;
    let mut server = rustls::ServerConnection::new(Arc::new(server_config)).unwrap();
    let mut config = oxtls_config(&[pki.ca_der()]);
    config.enable_secret_extraction = true;
    let mut client = oxtls_client(config, "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    (client, server)
}

/// Sends a few records each way and reads them all.
fn exchange_data(client: &mut ClientConnection, server: &mut rustls::ServerConnection) {
    for i in 0..3 {
        client.writer().write_all(&[i; 100]).unwrap();
        server.writer().write_all(&[i; 200]).unwrap();
        let exchange = pump(client, server).unwrap();
        assert_eq!(exchange.received_by(Side::Server).len(), 100);
        assert_eq!(exchange.received_by(Side::Client).len(), 200);
    }
}

fn parts(s: &ConnectionTrafficSecrets) -> (&'static str, Vec<u8>, Vec<u8>) {
    let name = match s {
        ConnectionTrafficSecrets::Aes128Gcm { .. } => "AES-128-GCM",
        ConnectionTrafficSecrets::Aes256Gcm { .. } => "AES-256-GCM",
        ConnectionTrafficSecrets::Chacha20Poly1305 { .. } => "ChaCha20-Poly1305",
        _ => unreachable!("no other AEAD"),
    };
    (name, s.key().as_bytes().to_vec(), s.iv().to_vec())
}

fn rustls_parts(s: &RSecrets) -> (&'static str, Vec<u8>, Vec<u8>) {
    match s {
        RSecrets::Aes128Gcm { key, iv } => {
            ("AES-128-GCM", key.as_ref().to_vec(), iv.as_ref().to_vec())
        }
        RSecrets::Aes256Gcm { key, iv } => {
            ("AES-256-GCM", key.as_ref().to_vec(), iv.as_ref().to_vec())
        }
        RSecrets::Chacha20Poly1305 { key, iv } => (
            "ChaCha20-Poly1305",
            key.as_ref().to_vec(),
            iv.as_ref().to_vec(),
        ),
        _ => panic!("an AEAD rustls added since"),
    }
}

/// Our `ours` keys against rustls's `theirs`. TLS 1.2 AES-GCM IVs agree
/// only in the salt: the explicit half is each sender's own choice
/// (rustls derives it from the key block, we count).
fn assert_same(ours: &(u64, ConnectionTrafficSecrets), theirs: &(u64, RSecrets), tls12_gcm: bool) {
    assert_eq!(ours.0, theirs.0, "sequence numbers");
    let (name, key, iv) = parts(&ours.1);
    let (r_name, r_key, r_iv) = rustls_parts(&theirs.1);
    assert_eq!(name, r_name);
    assert_eq!(key, r_key, "{name} key");
    if tls12_gcm {
        assert_eq!(iv[..4], r_iv[..4], "{name} salt");
    } else {
        assert_eq!(iv, r_iv, "{name} IV");
    }
}

#[test]
fn extracted_keys_are_the_servers_for_every_suite() {
    let cases = [
        (
            TlsVersions::Tls13Only,
            RSuite::TLS13_AES_128_GCM_SHA256,
            false,
        ),
        (
            TlsVersions::Tls13Only,
            RSuite::TLS13_AES_256_GCM_SHA384,
            false,
        ),
        (
            TlsVersions::Tls13Only,
            RSuite::TLS13_CHACHA20_POLY1305_SHA256,
            false,
        ),
        (
            TlsVersions::Tls12Only,
            RSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            true,
        ),
        (
            TlsVersions::Tls12Only,
            RSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            true,
        ),
        (
            TlsVersions::Tls12Only,
            RSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            false,
        ),
    ];
    for (versions, suite, tls12_gcm) in cases {
        let (mut client, mut server) = connected(versions, suite);
        exchange_data(&mut client, &mut server);
        if versions == TlsVersions::Tls13Only {
            // The server updates its keys and asks us to update ours: the
            // keys handed out must be the newest of both directions.
            server.refresh_traffic_keys().unwrap();
            exchange_data(&mut client, &mut server);
        }
        let ours = client.dangerous_extract_secrets().unwrap();
        let theirs = server.dangerous_extract_secrets().unwrap();
        assert_same(&ours.tx, &theirs.rx, tls12_gcm);
        assert_same(&ours.rx, &theirs.tx, tls12_gcm);
        assert!(
            ours.tx.0 >= 2 && ours.rx.0 >= 3,
            "{suite:?}: records were counted: {} {}",
            ours.tx.0,
            ours.rx.0
        );
        if tls12_gcm {
            // Our next explicit nonce, which a kernel would carry on from.
            assert_eq!(ours.tx.1.iv()[4..], ours.tx.0.to_be_bytes());
        }
        // The key never shows in Debug output.
        let shown = format!("{ours:?}");
        let key_hex: String = ours
            .tx
            .1
            .key()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(!shown.contains(&key_hex) && shown.contains("ExtractedKey"));
    }
}

#[test]
fn extraction_is_refused_unless_enabled_complete_and_drained() {
    // Not enabled in the config.
    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256)).connection();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    handshake(&mut client, &mut server).unwrap();
    assert!(
        matches!(client.dangerous_extract_secrets(), Err(Error::General(m)) if m.contains("disabled"))
    );

    // Before the handshake.
    let mut config = oxtls_config(&[pki.ca_der()]);
    config.enable_secret_extraction = true;
    let client = oxtls_client(config, "localhost");
    assert_eq!(
        client.dangerous_extract_secrets().unwrap_err(),
        Error::HandshakeNotComplete
    );

    // With plaintext not yet read, which extraction would lose.
    let (mut client, mut server) =
        connected(TlsVersions::Tls13Only, RSuite::TLS13_AES_128_GCM_SHA256);
    server.writer().write_all(b"unread").unwrap();
    let mut tls = Vec::new();
    while server.wants_write() {
        server.write_tls(&mut tls).unwrap();
    }
    client.read_tls(&mut &tls[..]).unwrap();
    client.process_new_packets().unwrap();
    assert!(
        matches!(client.dangerous_extract_secrets(), Err(Error::General(m)) if m.contains("buffered"))
    );

    // With our own bytes not yet written.
    let (mut client, _server) = connected(TlsVersions::Tls13Only, RSuite::TLS13_AES_128_GCM_SHA256);
    client.writer().write_all(b"unsent").unwrap();
    assert!(client.wants_write());
    assert!(
        matches!(client.dangerous_extract_secrets(), Err(Error::General(m)) if m.contains("buffered"))
    );

    // Drained, it works.
    let (mut client, mut server) = connected(
        TlsVersions::Tls12Only,
        RSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    );
    exchange_data(&mut client, &mut server);
    let mut rest = Vec::new();
    let _ = client.reader().read_to_end(&mut rest);
    assert!(client.dangerous_extract_secrets().is_ok());
}
