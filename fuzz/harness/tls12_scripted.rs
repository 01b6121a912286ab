//! `tls12_scripted`: the fuzzer plays a TLS 1.2 server (ECDHE, AEAD
//! suites) without doing key exchange. The client logs its master secret
//! (CLIENT_RANDOM) once it has taken the ServerHelloDone, so the harness
//! can compute the client's Finished, seal its own with the server's write
//! keys and carry on under them: mutated but parseable messages reach the
//! end of the handshake and the connection after it (data, HelloRequests,
//! alerts, junk). A second connection from the same config then offers the
//! stored session (its ID or ticket).
//!
//! As in `tls13_scripted`, zero is always the ordinary choice: an empty
//! input is a complete, valid handshake.

use std::sync::Arc;

use super::common::{self, CapturedSecrets, ClientRecordLog};
use super::input::Input;
use super::tls12_keys::{finished, ClientRecords12, Sealer12, Suite12};
use super::wire::{
    self, edit_messages, handshake, opaque16, opaque8, parse_client_hello, plaintext_records,
};
use oxtls::ClientConnection;

const SERVER_RANDOM: [u8; 32] = [0x22; 32];
const HANDSHAKE: u8 = 22;
const MAX_POST_HANDSHAKE_OPS: usize = 48;

pub fn run(data: &[u8]) {
    play(data);
}

/// How far a run got.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The first connection completed its handshake.
    pub completed: bool,
    /// The second connection resumed the first's session.
    pub resumed: bool,
}

/// Plays the input; says how far the client got.
pub fn play(data: &[u8]) -> Outcome {
    let mut input = Input::new(data);
    let secrets = Arc::new(CapturedSecrets::default());
    let options = input.u8();
    let config = common::config(options, Some(secrets.clone()));
    let mut conn = common::connect(&config);
    let first = common::drain(&mut conn);
    let Some(hello) = parse_client_hello(&common::handshake_bytes(&first)) else {
        return Outcome::default();
    };
    let chunk = match input.u8() {
        0..=199 => usize::MAX,
        n => n as usize - 199,
    };

    let suite_id: u16 = match input.u8() % 8 {
        1 => 0xc02f,
        2 => 0xc02c,
        3 => 0xcca9,
        4 => 0xcca8,
        5 => 0xc030,
        6 => input.u16(),
        _ => 0xc02b,
    };
    let suite = Suite12::from_id(suite_id).unwrap_or(Suite12::from_id(0xc02b).expect("a suite"));
    let ecdsa = matches!(suite_id, 0xc02b | 0xc02c | 0xcca9);
    let (server_hello, server_random, sends_ticket) =
        server_hello(&mut input, &hello, &config, suite_id);
    let mut flight = vec![server_hello];
    flight.extend(first_flight(&mut input, ecdsa));
    edit_messages(&mut input, &mut flight);
    let mut transcript: Vec<u8> = hello.message.clone();
    // RFC 5246 §7.4.1.1: a HelloRequest is left out of the handshake
    // hashes (the client ignores one during a handshake).
    for message in flight.iter().filter(|m| m.first() != Some(&0)) {
        transcript.extend(message);
    }
    let wire = plaintext_records(&mut input, HANDSHAKE, &flight.concat(), 0x4000);
    let Ok(answer) = common::note("first flight", common::deliver(&mut conn, &wire, chunk)) else {
        return Outcome::default();
    };
    let Some(master) = secrets.get("CLIENT_RANDOM") else {
        return Outcome::default();
    };

    // The client's flight: its plaintext messages, then (ours to compute)
    // its Finished, which it sent encrypted.
    for (typ, fragment) in common::records(&answer) {
        if typ == 20 {
            break;
        }
        if typ == HANDSHAKE {
            transcript.extend(fragment);
        }
    }
    let client_finished = finished(suite, &master, b"client finished", &transcript);
    transcript.extend(handshake(20, &client_finished));
    // What follows the client's ChangeCipherSpec is its Finished, under
    // its write keys.
    let keys = Sealer12::client(suite, &master, &hello.random, &server_random);
    let mut client_records = ClientRecords12::new(keys);
    if let Some(at) = after_change_cipher_spec(&answer) {
        client_records.absorb(&answer[at..]);
        assert_eq!(
            client_records.last(),
            Some(&(HANDSHAKE, handshake(20, &client_finished))),
            "the client's Finished is not what the harness computed"
        );
    }

    // RFC 5077 §3.3: NewSessionTicket before ChangeCipherSpec.
    let mut wire = Vec::new();
    if sends_ticket && input.u8() < 250 {
        let ticket = new_session_ticket(&mut input);
        transcript.extend(&ticket);
        wire.extend(plaintext_records(&mut input, HANDSHAKE, &ticket, 0x4000));
    }
    wire.extend([20, 3, 3, 0, 1, 1]);
    let mut verify_data = finished(suite, &master, b"server finished", &transcript);
    if input.u8() >= 250 {
        verify_data[0] ^= 1;
    }
    let mut sealer = Sealer12::new(suite, &master, &hello.random, &server_random);
    wire.extend(sealer.seal(HANDSHAKE, &handshake(20, &verify_data)));
    let completed = common::note("server finished", common::deliver(&mut conn, &wire, chunk))
        .is_ok()
        && !conn.is_handshaking();
    if !completed {
        common::check_failure(&mut client_records);
    } else {
        post_handshake(
            &mut input,
            &mut conn,
            &mut sealer,
            &mut client_records,
            chunk,
        );
    }

    // A second connection from the same config offers the stored session
    // (RFC 5246 §7.3, RFC 5077 §3.4); the input may have it resumed.
    common::advance_clock(options, input.u32());
    let mut second = common::connect(&config);
    let out = common::drain(&mut second);
    let mut resumed = false;
    if let Some(hello) = parse_client_hello(&common::handshake_bytes(&out)) {
        if completed && input.u8() < 224 {
            resumed = resume(&mut input, &mut second, &hello, suite, &master, chunk);
        }
    }
    Outcome { completed, resumed }
}

