//! The bodies of the two non-handshake control records: Alert (RFC 8446
//! §6) and ChangeCipherSpec (RFC 5246 §7.1, RFC 8446 §5).

use super::codec::{Codec, Reader};
use super::enums::{AlertDescription, AlertLevel};
use crate::error::InvalidMessage;

/// An alert record's body: `AlertLevel level; AlertDescription description;`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertMessage {
    pub level: AlertLevel,
    pub description: AlertDescription,
}

impl AlertMessage {
    pub fn fatal(description: AlertDescription) -> Self {
        Self {
            level: AlertLevel::Fatal,
            description,
        }
    }

    /// close_notify, sent as a warning as RFC 5246 §7.2.1 has it (TLS 1.3
    /// ignores the level of a closure alert).
    pub fn close_notify() -> Self {
        Self {
            level: AlertLevel::Warning,
            description: AlertDescription::CloseNotify,
        }
    }
}

impl Codec<'_> for AlertMessage {
    fn encode(&self, out: &mut Vec<u8>) {
        self.level.encode(out);
        self.description.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            level: AlertLevel::read(r)?,
            description: AlertDescription::read(r)?,
        })
    }
}

/// A ChangeCipherSpec record's body, which is always the single byte 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeCipherSpecPayload;

impl Codec<'_> for ChangeCipherSpecPayload {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(1);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        // RFC 5246 §7.1: `enum { change_cipher_spec(1), (255) } type;`, and
        // RFC 8446 §5: a TLS 1.3 peer must abort on any other value.
        match r.u8("ChangeCipherSpec") {
            Ok(1) => Ok(Self),
            _ => Err(InvalidMessage::InvalidChangeCipherSpec),
        }
    }
}

impl ChangeCipherSpecPayload {
    /// Reads a whole ChangeCipherSpec record body: exactly the byte 1.
    pub fn parse(body: &[u8]) -> Result<Self, InvalidMessage> {
        match body {
            [1] => Ok(Self),
            _ => Err(InvalidMessage::InvalidChangeCipherSpec),
        }
    }
}
