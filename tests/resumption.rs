//! TLS 1.3 session resumption (RFC 8446 §2.2) against a rustls server, in
//! memory: connections made from one config resume from the tickets of
//! earlier ones; tickets are single-use, expire, survive a
//! HelloRetryRequest, and a server that refuses them gets a full handshake.
//! Then servers that answer a PSK wrongly.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::certs::{KeyType, TestPki};
use common::oxtls_client::{get_from_s_server, oxtls_config};
use common::pump::{handshake, send_pattern, transfer, Side, TlsEndpoint};
use common::rustls_server::{RustlsServerOptions, ServerView};
use common::TlsVersions;
use oxtls::pki_types::{ServerName, UnixTime};
use oxtls::{
    AlertDescription, ClientConfig, ClientConnection, ClientSessionMemoryCache, Error,
    HandshakeKind, Resumption, TimeProvider,
};
use rustls::{CipherSuite as RCipherSuite, NamedGroup as RNamedGroup, ServerConfig};

/// A server config (its ticket keys shared by every connection made from
/// it) and the PKI behind it.
struct Fixture {
    pki: TestPki,
    cert: common::certs::IssuedCert,
}

impl Fixture {
    fn new() -> Fixture {
        let pki = TestPki::new();
        let cert = pki.server_cert(KeyType::EcdsaP256);
        Fixture { pki, cert }
    }

    fn server(&self) -> RustlsServerOptions {
        RustlsServerOptions::new(&self.cert).versions(TlsVersions::Tls13Only)
    }

    fn client_config(&self) -> ClientConfig {
        oxtls_config(&[self.pki.ca_der()])
    }
}

/// One connection from `config` to a server made from `server`, handshake
/// and tickets delivered, then a little data each way.
fn connect(
    config: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
) -> (ClientConnection, rustls::ServerConnection) {
    let mut client =
        ClientConnection::new(config.clone(), ServerName::try_from("localhost").unwrap())
            .expect("connection starts");
    let mut srv = rustls::ServerConnection::new(server.clone()).unwrap();
    handshake(&mut client, &mut srv).unwrap_or_else(|e| panic!("{e}"));
    exchange_data(&mut client, &mut srv);
    (client, srv)
}

fn exchange_data(client: &mut ClientConnection, server: &mut rustls::ServerConnection) {
    send_pattern(client, server, Side::Client, 1000).unwrap_or_else(|e| panic!("{e}"));
    send_pattern(client, server, Side::Server, 1000).unwrap_or_else(|e| panic!("{e}"));
}

fn with_tickets(server: &Arc<ServerConfig>, n: usize) -> Arc<ServerConfig> {
    let mut config = (**server).clone();
    config.send_tls13_tickets = n;
    Arc::new(config)
}

#[test]
fn a_second_connection_resumes_with_every_suite() {
    let fx = Fixture::new();
    for suite in [
        RCipherSuite::TLS13_AES_128_GCM_SHA256,
        RCipherSuite::TLS13_AES_256_GCM_SHA384,
        RCipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
    ] {
        let server = fx.server().cipher_suites(&[suite]).config();
        let config = Arc::new(fx.client_config());
        let (first, _) = connect(&config, &server);
        assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
        let (second, srv) = connect(&config, &server);
        assert_eq!(
            second.handshake_kind(),
            Some(HandshakeKind::Resumed),
            "{suite:?}"
        );
        assert_eq!(
            ServerView::of(&srv).handshake_kind,
            Some(rustls::HandshakeKind::Resumed)
        );
        assert_eq!(ServerView::of(&srv).suite, Some(suite));
        // The resumed connection reports the original server's chain.
        assert!(second.peer_certificates().is_some());
        assert_eq!(second.peer_certificates(), first.peer_certificates());
        // And a resumed connection's tickets resume the next one.
        let (third, _) = connect(&config, &server);
        assert_eq!(third.handshake_kind(), Some(HandshakeKind::Resumed));
    }
}

