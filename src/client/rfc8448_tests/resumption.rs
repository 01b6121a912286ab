//! RFC 8448 §4 replayed: the §3 connection's NewSessionTicket is stored,
//! and a second connection from the same config offers it, with 0-RTT
//! data. With the trace's randomness the resumed ClientHello (PSK binder
//! included), the early data record, EndOfEarlyData and Finished are the
//! trace's byte for byte, and the client accepts the trace's resumed server
//! flight (ServerHello with pre_shared_key, EncryptedExtensions accepting
//! the early data, Finished: no certificate).

use std::sync::Arc;
use std::time::Duration;

use super::{
    feed, output, parse_client_hello, shape_like_trace, take_trace_extensions, TraceServerVerifier,
    S3,
};
use crate::client::session::TimeProvider;
use crate::client::ClientConfig;
use crate::conn::{ClientConnection, HandshakeKind};
use crate::crypto::kx::X25519;
use crate::crypto::rand::Randomness;
use crate::crypto::suites::{
    SupportedCipherSuite, TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384,
    TLS13_CHACHA20_POLY1305_SHA256,
};
use crate::msgs::enums::{AlertDescription, ExtensionType, ProtocolVersion};
use crate::msgs::hello::ClientHello;
use crate::pki_types::UnixTime;
use crate::test_vectors::{rfc8448, rfc8448_nth};

const S4: &str = "4. ";

/// The §3 NewSessionTicket's ticket_age_add.
const TRACE_AGE_ADD: u32 = 0x933d_0932;

/// A clock that never moves: the ticket is 0 ms old when offered.
#[derive(Debug)]
struct StoppedClock;

impl TimeProvider for StoppedClock {
    fn now(&self) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(1_500_000_000))
    }
}

/// The trace's first ClientHello of `section`, whole. (§4's "construct a
/// ClientHello" value stops before the binders; the record has them.)
fn trace_hello(section: &str) -> ClientHello<'static> {
    parse_client_hello(&rfc8448_nth(
        section,
        "{client}  send handshake record",
        0,
        "payload",
    ))
}

/// As `shape_like_trace` for the §4 hello: the trace's extensions, with
/// ours wherever they carry this connection's values. The one value we
/// cannot reproduce is the ticket's age: the trace's client offers it 5 ms
/// after receiving it, and our clock counts seconds, so the hook checks
/// our obfuscated age (0 ms + ticket_age_add) and writes the trace's in.
/// The binder is computed after the hook, over what is then sent.
fn shape_like_resumption_trace(hello: &mut ClientHello) {
    take_trace_extensions(
        hello,
        trace_hello(S4),
        &[
            ExtensionType::ServerName,
            ExtensionType::KeyShare,
            ExtensionType::SupportedVersions,
            ExtensionType::EarlyData,
            ExtensionType::PreSharedKey,
        ],
    );
    let trace_age = trace_hello(S4).psk_offer().unwrap().identities[0].obfuscated_ticket_age;
    let offer = hello.psk_offer_mut().expect("pre_shared_key is last");
    assert_eq!(offer.identities.len(), 1);
    assert_eq!(offer.identities[0].obfuscated_ticket_age, TRACE_AGE_ADD);
    assert_eq!(trace_age, TRACE_AGE_ADD.wrapping_add(5));
    offer.identities.to_mut()[0].obfuscated_ticket_age = trace_age;
    assert_eq!(
        offer.identities[0].identity,
        trace_hello(S4).psk_offer().unwrap().identities[0].identity,
        "the ticket offered is the one §3's server issued"
    );
}

fn shape_either(hello: &mut ClientHello) {
    if hello.random == trace_hello(S3).random {
        shape_like_trace(hello);
    } else {
        shape_like_resumption_trace(hello);
    }
}

