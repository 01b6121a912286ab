//! Known answers for the TLS 1.3 key schedule from the RFC 8448 traces,
//! plus the exporter and KeyUpdate cross-checked against OpenSSL.

use super::*;
use crate::crypto::hash::TranscriptBuffer;
use crate::crypto::kx::{KeyExchange, SECP256R1, X25519};
use crate::crypto::rand::Randomness;
use crate::test_vectors::rfc8448;

const SHA256: HashAlgorithm = HashAlgorithm::Sha256;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A handshake message's body: the message minus its 4-byte header.
fn body(message: &[u8]) -> &[u8] {
    &message[4..]
}

fn assert_keys(keys: &TrafficKeys, section: &str, step: &str) {
    assert_eq!(
        keys.key_bytes(),
        rfc8448(section, step, "key expanded"),
        "{step}"
    );
    assert_eq!(
        keys.iv().to_vec(),
        rfc8448(section, step, "iv expanded"),
        "{step}"
    );
    assert!(keys.aead_key().is_ok());
}

/// The ECDHE secret of a section, from the client's fixed private key and
/// the server's public key.
fn ecdhe(section: &str) -> SharedSecret {
    let private = rfc8448(
        section,
        "{client}  create an ephemeral x25519",
        "private key",
    );
    let server_public = rfc8448(
        section,
        "{server}  create an ephemeral x25519",
        "public key",
    );
    KeyExchange::start(&X25519, &Randomness::fixed_for_testing(private))
        .unwrap()
        .complete(&server_public)
        .unwrap()
}

