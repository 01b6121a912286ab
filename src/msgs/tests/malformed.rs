//! Malformed input is an error naming what was wrong, never a panic.

use super::*;
use crate::error::InvalidMessage;
use crate::msgs::alert::{AlertMessage, ChangeCipherSpecPayload};
use crate::msgs::codec::{Codec, Reader};
use crate::msgs::extensions::read_extensions;

fn parse(typ: HandshakeType, body: &[u8]) -> Result<HandshakeMessage, InvalidMessage> {
    HandshakeMessage::parse(&framed(typ, body), TLS13)
}

/// A ServerHello body with the given extension block contents.
fn sh_body(exts: &[u8]) -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&[1; 32]);
    body.extend_from_slice(&[0, 0x13, 0x01, 0]);
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(exts);
    body
}

fn sh_with(exts: &[u8]) -> Result<HandshakeMessage, InvalidMessage> {
    parse(HandshakeType::ServerHello, &sh_body(exts))
}

/// A ClientHello body: session id bytes (with length), suites and
/// compression vectors (with lengths), then the extension block contents.
fn ch_with(
    sid: &[u8],
    suites: &[u8],
    comp: &[u8],
    exts: &[u8],
) -> Result<HandshakeMessage, InvalidMessage> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&[2; 32]);
    body.extend_from_slice(sid);
    body.extend_from_slice(suites);
    body.extend_from_slice(comp);
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(exts);
    parse(HandshakeType::ClientHello, &body)
}

fn ch_exts(exts: &[u8]) -> Result<HandshakeMessage, InvalidMessage> {
    ch_with(&[0], &[0, 2, 0x13, 0x01], &[1, 0], exts)
}

#[test]
fn every_strict_prefix_is_an_error() {
    for (msg, version) in sample_messages() {
        let bytes = msg.get_encoding();
        for n in 0..bytes.len() {
            assert!(
                HandshakeMessage::parse(&bytes[..n], version).is_err(),
                "{:?} cut to {n} bytes",
                msg.typ
            );
        }
    }
}

/// A body cut short but framed with a matching length is either an error
/// or a shorter valid message that encodes back to exactly those bytes:
/// the parser never guesses at what is missing.
#[test]
fn every_reframed_body_prefix_is_an_error_or_canonical() {
    for (msg, version) in sample_messages() {
        let bytes = msg.get_encoding();
        let body = &bytes[4..];
        for n in 0..body.len() {
            let input = framed(msg.typ, &body[..n]);
            if let Ok(short) = HandshakeMessage::parse(&input, version) {
                assert!(
                    short.get_encoding() == input || may_reencode_differently(&short),
                    "{:?} cut to {n}",
                    msg.typ
                );
            }
        }
    }
}

#[test]
fn trailing_garbage_is_an_error() {
    for (msg, version) in sample_messages() {
        let mut bytes = msg.get_encoding();
        bytes.push(0);
        assert_eq!(
            HandshakeMessage::parse(&bytes, version),
            Err(InvalidMessage::TrailingData("handshake message"))
        );
        // Inside the body, except where the body runs to its end by design.
        if matches!(
            msg.payload,
            HandshakePayload::Finished(_)
                | HandshakePayload::MessageHash(_)
                | HandshakePayload::Unknown { .. }
        ) {
            continue;
        }
        let mut body = bytes[4..bytes.len() - 1].to_vec();
        body.push(0);
        assert!(
            HandshakeMessage::parse(&framed(msg.typ, &body), version).is_err(),
            "{:?} with a byte appended",
            msg.typ
        );
    }
    assert_eq!(
        parse(HandshakeType::ServerHelloDone, &[0]),
        Err(InvalidMessage::TrailingData("ServerHelloDone"))
    );
    assert_eq!(
        parse(HandshakeType::KeyUpdate, &[0, 0]),
        Err(InvalidMessage::TrailingData("KeyUpdate"))
    );
}

#[test]
fn trailing_bytes_inside_an_extension_name_it() {
    // supported_versions in a ServerHello is one u16.
    assert_eq!(
        sh_with(&[0, 43, 0, 3, 3, 4, 0]),
        Err(InvalidMessage::TrailingData("supported_versions extension"))
    );
    // server_name from a server is empty.
    assert_eq!(
        sh_with(&[0, 0, 0, 1, 0]),
        Err(InvalidMessage::TrailingData("server_name extension"))
    );
    // A ClientHello early_data is empty.
    assert_eq!(
        ch_exts(&[0, 42, 0, 1, 0]),
        Err(InvalidMessage::TrailingData("early_data extension"))
    );
    // key_share: the list says 2 bytes, the extension holds 3.
    assert_eq!(
        ch_exts(&[0, 51, 0, 3, 0, 0, 0]),
        Err(InvalidMessage::TrailingData("key_share extension"))
    );
}

