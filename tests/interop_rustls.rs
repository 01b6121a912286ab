//! oxtls's client against a rustls server, in memory: every suite and
//! group, every certificate key type, HelloRetryRequest, ALPN, SNI, bulk
//! data both ways, byte-at-a-time input, close_notify, key updates and the
//! exporter.

mod common;

use std::io::{BufRead, ErrorKind, Read, Write};

use common::certs::{KeyType, TestPki};
use common::oxtls_client::{full_record_plaintext_alignment, lent_run, oxtls_client, oxtls_config};
use common::pump::{handshake, pump, send_pattern, Side, TlsEndpoint};
use common::rustls_server::{server_export, RustlsServerOptions, ServerView};
use common::TlsVersions;
use oxtls::{ClientConnection, ProtocolVersion};
use rustls::{CipherSuite as RCipherSuite, HandshakeKind, NamedGroup as RNamedGroup};

fn check_exporter(client: &ClientConnection, server: &rustls::ServerConnection) {
    for context in [None, Some(&b""[..]), Some(&b"context"[..])] {
        let ours = client
            .export_keying_material(vec![0u8; 48], b"EXPERIMENTAL test", context)
            .unwrap();
        assert_eq!(
            ours,
            server_export(server, b"EXPERIMENTAL test", context, 48)
        );
    }
}

/// A client connected to a TLS 1.3 rustls server with an ECDSA P-256
/// certificate: the starting point of most tests here.
fn connected() -> (ClientConnection, rustls::ServerConnection) {
    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls13Only)
        .connection();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    (client, server)
}

#[test]
fn every_suite_with_every_group() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    let suites = [
        (RCipherSuite::TLS13_AES_128_GCM_SHA256, 0x1301u16),
        (RCipherSuite::TLS13_AES_256_GCM_SHA384, 0x1302),
        (RCipherSuite::TLS13_CHACHA20_POLY1305_SHA256, 0x1303),
    ];
    let groups = [
        RNamedGroup::X25519,
        RNamedGroup::secp256r1,
        RNamedGroup::secp384r1,
    ];
    for (suite, id) in suites {
        for group in groups {
            let mut server = RustlsServerOptions::new(&cert)
                .versions(TlsVersions::Tls13Only)
                .cipher_suites(&[suite])
                .kx_groups(&[group])
                .connection();
            let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
            handshake(&mut client, &mut server)
                .unwrap_or_else(|e| panic!("{suite:?} {group:?}: {e}"));
            let view = ServerView::of(&server);
            assert_eq!(view.suite, Some(suite));
            assert_eq!(view.kx_group, Some(group));
            assert_eq!(
                client
                    .negotiated_key_exchange_group()
                    .map(|g| u16::from(g.name())),
                Some(u16::from(group))
            );
            assert_eq!(client.protocol_version(), Some(ProtocolVersion::TLSv1_3));
            assert_eq!(
                client
                    .negotiated_cipher_suite()
                    .map(|s| u16::from(s.suite())),
                Some(id)
            );
            // X25519 is our first group, so only the others need a retry.
            let expect_kind = if group == RNamedGroup::X25519 {
                HandshakeKind::Full
            } else {
                HandshakeKind::FullWithHelloRetryRequest
            };
            assert_eq!(
                view.handshake_kind,
                Some(expect_kind),
                "{suite:?} {group:?}"
            );
            send_pattern(&mut client, &mut server, Side::Client, 100_000).unwrap();
            send_pattern(&mut client, &mut server, Side::Server, 100_000).unwrap();
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
        let mut server = RustlsServerOptions::new(&pki.server_cert(key))
            .versions(TlsVersions::Tls13Only)
            .connection();
        let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
        handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{key:?}: {e}"));
        assert_eq!(client.peer_certificates().map(<[_]>::len), Some(1));
        send_pattern(&mut client, &mut server, Side::Server, 10_000).unwrap();
    }
}

#[test]
fn an_ecdsa_root_can_sign_an_intermediate_chain() {
    let pki = TestPki::new();
    let cert = pki.leaf("localhost").via_intermediate().build();
    let mut server = RustlsServerOptions::new(&cert)
        .versions(TlsVersions::Tls13Only)
        .connection();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(client.peer_certificates().map(<[_]>::len), Some(2));
}

