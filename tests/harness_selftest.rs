//! Proves the shared test harness (`tests/common`) with a rustls client,
//! so that when an oxtls test fails, the harness is not the suspect.

mod common;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use common::certs::{Eku, IssuedCert, Issuer, KeyType, TestPki, Validity};
use common::openssl_server::{OpensslServerOptions, SServerMode};
use common::pump::{handshake, pattern, records, send_pattern, PumpError, Side};
use common::rustls_client::{rustls_client, rustls_client_config};
use common::rustls_server::{server_export, RustlsServerOptions, ServerView};
use common::tcp_server::{Behaviour, TcpServer};
use common::TlsVersions;
use rustls::{
    ClientConfig, ClientConnection, HandshakeKind, NamedGroup, ProtocolVersion, StreamOwned,
};

fn client_config(pki: &TestPki, alpn: &[&str]) -> Arc<ClientConfig> {
    rustls_client_config(&[pki.ca_der()], TlsVersions::Both, alpn, None)
}

/// An in-memory handshake of a rustls client with a server built from
/// `server`, returning both connections.
fn connect(
    pki: &TestPki,
    server: &RustlsServerOptions,
    name: &str,
) -> (ClientConnection, rustls::ServerConnection) {
    let mut client = rustls_client(client_config(pki, &[]), name);
    let mut server = server.connection();
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("handshake: {e}"));
    (client, server)
}

/// The error a rustls client gets from a server presenting `cert`.
fn rejection(pki: &TestPki, cert: &IssuedCert, name: &str) -> PumpError {
    let mut client = rustls_client(client_config(pki, &[]), name);
    let mut server = RustlsServerOptions::new(cert).connection();
    match handshake(&mut client, &mut server) {
        Ok(_) => panic!("client accepted a certificate it should reject"),
        Err(e) => e,
    }
}

#[test]
fn handshake_with_each_key_type_and_version() {
    let pki = TestPki::new();
    for key_type in KeyType::ALL {
        let cert = pki.server_cert(key_type);
        for (versions, expected) in [
            (TlsVersions::Tls13Only, ProtocolVersion::TLSv1_3),
            (TlsVersions::Tls12Only, ProtocolVersion::TLSv1_2),
        ] {
            let options = RustlsServerOptions::new(&cert).versions(versions);
            let (client, server) = connect(&pki, &options, "localhost");
            let view = ServerView::of(&server);
            assert_eq!(view.version, Some(expected), "{key_type:?} {versions:?}");
            assert_eq!(view.sni.as_deref(), Some("localhost"));
            assert_eq!(view.handshake_kind, Some(HandshakeKind::Full));

            let client_export = client
                .export_keying_material(vec![0u8; 32], b"EXPERIMENTAL harness", Some(b"ctx"))
                .expect("client export");
            let exported = server_export(&server, b"EXPERIMENTAL harness", Some(b"ctx"), 32);
            assert_eq!(client_export, exported, "{key_type:?} {versions:?}");
        }
    }
}

#[test]
fn server_groups_force_a_hello_retry_request() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);

    // rustls's client sends only an X25519 share in its first ClientHello.
    let plain = RustlsServerOptions::new(&cert).versions(TlsVersions::Tls13Only);
    let mut client = rustls_client(client_config(&pki, &[]), "localhost");
    let mut server = plain.connection();
    let exchange = handshake(&mut client, &mut server).expect("handshake");
    assert_eq!(
        ServerView::of(&server).handshake_kind,
        Some(HandshakeKind::Full)
    );
    assert_eq!(
        exchange.flights_from(Side::Client),
        2,
        "ClientHello, Finished"
    );

    let p384_only = plain.kx_groups(&[NamedGroup::secp384r1]);
    let mut client = rustls_client(client_config(&pki, &[]), "localhost");
    let mut server = p384_only.connection();
    let exchange = handshake(&mut client, &mut server).expect("handshake");
    let view = ServerView::of(&server);
    assert_eq!(
        view.handshake_kind,
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
    assert_eq!(view.kx_group, Some(NamedGroup::secp384r1));
    assert_eq!(
        exchange.flights_from(Side::Client),
        3,
        "ClientHello twice, Finished"
    );
}

