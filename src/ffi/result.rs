//! `oxtls_result`: the stable numbers a C caller sees for every outcome.
//!
//! Codes are grouped by kind, each kind in its own block of numbers with
//! room to grow, so a new code never renumbers an old one:
//!
//! | codes     | kind                                                      |
//! | --------- | --------------------------------------------------------- |
//! | 0         | success                                                   |
//! | 1–99      | not failures: try again later                             |
//! | 100–199   | misuse: bad arguments, calls out of order, bad settings   |
//! | 200–299   | I/O: the transport, files, buffers                        |
//! | 300–399   | TLS protocol: the peer broke a rule or has nothing in common with us |
//! | 400–499   | the server's certificate was refused (one code per reason) |
//! | 500–755   | the peer sent a fatal alert: 500 + the alert's number     |
//! | 900–999   | internal failures                                         |
//!
//! [`result_for_error`] maps the core's [`Error`] onto these codes.

// Many codes are only for C (the header carries them): Rust never names
// them.
#![allow(dead_code)]

use std::os::raw::c_char;

use super::boundary::guard_value;

use crate::error::{CertificateError, Error, InvalidMessage, PeerIncompatible, PeerMisbehaved};
use crate::msgs::enums::AlertDescription;

/// The outcome of a call: `OXTLS_OK` (0) or one of the `OXTLS_*` codes
/// below. Codes are stable: they are never renumbered or reused.
/// `oxtls_result_message()` names any code.
pub type oxtls_result = u32;

/// The call succeeded.
pub const OXTLS_OK: oxtls_result = 0;

/// A transport callback (or the fd) reported `EAGAIN`/`EWOULDBLOCK`, or a
/// callback reported `EINTR`: wait until the socket is ready and call
/// again. Not a failure.
pub const OXTLS_WOULD_BLOCK: oxtls_result = 1;
/// `oxtls_conn_read()` has no plaintext to give yet: read more TLS data
/// with `oxtls_conn_read_tls()`, process it, and call again. Not a failure.
pub const OXTLS_PLAINTEXT_EMPTY: oxtls_result = 2;

/// A pointer argument that must not be NULL was NULL.
pub const OXTLS_ERR_NULL_PARAMETER: oxtls_result = 100;
/// An argument had a value the call does not accept (a zero length, a
/// string that is not UTF-8, an ALPN name of 0 or over 255 bytes, ...).
pub const OXTLS_ERR_INVALID_PARAMETER: oxtls_result = 101;
/// The output buffer cannot hold the result; what fits was written.
pub const OXTLS_ERR_BUFFER_TOO_SMALL: oxtls_result = 102;
/// The server name is neither a valid DNS name nor an IP address literal.
pub const OXTLS_ERR_INVALID_SERVER_NAME: oxtls_result = 103;
/// A protocol version other than 0x0304 (TLS 1.3) or 0x0303 (TLS 1.2).
pub const OXTLS_ERR_UNSUPPORTED_PROTOCOL_VERSION: oxtls_result = 104;
/// A cipher suite oxtls does not implement.
pub const OXTLS_ERR_UNSUPPORTED_CIPHER_SUITE: oxtls_result = 105;
/// A key-exchange group oxtls does not implement.
pub const OXTLS_ERR_UNSUPPORTED_GROUP: oxtls_result = 106;
/// The configuration cannot make a connection (for example no cipher
/// suite for any enabled protocol version).
pub const OXTLS_ERR_INVALID_CONFIG: oxtls_result = 107;
/// Verification is on but no root certificate was loaded (or none was
/// found on the system).
pub const OXTLS_ERR_NO_ROOT_CERTIFICATES: oxtls_result = 108;
/// PEM input was malformed, held something other than certificates, or
/// held no certificate at all.
pub const OXTLS_ERR_BAD_PEM: oxtls_result = 109;
/// The call needs a completed handshake.
pub const OXTLS_ERR_HANDSHAKE_NOT_COMPLETE: oxtls_result = 110;
/// An index past the end (such as a certificate the chain does not have).
pub const OXTLS_ERR_OUT_OF_RANGE: oxtls_result = 111;
/// Plaintext was written after `oxtls_conn_send_close_notify()`.
pub const OXTLS_ERR_ALREADY_CLOSED: oxtls_result = 112;
/// The connection's keys were taken by
/// `oxtls_conn_dangerous_extract_secrets()`; it can no longer be used.
pub const OXTLS_ERR_SECRETS_EXTRACTED: oxtls_result = 113;
/// A call on a connection was made from inside a callback (a transport
/// callback, say) of another call on the same connection. It was refused
/// and changed nothing: make it once the outer call has returned.
pub const OXTLS_ERR_REENTRANT: oxtls_result = 114;