#[test]
fn hello_retry_request_when_the_server_wants_another_group() {
    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls13Only)
        .kx_groups(&[RNamedGroup::secp384r1])
        .connection();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let exchange = handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        ServerView::of(&server).handshake_kind,
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
    // ClientHello; then CCS + ClientHello2; then Finished.
    assert_eq!(exchange.flights_from(Side::Client), 3);
    send_pattern(&mut client, &mut server, Side::Client, 1000).unwrap();
}

#[test]
fn alpn_and_sni_reach_the_server() {
    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls13Only)
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
fn no_sni_for_an_ip_address_or_when_disabled() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    for (name, enable_sni) in [("127.0.0.1", true), ("localhost", false)] {
        let mut server = RustlsServerOptions::new(&cert)
            .versions(TlsVersions::Tls13Only)
            .connection();
        let mut config = oxtls_config(&[pki.ca_der()]);
        config.enable_sni = enable_sni;
        let mut client = oxtls_client(config, name);
        handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(ServerView::of(&server).sni, None, "{name}");
    }
}

#[test]
fn ten_mebibytes_each_way() {
    let (mut client, mut server) = connected();
    send_pattern(&mut client, &mut server, Side::Client, 10 << 20).unwrap();
    send_pattern(&mut client, &mut server, Side::Server, 10 << 20).unwrap();
}

#[test]
fn input_fed_one_byte_at_a_time() {
    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::Rsa2048))
        .versions(TlsVersions::Tls13Only)
        .connection();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    server
        .writer()
        .write_all(b"early words from the server")
        .unwrap();
    let mut moved = true;
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
    let mut got = Vec::new();
    let err = client.reader().read_to_end(&mut got).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock);
    assert_eq!(got, b"early words from the server");
}

/// `BufRead` lends the plaintext where it was decrypted: reading a server's
/// megabyte through `fill_buf`/`consume`, mixed with copying reads, gives
/// back every byte in order; then the same end-of-data signals as `read`.
#[test]
fn plaintext_read_in_place_through_bufread() {
    let (mut client, mut server) = connected();
    let sent = common::pump::pattern(1 << 20);
    let mut got = Vec::new();
    let mut runs = 0;
    for piece in sent.chunks(50_000) {
        server.writer().write_all(piece).unwrap();
        let mut tls = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut tls).unwrap();
        }
        let mut rd = &tls[..];
        while !rd.is_empty() {
            client.read_tls(&mut rd).unwrap();
            client.process_new_packets().unwrap();
            loop {
                let mut reader = client.reader();
                let Some(run) = lent_run(&mut reader) else {
                    break;
                };
                assert!(!run.is_empty(), "an empty run means end of data");
                assert!(run.len() <= 16_384, "a run is at most one record");
                runs += 1;
                // Take part of the run in place and, every third time,
                // copy a few bytes out with `read` too.
                let take = run.len().min(5_000);
                got.extend_from_slice(&run[..take]);
                reader.consume(take);
                if runs % 3 == 0 {
                    let mut small = [0u8; 7];
                    if let Ok(n) = reader.read(&mut small) {
                        got.extend_from_slice(&small[..n]);
                    }
                }
            }
        }
    }
    assert_eq!(got.len(), sent.len());
    assert!(got == sent, "the plaintext came back changed or reordered");
    assert!(runs > 64);
    assert_eq!(client.plaintext_bytes_to_read(), 0);

    server.send_close_notify();
    pump(&mut client, &mut server).unwrap();
    assert_eq!(client.reader().fill_buf().unwrap(), b"");
}

#[test]
fn fill_buf_reports_truncation_like_read() {
    let (mut client, _server) = connected();
    assert_eq!(
        client.reader().fill_buf().unwrap_err().kind(),
        ErrorKind::WouldBlock
    );
    assert_eq!(client.read_tls(&mut &[][..]).unwrap(), 0);
    client.process_new_packets().unwrap();
    assert_eq!(
        client.reader().fill_buf().unwrap_err().kind(),
        ErrorKind::UnexpectedEof
    );
}