#[test]
fn tickets_are_used_once() {
    let fx = Fixture::new();
    let server = with_tickets(&fx.server().config(), 1);
    // Same ticket keys, but no new tickets.
    let silent = with_tickets(&server, 0);
    let cache = Arc::new(ClientSessionMemoryCache::new(32));
    let mut config = fx.client_config();
    config.resumption = Resumption::store(cache.clone());
    let config = Arc::new(config);

    let (first, _) = connect(&config, &server);
    assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
    assert_eq!(cache.len(), 1);
    // The ticket leaves the store when a ClientHello offers it.
    let offering =
        ClientConnection::new(config.clone(), ServerName::try_from("localhost").unwrap()).unwrap();
    assert_eq!(cache.len(), 0);
    drop(offering);
    // ... so the next connection has nothing to offer.
    let (second, _) = connect(&config, &silent);
    assert_eq!(second.handshake_kind(), Some(HandshakeKind::Full));

    // A full handshake leaves one ticket; a resumption uses it and, with
    // a server that sends none, leaves none: the third is full again.
    let (_, _) = connect(&config, &server);
    assert_eq!(cache.len(), 1);
    let (resumed, _) = connect(&config, &silent);
    assert_eq!(resumed.handshake_kind(), Some(HandshakeKind::Resumed));
    assert_eq!(cache.len(), 0);
    let (third, _) = connect(&config, &silent);
    assert_eq!(third.handshake_kind(), Some(HandshakeKind::Full));
}

#[test]
fn with_resumption_disabled_every_handshake_is_full() {
    let fx = Fixture::new();
    let server = fx.server().config();
    let mut config = fx.client_config();
    config.resumption = Resumption::disabled();
    let config = Arc::new(config);
    for _ in 0..3 {
        let (client, srv) = connect(&config, &server);
        assert_eq!(client.handshake_kind(), Some(HandshakeKind::Full));
        assert_eq!(
            ServerView::of(&srv).handshake_kind,
            Some(rustls::HandshakeKind::Full)
        );
    }
}

#[test]
fn a_server_that_refuses_the_ticket_gets_a_full_handshake() {
    let fx = Fixture::new();
    let config = Arc::new(fx.client_config());
    let (first, _) = connect(&config, &fx.server().config());
    assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
    // Another server config: other ticket keys, so the ticket is opaque
    // garbage to it.
    let (second, _) = connect(&config, &fx.server().config());
    assert_eq!(second.handshake_kind(), Some(HandshakeKind::Full));
    assert!(second.peer_certificates().is_some());
}

#[test]
fn a_ticket_survives_a_hello_retry_request() {
    let fx = Fixture::new();
    // We send an X25519 share first; this server wants P-384.
    let server = fx.server().kx_groups(&[RNamedGroup::secp384r1]).config();
    let config = Arc::new(fx.client_config());
    let (first, _) = connect(&config, &server);
    assert_eq!(
        first.handshake_kind(),
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
    let (second, srv) = connect(&config, &server);
    assert_eq!(second.handshake_kind(), Some(HandshakeKind::Resumed));
    assert_eq!(
        ServerView::of(&srv).handshake_kind,
        Some(rustls::HandshakeKind::Resumed)
    );
}

/// The ClientHellos in `tls` (records from the client), parsed.
fn client_hellos(tls: &[u8]) -> Vec<oxtls::msgs::hello::ClientHello<'static>> {
    use oxtls::msgs::handshake::{HandshakeMessage, HandshakePayload};
    let mut hellos = Vec::new();
    let mut rest = tls;
    while rest.len() >= 5 {
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        let (record, tail) = rest.split_at(5 + len);
        if record[0] == 22 {
            let msg = HandshakeMessage::parse(&record[5..], oxtls::ProtocolVersion::TLSv1_3)
                .expect("a ClientHello");
            if let HandshakePayload::ClientHello(ch) = msg.payload {
                hellos.push(ch);
            }
        }
        rest = tail;
    }
    hellos
}

