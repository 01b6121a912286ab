//! Handshake messages: `HandshakeType msg_type; uint24 length; body`
//! (RFC 8446 §4, RFC 5246 §7.4), and the few bodies small enough to live
//! here.
//!
//! Some bodies can be read only knowing the negotiated version
//! (Certificate, CertificateRequest and NewSessionTicket differ between
//! TLS 1.2 and 1.3), so reading takes it. ServerKeyExchange and
//! ClientKeyExchange are read in their ECDHE forms, the only key exchange
//! this client offers in TLS 1.2.

use super::codec::{encode_opaque, encode_prefixed, Codec, ListLength, Reader};
use super::enums::{HandshakeType, KeyUpdateRequest, ProtocolVersion, SignatureScheme};
use super::extensions::CertificateStatus;
use super::hello::{is_hello_retry_request, ClientHello, HelloRetryRequest, ServerHello};
use super::tls12::{
    Certificate12, CertificateRequest12, EcdheClientKeyExchange, EcdheServerKeyExchange,
    NewSessionTicket12,
};
use super::tls13::{Certificate13, CertificateRequest13, EncryptedExtensions, NewSessionTicket13};
use crate::error::InvalidMessage;
use crate::inline_bytes::InlineBytes;

/// The longest verify_data: a SHA-384 hash (TLS 1.3); TLS 1.2's is 12.
const MAX_VERIFY_DATA: usize = 48;

/// A signature with the scheme that made it: CertificateVerify's body
/// (RFC 8446 §4.4.3) and TLS 1.2's `digitally-signed` (RFC 5246 §4.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitallySigned {
    pub scheme: SignatureScheme,
    /// signature<0..2^16-1>
    pub signature: Vec<u8>,
}

impl Codec<'_> for DigitallySigned {
    fn encode(&self, out: &mut Vec<u8>) {
        self.scheme.encode(out);
        encode_opaque(out, ListLength::U16, &self.signature);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, InvalidMessage> {
        Ok(Self {
            scheme: SignatureScheme::read(r)?,
            signature: r.opaque(ListLength::U16, "signature")?.to_vec(),
        })
    }
}

/// The body of a handshake message, in the form for its type (and, where
/// it matters, the negotiated version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakePayload {
    /// TLS 1.2 only; empty. A client that does not renegotiate answers
    /// with a no_renegotiation warning or ignores it.
    HelloRequest,
    ClientHello(ClientHello<'static>),
    ServerHello(ServerHello),
    /// A ServerHello with the HelloRetryRequest random (RFC 8446 §4.1.3).
    HelloRetryRequest(HelloRetryRequest),
    NewSessionTicket13(NewSessionTicket13),
    NewSessionTicket12(NewSessionTicket12),
    /// Empty (RFC 8446 §4.5).
    EndOfEarlyData,
    EncryptedExtensions(EncryptedExtensions),
    Certificate13(Certificate13),
    Certificate12(Certificate12),
    ServerKeyExchange(EcdheServerKeyExchange),
    CertificateRequest13(CertificateRequest13),
    CertificateRequest12(CertificateRequest12),
    /// Empty (RFC 5246 §7.4.5).
    ServerHelloDone,
    CertificateVerify(DigitallySigned),
    ClientKeyExchange(EcdheClientKeyExchange),
    /// verify_data: Hash.length bytes in TLS 1.3, 12 in TLS 1.2. The
    /// handshake checks the length as it compares the value.
    Finished(Vec<u8>),
    /// TLS 1.2 stapled OCSP response (RFC 6066 §8).
    CertificateStatus(CertificateStatus),
    /// KeyUpdate (RFC 8446 §4.6.3).
    KeyUpdate(KeyUpdateRequest),
    /// The synthetic message that stands for ClientHello1 in the
    /// transcript after a HelloRetryRequest (RFC 8446 §4.4.1): its body is
    /// Hash(ClientHello1).
    MessageHash(Vec<u8>),
    /// A type this crate does not read, kept as received.
    Unknown {
        typ: HandshakeType,
        body: Vec<u8>,
    },
}