/// A transport callback (or the fd) failed; `oxtls_conn_last_errno()`
/// has its errno value.
pub const OXTLS_ERR_IO: oxtls_result = 200;
/// The peer closed the transport without close_notify: what was received
/// may have been truncated by an attacker.
pub const OXTLS_ERR_UNEXPECTED_EOF: oxtls_result = 201;
/// A buffer limit was reached: write TLS data or read plaintext first.
pub const OXTLS_ERR_BUFFER_FULL: oxtls_result = 202;
/// A file or directory could not be read.
pub const OXTLS_ERR_CANNOT_READ_FILE: oxtls_result = 203;

/// A message from the peer could not be decoded.
pub const OXTLS_ERR_INVALID_MESSAGE: oxtls_result = 300;
/// A record or handshake message arrived that the protocol does not allow
/// at this point.
pub const OXTLS_ERR_UNEXPECTED_MESSAGE: oxtls_result = 301;
/// The peer broke a rule of the protocol.
pub const OXTLS_ERR_PEER_MISBEHAVED: oxtls_result = 302;
/// The server signed with a scheme we did not offer, the version forbids,
/// or its key cannot make.
pub const OXTLS_ERR_BAD_SIGNATURE_SCHEME: oxtls_result = 303;
/// The server's key share was malformed or not on its curve.
pub const OXTLS_ERR_INVALID_KEY_SHARE: oxtls_result = 304;
/// The peer and we have no algorithm or extension in common.
pub const OXTLS_ERR_PEER_INCOMPATIBLE: oxtls_result = 305;
/// The peer and we have no protocol version in common. A server that
/// chooses TLS 1.2 ends here too: this version of oxtls speaks only
/// TLS 1.3 on the wire, though 0x0303 may be enabled.
pub const OXTLS_ERR_NO_COMMON_VERSION: oxtls_result = 306;
/// A record failed authentication: it was altered, truncated or forged.
pub const OXTLS_ERR_BAD_RECORD_MAC: oxtls_result = 307;
/// A record could not be protected (its sequence number would wrap).
pub const OXTLS_ERR_ENCRYPT: oxtls_result = 308;
/// The peer sent a record larger than the protocol allows.
pub const OXTLS_ERR_RECORD_OVERFLOW: oxtls_result = 309;

/// The server sent no certificate.
pub const OXTLS_ERR_CERT_NO_CERTIFICATE: oxtls_result = 400;
/// A certificate is not valid DER.
pub const OXTLS_ERR_CERT_BAD_ENCODING: oxtls_result = 401;
/// The chain does not lead to a trusted root.
pub const OXTLS_ERR_CERT_UNKNOWN_ISSUER: oxtls_result = 402;
/// A certificate has expired.
pub const OXTLS_ERR_CERT_EXPIRED: oxtls_result = 403;
/// A certificate is not valid yet.
pub const OXTLS_ERR_CERT_NOT_VALID_YET: oxtls_result = 404;
/// The certificate is not valid for the server name.
pub const OXTLS_ERR_CERT_NOT_VALID_FOR_NAME: oxtls_result = 405;
/// A signature in the chain (or the handshake signature) is wrong.
pub const OXTLS_ERR_CERT_BAD_SIGNATURE: oxtls_result = 406;
/// The certificate is not for TLS server authentication.
pub const OXTLS_ERR_CERT_INVALID_PURPOSE: oxtls_result = 407;
/// A certificate is signed with an algorithm oxtls does not accept.
pub const OXTLS_ERR_CERT_UNSUPPORTED_SIGNATURE_ALGORITHM: oxtls_result = 408;
/// A certificate has a critical extension oxtls does not understand.
pub const OXTLS_ERR_CERT_UNHANDLED_CRITICAL_EXTENSION: oxtls_result = 409;
/// A certificate's names break its issuer's name constraints.
pub const OXTLS_ERR_CERT_NAME_CONSTRAINT_VIOLATION: oxtls_result = 410;
/// A certificate was revoked.
pub const OXTLS_ERR_CERT_REVOKED: oxtls_result = 411;
/// The verify callback refused a chain that the built-in checks accepted.
pub const OXTLS_ERR_CERT_APPLICATION_VERIFICATION_FAILURE: oxtls_result = 412;
/// The certificate was refused for another reason; see
/// `oxtls_conn_last_error()`.
pub const OXTLS_ERR_CERT_OTHER: oxtls_result = 499;

