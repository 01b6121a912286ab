//! The TLS 1.3 forms of the server's messages after ServerHello (RFC 8446
//! §4.3, §4.4, §4.6), with the extension forms only they carry.

use rustls_pki_types::CertificateDer;

use super::codec::{encode_opaque, Codec, ListLength, Reader};
use super::enums::{ExtensionType, NamedGroup, SignatureScheme};
use super::extensions::{
    encode_extensions, find_extension, read_extensions, CertificateStatus, DistinguishedName,
    ExtensionForm,
};
use super::hello::alpn_protocol;
use super::server_ext::ServerExtension;
use crate::error::InvalidMessage;
use crate::inline_bytes::InlineBytes;

/// EncryptedExtensions (RFC 8446 §4.3.1): `extensions<0..2^16-1>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedExtensions {
    pub extensions: Vec<ServerExtension>,
}

impl EncryptedExtensions {
    pub fn find_extension(&self, typ: ExtensionType) -> Option<&ServerExtension> {
        find_extension(&self.extensions, typ)
    }

    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        alpn_protocol(&self.extensions)
    }

    /// Whether the server accepted our early data (RFC 8446 §4.2.10).
    pub fn early_data_accepted(&self) -> bool {
        self.find_extension(ExtensionType::EarlyData).is_some()
    }

    pub fn record_size_limit(&self) -> Option<u16> {
        match self.find_extension(ExtensionType::RecordSizeLimit)? {
            ServerExtension::RecordSizeLimit(limit) => Some(*limit),
            _ => None,
        }
    }

    /// The server's preferred groups, for the client's next connection.
    pub fn supported_groups(&self) -> Option<&[NamedGroup]> {
        match self.find_extension(ExtensionType::SupportedGroups)? {
            ServerExtension::SupportedGroups(groups) => Some(groups),
            _ => None,
        }
    }
}

impl Codec<'_> for EncryptedExtensions {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_extensions(&self.extensions, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            extensions: read_extensions(r, "EncryptedExtensions.extensions")?,
        })
    }
}

/// One extension of a CertificateEntry (RFC 8446 §4.4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateExtension {
    /// status_request: a stapled OCSP response for this certificate
    /// (RFC 8446 §4.4.2.1).
    StatusRequest(CertificateStatus),
    /// Any other extension (signed_certificate_timestamp, ...), kept as received.
    Unknown { typ: ExtensionType, body: Vec<u8> },
}

impl ExtensionForm for CertificateExtension {
    fn ext_type(&self) -> ExtensionType {
        match self {
            Self::StatusRequest(_) => ExtensionType::StatusRequest,
            Self::Unknown { typ, .. } => *typ,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::StatusRequest(status) => status.encode(out),
            Self::Unknown { body, .. } => out.extend_from_slice(body),
        }
    }

    fn read_body(typ: ExtensionType, r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(match typ {
            ExtensionType::StatusRequest => Self::StatusRequest(CertificateStatus::read(r)?),
            typ => Self::Unknown {
                typ,
                body: r.rest().to_vec(),
            },
        })
    }
}

/// CertificateEntry (RFC 8446 §4.4.2), for X.509 certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateEntry {
    /// cert_data<1..2^24-1>: one DER certificate.
    pub cert: CertificateDer<'static>,
    pub extensions: Vec<CertificateExtension>,
}

impl CertificateEntry {
    pub fn new(cert: CertificateDer<'static>) -> Self {
        Self {
            cert,
            extensions: Vec::new(),
        }
    }

    /// The stapled OCSP response, if any.
    pub fn ocsp_response(&self) -> Option<&[u8]> {
        match find_extension(&self.extensions, ExtensionType::StatusRequest)? {
            CertificateExtension::StatusRequest(status) => Some(&status.ocsp_response),
            _ => None,
        }
    }
}

impl Codec<'_> for CertificateEntry {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque(out, ListLength::U24, self.cert.as_ref());
        encode_extensions(&self.extensions, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let cert = r.opaque_nonempty(ListLength::U24, "CertificateEntry.cert_data")?;
        Ok(Self {
            cert: CertificateDer::from(cert.to_vec()),
            extensions: read_extensions(r, "CertificateEntry.extensions")?,
        })
    }
}

