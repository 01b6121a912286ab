//! Cryptography: the only module that names `ring`.

pub mod aead;
pub mod hash;
pub mod hkdf;
pub mod kx;
pub mod rand;
pub mod secret;
pub mod suites;
