//! Hostile and broken TLS 1.2 servers: a rustls server limited to TLS 1.2
//! whose messages are edited on their way to the client. The first flight
//! is plaintext and edited as parsed messages; later records are opened and
//! resealed with the server's keys, derived from the master secret our
//! client writes to its key log. Each case asserts the client's exact
//! error and the alert it sends.

mod common;

use std::sync::{Arc, Mutex};

use common::certs::{KeyType, TestPki};
use common::flight::{
    deliver, drain_client, drain_server, feed_until_error, plaintext_alert, record, split_records,
};
use common::oxtls_client::{oxtls_client, oxtls_config};
use common::rustls_server::RustlsServerOptions;
use common::TlsVersions;
use oxtls::crypto::tls12::MasterSecret;
use oxtls::msgs::codec::Codec;
use oxtls::msgs::enums::{
    CipherSuite, Compression, ContentType, EcPointFormat, ExtensionType, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
use oxtls::msgs::extensions::{ExtensionForm, KeyShareEntry};
use oxtls::msgs::handshake::{HandshakeMessage, HandshakePayload};
use oxtls::msgs::hello::{ServerHello, SessionId, DOWNGRADE_TLS12};
use oxtls::msgs::record_header::RecordHeader;
use oxtls::msgs::server_ext::ServerExtension;
use oxtls::record::protect::{RecordDecrypter, RecordEncrypter};
use oxtls::{
    AlertDescription, CertificateError, ClientConfig, ClientConnection, Error, InvalidMessage,
    PeerMisbehaved,
};

/// Keeps the master secret our client logs.
#[derive(Debug, Default)]
struct MasterSecretLog(Mutex<Option<(Vec<u8>, Vec<u8>)>>);

impl oxtls::KeyLog for MasterSecretLog {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        assert_eq!(label, "CLIENT_RANDOM");
        *self.0.lock().unwrap() = Some((client_random.to_vec(), secret.to_vec()));
    }
}

/// One TLS 1.2 connection under test, stopped wherever the test wants.
struct Run {
    client: ClientConnection,
    server: rustls::ServerConnection,
    key_log: Arc<MasterSecretLog>,
    /// The server's first flight, as the handshake messages it carried.
    first_flight: Vec<Vec<u8>>,
    /// The client's ClientHello record.
    client_hello: Vec<u8>,
}

fn tls12_server(key: KeyType, pki: &TestPki) -> rustls::ServerConnection {
    RustlsServerOptions::new(&pki.server_cert(key))
        .versions(TlsVersions::Tls12Only)
        .alpn(&["http/1.1"])
        .connection()
}

/// Sends the ClientHello to a TLS 1.2 rustls server and keeps its first
/// flight (ServerHello .. ServerHelloDone) undelivered.
fn start(key: KeyType, config: ClientConfig, pki: &TestPki) -> Run {
    let key_log = Arc::new(MasterSecretLog::default());
    let mut config = config;
    config.key_log = Some(key_log.clone());
    let mut client = oxtls_client(config, "localhost");
    let mut server = tls12_server(key, pki);
    let client_hello = drain_client(&mut client);
    deliver(&client_hello, &mut server);
    let first_flight = handshake_messages(&drain_server(&mut server));
    Run {
        client,
        server,
        key_log,
        first_flight,
        client_hello,
    }
}

/// The legacy_session_id of a ClientHello record: after the record header
/// (5), the handshake header (4), the version (2) and the random (32).
fn client_session_id(hello_record: &[u8]) -> Vec<u8> {
    let len = usize::from(hello_record[43]);
    hello_record[44..44 + len].to_vec()
}

/// A run whose client keeps no sessions, so it does not ask for a ticket
/// (RFC 5077 §3.2) and the server's last flight is ChangeCipherSpec and
/// Finished alone. Resumption has its own edited flights in
/// tests/resumption12.rs.
fn default_run(key: KeyType) -> (Run, TestPki) {
    let pki = TestPki::new();
    let mut config = oxtls_config(&[pki.ca_der()]);
    config.resumption = oxtls::Resumption::disabled();
    let run = start(key, config, &pki);
    (run, pki)
}

