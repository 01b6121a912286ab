//! RFC 8448 §3 replayed end to end through `ClientConnection`: with the
//! trace's client random and X25519 key injected, the client's output is
//! the trace's bytes, and it accepts the trace's server flight.

use std::io::{Read, Write};
use std::sync::Arc;

use crate::client::ClientConfig;
use crate::conn::ClientConnection;
use crate::crypto::kx::X25519;
use crate::crypto::rand::Randomness;
use crate::crypto::suites::SupportedCipherSuite;
use crate::crypto::suites::{
    TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384, TLS13_CHACHA20_POLY1305_SHA256,
};
use crate::error::{CertificateError, Error};
use crate::msgs::enums::SignatureScheme;
use crate::msgs::enums::{ExtensionType, ProtocolVersion};
use crate::msgs::extensions::ExtensionForm;
use crate::msgs::handshake::{HandshakeMessage, HandshakePayload};
use crate::msgs::hello::ClientHello;
use crate::pki_types::{CertificateDer, ServerName, UnixTime};
use crate::test_vectors::{rfc8448, rfc8448_nth};
use crate::verify::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};

/// Accepts exactly the trace's certificate and its CertificateVerify.
///
/// The trace's server key is RSA-1024, which ring (rightly) refuses to
/// verify, and its certificate has long expired; so this verifier checks
/// that the client hands it the trace's certificate, the trace's scheme
/// and signature, and a message built over the right transcript hash.
#[derive(Debug)]
struct TraceServerVerifier;

impl ServerCertVerifier for TraceServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let msg = rfc8448(S3, "construct a Certificate", "Certificate");
        // Handshake header, context length, list length, entry length.
        let der = msg
            .get(4 + 1 + 3 + 3..)
            .and_then(|m| m.get(..end_entity.len()));
        if der != Some(end_entity.as_ref()) || !intermediates.is_empty() {
            return Err(CertificateError::UnknownIssuer.into());
        }
        if server_name.to_str() != "server" {
            return Err(CertificateError::NotValidForName.into());
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        _cert: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<HandshakeSignatureValid, Error> {
        let cv = rfc8448(S3, "construct a CertificateVerify", "CertificateVerify");
        // RFC 8446 §4.4.3: 64 spaces, the context string, a zero byte, and
        // the transcript hash through Certificate.
        let transcript: Vec<u8> = [
            rfc8448(S3, "construct a ClientHello", "ClientHello"),
            rfc8448(S3, "construct a ServerHello", "ServerHello"),
            rfc8448(S3, "construct a EncryptedExtensions", "EncryptedExtensions"),
            rfc8448(S3, "construct a Certificate", "Certificate"),
        ]
        .concat();
        let hash = crate::crypto::hash::HashAlgorithm::Sha256.hash(&transcript);
        let mut expected = vec![0x20; 64];
        expected.extend_from_slice(b"TLS 1.3, server CertificateVerify\0");
        expected.extend_from_slice(hash.as_bytes());
        if scheme != SignatureScheme::RSA_PSS_RSAE_SHA256
            || signature != &cv[8..]
            || message != expected
        {
            return Err(CertificateError::BadSignature.into());
        }
        Ok(HandshakeSignatureValid::assertion())
    }
}

const S3: &str = "3. ";

fn trace_client_hello() -> ClientHello<'static> {
    parse_client_hello(&rfc8448(S3, "construct a ClientHello", "ClientHello"))
}

fn parse_client_hello(bytes: &[u8]) -> ClientHello<'static> {
    match HandshakeMessage::parse(bytes, ProtocolVersion::TLSv1_3)
        .unwrap()
        .payload
    {
        HandshakePayload::ClientHello(ch) => ch,
        other => panic!("not a ClientHello: {other:?}"),
    }
}

/// The trace's client also offers things oxtls does not send by default
/// (renegotiation_info, session_ticket, more groups and schemes,
/// psk_key_exchange_modes, record_size_limit). This hook takes those from
/// the trace and keeps, from what oxtls built, every extension that
/// carries this connection's own values: server_name, key_share and
/// supported_versions.
fn shape_like_trace(hello: &mut ClientHello<'_>) {
    take_trace_extensions(
        hello,
        trace_client_hello(),
        &[
            ExtensionType::ServerName,
            ExtensionType::KeyShare,
            ExtensionType::SupportedVersions,
        ],
    );
}