/// The first of the alert codes: the peer sent alert N is
/// `OXTLS_ERR_ALERT_BASE + N`; `oxtls_result_alert()` recovers N.
pub const OXTLS_ERR_ALERT_BASE: oxtls_result = 500;
/// The peer sent close_notify during the handshake.
pub const OXTLS_ERR_ALERT_CLOSE_NOTIFY: oxtls_result = 500;
/// The peer sent unexpected_message (10).
pub const OXTLS_ERR_ALERT_UNEXPECTED_MESSAGE: oxtls_result = 510;
/// The peer sent bad_record_mac (20).
pub const OXTLS_ERR_ALERT_BAD_RECORD_MAC: oxtls_result = 520;
/// The peer sent record_overflow (22).
pub const OXTLS_ERR_ALERT_RECORD_OVERFLOW: oxtls_result = 522;
/// The peer sent handshake_failure (40).
pub const OXTLS_ERR_ALERT_HANDSHAKE_FAILURE: oxtls_result = 540;
/// The peer sent bad_certificate (42).
pub const OXTLS_ERR_ALERT_BAD_CERTIFICATE: oxtls_result = 542;
/// The peer sent unsupported_certificate (43).
pub const OXTLS_ERR_ALERT_UNSUPPORTED_CERTIFICATE: oxtls_result = 543;
/// The peer sent certificate_revoked (44).
pub const OXTLS_ERR_ALERT_CERTIFICATE_REVOKED: oxtls_result = 544;
/// The peer sent certificate_expired (45).
pub const OXTLS_ERR_ALERT_CERTIFICATE_EXPIRED: oxtls_result = 545;
/// The peer sent certificate_unknown (46).
pub const OXTLS_ERR_ALERT_CERTIFICATE_UNKNOWN: oxtls_result = 546;
/// The peer sent illegal_parameter (47).
pub const OXTLS_ERR_ALERT_ILLEGAL_PARAMETER: oxtls_result = 547;
/// The peer sent unknown_ca (48).
pub const OXTLS_ERR_ALERT_UNKNOWN_CA: oxtls_result = 548;
/// The peer sent access_denied (49).
pub const OXTLS_ERR_ALERT_ACCESS_DENIED: oxtls_result = 549;
/// The peer sent decode_error (50).
pub const OXTLS_ERR_ALERT_DECODE_ERROR: oxtls_result = 550;
/// The peer sent decrypt_error (51).
pub const OXTLS_ERR_ALERT_DECRYPT_ERROR: oxtls_result = 551;
/// The peer sent protocol_version (70).
pub const OXTLS_ERR_ALERT_PROTOCOL_VERSION: oxtls_result = 570;
/// The peer sent insufficient_security (71).
pub const OXTLS_ERR_ALERT_INSUFFICIENT_SECURITY: oxtls_result = 571;
/// The peer sent internal_error (80).
pub const OXTLS_ERR_ALERT_INTERNAL_ERROR: oxtls_result = 580;
/// The peer sent inappropriate_fallback (86).
pub const OXTLS_ERR_ALERT_INAPPROPRIATE_FALLBACK: oxtls_result = 586;
/// The peer sent user_canceled (90) as a fatal alert.
pub const OXTLS_ERR_ALERT_USER_CANCELED: oxtls_result = 590;
/// The peer sent missing_extension (109).
pub const OXTLS_ERR_ALERT_MISSING_EXTENSION: oxtls_result = 609;
/// The peer sent unsupported_extension (110).
pub const OXTLS_ERR_ALERT_UNSUPPORTED_EXTENSION: oxtls_result = 610;
/// The peer sent unrecognized_name (112).
pub const OXTLS_ERR_ALERT_UNRECOGNIZED_NAME: oxtls_result = 612;
/// The peer sent bad_certificate_status_response (113).
pub const OXTLS_ERR_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE: oxtls_result = 613;
/// The peer sent unknown_psk_identity (115).
pub const OXTLS_ERR_ALERT_UNKNOWN_PSK_IDENTITY: oxtls_result = 615;
/// The peer sent certificate_required (116).
pub const OXTLS_ERR_ALERT_CERTIFICATE_REQUIRED: oxtls_result = 616;
/// The peer sent no_application_protocol (120).
pub const OXTLS_ERR_ALERT_NO_APPLICATION_PROTOCOL: oxtls_result = 620;
/// The last of the alert codes (alert 255).
pub const OXTLS_ERR_ALERT_LAST: oxtls_result = 755;