/// The handshake messages of a plaintext flight, whole, in order.
fn handshake_messages(tls: &[u8]) -> Vec<Vec<u8>> {
    let mut joined = Vec::new();
    for (typ, fragment) in split_records(tls) {
        assert_eq!(typ, 22, "a plaintext handshake flight");
        joined.extend(fragment);
    }
    let mut out = Vec::new();
    let mut rest = &joined[..];
    while !rest.is_empty() {
        let len = u32::from_be_bytes([0, rest[1], rest[2], rest[3]]) as usize;
        out.push(rest[..4 + len].to_vec());
        rest = &rest[4 + len..];
    }
    out
}

/// Messages framed one per record, as a server may send them.
fn frame(messages: &[Vec<u8>]) -> Vec<u8> {
    messages.iter().flat_map(|m| record(22, m)).collect()
}

fn parse(raw: &[u8]) -> HandshakePayload {
    HandshakeMessage::parse(raw, ProtocolVersion::TLSv1_2)
        .unwrap()
        .payload
}

fn encode(payload: HandshakePayload) -> Vec<u8> {
    HandshakeMessage::new(payload).get_encoding()
}

/// Rewrites the message of type `typ` in the first flight.
fn edit_message(run: &mut Run, typ: u8, edit: impl FnOnce(HandshakePayload) -> HandshakePayload) {
    let msg = run
        .first_flight
        .iter_mut()
        .find(|m| m[0] == typ)
        .expect("the flight has the message");
    *msg = encode(edit(parse(msg)));
}

fn edit_server_hello(run: &mut Run, edit: impl FnOnce(&mut ServerHello)) {
    edit_message(run, 2, |payload| {
        let HandshakePayload::ServerHello(mut sh) = payload else {
            panic!("not a ServerHello")
        };
        edit(&mut sh);
        HandshakePayload::ServerHello(sh)
    });
}

fn feed(client: &mut ClientConnection, bytes: &[u8]) {
    let mut rd = bytes;
    while !rd.is_empty() {
        client.read_tls(&mut rd).unwrap();
        client.process_new_packets().unwrap();
    }
}

/// Delivers the (edited) first flight; the client must fail with an error
/// whose alert is `alert`, sent in the clear.
fn first_flight_fails(mut run: Run, alert: AlertDescription) -> Error {
    let flight = frame(&run.first_flight);
    let (err, sent) = feed_until_error(&mut run.client, &flight);
    assert_eq!(err.alert(), Some(alert), "{err:?}");
    assert_eq!(sent, plaintext_alert(alert), "{err:?}");
    err
}

fn misbehaved(err: &Error, words: &str) {
    assert!(
        matches!(err, Error::PeerMisbehaved(PeerMisbehaved::Other(w, _)) if w.contains(words)),
        "{err:?} does not say {words:?}"
    );
}

#[test]
fn the_unedited_flight_completes() {
    let (mut run, _pki) = default_run(KeyType::EcdsaP256);
    // Reframed one message per record: the client does not mind.
    feed(&mut run.client, &frame(&run.first_flight));
    deliver(&drain_client(&mut run.client), &mut run.server);
    feed(&mut run.client, &drain_server(&mut run.server));
    assert!(!run.client.is_handshaking());
    assert_eq!(run.client.alpn_protocol(), None);
}

#[test]
fn a_bad_server_key_exchange_signature() {
    for key in [KeyType::EcdsaP256, KeyType::Rsa2048] {
        let (mut run, _pki) = default_run(key);
        edit_message(&mut run, 12, |payload| {
            let HandshakePayload::ServerKeyExchange(mut ske) = payload else {
                panic!("not a ServerKeyExchange")
            };
            let last = ske.signature.signature.len() - 1;
            ske.signature.signature[last] ^= 1;
            HandshakePayload::ServerKeyExchange(ske)
        });
        let err = first_flight_fails(run, AlertDescription::DecryptError);
        assert_eq!(
            err,
            Error::InvalidCertificate(CertificateError::BadSignature),
            "{key:?}"
        );
    }
}

