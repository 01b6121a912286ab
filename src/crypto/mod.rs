//! Cryptography: the only module that names `ring`.

pub mod aead;
