//! What every extension block shares: the framing (RFC 8446 §4.2), the rule
//! against duplicates, and the payload structures more than one form uses.
//!
//! Each kind of message has its own extension enum (ClientHello,
//! ServerHello/EncryptedExtensions, HelloRetryRequest, CertificateEntry,
//! CertificateRequest, NewSessionTicket), because the same extension type
//! has different bodies in different messages (key_share is a list in
//! ClientHello, one entry in ServerHello and a bare group in
//! HelloRetryRequest). They all implement [`ExtensionForm`], and the
//! functions here read and write blocks of any of them.

use std::borrow::Cow;

use super::codec::{
    encode_opaque, encode_prefixed, try_encode_prefixed, Codec, ListLength, Reader,
};
use super::enums::{CertificateStatusType, ExtensionType, NamedGroup, ServerNameType};
use crate::error::InvalidMessage;

/// The extensions one kind of message may carry.
pub trait ExtensionForm: Sized {
    /// The type this extension is sent under.
    fn ext_type(&self) -> ExtensionType;

    /// Appends extension_data (without the type and length).
    fn encode_body(&self, out: &mut Vec<u8>);

    /// Reads the extension_data of an extension of type `typ`. The caller
    /// checks that all of it was used.
    fn read_body(typ: ExtensionType, body: &mut Reader<'_>) -> Result<Self, InvalidMessage>;
}

/// Writes one extension: type, then extension_data<0..2^16-1>.
pub fn encode_extension<E: ExtensionForm>(ext: &E, out: &mut Vec<u8>) {
    ext.ext_type().encode(out);
    encode_prefixed(out, ListLength::U16, |out| ext.encode_body(out));
}

/// Reads one extension, insisting that its body is used exactly.
pub fn read_extension<E: ExtensionForm>(r: &mut Reader<'_>) -> Result<E, InvalidMessage> {
    let typ = ExtensionType::read(r)?;
    let name = extension_name(typ);
    let mut body = r.sub(ListLength::U16, name)?;
    let ext = E::read_body(typ, &mut body)?;
    body.expect_empty(name)?;
    Ok(ext)
}

/// Writes a block `Extension extensions<0..2^16-1>` in the order given: the
/// client chooses the order, and the RFC 8448 traces depend on it.
pub fn encode_extensions<E: ExtensionForm>(exts: &[E], out: &mut Vec<u8>) {
    let fits = try_encode_extensions(exts, out);
    debug_assert!(fits, "extensions too long for their length prefix");
}

/// [`encode_extensions`] for a block that may echo what a peer chose;
/// returns whether the block fit its 2^16-1 bytes (if not, the encoding
/// must be discarded, as [`try_encode_prefixed`] says).
#[must_use]
pub fn try_encode_extensions<E: ExtensionForm>(exts: &[E], out: &mut Vec<u8>) -> bool {
    try_encode_prefixed(out, ListLength::U16, |out| {
        for ext in exts {
            encode_extension(ext, out);
        }
    })
}

/// Reads a length-prefixed block of extensions; `what` names the block in
/// errors, such as `"ClientHello.extensions"`.
///
/// RFC 8446 §4.2: "There MUST NOT be more than one extension of the same
/// type in a given extension block."
pub fn read_extensions<E: ExtensionForm>(
    r: &mut Reader<'_>,
    what: &'static str,
) -> Result<Vec<E>, InvalidMessage> {
    let mut block = r.sub(ListLength::U16, what)?;
    let mut out = Vec::new();
    while block.any_left() {
        out.push(read_extension::<E>(&mut block)?);
    }
    if let Some(typ) = first_duplicate(&out) {
        return Err(InvalidMessage::DuplicateExtension(typ.to_wire()));
    }
    Ok(out)
}

/// The first extension of `exts` with type `typ`.
pub fn find_extension<E: ExtensionForm>(exts: &[E], typ: ExtensionType) -> Option<&E> {
    exts.iter().find(|e| e.ext_type() == typ)
}

/// A type that appears more than once in `exts`, if any. Sorting keeps this
/// fast even for a block of thousands of tiny extensions.
pub fn first_duplicate<E: ExtensionForm>(exts: &[E]) -> Option<ExtensionType> {
    // Real blocks hold a handful of extensions: compare pairwise without
    // allocating. A hostile block of thousands is sorted instead, so it
    // cannot make this quadratic.
    if exts.len() <= 32 {
        return exts.iter().enumerate().find_map(|(i, a)| {
            let typ = a.ext_type();
            exts[i + 1..]
                .iter()
                .any(|b| b.ext_type() == typ)
                .then_some(typ)
        });
    }
    let mut types: Vec<u16> = exts.iter().map(|e| e.ext_type().to_wire()).collect();
    types.sort_unstable();
    types
        .windows(2)
        .find(|w| w.first() == w.get(1))
        .and_then(|w| w.first())
        .map(|t| ExtensionType::from(*t))
}

/// The RFC's name for an extension, for error messages.
pub fn extension_name(typ: ExtensionType) -> &'static str {
    match typ {
        ExtensionType::ServerName => "server_name extension",
        ExtensionType::StatusRequest => "status_request extension",
        ExtensionType::SupportedGroups => "supported_groups extension",
        ExtensionType::EcPointFormats => "ec_point_formats extension",
        ExtensionType::SignatureAlgorithms => "signature_algorithms extension",
        ExtensionType::ApplicationLayerProtocolNegotiation => {
            "application_layer_protocol_negotiation extension"
        }
        ExtensionType::Padding => "padding extension",
        ExtensionType::ExtendedMasterSecret => "extended_master_secret extension",
        ExtensionType::RecordSizeLimit => "record_size_limit extension",
        ExtensionType::SessionTicket => "session_ticket extension",
        ExtensionType::PreSharedKey => "pre_shared_key extension",
        ExtensionType::EarlyData => "early_data extension",
        ExtensionType::SupportedVersions => "supported_versions extension",
        ExtensionType::Cookie => "cookie extension",
        ExtensionType::PskKeyExchangeModes => "psk_key_exchange_modes extension",
        ExtensionType::CertificateAuthorities => "certificate_authorities extension",
        ExtensionType::PostHandshakeAuth => "post_handshake_auth extension",
        ExtensionType::SignatureAlgorithmsCert => "signature_algorithms_cert extension",
        ExtensionType::KeyShare => "key_share extension",
        ExtensionType::RenegotiationInfo => "renegotiation_info extension",
        _ => "extension",
    }
}