#[test]
fn a_server_key_exchange_signed_over_other_params() {
    // The signature is intact but the server's point is not the one signed.
    let (mut run, _pki) = default_run(KeyType::EcdsaP256);
    edit_message(&mut run, 12, |payload| {
        let HandshakePayload::ServerKeyExchange(mut ske) = payload else {
            panic!("not a ServerKeyExchange")
        };
        ske.params.public[1] ^= 1;
        HandshakePayload::ServerKeyExchange(ske)
    });
    let err = first_flight_fails(run, AlertDescription::DecryptError);
    assert_eq!(
        err,
        Error::InvalidCertificate(CertificateError::BadSignature)
    );
}

fn edit_server_key_exchange(
    run: &mut Run,
    edit: impl FnOnce(&mut oxtls::msgs::tls12::EcdheServerKeyExchange),
) {
    edit_message(run, 12, |payload| {
        let HandshakePayload::ServerKeyExchange(mut ske) = payload else {
            panic!("not a ServerKeyExchange")
        };
        edit(&mut ske);
        HandshakePayload::ServerKeyExchange(ske)
    });
}

#[test]
fn a_group_we_did_not_offer() {
    let pki = TestPki::new();
    // We offer X25519 and P-256; the server's key is said to be on P-384,
    // and then on a finite-field group no one offered.
    let groups = [&oxtls::crypto::kx::X25519, &oxtls::crypto::kx::SECP256R1];
    for group in [NamedGroup::secp384r1, NamedGroup::Unknown(0x0100)] {
        let config = ClientConfig::builder()
            .with_kx_groups(&groups)
            .with_root_certificates({
                let mut roots = oxtls::RootCertStore::new();
                roots.add(pki.ca_der()).unwrap();
                roots
            })
            .with_no_client_auth();
        let mut run = start(KeyType::EcdsaP256, config, &pki);
        edit_server_key_exchange(&mut run, |ske| ske.params.group = group);
        let err = first_flight_fails(run, AlertDescription::IllegalParameter);
        misbehaved(&err, "group we did not offer");
    }
}

#[test]
fn a_server_key_exchange_signature_scheme_we_did_not_offer_or_that_does_not_fit() {
    let cases = [
        // SHA-1: never offered.
        (KeyType::EcdsaP256, SignatureScheme::ECDSA_SHA1_Legacy),
        // An RSA scheme for an ECDHE_ECDSA suite.
        (KeyType::EcdsaP256, SignatureScheme::RSA_PSS_RSAE_SHA256),
        // An ECDSA scheme for an ECDHE_RSA suite.
        (KeyType::Rsa2048, SignatureScheme::ECDSA_NISTP256_SHA256),
    ];
    for (key, scheme) in cases {
        let (mut run, _pki) = default_run(key);
        edit_server_key_exchange(&mut run, |ske| ske.signature.scheme = scheme);
        let err = first_flight_fails(run, AlertDescription::IllegalParameter);
        assert!(
            matches!(
                err,
                Error::PeerMisbehaved(
                    PeerMisbehaved::SignatureSchemeNotPermitted(s)
                        | PeerMisbehaved::SignatureSchemeDoesNotMatchKey(s)
                ) if s == scheme
            ),
            "{scheme:?}: {err:?}"
        );
    }
}

#[test]
fn a_non_empty_renegotiation_info() {
    let (mut run, _pki) = default_run(KeyType::EcdsaP256);
    edit_server_hello(&mut run, |sh| {
        sh.extensions
            .retain(|e| e.ext_type() != ExtensionType::RenegotiationInfo);
        sh.extensions
            .push(ServerExtension::RenegotiationInfo(vec![1; 24]));
    });
    let err = first_flight_fails(run, AlertDescription::HandshakeFailure);
    misbehaved(&err, "renegotiation_info");
}

