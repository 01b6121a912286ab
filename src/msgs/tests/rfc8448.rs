//! The handshake messages of the RFC 8448 traces parse and encode back
//! byte for byte.

use super::*;
use crate::test_vectors::rfc8448;

/// Parses a message from the trace, checks it encodes back to the same
/// bytes, and returns its payload.
fn parse_exact(section: &str, step: &str, label: &str) -> HandshakePayload {
    let bytes = rfc8448(section, step, label);
    let msg =
        HandshakeMessage::parse(&bytes, TLS13).unwrap_or_else(|e| panic!("{section}{step}: {e}"));
    assert_eq!(msg.get_encoding(), bytes, "{section}{step}");
    assert_eq!(msg.typ, msg.payload.typ());
    msg.payload
}

#[test]
fn simple_handshake_messages() {
    let HandshakePayload::ClientHello(ch) =
        parse_exact("3. ", "{client}  construct a ClientHello", "ClientHello")
    else {
        panic!("not a ClientHello");
    };
    assert_eq!(
        *ch.cipher_suites,
        [
            CipherSuite::TLS13_AES_128_GCM_SHA256,
            CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
            CipherSuite::TLS13_AES_256_GCM_SHA384,
        ]
    );
    assert_eq!(ch.server_name(), Some(&b"server"[..]));
    let client_public = rfc8448("3. ", "{client}  create an ephemeral x25519", "public key");
    assert_eq!(
        ch.key_shares(),
        Some(&[KeyShareEntry::new(NamedGroup::X25519, &client_public)][..])
    );
    assert!(ch.session_id.is_empty());
    assert_eq!(ch.psk_offer(), None);
    assert_eq!(
        ch.find_extension(ExtensionType::SupportedVersions),
        Some(&ClientExtension::SupportedVersions(vec![TLS13].into()))
    );
    assert_eq!(
        ch.find_extension(ExtensionType::RecordSizeLimit),
        Some(&ClientExtension::RecordSizeLimit(0x4001))
    );
    let encoded = ch.encode_handshake().expect("fits");
    assert_eq!(encoded.truncated(), encoded.bytes());

    let HandshakePayload::ServerHello(sh) =
        parse_exact("3. ", "{server}  construct a ServerHello", "ServerHello")
    else {
        panic!("not a ServerHello");
    };
    assert_eq!(sh.cipher_suite, CipherSuite::TLS13_AES_128_GCM_SHA256);
    assert_eq!(sh.supported_versions(), Some(TLS13));
    let server_public = rfc8448("3. ", "{server}  create an ephemeral x25519", "public key");
    assert_eq!(
        sh.key_share(),
        Some(&KeyShareEntry::new(NamedGroup::X25519, &server_public))
    );
    assert_eq!(sh.psk_index(), None);
    assert_eq!(sh.random.downgrade_sentinel(), None);

    let HandshakePayload::EncryptedExtensions(ee) = parse_exact(
        "3. ",
        "construct a EncryptedExtensions",
        "EncryptedExtensions",
    ) else {
        panic!("not EncryptedExtensions");
    };
    assert!(ee.find_extension(ExtensionType::ServerName).is_some());
    assert_eq!(ee.record_size_limit(), Some(0x4001));
    assert!(!ee.early_data_accepted());

    let HandshakePayload::Certificate13(cert) = parse_exact(
        "3. ",
        "{server}  construct a Certificate handshake",
        "Certificate",
    ) else {
        panic!("not a Certificate");
    };
    assert!(cert.context.is_empty());
    assert_eq!(cert.entries.len(), 1);
    assert_eq!(cert.entries[0].cert.as_ref().len(), 0x1b0);
    assert!(cert.entries[0].extensions.is_empty());

    let HandshakePayload::CertificateVerify(cv) = parse_exact(
        "3. ",
        "{server}  construct a CertificateVerify",
        "CertificateVerify",
    ) else {
        panic!("not a CertificateVerify");
    };
    assert_eq!(cv.scheme, SignatureScheme::RSA_PSS_RSAE_SHA256);
    assert_eq!(cv.signature.len(), 128);

    let finished = parse_exact("3. ", "{server}  construct a Finished", "Finished");
    let verify_data = rfc8448("3. ", "{server}  calculate finished", "finished");
    assert_eq!(finished, HandshakePayload::Finished(verify_data));
    let finished = parse_exact("3. ", "{client}  construct a Finished", "Finished");
    let verify_data = rfc8448(
        "3. ",
        "{client}  calculate finished \"tls13 finished\":",
        "finished",
    );
    assert_eq!(finished, HandshakePayload::Finished(verify_data));

    let HandshakePayload::NewSessionTicket13(nst) =
        parse_exact("3. ", "construct a NewSessionTicket", "NewSessionTicket")
    else {
        panic!("not a NewSessionTicket");
    };
    let raw = rfc8448("3. ", "construct a NewSessionTicket", "NewSessionTicket");
    assert_eq!(nst.lifetime, 30);
    assert_eq!(nst.age_add.to_be_bytes(), raw[8..12]);
    assert_eq!(nst.nonce[..], [0, 0]);
    assert_eq!(nst.ticket.len(), 0xb2);
    assert_eq!(nst.max_early_data_size(), Some(0x400));
}

