//! How a failed test is reported: one line on stderr that the runner's
//! error map can match.
//!
//! The runner looks for its expected error (a BoringSSL name such as
//! `:DECODE_ERROR:`) in our stderr, after translating it through the
//! `ErrorMap` of `config.json`. For an oxtls error we print its message,
//! a tag naming the error variant (from its `Debug` form, such as
//! `[oxtls:InvalidMessage.Truncated]`), and the alert oxtls sent
//! (`[sent:decode_error]`), so the map can match any of the three.

use oxtls::Error;

/// Why a connection failed.
#[derive(Debug)]
pub enum Failure {
    /// oxtls refused the connection.
    Tls(Error),
    /// The transport failed.
    Io(std::io::Error),
    /// The connection worked but did not meet the test's expectations,
    /// or the shim itself could not go on.
    Shim(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Tls(e)
    }
}

impl From<std::io::Error> for Failure {
    /// An I/O error from `complete_io` or the plaintext reader may carry
    /// the connection's oxtls error; take it out if so.
    fn from(e: std::io::Error) -> Self {
        let tls = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<Error>())
            .cloned();
        match tls {
            Some(err) => Self::Tls(err),
            None => Self::Io(e),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Tls(e) => {
                let sent = e
                    .alert()
                    .map_or_else(|| "none".to_string(), |a| alert_name(&format!("{a:?}")));
                write!(f, "oxtls: {e} [oxtls:{}] [sent:{sent}]", variant_path(e))
            }
            Self::Io(e) => write!(f, "I/O error: {e} [io:{:?}]", e.kind()),
            Self::Shim(why) => write!(f, "shim: {why}"),
        }
    }
}

/// The chain of variant names in an error's `Debug` form:
/// `InvalidMessage(Truncated("x"))` gives `InvalidMessage.Truncated`.
pub fn variant_path(e: &Error) -> String {
    let debug = format!("{e:?}");
    let mut path = Vec::new();
    let mut ident = String::new();
    for c in debug.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            ident.push(c);
            continue;
        }
        if !ident.is_empty() {
            path.push(std::mem::take(&mut ident));
        }
        if c != '(' {
            break;
        }
    }
    if !ident.is_empty() {
        path.push(ident);
    }
    path.join(".")
}

/// An alert's `Debug` name in the RFC's spelling: `DecodeError` gives
/// `decode_error`.
pub fn alert_name(debug: &str) -> String {
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxtls::{AlertDescription, InvalidMessage, PeerMisbehaved};

    #[test]
    fn variant_paths() {
        let e: Error = InvalidMessage::Truncated("ServerHello").into();
        assert_eq!(variant_path(&e), "InvalidMessage.Truncated");
        let e = Error::AlertReceived(AlertDescription::HandshakeFailure);
        assert_eq!(variant_path(&e), "AlertReceived.HandshakeFailure");
        let e = Error::DecryptError;
        assert_eq!(variant_path(&e), "DecryptError");
        let e: Error =
            PeerMisbehaved::Other("bad (thing)", AlertDescription::IllegalParameter).into();
        assert_eq!(variant_path(&e), "PeerMisbehaved.Other");
    }

    #[test]
    fn failure_line_names_the_alert_sent() {
        let e: Error = InvalidMessage::Truncated("ServerHello").into();
        let line = Failure::Tls(e).to_string();
        assert!(line.contains("[oxtls:InvalidMessage.Truncated]"), "{line}");
        assert!(line.contains("[sent:decode_error]"), "{line}");
        assert_eq!(alert_name("BadRecordMac"), "bad_record_mac");
    }
}