impl HandshakePayload {
    /// The msg_type this body is sent under.
    pub fn typ(&self) -> HandshakeType {
        match self {
            Self::HelloRequest => HandshakeType::HelloRequest,
            Self::ClientHello(_) => HandshakeType::ClientHello,
            Self::ServerHello(_) | Self::HelloRetryRequest(_) => HandshakeType::ServerHello,
            Self::NewSessionTicket13(_) | Self::NewSessionTicket12(_) => {
                HandshakeType::NewSessionTicket
            }
            Self::EndOfEarlyData => HandshakeType::EndOfEarlyData,
            Self::EncryptedExtensions(_) => HandshakeType::EncryptedExtensions,
            Self::Certificate13(_) | Self::Certificate12(_) => HandshakeType::Certificate,
            Self::ServerKeyExchange(_) => HandshakeType::ServerKeyExchange,
            Self::CertificateRequest13(_) | Self::CertificateRequest12(_) => {
                HandshakeType::CertificateRequest
            }
            Self::ServerHelloDone => HandshakeType::ServerHelloDone,
            Self::CertificateVerify(_) => HandshakeType::CertificateVerify,
            Self::ClientKeyExchange(_) => HandshakeType::ClientKeyExchange,
            Self::Finished(_) => HandshakeType::Finished,
            Self::CertificateStatus(_) => HandshakeType::CertificateStatus,
            Self::KeyUpdate(_) => HandshakeType::KeyUpdate,
            Self::MessageHash(_) => HandshakeType::MessageHash,
            Self::Unknown { typ, .. } => *typ,
        }
    }

    /// Appends the body alone.
    pub fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::HelloRequest | Self::EndOfEarlyData | Self::ServerHelloDone => {}
            Self::ClientHello(ch) => ch.encode(out),
            Self::ServerHello(sh) => sh.encode(out),
            Self::HelloRetryRequest(hrr) => hrr.encode(out),
            Self::NewSessionTicket13(nst) => nst.encode(out),
            Self::NewSessionTicket12(nst) => nst.encode(out),
            Self::EncryptedExtensions(ee) => ee.encode(out),
            Self::Certificate13(cert) => cert.encode(out),
            Self::Certificate12(cert) => cert.encode(out),
            Self::ServerKeyExchange(ske) => ske.encode(out),
            Self::CertificateRequest13(req) => req.encode(out),
            Self::CertificateRequest12(req) => req.encode(out),
            Self::CertificateVerify(sig) => sig.encode(out),
            Self::ClientKeyExchange(cke) => cke.encode(out),
            Self::CertificateStatus(status) => status.encode(out),
            Self::KeyUpdate(request) => request.encode(out),
            Self::Finished(bytes)
            | Self::MessageHash(bytes)
            | Self::Unknown { body: bytes, .. } => out.extend_from_slice(bytes),
        }
    }

    /// Reads the whole `body` of a message of type `typ`. `version` is the
    /// negotiated version: `TLSv1_3` selects the TLS 1.3 forms, anything
    /// else the TLS 1.2 ones.
    pub fn read_body(
        typ: HandshakeType,
        body: &[u8],
        version: ProtocolVersion,
    ) -> Result<Self, InvalidMessage> {
        let tls13 = version == ProtocolVersion::TLSv1_3;
        let r = &mut Reader::new(body);
        let payload = match typ {
            HandshakeType::HelloRequest => Self::HelloRequest,
            HandshakeType::ClientHello => Self::ClientHello(ClientHello::read(r)?),
            HandshakeType::ServerHello if is_hello_retry_request(r) => {
                Self::HelloRetryRequest(HelloRetryRequest::read(r)?)
            }
            HandshakeType::ServerHello => Self::ServerHello(ServerHello::read(r)?),
            HandshakeType::NewSessionTicket if tls13 => {
                Self::NewSessionTicket13(NewSessionTicket13::read(r)?)
            }
            HandshakeType::NewSessionTicket => {
                Self::NewSessionTicket12(NewSessionTicket12::read(r)?)
            }
            HandshakeType::EndOfEarlyData => Self::EndOfEarlyData,
            HandshakeType::EncryptedExtensions => {
                Self::EncryptedExtensions(EncryptedExtensions::read(r)?)
            }
            HandshakeType::Certificate if tls13 => Self::Certificate13(Certificate13::read(r)?),
            HandshakeType::Certificate => Self::Certificate12(Certificate12::read(r)?),
            HandshakeType::ServerKeyExchange => {
                Self::ServerKeyExchange(EcdheServerKeyExchange::read(r)?)
            }
            HandshakeType::CertificateRequest if tls13 => {
                Self::CertificateRequest13(CertificateRequest13::read(r)?)
            }
            HandshakeType::CertificateRequest => {
                Self::CertificateRequest12(CertificateRequest12::read(r)?)
            }
            HandshakeType::ServerHelloDone => Self::ServerHelloDone,
            HandshakeType::CertificateVerify => Self::CertificateVerify(DigitallySigned::read(r)?),
            HandshakeType::ClientKeyExchange => {
                Self::ClientKeyExchange(EcdheClientKeyExchange::read(r)?)
            }
            HandshakeType::Finished => Self::Finished(r.rest().to_vec()),
            HandshakeType::CertificateStatus => {
                Self::CertificateStatus(CertificateStatus::read(r)?)
            }
            HandshakeType::KeyUpdate => Self::KeyUpdate(read_key_update(r)?),
            HandshakeType::MessageHash => Self::MessageHash(r.rest().to_vec()),
            typ => Self::Unknown {
                typ,
                body: r.rest().to_vec(),
            },
        };
        r.expect_empty(handshake_name(typ))?;
        Ok(payload)
    }
}

