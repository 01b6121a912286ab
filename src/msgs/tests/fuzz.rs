//! Thousands of random and mutated inputs thrown at every parser, from a
//! fixed seed so any failure reproduces. A parser must return, not panic,
//! and whatever it accepts must encode back to the same bytes.

use core::fmt::Debug;

use super::*;
use crate::msgs::alert::{AlertMessage, ChangeCipherSpecPayload};
use crate::msgs::codec::{Codec, Reader};
use crate::msgs::extensions::{encode_extensions, read_extensions, ExtensionForm};
use crate::test_vectors::rfc8448;

/// xorshift64* (Vigna, 2016): small, fast, and good enough to pick bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }
}

/// Applies one to four random edits: change a byte (often to a boundary
/// value, which turns length fields overlong or empty), cut, insert,
/// delete, or repeat a stretch.
fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 | 1 if at < out.len() => {
                out[at] = [0, 1, 0xff, 0x7f, rng.byte()][rng.below(5)];
            }
            2 if at < out.len() => out[at] ^= 1 << rng.below(8),
            3 => out.truncate(at),
            4 => {
                let n = 1 + rng.below(8);
                let extra = rng.bytes(n);
                out.splice(at..at, extra);
            }
            5 => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                out.drain(at..end);
            }
            _ => {
                let end = (at + 1 + rng.below(32)).min(out.len());
                let stretch = out[at..end].to_vec();
                out.splice(at..at, stretch);
            }
        }
    }
    out
}

fn check_message(input: &[u8]) {
    for version in [TLS13, TLS12] {
        if let Ok(msg) = HandshakeMessage::parse(input, version) {
            assert!(
                msg.get_encoding() == input || may_reencode_differently(&msg),
                "{input:02x?} parsed as {msg:?} but does not encode back"
            );
        }
    }
}

fn check_block<E: ExtensionForm + Debug>(input: &[u8]) {
    if let Ok(exts) = read_extensions::<E>(&mut Reader::new(input), "block") {
        let mut again = Vec::new();
        encode_extensions(&exts, &mut again);
        assert_eq!(Some(&again[..]), input.get(..again.len()), "{exts:?}");
    }
}

fn block_of<E: ExtensionForm + Clone>(exts: &[E]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_extensions(&distinct(exts), &mut out);
    out
}

/// Real messages from the RFC 8448 traces, as extra seeds.
fn trace_messages() -> Vec<Vec<u8>> {
    [
        ("3. ", "{client}  construct a ClientHello", "ClientHello"),
        ("3. ", "{server}  construct a ServerHello", "ServerHello"),
        (
            "3. ",
            "construct a EncryptedExtensions",
            "EncryptedExtensions",
        ),
        (
            "3. ",
            "{server}  construct a Certificate handshake",
            "Certificate",
        ),
        ("3. ", "construct a NewSessionTicket", "NewSessionTicket"),
        ("4. ", "{client}  send handshake record", "payload"),
        ("5. ", "{server}  construct a ServerHello", "ServerHello"),
        (
            "6. ",
            "construct a CertificateRequest",
            "CertificateRequest",
        ),
    ]
    .iter()
    .map(|(section, step, label)| rfc8448(section, step, label))
    .collect()
}

#[test]
fn no_parser_panics_on_random_or_mutated_input() {
    let mut rng = Rng(0x5eed_0f0c_7a1e_5555);
    let mut seeds: Vec<Vec<u8>> = sample_messages()
        .iter()
        .map(|(m, _)| m.get_encoding())
        .collect();
    seeds.extend(trace_messages());

    for round in 0..40_000 {
        let seed = &seeds[rng.below(seeds.len())];
        let mut input = mutate(&mut rng, seed);
        // Half the time, repair the length in the header so the body
        // parser is reached instead of failing at the frame.
        if round % 2 == 0 && input.len() >= 4 {
            let typ = HandshakeType::from(input[0]);
            input = framed(typ, &input[4..]);
        }
        check_message(&input);
    }

    for _ in 0..20_000 {
        let len = rng.below(80);
        let body = rng.bytes(len);
        let typ = HandshakeType::from(
            [
                1,
                2,
                4,
                8,
                11,
                12,
                13,
                15,
                16,
                20,
                22,
                24,
                0,
                5,
                14,
                254,
                rng.byte(),
            ][rng.below(17)],
        );
        check_message(&framed(typ, &body));
        check_message(&body);
        let _ = AlertMessage::read_bytes(&body);
        let _ = ChangeCipherSpecPayload::parse(&body);
        let _ = ChangeCipherSpecPayload::read_bytes(&body);
    }
}

#[test]
fn no_extension_parser_panics_on_mutated_blocks() {
    let mut rng = Rng(0xb10c_5eed);
    let client = block_of(&client_extensions());
    let server = block_of(&server_extensions());
    let retry = block_of(&hello_retry_extensions());
    let cert = block_of(&certificate_extensions());
    let req = block_of(&cert_req_extensions());
    let nst = block_of(&nst_extensions());
    let seeds = [&client, &server, &retry, &cert, &req, &nst];
    for _ in 0..20_000 {
        let seed = seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed);
        check_block::<ClientExtension>(&input);
        check_block::<ServerExtension>(&input);
        check_block::<HelloRetryExtension>(&input);
        check_block::<CertificateExtension>(&input);
        check_block::<CertReqExtension>(&input);
        check_block::<NewSessionTicketExtension>(&input);
    }
    // Unmutated blocks read in the wrong form must not panic either.
    for seed in seeds {
        check_block::<ClientExtension>(seed);
        check_block::<ServerExtension>(seed);
        check_block::<HelloRetryExtension>(seed);
    }
}

#[test]
fn generator_is_seeded() {
    let a: Vec<u64> = (0..4)
        .map({
            let mut r = Rng(1);
            move |_| r.next()
        })
        .collect();
    let b: Vec<u64> = (0..4)
        .map({
            let mut r = Rng(1);
            move |_| r.next()
        })
        .collect();
    assert_eq!(a, b);
    assert!(a.windows(2).all(|w| w[0] != w[1]));
}
