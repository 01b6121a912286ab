//! Moving raw TLS bytes between an oxtls client and a rustls server by
//! hand, for tests that edit a flight in between: draining, delivering,
//! splitting into records, framing records, and feeding a client until
//! it fails.

use oxtls::{AlertDescription, ClientConnection, Error};

/// Everything the client has queued to send.
pub fn drain_client(client: &mut ClientConnection) -> Vec<u8> {
    let mut out = Vec::new();
    while client.wants_write() {
        client.write_tls(&mut out).unwrap();
    }
    out
}

/// Everything the server has queued to send.
pub fn drain_server(server: &mut rustls::ServerConnection) -> Vec<u8> {
    let mut out = Vec::new();
    while server.wants_write() {
        server.write_tls(&mut out).unwrap();
    }
    out
}

/// Gives the server `bytes` and processes them.
pub fn deliver(bytes: &[u8], server: &mut rustls::ServerConnection) {
    let mut rd = bytes;
    while !rd.is_empty() {
        server.read_tls(&mut rd).unwrap();
    }
    server.process_new_packets().unwrap();
}

/// Each record of `tls` as (content type, fragment).
pub fn split_records(tls: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut rest = tls;
    while !rest.is_empty() {
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        out.push((rest[0], rest[5..5 + len].to_vec()));
        rest = &rest[5 + len..];
    }
    out
}

/// A record of type `typ` (version 0x0303) carrying `fragment`.
pub fn record(typ: u8, fragment: &[u8]) -> Vec<u8> {
    let mut out = vec![typ, 3, 3];
    out.extend_from_slice(&(fragment.len() as u16).to_be_bytes());
    out.extend_from_slice(fragment);
    out
}

/// Feeds `bytes` to the client until it fails; returns the error and what
/// it sent in reply (its alert).
pub fn feed_until_error(client: &mut ClientConnection, bytes: &[u8]) -> (Error, Vec<u8>) {
    let mut rd = bytes;
    let err = loop {
        assert!(!rd.is_empty(), "client accepted everything");
        client.read_tls(&mut rd).unwrap();
        if let Err(e) = client.process_new_packets() {
            break e;
        }
    };
    (err, drain_client(client))
}

/// A fatal alert record `desc`, unprotected.
pub fn plaintext_alert(desc: AlertDescription) -> Vec<u8> {
    record(21, &[2, u8::from(desc)])
}