/// Reads `uint16 record_size_limit` (RFC 8449 §4), which must be at least
/// 64: "An endpoint MUST treat receipt of a smaller value as a fatal error
/// and generate an "illegal_parameter" alert."
pub fn read_record_size_limit(r: &mut Reader<'_>) -> Result<u16, InvalidMessage> {
    let limit = r.u16("record_size_limit")?;
    if limit < 64 {
        return Err(InvalidMessage::IllegalValue("record_size_limit"));
    }
    Ok(limit)
}

/// Reads a vector of opaque vectors, each non-empty (as ALPN's
/// `ProtocolName protocol_name_list<2..2^16-1>` of `opaque ProtocolName<1..2^8-1>`).
pub fn read_opaque_list(
    r: &mut Reader<'_>,
    outer: ListLength,
    inner: ListLength,
    what: &'static str,
) -> Result<Vec<Vec<u8>>, InvalidMessage> {
    let mut list = r.sub(outer, what)?;
    let mut out = Vec::new();
    while list.any_left() {
        out.push(list.opaque_nonempty(inner, what)?.to_vec());
    }
    Ok(out)
}

/// Writes a vector of opaque vectors.
pub fn encode_opaque_list<T: AsRef<[u8]>>(
    out: &mut Vec<u8>,
    outer: ListLength,
    inner: ListLength,
    items: &[T],
) {
    encode_prefixed(out, outer, |out| {
        for item in items {
            encode_opaque(out, inner, item.as_ref());
        }
    });
}

/// A list that is borrowed or owned: `Cow<'a, [T]>` for elements that
/// borrow too. `Cow` names its owned form through `ToOwned`, which makes
/// `Cow<'a, [Entry<'a>]>` invariant in `'a`, so a parsed (`'static`) entry
/// could not stand in a hello that borrows; this enum is covariant.
#[derive(Debug, Clone)]
pub enum CowList<'a, T> {
    Borrowed(&'a [T]),
    Owned(Vec<T>),
}

impl<T: Clone> CowList<'_, T> {
    /// The list as a `Vec` to edit, copied first if it was borrowed.
    pub fn to_mut(&mut self) -> &mut Vec<T> {
        if let Self::Borrowed(items) = *self {
            *self = Self::Owned(items.to_vec());
        }
        match self {
            Self::Owned(items) => items,
            Self::Borrowed(_) => unreachable!("made owned just above"),
        }
    }
}