/// RFC 8448 §3, a full handshake: every secret, key, IV and Finished.
#[test]
fn rfc8448_simple_1rtt_handshake() {
    let s = "3. ";
    let ch = rfc8448(s, "construct a ClientHello", "ClientHello");
    let sh = rfc8448(s, "construct a ServerHello", "ServerHello");
    let ee = rfc8448(s, "construct a EncryptedExtensions", "EncryptedExtensions");
    let cert = rfc8448(s, "construct a Certificate handshake", "Certificate");
    let cv = rfc8448(s, "construct a CertificateVerify", "CertificateVerify");
    let server_fin = rfc8448(s, "{server}  construct a Finished", "Finished");
    let client_fin = rfc8448(s, "{client}  construct a Finished", "Finished");

    // The transcript starts before the suite is known.
    let mut buffer = TranscriptBuffer::new();
    buffer.add(&ch);
    buffer.add(&sh);
    let mut transcript = buffer.start_hash(SHA256);

    let early = EarlySecret::new(SHA256, None);
    assert_eq!(
        early.secret().as_bytes(),
        rfc8448(s, "extract secret \"early\"", "secret")
    );
    assert_eq!(
        early.secret().derived_salt().as_bytes(),
        rfc8448(
            s,
            "derive secret for handshake \"tls13 derived\"",
            "expanded"
        )
    );

    let hs = early.into_handshake_secret(Some(ecdhe(s)));
    assert_eq!(
        hs.secret().as_bytes(),
        rfc8448(s, "extract secret \"handshake\"", "secret")
    );

    let hello_hash = transcript.current_hash();
    assert_eq!(
        hello_hash.as_bytes(),
        rfc8448(s, "derive secret \"tls13 c hs traffic\"", "hash")
    );
    let c_hs = hs.client_handshake_traffic_secret(&hello_hash);
    let s_hs = hs.server_handshake_traffic_secret(&hello_hash);
    assert_eq!(
        c_hs.as_bytes(),
        rfc8448(s, "derive secret \"tls13 c hs traffic\"", "expanded")
    );
    assert_eq!(
        s_hs.as_bytes(),
        rfc8448(s, "derive secret \"tls13 s hs traffic\"", "expanded")
    );
    assert_eq!(
        hs.secret().derived_salt().as_bytes(),
        rfc8448(s, "derive secret for master \"tls13 derived\"", "expanded")
    );

    // Handshake traffic keys: the server's write keys, and the server's
    // read keys, which are the client's write keys.
    assert_keys(
        &s_hs.traffic_keys(AeadAlgorithm::Aes128Gcm),
        s,
        "{server}  derive write traffic keys for handshake data",
    );
    assert_keys(
        &c_hs.traffic_keys(AeadAlgorithm::Aes128Gcm),
        s,
        "{server}  derive read traffic keys for handshake data",
    );

    // The server's Finished covers ClientHello..CertificateVerify.
    transcript.add(&ee);
    transcript.add(&cert);
    transcript.add(&cv);
    let server_finished_step = "{server}  calculate finished";
    assert_eq!(
        s_hs.finished_key().as_bytes(),
        rfc8448(s, server_finished_step, "expanded")
    );
    let verify = s_hs.finished_verify_data(&transcript.current_hash());
    assert_eq!(
        verify.as_bytes(),
        rfc8448(s, server_finished_step, "finished")
    );
    assert_eq!(verify.as_bytes(), body(&server_fin));
    let (_, s_finished) = s_hs.handshake_traffic_keys(AeadAlgorithm::Aes128Gcm);
    assert!(s_finished.verify(&transcript.current_hash(), body(&server_fin)));
    let mut forged = body(&server_fin).to_vec();
    forged[31] ^= 0x80;
    assert!(!s_finished.verify(&transcript.current_hash(), &forged));
    assert!(!s_finished.verify(&transcript.current_hash(), &forged[..31]));
    transcript.add(&server_fin);

    // Application secrets, after the server's Finished.
    let master = hs.into_master_secret();
    assert_eq!(
        master.secret().as_bytes(),
        rfc8448(s, "extract secret \"master\"", "secret")
    );
    let server_finished_hash = transcript.current_hash();
    assert_eq!(
        server_finished_hash.as_bytes(),
        rfc8448(s, "derive secret \"tls13 c ap traffic\"", "hash")
    );
    let c_ap = master.client_application_traffic_secret(&server_finished_hash);
    let s_ap = master.server_application_traffic_secret(&server_finished_hash);
    let exporter = master.exporter_master_secret(&server_finished_hash);
    assert_eq!(
        c_ap.as_bytes(),
        rfc8448(s, "derive secret \"tls13 c ap traffic\"", "expanded")
    );
    assert_eq!(
        s_ap.as_bytes(),
        rfc8448(s, "derive secret \"tls13 s ap traffic\"", "expanded")
    );
    assert_eq!(
        exporter.as_bytes(),
        rfc8448(s, "derive secret \"tls13 exp master\"", "expanded")
    );
    assert_keys(
        &s_ap.traffic_keys(AeadAlgorithm::Aes128Gcm),
        s,
        "{server}  derive write traffic keys for application data",
    );
    assert_keys(
        &c_ap.traffic_keys(AeadAlgorithm::Aes128Gcm),
        s,
        "{client}  derive write traffic keys for application data",
    );

    // The client's Finished covers ClientHello..server Finished.
    let client_finished_step = "{client}  calculate finished \"tls13 finished\":";
    assert_eq!(
        c_hs.finished_key().as_bytes(),
        rfc8448(s, client_finished_step, "expanded")
    );
    let verify = c_hs.finished_verify_data(&server_finished_hash);
    assert_eq!(
        verify.as_bytes(),
        rfc8448(s, client_finished_step, "finished")
    );
    assert_eq!(verify.as_bytes(), body(&client_fin));
    transcript.add(&client_fin);

    let rms = master.resumption_master_secret(&transcript.current_hash());
    assert_eq!(
        rms.as_bytes(),
        rfc8448(
            s,
            "{client}  derive secret \"tls13 res master\"",
            "expanded"
        )
    );

    // The ticket's PSK; its nonce is the trace's "hash" (context) value.
    let nonce = rfc8448(s, "generate resumption secret", "hash");
    assert_eq!(nonce, [0, 0]);
    let psk = resumption_psk(&rms, &nonce).unwrap();
    assert_eq!(
        psk.as_bytes(),
        rfc8448(s, "generate resumption secret", "expanded")
    );
}