/// Certificate (RFC 8446 §4.4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate13 {
    /// certificate_request_context<0..2^8-1>: empty from a server; from a
    /// client, the context of the CertificateRequest it answers.
    pub context: Vec<u8>,
    /// certificate_list<0..2^24-1>: the end-entity certificate first.
    pub entries: Vec<CertificateEntry>,
}

impl Certificate13 {
    /// The certificates alone, end-entity first.
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.entries.iter().map(|e| e.cert.clone()).collect()
    }
}

impl Codec<'_> for Certificate13 {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque(out, ListLength::U8, &self.context);
        super::codec::encode_list(out, ListLength::U24, &self.entries);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let context = r.opaque(ListLength::U8, "Certificate.certificate_request_context")?;
        Ok(Self {
            context: context.to_vec(),
            entries: r.list(ListLength::U24, "Certificate.certificate_list")?,
        })
    }
}

/// One extension of a TLS 1.3 CertificateRequest (RFC 8446 §4.3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertReqExtension {
    /// signature_algorithms (RFC 8446 §4.2.3): `<2..2^16-2>`; required.
    SignatureAlgorithms(Vec<SignatureScheme>),
    /// signature_algorithms_cert (RFC 8446 §4.2.3).
    SignatureAlgorithmsCert(Vec<SignatureScheme>),
    /// certificate_authorities (RFC 8446 §4.2.4): `authorities<3..2^16-1>`.
    CertificateAuthorities(Vec<DistinguishedName>),
    /// Any other extension (oid_filters, status_request, ...), kept as received.
    Unknown { typ: ExtensionType, body: Vec<u8> },
}

impl ExtensionForm for CertReqExtension {
    fn ext_type(&self) -> ExtensionType {
        match self {
            Self::SignatureAlgorithms(_) => ExtensionType::SignatureAlgorithms,
            Self::SignatureAlgorithmsCert(_) => ExtensionType::SignatureAlgorithmsCert,
            Self::CertificateAuthorities(_) => ExtensionType::CertificateAuthorities,
            Self::Unknown { typ, .. } => *typ,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::SignatureAlgorithms(schemes) | Self::SignatureAlgorithmsCert(schemes) => {
                super::codec::encode_list(out, ListLength::U16, schemes)
            }
            Self::CertificateAuthorities(names) => {
                super::codec::encode_list(out, ListLength::U16, names)
            }
            Self::Unknown { body, .. } => out.extend_from_slice(body),
        }
    }

    fn read_body(typ: ExtensionType, r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(match typ {
            ExtensionType::SignatureAlgorithms => {
                Self::SignatureAlgorithms(r.list_nonempty(ListLength::U16, "signature_algorithms")?)
            }
            ExtensionType::SignatureAlgorithmsCert => Self::SignatureAlgorithmsCert(
                r.list_nonempty(ListLength::U16, "signature_algorithms_cert")?,
            ),
            ExtensionType::CertificateAuthorities => Self::CertificateAuthorities(
                r.list_nonempty(ListLength::U16, "certificate_authorities")?,
            ),
            typ => Self::Unknown {
                typ,
                body: r.rest().to_vec(),
            },
        })
    }
}

/// CertificateRequest (RFC 8446 §4.3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest13 {
    /// certificate_request_context<0..2^8-1>, echoed in our Certificate.
    pub context: Vec<u8>,
    /// extensions<2..2^16-1>
    pub extensions: Vec<CertReqExtension>,
}

impl CertificateRequest13 {
    pub fn find_extension(&self, typ: ExtensionType) -> Option<&CertReqExtension> {
        find_extension(&self.extensions, typ)
    }

    pub fn signature_algorithms(&self) -> Option<&[SignatureScheme]> {
        match self.find_extension(ExtensionType::SignatureAlgorithms)? {
            CertReqExtension::SignatureAlgorithms(schemes) => Some(schemes),
            _ => None,
        }
    }

    pub fn certificate_authorities(&self) -> Option<&[DistinguishedName]> {
        match self.find_extension(ExtensionType::CertificateAuthorities)? {
            CertReqExtension::CertificateAuthorities(names) => Some(names),
            _ => None,
        }
    }
}

impl Codec<'_> for CertificateRequest13 {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque(out, ListLength::U8, &self.context);
        encode_extensions(&self.extensions, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let context = r.opaque(
            ListLength::U8,
            "CertificateRequest.certificate_request_context",
        )?;
        let extensions = read_extensions(r, "CertificateRequest.extensions")?;
        if extensions.is_empty() {
            return Err(InvalidMessage::EmptyVector("CertificateRequest.extensions"));
        }
        Ok(Self {
            context: context.to_vec(),
            extensions,
        })
    }
}

