//! The one error type of the core, with named reasons a caller can act on.
//!
//! Each error that arises from the peer's behaviour knows which alert
//! (RFC 8446 §6.2) we send for it; see [`Error::alert`].

use core::fmt;

use crate::msgs::enums::{AlertDescription, ContentType, HandshakeType, SignatureScheme};

/// Everything that can go wrong on a connection.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A message from the peer could not be decoded.
    InvalidMessage(InvalidMessage),
    /// A message of the wrong content type arrived for the current state.
    InappropriateMessage {
        expected: &'static [ContentType],
        got: ContentType,
    },
    /// A handshake message of the wrong type arrived for the current state.
    InappropriateHandshakeMessage {
        expected: &'static [HandshakeType],
        got: HandshakeType,
    },
    /// The peer broke a rule of the protocol.
    PeerMisbehaved(PeerMisbehaved),
    /// The peer and we have nothing in common to agree on.
    PeerIncompatible(PeerIncompatible),
    /// The peer sent a fatal alert (or a warning that TLS 1.3 treats as one).
    AlertReceived(AlertDescription),
    /// The server's certificate was not acceptable.
    InvalidCertificate(CertificateError),
    /// A record failed authentication: it was altered, truncated or forged.
    DecryptError,
    /// We could not protect a record (a sequence number would wrap).
    EncryptError,
    /// The transport closed without a close_notify alert (or before the
    /// handshake was done): the data received may have been truncated by
    /// an attacker.
    UnexpectedEof,
    /// A buffer limit was reached.
    BufferFull,
    /// The operation needs a completed handshake.
    HandshakeNotComplete,
    /// Randomness could not be had from the operating system.
    FailedToGetRandomBytes,
    /// The local configuration cannot work (for example no cipher suites).
    InvalidConfig(&'static str),
    /// Anything else, described in words.
    General(String),
}