#[test]
fn after_a_retry_to_a_suite_of_another_hash_the_ticket_is_dropped() {
    use oxtls::msgs::enums::ExtensionType;
    let fx = Fixture::new();
    let config = Arc::new(fx.client_config());
    let first_server = fx
        .server()
        .cipher_suites(&[RCipherSuite::TLS13_AES_128_GCM_SHA256])
        .config();
    connect(&config, &first_server);
    // Same ticket keys, but now only a SHA-384 suite and a group that
    // needs a retry: the HelloRetryRequest names the suite, and a SHA-256
    // ticket cannot be accepted with it.
    let mut other = (*fx
        .server()
        .cipher_suites(&[RCipherSuite::TLS13_AES_256_GCM_SHA384])
        .kx_groups(&[RNamedGroup::secp384r1])
        .config())
    .clone();
    other.ticketer = first_server.ticketer.clone();
    let mut client =
        ClientConnection::new(config, ServerName::try_from("localhost").unwrap()).unwrap();
    let mut srv = rustls::ServerConnection::new(Arc::new(other)).unwrap();
    let first = transfer(&mut client, &mut srv).unwrap().tls;
    transfer(&mut srv, &mut client).unwrap();
    let mut second = Vec::new();
    while client.wants_write() {
        client.write_tls(&mut second).unwrap();
    }

    let hellos = client_hellos(&first);
    assert!(hellos[0]
        .find_extension(ExtensionType::PreSharedKey)
        .is_some());
    // RFC 8446 §4.1.2: the second ClientHello may drop PSKs the chosen
    // suite cannot use; we (like rustls's client) drop ours, and still
    // say we could use tickets.
    let retried = client_hellos(&second);
    assert_eq!(retried.len(), 1);
    assert!(retried[0]
        .find_extension(ExtensionType::PreSharedKey)
        .is_none());
    assert!(retried[0]
        .find_extension(ExtensionType::PskKeyExchangeModes)
        .is_some());
    // rustls's server insists a retried hello keep a PSK offer once one was
    // made (its reading of RFC 8446 §4.1.2): it refuses this handshake,
    // as it would rustls's own client's. Other servers complete it.
    srv.read_tls(&mut &second[..]).unwrap();
    let err = srv.process_new_packets().unwrap_err();
    assert!(format!("{err:?}").contains("MissingPsk"), "{err:?}");
}

/// A clock that starts at the system's time and moves when told.
#[derive(Debug, Default)]
struct TestClock {
    ahead_secs: AtomicU64,
}

impl TimeProvider for TestClock {
    fn now(&self) -> UnixTime {
        let now = UnixTime::now().as_secs() + self.ahead_secs.load(Ordering::Relaxed);
        UnixTime::since_unix_epoch(Duration::from_secs(now))
    }
}

#[test]
fn an_expired_ticket_is_not_offered() {
    let fx = Fixture::new();
    let server = with_tickets(&fx.server().config(), 4);
    let clock = Arc::new(TestClock::default());
    let cache = Arc::new(ClientSessionMemoryCache::new(32));
    let mut config = fx.client_config();
    config.time_provider = clock.clone();
    config.resumption = Resumption::store(cache.clone());
    let config = Arc::new(config);

    connect(&config, &server);
    // A minute later: still good.
    clock.ahead_secs.store(60, Ordering::Relaxed);
    let (resumed, _) = connect(&config, &server);
    assert_eq!(resumed.handshake_kind(), Some(HandshakeKind::Resumed));
    // Past any lifetime a ticket may have (seven days): dropped unsent.
    clock.ahead_secs.store(8 * 24 * 3600, Ordering::Relaxed);
    let tickets_before = cache.len();
    assert!(tickets_before > 0);
    let mut late =
        ClientConnection::new(config.clone(), ServerName::try_from("localhost").unwrap()).unwrap();
    let mut hello = Vec::new();
    while late.wants_write() {
        late.write_tls(&mut hello).unwrap();
    }
    let hellos = client_hellos(&hello);
    assert!(hellos[0]
        .find_extension(oxtls::msgs::enums::ExtensionType::PreSharedKey)
        .is_none());
    // The expired ticket was taken from the store and thrown away.
    assert_eq!(cache.len(), tickets_before - 1);
    let (late, _) = connect(&config, &server);
    assert_eq!(late.handshake_kind(), Some(HandshakeKind::Full));
}

// ---- servers that answer a PSK wrongly ---------------------------------

/// Runs a resumption where the server's first flight is edited by `edit`
/// before the client sees it; returns the client's error.
fn resume_with_edited_server_hello(edit: impl FnOnce(&mut Vec<u8>)) -> Error {
    let fx = Fixture::new();
    let server = fx
        .server()
        .cipher_suites(&[RCipherSuite::TLS13_AES_128_GCM_SHA256])
        .config();
    let config = Arc::new(fx.client_config());
    connect(&config, &server);

    let mut client =
        ClientConnection::new(config, ServerName::try_from("localhost").unwrap()).unwrap();
    let mut srv = rustls::ServerConnection::new(server).unwrap();
    transfer(&mut client, &mut srv).unwrap();
    let mut flight = Vec::new();
    while srv.wants_write() {
        srv.write_tls(&mut flight).unwrap();
    }
    edit(&mut flight);
    client.read_tls(&mut &flight[..]).unwrap();
    client.process_new_packets().unwrap_err()
}

