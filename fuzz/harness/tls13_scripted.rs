//! `tls13_scripted`: the fuzzer plays a TLS 1.3 server without doing key
//! exchange. The client logs its secrets (a key log the harness reads), so
//! once it has taken the ServerHello the harness knows the server's
//! handshake traffic secret, seals the rest of the flight itself and ends
//! it with a correct Finished over exactly what it sent. Mutated but
//! parseable messages are therefore accepted, and the fuzzer reaches
//! EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify,
//! Finished and, under the application secrets, NewSessionTicket,
//! KeyUpdate, data and alerts. A second connection from the same config
//! then offers whatever tickets were stored.
//!
//! Every choice is read from the input, and zero is always the ordinary
//! one: an empty input is a complete, valid handshake.

use std::io::Write;
use std::sync::Arc;

use ring::digest;

use super::common::{self, CapturedSecrets};
use super::input::Input;
use super::tls13_keys::{finished, next_secret, open, ClientRecords, Sealer, Suite};
use super::wire::{
    self, edit_messages, handshake, opaque16, opaque8, parse_client_hello, plaintext_records,
};
use oxtls::msgs::hello::HELLO_RETRY_REQUEST_RANDOM;
use oxtls::ClientConnection;

/// The uncompressed P-256 base point: a valid key share the client can
/// complete an exchange with.
pub const P256_GENERATOR: [u8; 65] = [
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40,
    0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2,
    0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e,
    0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51,
    0xf5,
];

const SERVER_RANDOM: [u8; 32] = [0x11; 32];
/// RFC 8446 §4.1.3: what a TLS 1.3 server puts at the end of its random
/// when it negotiates TLS 1.2.
const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";

const HANDSHAKE: u8 = 22;
const MAX_RECORDS: usize = 256;
const MAX_POST_HANDSHAKE_OPS: usize = 48;

pub fn run(data: &[u8]) {
    play(data);
}

/// Plays the input; returns whether the client completed the handshake
/// (so a test can check the harness still gets that far).
pub fn play(data: &[u8]) -> bool {
    let mut input = Input::new(data);
    let secrets = Arc::new(CapturedSecrets::default());
    let options = input.u8();
    let config = common::config(options, Some(secrets.clone()));
    let mut conn = common::connect(&config);
    let first = common::drain(&mut conn);
    let Some(mut hello) = parse_client_hello(&common::handshake_bytes(&first)) else {
        return false;
    };
    let delivery_chunk = match input.u8() {
        0..=199 => usize::MAX,
        n => n as usize - 199,
    };

    // RFC 8446 §4.4.1: after a HelloRetryRequest the transcript starts
    // with a message_hash standing for the first ClientHello.
    let mut transcript = Vec::new();
    if input.u8() >= 224 {
        let hrr = server_hello(&mut input, &hello, true);
        let sent = plaintext_records(&mut input, HANDSHAKE, &hrr, usize::MAX);
        let Ok(again) = common::note(
            "hello retry",
            common::deliver(&mut conn, &sent, delivery_chunk),
        ) else {
            return false;
        };
        let Some(second) = parse_client_hello(&common::handshake_bytes(&again)) else {
            return false;
        };
        let hash = digest::digest(suite_of(&hello, &hrr).digest(), &hello.message);
        transcript.extend(handshake(254, hash.as_ref()));
        transcript.extend(&hrr);
        hello = second;
    }
    transcript.extend(&hello.message);

    let server_hello = server_hello(&mut input, &hello, false);
    let suite = suite_of(&hello, &server_hello);
    transcript.extend(&server_hello);
    let mut sent = plaintext_records(&mut input, HANDSHAKE, &server_hello, usize::MAX);
    // RFC 8446 §D.4: a compatible server sends a ChangeCipherSpec here.
    if input.bool() {
        sent.extend([20, 3, 3, 0, 1, 1]);
    }
    if common::note(
        "server hello",
        common::deliver(&mut conn, &sent, delivery_chunk),
    )
    .is_err()
    {
        return false;
    }
    let Some(hs_secret) = secrets.get("SERVER_HANDSHAKE_TRAFFIC_SECRET") else {
        return false;
    };
    common::drain(&mut conn);

    // The encrypted flight, with a Finished over exactly what was sent.
    let mut flight = server_flight(&mut input, &hello, &config);
    edit_messages(&mut input, &mut flight);
    for message in &flight {
        transcript.extend(message);
    }
    let mut verify_data = finished(suite, &hs_secret, &transcript);
    match input.u8() {
        0..=249 => {}
        250..=252 => verify_data[0] ^= 1,
        _ => verify_data.truncate(input.u8() as usize % verify_data.len()),
    }
    let mut stream: Vec<u8> = flight.concat();
    stream.extend(handshake(20, &verify_data));
    let mut sealer = Sealer::new(suite, &hs_secret);
    let wire = sealed_records(&mut input, &mut sealer, HANDSHAKE, &stream);
    let completed = common::note(
        "encrypted flight",
        common::deliver(&mut conn, &wire, delivery_chunk),
    )
    .is_ok()
        && !conn.is_handshaking();
    if !completed {
        check_encrypted_alert(suite, &secrets);
    }
    if completed {
        if let (Some(server_secret), Some(client_secret)) = (
            secrets.get("SERVER_TRAFFIC_SECRET_0"),
            secrets.get("CLIENT_TRAFFIC_SECRET_0"),
        ) {
            let mut client_records = ClientRecords::new(suite, client_secret);
            post_handshake(
                &mut input,
                &mut conn,
                suite,
                server_secret,
                &mut client_records,
                delivery_chunk,
            );
        }
    }

    // A second connection from the same config offers a stored ticket
    // (and early data, if the config and the ticket allow it).
    common::advance_clock(options, input.u32());
    let mut second = common::connect(&config);
    let mut out = common::drain(&mut second);
    if let Some(mut early) = second.early_data() {
        let _ = early.write(b"GET / HTTP/1.1\r\n\r\n");
    }
    out.extend(common::drain(&mut second));
    parse_client_hello(&common::handshake_bytes(&out));
    completed
}

