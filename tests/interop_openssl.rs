//! oxtls's client against `openssl s_server -tls1_3` on 127.0.0.1, over real
//! sockets: every suite and group, a forced HelloRetryRequest, and a
//! KeyUpdate sent by the server.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;

use common::certs::{KeyType, TestPki};
use common::openssl_server::{OpensslServerOptions, SServerMode};
use common::oxtls_client::{connect_to_s_server, http_get, oxtls_client, oxtls_config};
use common::TlsVersions;
use oxtls::{ClientConnection, ProtocolVersion};

#[test]
fn every_suite_and_group() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    let suites = [
        ("TLS_AES_128_GCM_SHA256", 0x1301u16),
        ("TLS_AES_256_GCM_SHA384", 0x1302),
        ("TLS_CHACHA20_POLY1305_SHA256", 0x1303),
    ];
    for (suite, id) in suites {
        for group in ["X25519", "P-256", "P-384"] {
            let server = OpensslServerOptions::new(&cert)
                .versions(TlsVersions::Tls13Only)
                .ciphersuites(suite)
                .groups(group)
                .mode(SServerMode::Www)
                .start();
            let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
            let mut sock = connect_to_s_server(&server, &mut client);
            assert_eq!(client.protocol_version(), Some(ProtocolVersion::TLSv1_3));
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
}

#[test]
fn hello_retry_request_forced_by_the_server_groups() {
    let pki = TestPki::new();
    // We send an X25519 share; the server takes only P-384.
    let server = OpensslServerOptions::new(&pki.server_cert(KeyType::Rsa2048))
        .versions(TlsVersions::Tls13Only)
        .groups("P-384")
        .mode(SServerMode::Www)
        .start();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let mut sock = connect_to_s_server(&server, &mut client);
    let page = http_get(&mut client, &mut sock);
    assert!(page.starts_with("HTTP/1.0 200 ok"), "{page:.200}");
}

#[test]
fn key_update_from_the_server() {
    let pki = TestPki::new();
    let mut server = OpensslServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls13Only)
        .mode(SServerMode::Interactive)
        .start();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let mut sock = connect_to_s_server(&server, &mut client);

    let read_line = |client: &mut ClientConnection, sock: &mut TcpStream| -> String {
        let mut line = Vec::new();
        while !line.ends_with(b"\n") {
            let mut byte = [0u8; 1];
            match client.reader().read(&mut byte) {
                Ok(1) => line.push(byte[0]),
                Ok(_) => panic!("server closed"),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    client.complete_io(sock).unwrap();
                }
                Err(e) => panic!("{e}"),
            }
        }
        String::from_utf8(line).unwrap()
    };

    for (i, request_reply) in [false, true, true].into_iter().enumerate() {
        server.key_update(request_reply);
        server.send_line(&format!("hello {i}"));
        assert_eq!(read_line(&mut client, &mut sock), format!("hello {i}\n"));
        // Data we send after the server's update (and our answer to it)
        // must still reach the server.
        let msg = format!("client says {i}\n");
        client.writer().write_all(msg.as_bytes()).unwrap();
        client.complete_io(&mut sock).unwrap();
        assert!(
            server.wait_for_stdout(msg.trim_end()),
            "server did not print our data:\n{}",
            server.diagnostics()
        );
    }
    client.send_close_notify();
    client.complete_io(&mut sock).unwrap();
}

/// The key log names the same secrets, with the same values, as OpenSSL's
/// own key log of the same connection: what Wireshark would need.
#[test]
fn key_log_matches_openssl() {
    use std::sync::{Arc, Mutex};

    #[derive(Debug, Default)]
    struct Lines(Mutex<Vec<String>>);
    impl oxtls::KeyLog for Lines {
        fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
            let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
            self.0
                .lock()
                .unwrap()
                .push(format!("{label} {} {}", hex(client_random), hex(secret)));
        }
    }

    let pki = TestPki::new();
    let server = OpensslServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls13Only)
        .ciphersuites("TLS_AES_256_GCM_SHA384")
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
    assert_eq!(ours.len(), 5, "{ours:#?}");
    let theirs = server.keylog().expect("s_server wrote a key log");
    for line in &ours {
        assert!(
            theirs.lines().any(|l| l.eq_ignore_ascii_case(line)),
            "OpenSSL logged no {line:?}:\n{theirs}"
        );
    }
}

/// `KeyLogFile` writes to the file `SSLKEYLOGFILE` names, created
/// readable by its owner only, and says why when it cannot open it.
#[test]
fn key_log_file_writes_sslkeylogfile() {
    let dir = common::tempdir::TempDir::new("keylog");
    let path = dir.path().join("keys.log");
    // Only this test reads the variable, when it makes its KeyLogFiles.
    std::env::set_var("SSLKEYLOGFILE", dir.path());
    let unopened = oxtls::KeyLogFile::new();
    std::env::set_var("SSLKEYLOGFILE", &path);
    let key_log = std::sync::Arc::new(oxtls::KeyLogFile::new());
    std::env::remove_var("SSLKEYLOGFILE");
    assert!(
        unopened.open_error().is_some(),
        "a directory opened as the key log"
    );
    assert!(key_log.open_error().is_none());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "key log created with mode {mode:o}");
    }

    let pki = TestPki::new();
    let server = OpensslServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls13Only)
        .mode(SServerMode::Www)
        .start();
    let mut config = oxtls_config(&[pki.ca_der()]);
    config.key_log = Some(key_log);
    let mut client = oxtls_client(config, "localhost");
    connect_to_s_server(&server, &mut client);
    let written = std::fs::read_to_string(&path).unwrap();
    let labels: Vec<&str> = written
        .lines()
        .filter_map(|l| l.split(' ').next())
        .collect();
    assert_eq!(
        labels,
        [
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            "CLIENT_TRAFFIC_SECRET_0",
            "SERVER_TRAFFIC_SECRET_0",
            "EXPORTER_SECRET"
        ]
    );
}