/// A Rust panic was caught at the API boundary. A connection that
/// panicked is unusable: every later call returns this code.
pub const OXTLS_ERR_PANIC: oxtls_result = 900;
/// The operating system could not provide random bytes.
pub const OXTLS_ERR_RANDOMNESS: oxtls_result = 901;
/// Any other failure; `oxtls_conn_last_error()` describes it.
pub const OXTLS_ERR_GENERAL: oxtls_result = 999;

/// The code for an error of the core.
///
/// The match is exhaustive (`Error` is non-exhaustive only outside this
/// crate), so a new variant cannot be added without choosing its code.
pub(crate) fn result_for_error(err: &Error) -> oxtls_result {
    match err {
        Error::InvalidMessage(InvalidMessage::RecordTooLarge) => OXTLS_ERR_RECORD_OVERFLOW,
        Error::InvalidMessage(_) => OXTLS_ERR_INVALID_MESSAGE,
        Error::InappropriateMessage { .. } | Error::InappropriateHandshakeMessage { .. } => {
            OXTLS_ERR_UNEXPECTED_MESSAGE
        }
        Error::PeerMisbehaved(p) => match p {
            PeerMisbehaved::SignatureSchemeNotPermitted(_)
            | PeerMisbehaved::SignatureSchemeDoesNotMatchKey(_) => OXTLS_ERR_BAD_SIGNATURE_SCHEME,
            PeerMisbehaved::InvalidKeyShare => OXTLS_ERR_INVALID_KEY_SHARE,
            PeerMisbehaved::Other(..) => OXTLS_ERR_PEER_MISBEHAVED,
        },
        Error::PeerIncompatible(PeerIncompatible::Other(_, alert)) => match alert {
            AlertDescription::ProtocolVersion => OXTLS_ERR_NO_COMMON_VERSION,
            _ => OXTLS_ERR_PEER_INCOMPATIBLE,
        },
        Error::AlertReceived(alert) => OXTLS_ERR_ALERT_BASE + oxtls_result::from(alert.to_wire()),
        Error::InvalidCertificate(c) => result_for_certificate_error(c),
        Error::DecryptError => OXTLS_ERR_BAD_RECORD_MAC,
        Error::EncryptError => OXTLS_ERR_ENCRYPT,
        Error::UnexpectedEof => OXTLS_ERR_UNEXPECTED_EOF,
        Error::BufferFull => OXTLS_ERR_BUFFER_FULL,
        Error::HandshakeNotComplete => OXTLS_ERR_HANDSHAKE_NOT_COMPLETE,
        Error::FailedToGetRandomBytes => OXTLS_ERR_RANDOMNESS,
        Error::InvalidConfig(_) => OXTLS_ERR_INVALID_CONFIG,
        Error::General(_) => OXTLS_ERR_GENERAL,
    }
}

fn result_for_certificate_error(err: &CertificateError) -> oxtls_result {
    match err {
        CertificateError::NoCertificate => OXTLS_ERR_CERT_NO_CERTIFICATE,
        CertificateError::BadEncoding => OXTLS_ERR_CERT_BAD_ENCODING,
        CertificateError::UnknownIssuer => OXTLS_ERR_CERT_UNKNOWN_ISSUER,
        CertificateError::Expired => OXTLS_ERR_CERT_EXPIRED,
        CertificateError::NotValidYet => OXTLS_ERR_CERT_NOT_VALID_YET,
        CertificateError::NotValidForName => OXTLS_ERR_CERT_NOT_VALID_FOR_NAME,
        CertificateError::BadSignature => OXTLS_ERR_CERT_BAD_SIGNATURE,
        CertificateError::InvalidPurpose => OXTLS_ERR_CERT_INVALID_PURPOSE,
        CertificateError::UnsupportedSignatureAlgorithm => {
            OXTLS_ERR_CERT_UNSUPPORTED_SIGNATURE_ALGORITHM
        }
        CertificateError::UnhandledCriticalExtension => OXTLS_ERR_CERT_UNHANDLED_CRITICAL_EXTENSION,
        CertificateError::NameConstraintViolation => OXTLS_ERR_CERT_NAME_CONSTRAINT_VIOLATION,
        CertificateError::Revoked => OXTLS_ERR_CERT_REVOKED,
        CertificateError::ApplicationVerificationFailure => {
            OXTLS_ERR_CERT_APPLICATION_VERIFICATION_FAILURE
        }
        CertificateError::Other(_) => OXTLS_ERR_CERT_OTHER,
    }
}