/// The abbreviated handshake: a ServerHello echoing the offered session
/// id, an optional ticket, ChangeCipherSpec and the server's Finished
/// under keys from the first connection's master secret and the new
/// randoms; then the connection after it.
fn resume(
    input: &mut Input,
    conn: &mut ClientConnection,
    hello: &wire::ClientHello,
    suite: Suite12,
    master: &[u8],
    chunk: usize,
) -> bool {
    let mut body = vec![3, 3];
    let random = match input.u8() {
        0..=239 => SERVER_RANDOM.to_vec(),
        _ => input.array::<32>().to_vec(),
    };
    body.extend(&random);
    match input.u8() {
        0..=239 => opaque8(&mut body, &hello.session_id),
        _ => opaque8(&mut body, input.blob()),
    }
    let id = match input.u8() {
        0..=239 => suite.id,
        _ => input.u16(),
    };
    body.extend(id.to_be_bytes());
    body.push(0);
    let flags = input.u8();
    let mut defaults = vec![(23, Vec::new()), (0xff01, vec![0])];
    let sends_ticket = hello.offers_session_ticket && flags & 1 != 0;
    if sends_ticket {
        defaults.push((35, Vec::new()));
    }
    body.extend(wire::extensions(input, defaults));
    let server_hello = handshake(2, &body);
    let mut transcript = hello.message.clone();
    transcript.extend(&server_hello);
    let mut stream = server_hello;
    if sends_ticket {
        let ticket = new_session_ticket(input);
        transcript.extend(&ticket);
        stream.extend(ticket);
    }
    let mut wire = plaintext_records(input, HANDSHAKE, &stream, 0x4000);
    wire.extend([20, 3, 3, 0, 1, 1]);
    let verify_data = finished(suite, master, b"server finished", &transcript);
    let server_finished = handshake(20, &verify_data);
    transcript.extend(&server_finished);
    let mut sealer = Sealer12::new(suite, master, &hello.random, &random);
    wire.extend(sealer.seal(HANDSHAKE, &server_finished));
    let keys = Sealer12::client(suite, master, &hello.random, &random);
    let mut client_records = ClientRecords12::new(keys);
    let answer = match common::note("resumption", common::deliver(conn, &wire, chunk)) {
        Ok(answer) => answer,
        Err(_) => {
            common::check_failure(&mut client_records);
            return false;
        }
    };
    if conn.is_handshaking() {
        return false;
    }
    // The client's ChangeCipherSpec and Finished answer ours.
    let client_finished = finished(suite, master, b"client finished", &transcript);
    let at = after_change_cipher_spec(&answer).expect("the client's ChangeCipherSpec");
    client_records.absorb(&answer[at..]);
    assert_eq!(
        client_records.last(),
        Some(&(HANDSHAKE, handshake(20, &client_finished))),
        "the client's Finished in resumption is not what the harness computed"
    );
    post_handshake(input, conn, &mut sealer, &mut client_records, chunk);
    true
}

/// Where the records after the client's ChangeCipherSpec start.
fn after_change_cipher_spec(written: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(header) = written.get(at..at + 5) {
        let next = at + 5 + u16::from_be_bytes([header[3], header[4]]) as usize;
        if header[0] == 20 {
            return Some(next);
        }
        at = next;
    }
    None
}

/// A TLS 1.2 ServerHello; returns it, its random, and whether it agreed
/// to send a ticket.
fn server_hello(
    input: &mut Input,
    hello: &wire::ClientHello,
    config: &oxtls::ClientConfig,
    suite: u16,
) -> (Vec<u8>, Vec<u8>, bool) {
    let mut body = vec![3, 3];
    let random = match input.u8() {
        0..=239 => SERVER_RANDOM.to_vec(),
        _ => input.array::<32>().to_vec(),
    };
    body.extend(&random);
    match input.u8() {
        0..=199 => opaque8(&mut body, &[0x33; 32]),
        200..=219 => opaque8(&mut body, &hello.session_id),
        220..=239 => opaque8(&mut body, b""),
        _ => opaque8(&mut body, input.blob()),
    }
    body.extend(suite.to_be_bytes());
    body.push(if input.u8() >= 250 { input.u8() } else { 0 });
    let flags = input.u8();
    let mut defaults = vec![(23, Vec::new()), (0xff01, vec![0]), (11, vec![1, 0])];
    let sends_ticket = hello.offers_session_ticket && flags & 0x80 == 0;
    if sends_ticket {
        defaults.push((35, Vec::new()));
    }
    if flags & 1 != 0 || !config.alpn_protocols.is_empty() && flags & 0x40 == 0 {
        let mut list = Vec::new();
        opaque8(&mut list, if flags & 1 != 0 { input.blob() } else { b"h2" });
        let mut alpn = Vec::new();
        opaque16(&mut alpn, &list);
        defaults.push((16, alpn));
    }
    body.extend(wire::extensions(input, defaults));
    (handshake(2, &body), random, sends_ticket)
}

