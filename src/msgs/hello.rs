//! ClientHello, ServerHello and HelloRetryRequest (RFC 8446 §4.1, RFC 5246
//! §7.4.1), with the accessors the handshake asks them.
//!
//! An empty extension list is encoded by leaving the block out, the
//! TLS 1.2 way (RFC 5246 §7.4.1.2); a block that is present but empty is
//! read as an empty list.

use core::fmt;
use std::borrow::Cow;

use super::client_ext::ClientExtension;
use super::codec::{encode_list, encode_opaque, encode_prefixed, Codec, ListLength, Reader};
use super::enums::{
    CipherSuite, Compression, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion,
    ServerNameType,
};
use super::extensions::{
    find_extension, first_duplicate, read_extensions, try_encode_extensions, ExtensionForm,
    KeyShareEntry, PresharedKeyOffer,
};
use super::server_ext::{HelloRetryExtension, ServerExtension};
use crate::error::{Error, InvalidMessage};
use crate::inline_bytes::InlineBytes;

/// The ServerHello.random that marks a HelloRetryRequest (RFC 8446 §4.1.3):
/// SHA-256 of "HelloRetryRequest".
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// The last eight bytes of ServerHello.random from a TLS 1.3 server that
/// negotiated TLS 1.2 (RFC 8446 §4.1.3).
pub const DOWNGRADE_TLS12: [u8; 8] = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01];

/// The same for TLS 1.1 or below.
pub const DOWNGRADE_TLS11: [u8; 8] = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00];

/// `opaque Random[32]`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Random(pub [u8; 32]);

impl Random {
    /// The version a TLS 1.3 server says it was pushed down to, if this
    /// ServerHello.random ends with a downgrade sentinel (RFC 8446 §4.1.3):
    /// `TLSv1_2` for 1.2, `TLSv1_1` for 1.1 or below.
    pub fn downgrade_sentinel(&self) -> Option<ProtocolVersion> {
        let tail = self.0.get(24..)?;
        if tail == DOWNGRADE_TLS12 {
            Some(ProtocolVersion::TLSv1_2)
        } else if tail == DOWNGRADE_TLS11 {
            Some(ProtocolVersion::TLSv1_1)
        } else {
            None
        }
    }
}

impl fmt::Debug for Random {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

impl Codec<'_> for Random {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self(r.array("random")?))
    }
}

/// `opaque legacy_session_id<0..32>`, held inline.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SessionId(InlineBytes<32>);

impl SessionId {
    pub const EMPTY: Self = Self(InlineBytes::EMPTY);

    /// A session id holding `bytes`, or `None` if there are more than 32.
    pub fn new(bytes: &[u8]) -> Option<Self> {
        InlineBytes::new(bytes).map(Self)
    }

    pub fn as_slice(&self) -> &[u8] {
        self.0.as_slice()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, self.as_slice())
    }
}

impl Codec<'_> for SessionId {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque(out, ListLength::U8, self.as_slice());
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let bytes = r.opaque(ListLength::U8, "session_id")?;
        Self::new(bytes).ok_or(InvalidMessage::BadLength("session_id"))
    }
}

fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

fn encode_extensions_if_any<E: ExtensionForm>(exts: &[E], out: &mut Vec<u8>) {
    let fits = try_encode_extensions_if_any(exts, out);
    debug_assert!(fits, "extensions too long for their length prefix");
}

/// Writes the extension block unless there are no extensions (a hello may
/// then end without one); false if the block passed its 2^16-1 bytes.
fn try_encode_extensions_if_any<E: ExtensionForm>(exts: &[E], out: &mut Vec<u8>) -> bool {
    exts.is_empty() || try_encode_extensions(exts, out)
}

fn read_extensions_if_any<E: ExtensionForm>(
    r: &mut Reader<'_>,
    what: &'static str,
) -> Result<Vec<E>, InvalidMessage> {
    if r.any_left() {
        read_extensions(r, what)
    } else {
        Ok(Vec::new())
    }
}

/// ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2).
///
/// The one we send borrows its lists from the config and the connection
/// (`'a`); a parsed one owns them (`ClientHello<'static>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello<'a> {
    /// TLSv1_2 in every ClientHello we send (RFC 8446 §4.1.2).
    pub legacy_version: ProtocolVersion,
    pub random: Random,
    pub session_id: SessionId,
    /// cipher_suites<2..2^16-2>
    pub cipher_suites: Cow<'a, [CipherSuite]>,
    /// legacy_compression_methods<1..2^8-1>: just null.
    pub compression_methods: Cow<'a, [Compression]>,
    /// In the order sent; pre_shared_key, if present, last.
    pub extensions: Vec<ClientExtension<'a>>,
}

impl<'a> ClientHello<'a> {
    pub fn find_extension(&self, typ: ExtensionType) -> Option<&ClientExtension<'a>> {
        find_extension(&self.extensions, typ)
    }

    /// An extension type that appears twice, if any (a parsed ClientHello
    /// never has one; this checks one being built).
    pub fn duplicate_extension(&self) -> Option<ExtensionType> {
        first_duplicate(&self.extensions)
    }

    /// The first host_name in server_name.
    pub fn server_name(&self) -> Option<&[u8]> {
        match self.find_extension(ExtensionType::ServerName)? {
            ClientExtension::ServerName(names) => names
                .iter()
                .find(|n| n.typ == ServerNameType::HostName)
                .map(|n| n.name.as_ref()),
            _ => None,
        }
    }

    pub fn key_shares(&self) -> Option<&[KeyShareEntry<'a>]> {
        match self.find_extension(ExtensionType::KeyShare)? {
            ClientExtension::KeyShare(shares) => Some(shares),
            _ => None,
        }
    }

    pub fn psk_offer(&self) -> Option<&PresharedKeyOffer<'a>> {
        match self.extensions.last()? {
            ClientExtension::PreSharedKey(offer) => Some(offer),
            _ => None,
        }
    }

    pub fn psk_offer_mut(&mut self) -> Option<&mut PresharedKeyOffer<'a>> {
        match self.extensions.last_mut()? {
            ClientExtension::PreSharedKey(offer) => Some(offer),
            _ => None,
        }
    }

    /// The whole ClientHello handshake message (header included), ready
    /// for the PSK binders to be computed and patched in; `None` if its
    /// extensions pass the 2^16-1 bytes their length allows (RFC 8446
    /// §4.1.2), which a server's ticket or cookie echoed in them can make
    /// them do.
    pub fn encode_handshake(&self) -> Option<EncodedClientHello> {
        // Room for a typical hello plus the ticket it offers (the one part
        // that can be long), so encoding it is one allocation.
        let ticket_len: usize = self
            .psk_offer()
            .map_or(0, |o| o.identities.iter().map(|i| i.identity.len()).sum());
        let mut bytes = Vec::with_capacity(512 + ticket_len);
        HandshakeType::ClientHello.encode(&mut bytes);
        let mut fits = false;
        encode_prefixed(&mut bytes, ListLength::U24, |out| {
            fits = self.try_encode_body(out);
        });
        let binders_len = self.psk_offer().map_or(0, |o| o.binders_encoded_len());
        fits.then(|| EncodedClientHello {
            binders_at: bytes.len().saturating_sub(binders_len),
            bytes,
        })
    }

    /// The body; false if the extensions did not fit their length.
    fn try_encode_body(&self, out: &mut Vec<u8>) -> bool {
        self.legacy_version.encode(out);
        self.random.encode(out);
        self.session_id.encode(out);
        encode_list(out, ListLength::U16, &self.cipher_suites);
        encode_list(out, ListLength::U8, &self.compression_methods);
        try_encode_extensions_if_any(&self.extensions, out)
    }
}

impl Codec<'_> for ClientHello<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        let fits = self.try_encode_body(out);
        debug_assert!(fits, "ClientHello extensions too long for their length");
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let ch = Self {
            legacy_version: ProtocolVersion::read(r)?,
            random: Random::read(r)?,
            session_id: SessionId::read(r)?,
            cipher_suites: r
                .list_nonempty(ListLength::U16, "ClientHello.cipher_suites")?
                .into(),
            compression_methods: r
                .list_nonempty(ListLength::U8, "ClientHello.legacy_compression_methods")?
                .into(),
            extensions: read_extensions_if_any(r, "ClientHello.extensions")?,
        };
        // RFC 8446 §4.2.11: "The "pre_shared_key" extension MUST be the
        // last extension in the ClientHello".
        let psk_at = ch
            .extensions
            .iter()
            .position(|e| e.ext_type() == ExtensionType::PreSharedKey);
        if psk_at.is_some_and(|at| at + 1 != ch.extensions.len()) {
            return Err(InvalidMessage::IllegalValue(
                "ClientHello.extensions (pre_shared_key is not last)",
            ));
        }
        Ok(ch)
    }
}

