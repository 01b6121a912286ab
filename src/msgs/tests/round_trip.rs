//! encode → parse gives the value back; parse → encode gives the bytes back.

use core::fmt::Debug;

use super::*;
use crate::msgs::alert::{AlertMessage, ChangeCipherSpecPayload};
use crate::msgs::codec::{Codec, Reader};
use crate::msgs::extensions::{
    encode_extension, encode_extensions, read_extension, read_extensions, ExtensionForm,
};

fn round_trip_one<E: ExtensionForm + PartialEq + Debug>(ext: &E) {
    let mut bytes = Vec::new();
    encode_extension(ext, &mut bytes);
    let mut r = Reader::new(&bytes);
    let back: E = read_extension(&mut r).unwrap_or_else(|e| panic!("{ext:?}: {e}"));
    assert_eq!(&back, ext);
    assert!(!r.any_left());
    let mut again = Vec::new();
    encode_extension(&back, &mut again);
    assert_eq!(again, bytes);
}

fn round_trip_block<E: ExtensionForm + PartialEq + Debug + Clone>(exts: &[E]) {
    for ext in exts {
        round_trip_one(ext);
    }
    let exts = distinct(exts);
    let mut bytes = Vec::new();
    encode_extensions(&exts, &mut bytes);
    let back: Vec<E> = read_extensions(&mut Reader::new(&bytes), "block").unwrap();
    assert_eq!(back, exts);
    let mut again = Vec::new();
    encode_extensions(&back, &mut again);
    assert_eq!(again, bytes);
}

#[test]
fn every_extension_form_round_trips() {
    round_trip_block(&client_extensions());
    round_trip_block(&server_extensions());
    round_trip_block(&hello_retry_extensions());
    round_trip_block(&certificate_extensions());
    round_trip_block(&cert_req_extensions());
    round_trip_block(&nst_extensions());
}

#[test]
fn every_handshake_message_round_trips() {
    for (msg, version) in sample_messages() {
        let bytes = msg.get_encoding();
        let back = HandshakeMessage::parse(&bytes, version)
            .unwrap_or_else(|e| panic!("{:?}: {e}", msg.typ));
        assert_eq!(back, msg);
        assert_eq!(back.typ, back.payload.typ());
        assert_eq!(back.get_encoding(), bytes);
        // Several messages in a row read one at a time.
        let mut two = bytes.clone();
        two.extend_from_slice(&bytes);
        let mut r = Reader::new(&two);
        assert_eq!(HandshakeMessage::read(&mut r, version).unwrap(), msg);
        assert_eq!(HandshakeMessage::read(&mut r, version).unwrap(), msg);
        assert!(!r.any_left());
    }
}

#[test]
fn known_encodings() {
    let ee = HandshakeMessage::new(HandshakePayload::EncryptedExtensions(EncryptedExtensions {
        extensions: Vec::new(),
    }));
    assert_eq!(ee.get_encoding(), [8, 0, 0, 2, 0, 0]);
    let done = HandshakeMessage::new(HandshakePayload::ServerHelloDone);
    assert_eq!(done.get_encoding(), [14, 0, 0, 0]);
    let ku = HandshakeMessage::new(HandshakePayload::KeyUpdate(
        KeyUpdateRequest::UpdateRequested,
    ));
    assert_eq!(ku.get_encoding(), [24, 0, 0, 1, 1]);
    let hash = HandshakeMessage::message_hash(&[7; 32]);
    assert_eq!(hash.get_encoding()[..4], [254, 0, 0, 32]);
    let mut sni = Vec::new();
    encode_extension(&ClientExtension::server_name("a.b"), &mut sni);
    assert_eq!(sni, [0, 0, 0, 8, 0, 6, 0, 0, 3, b'a', b'.', b'b']);
    let mut alpn = Vec::new();
    encode_extension(&ServerExtension::Alpn(b"h2".to_vec()), &mut alpn);
    assert_eq!(alpn, [0, 16, 0, 5, 0, 3, 2, b'h', b'2']);
}