#[test]
fn overlong_inner_lengths_are_errors() {
    // Extension block longer than the message.
    let mut body = sh_body(&[]);
    let at = body.len() - 2;
    body[at + 1] = 4;
    assert_eq!(
        parse(HandshakeType::ServerHello, &body),
        Err(InvalidMessage::Truncated("ServerHello.extensions"))
    );
    // Extension body longer than the block.
    assert_eq!(
        sh_with(&[0, 43, 0, 9, 3, 4]),
        Err(InvalidMessage::Truncated("supported_versions extension"))
    );
    // key_exchange longer than the extension.
    assert_eq!(
        sh_with(&[0, 51, 0, 6, 0, 0x1d, 0, 9, 1, 2]),
        Err(InvalidMessage::Truncated("KeyShareEntry.key_exchange"))
    );
    // A cipher suite list longer than the ClientHello.
    assert_eq!(
        ch_with(&[0], &[0, 200, 0x13, 0x01], &[1, 0], &[]),
        Err(InvalidMessage::Truncated("ClientHello.cipher_suites"))
    );
    // An odd cipher suite list.
    assert_eq!(
        ch_with(&[0], &[0, 3, 0x13, 0x01, 0x13], &[1, 0], &[]),
        Err(InvalidMessage::Truncated("CipherSuite"))
    );
    // A certificate longer than its list.
    let cert = [0, 0, 5, 0, 0, 9, 1, 2];
    assert_eq!(
        HandshakeMessage::parse(&framed(HandshakeType::Certificate, &cert), TLS12),
        Err(InvalidMessage::Truncated("Certificate.ASN.1Cert"))
    );
    // A handshake length past the end.
    assert_eq!(
        HandshakeMessage::parse(&[20, 0, 0, 33, 1], TLS13),
        Err(InvalidMessage::Truncated("Finished"))
    );
}

