//! Hostile and broken servers: each case asserts the exact `Error` the
//! client reports and the alert the server receives from it.

mod common;

use std::sync::Arc;

use common::certs::{Eku, Issuer, KeyType, TestPki, Validity};
use common::flight::{feed_until_error, plaintext_alert};
use common::oxtls_client::{oxtls_client, oxtls_config};
use common::pump::{handshake, PumpError, Side};
use common::rustls_server::{ring_provider, RustlsServerOptions};
use common::TlsVersions;
use oxtls::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use oxtls::msgs::extensions::KeyShareEntry;
use oxtls::msgs::handshake::{HandshakeMessage, HandshakePayload};
use oxtls::msgs::server_ext::ServerExtension;
use oxtls::{AlertDescription, CertificateError, ClientConnection, Error, InvalidMessage};

/// Runs a handshake that must fail on the client, and returns the
/// client's error (read again from the connection: errors are sticky) and
/// what the server made of the alert the client sent.
fn failed_handshake(
    client: &mut ClientConnection,
    server: &mut rustls::ServerConnection,
) -> (Error, String) {
    let err: PumpError = handshake(client, server).expect_err("handshake must fail");
    assert_eq!(err.failed, Side::Client, "{err}");
    let ours = client.process_new_packets().unwrap_err();
    assert_eq!(ours.to_string(), err.error, "the error is sticky");
    (ours, err.peer_error.unwrap_or_default())
}

/// rustls's words for receiving `alert`.
fn saw_alert(server_error: &str, alert: &str) {
    assert!(
        server_error.contains(&format!("received fatal alert: {alert}")),
        "server saw {server_error:?}, not {alert}"
    );
}

fn server_with(cert: &common::certs::IssuedCert) -> rustls::ServerConnection {
    RustlsServerOptions::new(cert)
        .versions(TlsVersions::Tls13Only)
        .connection()
}

#[test]
fn certificate_problems_have_their_own_errors_and_alerts() {
    let pki = TestPki::new();
    let cases = [
        (
            "wrong host name",
            pki.leaf("other.example").build(),
            CertificateError::NotValidForName,
            "BadCertificate",
        ),
        (
            "expired",
            pki.leaf("localhost").validity(Validity::Expired).build(),
            CertificateError::Expired,
            "CertificateExpired",
        ),
        (
            "not yet valid",
            pki.leaf("localhost")
                .validity(Validity::NotYetValid)
                .build(),
            CertificateError::NotValidYet,
            "CertificateExpired",
        ),
        (
            "unknown CA",
            pki.leaf("localhost").issuer(Issuer::UnrelatedCa).build(),
            CertificateError::UnknownIssuer,
            "UnknownCA",
        ),
        (
            "self-signed",
            pki.leaf("localhost").issuer(Issuer::SelfSigned).build(),
            CertificateError::UnknownIssuer,
            "UnknownCA",
        ),
        (
            "client auth only",
            pki.leaf("localhost").eku(Eku::ClientAuthOnly).build(),
            CertificateError::InvalidPurpose,
            "UnsupportedCertificate",
        ),
    ];
    for (what, cert, want, alert) in cases {
        let mut server = server_with(&cert);
        let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
        let (err, server_saw) = failed_handshake(&mut client, &mut server);
        assert_eq!(err, Error::InvalidCertificate(want), "{what}");
        saw_alert(&server_saw, alert);
        assert!(
            client.peer_certificates().is_none(),
            "{what}: unverified chain exposed"
        );
    }
}

/// A server whose CertificateVerify is made with a key other than its
/// certificate's.
#[test]
fn a_bad_certificate_verify_signature_is_refused() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    let other = pki.server_cert(KeyType::EcdsaP256);
    let provider = ring_provider(None, None);
    let signing_key = provider.key_provider.load_private_key(other.key()).unwrap();
    let certified = Arc::new(rustls::sign::CertifiedKey::new(
        cert.chain.clone(),
        signing_key,
    ));
    #[derive(Debug)]
    struct Fixed(Arc<rustls::sign::CertifiedKey>);
    impl rustls::server::ResolvesServerCert for Fixed {
        fn resolve(
            &self,
            _: rustls::server::ClientHello<'_>,
        ) -> Option<Arc<rustls::sign::CertifiedKey>> {
            Some(self.0.clone())
        }
    }
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Fixed(certified)));
    let mut server = rustls::ServerConnection::new(Arc::new(config)).unwrap();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let (err, server_saw) = failed_handshake(&mut client, &mut server);
    assert_eq!(
        err,
        Error::InvalidCertificate(CertificateError::BadSignature)
    );
    saw_alert(&server_saw, "DecryptError");
}

