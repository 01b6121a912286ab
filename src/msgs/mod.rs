//! The wire format: parsing and encoding of every TLS structure a client
//! sends or receives. No cryptography and no connection state live here.

pub mod codec;
pub mod enums;
pub mod record_header;