/// Gives `hello` the extensions of `trace`, in its order, except those of
/// the types in `ours`, which keep what oxtls built (and must be there).
fn take_trace_extensions<'a>(
    hello: &mut ClientHello<'a>,
    trace: ClientHello<'a>,
    ours: &[ExtensionType],
) {
    let built = core::mem::take(&mut hello.extensions);
    for typ in ours {
        assert!(
            built.iter().any(|e| e.ext_type() == *typ),
            "oxtls sent no {typ:?}"
        );
    }
    hello.extensions = trace
        .extensions
        .into_iter()
        .map(|t| {
            match built
                .iter()
                .find(|o| o.ext_type() == t.ext_type() && ours.contains(&t.ext_type()))
            {
                Some(mine) => mine.clone(),
                None => t,
            }
        })
        .collect();
}

fn replay_config() -> Arc<ClientConfig> {
    let mut random = rfc8448(S3, "construct a ClientHello", "ClientHello")[6..38].to_vec();
    random.extend(rfc8448(
        S3,
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
    // The trace's client sends an empty legacy_session_id and no
    // ChangeCipherSpec.
    config.middlebox_compat = false;
    config.client_hello_hook = Some(shape_like_trace);
    Arc::new(config)
}

fn output(conn: &mut ClientConnection) -> Vec<u8> {
    let mut out = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut out).unwrap();
    }
    out
}

fn feed(conn: &mut ClientConnection, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        conn.read_tls(&mut bytes).unwrap();
        conn.process_new_packets().unwrap();
    }
}

#[test]
fn simple_1rtt_handshake_is_byte_exact() {
    let mut conn = ClientConnection::new(replay_config(), "server".try_into().unwrap()).unwrap();

    // {client} send handshake record: the ClientHello.
    let hello_record = rfc8448_nth(S3, "{client}  send handshake record", 0, "complete record");
    assert_eq!(output(&mut conn), hello_record);

    // {server} send handshake record (twice): ServerHello, then the
    // encrypted EncryptedExtensions..Finished. Fed one byte at a time.
    let server_hello = rfc8448_nth(S3, "{server}  send handshake record", 0, "complete record");
    let server_flight = rfc8448_nth(S3, "{server}  send handshake record", 1, "complete record");
    for byte in server_hello.iter().chain(&server_flight) {
        feed(&mut conn, &[*byte]);
    }
    assert!(!conn.is_handshaking());
    assert_eq!(
        conn.negotiated_cipher_suite().map(|s| s.suite()),
        Some(crate::msgs::enums::CipherSuite::TLS13_AES_128_GCM_SHA256)
    );
    assert_eq!(conn.peer_certificates().map(<[_]>::len), Some(1));

    // {client} send handshake record: our Finished.
    let finished_record = rfc8448_nth(S3, "{client}  send handshake record", 1, "complete record");
    assert_eq!(output(&mut conn), finished_record);

    // The server's NewSessionTicket, then its application data.
    feed(
        &mut conn,
        &rfc8448_nth(S3, "{server}  send handshake record", 2, "complete record"),
    );
    feed(
        &mut conn,
        &rfc8448(
            S3,
            "{server}  send application_data record",
            "complete record",
        ),
    );
    let payload = rfc8448(S3, "{server}  send application_data record", "payload");
    let mut got = vec![0u8; payload.len()];
    conn.reader().read_exact(&mut got).unwrap();
    assert_eq!(got, payload);

    // Our application data and close_notify, sealed exactly as the trace's.
    let payload = rfc8448(S3, "{client}  send application_data record", "payload");
    conn.writer().write_all(&payload).unwrap();
    assert_eq!(
        output(&mut conn),
        rfc8448(
            S3,
            "{client}  send application_data record",
            "complete record"
        )
    );
    conn.send_close_notify();
    assert_eq!(
        output(&mut conn),
        rfc8448(S3, "{client}  send alert record", "complete record")
    );

    // And the server's close_notify closes the read side cleanly.
    feed(
        &mut conn,
        &rfc8448(S3, "{server}  send alert record", "complete record"),
    );
    assert_eq!(conn.reader().read(&mut [0u8; 8]).unwrap(), 0);
}

