//! oxtls's TLS 1.2 client against real peers: a rustls server limited to
//! TLS 1.2 in memory (every suite, group and certificate key type, ALPN,
//! bulk data, byte-at-a-time input, close_notify, exporter, key log,
//! CertificateRequest), and `openssl s_server -tls1_2` over sockets (every
//! suite, key log, a HelloRequest).

mod common;

use std::io::{ErrorKind, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::certs::{KeyType, TestPki};
use common::openssl_server::{OpensslServer, OpensslServerOptions, SServerMode};
use common::oxtls_client::{
    connect_to_s_server, full_record_plaintext_alignment, http_get, oxtls_client, oxtls_config,
};
use common::pump::{handshake, pump, send_pattern, Side};
use common::rustls_server::{ring_provider, server_export, RustlsServerOptions, ServerView};
use common::TlsVersions;
use oxtls::{ClientConnection, ProtocolVersion};
use rustls::{CipherSuite as RCipherSuite, NamedGroup as RNamedGroup};

/// Every TLS 1.2 suite oxtls implements: rustls's name, the number, and
/// the certificate key type its ServerKeyExchange is signed with.
const SUITES: [(RCipherSuite, u16, KeyType); 6] = [
    (
        RCipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        0xc02b,
        KeyType::EcdsaP256,
    ),
    (
        RCipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        0xc02f,
        KeyType::Rsa2048,
    ),
    (
        RCipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        0xc02c,
        KeyType::EcdsaP256,
    ),
    (
        RCipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        0xc030,
        KeyType::Rsa2048,
    ),
    (
        RCipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        0xcca9,
        KeyType::EcdsaP256,
    ),
    (
        RCipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        0xcca8,
        KeyType::Rsa2048,
    ),
];

fn check_exporter(client: &ClientConnection, server: &rustls::ServerConnection) {
    // RFC 5705 §4: no context and an empty context give different output.
    let mut outputs = Vec::new();
    for context in [None, Some(&b""[..]), Some(&b"context"[..])] {
        let ours = client
            .export_keying_material(vec![0u8; 48], b"EXPERIMENTAL test", context)
            .unwrap();
        assert_eq!(
            ours,
            server_export(server, b"EXPERIMENTAL test", context, 48)
        );
        outputs.push(ours);
    }
    assert_ne!(outputs[0], outputs[1]);
}

/// A client with the default versions (1.3 and 1.2) connected to a rustls
/// server that speaks only TLS 1.2.
fn connected(key: KeyType) -> (ClientConnection, rustls::ServerConnection) {
    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(key))
        .versions(TlsVersions::Tls12Only)
        .connection();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::TLSv1_2));
    (client, server)
}

#[test]
fn every_suite_with_every_group() {
    let pki = TestPki::new();
    let groups = [
        RNamedGroup::X25519,
        RNamedGroup::secp256r1,
        RNamedGroup::secp384r1,
    ];
    for (suite, id, key) in SUITES {
        let cert = pki.server_cert(key);
        for group in groups {
            let mut server = RustlsServerOptions::new(&cert)
                .versions(TlsVersions::Tls12Only)
                .cipher_suites(&[suite])
                .kx_groups(&[group])
                .connection();
            let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
            handshake(&mut client, &mut server)
                .unwrap_or_else(|e| panic!("{suite:?} {group:?}: {e}"));
            let view = ServerView::of(&server);
            assert_eq!(view.version, Some(rustls::ProtocolVersion::TLSv1_2));
            assert_eq!(view.suite, Some(suite));
            assert_eq!(view.kx_group, Some(group));
            assert_eq!(
                client
                    .negotiated_key_exchange_group()
                    .map(|g| u16::from(g.name())),
                Some(u16::from(group))
            );
            assert_eq!(client.protocol_version(), Some(ProtocolVersion::TLSv1_2));
            assert_eq!(
                client
                    .negotiated_cipher_suite()
                    .map(|s| u16::from(s.suite())),
                Some(id)
            );
            assert_eq!(client.peer_certificates().map(<[_]>::len), Some(1));
            send_pattern(&mut client, &mut server, Side::Client, 50_000).unwrap();
            send_pattern(&mut client, &mut server, Side::Server, 50_000).unwrap();
            check_exporter(&client, &server);
        }
    }
}