impl Error {
    /// The alert we send when this error ends the connection, if any.
    ///
    /// `None` means no alert is sent: the peer already sent one, or the
    /// transport is gone, or the failure was local and not the peer's.
    pub fn alert(&self) -> Option<AlertDescription> {
        Some(match self {
            Self::InvalidMessage(m) => m.alert(),
            Self::InappropriateMessage { .. } | Self::InappropriateHandshakeMessage { .. } => {
                AlertDescription::UnexpectedMessage
            }
            Self::PeerMisbehaved(p) => p.alert(),
            Self::PeerIncompatible(p) => p.alert(),
            Self::InvalidCertificate(c) => c.alert(),
            Self::DecryptError => AlertDescription::BadRecordMac,
            Self::EncryptError | Self::FailedToGetRandomBytes | Self::General(_) => {
                AlertDescription::InternalError
            }
            Self::AlertReceived(_)
            | Self::UnexpectedEof
            | Self::BufferFull
            | Self::HandshakeNotComplete
            | Self::InvalidConfig(_) => return None,
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidMessage(m) => write!(f, "received a malformed message: {m}"),
            Self::InappropriateMessage { expected, got } => {
                write!(
                    f,
                    "received unexpected {got:?} record (expected {expected:?})"
                )
            }
            Self::InappropriateHandshakeMessage { expected, got } => {
                write!(
                    f,
                    "received unexpected {got:?} message (expected {expected:?})"
                )
            }
            Self::PeerMisbehaved(p) => write!(f, "peer misbehaved: {p}"),
            Self::PeerIncompatible(p) => write!(f, "peer is incompatible: {p}"),
            Self::AlertReceived(a) => write!(f, "peer sent fatal alert {a:?}"),
            Self::InvalidCertificate(c) => write!(f, "invalid peer certificate: {c}"),
            Self::DecryptError => f.write_str("record failed authentication (bad_record_mac)"),
            Self::EncryptError => f.write_str("cannot encrypt: sequence number exhausted"),
            Self::UnexpectedEof => f.write_str(
                "peer closed the connection without close_notify (or during the handshake)",
            ),
            Self::BufferFull => f.write_str("buffer limit reached"),
            Self::HandshakeNotComplete => f.write_str("handshake not complete"),
            Self::FailedToGetRandomBytes => f.write_str("failed to get random bytes"),
            Self::InvalidConfig(why) => write!(f, "invalid configuration: {why}"),
            Self::General(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for Error {}

impl From<InvalidMessage> for Error {
    fn from(m: InvalidMessage) -> Self {
        Self::InvalidMessage(m)
    }
}

impl From<PeerMisbehaved> for Error {
    fn from(p: PeerMisbehaved) -> Self {
        Self::PeerMisbehaved(p)
    }
}

impl From<PeerIncompatible> for Error {
    fn from(p: PeerIncompatible) -> Self {
        Self::PeerIncompatible(p)
    }
}

impl From<CertificateError> for Error {
    fn from(c: CertificateError) -> Self {
        Self::InvalidCertificate(c)
    }
}

/// What was wrong with a message that could not be decoded.
///
/// The `&'static str` names the structure or field being read.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidMessage {
    /// The bytes ended before the named field was complete.
    Truncated(&'static str),
    /// Bytes remained after the named structure was complete.
    TrailingData(&'static str),
    /// A vector whose syntax forbids emptiness was empty.
    EmptyVector(&'static str),
    /// A vector's length was outside the range its syntax allows (such as a
    /// session_id over 32 bytes or a PSK binder under 32).
    BadLength(&'static str),
    /// The same extension appeared twice in one block (RFC 8446 §4.2).
    DuplicateExtension(u16),
    /// A field held a value its syntax does not allow.
    IllegalValue(&'static str),
    /// A record had a content type that TLS does not define.
    InvalidContentType(u8),
    /// A record header's legacy_record_version was not 0x03xx.
    InvalidRecordVersion(u16),
    /// A record was longer than the protocol allows (RFC 8446 §5.1, §5.2).
    RecordTooLarge,
    /// A handshake message announced a length above our limit.
    HandshakeMessageTooLarge,
    /// A record with no content where content is required (RFC 8446 §5.1).
    EmptyRecord,
    /// A ChangeCipherSpec record that was not the single byte 0x01.
    InvalidChangeCipherSpec,
    /// A handshake message was split across a key change (RFC 8446 §5.1).
    HandshakeSplitAcrossKeyChange,
    /// A TLS 1.3 record decrypted to nothing but padding (RFC 8446 §5.4).
    NoContentType,
}

impl InvalidMessage {
    pub fn alert(&self) -> AlertDescription {
        match self {
            Self::RecordTooLarge => AlertDescription::RecordOverflow,
            Self::InvalidContentType(_)
            | Self::EmptyRecord
            | Self::InvalidChangeCipherSpec
            | Self::HandshakeSplitAcrossKeyChange
            | Self::NoContentType => AlertDescription::UnexpectedMessage,
            Self::IllegalValue(_) | Self::DuplicateExtension(_) => {
                AlertDescription::IllegalParameter
            }
            _ => AlertDescription::DecodeError,
        }
    }
}

impl fmt::Display for InvalidMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated(what) => write!(f, "{what} is truncated"),
            Self::TrailingData(what) => write!(f, "{what} has trailing data"),
            Self::EmptyVector(what) => write!(f, "{what} must not be empty"),
            Self::BadLength(what) => write!(f, "{what} has a length outside its allowed range"),
            Self::DuplicateExtension(t) => write!(f, "extension 0x{t:04x} appears twice"),
            Self::IllegalValue(what) => write!(f, "{what} has an illegal value"),
            Self::InvalidContentType(t) => write!(f, "record has unknown content type {t}"),
            Self::InvalidRecordVersion(v) => write!(f, "record has invalid version 0x{v:04x}"),
            Self::RecordTooLarge => f.write_str("record is larger than the protocol allows"),
            Self::HandshakeMessageTooLarge => {
                f.write_str("handshake message is larger than allowed")
            }
            Self::EmptyRecord => f.write_str("record is empty"),
            Self::InvalidChangeCipherSpec => f.write_str("ChangeCipherSpec is not the byte 0x01"),
            Self::HandshakeSplitAcrossKeyChange => {
                f.write_str("handshake message spans a change of keys")
            }
            Self::NoContentType => f.write_str("decrypted record has no content type"),
        }
    }
}

/// How the peer broke the protocol. Each reason names the rule; the alert is
/// the one the RFC prescribes for it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerMisbehaved {
    /// The server signed the handshake with a scheme we did not offer or
    /// that the protocol version forbids (RFC 8446 §4.4.3: never PKCS#1
    /// v1.5 or SHA-1 in TLS 1.3; RFC 5246 §7.4.1.4.1 for TLS 1.2).
    SignatureSchemeNotPermitted(SignatureScheme),
    /// The server signed with a scheme that its certificate's key cannot
    /// make, such as an ECDSA scheme with an RSA key, or P-384 with a P-256
    /// key in TLS 1.3 (RFC 8446 §4.2.3, §4.4.2.2).
    SignatureSchemeDoesNotMatchKey(SignatureScheme),
    /// The server's (EC)DHE public value was malformed, not on the curve, or
    /// yielded an all-zero X25519 secret (RFC 8446 §4.2.8.2, §7.4.2;
    /// RFC 8422 §5.11).
    InvalidKeyShare,
    /// Described in words, with the alert the RFC names for it.
    Other(&'static str, AlertDescription),
}

impl PeerMisbehaved {
    pub fn alert(&self) -> AlertDescription {
        match self {
            Self::SignatureSchemeNotPermitted(_) | Self::SignatureSchemeDoesNotMatchKey(_) => {
                AlertDescription::IllegalParameter
            }
            Self::InvalidKeyShare => AlertDescription::IllegalParameter,
            Self::Other(_, alert) => *alert,
        }
    }
}

impl fmt::Display for PeerMisbehaved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SignatureSchemeNotPermitted(scheme) => {
                write!(
                    f,
                    "server signed with {scheme:?}, which is not permitted here"
                )
            }
            Self::SignatureSchemeDoesNotMatchKey(scheme) => write!(
                f,
                "server signed with {scheme:?}, which does not fit its certificate's key"
            ),
            Self::InvalidKeyShare => f.write_str("server sent an invalid key share"),
            Self::Other(what, _) => f.write_str(what),
        }
    }
}

/// What the peer and we failed to agree on.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerIncompatible {
    /// Described in words, with the alert the RFC names for it.
    Other(&'static str, AlertDescription),
}

impl PeerIncompatible {
    pub fn alert(&self) -> AlertDescription {
        match self {
            Self::Other(_, alert) => *alert,
        }
    }
}

impl fmt::Display for PeerIncompatible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Other(what, _) => f.write_str(what),
        }
    }
}