/// The offset of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("pattern present in the server's flight")
}

#[test]
fn a_server_selecting_an_identity_we_did_not_send_is_illegal_parameter() {
    let err = resume_with_edited_server_hello(|flight| {
        // pre_shared_key (41), length 2, selected_identity 0 -> 1.
        let at = find(flight, &[0, 41, 0, 2, 0, 0]);
        flight[at + 5] = 1;
    });
    assert_eq!(err.alert(), Some(AlertDescription::IllegalParameter));
    assert!(err.to_string().contains("identity"), "{err}");
}

#[test]
fn a_server_resuming_with_a_suite_of_another_hash_is_illegal_parameter() {
    let err = resume_with_edited_server_hello(|flight| {
        // The ServerHello's cipher_suite: after the record header (5),
        // handshake header (4), legacy_version (2), random (32) and the
        // session id echo.
        let sid_len = flight[5 + 4 + 2 + 32] as usize;
        let at = 5 + 4 + 2 + 32 + 1 + sid_len;
        assert_eq!(&flight[at..at + 2], &[0x13, 0x01]);
        flight[at + 1] = 0x02; // TLS_AES_256_GCM_SHA384
    });
    assert_eq!(err.alert(), Some(AlertDescription::IllegalParameter));
    assert!(err.to_string().contains("hash"), "{err}");
}

// ---- against OpenSSL ----------------------------------------------------

#[test]
fn openssl_resumes_the_second_connection() {
    use common::openssl_server::{OpensslServerOptions, SServerMode};
    let fx = Fixture::new();
    let server = OpensslServerOptions::new(&fx.cert)
        .versions(TlsVersions::Tls13Only)
        .mode(SServerMode::Www)
        .start();
    let config = Arc::new(fx.client_config());
    let (page, first) = get_from_s_server(&server, &config);
    assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
    assert!(page.contains("New, TLSv1.3"), "{page}");
    let (page, second) = get_from_s_server(&server, &config);
    assert_eq!(second.handshake_kind(), Some(HandshakeKind::Resumed));
    // s_server's status page says so too.
    assert!(page.contains("Reused, TLSv1.3"), "{page}");
    assert_eq!(second.peer_certificates(), first.peer_certificates());
}

// ---- 0-RTT data (RFC 8446 §2.3) -----------------------------------------

/// A rustls server that issues tickets allowing `max_early_data` bytes of
/// early data. (rustls takes early data only with its stateful session
/// cache, not with stateless ticketer tickets.)
fn early_data_server(fx: &Fixture, max_early_data: u32) -> Arc<ServerConfig> {
    early_data_server_with(fx.server(), max_early_data)
}

fn early_data_server_with(options: RustlsServerOptions, max_early_data: u32) -> Arc<ServerConfig> {
    let mut config = (*options.send_tickets(false).config()).clone();
    config.send_tls13_tickets = 2;
    config.max_early_data_size = max_early_data;
    Arc::new(config)
}

fn early_data_client(fx: &Fixture) -> Arc<ClientConfig> {
    let mut config = fx.client_config();
    config.enable_early_data = true;
    Arc::new(config)
}

/// Starts a connection, writes `early` as 0-RTT data (all of it must be
/// taken), and completes the handshake.
fn connect_with_early_data(
    config: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
    early: &[u8],
) -> (ClientConnection, rustls::ServerConnection) {
    use std::io::Write;
    let mut client =
        ClientConnection::new(config.clone(), ServerName::try_from("localhost").unwrap()).unwrap();
    let mut writer = client.early_data().expect("early data offered");
    writer.write_all(early).unwrap();
    let mut srv = rustls::ServerConnection::new(server.clone()).unwrap();
    handshake(&mut client, &mut srv).unwrap_or_else(|e| panic!("{e}"));
    (client, srv)
}

fn read_server_early_data(server: &mut rustls::ServerConnection) -> Vec<u8> {
    use std::io::Read;
    let mut got = Vec::new();
    if let Some(mut early) = server.early_data() {
        early.read_to_end(&mut got).unwrap();
    }
    got
}