#[test]
fn every_certificate_key_type() {
    let pki = TestPki::new();
    for key in [
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
        KeyType::Rsa2048,
        KeyType::Ed25519,
    ] {
        let (mut client, mut server) = {
            let mut server = RustlsServerOptions::new(&pki.server_cert(key))
                .versions(TlsVersions::Tls12Only)
                .connection();
            let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
            handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{key:?}: {e}"));
            (client, server)
        };
        assert_eq!(client.protocol_version(), Some(ProtocolVersion::TLSv1_2));
        send_pattern(&mut client, &mut server, Side::Server, 10_000).unwrap();
    }
}

#[test]
fn a_chain_with_an_intermediate() {
    let pki = TestPki::new();
    let cert = pki.leaf("localhost").via_intermediate().build();
    let mut server = RustlsServerOptions::new(&cert)
        .versions(TlsVersions::Tls12Only)
        .connection();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(client.peer_certificates().map(<[_]>::len), Some(2));
}

#[test]
fn default_versions_reach_a_tls12_server_and_prefer_tls13() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    for (server_versions, want) in [
        (TlsVersions::Tls12Only, ProtocolVersion::TLSv1_2),
        (TlsVersions::Both, ProtocolVersion::TLSv1_3),
    ] {
        let mut server = RustlsServerOptions::new(&cert)
            .versions(server_versions)
            .connection();
        let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
        handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(client.protocol_version(), Some(want));
        send_pattern(&mut client, &mut server, Side::Client, 1000).unwrap();
    }
}

/// A client that enables only TLS 1.2 talks 1.2 even to a 1.3 server
/// (which then marks its random with the downgrade sentinel, RFC 8446
/// §4.1.3, that only a client offering 1.3 must refuse).
#[test]
fn a_tls12_only_client_against_a_server_of_both_versions() {
    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Both)
        .connection();
    let config = oxtls::ClientConfig::builder_with_protocol_versions(&[ProtocolVersion::TLSv1_2])
        .with_root_certificates({
            let mut roots = oxtls::RootCertStore::new();
            roots.add(pki.ca_der()).unwrap();
            roots
        })
        .with_no_client_auth();
    let mut client = oxtls_client(config, "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::TLSv1_2));
    assert_eq!(
        ServerView::of(&server).version,
        Some(rustls::ProtocolVersion::TLSv1_2)
    );
    check_exporter(&client, &server);
}

#[test]
fn alpn_and_sni_reach_the_server() {
    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls12Only)
        .alpn(&["h2", "http/1.1"])
        .connection();
    let mut config = oxtls_config(&[pki.ca_der()]);
    config.alpn_protocols = vec![b"spdy/1".to_vec(), b"http/1.1".to_vec()];
    let mut client = oxtls_client(config, "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    let view = ServerView::of(&server);
    assert_eq!(view.sni.as_deref(), Some("localhost"));
    assert_eq!(view.alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(client.alpn_protocol(), Some(&b"http/1.1"[..]));
}

#[test]
fn one_mebibyte_each_way() {
    let (mut client, mut server) = connected(KeyType::EcdsaP256);
    send_pattern(&mut client, &mut server, Side::Client, 1 << 20).unwrap();
    send_pattern(&mut client, &mut server, Side::Server, 1 << 20).unwrap();
    check_exporter(&client, &server);
}

/// Bulk records are decrypted where their ciphertext starts a cache line:
/// past AES-GCM's 8-byte explicit nonce, and right after the header with
/// ChaCha20-Poly1305 (the buffer follows the read keys' record layout).
#[test]
fn bulk_plaintext_lies_on_cache_lines() {
    let pki = TestPki::new();
    for suite in [
        RCipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        RCipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ] {
        let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
            .versions(TlsVersions::Tls12Only)
            .cipher_suites(&[suite])
            .connection();
        let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
        handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
        let alignment = full_record_plaintext_alignment(&mut client, &mut server, 6);
        assert_eq!(alignment, [0; 6], "{suite:?}");
    }
}

#[test]
fn input_fed_one_byte_at_a_time() {
    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::Rsa2048))
        .versions(TlsVersions::Tls12Only)
        .connection();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    client.writer().write_all(b"early words from us").unwrap();
    let mut moved = true;
    let mut server_got = Vec::new();
    let mut server_wrote = false;
    while moved {
        let mut to_server = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut to_server).unwrap();
        }
        let mut rd = &to_server[..];
        while !rd.is_empty() {
            server.read_tls(&mut rd).unwrap();
        }
        server.process_new_packets().unwrap();
        let _ = server.reader().read_to_end(&mut server_got);
        if !server.is_handshaking() && !server_wrote {
            server_wrote = true;
            server
                .writer()
                .write_all(b"late words from the server")
                .unwrap();
        }
        let mut to_client = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut to_client).unwrap();
        }
        moved = !to_server.is_empty() || !to_client.is_empty();
        for byte in &to_client {
            assert_eq!(client.read_tls(&mut &[*byte][..]).unwrap(), 1);
            client.process_new_packets().unwrap();
        }
    }
    assert_eq!(server_got, b"early words from us");
    let mut got = Vec::new();
    let err = client.reader().read_to_end(&mut got).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock);
    assert_eq!(got, b"late words from the server");
}