/// Why the server's certificate was refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateError {
    /// The server sent no certificate.
    NoCertificate,
    /// A certificate could not be parsed.
    BadEncoding,
    /// The chain does not lead to a configured root.
    UnknownIssuer,
    /// The certificate's notAfter is in the past.
    Expired,
    /// The certificate's notBefore is in the future.
    NotValidYet,
    /// The certificate is not valid for the server name we asked for.
    NotValidForName,
    /// A signature in the chain, or the handshake signature, is wrong.
    BadSignature,
    /// The certificate may not be used for TLS server authentication.
    InvalidPurpose,
    /// A signature in the chain uses an algorithm we do not accept (SHA-1,
    /// P-521, DSA, ...), or an algorithm its issuer's key cannot make.
    UnsupportedSignatureAlgorithm,
    /// A certificate has a critical extension we do not understand, so it
    /// must be refused (RFC 5280 §4.2).
    UnhandledCriticalExtension,
    /// A certificate's names fall outside its issuer's name constraints.
    NameConstraintViolation,
    /// The certificate was revoked.
    Revoked,
    /// The application's verifier refused it, for the reason given.
    ApplicationVerificationFailure,
    /// Any other reason, in words.
    Other(String),
}

impl CertificateError {
    pub fn alert(&self) -> AlertDescription {
        match self {
            Self::NoCertificate | Self::BadEncoding => AlertDescription::BadCertificate,
            Self::UnknownIssuer => AlertDescription::UnknownCa,
            Self::Expired | Self::NotValidYet => AlertDescription::CertificateExpired,
            Self::NotValidForName => AlertDescription::BadCertificate,
            Self::BadSignature => AlertDescription::DecryptError,
            Self::InvalidPurpose | Self::UnhandledCriticalExtension => {
                AlertDescription::UnsupportedCertificate
            }
            Self::UnsupportedSignatureAlgorithm | Self::NameConstraintViolation => {
                AlertDescription::BadCertificate
            }
            Self::Revoked => AlertDescription::CertificateRevoked,
            Self::ApplicationVerificationFailure | Self::Other(_) => {
                AlertDescription::BadCertificate
            }
        }
    }
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCertificate => f.write_str("server sent no certificate"),
            Self::BadEncoding => f.write_str("certificate is not valid DER"),
            Self::UnknownIssuer => f.write_str("certificate is not issued by a trusted root"),
            Self::Expired => f.write_str("certificate has expired"),
            Self::NotValidYet => f.write_str("certificate is not valid yet"),
            Self::NotValidForName => f.write_str("certificate is not valid for the server name"),
            Self::BadSignature => f.write_str("signature does not verify"),
            Self::InvalidPurpose => f.write_str("certificate is not for TLS server authentication"),
            Self::UnsupportedSignatureAlgorithm => {
                f.write_str("certificate is signed with an unsupported algorithm")
            }
            Self::UnhandledCriticalExtension => {
                f.write_str("certificate has an unhandled critical extension")
            }
            Self::NameConstraintViolation => {
                f.write_str("certificate violates its issuer's name constraints")
            }
            Self::Revoked => f.write_str("certificate has been revoked"),
            Self::ApplicationVerificationFailure => {
                f.write_str("application's verifier refused the certificate")
            }
            Self::Other(why) => f.write_str(why),
        }
    }
}
