//! oxtls: a TLS 1.3 and TLS 1.2 client with a C ABI.
//!
//! See `DESIGN.md` in the project's shared notes for the layering; in
//! short, bytes flow `msgs` (wire format) → `record` (framing and
//! protection) → `client` (handshake) → `conn` (the public API), with every
//! cryptographic primitive in `crypto`.

#![forbid(unsafe_code)]

pub mod crypto;
pub mod error;
pub mod msgs;
pub mod record;
pub mod verify;

#[cfg(test)]
pub(crate) mod test_vectors;

pub use error::{CertificateError, Error, InvalidMessage, PeerIncompatible, PeerMisbehaved};