impl<T> core::ops::Deref for CowList<'_, T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match self {
            Self::Borrowed(items) => items,
            Self::Owned(items) => items,
        }
    }
}

impl<T> From<Vec<T>> for CowList<'_, T> {
    fn from(items: Vec<T>) -> Self {
        Self::Owned(items)
    }
}

/// Equal when the elements are, borrowed or not.
impl<T: PartialEq> PartialEq for CowList<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Eq> Eq for CowList<'_, T> {}

/// One entry of a ServerNameList (RFC 6066 §3).
///
/// Only host_name is defined; an entry of another type is kept, read on the
/// assumption (the one RFC 6066 makes for future types) that its body is
/// `opaque<1..2^16-1>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerNameEntry<'a> {
    pub typ: ServerNameType,
    /// For host_name, the DNS name in ASCII, without a trailing dot.
    pub name: Cow<'a, [u8]>,
}

impl<'a> ServerNameEntry<'a> {
    /// A host_name entry borrowing `name`.
    pub fn host_name(name: &'a str) -> Self {
        Self {
            typ: ServerNameType::HostName,
            name: Cow::Borrowed(name.as_bytes()),
        }
    }
}

// Read entries own their bytes, so they outlive the message they came
// from; built ones borrow (see `ClientExtension`).
impl Codec<'_> for ServerNameEntry<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.typ.encode(out);
        encode_opaque(out, ListLength::U16, &self.name);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let typ = ServerNameType::read(r)?;
        // RFC 6066 §3: opaque HostName<1..2^16-1>.
        let name = r.opaque_nonempty(ListLength::U16, "server_name.HostName")?;
        Ok(Self {
            typ,
            name: Cow::Owned(name.to_vec()),
        })
    }
}

/// KeyShareEntry (RFC 8446 §4.2.8): a group and a public key on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyShareEntry<'a> {
    pub group: NamedGroup,
    /// key_exchange<1..2^16-1>: the encoded public key.
    pub payload: Cow<'a, [u8]>,
}

impl<'a> KeyShareEntry<'a> {
    /// An entry borrowing `payload`.
    pub fn new(group: NamedGroup, payload: &'a [u8]) -> Self {
        Self {
            group,
            payload: Cow::Borrowed(payload),
        }
    }
}

impl Codec<'_> for KeyShareEntry<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.group.encode(out);
        encode_opaque(out, ListLength::U16, &self.payload);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let group = NamedGroup::read(r)?;
        let payload = r.opaque_nonempty(ListLength::U16, "KeyShareEntry.key_exchange")?;
        Ok(Self {
            group,
            payload: Cow::Owned(payload.to_vec()),
        })
    }
}

/// PskIdentity (RFC 8446 §4.2.11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PskIdentity<'a> {
    /// identity<1..2^16-1>: the ticket as the server issued it.
    pub identity: Cow<'a, [u8]>,
    /// The ticket's age in milliseconds plus ticket_age_add, mod 2^32.
    pub obfuscated_ticket_age: u32,
}

impl Codec<'_> for PskIdentity<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque(out, ListLength::U16, &self.identity);
        self.obfuscated_ticket_age.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let identity = r.opaque_nonempty(ListLength::U16, "PskIdentity.identity")?;
        let obfuscated_ticket_age = r.u32("PskIdentity.obfuscated_ticket_age")?;
        Ok(Self {
            identity: Cow::Owned(identity.to_vec()),
            obfuscated_ticket_age,
        })
    }
}

/// OfferedPsks, the ClientHello form of pre_shared_key (RFC 8446 §4.2.11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresharedKeyOffer<'a> {
    /// identities<7..2^16-1>
    pub identities: CowList<'a, PskIdentity<'a>>,
    /// binders<33..2^16-1>, each `opaque PskBinderEntry<32..255>`, one per
    /// identity in the same order.
    pub binders: CowList<'a, Cow<'a, [u8]>>,
}

impl PresharedKeyOffer<'_> {
    /// The length of the encoded binders list, its two-byte length
    /// included: what is cut from the end of the ClientHello to get the
    /// "truncated ClientHello" the binders are computed over (RFC 8446
    /// §4.2.11.2).
    pub fn binders_encoded_len(&self) -> usize {
        2 + self.binders.iter().map(|b| 1 + b.len()).sum::<usize>()
    }

    pub(crate) fn encode_binders(&self, out: &mut Vec<u8>) {
        encode_opaque_list(out, ListLength::U16, ListLength::U8, &self.binders);
    }
}

