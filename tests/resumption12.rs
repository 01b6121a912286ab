//! TLS 1.2 session resumption (RFC 5246 §7.3, RFC 5077) against a rustls
//! server limited to TLS 1.2, in memory, and against `openssl s_server
//! -tls1_2`: sessions resume by ticket and by session id, per server name;
//! a server that declines gets a full handshake that replaces the session.
//! Then servers that answer our offer wrongly, their flights edited.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::certs::{KeyType, TestPki};
use common::flight::{
    deliver, drain_client, drain_server, feed_until_error, plaintext_alert, record, split_records,
};
use common::oxtls_client::{get_from_s_server, oxtls_config};
use common::pump::{handshake, send_pattern, Side};
use common::rustls_server::{server_export, RustlsServerOptions, ServerView};
use common::TlsVersions;
use oxtls::msgs::codec::Codec;
use oxtls::msgs::enums::{CipherSuite, ExtensionType, ProtocolVersion};
use oxtls::msgs::extensions::ExtensionForm;
use oxtls::msgs::handshake::{HandshakeMessage, HandshakePayload};
use oxtls::msgs::hello::ServerHello;
use oxtls::pki_types::ServerName;
use oxtls::{
    AlertDescription, ClientConfig, ClientConnection, ClientSessionMemoryCache, ClientSessionStore,
    Error, HandshakeKind, PeerMisbehaved, Resumption,
};
use rustls::{CipherSuite as RCipherSuite, ServerConfig};

struct Fixture {
    pki: TestPki,
    ecdsa: common::certs::IssuedCert,
    rsa: common::certs::IssuedCert,
}

impl Fixture {
    fn new() -> Fixture {
        let pki = TestPki::new();
        let ecdsa = pki.server_cert(KeyType::EcdsaP256);
        let rsa = pki.server_cert(KeyType::Rsa2048);
        Fixture { pki, ecdsa, rsa }
    }

    /// A TLS 1.2 rustls server (tickets on, and its default session-id
    /// cache).
    fn server(&self) -> RustlsServerOptions {
        RustlsServerOptions::new(&self.ecdsa).versions(TlsVersions::Tls12Only)
    }

    /// A client config with its own cache, which the test can look into.
    fn client(&self) -> (Arc<ClientConfig>, Arc<ClientSessionMemoryCache>) {
        let cache = Arc::new(ClientSessionMemoryCache::new(32));
        let mut config = oxtls_config(&[self.pki.ca_der()]);
        config.resumption = Resumption::store(cache.clone());
        (Arc::new(config), cache)
    }
}

fn localhost() -> ServerName<'static> {
    ServerName::try_from("localhost").unwrap()
}

/// One connection to `name`, handshake done, then data each way.
fn connect_to(
    config: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
    name: ServerName<'static>,
) -> (ClientConnection, rustls::ServerConnection) {
    let mut client = ClientConnection::new(config.clone(), name).expect("connection starts");
    let mut srv = rustls::ServerConnection::new(server.clone()).unwrap();
    handshake(&mut client, &mut srv).unwrap_or_else(|e| panic!("{e}"));
    send_pattern(&mut client, &mut srv, Side::Client, 3000).unwrap_or_else(|e| panic!("{e}"));
    send_pattern(&mut client, &mut srv, Side::Server, 3000).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::TLSv1_2));
    (client, srv)
}

fn connect(
    config: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
) -> (ClientConnection, rustls::ServerConnection) {
    connect_to(config, server, localhost())
}

fn server_kind(srv: &rustls::ServerConnection) -> Option<rustls::HandshakeKind> {
    ServerView::of(srv).handshake_kind
}

/// The client's and the server's exporter outputs agree.
fn assert_exporters_agree(client: &ClientConnection, srv: &rustls::ServerConnection) {
    for context in [None, Some(&b"ctx"[..])] {
        let ours = client
            .export_keying_material(vec![0u8; 40], b"EXPERIMENTAL resumed", context)
            .unwrap();
        assert_eq!(
            ours,
            server_export(srv, b"EXPERIMENTAL resumed", context, 40)
        );
    }
}