/// What a code means, as a NUL-terminated static string.
pub(crate) fn message(code: oxtls_result) -> &'static str {
    match code {
        OXTLS_OK => "success\0",
        OXTLS_WOULD_BLOCK => "the transport would block; try again when it is ready\0",
        OXTLS_PLAINTEXT_EMPTY => "no plaintext available yet; read more TLS data\0",
        OXTLS_ERR_NULL_PARAMETER => "a required pointer argument was NULL\0",
        OXTLS_ERR_INVALID_PARAMETER => "an argument has a value the call does not accept\0",
        OXTLS_ERR_BUFFER_TOO_SMALL => "the output buffer is too small\0",
        OXTLS_ERR_INVALID_SERVER_NAME => "the server name is not a DNS name or IP address\0",
        OXTLS_ERR_UNSUPPORTED_PROTOCOL_VERSION => "unsupported protocol version\0",
        OXTLS_ERR_UNSUPPORTED_CIPHER_SUITE => "unsupported cipher suite\0",
        OXTLS_ERR_UNSUPPORTED_GROUP => "unsupported key-exchange group\0",
        OXTLS_ERR_INVALID_CONFIG => "the configuration cannot make a connection\0",
        OXTLS_ERR_NO_ROOT_CERTIFICATES => "no root certificates to verify the server with\0",
        OXTLS_ERR_BAD_PEM => "malformed PEM, or PEM without certificates\0",
        OXTLS_ERR_HANDSHAKE_NOT_COMPLETE => "the handshake is not complete\0",
        OXTLS_ERR_OUT_OF_RANGE => "index out of range\0",
        OXTLS_ERR_ALREADY_CLOSED => "cannot write after close_notify was sent\0",
        OXTLS_ERR_SECRETS_EXTRACTED => "the connection's secrets were extracted\0",
        OXTLS_ERR_REENTRANT => "called from a callback of another call on the same connection\0",
        OXTLS_ERR_IO => "the transport failed (see oxtls_conn_last_errno)\0",
        OXTLS_ERR_UNEXPECTED_EOF => "the peer closed the connection without close_notify\0",
        OXTLS_ERR_BUFFER_FULL => "buffer limit reached\0",
        OXTLS_ERR_CANNOT_READ_FILE => "cannot read the file or directory\0",
        OXTLS_ERR_INVALID_MESSAGE => "received a malformed message\0",
        OXTLS_ERR_UNEXPECTED_MESSAGE => "received a message the protocol does not allow here\0",
        OXTLS_ERR_PEER_MISBEHAVED => "the peer broke a rule of the protocol\0",
        OXTLS_ERR_BAD_SIGNATURE_SCHEME => "the server signed with a scheme that is not permitted\0",
        OXTLS_ERR_INVALID_KEY_SHARE => "the server sent an invalid key share\0",
        OXTLS_ERR_PEER_INCOMPATIBLE => "the peer has no algorithm or extension in common with us\0",
        OXTLS_ERR_NO_COMMON_VERSION => "the peer has no protocol version in common with us\0",
        OXTLS_ERR_BAD_RECORD_MAC => "a record failed authentication (bad_record_mac)\0",
        OXTLS_ERR_ENCRYPT => "cannot encrypt: sequence number exhausted\0",
        OXTLS_ERR_RECORD_OVERFLOW => "the peer sent a record larger than the protocol allows\0",
        OXTLS_ERR_CERT_NO_CERTIFICATE => "the server sent no certificate\0",
        OXTLS_ERR_CERT_BAD_ENCODING => "a certificate is not valid DER\0",
        OXTLS_ERR_CERT_UNKNOWN_ISSUER => "the certificate is not issued by a trusted root\0",
        OXTLS_ERR_CERT_EXPIRED => "the certificate has expired\0",
        OXTLS_ERR_CERT_NOT_VALID_YET => "the certificate is not valid yet\0",
        OXTLS_ERR_CERT_NOT_VALID_FOR_NAME => "the certificate is not valid for the server name\0",
        OXTLS_ERR_CERT_BAD_SIGNATURE => "a certificate signature does not verify\0",
        OXTLS_ERR_CERT_INVALID_PURPOSE => "the certificate is not for TLS server authentication\0",
        OXTLS_ERR_CERT_UNSUPPORTED_SIGNATURE_ALGORITHM => {
            "a certificate is signed with an unsupported algorithm\0"
        }
        OXTLS_ERR_CERT_UNHANDLED_CRITICAL_EXTENSION => {
            "a certificate has an unhandled critical extension\0"
        }
        OXTLS_ERR_CERT_NAME_CONSTRAINT_VIOLATION => {
            "a certificate violates its issuer's name constraints\0"
        }
        OXTLS_ERR_CERT_REVOKED => "the certificate has been revoked\0",
        OXTLS_ERR_CERT_APPLICATION_VERIFICATION_FAILURE => {
            "the verify callback refused the certificate\0"
        }
        OXTLS_ERR_CERT_OTHER => "the certificate was refused\0",
        OXTLS_ERR_ALERT_BASE..=OXTLS_ERR_ALERT_LAST => alert_message(code - OXTLS_ERR_ALERT_BASE),
        OXTLS_ERR_PANIC => "internal error: a panic was caught\0",
        OXTLS_ERR_RANDOMNESS => "cannot get random bytes from the operating system\0",
        OXTLS_ERR_GENERAL => "operation failed (see oxtls_conn_last_error)\0",
        _ => "unknown result code\0",
    }
}

