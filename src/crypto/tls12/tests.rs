//! Known answers for the TLS 1.2 PRF and what is built on it.
//!
//! Every expected value below was produced with OpenSSL 3.0's TLS1-PRF:
//!
//! ```text
//! openssl kdf -keylen <n> -kdfopt digest:<SHA256|SHA384> \
//!     -kdfopt hexsecret:<secret> -kdfopt hexseed:<hex(label) + seed> TLS1-PRF
//! ```
//!
//! with the label and seed concatenated into OpenSSL's `seed` as RFC 5246
//! §5 defines (`P_hash(secret, label + seed)`). The inputs of the derived
//! tests are patterns chosen here:
//!
//! ```text
//! PMS   = 00 01 .. 1f   (32 bytes, as from X25519 or P-256)
//! CR    = a0 a1 .. bf   (client random)
//! SR    = c0 c1 .. df   (server random)
//! SH256 = 40 41 .. 5f   (a SHA-256 handshake hash)
//! SH384 = 40 41 .. 6f   (a SHA-384 handshake hash)
//! ```

use super::*;
use crate::crypto::aead::AeadAlgorithm;
use crate::crypto::suites::{
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

const SHA256: HashAlgorithm = HashAlgorithm::Sha256;
const SHA384: HashAlgorithm = HashAlgorithm::Sha384;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn pattern<const N: usize>(start: u8) -> [u8; N] {
    core::array::from_fn(|i| start + i as u8)
}

fn pms() -> SharedSecret {
    SharedSecret::from_bytes_for_test(&pattern::<32>(0x00))
}

fn cr() -> [u8; 32] {
    pattern(0xa0)
}

fn sr() -> [u8; 32] {
    pattern(0xc0)
}

fn sh256() -> HashOutput {
    HashOutput::from_slice(&pattern::<32>(0x40)).unwrap()
}

fn sh384() -> HashOutput {
    HashOutput::from_slice(&pattern::<48>(0x40)).unwrap()
}

const MS256: &str = "f9867282f897b3de585035d9d5f63e2997d2d85a4c77d69737a3080c8d835d85\
                     55db9ab473661d20b8688f1d829df6f1";
const MS384: &str = "361ec6c2dcf12b7b1649dfa9c27f4f7b6bfe5a930e2c2ea19213f5ca52ca1339\
                     4c0614ac5ca93fe1420178333d0c215c";

fn ms256() -> MasterSecret {
    MasterSecret::from_bytes(SHA256, &unhex(MS256)).unwrap()
}

fn ms384() -> MasterSecret {
    MasterSecret::from_bytes(SHA384, &unhex(MS384)).unwrap()
}

/// The widely circulated TLS 1.2 PRF vector for SHA-256 (secret
/// 9bbe436b..., seed a0ba9f93..., label "test label", 100 bytes); OpenSSL
/// gives the same.
#[test]
fn prf_sha256_known_answer() {
    let mut out = [0u8; 100];
    prf(
        SHA256,
        &unhex("9bbe436ba940f017b17652849a71db35"),
        b"test label",
        &[&unhex("a0ba9f936cda311827a6f796ffd5198c")],
        &mut out,
    );
    assert_eq!(
        out.to_vec(),
        unhex(
            "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a\
             6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab\
             4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701\
             87347b66"
        )
    );
}

/// The companion vector for SHA-384 (secret b80b733d..., seed cd665cf6...,
/// label "test label", 148 bytes); OpenSSL gives the same.
#[test]
fn prf_sha384_known_answer() {
    let mut out = [0u8; 148];
    // The seed in two parts gives the same as in one.
    let seed = unhex("cd665cf6a8447dd6ff8b27555edb7465");
    prf(
        SHA384,
        &unhex("b80b733d6ceefcdc71566ea48e5567df"),
        b"test label",
        &[&seed[..5], &seed[5..]],
        &mut out,
    );
    assert_eq!(
        out.to_vec(),
        unhex(
            "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd\
             e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd\
             8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425\
             9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6\
             91c8f3a26854308d5eaa3be85e0990703d73e56f"
        )
    );
}

/// seed = hex("master secret") + CR + SR.
#[test]
fn master_secret_known_answers() {
    let ms = MasterSecret::new(SHA256, pms(), &cr(), &sr());
    assert_eq!(ms.as_bytes(), unhex(MS256));
    let ms = MasterSecret::new(SHA384, pms(), &cr(), &sr());
    assert_eq!(ms.as_bytes(), unhex(MS384));
}

/// RFC 7627: seed = hex("extended master secret") + session hash.
#[test]
fn extended_master_secret_known_answers() {
    let ems = MasterSecret::new_extended(SHA256, pms(), &sh256());
    assert_eq!(
        ems.as_bytes(),
        unhex(
            "6127213a6451c17736a681d3c94eec6a434a24e55c9ed03327641aabb02808c8\
             d2d6d9d57bb4da8a14dd05c5693de296"
        )
    );
    let ems = MasterSecret::new_extended(SHA384, pms(), &sh384());
    assert_eq!(
        ems.as_bytes(),
        unhex(
            "6181e0cd93faa154fc2230a7d7e4bc4792c93d6981fde15ff846529b641e7300\
             a61d3742682d48d9886fff82fbcca668"
        )
    );
}

/// secret = MS256 or MS384, seed = hex("key expansion") + SR + CR, 40, 88
/// and 72 bytes.
#[test]
fn key_block_known_answers() {
    let kb = ms256().key_block(&TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, &cr(), &sr());
    let expected =
        unhex("4d626f36037e9b8f0575adb35502f7a036cc16e40413537fb655c9dfadb80bcd538a50ecbf3430d2");
    assert_eq!(kb.client_write_key(), &expected[0..16]);
    assert_eq!(kb.server_write_key(), &expected[16..32]);
    assert_eq!(kb.client_write_iv(), &expected[32..36]);
    assert_eq!(kb.server_write_iv(), &expected[36..40]);
    assert_eq!(
        kb.client_aead_key().unwrap().algorithm(),
        AeadAlgorithm::Aes128Gcm
    );
    assert!(kb.server_aead_key().is_ok());

    let kb = ms256().key_block(&TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, &cr(), &sr());
    let expected = unhex(
        "4d626f36037e9b8f0575adb35502f7a036cc16e40413537fb655c9dfadb80bcd\
         538a50ecbf3430d2564d0c17c3feb2f53d9f0b36420b9afd1ff04aa12d2c094e\
         f6834dcd3ad0d36454f4eb2411e0f56c01f90d5f5867e9cf",
    );
    assert_eq!(kb.client_write_key(), &expected[0..32]);
    assert_eq!(kb.server_write_key(), &expected[32..64]);
    assert_eq!(kb.client_write_iv(), &expected[64..76]);
    assert_eq!(kb.server_write_iv(), &expected[76..88]);

    let kb = ms384().key_block(&TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, &cr(), &sr());
    let expected = unhex(
        "76ac8e36d187839ec9b48d8f2fda1b99ac334f33f00cda34b828f99e8a9a92e7\
         28a06de61edeb02ac27d923ffcd2ca02339d0b89a8eb46ac53d0e835f5da1b08\
         783a2df835f600f4",
    );
    assert_eq!(kb.client_write_key(), &expected[0..32]);
    assert_eq!(kb.server_write_key(), &expected[32..64]);
    assert_eq!(kb.client_write_iv(), &expected[64..68]);
    assert_eq!(kb.server_write_iv(), &expected[68..72]);
}

/// seed = hex("client finished" | "server finished") + handshake hash,
/// 12 bytes.
#[test]
fn finished_known_answers() {
    let ms = ms256();
    assert_eq!(
        ms.client_finished(&sh256()).to_vec(),
        unhex("cebe6f7f979ad89880b44f53")
    );
    let server = unhex("5954b4105dbe6a22a333c233");
    assert_eq!(ms.server_finished(&sh256()).to_vec(), server);
    assert!(ms.verify_server_finished(&sh256(), &server));
    let mut forged = server.clone();
    forged[11] ^= 1;
    assert!(!ms.verify_server_finished(&sh256(), &forged));
    assert!(!ms.verify_server_finished(&sh256(), &server[..11]));
    assert_eq!(
        ms384().server_finished(&sh384()).to_vec(),
        unhex("dc01eec9c19197082549e048")
    );
}

/// RFC 5705: seed = hex("EXPERIMENTAL oxtls") + CR + SR, then with
/// "0007" + hex("context"), then with "0000" (an empty context), 40 bytes.
#[test]
fn exporter_known_answers() {
    let ms = ms256();
    let mut out = [0u8; 40];
    ms.export(&cr(), &sr(), b"EXPERIMENTAL oxtls", None, &mut out)
        .unwrap();
    assert_eq!(
        out.to_vec(),
        unhex(
            "097374063d2ad2c04afafe10d3becd8c5cf24fcfc7fd0d1d4dbbf22f9f9f5e2a\
             fc83245e38419fb5"
        )
    );
    ms.export(
        &cr(),
        &sr(),
        b"EXPERIMENTAL oxtls",
        Some(b"context"),
        &mut out,
    )
    .unwrap();
    assert_eq!(
        out.to_vec(),
        unhex(
            "219947832bc7fa0a4a0edab3d7fbb4e74be8fc645d9854e78e3530455f911755\
             297463e82783174c"
        )
    );
    // Unlike TLS 1.3, an empty context is not the same as none.
    ms.export(&cr(), &sr(), b"EXPERIMENTAL oxtls", Some(b""), &mut out)
        .unwrap();
    assert_eq!(
        out.to_vec(),
        unhex(
            "996de823ae24a754bfcf27b80e476db04098047d6f5c76ad35f38df6d492c572\
             87f18098cec8d92c"
        )
    );
    let huge = vec![0u8; 65536];
    assert!(ms
        .export(&cr(), &sr(), b"EXPERIMENTAL oxtls", Some(&huge), &mut out)
        .is_err());
}

#[test]
fn master_secret_from_bytes_needs_48() {
    assert!(MasterSecret::from_bytes(SHA256, &[0; 32]).is_none());
    assert!(MasterSecret::from_bytes(SHA256, &[0; 48]).is_some());
}

#[test]
fn debug_shows_no_secret_bytes() {
    let ms = ms256();
    assert_eq!(format!("{ms:?}"), "MasterSecret(Sha256)");
    let kb = ms.key_block(&TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, &cr(), &sr());
    assert_eq!(
        format!("{kb:?}"),
        "KeyBlock { suite: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, .. }"
    );
}
