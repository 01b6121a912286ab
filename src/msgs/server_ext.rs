//! The extensions a server answers with: in ServerHello (TLS 1.3 and 1.2),
//! in EncryptedExtensions, and in a HelloRetryRequest.
//!
//! ServerHello and EncryptedExtensions share one form: which types may
//! appear in which message (RFC 8446 §4.2's table) is a rule the handshake
//! enforces, with the alert it names, not a matter of syntax.

use super::codec::{encode_list, encode_opaque, encode_prefixed, Codec, ListLength, Reader};
use super::enums::{EcPointFormat, ExtensionType, NamedGroup, ProtocolVersion};
use super::extensions::{read_opaque_list, read_record_size_limit, ExtensionForm, KeyShareEntry};
use crate::error::InvalidMessage;

/// One extension of a ServerHello or of EncryptedExtensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerExtension {
    /// server_name, empty: the server used the name we sent (RFC 6066 §3).
    ServerName,
    /// supported_groups (RFC 8446 §4.2.7): the server's preference, sent in
    /// EncryptedExtensions for the client's future use.
    SupportedGroups(Vec<NamedGroup>),
    /// ec_point_formats (RFC 8422 §5.1.2), TLS 1.2 only.
    EcPointFormats(Vec<EcPointFormat>),
    /// application_layer_protocol_negotiation (RFC 7301 §3.1): the one
    /// protocol the server chose.
    Alpn(Vec<u8>),
    /// supported_versions (RFC 8446 §4.2.1): `selected_version`.
    SupportedVersions(ProtocolVersion),
    /// key_share (RFC 8446 §4.2.8): `server_share`.
    KeyShare(KeyShareEntry<'static>),
    /// pre_shared_key (RFC 8446 §4.2.11): `selected_identity`, an index
    /// into the identities the client offered.
    PreSharedKey(u16),
    /// early_data (RFC 8446 §4.2.10), empty in EncryptedExtensions: the
    /// server accepted our 0-RTT data.
    EarlyData,
    /// extended_master_secret (RFC 7627 §5.2), empty.
    ExtendedMasterSecret,
    /// renegotiation_info (RFC 5746 §3.4): `renegotiated_connection<0..255>`.
    RenegotiationInfo(Vec<u8>),
    /// SessionTicket, empty: the server will send a NewSessionTicket
    /// (RFC 5077 §3.2).
    SessionTicket,
    /// record_size_limit (RFC 8449 §4).
    RecordSizeLimit(u16),
    /// status_request, empty: the server will send CertificateStatus
    /// (RFC 6066 §8).
    StatusRequest,
    /// Any other extension, kept as received.
    Unknown { typ: ExtensionType, body: Vec<u8> },
}

impl ExtensionForm for ServerExtension {
    fn ext_type(&self) -> ExtensionType {
        match self {
            Self::ServerName => ExtensionType::ServerName,
            Self::SupportedGroups(_) => ExtensionType::SupportedGroups,
            Self::EcPointFormats(_) => ExtensionType::EcPointFormats,
            Self::Alpn(_) => ExtensionType::ApplicationLayerProtocolNegotiation,
            Self::SupportedVersions(_) => ExtensionType::SupportedVersions,
            Self::KeyShare(_) => ExtensionType::KeyShare,
            Self::PreSharedKey(_) => ExtensionType::PreSharedKey,
            Self::EarlyData => ExtensionType::EarlyData,
            Self::ExtendedMasterSecret => ExtensionType::ExtendedMasterSecret,
            Self::RenegotiationInfo(_) => ExtensionType::RenegotiationInfo,
            Self::SessionTicket => ExtensionType::SessionTicket,
            Self::RecordSizeLimit(_) => ExtensionType::RecordSizeLimit,
            Self::StatusRequest => ExtensionType::StatusRequest,
            Self::Unknown { typ, .. } => *typ,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::ServerName
            | Self::EarlyData
            | Self::ExtendedMasterSecret
            | Self::SessionTicket
            | Self::StatusRequest => {}
            Self::SupportedGroups(groups) => encode_list(out, ListLength::U16, groups),
            Self::EcPointFormats(formats) => encode_list(out, ListLength::U8, formats),
            Self::Alpn(protocol) => encode_prefixed(out, ListLength::U16, |out| {
                encode_opaque(out, ListLength::U8, protocol)
            }),
            Self::SupportedVersions(version) => version.encode(out),
            Self::KeyShare(share) => share.encode(out),
            Self::PreSharedKey(index) => index.encode(out),
            Self::RenegotiationInfo(data) => encode_opaque(out, ListLength::U8, data),
            Self::RecordSizeLimit(limit) => limit.encode(out),
            Self::Unknown { body, .. } => out.extend_from_slice(body),
        }
    }