#[test]
fn server_hello_extensions_we_did_not_ask_for_or_that_do_not_belong() {
    type Edit = fn(&mut ServerHello);
    let cases: [(&str, Edit, AlertDescription); 4] = [
        (
            "session ticket",
            |sh| sh.extensions.push(ServerExtension::SessionTicket),
            AlertDescription::UnsupportedExtension,
        ),
        (
            "ALPN without our offer",
            |sh| sh.extensions.push(ServerExtension::Alpn(b"h2".to_vec())),
            AlertDescription::UnsupportedExtension,
        ),
        (
            "key_share in TLS 1.2",
            |sh| {
                sh.extensions
                    .push(ServerExtension::KeyShare(KeyShareEntry::new(
                        NamedGroup::X25519,
                        &[9; 32],
                    )))
            },
            AlertDescription::IllegalParameter,
        ),
        (
            "ec_point_formats without uncompressed",
            |sh| {
                sh.extensions
                    .retain(|e| e.ext_type() != ExtensionType::EcPointFormats);
                sh.extensions.push(ServerExtension::EcPointFormats(vec![
                    EcPointFormat::Unknown(1),
                ]));
            },
            AlertDescription::IllegalParameter,
        ),
    ];
    for (what, edit, alert) in cases {
        let (mut run, _pki) = default_run(KeyType::EcdsaP256);
        edit_server_hello(&mut run, edit);
        let flight = frame(&run.first_flight);
        let (err, sent) = feed_until_error(&mut run.client, &flight);
        assert!(matches!(err, Error::PeerMisbehaved(_)), "{what}: {err:?}");
        assert_eq!(sent, plaintext_alert(alert), "{what}: {err:?}");
    }
}

#[test]
fn an_alpn_protocol_we_did_not_offer() {
    let pki = TestPki::new();
    let mut config = oxtls_config(&[pki.ca_der()]);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let mut run = start(KeyType::EcdsaP256, config, &pki);
    edit_server_hello(&mut run, |sh| {
        for ext in &mut sh.extensions {
            if let ServerExtension::Alpn(p) = ext {
                *p = b"h2".to_vec();
            }
        }
    });
    let err = first_flight_fails(run, AlertDescription::IllegalParameter);
    misbehaved(&err, "ALPN");
}

/// RFC 8446 §4.1.3: a client that offered TLS 1.3 refuses a TLS 1.2
/// ServerHello whose random ends with the downgrade sentinel.
#[test]
fn the_downgrade_sentinel_when_we_offered_tls13() {
    let (mut run, _pki) = default_run(KeyType::EcdsaP256);
    edit_server_hello(&mut run, |sh| {
        sh.random.0[24..].copy_from_slice(&DOWNGRADE_TLS12)
    });
    let err = first_flight_fails(run, AlertDescription::IllegalParameter);
    misbehaved(&err, "downgrade");
}

/// RFC 5246 §7.4.1.3: a ServerHello echoing the client's session_id
/// resumes that session; ours is RFC 8446 §D.4's made-up one, so there is
/// nothing to resume.
#[test]
fn a_server_hello_echoing_our_compatibility_session_id() {
    let (mut run, _pki) = default_run(KeyType::EcdsaP256);
    let ours = client_session_id(&run.client_hello);
    assert_eq!(ours.len(), 32, "offering TLS 1.3, we send a made-up id");
    edit_server_hello(&mut run, |sh| {
        sh.session_id = SessionId::new(&ours).unwrap()
    });
    let err = first_flight_fails(run, AlertDescription::IllegalParameter);
    misbehaved(&err, "session id");
}

/// RFC 5246 §7.4.1.2: a TLS 1.2 ClientHello's session_id names a session
/// to resume; without TLS 1.3 offered there is no made-up one to send.
#[test]
fn a_tls12_only_client_hello_has_an_empty_session_id() {
    let pki = TestPki::new();
    let config = ClientConfig::builder_with_protocol_versions(&[ProtocolVersion::TLSv1_2])
        .with_root_certificates({
            let mut roots = oxtls::RootCertStore::new();
            roots.add(pki.ca_der()).unwrap();
            roots
        })
        .with_no_client_auth();
    let mut run = start(KeyType::EcdsaP256, config, &pki);
    assert!(client_session_id(&run.client_hello).is_empty());
    // And the handshake completes without it.
    feed(&mut run.client, &frame(&run.first_flight));
    deliver(&drain_client(&mut run.client), &mut run.server);
    feed(&mut run.client, &drain_server(&mut run.server));
    assert!(!run.client.is_handshaking());
}