fn alert_message(alert: oxtls_result) -> &'static str {
    match alert {
        0 => "the peer sent close_notify during the handshake\0",
        10 => "the peer sent alert unexpected_message\0",
        20 => "the peer sent alert bad_record_mac\0",
        21 => "the peer sent alert decryption_failed\0",
        22 => "the peer sent alert record_overflow\0",
        30 => "the peer sent alert decompression_failure\0",
        40 => "the peer sent alert handshake_failure\0",
        41 => "the peer sent alert no_certificate\0",
        42 => "the peer sent alert bad_certificate\0",
        43 => "the peer sent alert unsupported_certificate\0",
        44 => "the peer sent alert certificate_revoked\0",
        45 => "the peer sent alert certificate_expired\0",
        46 => "the peer sent alert certificate_unknown\0",
        47 => "the peer sent alert illegal_parameter\0",
        48 => "the peer sent alert unknown_ca\0",
        49 => "the peer sent alert access_denied\0",
        50 => "the peer sent alert decode_error\0",
        51 => "the peer sent alert decrypt_error\0",
        60 => "the peer sent alert export_restriction\0",
        70 => "the peer sent alert protocol_version\0",
        71 => "the peer sent alert insufficient_security\0",
        80 => "the peer sent alert internal_error\0",
        86 => "the peer sent alert inappropriate_fallback\0",
        90 => "the peer sent alert user_canceled\0",
        100 => "the peer sent alert no_renegotiation\0",
        109 => "the peer sent alert missing_extension\0",
        110 => "the peer sent alert unsupported_extension\0",
        111 => "the peer sent alert certificate_unobtainable\0",
        112 => "the peer sent alert unrecognized_name\0",
        113 => "the peer sent alert bad_certificate_status_response\0",
        114 => "the peer sent alert bad_certificate_hash_value\0",
        115 => "the peer sent alert unknown_psk_identity\0",
        116 => "the peer sent alert certificate_required\0",
        120 => "the peer sent alert no_application_protocol\0",
        _ => "the peer sent an alert of an unknown kind\0",
    }
}

/// Returns a static, NUL-terminated English description of `code`, for
/// logs and error messages. Never NULL; unknown codes get a generic text.
/// Thread-safe; the string must not be freed.
#[no_mangle]
pub extern "C" fn oxtls_result_message(code: oxtls_result) -> *const c_char {
    guard_value(message(OXTLS_ERR_PANIC).as_ptr().cast(), || {
        message(code).as_ptr().cast()
    })
}