/// Certificate, ServerKeyExchange, an optional CertificateRequest and
/// ServerHelloDone.
fn first_flight(input: &mut Input, ecdsa: bool) -> Vec<Vec<u8>> {
    let mut entries = Vec::new();
    let count = match input.u8() {
        255 => 0,
        n => 1 + n as usize % 3,
    };
    for _ in 0..count {
        let cert: &[u8] = match input.u8() {
            0..=199 => b"not a certificate: the verifier accepts anything",
            _ => input.blob(),
        };
        wire::put_u24(&mut entries, cert.len());
        entries.extend_from_slice(cert);
    }
    let mut body = Vec::new();
    wire::put_u24(&mut body, entries.len());
    body.extend(entries);
    let mut flight = vec![handshake(11, &body)];

    // RFC 8422 §5.4: ECParameters (named_curve), the point, the signature.
    let mut ske = vec![3];
    let group: u16 = match input.u8() {
        0..=239 => 0x1d,
        240..=247 => 0x17,
        _ => input.u16(),
    };
    ske.extend(group.to_be_bytes());
    let point = match input.u8() {
        0..=239 if group == 0x17 => P256_GENERATOR.to_vec(),
        0..=239 => {
            let mut point: [u8; 32] = input.array();
            point[0] ^= 9;
            point.to_vec()
        }
        _ => input.blob().to_vec(),
    };
    opaque8(&mut ske, &point);
    let scheme: u16 = match input.u8() % 8 {
        1 => 0x0804,
        2 => 0x0401,
        3 => 0x0807,
        4 => input.u16(),
        _ if ecdsa => 0x0403,
        _ => 0x0804,
    };
    ske.extend(scheme.to_be_bytes());
    match input.u8() {
        0..=239 => opaque16(&mut ske, &[0xaa; 64]),
        _ => opaque16(&mut ske, input.blob()),
    }
    flight.push(handshake(12, &ske));

    if input.u8() >= 224 {
        // RFC 5246 §7.4.4: certificate types, algorithms, authorities.
        let mut body = Vec::new();
        opaque8(&mut body, &[1, 64]);
        opaque16(&mut body, &[0x04, 0x03, 0x08, 0x04]);
        match input.u8() {
            0..=199 => opaque16(&mut body, b""),
            _ => opaque16(&mut body, input.blob()),
        }
        flight.push(handshake(13, &body));
    }
    flight.push(handshake(14, b""));
    flight
}

const P256_GENERATOR: [u8; 65] = super::tls13_scripted::P256_GENERATOR;

/// RFC 5077 §3.3: lifetime hint and ticket.
fn new_session_ticket(input: &mut Input) -> Vec<u8> {
    let mut body = Vec::new();
    let lifetime: u32 = match input.u8() % 4 {
        1 => 0,
        2 => input.u32(),
        _ => 7200,
    };
    body.extend(lifetime.to_be_bytes());
    let len = match input.u8() {
        0..=199 => 32,
        _ => input.size(0xffff),
    };
    opaque16(&mut body, &vec![0x7a; len]);
    handshake(4, &body)
}

/// After the handshake: data, HelloRequests, alerts, junk.
fn post_handshake(
    input: &mut Input,
    conn: &mut ClientConnection,
    sealer: &mut Sealer12,
    client_records: &mut ClientRecords12,
    chunk: usize,
) {
    for _ in 0..MAX_POST_HANDSHAKE_OPS {
        if input.is_empty() {
            return;
        }
        let wire = match input.u8() % 7 {
            0 => sealer.seal(23, input.blob()),
            1 => {
                let n = 1 + input.u8() as usize % 16;
                sealer.seal(HANDSHAKE, &[0, 0, 0, 0].repeat(n))
            }
            2 => {
                let alert = [input.pick(&[1, 2, 1, 255]), input.u8()];
                sealer.seal(21, &alert)
            }
            3 => {
                let typ = input.u8();
                sealer.seal(typ, input.blob())
            }
            4 => {
                let mut record = vec![input.u8(), 3, 3];
                opaque16(&mut record, input.blob());
                record
            }
            5 => sealer.seal(HANDSHAKE, &handshake(input.u8(), input.blob())),
            _ => {
                common::client_turn(input, conn, client_records);
                continue;
            }
        };
        if !common::deliver_after_handshake(conn, &wire, chunk, client_records) {
            return;
        }
    }
}