/// RFC 8448 §4, resumption with 0-RTT: the PSK from §3's ticket, the
/// binder in the ClientHello, and the early and handshake secrets.
#[test]
fn rfc8448_resumed_0rtt_handshake() {
    let s = "4. ";
    let psk = rfc8448("3. ", "generate resumption secret", "expanded");
    let early = EarlySecret::new(SHA256, Some(&psk));
    assert_eq!(
        early.secret().as_bytes(),
        rfc8448(s, "extract secret \"early\"", "secret")
    );

    // The ClientHello as sent ends with the binders list: a 2-byte list
    // length, then one binder of a 1-byte length and 32 bytes.
    let full_ch = rfc8448(s, "{client}  send handshake record", "payload");
    let (truncated, binders) = full_ch.split_at(full_ch.len() - (2 + 1 + 32));
    assert_eq!(
        truncated,
        &rfc8448(s, "calculate PSK binder", "ClientHello prefix")[..]
    );
    assert_eq!(&binders[..3], &[0x00, 0x21, 0x20]);

    let buffer = {
        let mut b = TranscriptBuffer::new();
        b.add(&full_ch);
        b
    };
    let truncated_hash = TranscriptBuffer::new().hash_with(SHA256, truncated);
    assert_eq!(
        truncated_hash.as_bytes(),
        rfc8448(s, "calculate PSK binder", "binder hash")
    );
    let binder_key = early.binder_key(PskKind::Resumption);
    assert_eq!(
        binder_key.as_bytes(),
        rfc8448(s, "calculate PSK binder", "PRK")
    );
    assert_eq!(
        binder_key.finished_key().as_bytes(),
        rfc8448(s, "calculate PSK binder", "expanded")
    );
    let binder = early.psk_binder(PskKind::Resumption, &truncated_hash);
    assert_eq!(
        binder.as_bytes(),
        rfc8448(s, "calculate PSK binder", "finished")
    );
    assert_eq!(binder.as_bytes(), &binders[3..]);
    // An external PSK uses a different label, so a different binder.
    assert_ne!(early.psk_binder(PskKind::External, &truncated_hash), binder);

    // Early secrets are over the whole ClientHello.
    let ch_hash = buffer.hash_with(SHA256, &[]);
    assert_eq!(
        ch_hash.as_bytes(),
        rfc8448(s, "derive secret \"tls13 c e traffic\"", "hash")
    );
    let c_e = early.client_early_traffic_secret(&ch_hash);
    assert_eq!(
        c_e.as_bytes(),
        rfc8448(s, "derive secret \"tls13 c e traffic\"", "expanded")
    );
    assert_eq!(
        early.early_exporter_master_secret(&ch_hash).as_bytes(),
        rfc8448(s, "derive secret \"tls13 e exp master\"", "expanded")
    );
    assert_keys(
        &c_e.traffic_keys(AeadAlgorithm::Aes128Gcm),
        s,
        "derive write traffic keys for early application data",
    );

    // The handshake secret mixes the PSK schedule with this section's
    // ECDHE.
    let sh = rfc8448(s, "construct a ServerHello", "ServerHello");
    let hs = early.into_handshake_secret(Some(ecdhe(s)));
    assert_eq!(
        hs.secret().as_bytes(),
        rfc8448(s, "extract secret \"handshake\"", "secret")
    );
    let mut transcript = buffer.start_hash(SHA256);
    transcript.add(&sh);
    assert_eq!(
        hs.client_handshake_traffic_secret(&transcript.current_hash())
            .as_bytes(),
        rfc8448(s, "derive secret \"tls13 c hs traffic\"", "expanded")
    );
    assert_eq!(
        hs.into_master_secret().secret().as_bytes(),
        rfc8448(s, "extract secret \"master\"", "secret")
    );
}

/// RFC 8448 §5, after a HelloRetryRequest: the P-256 ECDHE secret and the
/// transcript with ClientHello1 replaced by its message_hash give the
/// trace's handshake traffic secrets.
#[test]
fn rfc8448_hello_retry_request() {
    let s = "5. ";
    // The reader finds the first matching step of a section, so the second
    // ClientHello and ServerHello are read from "sections" starting at the
    // unique step lines just before each of them.
    let client_p256 = "   {client}  create an ephemeral P-256 key pair";
    let server_p256 = "   {server}  create an ephemeral P-256 key pair";
    let ch1 = rfc8448(s, "construct a ClientHello", "ClientHello");
    let hrr = rfc8448(s, "construct a ServerHello", "ServerHello");
    let ch2 = rfc8448(client_p256, "construct a ClientHello", "ClientHello");
    let sh = rfc8448(server_p256, "construct a ServerHello", "ServerHello");

    let mut buffer = TranscriptBuffer::new();
    buffer.add(&ch1);
    // The HelloRetryRequest names the suite, so hashing starts with it.
    let mut transcript = buffer.start_hash(SHA256);
    transcript.replace_with_message_hash();
    for m in [&hrr, &ch2, &sh] {
        transcript.add(m);
    }

    let private = rfc8448(client_p256, "P-256", "private key");
    let server_public = rfc8448(server_p256, "P-256", "public key");
    let ecdhe = KeyExchange::start(&SECP256R1, &Randomness::fixed_for_testing(private))
        .unwrap()
        .complete(&server_public)
        .unwrap();
    let hs = EarlySecret::new(SHA256, None).into_handshake_secret(Some(ecdhe));
    assert_eq!(
        hs.secret().as_bytes(),
        rfc8448(s, "extract secret \"handshake\"", "secret")
    );
    let hello_hash = transcript.current_hash();
    assert_eq!(
        hs.client_handshake_traffic_secret(&hello_hash).as_bytes(),
        rfc8448(s, "derive secret \"tls13 c hs traffic\"", "expanded")
    );
    assert_eq!(
        hs.server_handshake_traffic_secret(&hello_hash).as_bytes(),
        rfc8448(s, "derive secret \"tls13 s hs traffic\"", "expanded")
    );
}