#[test]
fn close_notify_both_ways() {
    let (mut client, mut server) = connected();

    // Before anything is closed, an empty read would block.
    assert_eq!(
        client.reader().read(&mut [0u8; 4]).unwrap_err().kind(),
        ErrorKind::WouldBlock
    );
    client.writer().write_all(b"bye").unwrap();
    client.send_close_notify();
    assert!(client.writer().write(b"more").is_err());
    // The pump reads what each side receives until it would block or sees
    // the peer's close_notify.
    let exchange = pump(&mut client, &mut server).unwrap();
    assert_eq!(exchange.received_by(Side::Server), b"bye");

    server.writer().write_all(b"see you").unwrap();
    server.send_close_notify();
    let exchange = pump(&mut client, &mut server).unwrap();
    assert_eq!(exchange.received_by(Side::Client), b"see you");
    assert_eq!(client.reader().read(&mut [0u8; 4]).unwrap(), 0);
    assert!(!client.wants_read());
}

#[test]
fn truncation_without_close_notify_is_reported() {
    let (mut client, mut server) = connected();
    server.writer().write_all(b"partial").unwrap();
    let exchange = pump(&mut client, &mut server).unwrap();
    assert_eq!(exchange.received_by(Side::Client), b"partial");
    // The transport ends: read_tls sees EOF.
    assert_eq!(client.read_tls(&mut &[][..]).unwrap(), 0);
    client.process_new_packets().unwrap();
    assert_eq!(
        client.reader().read(&mut [0u8; 4]).unwrap_err().kind(),
        ErrorKind::UnexpectedEof
    );
}

#[test]
fn key_updates_from_the_server_are_followed_and_answered() {
    let (mut client, mut server) = connected();
    for _ in 0..3 {
        // rustls's refresh_traffic_keys sends KeyUpdate(update_requested).
        server.refresh_traffic_keys().unwrap();
        send_pattern(&mut client, &mut server, Side::Server, 5000).unwrap();
        // Our answer switched our keys too: the server still reads us.
        send_pattern(&mut client, &mut server, Side::Client, 5000).unwrap();
    }
    check_exporter(&client, &server);
}

#[test]
fn the_buffer_limit_applies_to_received_plaintext() {
    let (mut client, mut server) = connected();
    client.set_buffer_limit(Some(20_000));
    server.set_buffer_limit(None);
    server.writer().write_all(&vec![7u8; 100_000]).unwrap();
    let mut wire = Vec::new();
    while server.wants_write() {
        server.write_tls(&mut wire).unwrap();
    }
    let mut rd = &wire[..];
    let mut refused = false;
    while !rd.is_empty() {
        match client.read_tls(&mut rd) {
            Ok(_) => {
                client.process_new_packets().unwrap();
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Other);
                refused = true;
                break;
            }
        }
    }
    assert!(refused, "the plaintext buffer never filled");
    let mut got = Vec::new();
    let _ = client.reader().read_to_end(&mut got);
    assert!(got.len() >= 20_000 && got.len() < 100_000, "{}", got.len());
}

#[test]
fn writes_before_the_handshake_are_sent_after_it() {
    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls13Only)
        .connection();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    client
        .writer()
        .write_all(b"GET / HTTP/1.0\r\n\r\n")
        .unwrap();
    assert!(client.is_handshaking());
    let exchange = handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        exchange.received_by(Side::Server),
        b"GET / HTTP/1.0\r\n\r\n"
    );
}

#[test]
fn tickets_from_the_server_are_accepted() {
    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls13Only)
        .send_tickets(true)
        .connection();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    send_pattern(&mut client, &mut server, Side::Server, 1000).unwrap();
}

#[test]
fn exporter_refuses_before_the_handshake_and_empty_output() {
    let pki = TestPki::new();
    let client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    assert_eq!(
        client
            .export_keying_material([0u8; 16], b"label", None)
            .unwrap_err(),
        oxtls::Error::HandshakeNotComplete
    );
    assert!(client
        .export_keying_material([0u8; 0], b"label", None)
        .is_err());
}

#[test]
fn max_fragment_size_bounds_our_records() {
    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls13Only)
        .connection();
    let mut config = oxtls_config(&[pki.ca_der()]);
    config.max_fragment_size = Some(512);
    let mut client = oxtls_client(config, "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    let exchange = send_pattern(&mut client, &mut server, Side::Client, 10_000).unwrap();
    let records = common::pump::records(&exchange.tls_from(Side::Client));
    assert!(records.len() >= 10_000 / 512);
    // 512 bytes on the wire before protection: 507 of plaintext, plus the
    // content type byte and the tag once sealed.
    for (typ, len) in records {
        assert_eq!(typ, 23);
        assert!(len <= 507 + 1 + 16, "record of {len} bytes");
    }
}