#[test]
fn a_second_connection_resumes_by_ticket_with_every_suite() {
    let fx = Fixture::new();
    let suites = [
        (RCipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, false),
        (RCipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, false),
        (
            RCipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            false,
        ),
        (RCipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, true),
        (RCipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, true),
        (
            RCipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            true,
        ),
    ];
    for (suite, rsa) in suites {
        let cert = if rsa { &fx.rsa } else { &fx.ecdsa };
        let server = RustlsServerOptions::new(cert)
            .versions(TlsVersions::Tls12Only)
            .cipher_suites(&[suite])
            .config();
        let (config, cache) = fx.client();
        let (first, srv) = connect(&config, &server);
        assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
        assert_eq!(server_kind(&srv), Some(rustls::HandshakeKind::Full));
        let stored = cache.tls12_session(&localhost()).expect("session stored");
        assert!(!stored.ticket().is_empty(), "{suite:?}: a ticket");
        assert!(stored.extended_master_secret());
        assert_eq!(u16::from(stored.suite().suite), u16::from(suite));

        let (second, srv) = connect(&config, &server);
        assert_eq!(
            second.handshake_kind(),
            Some(HandshakeKind::Resumed),
            "{suite:?}"
        );
        assert_eq!(server_kind(&srv), Some(rustls::HandshakeKind::Resumed));
        assert_eq!(ServerView::of(&srv).suite, Some(suite));
        // The resumed connection reports the original server's chain.
        assert!(second.peer_certificates().is_some());
        assert_eq!(second.peer_certificates(), first.peer_certificates());
        // No key exchange of its own: it reports the first handshake's.
        assert!(first.negotiated_key_exchange_group().is_some());
        assert_eq!(
            second.negotiated_key_exchange_group().map(|g| g.name()),
            first.negotiated_key_exchange_group().map(|g| g.name())
        );
        assert_exporters_agree(&second, &srv);
        // RFC 5077 §3.4: rustls renews the ticket when it resumes; the
        // store keeps the new one with the same session.
        let renewed = cache.tls12_session(&localhost()).unwrap();
        assert_ne!(renewed.ticket(), stored.ticket());

        // The session, with the renewed ticket, resumes again.
        let (third, srv) = connect(&config, &server);
        assert_eq!(third.handshake_kind(), Some(HandshakeKind::Resumed));
        assert_exporters_agree(&third, &srv);
    }
}

#[test]
fn a_server_without_tickets_resumes_by_session_id() {
    let fx = Fixture::new();
    let server = fx.server().send_tickets(false).config();
    let (config, cache) = fx.client();
    let (first, _) = connect(&config, &server);
    assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
    let stored = cache.tls12_session(&localhost()).expect("session stored");
    assert!(stored.ticket().is_empty());
    assert!(!stored.session_id().is_empty());

    let (second, srv) = connect(&config, &server);
    assert_eq!(second.handshake_kind(), Some(HandshakeKind::Resumed));
    assert_eq!(server_kind(&srv), Some(rustls::HandshakeKind::Resumed));
    assert_eq!(second.peer_certificates(), first.peer_certificates());
    assert_exporters_agree(&second, &srv);
    // Still the same session, offered again.
    let again = cache.tls12_session(&localhost()).unwrap();
    assert_eq!(again.session_id(), stored.session_id());
}

#[test]
fn sessions_belong_to_one_server_name() {
    let fx = Fixture::new();
    let server = fx.server().config();
    let (config, cache) = fx.client();
    let ip = ServerName::try_from("127.0.0.1").unwrap();
    let (first, _) = connect(&config, &server);
    assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
    assert!(cache.tls12_session(&ip).is_none());
    // Same server, but another name: nothing to offer.
    let (other, srv) = connect_to(&config, &server, ip.clone());
    assert_eq!(other.handshake_kind(), Some(HandshakeKind::Full));
    assert_eq!(server_kind(&srv), Some(rustls::HandshakeKind::Full));
    // Each name now resumes its own.
    let (by_name, _) = connect(&config, &server);
    assert_eq!(by_name.handshake_kind(), Some(HandshakeKind::Resumed));
    let (by_ip, _) = connect_to(&config, &server, ip);
    assert_eq!(by_ip.handshake_kind(), Some(HandshakeKind::Resumed));
    assert_eq!(cache.len(), 2);
}