#[test]
fn early_data_accepted_by_rustls() {
    let fx = Fixture::new();
    let server = early_data_server(&fx, 1024);
    let config = early_data_client(&fx);
    let (mut first, _) = connect(&config, &server);
    assert!(first.early_data().is_none(), "no ticket yet, no early data");

    let (mut client, mut srv) = connect_with_early_data(&config, &server, b"GET / 0-RTT\r\n");
    assert_eq!(client.handshake_kind(), Some(HandshakeKind::Resumed));
    assert!(client.is_early_data_accepted());
    assert_eq!(read_server_early_data(&mut srv), b"GET / 0-RTT\r\n");
    exchange_data(&mut client, &mut srv);
}

#[test]
fn early_data_is_bounded_by_the_ticket() {
    use std::io::Write;
    let fx = Fixture::new();
    let server = early_data_server(&fx, 100);
    let config = early_data_client(&fx);
    connect(&config, &server);
    let mut client =
        ClientConnection::new(config, ServerName::try_from("localhost").unwrap()).unwrap();
    let mut writer = client.early_data().unwrap();
    assert_eq!(writer.bytes_left(), 100);
    assert_eq!(writer.write(&[7u8; 150]).unwrap(), 100);
    assert_eq!(writer.write(&[7u8; 1]).unwrap(), 0);
    let mut srv = rustls::ServerConnection::new(server).unwrap();
    handshake(&mut client, &mut srv).unwrap_or_else(|e| panic!("{e}"));
    assert!(client.is_early_data_accepted());
    assert_eq!(read_server_early_data(&mut srv), vec![7u8; 100]);
}

/// 0-RTT data, then close_notify before the handshake is done: no more
/// early data is taken, and the alert follows the handshake, after the
/// data, as a clean end of stream.
#[test]
fn early_data_stops_at_close_notify() {
    use std::io::{Read, Write};
    let fx = Fixture::new();
    let server = early_data_server(&fx, 1024);
    let config = early_data_client(&fx);
    connect(&config, &server);
    let mut client =
        ClientConnection::new(config, ServerName::try_from("localhost").unwrap()).unwrap();
    client
        .early_data()
        .unwrap()
        .write_all(b"GET / 0-RTT\r\n")
        .unwrap();
    client.send_close_notify();
    assert!(
        client.early_data().is_none(),
        "early data taken after close_notify"
    );
    let mut srv = rustls::ServerConnection::new(server).unwrap();
    handshake(&mut client, &mut srv).unwrap_or_else(|e| panic!("{e}"));
    assert!(client.is_early_data_accepted());
    assert_eq!(read_server_early_data(&mut srv), b"GET / 0-RTT\r\n");
    let mut rest = Vec::new();
    srv.reader().read_to_end(&mut rest).expect("a clean close");
    assert!(rest.is_empty());
}

#[test]
fn early_data_rejected_by_a_server_that_resumes_without_it() {
    use std::io::Write;
    let fx = Fixture::new();
    let server = early_data_server(&fx, 1024);
    let config = early_data_client(&fx);
    connect(&config, &server);
    // The same session cache, but no early data any more: the server
    // resumes and skips what we sent.
    let mut refusing = (*server).clone();
    refusing.max_early_data_size = 0;
    let (mut client, mut srv) =
        connect_with_early_data(&config, &Arc::new(refusing), b"early request");
    assert_eq!(client.handshake_kind(), Some(HandshakeKind::Resumed));
    assert!(!client.is_early_data_accepted());
    assert!(read_server_early_data(&mut srv).is_empty());
    // The caller sends it again, now as ordinary data.
    client.writer().write_all(b"early request").unwrap();
    // (transfer hands the server's plaintext back as it drains it.)
    let delivered = transfer(&mut client, &mut srv).unwrap();
    assert_eq!(delivered.plaintext, b"early request");
    exchange_data(&mut client, &mut srv);
}

#[test]
fn early_data_rejected_with_the_ticket_gets_a_full_handshake() {
    let fx = Fixture::new();
    let config = early_data_client(&fx);
    connect(&config, &early_data_server(&fx, 1024));
    // Another server: it knows nothing of the ticket.
    let (mut client, mut srv) =
        connect_with_early_data(&config, &early_data_server(&fx, 1024), b"lost");
    assert_eq!(client.handshake_kind(), Some(HandshakeKind::Full));
    assert!(!client.is_early_data_accepted());
    assert!(read_server_early_data(&mut srv).is_empty());
    exchange_data(&mut client, &mut srv);
}

