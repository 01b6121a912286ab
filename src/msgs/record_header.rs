//! The five-byte record header (RFC 8446 §5.1, RFC 5246 §6.2.1).

use super::codec::{Codec, Reader};
use super::enums::{ContentType, ProtocolVersion};
use crate::error::InvalidMessage;

/// The length of a record header.
pub const HEADER_LEN: usize = 5;

/// A record header: content type, legacy version and fragment length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    pub typ: ContentType,
    pub version: ProtocolVersion,
    pub len: u16,
}

impl RecordHeader {
    /// The header as the bytes that go on the wire (and into TLS 1.3's AAD).
    pub fn to_bytes(self) -> [u8; HEADER_LEN] {
        let [v0, v1] = self.version.to_wire().to_be_bytes();
        let [l0, l1] = self.len.to_be_bytes();
        [self.typ.to_wire(), v0, v1, l0, l1]
    }
}

impl Codec<'_> for RecordHeader {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bytes());
    }

    /// Reads a header and checks what can be checked without state: the
    /// content type is one TLS defines, and the version's major byte is 3
    /// (every TLS version; anything else is not TLS at all, such as an HTTP
    /// response, and must not be taken as a length).
    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let typ = ContentType::read(r)?;
        if let ContentType::Unknown(t) = typ {
            return Err(InvalidMessage::InvalidContentType(t));
        }
        let version = r.u16("record version")?;
        if version >> 8 != 0x03 {
            return Err(InvalidMessage::InvalidRecordVersion(version));
        }
        let len = r.u16("record length")?;
        Ok(Self {
            typ,
            version: ProtocolVersion::from(version),
            len,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_and_rejections() {
        let h = RecordHeader {
            typ: ContentType::Handshake,
            version: ProtocolVersion::TLSv1_0,
            len: 0xc4,
        };
        assert_eq!(h.get_encoding(), [0x16, 0x03, 0x01, 0x00, 0xc4]);
        assert_eq!(RecordHeader::read_bytes(&h.to_bytes()), Ok(h));
        assert_eq!(
            RecordHeader::read_bytes(&[0x99, 3, 3, 0, 1]),
            Err(InvalidMessage::InvalidContentType(0x99))
        );
        assert_eq!(
            RecordHeader::read_bytes(b"HTTP/"),
            Err(InvalidMessage::InvalidContentType(b'H'))
        );
        assert_eq!(
            RecordHeader::read_bytes(&[0x17, 4, 3, 0, 1]),
            Err(InvalidMessage::InvalidRecordVersion(0x0403))
        );
        assert_eq!(
            RecordHeader::read_bytes(&[0x17, 3, 3, 0]),
            Err(InvalidMessage::Truncated("record length"))
        );
    }
}