/// The extension types of the ClientHello `client` is about to send.
fn client_hello_extensions(client: &mut ClientConnection) -> Vec<ExtensionType> {
    let hello = drain_client(client);
    let (typ, fragment) = split_records(&hello).remove(0);
    assert_eq!(typ, 22);
    let HandshakePayload::ClientHello(ch) = parse(&fragment, ProtocolVersion::TLSv1_3) else {
        panic!("not a ClientHello")
    };
    ch.extensions.iter().map(ExtensionForm::ext_type).collect()
}

#[test]
fn with_resumption_disabled_no_ticket_is_asked_for_and_every_handshake_is_full() {
    let fx = Fixture::new();
    let server = fx.server().config();
    let mut config = oxtls_config(&[fx.pki.ca_der()]);
    config.resumption = Resumption::disabled();
    let config = Arc::new(config);
    let mut probe = ClientConnection::new(config.clone(), localhost()).unwrap();
    assert!(!client_hello_extensions(&mut probe).contains(&ExtensionType::SessionTicket));
    for _ in 0..2 {
        let (client, srv) = connect(&config, &server);
        assert_eq!(client.handshake_kind(), Some(HandshakeKind::Full));
        assert_eq!(server_kind(&srv), Some(rustls::HandshakeKind::Full));
    }
    // RFC 5077 §3.2: enabled, the empty extension asks for a ticket.
    let (enabled, _) = fx.client();
    let mut probe = ClientConnection::new(enabled, localhost()).unwrap();
    assert!(client_hello_extensions(&mut probe).contains(&ExtensionType::SessionTicket));
    // And a TLS 1.3-only client has no use for one.
    let mut roots = oxtls::RootCertStore::new();
    roots.add(fx.pki.ca_der()).unwrap();
    let tls13 = ClientConfig::builder_with_protocol_versions(&[ProtocolVersion::TLSv1_3])
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut probe = ClientConnection::new(Arc::new(tls13), localhost()).unwrap();
    assert!(!client_hello_extensions(&mut probe).contains(&ExtensionType::SessionTicket));
}

/// The legacy_session_id of the ClientHello `client` is about to send.
fn client_hello_session_id(client: &mut ClientConnection) -> Vec<u8> {
    let hello = drain_client(client);
    let (_, fragment) = split_records(&hello).remove(0);
    let HandshakePayload::ClientHello(ch) = parse(&fragment, ProtocolVersion::TLSv1_3) else {
        panic!("not a ClientHello")
    };
    ch.session_id.as_slice().to_vec()
}

/// A TLS 1.2-only client (no TLS 1.3 compatibility session id of its own)
/// resumes both ways; its ClientHello's session id is the server's for a
/// session-id resumption (RFC 5246 §7.4.1.2), and fresh and random beside
/// a ticket (RFC 5077 §3.4).
#[test]
fn a_tls12_only_client_offers_the_right_session_id() {
    let fx = Fixture::new();
    let mut roots = oxtls::RootCertStore::new();
    roots.add(fx.pki.ca_der()).unwrap();
    let mut config = ClientConfig::builder_with_protocol_versions(&[ProtocolVersion::TLSv1_2])
        .with_root_certificates(roots)
        .with_no_client_auth();
    let cache = Arc::new(ClientSessionMemoryCache::new(8));
    config.resumption = Resumption::store(cache.clone());
    let config = Arc::new(config);
    let probe = |config: &Arc<ClientConfig>| {
        let mut client = ClientConnection::new(config.clone(), localhost()).unwrap();
        client_hello_session_id(&mut client)
    };
    // Nothing stored: an empty session id.
    assert!(probe(&config).is_empty());

    for tickets in [false, true] {
        cache.remove_tls12_session(&localhost());
        let server = fx.server().send_tickets(tickets).config();
        let (first, _) = connect(&config, &server);
        assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
        let stored = cache.tls12_session(&localhost()).unwrap();
        let offered = probe(&config);
        assert_eq!(offered.len(), 32);
        if tickets {
            assert_ne!(offered, stored.session_id(), "a fresh id beside the ticket");
            assert_ne!(offered, probe(&config), "random each time");
        } else {
            assert_eq!(offered, stored.session_id());
        }
        let (second, srv) = connect(&config, &server);
        assert_eq!(second.handshake_kind(), Some(HandshakeKind::Resumed));
        assert_eq!(server_kind(&srv), Some(rustls::HandshakeKind::Resumed));
    }
}