#[test]
fn a_tampered_server_finished_is_refused_with_decrypt_error() {
    let mut conn = ClientConnection::new(replay_config(), "server".try_into().unwrap()).unwrap();
    output(&mut conn);
    feed(
        &mut conn,
        &rfc8448_nth(S3, "{server}  send handshake record", 0, "complete record"),
    );
    let mut flight = rfc8448_nth(S3, "{server}  send handshake record", 1, "complete record");
    // Flip a bit of the ciphertext: the record no longer authenticates.
    let last = flight.len() - 20;
    flight[last] ^= 1;
    conn.read_tls(&mut &flight[..]).unwrap();
    assert_eq!(
        conn.process_new_packets().unwrap_err(),
        crate::Error::DecryptError
    );
    // The error is sticky, and a bad_record_mac alert is queued.
    assert_eq!(
        conn.process_new_packets().unwrap_err(),
        crate::Error::DecryptError
    );
    assert!(conn.wants_write());
}

/// The trace's server flight with its encrypted handshake record
/// decrypted, edited by `edit` (which gets the handshake messages, each
/// with its header), and encrypted again under the same keys: a server
/// that says something else, with records that still authenticate.
fn edited_server_flight(edit: impl FnOnce(&mut Vec<Vec<u8>>)) -> Vec<u8> {
    use crate::crypto::aead::{AeadAlgorithm, AeadKey};
    use crate::msgs::codec::Codec;
    use crate::msgs::enums::ContentType;
    use crate::msgs::record_header::RecordHeader;
    use crate::record::protect::{Iv, RecordDecrypter, RecordEncrypter};

    let step = "{server}  derive write traffic keys for handshake data";
    let key =
        || AeadKey::new(AeadAlgorithm::Aes128Gcm, &rfc8448(S3, step, "key expanded")).unwrap();
    let iv = Iv::new(rfc8448(S3, step, "iv expanded").try_into().unwrap());
    let mut record = rfc8448_nth(S3, "{server}  send handshake record", 1, "complete record");
    let header = RecordHeader::read_bytes(&record[..5]).unwrap();
    let (typ, range) = RecordDecrypter::tls13(key(), iv.clone())
        .open_in_place(&header, &mut record[5..])
        .unwrap();
    assert_eq!(typ, ContentType::Handshake);
    let plain = record[5..][range].to_vec();

    let mut messages = Vec::new();
    let mut rest = &plain[..];
    while !rest.is_empty() {
        let len = u32::from_be_bytes([0, rest[1], rest[2], rest[3]]) as usize;
        messages.push(rest[..4 + len].to_vec());
        rest = &rest[4 + len..];
    }
    assert_eq!(
        messages.len(),
        4,
        "EncryptedExtensions, Certificate, CertificateVerify, Finished"
    );
    edit(&mut messages);

    let mut out = rfc8448_nth(S3, "{server}  send handshake record", 0, "complete record");
    RecordEncrypter::tls13(key(), iv)
        .seal_record(ContentType::Handshake, &messages.concat(), &mut out)
        .unwrap();
    out
}

/// Feeds an edited flight and returns the client's error and the alert it
/// sent, decrypted with the client's handshake keys.
fn fail_on(flight: &[u8]) -> (crate::Error, Vec<u8>) {
    use crate::crypto::aead::{AeadAlgorithm, AeadKey};
    use crate::msgs::codec::Codec;
    use crate::msgs::record_header::RecordHeader;
    use crate::record::protect::{Iv, RecordDecrypter};

    let mut conn = ClientConnection::new(replay_config(), "server".try_into().unwrap()).unwrap();
    output(&mut conn);
    conn.read_tls(&mut &flight[..]).unwrap();
    let err = conn.process_new_packets().unwrap_err();
    let mut record = output(&mut conn);
    let step = "{server}  derive read traffic keys for handshake data";
    let key = AeadKey::new(AeadAlgorithm::Aes128Gcm, &rfc8448(S3, step, "key expanded")).unwrap();
    let iv = Iv::new(rfc8448(S3, step, "iv expanded").try_into().unwrap());
    let header = RecordHeader::read_bytes(&record[..5]).unwrap();
    let (_, range) = RecordDecrypter::tls13(key, iv)
        .open_in_place(&header, &mut record[5..])
        .unwrap();
    (err, record[5..][range].to_vec())
}