/// A ClientHello handshake message as it goes on the wire, split where
/// its PSK binders begin (RFC 8446 §4.2.11.2).
///
/// The client builds the ClientHello with placeholder binders of the right
/// lengths, hashes [`truncated`](Self::truncated) into each binder, then
/// writes the binders in with [`set_binders`](Self::set_binders). Without a
/// pre_shared_key extension the truncated form is the whole message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedClientHello {
    bytes: Vec<u8>,
    binders_at: usize,
}

impl EncodedClientHello {
    /// The whole message: type, length, body.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The message up to but not including the binders list: what the
    /// binders' transcript hash covers.
    pub fn truncated(&self) -> &[u8] {
        self.bytes.get(..self.binders_at).unwrap_or_default()
    }

    /// Overwrites the placeholder binders with `binders`, whose encoding
    /// must be as long as the placeholders' (so no length field before
    /// them changes).
    pub fn set_binders(&mut self, binders: &[&[u8]]) -> Result<(), Error> {
        // The binders list as encoded: a u16 length, then each binder
        // with its u8 length. Written over the placeholders in place.
        let list_len = 2 + binders.iter().map(|b| 1 + b.len()).sum::<usize>();
        let old_len = self.bytes.len().saturating_sub(self.binders_at);
        if self.binders_at == self.bytes.len() || old_len != list_len {
            return Err(Error::General(
                "PSK binders do not match the placeholders' lengths".into(),
            ));
        }
        self.bytes.truncate(self.binders_at);
        encode_prefixed(&mut self.bytes, ListLength::U16, |out| {
            for binder in binders {
                encode_opaque(out, ListLength::U8, binder);
            }
        });
        Ok(())
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// ServerHello (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3), other than a
/// HelloRetryRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    /// TLSv1_2 from a TLS 1.3 server; the real version is in supported_versions.
    pub legacy_version: ProtocolVersion,
    pub random: Random,
    /// legacy_session_id_echo in TLS 1.3.
    pub session_id: SessionId,
    pub cipher_suite: CipherSuite,
    /// Must be null (RFC 8446 §4.1.3); kept so the handshake can check it.
    pub compression_method: Compression,
    pub extensions: Vec<ServerExtension>,
}

impl ServerHello {
    pub fn find_extension(&self, typ: ExtensionType) -> Option<&ServerExtension> {
        find_extension(&self.extensions, typ)
    }

    /// supported_versions' selected_version: `Some(TLSv1_3)` from a TLS 1.3
    /// server (RFC 8446 §4.2.1).
    pub fn supported_versions(&self) -> Option<ProtocolVersion> {
        match self.find_extension(ExtensionType::SupportedVersions)? {
            ServerExtension::SupportedVersions(v) => Some(*v),
            _ => None,
        }
    }

    /// key_share's server_share.
    pub fn key_share(&self) -> Option<&KeyShareEntry<'static>> {
        match self.find_extension(ExtensionType::KeyShare)? {
            ServerExtension::KeyShare(share) => Some(share),
            _ => None,
        }
    }

    /// pre_shared_key's selected_identity.
    pub fn psk_index(&self) -> Option<u16> {
        match self.find_extension(ExtensionType::PreSharedKey)? {
            ServerExtension::PreSharedKey(i) => Some(*i),
            _ => None,
        }
    }

    /// The protocol chosen by ALPN (TLS 1.2; TLS 1.3 sends it in
    /// EncryptedExtensions).
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        alpn_protocol(&self.extensions)
    }

    /// renegotiation_info's renegotiated_connection (RFC 5746).
    pub fn renegotiation_info(&self) -> Option<&[u8]> {
        match self.find_extension(ExtensionType::RenegotiationInfo)? {
            ServerExtension::RenegotiationInfo(data) => Some(data),
            _ => None,
        }
    }

    pub fn has_extension(&self, typ: ExtensionType) -> bool {
        self.find_extension(typ).is_some()
    }
}