#[test]
fn a_server_that_declines_gets_a_full_handshake_that_replaces_the_session() {
    let fx = Fixture::new();
    let server = fx.server().config();
    // Other ticket keys, and another session cache: it knows nothing of
    // our session.
    let stranger = fx.server().config();
    let (config, cache) = fx.client();
    let (first, _) = connect(&config, &server);
    assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
    let old = cache.tls12_session(&localhost()).unwrap();

    let (declined, srv) = connect(&config, &stranger);
    assert_eq!(declined.handshake_kind(), Some(HandshakeKind::Full));
    assert_eq!(server_kind(&srv), Some(rustls::HandshakeKind::Full));
    let new = cache.tls12_session(&localhost()).expect("replaced");
    assert_ne!(new.ticket(), old.ticket());
    assert_eq!(cache.len(), 1);

    // The new session is the stranger's.
    let (resumed, _) = connect(&config, &stranger);
    assert_eq!(resumed.handshake_kind(), Some(HandshakeKind::Resumed));
}

/// A server (or a middlebox before it) that fails whenever it sees our
/// session, before any ServerHello: the session is forgotten with the
/// failed handshake, so only one connection fails, not every connection
/// until the session expires. The same for a server that hangs up.
#[test]
fn a_session_whose_offer_ends_the_handshake_is_forgotten() {
    let fx = Fixture::new();
    let server = fx.server().config();
    let (config, cache) = fx.client();
    let fatal_alert = plaintext_alert(AlertDescription::HandshakeFailure);

    for hangs_up in [false, true] {
        connect(&config, &server);
        assert!(cache.tls12_session(&localhost()).is_some());
        let mut offering = ClientConnection::new(config.clone(), localhost()).unwrap();
        assert!(client_hello_extensions(&mut offering).contains(&ExtensionType::SessionTicket));
        let err = if hangs_up {
            // The stream ends: read_tls reads 0 bytes.
            assert_eq!(offering.read_tls(&mut &[][..]).unwrap(), 0);
            offering.process_new_packets().unwrap_err()
        } else {
            feed_until_error(&mut offering, &fatal_alert).0
        };
        let expected = if hangs_up {
            Error::UnexpectedEof
        } else {
            Error::AlertReceived(AlertDescription::HandshakeFailure)
        };
        assert_eq!(err, expected);
        assert!(
            cache.tls12_session(&localhost()).is_none(),
            "hangs up: {hangs_up}"
        );
        let (next, srv) = connect(&config, &server);
        assert_eq!(next.handshake_kind(), Some(HandshakeKind::Full));
        assert_eq!(server_kind(&srv), Some(rustls::HandshakeKind::Full));
    }
}

/// A reply our parser or state machine refuses also forgets the session:
/// a ServerHello cut short, or a ServerHelloDone before any ServerHello.
#[test]
fn a_session_whose_offer_gets_a_malformed_reply_is_forgotten() {
    let fx = Fixture::new();
    let server = fx.server().config();
    let (config, cache) = fx.client();
    let truncated_server_hello = record(22, &[2, 0, 0, 4, 3, 3, 0, 0]);
    let server_hello_done = record(22, &[14, 0, 0, 0]);
    for reply in [truncated_server_hello, server_hello_done] {
        connect(&config, &server);
        let mut offering = ClientConnection::new(config.clone(), localhost()).unwrap();
        drain_client(&mut offering);
        let (err, _) = feed_until_error(&mut offering, &reply);
        assert!(
            cache.tls12_session(&localhost()).is_none(),
            "still stored after {err:?}"
        );
    }
}