/// A psk_ke handshake (no ECDHE) extracts the handshake secret from zeros:
/// the same as the master-secret step, which also extracts from zeros.
#[test]
fn handshake_secret_without_ecdhe_uses_zeros() {
    let early = EarlySecret::new(SHA256, Some(&[7; 32]));
    let salt = early.secret().derived_salt();
    let expected = hkdf::extract(SHA256, salt.as_bytes(), &[0; 32]);
    let hs = early.into_handshake_secret(None);
    assert_eq!(hs.secret().as_bytes(), expected.as_bytes());
}

/// KeyUpdate (RFC 8446 §7.2), cross-checked with OpenSSL 3.0's independent
/// HKDF-Expand-Label, on the client application traffic secret of RFC 8448
/// §3:
///
/// ```text
/// openssl kdf -keylen 32 -kdfopt mode:EXPAND_ONLY -kdfopt digest:SHA256 \
///   -kdfopt hexkey:2dca43b0ae13af89e9533d39b65dd25cc22df9e7afcaf082a76895a4da353b50 \
///   -kdfopt "prefix:tls13 " -kdfopt "label:traffic upd" TLS13-KDF
/// ```
#[test]
fn next_traffic_secret_matches_openssl() {
    let c_ap = Secret::from_bytes(
        SHA256,
        &rfc8448("3. ", "derive secret \"tls13 c ap traffic\"", "expanded"),
    )
    .unwrap();
    let next = c_ap.next_traffic_secret();
    assert_eq!(
        next.as_bytes(),
        unhex("0c08b3504d2c97bae7b067b914a0b45ce4eb9789fbc936c1a5d9947f04a8a187")
    );
    assert_eq!(next.hash_algorithm(), SHA256);
    assert_ne!(next.next_traffic_secret().as_bytes(), next.as_bytes());
}

/// The exporter (RFC 8446 §7.5) on the exporter_master_secret of RFC 8448
/// §3, label "EXPERIMENTAL test", 40 bytes, cross-checked with OpenSSL
/// 3.0's TLS13-KDF in two steps as the formula reads:
///
/// ```text
/// EMS=319b2e433f189fc5a1d81ea369e3af838cbecb0db8fffd5b9ab205afcdb999d9
/// EMPTY=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  # SHA-256("")
/// openssl kdf -keylen 32 -kdfopt mode:EXPAND_ONLY -kdfopt digest:SHA256 -kdfopt hexkey:$EMS \
///   -kdfopt "prefix:tls13 " -kdfopt "label:EXPERIMENTAL test" -kdfopt hexdata:$EMPTY TLS13-KDF
///   # = cc99a30defe472ebeb16930a070fcece2240b177ae1402b65789ef794b54c6fa (PER)
/// openssl kdf -keylen 40 -kdfopt mode:EXPAND_ONLY -kdfopt digest:SHA256 -kdfopt hexkey:$PER \
///   -kdfopt "prefix:tls13 " -kdfopt "label:exporter" -kdfopt hexdata:<SHA-256(context)> TLS13-KDF
/// ```
///
/// with context "context" (SHA-256 ea7792a2...) and with no context
/// (SHA-256 of "").
#[test]
fn exporter_matches_openssl() {
    let ems = Secret::from_bytes(
        SHA256,
        &rfc8448("3. ", "derive secret \"tls13 exp master\"", "expanded"),
    )
    .unwrap();
    let mut out = [0u8; 40];
    export(&ems, b"EXPERIMENTAL test", Some(b"context"), &mut out).unwrap();
    assert_eq!(
        out.to_vec(),
        unhex(
            "f7dafaf8f4aa847eea4fc71b128e1534e3530f99d39e8b6f342028b30890e73e\
             9db0525f35fd9ac2"
        )
    );
    let no_context = unhex(
        "765ce04dede4468de6af63929c76935f34a60f470a9a5696001f2aae70ccb996\
         307df8bcee655b4b",
    );
    export(&ems, b"EXPERIMENTAL test", None, &mut out).unwrap();
    assert_eq!(out.to_vec(), no_context);
    // RFC 8446 §7.5: no context and an empty context are the same.
    export(&ems, b"EXPERIMENTAL test", Some(b""), &mut out).unwrap();
    assert_eq!(out.to_vec(), no_context);

    assert!(export(&ems, &[b'a'; 250], None, &mut out).is_err());
    let mut too_long = vec![0u8; 255 * 32 + 1];
    assert!(export(&ems, b"x", None, &mut too_long).is_err());
}