#[test]
fn early_data_is_dropped_by_a_hello_retry_request() {
    let fx = Fixture::new();
    // X25519 is our first share; this server wants P-384 and retries.
    let server = early_data_server_with(fx.server().kx_groups(&[RNamedGroup::secp384r1]), 1024);
    let config = early_data_client(&fx);
    connect(&config, &server);
    let (mut client, mut srv) = connect_with_early_data(&config, &server, b"too early");
    assert_eq!(client.handshake_kind(), Some(HandshakeKind::Resumed));
    assert!(!client.is_early_data_accepted());
    assert!(read_server_early_data(&mut srv).is_empty());
    exchange_data(&mut client, &mut srv);
}

#[test]
fn early_data_is_not_offered_unless_enabled() {
    let fx = Fixture::new();
    let server = early_data_server(&fx, 1024);
    let config = Arc::new(fx.client_config());
    connect(&config, &server);
    let mut client =
        ClientConnection::new(config, ServerName::try_from("localhost").unwrap()).unwrap();
    assert!(client.early_data().is_none());
    let mut srv = rustls::ServerConnection::new(server).unwrap();
    handshake(&mut client, &mut srv).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(client.handshake_kind(), Some(HandshakeKind::Resumed));
    assert!(!client.is_early_data_accepted());
}

#[test]
fn openssl_accepts_early_data() {
    use common::openssl_server::{OpensslServerOptions, SServerMode};
    use std::io::Write;
    let fx = Fixture::new();
    let server = OpensslServerOptions::new(&fx.cert)
        .versions(TlsVersions::Tls13Only)
        .mode(SServerMode::Interactive)
        .arg("-early_data")
        .start();
    let cache = Arc::new(ClientSessionMemoryCache::new(8));
    let mut config = fx.client_config();
    config.resumption = Resumption::store(cache.clone());
    config.enable_early_data = true;
    let config = Arc::new(config);

    // The first connection: full, and it waits for s_server's tickets.
    let connect_tcp = || {
        let sock = std::net::TcpStream::connect(server.addr()).expect("connect to s_server");
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        sock
    };
    let mut sock = connect_tcp();
    let mut first =
        ClientConnection::new(config.clone(), ServerName::try_from("localhost").unwrap()).unwrap();
    assert!(first.early_data().is_none());
    first
        .complete_io(&mut sock)
        .unwrap_or_else(|e| panic!("handshake failed: {e}\n{}", server.diagnostics()));
    while cache.is_empty() {
        first.complete_io(&mut sock).unwrap();
    }
    first.send_close_notify();
    first.complete_io(&mut sock).unwrap();
    drop(sock);

    let mut sock = connect_tcp();
    let mut second =
        ClientConnection::new(config, ServerName::try_from("localhost").unwrap()).unwrap();
    second
        .early_data()
        .expect("s_server's ticket allows early data")
        .write_all(b"early line\n")
        .unwrap();
    second
        .complete_io(&mut sock)
        .unwrap_or_else(|e| panic!("handshake failed: {e}\n{}", server.diagnostics()));
    assert_eq!(second.handshake_kind(), Some(HandshakeKind::Resumed));
    assert!(second.is_early_data_accepted(), "{}", server.diagnostics());
    assert!(
        server.wait_for_stdout("early line"),
        "{}",
        server.diagnostics()
    );
}

#[test]
fn openssl_resumes_after_a_hello_retry_request() {
    use common::openssl_server::{OpensslServerOptions, SServerMode};
    let fx = Fixture::new();
    // We send an X25519 share first; this server takes only P-384, so
    // the PSK binder is computed again over the retried transcript.
    let server = OpensslServerOptions::new(&fx.cert)
        .versions(TlsVersions::Tls13Only)
        .groups("P-384")
        .mode(SServerMode::Www)
        .start();
    let config = Arc::new(fx.client_config());
    let (_, first) = get_from_s_server(&server, &config);
    assert_eq!(
        first.handshake_kind(),
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
    let (page, second) = get_from_s_server(&server, &config);
    assert_eq!(second.handshake_kind(), Some(HandshakeKind::Resumed));
    assert!(page.contains("Reused, TLSv1.3"), "{page}");
}