/// What a failed offer leaves alone: a session stored meanwhile by
/// another connection, and the session of a connection dropped without
/// an answer (a caller's timeout, or a server that could not be reached).
#[test]
fn a_failed_offer_leaves_other_sessions_alone() {
    let fx = Fixture::new();
    let server = fx.server().config();
    let (config, cache) = fx.client();
    connect(&config, &server);
    let offered = cache.tls12_session(&localhost()).unwrap();

    let mut unanswered = ClientConnection::new(config.clone(), localhost()).unwrap();
    drain_client(&mut unanswered);
    drop(unanswered);
    let kept = cache.tls12_session(&localhost()).expect("kept");
    assert_eq!(kept.ticket(), offered.ticket());

    let mut offering = ClientConnection::new(config.clone(), localhost()).unwrap();
    drain_client(&mut offering);
    // Meanwhile another connection resumes, and takes a new ticket.
    let (other, _) = connect(&config, &server);
    assert_eq!(other.handshake_kind(), Some(HandshakeKind::Resumed));
    let newer = cache.tls12_session(&localhost()).unwrap();
    assert_ne!(newer.ticket(), offered.ticket());
    feed_until_error(
        &mut offering,
        &plaintext_alert(AlertDescription::DecodeError),
    );
    let left = cache
        .tls12_session(&localhost())
        .expect("the newer session stays");
    assert_eq!(left.ticket(), newer.ticket());
}

#[test]
fn a_session_is_not_offered_past_its_lifetime() {
    #[derive(Debug)]
    struct Clock(Mutex<u64>);
    impl oxtls::TimeProvider for Clock {
        fn now(&self) -> oxtls::pki_types::UnixTime {
            oxtls::pki_types::UnixTime::since_unix_epoch(Duration::from_secs(
                *self.0.lock().unwrap(),
            ))
        }
    }
    let fx = Fixture::new();
    let server = fx.server().config();
    let clock = Arc::new(Clock(Mutex::new(1_000_000)));
    let cache = Arc::new(ClientSessionMemoryCache::new(32));
    let mut config = oxtls_config(&[fx.pki.ca_der()]);
    config.resumption = Resumption::store(cache.clone());
    config.time_provider = clock.clone();
    let config = Arc::new(config);
    connect(&config, &server);
    let lifetime = cache.tls12_session(&localhost()).unwrap().lifetime();
    assert!(lifetime > Duration::ZERO && lifetime <= Duration::from_secs(7 * 24 * 3600));
    *clock.0.lock().unwrap() += lifetime.as_secs() - 1;
    let (in_time, _) = connect(&config, &server);
    assert_eq!(in_time.handshake_kind(), Some(HandshakeKind::Resumed));
    // The resumption may have renewed the ticket; go past whatever is
    // stored now.
    let lifetime = cache.tls12_session(&localhost()).unwrap().lifetime();
    *clock.0.lock().unwrap() += lifetime.as_secs() + 1;
    let (late, _) = connect(&config, &server);
    assert_eq!(late.handshake_kind(), Some(HandshakeKind::Full));
}

// ---- edited server flights ----------------------------------------------

fn parse(raw: &[u8], version: ProtocolVersion) -> HandshakePayload {
    HandshakeMessage::parse(raw, version).unwrap().payload
}

/// A client holding a session from `server`, its ClientHello offering it
/// delivered to a fresh server connection, and that server's abbreviated
/// flight as records (ServerHello, NewSessionTicket, ChangeCipherSpec,
/// Finished), undelivered.
/// A client offering its stored session, its cache, and the server's
/// records answering it.
type Offering = (
    ClientConnection,
    Arc<ClientSessionMemoryCache>,
    Vec<(u8, Vec<u8>)>,
);