/// A config with both connections' randomness (§3's random and key share,
/// then §4's) and a stopped clock.
fn resumption_config() -> Arc<ClientConfig> {
    let mut random = rfc8448(S3, "construct a ClientHello", "ClientHello")[6..38].to_vec();
    random.extend(rfc8448(
        S3,
        "{client}  create an ephemeral x25519",
        "private key",
    ));
    random.extend(&rfc8448(S4, "construct a ClientHello", "ClientHello")[6..38]);
    random.extend(rfc8448(
        S4,
        "{client}  create an ephemeral x25519",
        "private key",
    ));
    // The trace's client offers TLS 1.3 alone.
    let mut config = ClientConfig::builder_with_protocol_versions(&[ProtocolVersion::TLSv1_3])
        .with_cipher_suites(&[
            SupportedCipherSuite::Tls13(&TLS13_AES_128_GCM_SHA256),
            SupportedCipherSuite::Tls13(&TLS13_CHACHA20_POLY1305_SHA256),
            SupportedCipherSuite::Tls13(&TLS13_AES_256_GCM_SHA384),
        ])
        .with_kx_groups(&[&X25519])
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(TraceServerVerifier))
        .with_no_client_auth();
    config.randomness = Randomness::fixed_for_testing(random);
    config.middlebox_compat = false;
    config.client_hello_hook = Some(shape_either);
    config.time_provider = Arc::new(StoppedClock);
    config.enable_early_data = true;
    Arc::new(config)
}

/// Runs the §3 handshake through its NewSessionTicket with `config`.
fn full_handshake_with_ticket(config: &Arc<ClientConfig>) -> ClientConnection {
    let mut conn = ClientConnection::new(config.clone(), "server".try_into().unwrap()).unwrap();
    assert_eq!(
        output(&mut conn),
        rfc8448_nth(S3, "{client}  send handshake record", 0, "complete record")
    );
    for nth in 0..2 {
        feed(
            &mut conn,
            &rfc8448_nth(
                S3,
                "{server}  send handshake record",
                nth,
                "complete record",
            ),
        );
    }
    output(&mut conn);
    feed(
        &mut conn,
        &rfc8448_nth(S3, "{server}  send handshake record", 2, "complete record"),
    );
    assert_eq!(conn.handshake_kind(), Some(HandshakeKind::Full));
    conn
}

#[test]
fn the_resumed_client_hello_and_its_binder_are_byte_exact() {
    let config = resumption_config();
    full_handshake_with_ticket(&config);

    let mut conn = ClientConnection::new(config, "server".try_into().unwrap()).unwrap();
    let hello_record = rfc8448_nth(S4, "{client}  send handshake record", 0, "complete record");
    assert_eq!(output(&mut conn), hello_record);
    // The binder itself, as the trace computes it.
    let binder = rfc8448(S4, "calculate PSK binder", "finished");
    assert!(hello_record.ends_with(&binder));
}

#[test]
fn the_whole_resumed_0rtt_handshake_is_byte_exact() {
    use std::io::{Read, Write};
    let config = resumption_config();
    full_handshake_with_ticket(&config);
    let mut conn = ClientConnection::new(config, "server".try_into().unwrap()).unwrap();
    output(&mut conn);

    // {client} send application_data record: 0-RTT, under the early keys.
    let early = rfc8448_nth(S4, "{client}  send application_data record", 0, "payload");
    let mut writer = conn.early_data().expect("the ticket allows early data");
    assert_eq!(writer.bytes_left(), 1024);
    writer.write_all(&early).unwrap();
    assert_eq!(writer.bytes_left(), 1024 - early.len());
    assert_eq!(
        output(&mut conn),
        rfc8448_nth(
            S4,
            "{client}  send application_data record",
            0,
            "complete record"
        )
    );

    for nth in 0..2 {
        feed(
            &mut conn,
            &rfc8448_nth(
                S4,
                "{server}  send handshake record",
                nth,
                "complete record",
            ),
        );
    }
    assert!(conn.early_data().is_none(), "no early data after the reply");
    assert!(conn.is_early_data_accepted());
    assert!(!conn.is_handshaking());
    assert_eq!(conn.handshake_kind(), Some(HandshakeKind::Resumed));

    // EndOfEarlyData under the early keys, then Finished.
    let mut expected = rfc8448_nth(S4, "{client}  send handshake record", 1, "complete record");
    expected.extend(rfc8448_nth(
        S4,
        "{client}  send handshake record",
        2,
        "complete record",
    ));
    assert_eq!(output(&mut conn), expected);

    // Application data both ways, then close_notify.
    feed(
        &mut conn,
        &rfc8448(
            S4,
            "{server}  send application_data record",
            "complete record",
        ),
    );
    let payload = rfc8448(S4, "{server}  send application_data record", "payload");
    let mut got = vec![0u8; payload.len()];
    conn.reader().read_exact(&mut got).unwrap();
    assert_eq!(got, payload);
    let payload = rfc8448_nth(S4, "{client}  send application_data record", 1, "payload");
    conn.writer().write_all(&payload).unwrap();
    assert_eq!(
        output(&mut conn),
        rfc8448_nth(
            S4,
            "{client}  send application_data record",
            1,
            "complete record"
        )
    );
    conn.send_close_notify();
    assert_eq!(
        output(&mut conn),
        rfc8448(S4, "{client}  send alert record", "complete record")
    );
}