/// One extension of a TLS 1.3 NewSessionTicket (RFC 8446 §4.6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewSessionTicketExtension {
    /// early_data (RFC 8446 §4.2.10): `max_early_data_size`.
    EarlyData(u32),
    /// Any other extension, kept as received.
    Unknown { typ: ExtensionType, body: Vec<u8> },
}

impl ExtensionForm for NewSessionTicketExtension {
    fn ext_type(&self) -> ExtensionType {
        match self {
            Self::EarlyData(_) => ExtensionType::EarlyData,
            Self::Unknown { typ, .. } => *typ,
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::EarlyData(max) => max.encode(out),
            Self::Unknown { body, .. } => out.extend_from_slice(body),
        }
    }

    fn read_body(typ: ExtensionType, r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(match typ {
            ExtensionType::EarlyData => Self::EarlyData(r.u32("max_early_data_size")?),
            typ => Self::Unknown {
                typ,
                body: r.rest().to_vec(),
            },
        })
    }
}

/// A NewSessionTicket's ticket_nonce<0..255> (RFC 8446 §4.6.1). Servers
/// send a few bytes (RFC 8448's example two, OpenSSL eight), and a ticket's
/// PSK is derived from it once, so up to 32 bytes are held inline: no
/// allocation per ticket for it. Reads, and compares, as its bytes.
#[derive(Clone)]
pub struct TicketNonce(NonceBytes);

#[derive(Clone)]
enum NonceBytes {
    Inline(InlineBytes<32>),
    Heap(Vec<u8>),
}

impl TicketNonce {
    /// Whether the nonce is held inline (for tests of the 32-byte edge).
    #[cfg(test)]
    pub(crate) fn is_inline(&self) -> bool {
        matches!(self.0, NonceBytes::Inline(_))
    }
}

impl From<&[u8]> for TicketNonce {
    fn from(nonce: &[u8]) -> Self {
        Self(match InlineBytes::new(nonce) {
            Some(inline) => NonceBytes::Inline(inline),
            None => NonceBytes::Heap(nonce.to_vec()),
        })
    }
}

impl core::ops::Deref for TicketNonce {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.0 {
            NonceBytes::Inline(bytes) => bytes,
            NonceBytes::Heap(bytes) => bytes,
        }
    }
}

impl PartialEq for TicketNonce {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for TicketNonce {}

impl core::fmt::Debug for TicketNonce {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        (**self).fmt(f)
    }
}

/// NewSessionTicket (RFC 8446 §4.6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSessionTicket13 {
    /// ticket_lifetime in seconds; at most 604800 (seven days), which the
    /// client enforces.
    pub lifetime: u32,
    pub age_add: u32,
    /// ticket_nonce<0..255>
    pub nonce: TicketNonce,
    /// ticket<1..2^16-1>
    pub ticket: Vec<u8>,
    /// extensions<0..2^16-2>
    pub extensions: Vec<NewSessionTicketExtension>,
}

impl NewSessionTicket13 {
    /// The early_data extension's max_early_data_size: how much 0-RTT data
    /// the server will take with this ticket.
    pub fn max_early_data_size(&self) -> Option<u32> {
        match find_extension(&self.extensions, ExtensionType::EarlyData)? {
            NewSessionTicketExtension::EarlyData(max) => Some(*max),
            _ => None,
        }
    }
}

impl Codec<'_> for NewSessionTicket13 {
    fn encode(&self, out: &mut Vec<u8>) {
        self.lifetime.encode(out);
        self.age_add.encode(out);
        encode_opaque(out, ListLength::U8, &self.nonce);
        encode_opaque(out, ListLength::U16, &self.ticket);
        encode_extensions(&self.extensions, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            lifetime: r.u32("NewSessionTicket.ticket_lifetime")?,
            age_add: r.u32("NewSessionTicket.ticket_age_add")?,
            nonce: TicketNonce::from(r.opaque(ListLength::U8, "NewSessionTicket.ticket_nonce")?),
            ticket: r
                .opaque_nonempty(ListLength::U16, "NewSessionTicket.ticket")?
                .to_vec(),
            extensions: read_extensions(r, "NewSessionTicket.extensions")?,
        })
    }
}
