//! The second ClientHello after a HelloRetryRequest that asks only for a
//! cookie: RFC 8446 §4.1.2, the client sends the same ClientHello with the
//! cookie added (§4.2.2). No other test sees a cookie: neither rustls nor
//! openssl send one to oxtls.

use std::sync::Arc;

use crate::client::ClientConfig;
use crate::conn::ClientConnection;
use crate::error::Error;
use crate::msgs::client_ext::ClientExtension;
use crate::msgs::enums::{AlertDescription, ExtensionType, ProtocolVersion};
use crate::msgs::extensions::ExtensionForm;
use crate::msgs::handshake::{HandshakeMessage, HandshakePayload};
use crate::msgs::hello::{ClientHello, HELLO_RETRY_REQUEST_RANDOM};
use crate::verify::dangerous::NoVerification;

fn client() -> ClientConnection {
    let config = ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(NoVerification))
        .with_no_client_auth();
    ClientConnection::new(Arc::new(config), "example.com".try_into().unwrap()).unwrap()
}

/// The ClientHellos among the records `conn` has to send.
fn sent_hellos(conn: &mut ClientConnection) -> Vec<ClientHello<'static>> {
    let mut tls = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut tls).unwrap();
    }
    // Handshake messages may span records: join the records first.
    let mut messages = Vec::new();
    let mut rest = &tls[..];
    while let [typ, _, _, hi, lo, ..] = *rest {
        let (record, tail) = rest.split_at(5 + usize::from(u16::from_be_bytes([hi, lo])));
        if typ == 22 {
            messages.extend_from_slice(&record[5..]);
        }
        rest = tail;
    }
    let mut hellos = Vec::new();
    let mut rest = &messages[..];
    while let [_, a, b, c, ..] = *rest {
        let (message, tail) = rest.split_at(4 + u32::from_be_bytes([0, a, b, c]) as usize);
        let msg = HandshakeMessage::parse(message, ProtocolVersion::TLSv1_3).unwrap();
        if let HandshakePayload::ClientHello(ch) = msg.payload {
            hellos.push(ch);
        }
        rest = tail;
    }
    hellos
}

/// A HelloRetryRequest record for TLS_AES_128_GCM_SHA256 that echoes
/// `session_id` and carries supported_versions and `cookie`.
fn retry_with_cookie(session_id: &[u8], cookie: &[u8]) -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&HELLO_RETRY_REQUEST_RANDOM);
    body.push(session_id.len() as u8);
    body.extend_from_slice(session_id);
    body.extend_from_slice(&[0x13, 0x01, 0]);
    let mut exts = vec![0, 0x2b, 0, 2, 3, 4];
    exts.extend_from_slice(&[0, 0x2c]);
    exts.extend_from_slice(&(cookie.len() as u16 + 2).to_be_bytes());
    exts.extend_from_slice(&(cookie.len() as u16).to_be_bytes());
    exts.extend_from_slice(cookie);
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    let mut msg = vec![2];
    msg.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    msg.extend_from_slice(&body);
    let mut record = vec![22, 3, 3];
    record.extend_from_slice(&(msg.len() as u16).to_be_bytes());
    record.extend_from_slice(&msg);
    record
}

#[test]
fn a_cookie_is_echoed_and_nothing_else_changes() {
    let mut conn = client();
    let first = sent_hellos(&mut conn).pop().unwrap();
    assert!(first.find_extension(ExtensionType::Cookie).is_none());

    let cookie = [0xc0, 0x0c, 0x1e, 0x5a, 0x11];
    let record = retry_with_cookie(first.session_id.as_slice(), &cookie);
    conn.read_tls(&mut &record[..]).unwrap();
    conn.process_new_packets().unwrap();
    let second = sent_hellos(&mut conn).pop().unwrap();

    assert_eq!(
        second.find_extension(ExtensionType::Cookie),
        Some(&ClientExtension::Cookie(cookie.to_vec().into()))
    );
    let without_cookie: Vec<_> = second
        .extensions
        .iter()
        .filter(|e| e.ext_type() != ExtensionType::Cookie)
        .cloned()
        .collect();
    assert_eq!(without_cookie, first.extensions);
    assert_eq!(second.random, first.random);
    assert_eq!(second.session_id, first.session_id);
    assert_eq!(second.cipher_suites, first.cipher_suites);
}