fn offering_client(fx: &Fixture, server: &Arc<ServerConfig>) -> Offering {
    let (config, cache) = fx.client();
    connect(&config, server);
    let mut client = ClientConnection::new(config, localhost()).unwrap();
    let mut srv = rustls::ServerConnection::new(server.clone()).unwrap();
    deliver(&drain_client(&mut client), &mut srv);
    let flight = split_records(&drain_server(&mut srv));
    (client, cache, flight)
}

/// The server's abbreviated flight with its ServerHello edited.
fn with_edited_server_hello(
    flight: &[(u8, Vec<u8>)],
    edit: impl FnOnce(&mut ServerHello),
) -> Vec<u8> {
    let (typ, fragment) = &flight[0];
    assert_eq!(*typ, 22);
    // rustls puts each handshake message in its own record.
    let HandshakePayload::ServerHello(mut sh) = parse(fragment, ProtocolVersion::TLSv1_2) else {
        panic!("not a ServerHello")
    };
    edit(&mut sh);
    let mut bytes = record(
        22,
        &HandshakeMessage::new(HandshakePayload::ServerHello(sh)).get_encoding(),
    );
    for (typ, fragment) in &flight[1..] {
        bytes.extend(record(*typ, fragment));
    }
    bytes
}

fn reason(err: &Error) -> String {
    match err {
        Error::PeerMisbehaved(PeerMisbehaved::Other(text, _)) => text.to_string(),
        other => panic!("not a misbehaving peer: {other:?}"),
    }
}

#[test]
fn the_unedited_abbreviated_flight_completes() {
    let fx = Fixture::new();
    let server = fx.server().config();
    let (mut client, _cache, flight) = offering_client(&fx, &server);
    // ServerHello, NewSessionTicket, ChangeCipherSpec, Finished.
    let types: Vec<u8> = flight.iter().map(|(t, _)| *t).collect();
    assert_eq!(types, [22, 22, 20, 22]);
    let bytes = with_edited_server_hello(&flight, |_| {});
    let mut rd = &bytes[..];
    while !rd.is_empty() {
        client.read_tls(&mut rd).unwrap();
        client.process_new_packets().unwrap();
    }
    assert!(!client.is_handshaking());
    assert_eq!(client.handshake_kind(), Some(HandshakeKind::Resumed));
}

#[test]
fn a_server_resuming_with_another_suite_is_illegal_parameter() {
    let fx = Fixture::new();
    // The server prefers AES-128 and the session has it; the edited
    // ServerHello names AES-256, which we also offer.
    let server = fx
        .server()
        .cipher_suites(&[
            RCipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            RCipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        ])
        .config();
    let (mut client, cache, flight) = offering_client(&fx, &server);
    let bytes = with_edited_server_hello(&flight, |sh| {
        assert_eq!(
            sh.cipher_suite,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        );
        sh.cipher_suite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
    });
    let (err, sent) = feed_until_error(&mut client, &bytes);
    assert!(reason(&err).contains("different cipher suite"), "{err:?}");
    assert_eq!(sent, plaintext_alert(AlertDescription::IllegalParameter));
    assert!(
        cache.tls12_session(&localhost()).is_none(),
        "a server that resumes our session wrongly is not offered it again"
    );
}

#[test]
fn a_server_resuming_without_the_extended_master_secret_is_handshake_failure() {
    let fx = Fixture::new();
    let server = fx.server().config();
    let (mut client, _cache, flight) = offering_client(&fx, &server);
    let bytes = with_edited_server_hello(&flight, |sh| {
        let before = sh.extensions.len();
        sh.extensions
            .retain(|e| e.ext_type() != ExtensionType::ExtendedMasterSecret);
        assert_eq!(sh.extensions.len(), before - 1);
    });
    let (err, sent) = feed_until_error(&mut client, &bytes);
    assert!(
        reason(&err).contains("without the extended master secret"),
        "{err:?}"
    );
    assert_eq!(sent, plaintext_alert(AlertDescription::HandshakeFailure));
}