#[test]
fn close_notify_both_ways() {
    let (mut client, mut server) = connected(KeyType::EcdsaP384);
    client.writer().write_all(b"bye").unwrap();
    client.send_close_notify();
    assert!(client.writer().write(b"more").is_err());
    let exchange = pump(&mut client, &mut server).unwrap();
    assert_eq!(exchange.received_by(Side::Server), b"bye");

    server.writer().write_all(b"see you").unwrap();
    server.send_close_notify();
    let exchange = pump(&mut client, &mut server).unwrap();
    assert_eq!(exchange.received_by(Side::Client), b"see you");
    assert_eq!(client.reader().read(&mut [0u8; 4]).unwrap(), 0);
    assert!(!client.wants_read());
}

/// Collects key log lines as `LABEL client_random secret`, in hex.
#[derive(Debug, Default)]
struct Lines(Mutex<Vec<String>>);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl oxtls::KeyLog for Lines {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push(format!("{label} {} {}", hex(client_random), hex(secret)));
    }
}

impl rustls::KeyLog for Lines {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        oxtls::KeyLog::log(self, label, client_random, secret)
    }
}

/// The key log line is the one rustls logs for the same connection: the
/// master secret under CLIENT_RANDOM (NSS key log format).
#[test]
fn key_log_names_the_master_secret() {
    let pki = TestPki::new();
    let server_lines = Arc::new(Lines::default());
    let mut server_config = (*RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls12Only)
        .config())
    .clone();
    server_config.key_log = server_lines.clone();
    let mut server = rustls::ServerConnection::new(Arc::new(server_config)).unwrap();
    let lines = Arc::new(Lines::default());
    let mut config = oxtls_config(&[pki.ca_der()]);
    config.key_log = Some(lines.clone());
    let mut client = oxtls_client(config, "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    let ours = lines.0.lock().unwrap().clone();
    assert_eq!(ours.len(), 1, "{ours:#?}");
    assert!(ours[0].starts_with("CLIENT_RANDOM "), "{ours:?}");
    // 32-byte random, 48-byte master secret.
    assert_eq!(ours[0].len(), "CLIENT_RANDOM ".len() + 64 + 1 + 96);
    assert_eq!(ours, *server_lines.0.lock().unwrap());
}