/// True for the codes of a refused server certificate (400-499).
#[no_mangle]
pub extern "C" fn oxtls_result_is_cert_error(code: oxtls_result) -> bool {
    guard_value(false, || (400..=499).contains(&code))
}

/// True for the codes that say the peer sent an alert (500-755).
#[no_mangle]
pub extern "C" fn oxtls_result_is_alert(code: oxtls_result) -> bool {
    guard_value(false, || {
        (OXTLS_ERR_ALERT_BASE..=OXTLS_ERR_ALERT_LAST).contains(&code)
    })
}

/// The alert number (0-255) the peer sent, for an alert code; -1 for any
/// other code.
#[no_mangle]
pub extern "C" fn oxtls_result_alert(code: oxtls_result) -> i32 {
    guard_value(-1, || {
        if oxtls_result_is_alert(code) {
            (code - OXTLS_ERR_ALERT_BASE) as i32
        } else {
            -1
        }
    })
}

/// True for the codes of TLS protocol failures (300-399): the peer broke
/// a rule or has nothing in common with us.
#[no_mangle]
pub extern "C" fn oxtls_result_is_protocol_error(code: oxtls_result) -> bool {
    guard_value(false, || (300..=399).contains(&code))
}

/// True for I/O failures (200-299): the transport, files, buffers.
#[no_mangle]
pub extern "C" fn oxtls_result_is_io_error(code: oxtls_result) -> bool {
    guard_value(false, || (200..=299).contains(&code))
}