#[test]
fn a_wrong_finished_in_an_abbreviated_handshake_is_decrypt_error() {
    let fx = Fixture::new();
    let server = fx
        .server()
        .cipher_suites(&[RCipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256])
        .config();
    // Learn the session's master secret through the key log.
    #[derive(Debug, Default)]
    struct Log(Mutex<Vec<Vec<u8>>>);
    impl oxtls::KeyLog for Log {
        fn log(&self, _label: &str, _client_random: &[u8], secret: &[u8]) {
            self.0.lock().unwrap().push(secret.to_vec());
        }
    }
    let log = Arc::new(Log::default());
    let cache = Arc::new(ClientSessionMemoryCache::new(8));
    let mut config = oxtls_config(&[fx.pki.ca_der()]);
    config.resumption = Resumption::store(cache.clone());
    config.key_log = Some(log.clone());
    let config = Arc::new(config);
    connect(&config, &server);
    let master = log.0.lock().unwrap()[0].clone();

    let mut client = ClientConnection::new(config, localhost()).unwrap();
    let hello = drain_client(&mut client);
    let (_, ch_fragment) = split_records(&hello).remove(0);
    let HandshakePayload::ClientHello(ch) = parse(&ch_fragment, ProtocolVersion::TLSv1_3) else {
        panic!("not a ClientHello")
    };
    let mut srv = rustls::ServerConnection::new(server.clone()).unwrap();
    deliver(&hello, &mut srv);
    let flight = split_records(&drain_server(&mut srv));
    let HandshakePayload::ServerHello(sh) = parse(&flight[0].1, ProtocolVersion::TLSv1_2) else {
        panic!("not a ServerHello")
    };
    assert_eq!(sh.session_id, ch.session_id, "the server resumes");

    // The server's keys for this connection, from the session's master
    // secret and the new randoms (RFC 5246 §6.3).
    let suite = &oxtls::crypto::suites::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    assert_eq!(suite.suite, sh.cipher_suite);
    let master = oxtls::crypto::tls12::MasterSecret::from_bytes(suite.hash, &master).unwrap();
    let block = master.key_block(suite, &ch.random.0, &sh.random.0);
    let key = || block.server_aead_key().unwrap();
    let mut opener = oxtls::record::protect::RecordDecrypter::tls12(
        key(),
        block.server_write_iv(),
        suite.explicit_nonce_len,
    )
    .unwrap();
    let mut sealer = oxtls::record::protect::RecordEncrypter::tls12(
        key(),
        block.server_write_iv(),
        suite.explicit_nonce_len,
    )
    .unwrap();
    let finished = record(22, &flight[3].1);
    let header = oxtls::msgs::record_header::RecordHeader::read_bytes(&finished[..5]).unwrap();
    let mut fragment = finished[5..].to_vec();
    let (_, range) = opener.open_in_place(&header, &mut fragment).unwrap();
    let mut plain = fragment[range].to_vec();
    assert_eq!(plain[0], 20, "the server's Finished");
    plain[8] ^= 1;
    let mut bytes: Vec<u8> = flight[..3]
        .iter()
        .flat_map(|(t, f)| record(*t, f))
        .collect();
    sealer
        .seal_record(
            oxtls::msgs::enums::ContentType::Handshake,
            &plain,
            &mut bytes,
        )
        .unwrap();

    let (err, sent) = feed_until_error(&mut client, &bytes);
    assert!(reason(&err).contains("Finished"), "{err:?}");
    // Our keys are not on yet: the server's Finished comes first.
    assert_eq!(sent, plaintext_alert(AlertDescription::DecryptError));
    assert!(client.is_handshaking());
    // Neither the session offered nor the ticket of the failed handshake
    // is offered again.
    assert!(cache.tls12_session(&localhost()).is_none());
}