#[test]
fn alert_and_change_cipher_spec_round_trip() {
    for alert in [
        AlertMessage::close_notify(),
        AlertMessage::fatal(AlertDescription::HandshakeFailure),
        AlertMessage {
            level: AlertLevel::Unknown(7),
            description: AlertDescription::Unknown(222),
        },
    ] {
        let bytes = alert.get_encoding();
        assert_eq!(bytes.len(), 2);
        assert_eq!(AlertMessage::read_bytes(&bytes), Ok(alert));
    }
    assert_eq!(AlertMessage::close_notify().get_encoding(), [1, 0]);
    assert_eq!(ChangeCipherSpecPayload.get_encoding(), [1]);
    assert_eq!(
        ChangeCipherSpecPayload::parse(&[1]),
        Ok(ChangeCipherSpecPayload)
    );
    assert_eq!(
        ChangeCipherSpecPayload::read_bytes(&[1]),
        Ok(ChangeCipherSpecPayload)
    );
}

#[test]
fn hello_accessors() {
    let ch = client_hello();
    assert_eq!(ch.server_name(), Some(&b"example.com"[..]));
    assert_eq!(ch.key_shares().map(|k| k.len()), Some(2));
    assert_eq!(ch.psk_offer().map(|o| o.identities.len()), Some(2));
    assert_eq!(ch.duplicate_extension(), None);
    let mut dup = ch.clone();
    dup.extensions.insert(0, ClientExtension::EarlyData);
    assert_eq!(dup.duplicate_extension(), Some(ExtensionType::EarlyData));

    let sh = server_hello();
    assert_eq!(sh.supported_versions(), Some(TLS13));
    assert_eq!(sh.key_share().map(|k| k.group), Some(NamedGroup::X25519));
    assert_eq!(sh.psk_index(), Some(1));
    assert_eq!(sh.alpn_protocol(), Some(&b"h2"[..]));
    assert_eq!(sh.renegotiation_info(), Some(&[3; 24][..]));
    assert!(sh.has_extension(ExtensionType::ExtendedMasterSecret));
    assert!(!sh.has_extension(ExtensionType::Cookie));

    let hrr = hello_retry_request();
    assert_eq!(hrr.supported_versions(), Some(TLS13));
    assert_eq!(hrr.key_share(), Some(NamedGroup::secp256r1));
    assert_eq!(hrr.cookie(), Some(&[1; 100][..]));

    let mut random = [0u8; 32];
    random[24..].copy_from_slice(&crate::msgs::hello::DOWNGRADE_TLS12);
    assert_eq!(Random(random).downgrade_sentinel(), Some(TLS12));
    random[31] = 0;
    assert_eq!(
        Random(random).downgrade_sentinel(),
        Some(ProtocolVersion::TLSv1_1)
    );
    assert_eq!(Random([0; 32]).downgrade_sentinel(), None);
}

#[test]
fn other_accessors() {
    let ee = EncryptedExtensions {
        extensions: distinct(&server_extensions()),
    };
    assert_eq!(ee.alpn_protocol(), Some(&b"h2"[..]));
    assert!(ee.early_data_accepted());
    assert_eq!(ee.record_size_limit(), Some(64));
    assert_eq!(ee.supported_groups(), Some(&[NamedGroup::secp384r1][..]));

    let entry = CertificateEntry {
        cert: cert(1),
        extensions: certificate_extensions(),
    };
    assert_eq!(entry.ocsp_response(), Some(&[0x30, 3, 1, 2, 3][..]));
    let chain = Certificate13 {
        context: Vec::new(),
        entries: vec![entry, CertificateEntry::new(cert(2))],
    }
    .chain();
    assert_eq!(chain, vec![cert(1), cert(2)]);

    let req = CertificateRequest13 {
        context: Vec::new(),
        extensions: cert_req_extensions(),
    };
    assert_eq!(
        req.signature_algorithms(),
        Some(&[SignatureScheme::RSA_PSS_RSAE_SHA256][..])
    );
    assert_eq!(req.certificate_authorities().map(|c| c.len()), Some(2));

    let nst = NewSessionTicket13 {
        lifetime: 1,
        age_add: 2,
        nonce: TicketNonce::from(&[][..]),
        ticket: vec![1],
        extensions: nst_extensions(),
    };
    assert_eq!(nst.max_early_data_size(), Some(0x4000));

    let ske = EcdheServerKeyExchange {
        params: EcdheParams {
            group: NamedGroup::secp256r1,
            public: vec![4; 65],
        },
        signature: DigitallySigned {
            scheme: SignatureScheme::ECDSA_NISTP256_SHA256,
            signature: vec![1; 70],
        },
    };
    let body = ske.get_encoding();
    let parsed = EcdheServerKeyExchange::read_bytes(&body).unwrap();
    // The signature covers both randoms, then exactly the first bytes
    // received: the params.
    let signed = parsed.signed_content(&[0xc1; 32], &[0x5e; 32]);
    assert_eq!(signed[..32], [0xc1; 32]);
    assert_eq!(signed[32..64], [0x5e; 32]);
    assert_eq!(signed[64..], body[..4 + 65]);
    assert_eq!(signed[64..68], [3, 0, 0x17, 65]);
}

