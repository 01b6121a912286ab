//! The extensions of a ClientHello (RFC 8446 §4.2 and the RFCs it cites),
//! both TLS 1.3 and TLS 1.2 ones, since one ClientHello offers both.
//!
//! The lists a client builds are `Cow`s (`CowList`s where the entries
//! borrow too): the ClientHello we send borrows them from the config, the
//! session and the key share, or from a few values on the stack, so
//! building one allocates nothing per extension, while a parsed
//! ClientHello owns what it read. The variants oxtls never builds stay
//! `Vec`s, as does renegotiation_info, which it only sends empty.

use std::borrow::Cow;

use super::codec::{encode_list, encode_opaque, Codec, ListLength, Reader};
use super::enums::{
    EcPointFormat, ExtensionType, NamedGroup, ProtocolVersion, PskKeyExchangeMode, SignatureScheme,
};
use super::extensions::{
    encode_opaque_list, read_opaque_list, read_record_size_limit, CertificateStatusRequest,
    CowList, DistinguishedName, ExtensionForm, KeyShareEntry, PresharedKeyOffer, ServerNameEntry,
};
use crate::error::InvalidMessage;

/// One ClientHello extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientExtension<'a> {
    /// server_name (RFC 6066 §3): `ServerName server_name_list<1..2^16-1>`.
    /// A client sends one host_name.
    ServerName(CowList<'a, ServerNameEntry<'a>>),
    /// supported_groups (RFC 8446 §4.2.7): `named_group_list<2..2^16-1>`.
    SupportedGroups(Cow<'a, [NamedGroup]>),
    /// ec_point_formats (RFC 8422 §5.1.2): `ec_point_format_list<1..2^8-1>`.
    EcPointFormats(Cow<'a, [EcPointFormat]>),
    /// signature_algorithms (RFC 8446 §4.2.3): `<2..2^16-2>`.
    SignatureAlgorithms(Cow<'a, [SignatureScheme]>),
    /// signature_algorithms_cert (RFC 8446 §4.2.3): `<2..2^16-2>`.
    SignatureAlgorithmsCert(Cow<'a, [SignatureScheme]>),
    /// application_layer_protocol_negotiation (RFC 7301 §3.1):
    /// `protocol_name_list<2..2^16-1>` of `opaque ProtocolName<1..2^8-1>`.
    Alpn(Cow<'a, [Vec<u8>]>),
    /// supported_versions (RFC 8446 §4.2.1): `versions<2..254>`.
    SupportedVersions(Cow<'a, [ProtocolVersion]>),
    /// key_share (RFC 8446 §4.2.8): `client_shares<0..2^16-1>`; empty when
    /// the client wants the server to pick a group by HelloRetryRequest.
    KeyShare(CowList<'a, KeyShareEntry<'a>>),
    /// pre_shared_key (RFC 8446 §4.2.11); must be the last extension.
    PreSharedKey(PresharedKeyOffer<'a>),
    /// psk_key_exchange_modes (RFC 8446 §4.2.9): `ke_modes<1..255>`.
    PskKeyExchangeModes(Cow<'a, [PskKeyExchangeMode]>),
    /// early_data (RFC 8446 §4.2.10), empty in a ClientHello.
    EarlyData,
    /// cookie (RFC 8446 §4.2.2), echoed from a HelloRetryRequest:
    /// `opaque cookie<1..2^16-1>`.
    Cookie(Cow<'a, [u8]>),
    /// certificate_authorities (RFC 8446 §4.2.4): `authorities<3..2^16-1>`.
    CertificateAuthorities(Vec<DistinguishedName>),
    /// extended_master_secret (RFC 7627 §5.1), empty.
    ExtendedMasterSecret,
    /// renegotiation_info (RFC 5746 §3.2): `renegotiated_connection<0..255>`,
    /// empty on an initial handshake.
    RenegotiationInfo(Vec<u8>),
    /// SessionTicket (RFC 5077 §3.2): the ticket itself, or empty to ask
    /// for one.
    SessionTicket(Cow<'a, [u8]>),
    /// record_size_limit (RFC 8449 §4).
    RecordSizeLimit(u16),
    /// status_request (RFC 6066 §8).
    StatusRequest(CertificateStatusRequest),
    /// post_handshake_auth (RFC 8446 §4.2.6), empty.
    PostHandshakeAuth,
    /// padding (RFC 7685 §3): this many zero bytes.
    Padding(usize),
    /// Any other extension, kept as received.
    Unknown { typ: ExtensionType, body: Vec<u8> },
}

impl<'a> ClientExtension<'a> {
    /// server_name with one host_name, as a client sends it.
    pub fn server_name(host: &'a str) -> Self {
        Self::ServerName(vec![ServerNameEntry::host_name(host)].into())
    }
}

impl ExtensionForm for ClientExtension<'_> {
    fn ext_type(&self) -> ExtensionType {
        match self {
            Self::ServerName(_) => ExtensionType::ServerName,
            Self::SupportedGroups(_) => ExtensionType::SupportedGroups,
            Self::EcPointFormats(_) => ExtensionType::EcPointFormats,
            Self::SignatureAlgorithms(_) => ExtensionType::SignatureAlgorithms,
            Self::SignatureAlgorithmsCert(_) => ExtensionType::SignatureAlgorithmsCert,
            Self::Alpn(_) => ExtensionType::ApplicationLayerProtocolNegotiation,
            Self::SupportedVersions(_) => ExtensionType::SupportedVersions,
            Self::KeyShare(_) => ExtensionType::KeyShare,
            Self::PreSharedKey(_) => ExtensionType::PreSharedKey,
            Self::PskKeyExchangeModes(_) => ExtensionType::PskKeyExchangeModes,
            Self::EarlyData => ExtensionType::EarlyData,
            Self::Cookie(_) => ExtensionType::Cookie,
            Self::CertificateAuthorities(_) => ExtensionType::CertificateAuthorities,
            Self::ExtendedMasterSecret => ExtensionType::ExtendedMasterSecret,
            Self::RenegotiationInfo(_) => ExtensionType::RenegotiationInfo,
            Self::SessionTicket(_) => ExtensionType::SessionTicket,
            Self::RecordSizeLimit(_) => ExtensionType::RecordSizeLimit,
            Self::StatusRequest(_) => ExtensionType::StatusRequest,
            Self::PostHandshakeAuth => ExtensionType::PostHandshakeAuth,
            Self::Padding(_) => ExtensionType::Padding,
            Self::Unknown { typ, .. } => *typ,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::ServerName(names) => encode_list(out, ListLength::U16, names),
            Self::SupportedGroups(groups) => encode_list(out, ListLength::U16, groups),
            Self::EcPointFormats(formats) => encode_list(out, ListLength::U8, formats),
            Self::SignatureAlgorithms(schemes) | Self::SignatureAlgorithmsCert(schemes) => {
                encode_list(out, ListLength::U16, schemes)
            }
            Self::Alpn(protocols) => {
                encode_opaque_list(out, ListLength::U16, ListLength::U8, protocols)
            }
            Self::SupportedVersions(versions) => encode_list(out, ListLength::U8, versions),
            Self::KeyShare(shares) => encode_list(out, ListLength::U16, shares),
            Self::PreSharedKey(offer) => offer.encode(out),
            Self::PskKeyExchangeModes(modes) => encode_list(out, ListLength::U8, modes),
            Self::EarlyData | Self::ExtendedMasterSecret | Self::PostHandshakeAuth => {}
            Self::Cookie(cookie) => encode_opaque(out, ListLength::U16, cookie),
            Self::CertificateAuthorities(names) => encode_list(out, ListLength::U16, names),
            Self::RenegotiationInfo(data) => encode_opaque(out, ListLength::U8, data),
            Self::SessionTicket(ticket) => out.extend_from_slice(ticket),
            Self::RecordSizeLimit(limit) => limit.encode(out),
            Self::StatusRequest(request) => request.encode(out),
            Self::Padding(n) => out.resize(out.len() + n, 0),
            Self::Unknown { body, .. } => out.extend_from_slice(body),
        }
    }

    fn read_body(typ: ExtensionType, r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(match typ {
            ExtensionType::ServerName => {
                Self::ServerName(r.list_nonempty(ListLength::U16, "server_name_list")?.into())
            }
            ExtensionType::SupportedGroups => {
                Self::SupportedGroups(r.list_nonempty(ListLength::U16, "named_group_list")?.into())
            }
            ExtensionType::EcPointFormats => Self::EcPointFormats(
                r.list_nonempty(ListLength::U8, "ec_point_format_list")?
                    .into(),
            ),
            ExtensionType::SignatureAlgorithms => Self::SignatureAlgorithms(
                r.list_nonempty(ListLength::U16, "signature_algorithms")?
                    .into(),
            ),
            ExtensionType::SignatureAlgorithmsCert => Self::SignatureAlgorithmsCert(
                r.list_nonempty(ListLength::U16, "signature_algorithms_cert")?
                    .into(),
            ),
            ExtensionType::ApplicationLayerProtocolNegotiation => {
                let what = "protocol_name_list";
                let protocols = read_opaque_list(r, ListLength::U16, ListLength::U8, what)?;
                if protocols.is_empty() {
                    return Err(InvalidMessage::EmptyVector(what));
                }
                Self::Alpn(protocols.into())
            }
            ExtensionType::SupportedVersions => Self::SupportedVersions(
                r.list_nonempty(ListLength::U8, "supported_versions")?
                    .into(),
            ),
            ExtensionType::KeyShare => {
                Self::KeyShare(r.list(ListLength::U16, "client_shares")?.into())
            }
            ExtensionType::PreSharedKey => Self::PreSharedKey(PresharedKeyOffer::read(r)?),
            ExtensionType::PskKeyExchangeModes => {
                Self::PskKeyExchangeModes(r.list_nonempty(ListLength::U8, "ke_modes")?.into())
            }
            ExtensionType::EarlyData => Self::EarlyData,
            ExtensionType::Cookie => Self::Cookie(
                r.opaque_nonempty(ListLength::U16, "cookie")?
                    .to_vec()
                    .into(),
            ),
            ExtensionType::CertificateAuthorities => Self::CertificateAuthorities(
                r.list_nonempty(ListLength::U16, "certificate_authorities")?,
            ),
            ExtensionType::ExtendedMasterSecret => Self::ExtendedMasterSecret,
            ExtensionType::RenegotiationInfo => Self::RenegotiationInfo(
                r.opaque(ListLength::U8, "renegotiated_connection")?
                    .to_vec(),
            ),
            ExtensionType::SessionTicket => Self::SessionTicket(r.rest().to_vec().into()),
            ExtensionType::RecordSizeLimit => Self::RecordSizeLimit(read_record_size_limit(r)?),
            ExtensionType::StatusRequest => Self::StatusRequest(CertificateStatusRequest::read(r)?),
            ExtensionType::PostHandshakeAuth => Self::PostHandshakeAuth,
            ExtensionType::Padding => {
                // RFC 7685 §3: "The client MUST fill the padding extension
                // completely with zero bytes".
                let zeros = r.rest();
                if zeros.iter().any(|b| *b != 0) {
                    return Err(InvalidMessage::IllegalValue("padding extension"));
                }
                Self::Padding(zeros.len())
            }
            typ => Self::Unknown {
                typ,
                body: r.rest().to_vec(),
            },
        })
    }
}