#[test]
fn server_sees_alpn_and_sni() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::Ed25519);
    let options = RustlsServerOptions::new(&cert).alpn(&["h2", "http/1.1"]);
    let mut client = rustls_client(client_config(&pki, &["http/1.1", "spdy/3"]), "localhost");
    let mut server = options.connection();
    handshake(&mut client, &mut server).expect("handshake");
    let view = ServerView::of(&server);
    assert_eq!(view.alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(view.sni.as_deref(), Some("localhost"));
    assert_eq!(client.alpn_protocol(), Some(&b"http/1.1"[..]));

    // An IP address is checked against the IP SAN and sent as no SNI
    // (RFC 6066 §3: literal addresses are not permitted in server_name).
    let (_, server) = connect(&pki, &RustlsServerOptions::new(&cert), "127.0.0.1");
    assert_eq!(ServerView::of(&server).sni, None);
}

#[test]
fn a_mebibyte_each_way_arrives_intact() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    let (mut client, mut server) = connect(&pki, &RustlsServerOptions::new(&cert), "localhost");
    let up = send_pattern(&mut client, &mut server, Side::Client, 1 << 20).expect("upload");
    assert_eq!(up.server_received, pattern(1 << 20));
    let down = send_pattern(&mut client, &mut server, Side::Server, 1 << 20).expect("download");
    assert_eq!(down.client_received.len(), 1 << 20);
}

#[test]
fn server_options_take_effect() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP384);

    let options = RustlsServerOptions::new(&cert)
        .versions(TlsVersions::Tls13Only)
        .cipher_suites(&[rustls::CipherSuite::TLS13_CHACHA20_POLY1305_SHA256])
        .max_fragment_size(1024)
        .send_tickets(false);
    let (mut client, mut server) = connect(&pki, &options, "localhost");
    let view = ServerView::of(&server);
    assert_eq!(
        view.suite,
        Some(rustls::CipherSuite::TLS13_CHACHA20_POLY1305_SHA256)
    );
    let down = send_pattern(&mut client, &mut server, Side::Server, 10_000).expect("download");
    let sizes = records(&down.tls_from(Side::Server));
    assert!(sizes.len() >= 10, "10 kB in 1 kB records: {sizes:?}");
    // rustls counts the 5-byte header in the limit, on the plaintext
    // record; encryption adds the inner content type byte and a 16-byte tag.
    assert!(
        sizes.iter().all(|&(_, len)| len <= 1024 - 5 + 1 + 16),
        "{sizes:?}"
    );

    // No tickets: the server's only flight is ServerHello..Finished.
    let mut client = rustls_client(client_config(&pki, &[]), "localhost");
    let mut server = options.connection();
    let exchange = handshake(&mut client, &mut server).expect("handshake");
    assert_eq!(exchange.flights_from(Side::Server), 1);
    // With tickets, NewSessionTicket follows the client's Finished.
    let mut client = rustls_client(client_config(&pki, &[]), "localhost");
    let mut server = options.send_tickets(true).connection();
    let exchange = handshake(&mut client, &mut server).expect("handshake");
    assert_eq!(exchange.flights_from(Side::Server), 2);

    let tls12 = RustlsServerOptions::new(&cert)
        .versions(TlsVersions::Tls12Only)
        .cipher_suites(&[rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]);
    let (_, server) = connect(&pki, &tls12, "localhost");
    let view = ServerView::of(&server);
    assert_eq!(view.version, Some(ProtocolVersion::TLSv1_2));
    assert_eq!(
        view.suite,
        Some(rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)
    );
}

#[test]
fn intermediate_chains_verify() {
    let pki = TestPki::new();
    let cert = pki
        .leaf("localhost")
        .key_type(KeyType::Rsa2048)
        .via_intermediate()
        .build();
    assert_eq!(cert.chain.len(), 2);
    connect(&pki, &RustlsServerOptions::new(&cert), "localhost");
}