/// After a failure in the encrypted flight: the client's alert went out
/// under its handshake traffic secret, and must be the one its error
/// names (checked by `common::deliver`: here, what the alert says).
fn check_encrypted_alert(suite: Suite, secrets: &CapturedSecrets) {
    let (Some(alert), written) = common::failure_output() else {
        return;
    };
    let Some(secret) = secrets.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET") else {
        return;
    };
    // Its first record under these keys (a ChangeCipherSpec in the clear
    // may come before).
    let mut rest = &written[..];
    while rest.len() >= 5 {
        let len = 5 + u16::from_be_bytes([rest[3], rest[4]]) as usize;
        let Some(record) = rest.get(..len) else {
            return;
        };
        if record[0] == 23 {
            if let Some((typ, content)) = open(suite, &secret, 0, record) {
                assert_eq!(
                    typ, 21,
                    "the client's first encrypted record is not an alert"
                );
                assert_eq!(
                    content,
                    [2, alert.to_wire()],
                    "the client's alert is not a fatal {alert:?}"
                );
                ALERT_CHECKED.with(|c| c.set(true));
            }
            return;
        }
        rest = &rest[len..];
    }
}

thread_local! {
    /// Set when `check_encrypted_alert` has opened an alert (for the test
    /// that shows it can).
    pub static ALERT_CHECKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The suite a ServerHello names, if the harness can seal with it; else
/// the usual one (the client will refuse the hello anyway).
fn suite_of(_hello: &wire::ClientHello, server_hello: &[u8]) -> Suite {
    // type(1) len(3) version(2) random(32) session_id(1 + n) suite(2)
    let id = server_hello
        .get(38)
        .and_then(|&n| server_hello.get(39 + n as usize..41 + n as usize))
        .map(|b| u16::from_be_bytes([b[0], b[1]]));
    id.and_then(Suite::from_id)
        .unwrap_or(Suite::Aes128GcmSha256)
}

/// A ServerHello (or HelloRetryRequest) answering `hello`, each field of
/// which the input may change.
fn server_hello(input: &mut Input, hello: &wire::ClientHello, retry: bool) -> Vec<u8> {
    let mut body = Vec::new();
    match input.u8() {
        0..=250 => body.extend([3, 3]),
        _ => body.extend(input.u16().to_be_bytes()),
    }
    let random = match input.u8() {
        _ if retry => HELLO_RETRY_REQUEST_RANDOM,
        0..=239 => SERVER_RANDOM,
        240..=247 => input.array(),
        248..=251 => HELLO_RETRY_REQUEST_RANDOM,
        _ => {
            let mut r = SERVER_RANDOM;
            r[24..].copy_from_slice(&DOWNGRADE_TLS12);
            r
        }
    };
    body.extend(random);
    match input.u8() {
        0..=249 => opaque8(&mut body, &hello.session_id),
        _ => opaque8(&mut body, input.blob()),
    }
    let suite: u16 = match input.u8() % 8 {
        1 => 0x1302,
        2 => 0x1303,
        3 => 0xc02f,
        4 => input.u16(),
        _ => 0x1301,
    };
    body.extend(suite.to_be_bytes());
    body.push(if input.u8() >= 250 { input.u8() } else { 0 });

    let mut defaults = vec![(43, vec![3, 4])];
    if retry {
        // Without a change of group, a cookie is what makes the retry
        // legitimate (RFC 8446 §4.1.4).
        let mut cookie = Vec::new();
        opaque16(&mut cookie, b"fuzz cookie");
        defaults.push((44, cookie));
    } else {
        let group = match input.u8() {
            0..=239 => hello.key_share_group.unwrap_or(0x1d),
            240..=247 => 0x17,
            _ => input.u16(),
        };
        let share = match group {
            0x17 => P256_GENERATOR.to_vec(),
            // Any point but those of small order will do: the base point
            // (9) unless the input chooses.
            _ => {
                let mut point: [u8; 32] = input.array();
                point[0] ^= 9;
                point.to_vec()
            }
        };
        let mut entry = group.to_be_bytes().to_vec();
        opaque16(&mut entry, &share);
        defaults.push((51, entry));
    }
    body.extend(wire::extensions(input, defaults));
    handshake(2, &body)
}

/// EncryptedExtensions, an optional CertificateRequest, Certificate and
/// CertificateVerify: each message whole, in order.
fn server_flight(
    input: &mut Input,
    hello: &wire::ClientHello,
    config: &oxtls::ClientConfig,
) -> Vec<Vec<u8>> {
    let flags = input.u8();
    let mut ee = Vec::new();
    if flags & 1 != 0 || !config.alpn_protocols.is_empty() && flags & 0x80 == 0 {
        let mut list = Vec::new();
        opaque8(&mut list, if flags & 1 != 0 { input.blob() } else { b"h2" });
        let mut body = Vec::new();
        opaque16(&mut body, &list);
        ee.push((16, body));
    }
    if flags & 2 != 0 || hello.offers_early_data && flags & 0x40 == 0 {
        ee.push((42, Vec::new()));
    }
    if flags & 4 != 0 {
        ee.push((0, Vec::new()));
    }
    if flags & 8 != 0 {
        ee.push((28, input.u16().to_be_bytes().to_vec()));
    }
    let mut flight = vec![handshake(8, &wire::extensions(input, ee))];

    if flags & 0x10 != 0 {
        let mut body = Vec::new();
        opaque8(
            &mut body,
            if input.u8() >= 250 { input.blob() } else { b"" },
        );
        let mut schemes = Vec::new();
        opaque16(&mut schemes, &[0x08, 0x04, 0x04, 0x03]);
        body.extend(wire::extensions(input, vec![(13, schemes)]));
        flight.push(handshake(13, &body));
    }

    let mut body = Vec::new();
    opaque8(
        &mut body,
        if input.u8() >= 250 { input.blob() } else { b"" },
    );
    let mut entries = Vec::new();
    let count = match input.u8() {
        255 => 0,
        n => 1 + n as usize % 3,
    };
    for _ in 0..count {
        match input.u8() {
            0..=199 => put_cert(
                &mut entries,
                b"not a certificate: the verifier accepts anything",
            ),
            200..=239 => put_cert(&mut entries, input.blob()),
            _ => put_cert(&mut entries, &vec![0x30; input.size(0xff_ffff)]),
        }
        entries.extend(wire::extensions(input, Vec::new()));
    }
    let mut list = Vec::new();
    wire::put_u24(&mut list, entries.len());
    list.extend(entries);
    body.extend(list);
    flight.push(handshake(11, &body));

    let mut body = Vec::new();
    let scheme: u16 = match input.u8() % 8 {
        1 => 0x0403,
        2 => 0x0807,
        3 => 0x0401,
        4 => input.u16(),
        _ => 0x0804,
    };
    body.extend(scheme.to_be_bytes());
    match input.u8() {
        0..=239 => opaque16(&mut body, &[0xaa; 64]),
        _ => opaque16(&mut body, input.blob()),
    }
    flight.push(handshake(15, &body));
    flight
}

fn put_cert(out: &mut Vec<u8>, cert: &[u8]) {
    wire::put_u24(out, cert.len());
    out.extend_from_slice(cert);
}

/// `stream` sealed as records of inner type `typ`: the input chooses
/// where records end, their padding, a wrong inner type, and records of
/// other kinds in between.
fn sealed_records(input: &mut Input, sealer: &mut Sealer, typ: u8, stream: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = stream;
    for _ in 0..MAX_RECORDS {
        let control = input.u8();
        let len = if control & 0x0f == 0 {
            rest.len().min(0x4000)
        } else {
            input.size(0x4000).min(rest.len())
        };
        // RFC 8446 §5.4: any amount of zero padding, up to the record's
        // limit (and past it when the input asks).
        let padding = if control & 0x10 != 0 {
            input.size(0x4000).min(0xff00 - len)
        } else {
            0
        };
        let inner = if control & 0x20 != 0 { input.u8() } else { typ };
        if control & 0x40 != 0 {
            let junk_type = input.u8();
            let junk = input.blob();
            out.extend(sealer.seal(junk_type, &junk[..junk.len().min(0xff00)], 0));
        }
        if control & 0x80 != 0 {
            out.extend([20, 3, 3, 0, 1, 1]);
        }
        let (this, next) = rest.split_at(len);
        out.extend(sealer.seal(inner, this, padding));
        rest = next;
        if rest.is_empty() {
            break;
        }
    }
    out
}

/// After the handshake: tickets, key updates, data, alerts and junk, in
/// the order the input gives, until the client fails or the input ends.
fn post_handshake(
    input: &mut Input,
    conn: &mut ClientConnection,
    suite: Suite,
    mut secret: Vec<u8>,
    client_records: &mut ClientRecords,
    chunk: usize,
) {
    let mut sealer = Sealer::new(suite, &secret);
    for _ in 0..MAX_POST_HANDSHAKE_OPS {
        if input.is_empty() {
            return;
        }
        let wire = match input.u8() % 8 {
            0 => {
                let mut stream = Vec::new();
                for _ in 0..1 + input.u8() % 3 {
                    stream.extend(new_session_ticket(input));
                }
                sealed_records(input, &mut sealer, HANDSHAKE, &stream)
            }
            1 => {
                let request = match input.u8() {
                    0..=127 => 0,
                    128..=250 => 1,
                    _ => input.u8(),
                };
                let wire =
                    sealed_records(input, &mut sealer, HANDSHAKE, &handshake(24, &[request]));
                // RFC 8446 §4.6.3: our next records use the next secret.
                secret = next_secret(suite, &secret);
                sealer = Sealer::new(suite, &secret);
                wire
            }
            2 => {
                let data = input.blob().to_vec();
                sealed_records(input, &mut sealer, 23, &data)
            }
            3 => {
                let alert = [input.pick(&[1, 2, 1, 255]), input.u8()];
                sealed_records(input, &mut sealer, 21, &alert)
            }
            4 => {
                let mut record = vec![input.u8(), 3, 3];
                opaque16(&mut record, input.blob());
                record
            }
            5 => {
                let message = handshake(input.u8(), input.blob());
                sealed_records(input, &mut sealer, HANDSHAKE, &message)
            }
            6 => vec![20, 3, 3, 0, 1, 1],
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

/// A NewSessionTicket (RFC 8446 §4.6.1) with the input's lifetime,
/// age_add, nonce, ticket and extensions.
fn new_session_ticket(input: &mut Input) -> Vec<u8> {
    let mut body = Vec::new();
    let lifetime: u32 = match input.u8() % 8 {
        1 => 0,
        2 => 604_800,
        3 => 604_801,
        4 => input.u32(),
        _ => 7200,
    };
    body.extend(lifetime.to_be_bytes());
    body.extend(input.u32().to_be_bytes());
    match input.u8() {
        0..=199 => opaque8(&mut body, b"nonce"),
        _ => opaque8(&mut body, input.blob()),
    }
    let ticket_len = match input.u8() {
        0..=199 => 32,
        _ => input.size(0xffff),
    };
    opaque16(&mut body, &vec![0x7a; ticket_len]);
    let mut defaults = Vec::new();
    let early = input.u8();
    if early & 1 != 0 {
        let max: u32 = match early >> 1 {
            0..=63 => 16384,
            64..=95 => 0xffff_ffff,
            _ => input.u32(),
        };
        defaults.push((42, max.to_be_bytes().to_vec()));
    }
    body.extend(wire::extensions(input, defaults));
    handshake(4, &body)
}