/// A server whose records hold at most 64 bytes splits every handshake
/// message longer than that across records: the client joins them, in
/// both versions, and resumes over such records too.
#[test]
fn handshake_messages_split_across_small_records() {
    let pki = TestPki::new();
    for versions in [TlsVersions::Tls13Only, TlsVersions::Tls12Only] {
        let options = RustlsServerOptions::new(&pki.server_cert(KeyType::Rsa2048))
            .versions(versions)
            .max_fragment_size(64);
        // One server config, so that its tickets decrypt on the second
        // connection.
        let server_config = options.config();
        let config = std::sync::Arc::new(oxtls_config(&[pki.ca_der()]));
        for resumed in [false, true] {
            let mut server = rustls::ServerConnection::new(server_config.clone()).unwrap();
            let mut client =
                ClientConnection::new(config.clone(), "localhost".try_into().unwrap()).unwrap();
            let exchange = handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
            let records = common::pump::records(&exchange.tls_from(Side::Server));
            // The ServerHello alone is over 64 bytes: it came in pieces.
            let plaintext_handshake = records.iter().filter(|(typ, _)| *typ == 22).count();
            assert!(plaintext_handshake >= 2, "{versions:?}: {records:?}");
            let kind = client.handshake_kind();
            assert_eq!(
                kind == Some(oxtls::HandshakeKind::Resumed),
                resumed,
                "{versions:?}: {kind:?}"
            );
            let down = send_pattern(&mut client, &mut server, Side::Server, 1000).unwrap();
            assert_eq!(down.client_received.len(), 1000);
        }
    }
}

#[test]
fn the_logger_hears_about_the_handshake() {
    use std::sync::{Arc, Mutex};

    #[derive(Debug, Default)]
    struct Lines(Mutex<Vec<(oxtls::LogLevel, String)>>);
    impl oxtls::Logger for Lines {
        fn log(&self, level: oxtls::LogLevel, message: &str) {
            self.0.lock().unwrap().push((level, message.to_string()));
        }
    }

    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls13Only)
        .kx_groups(&[RNamedGroup::secp256r1])
        .connection();
    let lines = Arc::new(Lines::default());
    let mut config = oxtls_config(&[pki.ca_der()]);
    config.logger = Some(lines.clone());
    let mut client = oxtls_client(config, "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    let lines = lines.0.lock().unwrap();
    assert!(
        lines.iter().any(|(_, l)| l.contains("HelloRetryRequest")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|(level, l)| *level == oxtls::LogLevel::Info && l.contains("handshake complete")),
        "{lines:?}"
    );
}

/// Bulk records are decrypted where their ciphertext starts a cache line,
/// which makes copying their plaintext out faster.
#[test]
fn bulk_plaintext_lies_on_cache_lines() {
    let (mut client, mut server) = connected();
    let alignment = full_record_plaintext_alignment(&mut client, &mut server, 6);
    assert_eq!(alignment, [0; 6]);
}

/// "Send a request and half-close": data written and close_notify asked
/// for before the handshake is done. The alert waits for the handshake and
/// follows the data, in both versions, so the server gets the request and
/// then a clean end of stream; writing after it is refused at once.
#[test]
fn close_notify_before_the_handshake_follows_what_was_written() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    for versions in [TlsVersions::Tls13Only, TlsVersions::Tls12Only] {
        let mut server = RustlsServerOptions::new(&cert)
            .versions(versions)
            .connection();
        let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
        client.writer().write_all(b"request").unwrap();
        client.send_close_notify();
        assert!(client.writer().write(b"more").is_err());
        let exchange =
            handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{versions:?}: {e}"));
        assert_eq!(exchange.server_received, b"request", "{versions:?}");
        // Then the clean end: the reader has nothing more, and says so.
        let mut rest = Vec::new();
        server
            .reader()
            .read_to_end(&mut rest)
            .unwrap_or_else(|e| panic!("{versions:?}: no clean close: {e}"));
        assert!(rest.is_empty(), "{versions:?}");
    }
}
