//! The wire format: parsing and encoding of every TLS structure a client
//! sends or receives. No cryptography and no connection state live here.
//!
//! Every structure implements [`codec::Codec`]; handshake messages are read
//! through [`handshake::HandshakeMessage::read`], which needs the
//! negotiated version because a few bodies differ between TLS 1.2 and 1.3.
//! Parsed values own their bytes; the transcript hash is fed the raw
//! received bytes, never a re-encoding.

pub mod alert;
pub mod client_ext;
pub mod codec;
pub mod enums;
pub mod extensions;
pub mod handshake;
pub mod hello;
pub mod record_header;
pub mod server_ext;
pub mod tls12;
pub mod tls13;

#[cfg(test)]
mod tests;