#[test]
fn pki_defects_are_rejected_by_the_client() {
    let pki = TestPki::new();
    let cases = [
        (
            pki.leaf("localhost").validity(Validity::Expired).build(),
            "localhost",
            "expired",
        ),
        (
            pki.leaf("localhost")
                .validity(Validity::NotYetValid)
                .build(),
            "localhost",
            "not valid yet",
        ),
        (
            pki.leaf("other.test").build(),
            "localhost",
            "not valid for name",
        ),
        (
            pki.leaf("localhost").issuer(Issuer::SelfSigned).build(),
            "localhost",
            "UnknownIssuer",
        ),
        (
            pki.leaf("localhost").issuer(Issuer::UnrelatedCa).build(),
            "localhost",
            "UnknownIssuer",
        ),
        (
            pki.leaf("localhost")
                .issuer(Issuer::UnrelatedCa)
                .via_intermediate()
                .build(),
            "localhost",
            "UnknownIssuer",
        ),
        (
            pki.leaf("localhost").eku(Eku::ClientAuthOnly).build(),
            "localhost",
            "extended key usage",
        ),
    ];
    for (cert, name, expected) in &cases {
        let err = rejection(&pki, cert, name);
        assert_eq!(err.failed, Side::Client, "{err}");
        assert!(
            err.error.contains(expected),
            "expected {expected:?} in: {err}"
        );
        // The client's alert reached the server.
        let peer = err.peer_error.as_deref().unwrap_or_default();
        assert!(peer.contains("received fatal alert"), "{err}");
    }
    // The same names with good certificates pass: the defect is the cause.
    let ok = pki.leaf("localhost").eku(Eku::ServerAndClientAuth).build();
    connect(&pki, &RustlsServerOptions::new(&ok), "localhost");
    let other = pki.leaf("other.test").build();
    connect(&pki, &RustlsServerOptions::new(&other), "other.test");
}

/// A rustls client over TCP to 127.0.0.1:`port`.
fn tcp_client(port: u16, config: Arc<ClientConfig>) -> StreamOwned<ClientConnection, TcpStream> {
    let sock = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    StreamOwned::new(rustls_client(config, "localhost"), sock)
}

/// Reads until the server closes (cleanly or not).
fn read_all(stream: &mut impl Read) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return out,
            Err(e) => panic!("read failed after {} bytes: {e}", out.len()),
        }
    }
}

#[test]
fn threaded_tcp_server_serves_http_and_echo() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    let options = RustlsServerOptions::new(&cert).alpn(&["http/1.1"]);

    let server = TcpServer::spawn(options.config(), Behaviour::HttpResponse(b"hello".to_vec()));
    let mut stream = tcp_client(server.port, client_config(&pki, &["http/1.1"]));
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("send request");
    let response = String::from_utf8(read_all(&mut stream)).expect("UTF-8 response");
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nhello"), "{response}");
    let report = server.join().expect("server");
    assert!(report.received.starts_with(b"GET / "));
    assert_eq!(report.view.alpn.as_deref(), Some(&b"http/1.1"[..]));

    let server = TcpServer::spawn(options.config(), Behaviour::Echo);
    let mut stream = tcp_client(server.port, client_config(&pki, &[]));
    stream.write_all(b"ping").expect("send");
    let mut back = [0u8; 4];
    stream.read_exact(&mut back).expect("echo");
    assert_eq!(&back, b"ping");
    stream.conn.send_close_notify();
    stream.flush().expect("close_notify");
    let report = server.join().expect("server");
    assert_eq!(report.received, b"ping");
}

#[test]
fn openssl_www_answers_a_get() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    let server = OpensslServerOptions::new(&cert)
        .versions(TlsVersions::Tls13Only)
        .mode(SServerMode::Www)
        .keylog(true)
        .start();
    let mut stream = tcp_client(server.port, client_config(&pki, &[]));
    stream
        .write_all(b"GET / HTTP/1.0\r\n\r\n")
        .expect("send request");
    let response = String::from_utf8_lossy(&read_all(&mut stream)).into_owned();
    assert!(
        response.starts_with("HTTP/1.0 200 ok"),
        "response: {response}\n{}",
        server.diagnostics()
    );
    assert_eq!(
        stream.conn.protocol_version(),
        Some(ProtocolVersion::TLSv1_3)
    );
    let keylog = server.keylog().expect("key log file");
    assert!(
        keylog.contains("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
        "{keylog}"
    );
}