/// The §4 resumed handshake up to and including the server's flight.
fn resumed_through_server_flight() -> ClientConnection {
    let config = resumption_config();
    full_handshake_with_ticket(&config);
    let mut conn = ClientConnection::new(config, "server".try_into().unwrap()).unwrap();
    output(&mut conn);
    feed(
        &mut conn,
        &rfc8448_nth(S4, "{server}  send handshake record", 0, "complete record"),
    );
    conn
}

#[test]
fn the_resumed_server_flight_completes_the_handshake() {
    let mut conn = resumed_through_server_flight();
    feed(
        &mut conn,
        &rfc8448_nth(S4, "{server}  send handshake record", 1, "complete record"),
    );
    assert!(!conn.is_handshaking());
    assert_eq!(conn.handshake_kind(), Some(HandshakeKind::Resumed));
    // No certificate was sent; the identity is §3's.
    assert_eq!(conn.peer_certificates().map(<[_]>::len), Some(1));
}

/// The trace's encrypted §4 server flight (EncryptedExtensions, Finished)
/// decrypted, edited and sealed again under the same keys.
fn edited_resumed_flight(edit: impl FnOnce(&mut Vec<Vec<u8>>)) -> Vec<u8> {
    use crate::crypto::aead::{AeadAlgorithm, AeadKey};
    use crate::msgs::codec::Codec;
    use crate::msgs::enums::ContentType;
    use crate::msgs::record_header::RecordHeader;
    use crate::record::protect::{Iv, RecordDecrypter, RecordEncrypter};

    let step = "{server}  derive write traffic keys for handshake data";
    let key =
        || AeadKey::new(AeadAlgorithm::Aes128Gcm, &rfc8448(S4, step, "key expanded")).unwrap();
    let iv = Iv::new(rfc8448(S4, step, "iv expanded").try_into().unwrap());
    let mut record = rfc8448_nth(S4, "{server}  send handshake record", 1, "complete record");
    let header = RecordHeader::read_bytes(&record[..5]).unwrap();
    let (typ, range) = RecordDecrypter::tls13(key(), iv.clone())
        .open_in_place(&header, &mut record[5..])
        .unwrap();
    assert_eq!(typ, ContentType::Handshake);
    let plain = record[5..][range].to_vec();
    let ee_len = rfc8448(S4, "construct a EncryptedExtensions", "EncryptedExtensions").len();
    let mut messages = vec![plain[..ee_len].to_vec(), plain[ee_len..].to_vec()];
    edit(&mut messages);
    let mut out = Vec::new();
    RecordEncrypter::tls13(key(), iv)
        .seal_record(ContentType::Handshake, &messages.concat(), &mut out)
        .unwrap();
    out
}