#[test]
fn a_suite_or_compression_we_did_not_offer() {
    let pki = TestPki::new();
    let ecdsa_only = ClientConfig::builder()
        .with_cipher_suites(&[oxtls::SupportedCipherSuite::find(
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        )
        .unwrap()])
        .with_root_certificates({
            let mut roots = oxtls::RootCertStore::new();
            roots.add(pki.ca_der()).unwrap();
            roots
        })
        .with_no_client_auth();
    let mut run = start(KeyType::EcdsaP256, ecdsa_only, &pki);
    edit_server_hello(&mut run, |sh| {
        sh.cipher_suite = CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
    });
    let err = first_flight_fails(run, AlertDescription::IllegalParameter);
    misbehaved(&err, "cipher suite");

    let (mut run, _pki) = default_run(KeyType::EcdsaP256);
    edit_server_hello(&mut run, |sh| {
        sh.compression_method = Compression::Unknown(1)
    });
    let err = first_flight_fails(run, AlertDescription::IllegalParameter);
    misbehaved(&err, "compression");
}

#[test]
fn messages_missing_from_the_first_flight() {
    // Without the Certificate, without the ServerKeyExchange.
    for missing in [11u8, 12] {
        let (mut run, _pki) = default_run(KeyType::EcdsaP256);
        run.first_flight.retain(|m| m[0] != missing);
        let err = first_flight_fails(run, AlertDescription::UnexpectedMessage);
        assert!(
            matches!(err, Error::InappropriateHandshakeMessage { .. }),
            "{missing}: {err:?}"
        );
    }
}

#[test]
fn an_empty_server_certificate() {
    let (mut run, _pki) = default_run(KeyType::EcdsaP256);
    edit_message(&mut run, 11, |_| {
        HandshakePayload::Certificate12(oxtls::msgs::tls12::Certificate12 { chain: Vec::new() })
    });
    let err = first_flight_fails(run, AlertDescription::DecodeError);
    assert_eq!(
        err,
        Error::InvalidMessage(InvalidMessage::EmptyVector("Certificate.certificate_list"))
    );
}

/// RFC 5246 §7.4.5: ServerHelloDone ends the server's flight. The start of
/// a next message in the same record (as BoGo's
/// PartialNewSessionTicketWithServerHelloDone sends) is refused before we
/// answer, not carried across our change of keys.
#[test]
fn bytes_after_server_hello_done_in_its_record() {
    let (mut run, _pki) = default_run(KeyType::EcdsaP256);
    let mut last_record = run.first_flight.concat();
    last_record.push(4); // the first byte of a NewSessionTicket
    let (err, sent) = feed_until_error(&mut run.client, &record(22, &last_record));
    assert_eq!(
        err,
        Error::InvalidMessage(InvalidMessage::HandshakeSplitAcrossKeyChange)
    );
    assert_eq!(sent, plaintext_alert(AlertDescription::UnexpectedMessage));
}

/// RFC 5246 §7.1: ChangeCipherSpec belongs right before the server's
/// Finished; one in the middle of the first flight is unexpected.
#[test]
fn a_change_cipher_spec_too_early() {
    let (mut run, _pki) = default_run(KeyType::EcdsaP256);
    let mut flight = frame(&run.first_flight[..2]);
    flight.extend(record(20, &[1]));
    let (err, sent) = feed_until_error(&mut run.client, &flight);
    misbehaved(&err, "ChangeCipherSpec");
    assert_eq!(sent, plaintext_alert(AlertDescription::UnexpectedMessage));
}