/// RFC 8446 §4.6.3: "If an implementation receives any other value [than
/// update_not_requested or update_requested], it MUST terminate the
/// connection with an "illegal_parameter" alert."
fn read_key_update(r: &mut Reader<'_>) -> Result<KeyUpdateRequest, InvalidMessage> {
    match KeyUpdateRequest::read(r)? {
        KeyUpdateRequest::Unknown(_) => {
            Err(InvalidMessage::IllegalValue("KeyUpdate.request_update"))
        }
        known => Ok(known),
    }
}

/// A handshake message.
///
/// `typ` is always `payload.typ()` for a message made by [`Self::new`] or
/// read from the wire; the field is there for matching, and encoding uses
/// the payload's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeMessage {
    pub typ: HandshakeType,
    pub payload: HandshakePayload,
}

impl HandshakeMessage {
    pub fn new(payload: HandshakePayload) -> Self {
        Self {
            typ: payload.typ(),
            payload,
        }
    }

    /// Appends type, u24 length and body.
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.payload.typ().encode(out);
        encode_prefixed(out, ListLength::U24, |out| self.payload.encode_body(out));
    }

    pub fn get_encoding(&self) -> Vec<u8> {
        // Enough for the messages a client encodes after its ClientHello
        // (Finished, KeyUpdate, an empty Certificate) in one allocation.
        let mut out = Vec::with_capacity(64);
        self.encode(&mut out);
        out
    }

    /// A Finished message carrying `verify_data` (RFC 8446 §4.4.4,
    /// RFC 5246 §7.4.9), encoded: the bytes `get_encoding` gives for
    /// `HandshakePayload::Finished`, built on the stack (every handshake
    /// sends one, at most 52 bytes).
    ///
    /// `verify_data` is one we computed: 12 bytes in TLS 1.2, a hash of at
    /// most 48 in TLS 1.3. A longer one is a bug, and panics.
    pub(crate) fn encode_finished(verify_data: &[u8]) -> InlineBytes<{ 4 + MAX_VERIFY_DATA }> {
        let len = (verify_data.len() as u32).to_be_bytes();
        let header = [HandshakeType::Finished.to_wire(), len[1], len[2], len[3]];
        InlineBytes::from_parts(&[&header, verify_data]).expect("verify_data of at most 48 bytes")
    }

    /// Reads one message from the front of `r` (see
    /// [`HandshakePayload::read_body`] for `version`).
    pub fn read(r: &mut Reader<'_>, version: ProtocolVersion) -> Result<Self, InvalidMessage> {
        let typ = HandshakeType::read(r)?;
        let body = r.opaque(ListLength::U24, handshake_name(typ))?;
        Ok(Self {
            typ,
            payload: HandshakePayload::read_body(typ, body, version)?,
        })
    }

    /// Reads exactly one message that fills all of `bytes`.
    pub fn parse(bytes: &[u8], version: ProtocolVersion) -> Result<Self, InvalidMessage> {
        let mut r = Reader::new(bytes);
        let msg = Self::read(&mut r, version)?;
        r.expect_empty("handshake message")?;
        Ok(msg)
    }

    /// The `message_hash` message that replaces ClientHello1 in the
    /// transcript after a HelloRetryRequest (RFC 8446 §4.4.1).
    pub fn message_hash(hash_of_client_hello1: &[u8]) -> Self {
        Self::new(HandshakePayload::MessageHash(
            hash_of_client_hello1.to_vec(),
        ))
    }
}

/// The RFC's name for a handshake message, for error messages.
pub fn handshake_name(typ: HandshakeType) -> &'static str {
    match typ {
        HandshakeType::HelloRequest => "HelloRequest",
        HandshakeType::ClientHello => "ClientHello",
        HandshakeType::ServerHello => "ServerHello",
        HandshakeType::NewSessionTicket => "NewSessionTicket",
        HandshakeType::EndOfEarlyData => "EndOfEarlyData",
        HandshakeType::EncryptedExtensions => "EncryptedExtensions",
        HandshakeType::Certificate => "Certificate",
        HandshakeType::ServerKeyExchange => "ServerKeyExchange",
        HandshakeType::CertificateRequest => "CertificateRequest",
        HandshakeType::ServerHelloDone => "ServerHelloDone",
        HandshakeType::CertificateVerify => "CertificateVerify",
        HandshakeType::ClientKeyExchange => "ClientKeyExchange",
        HandshakeType::Finished => "Finished",
        HandshakeType::CertificateStatus => "CertificateStatus",
        HandshakeType::KeyUpdate => "KeyUpdate",
        HandshakeType::MessageHash => "message_hash",
        _ => "handshake message",
    }
}