impl Codec<'_> for PresharedKeyOffer<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        super::codec::encode_list(out, ListLength::U16, &self.identities);
        self.encode_binders(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let identities = r.list_nonempty(ListLength::U16, "OfferedPsks.identities")?;
        let binders = read_opaque_list(r, ListLength::U16, ListLength::U8, "OfferedPsks.binders")?;
        if binders.is_empty() {
            return Err(InvalidMessage::EmptyVector("OfferedPsks.binders"));
        }
        if binders.iter().any(|b| b.len() < 32) {
            return Err(InvalidMessage::BadLength("PskBinderEntry"));
        }
        Ok(Self {
            identities: identities.into(),
            binders: binders
                .into_iter()
                .map(Cow::Owned)
                .collect::<Vec<_>>()
                .into(),
        })
    }
}

/// `opaque DistinguishedName<1..2^16-1>` (RFC 8446 §4.2.4, RFC 5246
/// §7.4.4): a DER-encoded X.501 Name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistinguishedName(pub Vec<u8>);

impl Codec<'_> for DistinguishedName {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque(out, ListLength::U16, &self.0);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let name = r.opaque_nonempty(ListLength::U16, "DistinguishedName")?;
        Ok(Self(name.to_vec()))
    }
}

/// CertificateStatusRequest (RFC 6066 §8): what a client sends in
/// status_request to ask for a stapled OCSP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateStatusRequest {
    /// OCSPStatusRequest. A client normally sends both lists empty, meaning
    /// "any responder, no request extensions".
    Ocsp {
        /// `ResponderID responder_id_list<0..2^16-1>`, each `opaque<1..2^16-1>`.
        responder_ids: Vec<Vec<u8>>,
        /// `opaque Extensions<0..2^16-1>`: DER-encoded OCSP request extensions.
        request_extensions: Vec<u8>,
    },
    /// A status type this crate does not know; its body is kept whole.
    Unknown {
        typ: CertificateStatusType,
        body: Vec<u8>,
    },
}

impl CertificateStatusRequest {
    /// The request a client sends: OCSP, no responder list, no extensions.
    pub fn ocsp() -> Self {
        Self::Ocsp {
            responder_ids: Vec::new(),
            request_extensions: Vec::new(),
        }
    }
}

impl Codec<'_> for CertificateStatusRequest {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Ocsp {
                responder_ids,
                request_extensions,
            } => {
                CertificateStatusType::Ocsp.encode(out);
                encode_opaque_list(out, ListLength::U16, ListLength::U16, responder_ids);
                encode_opaque(out, ListLength::U16, request_extensions);
            }
            Self::Unknown { typ, body } => {
                typ.encode(out);
                out.extend_from_slice(body);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        match CertificateStatusType::read(r)? {
            CertificateStatusType::Ocsp => {
                let responder_ids = read_opaque_list(
                    r,
                    ListLength::U16,
                    ListLength::U16,
                    "OCSPStatusRequest.responder_id_list",
                )?;
                let request_extensions =
                    r.opaque(ListLength::U16, "OCSPStatusRequest.request_extensions")?;
                Ok(Self::Ocsp {
                    responder_ids,
                    request_extensions: request_extensions.to_vec(),
                })
            }
            typ => Ok(Self::Unknown {
                typ,
                body: r.rest().to_vec(),
            }),
        }
    }
}

/// CertificateStatus (RFC 6066 §8): a stapled OCSP response, sent as its own
/// handshake message in TLS 1.2 and inside the leaf's CertificateEntry
/// status_request extension in TLS 1.3 (RFC 8446 §4.4.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateStatus {
    /// `opaque OCSPResponse<1..2^24-1>`: a DER-encoded OCSPResponse.
    pub ocsp_response: Vec<u8>,
}

impl Codec<'_> for CertificateStatus {
    fn encode(&self, out: &mut Vec<u8>) {
        CertificateStatusType::Ocsp.encode(out);
        encode_opaque(out, ListLength::U24, &self.ocsp_response);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        // The response's syntax is known only for ocsp; any other type
        // cannot be read (and was never asked for).
        if CertificateStatusType::read(r)? != CertificateStatusType::Ocsp {
            return Err(InvalidMessage::IllegalValue(
                "CertificateStatus.status_type",
            ));
        }
        let response = r.opaque_nonempty(ListLength::U24, "CertificateStatus.OCSPResponse")?;
        Ok(Self {
            ocsp_response: response.to_vec(),
        })
    }
}