/// `retry_with_cookie`'s message, however long, in records of at most 2^14
/// bytes (RFC 8446 §5.1).
fn retry_records(session_id: &[u8], cookie: &[u8]) -> Vec<u8> {
    let record = retry_with_cookie(session_id, cookie);
    let mut stream = Vec::new();
    for chunk in record[5..].chunks(1 << 14) {
        stream.extend_from_slice(&[22, 3, 3]);
        stream.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
        stream.extend_from_slice(chunk);
    }
    stream
}

/// A HelloRetryRequest may carry a cookie of nearly 2^16 bytes, but the
/// second ClientHello must echo it inside extensions that total at most
/// 2^16-1 bytes (RFC 8446 §4.1.2). One that fits is echoed; one that does
/// not ends the handshake with illegal_parameter, sent in the clear.
#[test]
fn a_cookie_too_long_to_echo_is_refused() {
    for (cookie_len, fits) in [(60_000, true), (65_400, false)] {
        let mut conn = client();
        let first = sent_hellos(&mut conn).pop().unwrap();
        let cookie = vec![0x5a; cookie_len];
        let stream = retry_records(first.session_id.as_slice(), &cookie);
        let mut rd = &stream[..];
        let mut outcome = Ok(());
        while !rd.is_empty() && outcome.is_ok() {
            conn.read_tls(&mut rd).unwrap();
            outcome = conn.process_new_packets().map(drop);
        }
        if fits {
            assert_eq!(outcome, Ok(()));
            let second = sent_hellos(&mut conn).pop().unwrap();
            assert_eq!(
                second.find_extension(ExtensionType::Cookie),
                Some(&ClientExtension::Cookie(cookie.into()))
            );
            continue;
        }
        let err = outcome.unwrap_err();
        assert_eq!(
            err.alert(),
            Some(AlertDescription::IllegalParameter),
            "{err}"
        );
        let mut tls = Vec::new();
        conn.write_tls(&mut tls).unwrap();
        assert_eq!(tls, [21, 3, 3, 0, 2, 2, 47], "a plaintext fatal alert");
    }
}

/// A config's ALPN list goes whole into every ClientHello: one too long
/// for the hello is refused when the connection is made, whether its list
/// passes its own 16-bit length (RFC 7301 §3.1) or only the extensions'.
#[test]
fn alpn_lists_too_long_for_a_hello_are_refused() {
    // 255 names of 255 bytes (65,280 bytes listed) fit with the rest of a
    // hello; one more of 200 bytes passes the extensions' length; one
    // more of 255 passes the list's own.
    for (last_name, refusal) in [(0, None), (200, Some("ClientHello")), (255, Some("ALPN"))] {
        let mut config = ClientConfig::builder()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification))
            .with_no_client_auth();
        config.alpn_protocols = (0..255).map(|i| vec![i as u8; 255]).collect();
        if last_name > 0 {
            config.alpn_protocols.push(vec![b'x'; last_name]);
        }
        let made = ClientConnection::new(Arc::new(config), "example.com".try_into().unwrap());
        match made {
            Ok(mut conn) => {
                assert_eq!(refusal, None, "a last name of {last_name} bytes was sent");
                let hello = sent_hellos(&mut conn).pop().unwrap();
                let alpn = ExtensionType::ApplicationLayerProtocolNegotiation;
                assert!(hello.find_extension(alpn).is_some());
            }
            Err(err) => {
                let refusal = refusal.unwrap_or_else(|| panic!("{last_name} bytes: {err}"));
                assert!(
                    matches!(err, Error::InvalidConfig(why) if why.starts_with(refusal)),
                    "{err:?}"
                );
            }
        }
    }
}