#[test]
fn the_unedited_flight_still_completes() {
    let mut conn = ClientConnection::new(replay_config(), "server".try_into().unwrap()).unwrap();
    output(&mut conn);
    // The record layer's decryption of the trace's record gives exactly
    // the trace's plaintext messages.
    feed(
        &mut conn,
        &edited_server_flight(|m| {
            let want = [
                rfc8448(S3, "construct a EncryptedExtensions", "EncryptedExtensions"),
                rfc8448(S3, "construct a Certificate", "Certificate"),
                rfc8448(S3, "construct a CertificateVerify", "CertificateVerify"),
                rfc8448(S3, "{server}  construct a Finished", "Finished"),
            ];
            assert_eq!(m[..], want[..]);
        }),
    );
    assert!(!conn.is_handshaking());
}

#[test]
fn a_wrong_server_finished_is_a_decrypt_error() {
    let (err, alert) = fail_on(&edited_server_flight(|m| {
        let last = m[3].len() - 1;
        m[3][last] ^= 1;
    }));
    assert!(
        matches!(&err, crate::Error::PeerMisbehaved(p) if p.to_string().contains("Finished")),
        "{err:?}"
    );
    assert_eq!(alert, [2, 51], "fatal decrypt_error");
}

#[test]
fn an_alpn_answer_we_did_not_ask_for_is_an_unsupported_extension() {
    // EncryptedExtensions carrying ALPN "h2": 00 10, len 5, list len 3, "h2".
    let (err, alert) = fail_on(&edited_server_flight(|m| {
        m[0] = vec![8, 0, 0, 11, 0, 9, 0, 0x10, 0, 5, 0, 3, 2, b'h', b'2'];
    }));
    assert!(matches!(err, crate::Error::PeerMisbehaved(_)), "{err:?}");
    assert_eq!(alert, [2, 110], "fatal unsupported_extension");
}

#[test]
fn an_extension_that_does_not_belong_in_encrypted_extensions() {
    // supported_versions (which we offered) is not for EncryptedExtensions.
    let (err, alert) = fail_on(&edited_server_flight(|m| {
        m[0] = vec![8, 0, 0, 8, 0, 6, 0, 0x2b, 0, 2, 3, 4];
    }));
    assert!(matches!(err, crate::Error::PeerMisbehaved(_)), "{err:?}");
    assert_eq!(alert, [2, 47], "fatal illegal_parameter");
}

#[test]
fn an_empty_server_certificate_is_a_decode_error() {
    let (err, alert) = fail_on(&edited_server_flight(|m| {
        m[1] = vec![11, 0, 0, 4, 0, 0, 0, 0];
    }));
    assert_eq!(
        err,
        crate::Error::InvalidMessage(crate::InvalidMessage::EmptyVector(
            "Certificate.certificate_list"
        ))
    );
    assert_eq!(alert, [2, 50], "fatal decode_error");
}

#[test]
fn messages_out_of_order_are_unexpected() {
    // Finished where the Certificate should be.
    let (err, alert) = fail_on(&edited_server_flight(|m| {
        m.swap(1, 3);
    }));
    assert!(
        matches!(err, crate::Error::InappropriateHandshakeMessage { .. }),
        "{err:?}"
    );
    assert_eq!(alert, [2, 10], "fatal unexpected_message");
}