/// The protocol in an ALPN extension among `exts`.
pub(crate) fn alpn_protocol(exts: &[ServerExtension]) -> Option<&[u8]> {
    match find_extension(exts, ExtensionType::ApplicationLayerProtocolNegotiation)? {
        ServerExtension::Alpn(protocol) => Some(protocol),
        _ => None,
    }
}

impl Codec<'_> for ServerHello {
    fn encode(&self, out: &mut Vec<u8>) {
        self.legacy_version.encode(out);
        self.random.encode(out);
        self.session_id.encode(out);
        self.cipher_suite.encode(out);
        self.compression_method.encode(out);
        encode_extensions_if_any(&self.extensions, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let legacy_version = ProtocolVersion::read(r)?;
        let random = Random::read(r)?;
        if random.0 == HELLO_RETRY_REQUEST_RANDOM {
            // The caller should have read this as a HelloRetryRequest.
            return Err(InvalidMessage::IllegalValue(
                "ServerHello.random (the HelloRetryRequest value)",
            ));
        }
        Ok(Self {
            legacy_version,
            random,
            session_id: SessionId::read(r)?,
            cipher_suite: CipherSuite::read(r)?,
            compression_method: Compression::read(r)?,
            extensions: read_extensions_if_any(r, "ServerHello.extensions")?,
        })
    }
}

/// HelloRetryRequest (RFC 8446 §4.1.4): a ServerHello whose random is
/// [`HELLO_RETRY_REQUEST_RANDOM`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelloRetryRequest {
    pub legacy_version: ProtocolVersion,
    pub session_id: SessionId,
    pub cipher_suite: CipherSuite,
    pub compression_method: Compression,
    pub extensions: Vec<HelloRetryExtension>,
}

impl HelloRetryRequest {
    pub fn find_extension(&self, typ: ExtensionType) -> Option<&HelloRetryExtension> {
        find_extension(&self.extensions, typ)
    }

    pub fn supported_versions(&self) -> Option<ProtocolVersion> {
        match self.find_extension(ExtensionType::SupportedVersions)? {
            HelloRetryExtension::SupportedVersions(v) => Some(*v),
            _ => None,
        }
    }

    /// key_share's selected_group.
    pub fn key_share(&self) -> Option<NamedGroup> {
        match self.find_extension(ExtensionType::KeyShare)? {
            HelloRetryExtension::KeyShare(group) => Some(*group),
            _ => None,
        }
    }

    pub fn cookie(&self) -> Option<&[u8]> {
        match self.find_extension(ExtensionType::Cookie)? {
            HelloRetryExtension::Cookie(cookie) => Some(cookie),
            _ => None,
        }
    }
}

impl Codec<'_> for HelloRetryRequest {
    fn encode(&self, out: &mut Vec<u8>) {
        self.legacy_version.encode(out);
        out.extend_from_slice(&HELLO_RETRY_REQUEST_RANDOM);
        self.session_id.encode(out);
        self.cipher_suite.encode(out);
        self.compression_method.encode(out);
        encode_extensions_if_any(&self.extensions, out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        let legacy_version = ProtocolVersion::read(r)?;
        if Random::read(r)?.0 != HELLO_RETRY_REQUEST_RANDOM {
            return Err(InvalidMessage::IllegalValue("HelloRetryRequest.random"));
        }
        Ok(Self {
            legacy_version,
            session_id: SessionId::read(r)?,
            cipher_suite: CipherSuite::read(r)?,
            compression_method: Compression::read(r)?,
            extensions: read_extensions_if_any(r, "HelloRetryRequest.extensions")?,
        })
    }
}

/// Whether the ServerHello-shaped body in `r` is a HelloRetryRequest,
/// judged by its random; `r` is not advanced.
pub(crate) fn is_hello_retry_request(r: &Reader<'_>) -> bool {
    let mut peek = r.clone();
    peek.take(2).is_some() && peek.take(32) == Some(&HELLO_RETRY_REQUEST_RANDOM[..])
}