/// RFC 5246 §7.4.1.1: a HelloRequest while the handshake is under way is
/// ignored, and kept out of the transcript (or the Finished would fail).
#[test]
fn a_hello_request_during_the_handshake_is_ignored() {
    let (mut run, _pki) = default_run(KeyType::Rsa2048);
    run.first_flight.insert(1, vec![0, 0, 0, 0]);
    run.first_flight.insert(4, vec![0, 0, 0, 0]);
    feed(&mut run.client, &frame(&run.first_flight));
    deliver(&drain_client(&mut run.client), &mut run.server);
    feed(&mut run.client, &drain_server(&mut run.server));
    assert!(!run.client.is_handshaking());
}

/// The keys of both directions, from the master secret the client logged.
struct Keys {
    /// Seals records as the server would.
    server_sealer: RecordEncrypter,
    /// Opens the server's records.
    server_opener: RecordDecrypter,
    /// Opens the client's records.
    client_opener: RecordDecrypter,
}

fn keys(run: &Run) -> Keys {
    let (client_random, master) = run.key_log.0.lock().unwrap().clone().expect("key logged");
    let HandshakePayload::ServerHello(sh) = parse(&run.first_flight[0]) else {
        panic!("no ServerHello")
    };
    let suite = run
        .client
        .negotiated_cipher_suite()
        .and_then(|s| s.tls12())
        .expect("a TLS 1.2 suite");
    let master = MasterSecret::from_bytes(suite.hash, &master).unwrap();
    let block = master.key_block(suite, &client_random.try_into().unwrap(), &sh.random.0);
    let explicit = suite.explicit_nonce_len;
    Keys {
        server_sealer: RecordEncrypter::tls12(
            block.server_aead_key().unwrap(),
            block.server_write_iv(),
            explicit,
        )
        .unwrap(),
        server_opener: RecordDecrypter::tls12(
            block.server_aead_key().unwrap(),
            block.server_write_iv(),
            explicit,
        )
        .unwrap(),
        client_opener: RecordDecrypter::tls12(
            block.client_aead_key().unwrap(),
            block.client_write_iv(),
            explicit,
        )
        .unwrap(),
    }
}

fn open(opener: &mut RecordDecrypter, rec: &[u8]) -> (ContentType, Vec<u8>) {
    let header = RecordHeader::read_bytes(&rec[..5]).unwrap();
    let mut fragment = rec[5..].to_vec();
    let (typ, range) = opener.open_in_place(&header, &mut fragment).unwrap();
    (typ, fragment[range].to_vec())
}

fn seal(sealer: &mut RecordEncrypter, typ: ContentType, plaintext: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    sealer.seal_record(typ, plaintext, &mut out).unwrap();
    out
}

/// Runs the handshake up to the server's last flight, returned as records
/// (ChangeCipherSpec, then the encrypted Finished), with the keys; the
/// client's own last flight is opened up to its Finished.
fn up_to_server_finished(key: KeyType) -> (Run, Keys, Vec<Vec<u8>>) {
    let (mut run, _pki) = default_run(key);
    feed(&mut run.client, &frame(&run.first_flight));
    let client_flight = drain_client(&mut run.client);
    deliver(&client_flight, &mut run.server);
    let mut keys = keys(&run);
    // The client's Finished is its first protected record.
    let finished = split_records(&client_flight)
        .into_iter()
        .rfind(|(typ, _)| *typ == 22)
        .unwrap();
    let (_, plain) = open(&mut keys.client_opener, &record(22, &finished.1));
    assert_eq!(plain[0], 20, "the client's Finished");
    let server_flight = split_records(&drain_server(&mut run.server))
        .into_iter()
        .map(|(typ, fragment)| record(typ, &fragment))
        .collect::<Vec<_>>();
    assert_eq!(server_flight.len(), 2, "ChangeCipherSpec and Finished");
    (run, keys, server_flight)
}

/// Opens the client's protected alert and returns its (level, description).
fn client_alert(keys: &mut Keys, sent: &[u8]) -> (u8, AlertDescription) {
    let (typ, plain) = open(&mut keys.client_opener, sent);
    assert_eq!(typ, ContentType::Alert);
    (plain[0], AlertDescription::from(plain[1]))
}