/// RFC 5246 §7.4.6: asked for a certificate we do not have, we send an
/// empty one; a server that can do without completes the handshake, and
/// one that cannot says so.
#[test]
fn a_certificate_request_is_answered_with_no_certificate() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    let provider = Arc::new(ring_provider(None, None));
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.ca_der()).unwrap();
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider.clone())
            .allow_unauthenticated()
            .build()
            .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(cert.chain.clone(), cert.key())
        .unwrap();
    let mut server = rustls::ServerConnection::new(Arc::new(config)).unwrap();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ServerView::of(&server).client_certificates, None);
    send_pattern(&mut client, &mut server, Side::Client, 1000).unwrap();

    let mut server = RustlsServerOptions::new(&cert)
        .versions(TlsVersions::Tls12Only)
        .require_client_cert(&[pki.ca_der()])
        .connection();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let err = handshake(&mut client, &mut server).expect_err("the server needs a certificate");
    assert_eq!(err.failed, Side::Server, "{err}");
    assert!(err.error.contains("no certificates"), "{err}");
    assert!(matches!(
        client.process_new_packets(),
        Err(oxtls::Error::AlertReceived(_))
    ));
}

#[test]
fn openssl_every_suite_with_every_group() {
    let pki = TestPki::new();
    let suites = [
        (
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            0xc02bu16,
            KeyType::EcdsaP256,
        ),
        ("ECDHE-RSA-AES128-GCM-SHA256", 0xc02f, KeyType::Rsa2048),
        ("ECDHE-ECDSA-AES256-GCM-SHA384", 0xc02c, KeyType::EcdsaP384),
        ("ECDHE-RSA-AES256-GCM-SHA384", 0xc030, KeyType::Rsa2048),
        ("ECDHE-ECDSA-CHACHA20-POLY1305", 0xcca9, KeyType::EcdsaP256),
        ("ECDHE-RSA-CHACHA20-POLY1305", 0xcca8, KeyType::Rsa2048),
    ];
    for ((suite, id, key), group) in suites
        .into_iter()
        .flat_map(|s| ["X25519", "P-256", "P-384"].map(|g| (s, g)))
    {
        let server = OpensslServerOptions::new(&pki.server_cert(key))
            .versions(TlsVersions::Tls12Only)
            .cipher(suite)
            .groups(group)
            .mode(SServerMode::Www)
            .start();
        let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
        let mut sock = connect_to_s_server(&server, &mut client);
        assert_eq!(client.protocol_version(), Some(ProtocolVersion::TLSv1_2));
        assert_eq!(
            client
                .negotiated_cipher_suite()
                .map(|s| u16::from(s.suite())),
            Some(id)
        );
        let page = http_get(&mut client, &mut sock);
        assert!(
            page.starts_with("HTTP/1.0 200 ok"),
            "{suite} {group}: {page:.200}"
        );
        assert!(
            page.contains(suite),
            "s_server reports another suite: {page}"
        );
    }
}

/// The CLIENT_RANDOM line is the one OpenSSL logs for the connection.
#[test]
fn openssl_key_log_matches() {
    let pki = TestPki::new();
    let server = OpensslServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls12Only)
        .mode(SServerMode::Www)
        .keylog(true)
        .start();
    let lines = Arc::new(Lines::default());
    let mut config = oxtls_config(&[pki.ca_der()]);
    config.key_log = Some(lines.clone());
    let mut client = oxtls_client(config, "localhost");
    let mut sock = connect_to_s_server(&server, &mut client);
    let page = http_get(&mut client, &mut sock);
    assert!(page.starts_with("HTTP/1.0 200 ok"));
    let ours = lines.0.lock().unwrap().clone();
    assert_eq!(ours.len(), 1, "{ours:#?}");
    let theirs = server.keylog().expect("s_server wrote a key log");
    assert!(
        theirs.lines().any(|l| l.eq_ignore_ascii_case(&ours[0])),
        "OpenSSL logged no {:?}:\n{theirs}",
        ours[0]
    );
}