/// Runs the client and server until the server's first flight, and
/// returns it (the ServerHello record first).
fn server_first_flight(
    client: &mut ClientConnection,
    server: &mut rustls::ServerConnection,
) -> Vec<u8> {
    let mut hello = Vec::new();
    while client.wants_write() {
        client.write_tls(&mut hello).unwrap();
    }
    server.read_tls(&mut &hello[..]).unwrap();
    server.process_new_packets().unwrap();
    let mut flight = Vec::new();
    while server.wants_write() {
        server.write_tls(&mut flight).unwrap();
    }
    flight
}

/// Rewrites the ServerHello at the front of `flight` with `edit`.
fn edit_server_hello(
    flight: &[u8],
    edit: impl FnOnce(&mut oxtls::msgs::hello::ServerHello),
) -> Vec<u8> {
    assert_eq!(flight[0], 22, "flight starts with a handshake record");
    let len = u16::from_be_bytes([flight[3], flight[4]]) as usize;
    let msg = HandshakeMessage::parse(&flight[5..5 + len], ProtocolVersion::TLSv1_3).unwrap();
    let HandshakePayload::ServerHello(mut sh) = msg.payload else {
        panic!("not a ServerHello")
    };
    edit(&mut sh);
    let body = HandshakeMessage::new(HandshakePayload::ServerHello(sh)).get_encoding();
    let mut out = vec![22, 3, 3];
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&flight[5 + len..]);
    out
}

#[test]
fn a_server_hello_choosing_what_we_did_not_offer() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    type Edit = fn(&mut oxtls::msgs::hello::ServerHello);
    let cases: [(&str, Edit); 4] = [
        ("suite", |sh| {
            sh.cipher_suite = CipherSuite::TLS13_AES_256_GCM_SHA384
        }),
        ("group", |sh| {
            for ext in &mut sh.extensions {
                if let ServerExtension::KeyShare(share) = ext {
                    *share = KeyShareEntry::new(NamedGroup::secp256r1, &[4; 65]);
                }
            }
        }),
        ("version", |sh| {
            for ext in &mut sh.extensions {
                if let ServerExtension::SupportedVersions(v) = ext {
                    *v = ProtocolVersion::Unknown(0x0305);
                }
            }
        }),
        ("session id", |sh| {
            sh.session_id = oxtls::msgs::hello::SessionId::new(&[1; 32]).unwrap()
        }),
    ];
    for (what, edit) in cases {
        let mut server = server_with(&cert);
        let mut config = oxtls_config(&[pki.ca_der()]);
        config = {
            let mut c = oxtls::ClientConfig::builder()
                .with_cipher_suites(&[oxtls::SupportedCipherSuite::find(
                    CipherSuite::TLS13_AES_128_GCM_SHA256,
                )
                .unwrap()])
                .with_root_certificates({
                    let mut r = oxtls::RootCertStore::new();
                    r.add(pki.ca_der()).unwrap();
                    r
                })
                .with_no_client_auth();
            c.alpn_protocols = config.alpn_protocols;
            c
        };
        let mut client = oxtls_client(config, "localhost");
        let flight = server_first_flight(&mut client, &mut server);
        let (err, alert) = feed_until_error(&mut client, &edit_server_hello(&flight, edit));
        assert!(
            matches!(&err, Error::PeerMisbehaved(p) if p.alert() == AlertDescription::IllegalParameter),
            "{what}: {err:?}"
        );
        assert_eq!(
            alert,
            plaintext_alert(AlertDescription::IllegalParameter),
            "{what}"
        );
    }
}