#[test]
fn a_certificate_in_a_resumed_handshake_is_unexpected() {
    let flight = edited_resumed_flight(|messages| {
        let cert = rfc8448(S3, "construct a Certificate", "Certificate");
        messages.insert(1, cert);
    });
    let mut conn = resumed_through_server_flight();
    conn.read_tls(&mut &flight[..]).unwrap();
    let err = conn.process_new_packets().unwrap_err();
    assert_eq!(
        err.alert(),
        Some(AlertDescription::UnexpectedMessage),
        "{err}"
    );
}

#[test]
fn a_certificate_request_in_a_resumed_handshake_is_unexpected() {
    // RFC 8446 §4.3.2: not in a PSK handshake's main flight.
    let flight = edited_resumed_flight(|messages| {
        messages.insert(1, vec![13, 0, 0, 11, 0, 0, 8, 0, 13, 0, 4, 0, 2, 4, 3]);
    });
    let mut conn = resumed_through_server_flight();
    conn.read_tls(&mut &flight[..]).unwrap();
    let err = conn.process_new_packets().unwrap_err();
    assert_eq!(
        err.alert(),
        Some(AlertDescription::UnexpectedMessage),
        "{err}"
    );
}

#[test]
fn the_unedited_resumed_flight_still_completes() {
    // The editing above changes only what it inserts.
    let flight = edited_resumed_flight(|_| {});
    let mut conn = resumed_through_server_flight();
    feed(&mut conn, &flight);
    assert!(!conn.is_handshaking());
}

/// Counts the tickets a connection puts in the store.
#[derive(Debug, Default)]
struct CountingStore {
    inserted: std::sync::atomic::AtomicUsize,
}

impl crate::client::ClientSessionStore for CountingStore {
    fn insert_tls13_ticket(
        &self,
        _server_name: crate::pki_types::ServerName<'static>,
        _value: crate::client::Tls13Session,
    ) {
        self.inserted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn take_tls13_ticket(
        &self,
        _server_name: &crate::pki_types::ServerName<'static>,
    ) -> Option<crate::client::Tls13Session> {
        None
    }
}

/// A NewSessionTicket with `lifetime` and a one-byte ticket.
fn ticket_message(lifetime: u32) -> Vec<u8> {
    let mut msg = vec![4, 0, 0, 14];
    msg.extend(lifetime.to_be_bytes());
    msg.extend([0, 0, 0, 1, 0, 0, 1, 7, 0, 0]);
    msg
}

#[test]
fn tickets_of_lifetime_zero_are_dropped_and_a_connection_stores_a_few() {
    use crate::msgs::enums::ContentType;
    let store = Arc::new(CountingStore::default());
    let (mut conn, mut server) = super::after_handshake_with(|config| {
        config.resumption = crate::client::Resumption::store(store.clone());
    });
    let count = || store.inserted.load(std::sync::atomic::Ordering::Relaxed);
    // RFC 8446 §4.6.1: lifetime zero means "discard immediately".
    feed(
        &mut conn,
        &server.seal(ContentType::Handshake, &ticket_message(0)),
    );
    assert_eq!(count(), 0);
    feed(
        &mut conn,
        &server.seal(ContentType::Handshake, &ticket_message(60)),
    );
    assert_eq!(count(), 1);
    // A server that sends ticket after ticket fills no more than its share.
    for _ in 0..50 {
        feed(
            &mut conn,
            &server.seal(ContentType::Handshake, &ticket_message(60)),
        );
    }
    assert_eq!(count(), 8);
    // Seven days is the most (RFC 8446 §4.6.1); one second more is illegal.
    let err = {
        conn.read_tls(&mut &server.seal(ContentType::Handshake, &ticket_message(604_801))[..])
            .unwrap();
        conn.process_new_packets().unwrap_err()
    };
    assert_eq!(err.alert(), Some(AlertDescription::IllegalParameter));
}

#[test]
fn with_resumption_disabled_no_ticket_is_stored_and_none_asked_for() {
    use crate::msgs::enums::ContentType;
    let (mut conn, mut server) = super::after_handshake_with(|config| {
        config.resumption = crate::client::Resumption::disabled();
    });
    feed(
        &mut conn,
        &server.seal(ContentType::Handshake, &ticket_message(60)),
    );
    assert!(!conn.is_handshaking());
    // And the ClientHello says nothing of PSKs.
    let mut config = (*super::replay_config()).clone();
    config.resumption = crate::client::Resumption::disabled();
    config.client_hello_hook = Some(|hello| {
        assert!(hello
            .find_extension(ExtensionType::PskKeyExchangeModes)
            .is_none());
        assert!(hello.find_extension(ExtensionType::PreSharedKey).is_none());
        super::shape_like_trace(hello);
    });
    ClientConnection::new(Arc::new(config), "server".try_into().unwrap()).unwrap();
}

/// A store that hands out its tickets edited, as if the server had issued
/// them under other terms.
#[derive(Debug)]
struct EditingStore {
    inner: crate::client::ClientSessionMemoryCache,
    edit: fn(&mut crate::client::Tls13Session),
}

impl crate::client::ClientSessionStore for EditingStore {
    fn insert_tls13_ticket(
        &self,
        server_name: crate::pki_types::ServerName<'static>,
        value: crate::client::Tls13Session,
    ) {
        self.inner.insert_tls13_ticket(server_name, value);
    }