    fn read_body(typ: ExtensionType, r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(match typ {
            ExtensionType::ServerName => Self::ServerName,
            ExtensionType::SupportedGroups => {
                Self::SupportedGroups(r.list_nonempty(ListLength::U16, "named_group_list")?)
            }
            ExtensionType::EcPointFormats => {
                Self::EcPointFormats(r.list_nonempty(ListLength::U8, "ec_point_format_list")?)
            }
            ExtensionType::ApplicationLayerProtocolNegotiation => {
                let what = "protocol_name_list";
                let mut protocols = read_opaque_list(r, ListLength::U16, ListLength::U8, what)?;
                // RFC 7301 §3.1: the server's "ProtocolNameList MUST contain
                // exactly one "ProtocolName"".
                match (protocols.pop(), protocols.is_empty()) {
                    (Some(protocol), true) => Self::Alpn(protocol),
                    (None, _) => return Err(InvalidMessage::EmptyVector(what)),
                    (Some(_), false) => {
                        return Err(InvalidMessage::IllegalValue(
                            "server's protocol_name_list (more than one protocol)",
                        ))
                    }
                }
            }
            ExtensionType::SupportedVersions => Self::SupportedVersions(ProtocolVersion::read(r)?),
            ExtensionType::KeyShare => Self::KeyShare(KeyShareEntry::read(r)?),
            ExtensionType::PreSharedKey => Self::PreSharedKey(r.u16("selected_identity")?),
            ExtensionType::EarlyData => Self::EarlyData,
            ExtensionType::ExtendedMasterSecret => Self::ExtendedMasterSecret,
            ExtensionType::RenegotiationInfo => Self::RenegotiationInfo(
                r.opaque(ListLength::U8, "renegotiated_connection")?
                    .to_vec(),
            ),
            ExtensionType::SessionTicket => Self::SessionTicket,
            ExtensionType::RecordSizeLimit => Self::RecordSizeLimit(read_record_size_limit(r)?),
            ExtensionType::StatusRequest => Self::StatusRequest,
            typ => Self::Unknown {
                typ,
                body: r.rest().to_vec(),
            },
        })
    }
}

/// One extension of a HelloRetryRequest (RFC 8446 §4.1.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelloRetryExtension {
    /// key_share (RFC 8446 §4.2.8): `selected_group`, the group the server
    /// wants a share for.
    KeyShare(NamedGroup),
    /// cookie (RFC 8446 §4.2.2): `opaque cookie<1..2^16-1>`, to echo.
    Cookie(Vec<u8>),
    /// supported_versions (RFC 8446 §4.2.1): `selected_version`.
    SupportedVersions(ProtocolVersion),
    /// Any other extension, kept as received.
    Unknown { typ: ExtensionType, body: Vec<u8> },
}

impl ExtensionForm for HelloRetryExtension {
    fn ext_type(&self) -> ExtensionType {
        match self {
            Self::KeyShare(_) => ExtensionType::KeyShare,
            Self::Cookie(_) => ExtensionType::Cookie,
            Self::SupportedVersions(_) => ExtensionType::SupportedVersions,
            Self::Unknown { typ, .. } => *typ,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::KeyShare(group) => group.encode(out),
            Self::Cookie(cookie) => encode_opaque(out, ListLength::U16, cookie),
            Self::SupportedVersions(version) => version.encode(out),
            Self::Unknown { body, .. } => out.extend_from_slice(body),
        }
    }

    fn read_body(typ: ExtensionType, r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(match typ {
            ExtensionType::KeyShare => Self::KeyShare(NamedGroup::read(r)?),
            ExtensionType::Cookie => {
                Self::Cookie(r.opaque_nonempty(ListLength::U16, "cookie")?.to_vec())
            }
            ExtensionType::SupportedVersions => Self::SupportedVersions(ProtocolVersion::read(r)?),
            typ => Self::Unknown {
                typ,
                body: r.rest().to_vec(),
            },
        })
    }
}