/// A ServerHello without supported_versions chooses TLS 1.2: refused
/// when TLS 1.2 is disabled; with it enabled (the default) read as TLS 1.2,
/// where this one's TLS 1.3 suite is one we did not offer.
#[test]
fn a_server_hello_for_tls12_when_only_tls13_is_enabled() {
    let pki = TestPki::new();
    let tls13_only = {
        let mut roots = oxtls::RootCertStore::new();
        roots.add(pki.ca_der()).unwrap();
        oxtls::ClientConfig::builder_with_protocol_versions(&[ProtocolVersion::TLSv1_3])
            .with_root_certificates(roots)
            .with_no_client_auth()
    };
    let without_versions = |sh: &mut oxtls::msgs::hello::ServerHello| {
        sh.extensions
            .retain(|e| !matches!(e, ServerExtension::SupportedVersions(_)));
    };
    let mut server = server_with(&pki.server_cert(KeyType::EcdsaP256));
    let mut client = oxtls_client(tls13_only, "localhost");
    let flight = server_first_flight(&mut client, &mut server);
    let edited = edit_server_hello(&flight, without_versions);
    let (err, alert) = feed_until_error(&mut client, &edited);
    assert!(matches!(err, Error::PeerIncompatible(_)), "{err:?}");
    assert_eq!(alert, plaintext_alert(AlertDescription::ProtocolVersion));

    let mut server = server_with(&pki.server_cert(KeyType::EcdsaP256));
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let flight = server_first_flight(&mut client, &mut server);
    let edited = edit_server_hello(&flight, without_versions);
    let (err, alert) = feed_until_error(&mut client, &edited);
    assert!(
        matches!(&err, Error::PeerMisbehaved(p) if p.to_string().contains("cipher suite")),
        "{err:?}"
    );
    assert_eq!(alert, plaintext_alert(AlertDescription::IllegalParameter));
}

#[test]
fn a_flipped_bit_in_an_encrypted_record() {
    let pki = TestPki::new();
    let mut server = server_with(&pki.server_cert(KeyType::EcdsaP256));
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let mut flight = server_first_flight(&mut client, &mut server);
    let last = flight.len() - 1;
    flight[last] ^= 0x10;
    let (err, alert) = feed_until_error(&mut client, &flight);
    assert_eq!(err, Error::DecryptError);
    assert_eq!(err.alert(), Some(AlertDescription::BadRecordMac));
    // The alert is sent encrypted (after the compatibility CCS); the
    // server reads it as bad_record_mac.
    server.read_tls(&mut &alert[..]).unwrap();
    let server_saw = server.process_new_packets().unwrap_err().to_string();
    saw_alert(&server_saw, "BadRecordMac");
}

#[test]
fn an_oversized_record_is_a_record_overflow() {
    let pki = TestPki::new();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let _ = server_first_flight(
        &mut client,
        &mut server_with(&pki.server_cert(KeyType::EcdsaP256)),
    );
    // A plaintext record may carry at most 2^14 bytes (RFC 8446 §5.1).
    let mut record = vec![22, 3, 3, 0x40, 0x01];
    record.extend(std::iter::repeat(0).take(0x4001));
    let (err, alert) = feed_until_error(&mut client, &record);
    assert_eq!(err, Error::InvalidMessage(InvalidMessage::RecordTooLarge));
    assert_eq!(alert, plaintext_alert(AlertDescription::RecordOverflow));

    // A length no TLS record can have fails on the header alone.
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let _ = server_first_flight(
        &mut client,
        &mut server_with(&pki.server_cert(KeyType::EcdsaP256)),
    );
    let (err, _) = feed_until_error(&mut client, &[22, 3, 3, 0xff, 0xff]);
    assert_eq!(err, Error::InvalidMessage(InvalidMessage::RecordTooLarge));
}

#[test]
fn a_huge_announced_handshake_length() {
    let pki = TestPki::new();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let _ = server_first_flight(
        &mut client,
        &mut server_with(&pki.server_cert(KeyType::EcdsaP256)),
    );
    // A ServerHello announcing 16 MiB: refused before anything is buffered.
    let (err, alert) = feed_until_error(&mut client, &[22, 3, 3, 0, 4, 2, 0xff, 0xff, 0xff]);
    assert_eq!(
        err,
        Error::InvalidMessage(InvalidMessage::HandshakeMessageTooLarge)
    );
    assert_eq!(alert, plaintext_alert(AlertDescription::DecodeError));
}

#[test]
fn garbage_instead_of_tls() {
    let pki = TestPki::new();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    client.write_tls(&mut Vec::new()).unwrap();
    let (err, alert) = feed_until_error(&mut client, b"HTTP/1.1 400 Bad Request\r\n\r\n");
    assert_eq!(
        err,
        Error::InvalidMessage(InvalidMessage::InvalidContentType(b'H'))
    );
    assert_eq!(alert, plaintext_alert(AlertDescription::UnexpectedMessage));
}