#[test]
fn a_wrong_server_finished() {
    let (mut run, mut keys, flight) = up_to_server_finished(KeyType::EcdsaP256);
    let (typ, mut finished) = open(&mut keys.server_opener, &flight[1]);
    assert_eq!((typ, finished[0]), (ContentType::Handshake, 20));
    finished[10] ^= 1;
    let mut bytes = flight[0].clone();
    bytes.extend(seal(
        &mut keys.server_sealer,
        ContentType::Handshake,
        &finished,
    ));
    let (err, sent) = feed_until_error(&mut run.client, &bytes);
    misbehaved(&err, "Finished");
    assert_eq!(
        client_alert(&mut keys, &sent),
        (2, AlertDescription::DecryptError)
    );
    assert!(run.client.is_handshaking());
}

/// The server's Finished without its ChangeCipherSpec: sent in the clear,
/// it is a handshake message where only ChangeCipherSpec may come.
#[test]
fn a_finished_without_change_cipher_spec() {
    let (mut run, mut keys, flight) = up_to_server_finished(KeyType::EcdsaP256);
    let (_, finished) = open(&mut keys.server_opener, &flight[1]);
    let (err, sent) = feed_until_error(&mut run.client, &record(22, &finished));
    assert_eq!(
        err,
        Error::InappropriateMessage {
            expected: &[ContentType::ChangeCipherSpec],
            got: ContentType::Handshake
        }
    );
    assert_eq!(
        client_alert(&mut keys, &sent),
        (2, AlertDescription::UnexpectedMessage)
    );
}

/// A NewSessionTicket is legal only if we offered session_ticket (RFC 5077
/// §3.3), which a client with resumption disabled does not.
#[test]
fn a_session_ticket_we_did_not_ask_for() {
    let (mut run, mut keys, flight) = up_to_server_finished(KeyType::EcdsaP256);
    let ticket = encode(HandshakePayload::NewSessionTicket12(
        oxtls::msgs::tls12::NewSessionTicket12 {
            lifetime_hint: 300,
            ticket: vec![7; 100],
        },
    ));
    let mut bytes = record(22, &ticket);
    bytes.extend(flight.concat());
    let (err, sent) = feed_until_error(&mut run.client, &bytes);
    assert!(matches!(err, Error::InappropriateMessage { .. }), "{err:?}");
    assert_eq!(
        client_alert(&mut keys, &sent),
        (2, AlertDescription::UnexpectedMessage)
    );
}

/// Application data before the server's Finished is unexpected.
#[test]
fn application_data_before_the_server_finished() {
    let (mut run, mut keys, flight) = up_to_server_finished(KeyType::EcdsaP256);
    let mut bytes = flight[0].clone();
    bytes.extend(seal(
        &mut keys.server_sealer,
        ContentType::ApplicationData,
        b"too soon",
    ));
    let (err, sent) = feed_until_error(&mut run.client, &bytes);
    assert!(matches!(err, Error::InappropriateMessage { .. }), "{err:?}");
    assert_eq!(
        client_alert(&mut keys, &sent),
        (2, AlertDescription::UnexpectedMessage)
    );
}