    fn take_tls13_ticket(
        &self,
        server_name: &crate::pki_types::ServerName<'static>,
    ) -> Option<crate::client::Tls13Session> {
        let mut session = self.inner.take_tls13_ticket(server_name)?;
        (self.edit)(&mut session);
        Some(session)
    }
}

/// Resumes the §3 ticket, edited by `edit`, with 0-RTT offered and ALPN
/// `alpn` enabled; the §4 server accepts the early data under the trace's
/// suite (AES-128-GCM) and without ALPN. Returns the client's verdict.
fn accept_early_data_for_edited_ticket(
    edit: fn(&mut crate::client::Tls13Session),
    alpn: &[u8],
) -> Result<(), crate::error::Error> {
    let mut config = (*resumption_config()).clone();
    config.alpn_protocols = vec![alpn.to_vec()];
    config.resumption = crate::client::Resumption::store(Arc::new(EditingStore {
        inner: crate::client::ClientSessionMemoryCache::new(4),
        edit,
    }));
    let config = Arc::new(config);
    full_handshake_with_ticket(&config);
    let mut conn = ClientConnection::new(config, "server".try_into().unwrap()).unwrap();
    assert!(conn.early_data().is_some(), "0-RTT is offered");
    output(&mut conn);
    for nth in 0..2 {
        let record = rfc8448_nth(
            S4,
            "{server}  send handshake record",
            nth,
            "complete record",
        );
        conn.read_tls(&mut &record[..]).unwrap();
        conn.process_new_packets()?;
    }
    assert!(conn.is_early_data_accepted());
    Ok(())
}

#[test]
fn early_data_accepted_under_another_suite_is_refused() {
    // RFC 8446 §4.2.10: the server must accept 0-RTT with the ticket's
    // suite; a ticket of ChaCha20 (the same hash) resumed under AES-128-GCM
    // with the data accepted is illegal_parameter.
    let err =
        accept_early_data_for_edited_ticket(|s| s.suite = &TLS13_CHACHA20_POLY1305_SHA256, b"h2")
            .unwrap_err();
    assert_eq!(err.alert(), Some(AlertDescription::IllegalParameter));
    assert!(err.to_string().contains("cipher suite"), "{err}");
}

#[test]
fn early_data_accepted_with_another_alpn_protocol_is_refused() {
    // RFC 8446 §4.2.10: likewise the ALPN protocol: the ticket's was "h2",
    // the server's EncryptedExtensions choose none.
    let err =
        accept_early_data_for_edited_ticket(|s| s.alpn = Some(b"h2".to_vec()), b"h2").unwrap_err();
    assert_eq!(err.alert(), Some(AlertDescription::IllegalParameter));
    assert!(err.to_string().contains("ALPN"), "{err}");
}

#[test]
fn early_data_accepted_under_the_tickets_terms_is_fine() {
    accept_early_data_for_edited_ticket(|_| {}, b"h2").unwrap();
}