#[test]
fn a_fatal_alert_from_the_server() {
    let pki = TestPki::new();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let mut rd = &[21u8, 3, 3, 0, 2, 2, 40][..];
    client.read_tls(&mut rd).unwrap();
    assert_eq!(
        client.process_new_packets().unwrap_err(),
        Error::AlertReceived(AlertDescription::HandshakeFailure)
    );
    // No alert answers an alert: only the ClientHello is waiting.
    let mut out = Vec::new();
    while client.wants_write() {
        client.write_tls(&mut out).unwrap();
    }
    assert_eq!(out[0], 22);
    assert!(!out.windows(3).any(|w| w == [21, 3, 3]));
}

/// RFC 8446 §4.4.2.2: a certificate whose Key Usage lacks digitalSignature
/// may not sign the handshake, even if everything else is accepted.
#[test]
fn a_key_not_allowed_to_sign_is_refused() {
    use rcgen::{CertificateParams, KeyPair, KeyUsagePurpose};
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".into()]).unwrap();
    params.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
    let cert = params.self_signed(&key).unwrap();
    let provider = Arc::new(ring_provider(None, None));
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let mut server = rustls::ServerConnection::new(Arc::new(config)).unwrap();
    // Trust anything: only the signature check is left to fail.
    let config = oxtls::ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(oxtls::verify::dangerous::NoVerification))
        .with_no_client_auth();
    let mut client = oxtls_client(config, "localhost");
    let (err, server_saw) = failed_handshake(&mut client, &mut server);
    assert_eq!(
        err,
        Error::InvalidCertificate(CertificateError::InvalidPurpose)
    );
    saw_alert(&server_saw, "UnsupportedCertificate");
}

/// A HelloRetryRequest must be answered before anything else of the
/// server's is read: more handshake data after it in its record is refused
/// before a second ClientHello is sent.
#[test]
fn data_after_a_hello_retry_request_in_its_record() {
    let pki = TestPki::new();
    let mut server = RustlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .versions(TlsVersions::Tls13Only)
        .kx_groups(&[rustls::NamedGroup::secp384r1])
        .connection();
    let mut client = oxtls_client(oxtls_config(&[pki.ca_der()]), "localhost");
    let flight = server_first_flight(&mut client, &mut server);
    let len = u16::from_be_bytes([flight[3], flight[4]]) as usize;
    let mut record = flight[..5 + len].to_vec();
    // The start of a ServerHello, in the same record.
    record.extend_from_slice(&[2, 0, 0, 40, 3, 3]);
    let new_len = (record.len() - 5) as u16;
    record[3..5].copy_from_slice(&new_len.to_be_bytes());
    let (err, out) = feed_until_error(&mut client, &record);
    assert_eq!(
        err,
        Error::InvalidMessage(InvalidMessage::HandshakeSplitAcrossKeyChange)
    );
    // Only the alert: no second ClientHello went out first.
    assert_eq!(out, plaintext_alert(AlertDescription::UnexpectedMessage));
}

/// Random bytes, and a real first flight with random bytes changed, cut
/// or appended, fed in random-sized pieces: the client ends each with an
/// error (or waits for more), and never panics or loops.
#[test]
fn random_and_mutated_server_bytes_never_panic() {
    let mut seed = 0x0123_4567_89ab_cdefu64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    let config = std::sync::Arc::new(oxtls_config(&[pki.ca_der()]));
    let real = {
        let mut client =
            ClientConnection::new(config.clone(), "localhost".try_into().unwrap()).unwrap();
        server_first_flight(&mut client, &mut server_with(&cert))
    };
    for round in 0..3000 {
        let mut input = if round % 3 == 0 {
            (0..(next() % 300) as usize)
                .map(|_| next() as u8)
                .collect::<Vec<u8>>()
        } else {
            real.clone()
        };
        if round % 3 != 0 {
            for _ in 0..1 + next() % 4 {
                let at = (next() as usize) % input.len();
                match next() % 3 {
                    0 => input[at] = next() as u8,
                    1 => input.truncate(at.max(1)),
                    _ => input.extend((0..next() % 20).map(|_| next() as u8)),
                }
            }
        }
        let mut client =
            ClientConnection::new(config.clone(), "localhost".try_into().unwrap()).unwrap();
        client.write_tls(&mut Vec::new()).unwrap();
        let mut rest = &input[..];
        while !rest.is_empty() {
            let take = 1 + (next() as usize) % rest.len();
            let (piece, after) = rest.split_at(take);
            rest = after;
            let mut piece = piece;
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
