//! Encoding the server's messages, and reading (and checking) the
//! client's ClientHello. The harness's own code: it never looks at bytes
//! the fuzzer wrote, only at what the client sent.

use super::input::Input;

pub fn put_u16(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u16).to_be_bytes());
}

pub fn put_u24(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u32).to_be_bytes()[1..]);
}

/// `body` behind a one-byte length (truncated to the field, as a lying
/// server might).
pub fn opaque8(out: &mut Vec<u8>, body: &[u8]) {
    out.push(body.len() as u8);
    out.extend_from_slice(body);
}

pub fn opaque16(out: &mut Vec<u8>, body: &[u8]) {
    put_u16(out, body.len());
    out.extend_from_slice(body);
}

/// A handshake message: type, 24-bit length, body (RFC 8446 §4).
pub fn handshake(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![typ];
    put_u24(&mut out, body.len());
    out.extend_from_slice(body);
    out
}

/// Extension types worth trying anywhere: every one the client knows, and
/// one it does not.
const EXTENSION_TYPES: &[u16] = &[
    0, 1, 5, 10, 11, 13, 14, 15, 16, 18, 21, 22, 23, 28, 35, 41, 42, 43, 44, 45, 47, 48, 49, 50,
    51, 0xff01, 0x1234,
];

/// An extension block (with its 16-bit length) holding `defaults`, each
/// of which the input may keep (its zero choice), drop, give another body,
/// repeat or retype; then extensions of the input's own.
pub fn extensions(input: &mut Input, defaults: Vec<(u16, Vec<u8>)>) -> Vec<u8> {
    let mut list = Vec::new();
    let push = |list: &mut Vec<u8>, typ: u16, body: &[u8]| {
        put_u16(list, typ as usize);
        opaque16(list, body);
    };
    for (typ, body) in defaults {
        match input.u8() {
            0..=239 => push(&mut list, typ, &body),
            240..=243 => {}
            244..=247 => push(&mut list, typ, input.blob()),
            248..=251 => {
                push(&mut list, typ, &body);
                push(&mut list, typ, &body);
            }
            _ => push(&mut list, input.u16(), &body),
        }
    }
    for _ in 0..input.u8() % 4 {
        let typ = match input.u8() {
            255 => input.u16(),
            i => EXTENSION_TYPES[i as usize % EXTENSION_TYPES.len()],
        };
        push(&mut list, typ, input.blob());
    }
    let mut out = Vec::new();
    opaque16(&mut out, &list);
    out
}

/// What the harness needs of a ClientHello.
pub struct ClientHello {
    /// The whole message, header included, for the transcript.
    pub message: Vec<u8>,
    pub random: Vec<u8>,
    pub session_id: Vec<u8>,
    /// The group of the first key share.
    pub key_share_group: Option<u16>,
    pub offers_early_data: bool,
    pub offers_session_ticket: bool,
}

/// A bounded reader of the client's own bytes.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> &'a [u8] {
        assert!(
            self.0.len() >= n,
            "the client's ClientHello is inconsistent: {what} overruns it"
        );
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }

    fn u8(&mut self, what: &str) -> usize {
        self.take(1, what)[0] as usize
    }

    fn u16(&mut self, what: &str) -> usize {
        let b = self.take(2, what);
        u16::from_be_bytes([b[0], b[1]]) as usize
    }

    fn u24(&mut self, what: &str) -> usize {
        let b = self.take(3, what);
        u32::from_be_bytes([0, b[0], b[1], b[2]]) as usize
    }
}

/// Reads the ClientHello at the start of `handshake_bytes` and checks
/// that every length in it is consistent: the client's encoder is under
/// test too (a huge stored ticket once overflowed one of them).
pub fn parse_client_hello(handshake_bytes: &[u8]) -> Option<ClientHello> {
    if handshake_bytes.is_empty() {
        return None;
    }
    let mut c = Cursor(handshake_bytes);
    assert_eq!(
        c.u8("type"),
        1,
        "the client's first message is not a ClientHello"
    );
    let len = c.u24("length");
    let body = c.take(len, "the body");
    assert!(c.0.is_empty(), "bytes follow the client's ClientHello");
    let message = handshake_bytes.to_vec();

    let mut c = Cursor(body);
    c.take(2, "version");
    let random = c.take(32, "random").to_vec();
    let n = c.u8("session_id length");
    let session_id = c.take(n, "session_id").to_vec();
    let n = c.u16("cipher_suites length");
    c.take(n, "cipher_suites");
    let n = c.u8("compression length");
    c.take(n, "compression_methods");
    let n = c.u16("extensions length");
    let mut exts = Cursor(c.take(n, "extensions"));
    assert!(c.0.is_empty(), "bytes follow the ClientHello's extensions");

    let mut key_share_group = None;
    let mut offers_early_data = false;
    let mut offers_session_ticket = false;
    while !exts.0.is_empty() {
        let typ = exts.u16("extension type");
        let n = exts.u16("extension length");
        let body = exts.take(n, "extension body");
        match typ {
            35 => offers_session_ticket = true,
            42 => offers_early_data = true,
            51 => {
                let mut ks = Cursor(body);
                let n = ks.u16("key_share list length");
                let mut list = Cursor(ks.take(n, "key_share list"));
                assert!(ks.0.is_empty(), "bytes follow the key_share list");
                if !list.0.is_empty() {
                    key_share_group = Some(list.u16("key share group") as u16);
                }
            }
            _ => {}
        }
    }
    Some(ClientHello {
        message,
        random,
        session_id,
        key_share_group,
        offers_early_data,
        offers_session_ticket,
    })
}

/// `stream` as plaintext records of type `typ`, split where the input
/// says: by default each takes the rest of the stream up to
/// `default_len` (at most 256 records).
pub fn plaintext_records(input: &mut Input, typ: u8, stream: &[u8], default_len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = stream;
    for _ in 0..256 {
        let len = match input.u8() {
            0..=239 => rest.len().min(default_len),
            _ => input.size(0x4000),
        }
        .min(rest.len());
        let (this, next) = rest.split_at(len);
        out.extend([typ, 3, 3]);
        opaque16(&mut out, this);
        rest = next;
        if rest.is_empty() {
            break;
        }
    }
    out
}

/// The input may drop one message of the flight, or add one of its own.
pub fn edit_messages(input: &mut Input, flight: &mut Vec<Vec<u8>>) {
    let drop = input.u8() as usize;
    if (1..=flight.len()).contains(&drop) {
        flight.remove(drop - 1);
    }
    if input.u8() >= 240 {
        let at = input.u8() as usize % (flight.len() + 1);
        let message = handshake(input.u8(), input.blob());
        flight.insert(at, message);
    }
}
