//! The second ClientHello after a HelloRetryRequest that asks only for a
//! cookie: RFC 8446 §4.1.2, the client sends the same ClientHello with the
//! cookie added (§4.2.2). No other test sees a cookie: neither rustls nor
//! openssl send one to oxtls.

use std::sync::Arc;

use crate::client::ClientConfig;
use crate::conn::ClientConnection;
use crate::msgs::client_ext::ClientExtension;
use crate::msgs::enums::{ExtensionType, ProtocolVersion};
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
    let mut hellos = Vec::new();
    let mut rest = &tls[..];
    while let [typ, _, _, hi, lo, ..] = *rest {
        let (record, tail) = rest.split_at(5 + usize::from(u16::from_be_bytes([hi, lo])));
        if typ == 22 {
            let msg = HandshakeMessage::parse(&record[5..], ProtocolVersion::TLSv1_3).unwrap();
            if let HandshakePayload::ClientHello(ch) = msg.payload {
                hellos.push(ch);
            }
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