#[test]
fn openssl_options_take_effect() {
    let pki = TestPki::new();

    // TLS 1.2 with an RSA key and one cipher.
    let rsa = pki.server_cert(KeyType::Rsa2048);
    let server = OpensslServerOptions::new(&rsa)
        .versions(TlsVersions::Tls12Only)
        .cipher("ECDHE-RSA-CHACHA20-POLY1305")
        .alpn(&["h2"])
        .start();
    let mut stream = tcp_client(server.port, client_config(&pki, &["h2"]));
    stream
        .write_all(b"GET / HTTP/1.0\r\n\r\n")
        .expect("send request");
    let response = read_all(&mut stream);
    assert!(
        response.starts_with(b"HTTP/1.0 200 ok"),
        "{}",
        server.diagnostics()
    );
    let suite = stream
        .conn
        .negotiated_cipher_suite()
        .expect("suite")
        .suite();
    assert_eq!(
        suite,
        rustls::CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
    );
    assert_eq!(stream.conn.alpn_protocol(), Some(&b"h2"[..]));

    // TLS 1.3 with P-384 only: the rustls client's X25519 share is refused.
    let cert = pki.server_cert(KeyType::EcdsaP256);
    let server = OpensslServerOptions::new(&cert)
        .versions(TlsVersions::Tls13Only)
        .ciphersuites("TLS_AES_256_GCM_SHA384")
        .groups("P-384")
        .start();
    let mut stream = tcp_client(server.port, client_config(&pki, &[]));
    stream
        .write_all(b"GET / HTTP/1.0\r\n\r\n")
        .expect("send request");
    read_all(&mut stream);
    let conn = &stream.conn;
    assert_eq!(
        conn.handshake_kind(),
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
    assert_eq!(
        conn.negotiated_cipher_suite().map(|s| s.suite()),
        Some(rustls::CipherSuite::TLS13_AES_256_GCM_SHA384)
    );
}

#[test]
fn openssl_interactive_and_rev_modes() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::Ed25519);

    let mut server = OpensslServerOptions::new(&cert)
        .versions(TlsVersions::Tls13Only)
        .mode(SServerMode::Interactive)
        .start();
    let mut stream = tcp_client(server.port, client_config(&pki, &[]));
    stream.write_all(b"hello from the client\n").expect("send");
    assert!(
        server.wait_for_stdout("hello from the client"),
        "{}",
        server.diagnostics()
    );
    // A KeyUpdate asking for one back, then data under the new keys.
    server.key_update(true);
    server.send_line("hello from the server");
    let mut line = Vec::new();
    while !line.ends_with(b"\n") {
        let mut byte = [0u8; 1];
        stream.read_exact(&mut byte).expect("server line");
        line.push(byte[0]);
    }
    assert_eq!(line, b"hello from the server\n", "{}", server.diagnostics());
    // The client's own KeyUpdate went back and the server still reads it.
    stream.write_all(b"after the update\n").expect("send");
    assert!(
        server.wait_for_stdout("after the update"),
        "{}",
        server.diagnostics()
    );

    let server = OpensslServerOptions::new(&cert)
        .mode(SServerMode::Rev)
        .start();
    let mut stream = tcp_client(server.port, client_config(&pki, &[]));
    stream.write_all(b"abc\n").expect("send");
    let mut back = [0u8; 4];
    stream.read_exact(&mut back).expect("reversed line");
    assert_eq!(&back, b"cba\n", "{}", server.diagnostics());
}

#[test]
fn server_can_require_a_client_certificate() {
    let pki = TestPki::new();
    let server_cert = pki.server_cert(KeyType::EcdsaP256);
    let client_cert = pki.leaf("client.test").eku(Eku::ClientAuthOnly).build();
    let options = RustlsServerOptions::new(&server_cert).require_client_cert(&[pki.ca_der()]);

    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.ca_der()).expect("root");
    let config = ClientConfig::builder_with_provider(Arc::new(
        common::rustls_server::ring_provider(None, None),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_client_auth_cert(client_cert.chain.clone(), client_cert.key())
    .expect("client cert");
    let mut client = rustls_client(Arc::new(config), "localhost");
    let mut server = options.connection();
    handshake(&mut client, &mut server).expect("handshake with a client certificate");
    let seen = ServerView::of(&server)
        .client_certificates
        .expect("client chain");
    assert_eq!(seen[0], client_cert.chain[0]);

    // Without one, the server refuses.
    let mut client = rustls_client(client_config(&pki, &[]), "localhost");
    let mut server = options.connection();
    let err = handshake(&mut client, &mut server).expect_err("no client certificate");
    assert_eq!(err.failed, Side::Server, "{err}");
}
