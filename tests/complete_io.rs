//! `complete_io` over real sockets, against servers that wait for the
//! client to speak first.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::certs::{KeyType, TestPki};
use common::oxtls_client::{oxtls_client, oxtls_config};
use common::rustls_server::RustlsServerOptions;
use common::tcp_server::{Behaviour, TcpServer};
use common::TlsVersions;

/// A server that sends no tickets says nothing after its Finished: the
/// handshake's `complete_io` must return once our Finished is sent rather
/// than wait to read.
#[test]
fn the_handshake_returns_without_waiting_for_the_server() {
    let pki = TestPki::new();
    let config = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls13Only)
        .send_tickets(false)
        .config();
    let server = TcpServer::spawn(config, Behaviour::Echo);
    let mut sock = TcpStream::connect(server.addr()).unwrap();
    // A hang would show as a timed-out read instead of a pass.
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");

    client.complete_io(&mut sock).expect("handshake completes");
    assert!(!client.is_handshaking());

    client.writer().write_all(b"ping").unwrap();
    let (_, written) = client.complete_io(&mut sock).unwrap();
    assert!(written > 0);
    let mut echo = Vec::new();
    while echo.len() < 4 {
        client.complete_io(&mut sock).unwrap();
        let mut buf = [0u8; 16];
        match client.reader().read(&mut buf) {
            Ok(n) => echo.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(echo, b"ping");
    client.send_close_notify();
    client.complete_io(&mut sock).unwrap();
    drop(sock);
    server.join().expect("server saw a clean connection");
}

/// Data written before the handshake goes out with our Finished.
#[test]
fn early_writes_leave_with_the_handshake() {
    let pki = TestPki::new();
    let config = RustlsServerOptions::new(&pki.server_cert(KeyType::Rsa2048))
        .versions(TlsVersions::Tls13Only)
        .send_tickets(false)
        .config();
    let server = TcpServer::spawn(
        config,
        Behaviour::HttpResponse(b"hello from the server".to_vec()),
    );
    let mut sock = TcpStream::connect(server.addr()).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    client
        .writer()
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    client.complete_io(&mut sock).unwrap();
    let mut page = Vec::new();
    loop {
        match client.reader().read_to_end(&mut page) {
            Ok(_) => break,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                client.complete_io(&mut sock).unwrap();
            }
            Err(e) => panic!("{e}"),
        }
    }
    let page = String::from_utf8(page).unwrap();
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.ends_with("hello from the server"), "{page}");
    server.join().unwrap();
}

/// A transport that reads as ended and takes no bytes, like a full
/// `Cursor<&mut [u8]>` or a wrapper around a closed pipe.
struct Dead;

impl Read for Dead {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        Ok(0)
    }
}

impl Write for Dead {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Ok(0)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `f` on another thread and returns what it returns, or fails the
/// test after five seconds: a spinning loop fails instead of hanging.
fn within_seconds<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(5))
        .expect("still spinning after five seconds")
}

#[test]
fn a_transport_that_takes_nothing_is_an_error_not_a_spin() {
    let pki = TestPki::new();
    let config = oxtls_config(&[pki.ca_der()]);
    let err = within_seconds(move || {
        let mut client = oxtls_client(config, "localhost");
        client.complete_io(&mut Dead).unwrap_err()
    });
    assert_eq!(err.kind(), ErrorKind::WriteZero, "{err}");
}

/// The server goes away after reading the ClientHello: the end of the
/// stream mid-handshake is an error from `process_new_packets` itself, so
/// a caller's own loop (not only `complete_io`) stops at once.
#[test]
fn the_end_of_the_stream_mid_handshake_is_an_error() {
    let pki = TestPki::new();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let mut hello = Vec::new();
    client.write_tls(&mut hello).unwrap();
    assert_eq!(client.read_tls(&mut &[][..]).unwrap(), 0);
    let err = client.process_new_packets().unwrap_err();
    assert_eq!(err, oxtls::Error::UnexpectedEof);
    // Sticky, and no alert: the transport is gone.
    assert_eq!(client.process_new_packets().unwrap_err(), err);
    assert!(!client.wants_write());

    // complete_io reports it as the end of the stream.
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let mut transport = std::io::Cursor::new(Vec::new()); // reads as ended
    let err = client.complete_io(&mut transport).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof, "{err}");
}