#[test]
fn resumption_client_hello_and_binders() {
    let whole = rfc8448("4. ", "{client}  send handshake record", "payload");
    let HandshakePayload::ClientHello(ch) =
        parse_exact("4. ", "{client}  send handshake record", "payload")
    else {
        panic!("not a ClientHello");
    };
    let offer = ch.psk_offer().expect("pre_shared_key");
    assert_eq!(offer.identities.len(), 1);
    // The identity is the ticket of section 3's NewSessionTicket.
    let HandshakePayload::NewSessionTicket13(nst) =
        parse_exact("3. ", "construct a NewSessionTicket", "NewSessionTicket")
    else {
        panic!("not a NewSessionTicket");
    };
    assert_eq!(offer.identities[0].identity, nst.ticket);
    assert_eq!(offer.binders.len(), 1);
    assert!(ch.find_extension(ExtensionType::EarlyData).is_some());
    assert!(ch.find_extension(ExtensionType::Padding).is_some());

    let mut encoded = ch.encode_handshake().expect("fits");
    assert_eq!(encoded.bytes(), &whole[..]);
    assert_eq!(
        encoded.truncated().len(),
        whole.len() - offer.binders_encoded_len()
    );
    assert_eq!(offer.binders_encoded_len(), 2 + 1 + 32);
    let prefix = rfc8448("4. ", "calculate PSK binder", "ClientHello prefix");
    assert_eq!(encoded.truncated(), &prefix[..]);

    // Start from a zero placeholder and patch the trace's binder in.
    let mut placeholder = ch.clone();
    placeholder.psk_offer_mut().unwrap().binders = vec![vec![0; 32].into()].into();
    let mut patched = placeholder.encode_handshake().expect("fits");
    assert_eq!(patched.truncated(), &prefix[..]);
    let binder = rfc8448("4. ", "calculate PSK binder", "finished");
    patched.set_binders(&[&binder]).unwrap();
    assert_eq!(patched.bytes(), &whole[..]);
    encoded.set_binders(&[&binder]).unwrap();
    assert_eq!(encoded.into_bytes(), whole);

    let HandshakePayload::ServerHello(sh) =
        parse_exact("4. ", "{server}  construct a ServerHello", "ServerHello")
    else {
        panic!("not a ServerHello");
    };
    assert_eq!(sh.psk_index(), Some(0));
    let HandshakePayload::EncryptedExtensions(ee) = parse_exact(
        "4. ",
        "construct a EncryptedExtensions",
        "EncryptedExtensions",
    ) else {
        panic!("not EncryptedExtensions");
    };
    assert!(ee.early_data_accepted());
    assert_eq!(
        parse_exact("4. ", "construct a EndOfEarlyData", "EndOfEarlyData"),
        HandshakePayload::EndOfEarlyData
    );
}

#[test]
fn hello_retry_request() {
    let HandshakePayload::HelloRetryRequest(hrr) =
        parse_exact("5. ", "{server}  construct a ServerHello", "ServerHello")
    else {
        panic!("not a HelloRetryRequest");
    };
    assert_eq!(hrr.key_share(), Some(NamedGroup::secp256r1));
    assert_eq!(hrr.supported_versions(), Some(TLS13));
    assert_eq!(hrr.cookie().map(<[u8]>::len), Some(0x72));
    assert_eq!(hrr.cipher_suite, CipherSuite::TLS13_AES_128_GCM_SHA256);
    assert!(hrr.session_id.is_empty());
}

#[test]
fn client_authentication_messages() {
    let HandshakePayload::CertificateRequest13(req) = parse_exact(
        "6. ",
        "construct a CertificateRequest",
        "CertificateRequest",
    ) else {
        panic!("not a CertificateRequest");
    };
    assert!(req.context.is_empty());
    assert_eq!(req.signature_algorithms().map(<[_]>::len), Some(15));
    let HandshakePayload::Certificate13(cert) = parse_exact(
        "6. ",
        "{client}  construct a Certificate handshake",
        "Certificate",
    ) else {
        panic!("not a Certificate");
    };
    assert_eq!(cert.entries.len(), 1);
    let HandshakePayload::CertificateVerify(cv) = parse_exact(
        "6. ",
        "{client}  construct a CertificateVerify",
        "CertificateVerify",
    ) else {
        panic!("not a CertificateVerify");
    };
    assert_eq!(cv.scheme, SignatureScheme::RSA_PSS_RSAE_SHA256);
}

#[test]
fn compatibility_mode_session_id() {
    let HandshakePayload::ClientHello(ch) =
        parse_exact("7. ", "{client}  construct a ClientHello", "ClientHello")
    else {
        panic!("not a ClientHello");
    };
    assert_eq!(ch.session_id.as_slice().len(), 32);
    let HandshakePayload::ServerHello(sh) =
        parse_exact("7. ", "{server}  construct a ServerHello", "ServerHello")
    else {
        panic!("not a ServerHello");
    };
    assert_eq!(sh.session_id, ch.session_id);
}