/// RFC 7627 §5.3: a server without the extended master secret still gets
/// a working connection, keyed by the RFC 5246 master secret (which
/// OpenSSL's key log shows), but exports no keying material (§5.4).
#[test]
fn openssl_without_extended_master_secret() {
    let pki = TestPki::new();
    let server = OpensslServerOptions::new(&pki.server_cert(KeyType::Rsa2048))
        .versions(TlsVersions::Tls12Only)
        .without_extended_master_secret()
        .mode(SServerMode::Www)
        .keylog(true)
        .start();
    let lines = Arc::new(Lines::default());
    let mut config = oxtls_config(&[pki.ca_der()]);
    config.key_log = Some(lines.clone());
    let mut client = oxtls_client(config, "localhost");
    let mut sock = connect_to_s_server(&server, &mut client);
    let page = http_get(&mut client, &mut sock);
    assert!(page.starts_with("HTTP/1.0 200 ok"), "{page:.200}");
    assert!(
        page.contains("Extended master secret: no"),
        "s_server used the extended master secret: {page}"
    );
    let ours = lines.0.lock().unwrap().clone();
    let theirs = server.keylog().expect("s_server wrote a key log");
    assert!(
        theirs.lines().any(|l| l.eq_ignore_ascii_case(&ours[0])),
        "OpenSSL logged no {:?}:\n{theirs}",
        ours[0]
    );
    // RFC 7627 §5.4: a master secret a man in the middle could have
    // synchronised with another connection exports nothing.
    let err = client
        .export_keying_material([0u8; 32], b"EXPERIMENTAL oxtls", None)
        .expect_err("exported from a session without the extended master secret");
    assert!(matches!(err, oxtls::Error::PeerIncompatible(_)), "{err:?}");
    assert!(err.to_string().contains("RFC 7627"), "{err}");
}

/// s_server's `r` command sends a HelloRequest. We answer with a
/// no_renegotiation warning (RFC 5246 §7.2.2); OpenSSL, which asked for a
/// renegotiation on purpose, gives up on the connection with a fatal
/// handshake_failure, having read our warning.
#[test]
fn openssl_hello_request_gets_no_renegotiation() {
    let pki = TestPki::new();
    let mut server = OpensslServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls12Only)
        .mode(SServerMode::Interactive)
        .start();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let mut sock = connect_to_s_server(&server, &mut client);
    server.send_line("r");
    let err = loop {
        match client.read_tls(&mut sock) {
            Ok(0) => panic!("s_server closed without an alert\n{}", server.diagnostics()),
            Ok(_) => {}
            Err(e) => panic!("{e}\n{}", server.diagnostics()),
        }
        match client.process_new_packets() {
            Ok(_) => {
                while client.wants_write() {
                    client.write_tls(&mut sock).unwrap();
                }
            }
            Err(e) => break e,
        }
    };
    assert_eq!(
        err,
        oxtls::Error::AlertReceived(oxtls::AlertDescription::HandshakeFailure)
    );
    // s_server reports the error once its read returns: wait a little.
    let saw_it = |server: &OpensslServer| {
        (server.stderr() + &server.stdout())
            .to_lowercase()
            .contains("no renegotiation")
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !saw_it(&server) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        saw_it(&server),
        "s_server did not see our no_renegotiation:\n{}",
        server.diagnostics()
    );
}

/// max_fragment_size bounds TLS 1.2 records too: 507 bytes of plaintext
/// each, plus the explicit nonce and tag of AES-GCM (RFC 5288 §3) or the
/// tag alone of ChaCha20-Poly1305 (RFC 7905 §2).
#[test]
fn max_fragment_size_bounds_our_records() {
    let pki = TestPki::new();
    for (suite, overhead) in [
        (
            RCipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            8 + 16,
        ),
        (
            RCipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            16,
        ),
    ] {
        let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
            .versions(TlsVersions::Tls12Only)
            .cipher_suites(&[suite])
            .connection();
        let mut config = oxtls_config(&[pki.ca_der()]);
        config.max_fragment_size = Some(512);
        let mut client = oxtls_client(config, "localhost");
        handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
        let exchange = send_pattern(&mut client, &mut server, Side::Client, 10_000).unwrap();
        let records = common::pump::records(&exchange.tls_from(Side::Client));
        assert_eq!(records.len(), 10_000usize.div_ceil(507), "{suite:?}");
        for (typ, len) in records {
            assert_eq!(typ, 23);
            assert!(len <= 507 + overhead, "{suite:?}: record of {len} bytes");
        }
    }
}
