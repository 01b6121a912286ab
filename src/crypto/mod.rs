//! Cryptography: the only module that names `ring`.
//!
//! - [`suites`]: the cipher suites we implement and what each uses.
//! - [`aead`]: record protection keys (seal and open in place).
//! - [`hash`]: SHA-256/384, HMAC, the handshake transcript.
//! - [`kx`]: ephemeral ECDH (X25519, P-256, P-384).
//! - [`tls13`]: the TLS 1.3 key schedule, on [`hkdf`].
//! - [`tls12`]: the TLS 1.2 PRF, master secret and key block.
//! - [`rand`]: randomness, with a fixed seam for known-answer tests.
//! - [`sign`]: the client's private key, for client authentication.
//! - [`secret`]: the wiped-on-drop buffer secrets live in.

pub mod aead;
pub mod hash;
pub mod hkdf;
pub mod kx;
pub mod rand;
pub mod secret;
pub mod sign;
pub mod suites;
pub mod tls12;
pub mod tls13;