/// A small deterministic generator for the mutation test.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Thousands of servers that garble one message of the trace's encrypted
/// flight (flipped bytes, cut or stretched lengths, truncation, garbage
/// appended), in records that still authenticate: the client must end each
/// with an error and an alert, or complete if the change was harmless,
/// and never panic.
#[test]
fn garbled_handshake_messages_never_panic() {
    let mut rng = XorShift(0x5eed_1234_abcd_0001);
    let mut failures = 0;
    for _ in 0..1500 {
        let flight = edited_server_flight(|m| {
            let which = rng.below(m.len());
            let msg = &mut m[which];
            match rng.below(5) {
                0 => {
                    for _ in 0..1 + rng.below(4) {
                        let at = rng.below(msg.len());
                        msg[at] ^= 1 << rng.below(8);
                    }
                }
                1 => {
                    let at = 4 + rng.below(msg.len() - 4);
                    msg.truncate(at);
                    let len = (at - 4) as u32;
                    msg[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
                }
                2 => {
                    // Rewrite a length-looking pair of bytes in the body.
                    let at = 4 + rng.below(msg.len() - 5);
                    let v = rng.next() as u16;
                    msg[at..at + 2].copy_from_slice(&v.to_be_bytes());
                }
                3 => {
                    let extra = rng.below(40);
                    msg.extend((0..extra).map(|_| rng.next() as u8));
                    let len = (msg.len() - 4) as u32;
                    msg[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
                }
                _ => {
                    msg[0] = rng.next() as u8;
                }
            }
        });
        let mut conn =
            ClientConnection::new(replay_config(), "server".try_into().unwrap()).unwrap();
        output(&mut conn);
        conn.read_tls(&mut &flight[..]).unwrap();
        match conn.process_new_packets() {
            Ok(_) => {}
            Err(err) => {
                failures += 1;
                // Every failure of ours sends an alert.
                if err.alert().is_some() {
                    assert!(conn.wants_write(), "{err:?} queued no alert");
                }
                assert_eq!(conn.process_new_packets().unwrap_err(), err);
            }
        }
    }
    assert!(
        failures > 1000,
        "only {failures} of the garbled flights failed"
    );
}

#[test]
fn change_cipher_spec_in_tls13_is_dropped_only_in_the_clear() {
    use crate::crypto::aead::{AeadAlgorithm, AeadKey};
    use crate::msgs::enums::ContentType;
    use crate::record::protect::{Iv, RecordEncrypter};

    // In the clear, between ServerHello and the encrypted flight: dropped.
    let mut conn = ClientConnection::new(replay_config(), "server".try_into().unwrap()).unwrap();
    output(&mut conn);
    feed(
        &mut conn,
        &rfc8448_nth(S3, "{server}  send handshake record", 0, "complete record"),
    );
    feed(&mut conn, &[20, 3, 3, 0, 1, 1]);
    feed(
        &mut conn,
        &rfc8448_nth(S3, "{server}  send handshake record", 1, "complete record"),
    );
    assert!(!conn.is_handshaking());

    // Protected under the server's handshake keys: unexpected_message.
    let step = "{server}  derive write traffic keys for handshake data";
    let key = AeadKey::new(AeadAlgorithm::Aes128Gcm, &rfc8448(S3, step, "key expanded")).unwrap();
    let iv = Iv::new(rfc8448(S3, step, "iv expanded").try_into().unwrap());
    let mut flight = rfc8448_nth(S3, "{server}  send handshake record", 0, "complete record");
    RecordEncrypter::tls13(key, iv)
        .seal_record(ContentType::ChangeCipherSpec, &[1], &mut flight)
        .unwrap();
    let (err, alert) = fail_on(&flight);
    assert!(matches!(err, crate::Error::PeerMisbehaved(_)), "{err:?}");
    assert_eq!(alert, [2, 10]);
}

/// A client that has finished the trace's handshake, and a sealer for
/// records from the server under its application keys (updating them after
/// each KeyUpdate it seals, as a real server would).
fn after_handshake() -> (ClientConnection, ServerRecords) {
    after_handshake_with(|_| {})
}

/// As [`after_handshake`], with the replay config changed by `edit`.
fn after_handshake_with(edit: impl FnOnce(&mut ClientConfig)) -> (ClientConnection, ServerRecords) {
    let mut config = (*replay_config()).clone();
    edit(&mut config);
    let mut conn = ClientConnection::new(Arc::new(config), "server".try_into().unwrap()).unwrap();
    output(&mut conn);
    feed(
        &mut conn,
        &rfc8448_nth(S3, "{server}  send handshake record", 0, "complete record"),
    );
    feed(
        &mut conn,
        &rfc8448_nth(S3, "{server}  send handshake record", 1, "complete record"),
    );
    assert!(!conn.is_handshaking());
    output(&mut conn);
    let secret = rfc8448(S3, "derive secret \"tls13 s ap traffic\"", "expanded");
    let secret = crate::crypto::tls13::Secret::from_bytes(
        crate::crypto::hash::HashAlgorithm::Sha256,
        &secret,
    )
    .unwrap();
    (conn, ServerRecords::new(secret))
}

struct ServerRecords {
    secret: crate::crypto::tls13::Secret,
    sealer: crate::record::protect::RecordEncrypter,
}

impl ServerRecords {
    fn new(secret: crate::crypto::tls13::Secret) -> Self {
        let keys = secret.traffic_keys(crate::crypto::aead::AeadAlgorithm::Aes128Gcm);
        let sealer = crate::record::protect::RecordEncrypter::tls13(
            keys.aead_key().unwrap(),
            crate::record::protect::Iv::new(keys.iv()),
        );
        Self { secret, sealer }
    }

    fn seal(&mut self, typ: crate::msgs::enums::ContentType, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        self.sealer.seal_record(typ, body, &mut out).unwrap();
        out
    }

    /// A KeyUpdate record; the keys move on after it.
    fn key_update(&mut self, requested: bool) -> Vec<u8> {
        let record = self.seal(
            crate::msgs::enums::ContentType::Handshake,
            &[24, 0, 0, 1, u8::from(requested)],
        );
        *self = Self::new(self.secret.next_traffic_secret());
        record
    }
}

/// How many records of each content type are in `tls`.
fn record_types(tls: &[u8]) -> Vec<u8> {
    let mut types = Vec::new();
    let mut rest = tls;
    while rest.len() >= 5 {
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        types.push(rest[0]);
        rest = &rest[5 + len..];
    }
    types
}

#[test]
fn several_key_update_requests_get_one_answer() {
    let (mut conn, mut server) = after_handshake();
    for _ in 0..5 {
        feed(&mut conn, &server.key_update(true));
    }
    // One KeyUpdate of ours (an encrypted record), not five.
    assert_eq!(record_types(&output(&mut conn)), [23]);
    // It answers every request until we send data...
    feed(&mut conn, &server.key_update(true));
    assert_eq!(record_types(&output(&mut conn)), []);
    conn.writer().write_all(b"data").unwrap();
    assert_eq!(record_types(&output(&mut conn)), [23]);
    // ...after which a request needs a new answer.
    feed(&mut conn, &server.key_update(true));
    assert_eq!(record_types(&output(&mut conn)), [23]);
    // And data from the server under its newest keys still reads.
    feed(
        &mut conn,
        &server.seal(
            crate::msgs::enums::ContentType::ApplicationData,
            b"still here",
        ),
    );
    let mut got = [0u8; 10];
    conn.reader().read_exact(&mut got).unwrap();
    assert_eq!(&got, b"still here");
}

#[test]
fn endless_key_updates_are_refused() {
    let (mut conn, mut server) = after_handshake();
    for _ in 0..32 {
        feed(&mut conn, &server.key_update(false));
    }
    // Data in between resets the count...
    feed(
        &mut conn,
        &server.seal(crate::msgs::enums::ContentType::ApplicationData, b"x"),
    );
    for _ in 0..32 {
        feed(&mut conn, &server.key_update(false));
    }
    // ...but a 33rd in a row is too many.
    conn.read_tls(&mut &server.key_update(false)[..]).unwrap();
    let err = conn.process_new_packets().unwrap_err();
    assert!(err.to_string().contains("too many KeyUpdates"), "{err}");
    assert_eq!(
        err.alert(),
        Some(crate::AlertDescription::UnexpectedMessage)
    );
}

#[test]
fn endless_empty_records_are_refused() {
    let (mut conn, mut server) = after_handshake();
    for _ in 0..32 {
        feed(
            &mut conn,
            &server.seal(crate::msgs::enums::ContentType::ApplicationData, b""),
        );
    }
    conn.read_tls(&mut &server.seal(crate::msgs::enums::ContentType::ApplicationData, b"")[..])
        .unwrap();
    let err = conn.process_new_packets().unwrap_err();
    assert!(err.to_string().contains("nothing in them"), "{err}");
}

#[test]
fn endless_change_cipher_specs_are_refused() {
    let mut conn = ClientConnection::new(replay_config(), "server".try_into().unwrap()).unwrap();
    output(&mut conn);
    feed(
        &mut conn,
        &rfc8448_nth(S3, "{server}  send handshake record", 0, "complete record"),
    );
    let ccs = [20u8, 3, 3, 0, 1, 1];
    for _ in 0..32 {
        feed(&mut conn, &ccs);
    }
    conn.read_tls(&mut &ccs[..]).unwrap();
    assert!(conn.process_new_packets().is_err());
}

#[test]
fn malformed_tickets_are_refused() {
    use crate::msgs::enums::ContentType;
    // lifetime, age_add, nonce<0..255>, ticket<1..2^16-1>, extensions.
    let empty_ticket = [4, 0, 0, 13, 0, 0, 0, 60, 0, 0, 0, 1, 0, 0, 0, 0, 0];
    let duplicate_early_data = [
        4, 0, 0, 30, 0, 0, 0, 60, 0, 0, 0, 1, 0, 0, 1, 7, 0, 16, 0, 42, 0, 4, 0, 0, 4, 0, 0, 42, 0,
        4, 0, 0, 4, 0,
    ];
    let good = [4, 0, 0, 14, 0, 0, 0, 60, 0, 0, 0, 1, 0, 0, 1, 7, 0, 0];
    let (mut conn, mut server) = after_handshake();
    feed(&mut conn, &server.seal(ContentType::Handshake, &good));

    for (what, msg, alert) in [
        ("empty ticket", &empty_ticket[..], 50u8),
        ("duplicate extension", &duplicate_early_data[..], 47),
    ] {
        let (mut conn, mut server) = after_handshake();
        conn.read_tls(&mut &server.seal(ContentType::Handshake, msg)[..])
            .unwrap();
        let err = conn.process_new_packets().unwrap_err();
        assert_eq!(err.alert().map(u8::from), Some(alert), "{what}: {err:?}");
    }
}

/// RFC 8448 §4: the resumed handshake.
mod resumption;

/// RFC 8446 §4.3.2: a CertificateRequest must carry signature_algorithms;
/// one with only signature_algorithms_cert is missing_extension.
#[test]
fn a_certificate_request_without_signature_algorithms_is_missing_extension() {
    let (err, alert) = fail_on(&edited_server_flight(|m| {
        let request = vec![13, 0, 0, 11, 0, 0, 8, 0, 0x32, 0, 4, 0, 2, 4, 3];
        m.insert(1, request);
    }));
    assert!(matches!(err, crate::Error::PeerMisbehaved(_)), "{err:?}");
    assert_eq!(alert, [2, 109], "fatal missing_extension");
}

/// RFC 8446 §4.3.2: during the handshake a CertificateRequest's context
/// "SHALL be zero length" (found by BoGo's RequestContextInHandshake).
#[test]
fn a_certificate_request_with_a_context_in_the_handshake_is_refused() {
    let (err, alert) = fail_on(&edited_server_flight(|m| {
        let request = vec![13, 0, 0, 12, 1, 0xaa, 0, 8, 0, 0x0d, 0, 4, 0, 2, 4, 3];
        m.insert(1, request);
    }));
    assert_eq!(
        err,
        crate::Error::InvalidMessage(crate::InvalidMessage::IllegalValue(
            "CertificateRequest.certificate_request_context"
        ))
    );
    assert_eq!(alert, [2, 47], "fatal illegal_parameter");
}
