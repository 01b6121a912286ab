//! The checks of the TLS 1.2 states that need no server: the ServerHello's
//! extensions, and what the connection does with a HelloRequest or a
//! ChangeCipherSpec after the handshake. Whole flights from a real server,
//! edited, are in tests/negative_tls12.rs.

use super::*;
use crate::crypto::hash::HashAlgorithm;
use crate::msgs::enums::{CipherSuite, Compression, NamedGroup, ProtocolVersion};
use crate::msgs::extensions::KeyShareEntry;
use crate::msgs::hello::{Random, SessionId};

/// What a default ClientHello offers that a TLS 1.2 server may answer.
const OFFERED: &[ExtensionType] = &[
    ExtensionType::ServerName,
    ExtensionType::ExtendedMasterSecret,
    ExtensionType::RenegotiationInfo,
    ExtensionType::EcPointFormats,
    ExtensionType::SupportedGroups,
    ExtensionType::KeyShare,
    ExtensionType::SupportedVersions,
    ExtensionType::SignatureAlgorithms,
];

fn server_hello(extensions: Vec<ServerExtension>) -> ServerHello {
    ServerHello {
        legacy_version: ProtocolVersion::TLSv1_2,
        random: Random([7; 32]),
        session_id: SessionId::new(&[]).unwrap(),
        cipher_suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        compression_method: Compression::Null,
        extensions,
    }
}

fn alert_of(extensions: Vec<ServerExtension>) -> Option<AlertDescription> {
    let offered = OfferedExtensions::from_types(OFFERED.iter().copied()).unwrap();
    check_server_hello_extensions(&offered, &server_hello(extensions))
        .err()
        .and_then(|e| e.alert())
}

#[test]
fn server_hello_extensions_that_answer_our_offer_are_accepted() {
    assert_eq!(alert_of(vec![]), None);
    assert_eq!(
        alert_of(vec![
            ServerExtension::ServerName,
            ServerExtension::ExtendedMasterSecret,
            ServerExtension::RenegotiationInfo(Vec::new()),
            ServerExtension::EcPointFormats(vec![
                EcPointFormat::Unknown(1),
                EcPointFormat::Uncompressed
            ]),
        ]),
        None
    );
}

#[test]
fn server_hello_extensions_we_did_not_offer_or_that_do_not_belong() {
    // RFC 5246 §7.4.1.4: not offered.
    assert_eq!(
        alert_of(vec![ServerExtension::SessionTicket]),
        Some(AlertDescription::UnsupportedExtension)
    );
    assert_eq!(
        alert_of(vec![ServerExtension::Alpn(b"h2".to_vec())]),
        Some(AlertDescription::UnsupportedExtension)
    );
    // Offered, but TLS 1.3's.
    assert_eq!(
        alert_of(vec![ServerExtension::KeyShare(KeyShareEntry::new(
            NamedGroup::X25519,
            &[1; 32]
        ))]),
        Some(AlertDescription::IllegalParameter)
    );
    assert_eq!(
        alert_of(vec![ServerExtension::SupportedGroups(vec![
            NamedGroup::X25519
        ])]),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn renegotiation_info_must_be_empty_and_points_uncompressed() {
    // RFC 5746 §3.4.
    assert_eq!(
        alert_of(vec![ServerExtension::RenegotiationInfo(vec![0; 12])]),
        Some(AlertDescription::HandshakeFailure)
    );
    // RFC 8422 §5.1.2.
    assert_eq!(
        alert_of(vec![ServerExtension::EcPointFormats(vec![
            EcPointFormat::Unknown(2)
        ])]),
        Some(AlertDescription::IllegalParameter)
    );
}

fn traffic() -> State {
    State::Traffic(Box::new(Traffic {
        randoms: Randoms {
            client: [1; 32],
            server: [2; 32],
        },
        master_secret: MasterSecret::from_bytes(HashAlgorithm::Sha256, &[3; 48]).unwrap(),
        extended_master_secret: true,
    }))
}

fn common() -> CommonState {
    CommonState::new(16384, None)
}

fn sent(common: &mut CommonState) -> Vec<u8> {
    let mut out = Vec::new();
    while !common.sendbuf.is_empty() {
        common.sendbuf.write_tls(&mut out).unwrap();
    }
    out
}

fn hello_request() -> HandshakeMessage {
    HandshakeMessage::new(HandshakePayload::HelloRequest)
}

#[test]
fn a_hello_request_after_the_handshake_gets_a_warning_and_is_bounded() {
    let mut common = common();
    let mut state = traffic();
    for i in 0..MAX_HELLO_REQUESTS_IN_A_ROW {
        state = state
            .handle(&mut common, hello_request(), &[0, 0, 0, 0])
            .unwrap();
        // RFC 5246 §7.2.2: warning(1), no_renegotiation(100), once.
        let answer: &[u8] = if i == 0 {
            &[21, 3, 3, 0, 2, 1, 100]
        } else {
            &[]
        };
        assert_eq!(sent(&mut common), answer);
    }
    let err = state
        .handle(&mut common, hello_request(), &[0, 0, 0, 0])
        .err()
        .unwrap();
    assert_eq!(err.alert(), Some(AlertDescription::UnexpectedMessage));

    // After close_notify nothing more is sent, not even the warning.
    let mut common = CommonState::new(16384, None);
    common.send_close_notify();
    let _ = sent(&mut common);
    traffic()
        .handle(&mut common, hello_request(), &[0, 0, 0, 0])
        .unwrap();
    assert!(sent(&mut common).is_empty());
}

#[test]
fn after_the_handshake_other_messages_and_change_cipher_spec_are_unexpected() {
    let err = traffic()
        .handle(
            &mut common(),
            HandshakeMessage::new(HandshakePayload::ServerHelloDone),
            &[14, 0, 0, 0],
        )
        .err()
        .unwrap();
    assert_eq!(
        err,
        Error::InappropriateHandshakeMessage {
            expected: &[HandshakeType::HelloRequest],
            got: HandshakeType::ServerHelloDone
        }
    );
    let err = traffic()
        .handle_change_cipher_spec(&mut common())
        .err()
        .unwrap();
    assert_eq!(err.alert(), Some(AlertDescription::UnexpectedMessage));
}

#[test]
fn the_exporter_is_rfc_5705_over_the_master_secret() {
    let state = traffic();
    let mut ours = [0u8; 20];
    state
        .export_keying_material(&mut ours, b"label", Some(b"ctx"))
        .unwrap();
    let mut direct = [0u8; 20];
    crate::crypto::tls12::prf(
        HashAlgorithm::Sha256,
        &[3; 48],
        b"label",
        &[&[1; 32], &[2; 32], &[0, 3], b"ctx"],
        &mut direct,
    );
    assert_eq!(ours, direct);
}