#[test]
fn binders_are_patched_in_place() {
    let ch = client_hello();
    let offer = ch.psk_offer().unwrap().clone();
    let mut encoded = ch.encode_handshake().expect("fits");
    let whole = HandshakeMessage::new(HandshakePayload::ClientHello(ch.clone())).get_encoding();
    assert_eq!(encoded.bytes(), &whole[..]);
    let cut = offer.binders_encoded_len();
    assert_eq!(cut, 2 + 33 + 49);
    assert_eq!(encoded.truncated(), &whole[..whole.len() - cut]);

    encoded.set_binders(&[&[0x33; 32], &[0x44; 48]]).unwrap();
    let mut expect = ch.clone();
    expect.psk_offer_mut().unwrap().binders =
        vec![vec![0x33; 32].into(), vec![0x44; 48].into()].into();
    let expect = HandshakeMessage::new(HandshakePayload::ClientHello(expect)).get_encoding();
    assert_eq!(encoded.bytes(), &expect[..]);
    assert!(encoded.set_binders(&[&[0x33; 32]]).is_err());
    assert_eq!(encoded.clone().into_bytes(), expect);

    let mut no_psk = ch;
    no_psk.extensions.pop();
    let mut encoded = no_psk.encode_handshake().expect("fits");
    assert_eq!(encoded.truncated(), encoded.bytes());
    assert!(encoded.set_binders(&[&[0; 32]]).is_err());
}

/// The one-allocation Finished encoding is the general one's, for TLS
/// 1.2's 12 bytes of verify_data and TLS 1.3's 32 and 48.
#[test]
fn encode_finished_matches_the_general_encoding() {
    use crate::msgs::handshake::{HandshakeMessage, HandshakePayload};
    for len in [12, 32, 48] {
        let verify_data: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let general =
            HandshakeMessage::new(HandshakePayload::Finished(verify_data.clone())).get_encoding();
        assert_eq!(
            HandshakeMessage::encode_finished(&verify_data)[..],
            general[..]
        );
    }
}

/// A ticket_nonce of any length the syntax allows (0 to 255 bytes) reads
/// back as sent, whether held inline (up to 32 bytes) or not.
#[test]
fn ticket_nonces_of_every_length_round_trip() {
    use crate::msgs::tls13::{NewSessionTicket13, TicketNonce};
    for len in [0usize, 1, 8, 31, 32, 33, 64, 255] {
        let sent: Vec<u8> = (0..len).map(|i| i as u8 ^ 0x5a).collect();
        let nst = NewSessionTicket13 {
            lifetime: 60,
            age_add: 7,
            nonce: TicketNonce::from(&sent[..]),
            ticket: vec![9; 20],
            extensions: Vec::new(),
        };
        let read = NewSessionTicket13::read_bytes(&nst.get_encoding()).unwrap();
        assert_eq!(read.nonce[..], sent[..], "{len}");
        assert_eq!(read, nst);
        assert_eq!(read.nonce.is_inline(), len <= 32, "{len}");
    }
}