#[test]
fn a_ticket_the_server_did_not_promise_is_unexpected_message() {
    // A full handshake where the ServerHello does not answer our
    // session_ticket: the NewSessionTicket that comes anyway is
    // unexpected (RFC 5077 §3.3).
    let fx = Fixture::new();
    let server = fx.server().config();
    let (config, _) = fx.client();
    let mut client = ClientConnection::new(config, localhost()).unwrap();
    let mut srv = rustls::ServerConnection::new(server).unwrap();
    deliver(&drain_client(&mut client), &mut srv);
    // The first flight may share records; one message per record here.
    let mut joined = Vec::new();
    for (typ, fragment) in split_records(&drain_server(&mut srv)) {
        assert_eq!(typ, 22);
        joined.extend(fragment);
    }
    let mut flight = Vec::new();
    let mut rest = &joined[..];
    while !rest.is_empty() {
        let len = u32::from_be_bytes([0, rest[1], rest[2], rest[3]]) as usize;
        flight.push((22, rest[..4 + len].to_vec()));
        rest = &rest[4 + len..];
    }
    let bytes = with_edited_server_hello(&flight, |sh| {
        let before = sh.extensions.len();
        sh.extensions
            .retain(|e| e.ext_type() != ExtensionType::SessionTicket);
        assert_eq!(sh.extensions.len(), before - 1);
    });
    let mut rd = &bytes[..];
    while !rd.is_empty() {
        client.read_tls(&mut rd).unwrap();
        client.process_new_packets().unwrap();
    }
    // Our flight is out; the server (which would see the edited
    // transcript in our Finished and stop) is played by a ticket we make.
    drain_client(&mut client);
    let last = record(
        22,
        &HandshakeMessage::new(HandshakePayload::NewSessionTicket12(
            oxtls::msgs::tls12::NewSessionTicket12 {
                lifetime_hint: 300,
                ticket: vec![7; 64],
            },
        ))
        .get_encoding(),
    );
    let (err, _) = feed_until_error(&mut client, &last);
    assert_eq!(
        err,
        Error::InappropriateMessage {
            expected: &[oxtls::msgs::enums::ContentType::ChangeCipherSpec],
            got: oxtls::msgs::enums::ContentType::Handshake
        }
    );
    assert_eq!(err.alert(), Some(AlertDescription::UnexpectedMessage));
}

// ---- against OpenSSL ----------------------------------------------------

fn openssl_resumes(extra_args: &[&str], by_ticket: bool) {
    use common::openssl_server::{OpensslServerOptions, SServerMode};
    let fx = Fixture::new();
    let mut options = OpensslServerOptions::new(&fx.ecdsa)
        .versions(TlsVersions::Tls12Only)
        .mode(SServerMode::Www);
    for arg in extra_args {
        options = options.arg(arg);
    }
    let server = options.start();
    let (config, cache) = fx.client();
    let (page, first) = get_from_s_server(&server, &config);
    assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
    assert!(page.contains("New, TLSv1.2"), "{page}");
    let stored = cache.tls12_session(&localhost()).expect("session stored");
    assert_eq!(!stored.ticket().is_empty(), by_ticket);
    let (page, second) = get_from_s_server(&server, &config);
    assert_eq!(second.handshake_kind(), Some(HandshakeKind::Resumed));
    // s_server's status page says so too.
    assert!(page.contains("Reused, TLSv1.2"), "{page}");
    assert_eq!(second.peer_certificates(), first.peer_certificates());
}

#[test]
fn openssl_resumes_by_ticket() {
    openssl_resumes(&[], true);
}

#[test]
fn openssl_without_tickets_resumes_by_session_id() {
    openssl_resumes(&["-no_ticket"], false);
}

/// RFC 7627 §5.3: a session made without the extended master secret is
/// not offered again (so not kept).
#[test]
fn a_session_without_the_extended_master_secret_is_not_resumed() {
    use common::openssl_server::{OpensslServerOptions, SServerMode};
    let fx = Fixture::new();
    let server = OpensslServerOptions::new(&fx.ecdsa)
        .versions(TlsVersions::Tls12Only)
        .mode(SServerMode::Www)
        .without_extended_master_secret()
        .start();
    let (config, cache) = fx.client();
    for _ in 0..2 {
        let (page, conn) = get_from_s_server(&server, &config);
        assert_eq!(conn.handshake_kind(), Some(HandshakeKind::Full));
        assert!(page.contains("New, TLSv1.2"), "{page}");
        assert!(cache.tls12_session(&localhost()).is_none());
    }
}