#[test]
fn lengths_outside_their_range_are_errors() {
    let mut sid = vec![33];
    sid.extend_from_slice(&[0; 33]);
    assert_eq!(
        ch_with(&sid, &[0, 2, 0x13, 0x01], &[1, 0], &[]),
        Err(InvalidMessage::BadLength("session_id"))
    );
    assert_eq!(
        ch_with(&[0], &[0, 0], &[1, 0], &[]),
        Err(InvalidMessage::EmptyVector("ClientHello.cipher_suites"))
    );
    assert_eq!(
        ch_with(&[0], &[0, 2, 0x13, 0x01], &[0], &[]),
        Err(InvalidMessage::EmptyVector(
            "ClientHello.legacy_compression_methods"
        ))
    );
    // A 31-byte PSK binder (PskBinderEntry<32..255>).
    let mut psk = vec![0, 41, 0, 43, 0, 7, 0, 1, 9, 0, 0, 0, 0, 0, 32, 31];
    psk.extend_from_slice(&[0; 31]);
    assert_eq!(
        ch_exts(&psk),
        Err(InvalidMessage::BadLength("PskBinderEntry"))
    );
    // Empty binder list.
    assert_eq!(
        ch_exts(&[0, 41, 0, 11, 0, 7, 0, 1, 9, 0, 0, 0, 0, 0, 0]),
        Err(InvalidMessage::EmptyVector("OfferedPsks.binders"))
    );
    // Empty vectors whose syntax forbids it.
    let empties: [(&[u8], &str); 8] = [
        (&[0, 0, 0, 2, 0, 0], "server_name_list"),
        (&[0, 10, 0, 2, 0, 0], "named_group_list"),
        (&[0, 11, 0, 1, 0], "ec_point_format_list"),
        (&[0, 13, 0, 2, 0, 0], "signature_algorithms"),
        (&[0, 16, 0, 3, 0, 1, 0], "protocol_name_list"),
        (&[0, 43, 0, 1, 0], "supported_versions"),
        (&[0, 44, 0, 2, 0, 0], "cookie"),
        (&[0, 45, 0, 1, 0], "ke_modes"),
    ];
    for (ext, what) in empties {
        assert_eq!(
            ch_exts(ext),
            Err(InvalidMessage::EmptyVector(what)),
            "{what}"
        );
    }
    assert_eq!(
        ch_exts(&[0, 0, 0, 5, 0, 3, 0, 0, 0]),
        Err(InvalidMessage::EmptyVector("server_name.HostName"))
    );
    assert_eq!(
        ch_exts(&[0, 51, 0, 6, 0, 4, 0, 0x1d, 0, 0]),
        Err(InvalidMessage::EmptyVector("KeyShareEntry.key_exchange"))
    );
    // A TLS 1.3 CertificateRequest must carry extensions.
    assert_eq!(
        parse(HandshakeType::CertificateRequest, &[0, 0, 0]),
        Err(InvalidMessage::EmptyVector("CertificateRequest.extensions"))
    );
    // A TLS 1.3 ticket is at least one byte.
    assert_eq!(
        parse(
            HandshakeType::NewSessionTicket,
            &[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        ),
        Err(InvalidMessage::EmptyVector("NewSessionTicket.ticket"))
    );
    assert_eq!(
        parse(HandshakeType::Certificate, &[0, 0, 0, 5, 0, 0, 0, 0, 0]),
        Err(InvalidMessage::EmptyVector("CertificateEntry.cert_data"))
    );
    assert_eq!(
        HandshakeMessage::parse(&framed(HandshakeType::ClientKeyExchange, &[0]), TLS12),
        Err(InvalidMessage::EmptyVector(
            "ClientECDiffieHellmanPublic.point"
        ))
    );
    assert_eq!(
        InvalidMessage::BadLength("x").alert(),
        AlertDescription::DecodeError
    );
}

#[test]
fn duplicate_extensions_are_errors() {
    let dup = InvalidMessage::DuplicateExtension;
    assert_eq!(
        ch_exts(&[0, 23, 0, 0, 0, 42, 0, 0, 0, 23, 0, 0]),
        Err(dup(23))
    );
    assert_eq!(
        sh_with(&[0xff, 0x01, 0, 1, 0, 0xff, 0x01, 0, 1, 0]),
        Err(dup(0xff01))
    );
    // Unknown types count too.
    assert_eq!(
        sh_with(&[0x12, 0x34, 0, 0, 0x12, 0x34, 0, 1, 7]),
        Err(dup(0x1234))
    );
    assert_eq!(
        parse(
            HandshakeType::EncryptedExtensions,
            &[0, 8, 0, 42, 0, 0, 0, 42, 0, 0]
        ),
        Err(dup(42))
    );
    let mut hrr = sh_body(&[0, 44, 0, 3, 0, 1, 9, 0, 44, 0, 3, 0, 1, 9]);
    hrr[2..34].copy_from_slice(&crate::msgs::hello::HELLO_RETRY_REQUEST_RANDOM);
    assert_eq!(parse(HandshakeType::ServerHello, &hrr), Err(dup(44)));
    let nst = [
        0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 7, 0, 16, 0, 42, 0, 4, 0, 0, 0, 1, 0, 42, 0, 4, 0, 0, 0, 2,
    ];
    assert_eq!(parse(HandshakeType::NewSessionTicket, &nst), Err(dup(42)));
    let req = [0, 0, 16, 0, 13, 0, 4, 0, 2, 8, 4, 0, 13, 0, 4, 0, 2, 8, 4];
    assert_eq!(parse(HandshakeType::CertificateRequest, &req), Err(dup(13)));
    let cert = [
        0, 0, 0, 16, 0, 0, 1, 0x30, 0, 10, 0, 99, 0, 1, 0, 0, 99, 0, 1, 0,
    ];
    assert_eq!(parse(HandshakeType::Certificate, &cert), Err(dup(99)));
    assert_eq!(dup(1).alert(), AlertDescription::IllegalParameter);
}

#[test]
fn rules_on_values_are_enforced() {
    // pre_shared_key must come last in a ClientHello.
    let mut exts = vec![0, 41, 0, 44, 0, 7, 0, 1, 9, 0, 0, 0, 0, 0, 33, 32];
    exts.extend_from_slice(&[0; 32]);
    assert!(ch_exts(&exts).is_ok());
    exts.extend_from_slice(&[0, 23, 0, 0]);
    assert!(matches!(
        ch_exts(&exts),
        Err(InvalidMessage::IllegalValue(_))
    ));
    // A server names exactly one ALPN protocol.
    assert!(matches!(
        sh_with(&[0, 16, 0, 7, 0, 5, 2, b'h', b'2', 1, b'x']),
        Err(InvalidMessage::IllegalValue(_))
    ));
    assert_eq!(
        sh_with(&[0, 16, 0, 2, 0, 0]),
        Err(InvalidMessage::EmptyVector("protocol_name_list"))
    );
    assert_eq!(
        sh_with(&[0, 16, 0, 3, 0, 1, 0]),
        Err(InvalidMessage::EmptyVector("protocol_name_list"))
    );
    // record_size_limit below 64 (RFC 8449 §4).
    assert_eq!(
        sh_with(&[0, 28, 0, 2, 0, 63]),
        Err(InvalidMessage::IllegalValue("record_size_limit"))
    );
    assert_eq!(
        parse(HandshakeType::KeyUpdate, &[2]),
        Err(InvalidMessage::IllegalValue("KeyUpdate.request_update"))
    );
    // Padding is zeros.
    assert!(matches!(
        ch_exts(&[0, 21, 0, 2, 0, 1]),
        Err(InvalidMessage::IllegalValue(_))
    ));
    // Explicit curves in a ServerKeyExchange.
    let ske = [1, 0, 0x17, 1, 4, 4, 1, 0, 0];
    assert_eq!(
        HandshakeMessage::parse(&framed(HandshakeType::ServerKeyExchange, &ske), TLS12),
        Err(InvalidMessage::IllegalValue("ServerECDHParams.curve_type"))
    );
    // A CertificateStatus of a type other than ocsp.
    assert_eq!(
        HandshakeMessage::parse(
            &framed(HandshakeType::CertificateStatus, &[2, 0, 0, 1, 0]),
            TLS12
        ),
        Err(InvalidMessage::IllegalValue(
            "CertificateStatus.status_type"
        ))
    );
    // The HelloRetryRequest random belongs to HelloRetryRequest alone.
    let mut hrr = sh_body(&[]);
    hrr[2..34].copy_from_slice(&crate::msgs::hello::HELLO_RETRY_REQUEST_RANDOM);
    assert!(ServerHello::read_bytes(&hrr).is_err());
    assert!(HelloRetryRequest::read_bytes(&sh_body(&[])).is_err());
    assert!(matches!(
        parse(HandshakeType::ServerHello, &hrr).map(|m| m.payload),
        Ok(HandshakePayload::HelloRetryRequest(_))
    ));
}

#[test]
fn alerts_and_change_cipher_spec_are_exact() {
    assert_eq!(
        AlertMessage::read_bytes(&[2]),
        Err(InvalidMessage::Truncated("AlertDescription"))
    );
    assert_eq!(
        AlertMessage::read_bytes(&[2, 40, 0]),
        Err(InvalidMessage::TrailingData("AlertMessage"))
    );
    for bad in [&[][..], &[0], &[2], &[1, 1]] {
        assert_eq!(
            ChangeCipherSpecPayload::parse(bad),
            Err(InvalidMessage::InvalidChangeCipherSpec)
        );
    }
    assert_eq!(
        ChangeCipherSpecPayload::read_bytes(&[2]),
        Err(InvalidMessage::InvalidChangeCipherSpec)
    );
}

#[test]
fn unknown_values_are_kept() {
    // An unknown extension and an unknown group in a ServerHello.
    let msg = sh_with(&[0xab, 0xcd, 0, 2, 7, 8, 0, 51, 0, 5, 0x0a, 0x0a, 0, 1, 9]).unwrap();
    let HandshakePayload::ServerHello(sh) = &msg.payload else {
        panic!("not a ServerHello: {msg:?}");
    };
    assert_eq!(
        sh.extensions[0],
        ServerExtension::Unknown {
            typ: ExtensionType::Unknown(0xabcd),
            body: vec![7, 8],
        }
    );
    assert_eq!(
        sh.key_share().map(|k| k.group),
        Some(NamedGroup::Unknown(0x0a0a))
    );
    assert_eq!(
        msg.get_encoding(),
        framed(
            HandshakeType::ServerHello,
            &sh_body(&[0xab, 0xcd, 0, 2, 7, 8, 0, 51, 0, 5, 0x0a, 0x0a, 0, 1, 9])
        )
    );
    // An unknown handshake type.
    let msg = HandshakeMessage::parse(&[99, 0, 0, 2, 1, 2], TLS13).unwrap();
    assert_eq!(msg.typ, HandshakeType::Unknown(99));
    assert_eq!(
        msg.payload,
        HandshakePayload::Unknown {
            typ: HandshakeType::Unknown(99),
            body: vec![1, 2],
        }
    );
    // Unknown values inside lists.
    let ext = [0, 10, 0, 6, 0, 4, 0x1d, 0x1d, 0, 0x1d];
    let exts: Vec<ClientExtension> = read_extensions(
        &mut Reader::new(&[&[0, ext.len() as u8][..], &ext].concat()),
        "x",
    )
    .unwrap();
    assert_eq!(
        exts,
        [ClientExtension::SupportedGroups(
            vec![NamedGroup::Unknown(0x1d1d), NamedGroup::X25519].into()
        )]
    );
}
