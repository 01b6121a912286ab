//! The client handshake.
//!
//! `hello.rs` builds the ClientHello and reads the ServerHello (or a
//! HelloRetryRequest), choosing the version; `tls13.rs` and `tls12.rs` are
//! the rest of a handshake of each version and the connection after it;
//! `session.rs` keeps sessions, and `tls12_resume.rs` offers and checks
//! TLS 1.2 ones.
//! Each state is named after
//! the message it waits for and is consumed by handling that message, so
//! secrets move forward by value and cannot be reused by mistake.

mod client_cert;
mod config;
mod hello;
mod session;
mod tls12;
mod tls12_resume;
mod tls13;

pub(crate) use tls12_resume::OfferedTls12Session;

#[cfg(test)]
mod rfc8448_tests;

use std::sync::Arc;

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

pub use self::config::{
    ClientCertKey, ClientConfig, ConfigBuilder, DangerousClientConfig, DangerousConfigBuilder,
    WantsClientCert,
};
pub use self::session::{
    ClientSessionMemoryCache, ClientSessionStore, Resumption, SystemClock, TimeProvider,
    Tls12Session, Tls13Session,
};
use crate::conn::{CommonState, ConnectionTrafficSecrets};
use crate::crypto::suites::SupportedCipherSuite;
use crate::error::{Error, InvalidMessage, PeerMisbehaved};
use crate::msgs::enums::{AlertDescription, HandshakeType, ProtocolVersion};
use crate::msgs::handshake::HandshakeMessage;

/// Where the handshake (or the connection after it) stands.
pub(crate) enum State {
    ExpectServerHello(Box<hello::ExpectServerHello>),
    Tls13(tls13::State),
    Tls12(tls12::State),
}

/// Sends the ClientHello and returns the state that waits for the reply.
pub(crate) fn start_handshake(
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    common: &mut CommonState,
) -> Result<State, Error> {
    hello::start_handshake(config, server_name, common)
}

impl State {
    /// Handles one whole handshake message, `raw` as received (header
    /// included, which is what the transcript hashes).
    pub(crate) fn handle(self, common: &mut CommonState, raw: &[u8]) -> Result<Self, Error> {
        // Some bodies differ by version; before the ServerHello none of
        // the messages that may arrive do.
        let version = common.version.unwrap_or(ProtocolVersion::TLSv1_3);
        let msg = HandshakeMessage::parse(raw, version)?;
        match self {
            Self::ExpectServerHello(s) => s.handle(common, msg, raw),
            Self::Tls13(s) => s.handle(common, msg, raw).map(Self::Tls13),
            Self::Tls12(s) => s.handle(common, msg, raw).map(Self::Tls12),
        }
    }

    /// Handles a ChangeCipherSpec record (already checked to be the one
    /// byte 0x01).
    pub(crate) fn handle_change_cipher_spec(self, common: &mut CommonState) -> Result<Self, Error> {
        match self {
            // RFC 8446 §5: an unprotected change_cipher_spec may arrive any
            // time after the ClientHello and before the server's Finished,
            // and is dropped.
            Self::ExpectServerHello(s) => Ok(Self::ExpectServerHello(s)),
            Self::Tls13(s) if s.before_server_finished() => Ok(Self::Tls13(s)),
            Self::Tls13(_) => Err(PeerMisbehaved::Other(
                "server sent ChangeCipherSpec after its Finished",
                AlertDescription::UnexpectedMessage,
            )
            .into()),
            // RFC 5246 §7.1: in TLS 1.2 it switches the server's records to
            // the new keys.
            Self::Tls12(s) => s.handle_change_cipher_spec(common).map(Self::Tls12),
        }
    }

    pub(crate) fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<(), Error> {
        match self {
            Self::Tls13(s) => s.export_keying_material(out, label, context),
            Self::Tls12(s) => s.export_keying_material(out, label, context),
            Self::ExpectServerHello(_) => Err(Error::HandshakeNotComplete),
        }
    }

    /// The current traffic keys, ours then the server's; `tx_seq` and
    /// `rx_seq` are the next record numbers (TLS 1.2 AES-GCM puts the
    /// next explicit nonce in the IV).
    pub(crate) fn traffic_secrets(
        &self,
        suite: Option<SupportedCipherSuite>,
        tx_seq: u64,
        rx_seq: u64,
    ) -> Result<(ConnectionTrafficSecrets, ConnectionTrafficSecrets), Error> {
        match (self, suite) {
            (Self::Tls13(s), _) => s.traffic_secrets(),
            (Self::Tls12(s), Some(SupportedCipherSuite::Tls12(suite))) => {
                s.traffic_secrets(suite, tx_seq, rx_seq)
            }
            _ => Err(Error::HandshakeNotComplete),
        }
    }
}

/// Verifies the server's certificate chain (end entity first) for
/// `server_name` with the config's verifier, as of now. RFC 5246 §7.4.2
/// and RFC 8446 §4.4.2.4: a server's certificate list is never empty.
pub(crate) fn verify_server_chain(
    config: &ClientConfig,
    server_name: &ServerName<'static>,
    chain: &[CertificateDer<'static>],
) -> Result<(), Error> {
    let (end_entity, intermediates) = chain
        .split_first()
        .ok_or(InvalidMessage::EmptyVector("Certificate.certificate_list"))?;
    config.verifier.verify_server_cert(
        end_entity,
        intermediates,
        server_name,
        &[],
        UnixTime::now(),
    )?;
    Ok(())
}

/// The error for a handshake message that is not the one expected.
pub(crate) fn unexpected(expected: &'static [HandshakeType], got: &HandshakeMessage) -> Error {
    Error::InappropriateHandshakeMessage {
        expected,
        got: got.typ,
    }
}