/// True for misuse (100-199): a bad argument, a call out of order, or a
/// setting oxtls does not support. Fix the calling program.
#[no_mangle]
pub extern "C" fn oxtls_result_is_misuse(code: oxtls_result) -> bool {
    guard_value(false, || (100..=199).contains(&code))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every named code, for the checks below.
    const NAMED: &[oxtls_result] = &[
        OXTLS_OK,
        OXTLS_WOULD_BLOCK,
        OXTLS_PLAINTEXT_EMPTY,
        OXTLS_ERR_NULL_PARAMETER,
        OXTLS_ERR_INVALID_PARAMETER,
        OXTLS_ERR_BUFFER_TOO_SMALL,
        OXTLS_ERR_INVALID_SERVER_NAME,
        OXTLS_ERR_UNSUPPORTED_PROTOCOL_VERSION,
        OXTLS_ERR_UNSUPPORTED_CIPHER_SUITE,
        OXTLS_ERR_UNSUPPORTED_GROUP,
        OXTLS_ERR_INVALID_CONFIG,
        OXTLS_ERR_NO_ROOT_CERTIFICATES,
        OXTLS_ERR_BAD_PEM,
        OXTLS_ERR_HANDSHAKE_NOT_COMPLETE,
        OXTLS_ERR_OUT_OF_RANGE,
        OXTLS_ERR_ALREADY_CLOSED,
        OXTLS_ERR_SECRETS_EXTRACTED,
        OXTLS_ERR_REENTRANT,
        OXTLS_ERR_IO,
        OXTLS_ERR_UNEXPECTED_EOF,
        OXTLS_ERR_BUFFER_FULL,
        OXTLS_ERR_CANNOT_READ_FILE,
        OXTLS_ERR_INVALID_MESSAGE,
        OXTLS_ERR_UNEXPECTED_MESSAGE,
        OXTLS_ERR_PEER_MISBEHAVED,
        OXTLS_ERR_BAD_SIGNATURE_SCHEME,
        OXTLS_ERR_INVALID_KEY_SHARE,
        OXTLS_ERR_PEER_INCOMPATIBLE,
        OXTLS_ERR_NO_COMMON_VERSION,
        OXTLS_ERR_BAD_RECORD_MAC,
        OXTLS_ERR_ENCRYPT,
        OXTLS_ERR_RECORD_OVERFLOW,
        OXTLS_ERR_CERT_NO_CERTIFICATE,
        OXTLS_ERR_CERT_BAD_ENCODING,
        OXTLS_ERR_CERT_UNKNOWN_ISSUER,
        OXTLS_ERR_CERT_EXPIRED,
        OXTLS_ERR_CERT_NOT_VALID_YET,
        OXTLS_ERR_CERT_NOT_VALID_FOR_NAME,
        OXTLS_ERR_CERT_BAD_SIGNATURE,
        OXTLS_ERR_CERT_INVALID_PURPOSE,
        OXTLS_ERR_CERT_UNSUPPORTED_SIGNATURE_ALGORITHM,
        OXTLS_ERR_CERT_UNHANDLED_CRITICAL_EXTENSION,
        OXTLS_ERR_CERT_NAME_CONSTRAINT_VIOLATION,
        OXTLS_ERR_CERT_REVOKED,
        OXTLS_ERR_CERT_APPLICATION_VERIFICATION_FAILURE,
        OXTLS_ERR_CERT_OTHER,
        OXTLS_ERR_PANIC,
        OXTLS_ERR_RANDOMNESS,
        OXTLS_ERR_GENERAL,
    ];

    #[test]
    fn every_named_code_has_its_own_message() {
        let unknown = message(123_456);
        let mut seen = std::collections::HashSet::new();
        for &code in NAMED {
            let m = message(code);
            assert_ne!(m, unknown, "code {code} has no message");
            assert!(seen.insert(m), "code {code} shares its message");
        }
    }

    #[test]
    fn every_message_is_one_c_string() {
        for code in 0..1100 {
            let m = message(code);
            assert!(m.ends_with('\0'), "message of {code} is not NUL-terminated");
            assert_eq!(m.find('\0'), Some(m.len() - 1), "message of {code}");
        }
    }

    #[test]
    fn alert_codes_carry_the_alert_number() {
        for alert in [
            AlertDescription::CloseNotify,
            AlertDescription::HandshakeFailure,
            AlertDescription::NoApplicationProtocol,
            AlertDescription::Unknown(255),
        ] {
            let code = result_for_error(&Error::AlertReceived(alert));
            assert!(oxtls_result_is_alert(code));
            assert_eq!(oxtls_result_alert(code), i32::from(alert.to_wire()));
        }
        assert_eq!(
            result_for_error(&Error::AlertReceived(AlertDescription::UnknownCa)),
            OXTLS_ERR_ALERT_UNKNOWN_CA
        );
        assert_eq!(oxtls_result_alert(OXTLS_ERR_IO), -1);
    }

    #[test]
    fn each_certificate_reason_has_its_own_code() {
        let reasons = [
            CertificateError::NoCertificate,
            CertificateError::BadEncoding,
            CertificateError::UnknownIssuer,
            CertificateError::Expired,
            CertificateError::NotValidYet,
            CertificateError::NotValidForName,
            CertificateError::BadSignature,
            CertificateError::InvalidPurpose,
            CertificateError::UnsupportedSignatureAlgorithm,
            CertificateError::UnhandledCriticalExtension,
            CertificateError::NameConstraintViolation,
            CertificateError::Revoked,
            CertificateError::ApplicationVerificationFailure,
            CertificateError::Other("x".into()),
        ];
        let codes: std::collections::HashSet<_> = reasons
            .iter()
            .map(|r| result_for_error(&Error::InvalidCertificate(r.clone())))
            .collect();
        assert_eq!(codes.len(), reasons.len());
        assert!(codes.iter().all(|&c| oxtls_result_is_cert_error(c)));
    }

    #[test]
    fn a_version_we_did_not_enable_is_no_common_version() {
        let err = Error::PeerIncompatible(PeerIncompatible::Other(
            "server does not support any protocol version we enabled",
            AlertDescription::ProtocolVersion,
        ));
        assert_eq!(result_for_error(&err), OXTLS_ERR_NO_COMMON_VERSION);
        assert!(oxtls_result_is_protocol_error(OXTLS_ERR_NO_COMMON_VERSION));
    }

    #[test]
    fn classifiers_follow_the_groups() {
        assert!(oxtls_result_is_misuse(OXTLS_ERR_NULL_PARAMETER));
        assert!(oxtls_result_is_io_error(OXTLS_ERR_UNEXPECTED_EOF));
        assert!(!oxtls_result_is_io_error(OXTLS_OK));
        assert!(!oxtls_result_is_cert_error(OXTLS_ERR_ALERT_BAD_CERTIFICATE));
        assert_eq!(result_for_error(&Error::BufferFull), OXTLS_ERR_BUFFER_FULL);
    }
}
