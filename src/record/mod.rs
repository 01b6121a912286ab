//! The record layer: framing received bytes into records, joining and
//! splitting handshake messages, and protecting records (RFC 8446 §5,
//! RFC 5246 §6).

pub(crate) mod copy;
pub mod deframer;
pub mod joiner;
pub mod protect;
pub mod send;