#[test]
fn resumption_psk_refuses_oversized_nonce() {
    let rms = Secret::from_bytes(SHA256, &[1; 32]).unwrap();
    assert!(resumption_psk(&rms, &[0; 255]).is_ok());
    assert!(resumption_psk(&rms, &[0; 256]).is_err());
}

#[test]
fn sha384_schedule_has_48_byte_secrets() {
    let early = EarlySecret::new(HashAlgorithm::Sha384, None);
    let hash = HashAlgorithm::Sha384.hash(b"hello");
    let hs = early.into_handshake_secret(None);
    let c_hs = hs.client_handshake_traffic_secret(&hash);
    assert_eq!(c_hs.as_bytes().len(), 48);
    assert_eq!(c_hs.finished_verify_data(&hash).as_bytes().len(), 48);
    let keys = c_hs.traffic_keys(AeadAlgorithm::Aes256Gcm);
    assert_eq!(keys.key_bytes().len(), 32);
    assert_eq!(
        keys.aead_key().unwrap().algorithm(),
        AeadAlgorithm::Aes256Gcm
    );
}

#[test]
fn secret_from_bytes_needs_the_hash_length() {
    assert!(Secret::from_bytes(SHA256, &[0; 48]).is_none());
    assert!(Secret::from_bytes(HashAlgorithm::Sha384, &[0; 48]).is_some());
}

#[test]
fn debug_shows_no_secret_bytes() {
    let early = EarlySecret::new(SHA256, Some(&[0xab; 32]));
    assert_eq!(format!("{early:?}"), "EarlySecret(Secret(Sha256))");
    let hs = early.into_handshake_secret(None);
    assert_eq!(format!("{hs:?}"), "HandshakeSecret(Secret(Sha256))");
    let c_hs = hs.client_handshake_traffic_secret(&SHA256.hash(b""));
    let keys = c_hs.traffic_keys(AeadAlgorithm::ChaCha20Poly1305);
    assert_eq!(
        format!("{keys:?}"),
        "TrafficKeys { aead: ChaCha20Poly1305, .. }"
    );
    assert_eq!(
        format!("{:?}", hs.into_master_secret()),
        "MasterSecret(Secret(Sha256))"
    );
}

/// The no-PSK schedule's cached start (the Early Secret and the salt
/// derived from it) is what computing it gives, for both hashes; the
/// SHA-256 one is also checked against RFC 8448 §3 above.
#[test]
fn cached_no_psk_schedule_equals_the_computed_one() {
    for hash in [HashAlgorithm::Sha256, HashAlgorithm::Sha384] {
        let cached = EarlySecret::new(hash, None);
        let computed = EarlySecret::extract(hash, None);
        assert!(cached.no_psk.is_some() && computed.no_psk.is_none());
        assert_eq!(cached.secret().as_bytes(), computed.secret().as_bytes());
        assert_eq!(
            cached.into_handshake_secret(None).secret().as_bytes(),
            computed.into_handshake_secret(None).secret().as_bytes(),
        );
        assert_eq!(hash.empty_hash(), hash.hash(&[]));
    }
}