/// RFC 5246 §7.4.1.1, §7.2.2: after the handshake a HelloRequest gets a
/// no_renegotiation warning and the connection goes on, both ways; a
/// server that keeps asking is cut off.
#[test]
fn hello_requests_after_the_handshake() {
    let (mut run, mut keys, flight) = up_to_server_finished(KeyType::EcdsaP256);
    feed(&mut run.client, &flight.concat());
    assert!(!run.client.is_handshaking());
    // Our sealer takes over from the server: its Finished was record 0.
    let _ = open(&mut keys.server_opener, &flight[1]);
    let _ = seal(&mut keys.server_sealer, ContentType::Handshake, &[0; 16]);

    let hello_request = [0u8, 0, 0, 0];
    let bytes = seal(
        &mut keys.server_sealer,
        ContentType::Handshake,
        &hello_request,
    );
    feed(&mut run.client, &bytes);
    let sent = drain_client(&mut run.client);
    assert_eq!(
        client_alert(&mut keys, &sent),
        (1, AlertDescription::NoRenegotiation)
    );
    // The server reads on past our warning, and data flows both ways.
    deliver(&sent, &mut run.server);
    std::io::Write::write_all(&mut run.client.writer(), b"still here").unwrap();
    deliver(&drain_client(&mut run.client), &mut run.server);
    let mut got = [0u8; 10];
    std::io::Read::read_exact(&mut run.server.reader(), &mut got).unwrap();
    assert_eq!(&got, b"still here");
    feed(
        &mut run.client,
        &seal(
            &mut keys.server_sealer,
            ContentType::ApplicationData,
            b"and you",
        ),
    );
    let mut got = [0u8; 7];
    std::io::Read::read_exact(&mut run.client.reader(), &mut got).unwrap();
    assert_eq!(&got, b"and you");

    // Eight in a row are answered; the ninth ends the connection.
    let mut answered = 0;
    let err = loop {
        let bytes = seal(
            &mut keys.server_sealer,
            ContentType::Handshake,
            &hello_request,
        );
        run.client.read_tls(&mut &bytes[..]).unwrap();
        match run.client.process_new_packets() {
            Ok(_) => answered += 1,
            Err(e) => break e,
        }
        assert!(answered <= 8, "HelloRequests are not bounded");
    };
    assert_eq!(answered, 8);
    misbehaved(&err, "HelloRequest");
}

/// A real TLS 1.2 first flight with random bytes changed, cut or appended,
/// fed in random-sized pieces: the client ends each with an error (or
/// waits for more, or goes on to send its flight), and never panics.
#[test]
fn mutated_first_flights_never_panic() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let pki = TestPki::new();
    let config = Arc::new(oxtls_config(&[pki.ca_der()]));
    for key in [KeyType::EcdsaP256, KeyType::Rsa2048] {
        let real = {
            let run = start(key, oxtls_config(&[pki.ca_der()]), &pki);
            frame(&run.first_flight)
        };
        for _ in 0..1000 {
            let mut input = real.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() as usize) % input.len();
                match next() % 3 {
                    0 => input[at] = next() as u8,
                    1 => input.truncate(at.max(1)),
                    _ => input.extend((0..next() % 20).map(|_| next() as u8)),
                }
            }
            let mut client =
                ClientConnection::new(config.clone(), "localhost".try_into().unwrap()).unwrap();
            drain_client(&mut client);
            let mut rest = &input[..];
            while !rest.is_empty() {
                let take = 1 + (next() as usize) % rest.len();
                let (mut piece, after) = rest.split_at(take);
                rest = after;
                while !piece.is_empty() {
                    if client.read_tls(&mut piece).is_err() {
                        break;
                    }
                }
                if client.process_new_packets().is_err() {
                    break;
                }
            }
        }
    }
}

/// RFC 8446 §4.1.4: after a HelloRetryRequest (TLS 1.3 by definition) the
/// ServerHello may not fall back to TLS 1.2.
#[test]
fn tls12_after_a_hello_retry_request() {
    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls13Only)
        .kx_groups(&[rustls::NamedGroup::secp384r1])
        .connection();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    deliver(&drain_client(&mut client), &mut server);
    feed(&mut client, &drain_server(&mut server));
    deliver(&drain_client(&mut client), &mut server);
    let flight = drain_server(&mut server);
    let mut records = split_records(&flight);
    let HandshakePayload::ServerHello(mut sh) = parse(&records[0].1) else {
        panic!("the flight starts with the ServerHello")
    };
    sh.extensions
        .retain(|e| e.ext_type() != ExtensionType::SupportedVersions);
    records[0].1 = encode(HandshakePayload::ServerHello(sh));
    let edited: Vec<u8> = records.iter().flat_map(|(t, f)| record(*t, f)).collect();
    let (err, sent) = feed_until_error(&mut client, &edited);
    misbehaved(&err, "after a HelloRetryRequest");
    assert_eq!(sent, plaintext_alert(AlertDescription::IllegalParameter));
}
