//! What every state of a connection shares: the buffers, the record keys,
//! what has been negotiated, and how to send.

use core::fmt;
use std::sync::Arc;

use rustls_pki_types::CertificateDer;

use crate::client::OfferedTls12Session;
use crate::crypto::kx::SupportedKxGroup;
use crate::crypto::suites::SupportedCipherSuite;
use crate::error::{Error, InvalidMessage};
use crate::log::{LogLevel, Logger};
use crate::msgs::enums::{AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use crate::record::protect::{RecordDecrypter, RecordEncrypter};
use crate::record::send::SendBuffer;

/// How a connection's handshake went (rustls's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeKind {
    /// A full handshake: the server proved its identity with a
    /// certificate.
    Full,
    /// A full handshake in which the server first asked for another key
    /// share or a cookie with a HelloRetryRequest (RFC 8446 §4.1.4).
    FullWithHelloRetryRequest,
    /// The server resumed an earlier session from a ticket (RFC 8446
    /// §2.2): no certificate was sent; the peer certificates are those of
    /// the earlier connection.
    Resumed,
}

/// Where 0-RTT data stands (RFC 8446 §2.3, §4.2.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EarlyDataState {
    /// Not offered (the default, or no usable ticket).
    NotOffered,
    /// Offered; the caller may write up to `left` more bytes, until the
    /// server's first reply is processed.
    Writable {
        left: usize,
    },
    /// Offered and written; waiting for EncryptedExtensions to say.
    Offered,
    Accepted,
    /// The server will not read it (or answered with a
    /// HelloRetryRequest): the caller must send it again.
    Rejected,
}

/// The state a handshake works on, and the connection keeps afterwards.
pub(crate) struct CommonState {
    pub(crate) sendbuf: SendBuffer,
    /// `None` until the first key change: records are then plaintext.
    pub(crate) encrypter: Option<RecordEncrypter>,
    pub(crate) decrypter: Option<RecordDecrypter>,
    /// Set when the read keys change, so the caller can check that no
    /// partial handshake message spans the change (RFC 8446 §5.1).
    pub(crate) read_keys_changed: bool,
    pub(crate) version: Option<ProtocolVersion>,
    pub(crate) suite: Option<SupportedCipherSuite>,
    /// The group of the (EC)DHE exchange, once the server has chosen it.
    pub(crate) kx_group: Option<&'static SupportedKxGroup>,
    pub(crate) alpn_protocol: Option<Vec<u8>>,
    pub(crate) peer_certificates: Option<Arc<[CertificateDer<'static>]>>,
    /// Known once the server has answered the ClientHello.
    pub(crate) handshake_kind: Option<HandshakeKind>,
    pub(crate) early_data: EarlyDataState,
    pub(crate) may_send_application_data: bool,
    pub(crate) may_receive_application_data: bool,
    pub(crate) received_close_notify: bool,
    /// We have said we will send no more data (`send_close_notify`); the
    /// alert itself waits while application data may not go yet.
    pub(crate) sent_close_notify: bool,
    /// Application data written before the handshake finished.
    pub(crate) early_writes: Vec<u8>,
    /// The limit on buffered plaintext and on buffered TLS output.
    pub(crate) buffer_limit: Option<usize>,
    pub(crate) logger: Option<Arc<dyn Logger>>,
    /// KeyUpdates received since the last application data: bounded, so a
    /// server cannot keep us re-keying forever.
    pub(crate) key_updates_in_a_row: usize,
    /// TLS 1.2 HelloRequests received since the last application data:
    /// bounded likewise.
    pub(crate) hello_requests_in_a_row: usize,
    /// We have answered a TLS 1.2 HelloRequest with no_renegotiation; the
    /// later ones are ignored, so a server that never reads cannot fill
    /// our send buffer with answers.
    pub(crate) refused_renegotiation: bool,
    /// We sent a KeyUpdate answering the server's request and have sent
    /// no application data since (RFC 8446 §4.6.3).
    pub(crate) key_update_answered: bool,
    /// Whether the handshake message being handled has more handshake
    /// bytes after it in the same record.
    pub(crate) more_handshake_in_record: bool,
    /// The config allows `dangerous_extract_secrets`.
    pub(crate) secret_extraction: bool,
    /// The TLS 1.2 session our ClientHello offered, while the handshake
    /// may still fail on it; a failure forgets it (see
    /// [`OfferedTls12Session`]).
    pub(crate) offered_tls12_session: Option<Box<OfferedTls12Session>>,
}

impl CommonState {
    pub(crate) fn new(max_fragment: usize, logger: Option<Arc<dyn Logger>>) -> Self {
        Self {
            sendbuf: SendBuffer::new(max_fragment),
            encrypter: None,
            decrypter: None,
            read_keys_changed: false,
            version: None,
            suite: None,
            kx_group: None,
            alpn_protocol: None,
            peer_certificates: None,
            handshake_kind: None,
            early_data: EarlyDataState::NotOffered,
            may_send_application_data: false,
            may_receive_application_data: false,
            received_close_notify: false,
            sent_close_notify: false,
            early_writes: Vec::new(),
            buffer_limit: Some(64 * 1024),
            logger,
            key_updates_in_a_row: 0,
            hello_requests_in_a_row: 0,
            refused_renegotiation: false,
            key_update_answered: false,
            more_handshake_in_record: false,
            secret_extraction: false,
            offered_tls12_session: None,
        }
    }

    /// Logs a message, formatting it only if someone listens.
    pub(crate) fn log(&self, level: LogLevel, message: fmt::Arguments<'_>) {
        if let Some(logger) = &self.logger {
            logger.log(level, &message.to_string());
        }
    }

    /// The legacy_record_version for unprotected records after the first
    /// ClientHello (RFC 8446 §5.1).
    fn plain_record_version(&self) -> ProtocolVersion {
        ProtocolVersion::TLSv1_2
    }

    /// Sends a message of `typ`, protected if write keys are installed.
    pub(crate) fn send(&mut self, typ: ContentType, data: &[u8]) -> Result<(), Error> {
        match &mut self.encrypter {
            Some(enc) => self.sendbuf.push_protected(enc, typ, data),
            None => {
                let version = self.plain_record_version();
                self.sendbuf.push_plain(typ, version, data);
                Ok(())
            }
        }
    }

    /// Sends a handshake message (already encoded with its header).
    pub(crate) fn send_handshake(&mut self, encoded: &[u8]) -> Result<(), Error> {
        self.send(ContentType::Handshake, encoded)
    }

    /// Sends an alert. Fatal alerts end our side of the connection.
    pub(crate) fn send_alert(&mut self, level: AlertLevel, desc: AlertDescription) {
        let log_level = match level {
            AlertLevel::Fatal => LogLevel::Warn,
            _ => LogLevel::Debug,
        };
        self.log(log_level, format_args!("sending {level:?} alert {desc:?}"));
        // A failure to encrypt the alert leaves nothing better to do: the
        // connection is ending either way.
        let _ = self.send(ContentType::Alert, &[level.to_wire(), desc.to_wire()]);
    }

    /// Ends our side: no more writes are taken. Before the handshake lets
    /// application data go, the alert waits for it, so that what was
    /// written before (a request, say) is sent first and not cut off by an
    /// alert that would also end the handshake.
    pub(crate) fn send_close_notify(&mut self) {
        if self.sent_close_notify {
            return;
        }
        self.sent_close_notify = true;
        if self.may_send_application_data {
            self.send_alert(AlertLevel::Warning, AlertDescription::CloseNotify);
        }
    }

    /// RFC 8446 §5.1: a message after which keys change must be the last
    /// in its record. Checked before the message is acted on, so nothing
    /// is sent first.
    pub(crate) fn check_record_ends_here(&self) -> Result<(), Error> {
        if self.more_handshake_in_record {
            return Err(InvalidMessage::HandshakeSplitAcrossKeyChange.into());
        }
        Ok(())
    }

    pub(crate) fn set_encrypter(&mut self, enc: RecordEncrypter) {
        self.encrypter = Some(enc);
    }

    pub(crate) fn set_decrypter(&mut self, dec: RecordDecrypter) {
        self.decrypter = Some(dec);
        self.read_keys_changed = true;
    }

    /// Sends application data now if the handshake allows it, else holds it
    /// until it does. Returns how much was taken (all of it, or less if
    /// the buffer limit is reached).
    pub(crate) fn write_plaintext(&mut self, data: &[u8]) -> Result<usize, Error> {
        let room = match self.buffer_limit {
            Some(limit) => limit.saturating_sub(self.sendbuf.len() + self.early_writes.len()),
            None => usize::MAX,
        };
        let take = data.len().min(room);
        if take == 0 {
            return Ok(0);
        }
        if self.may_send_application_data {
            self.key_update_answered = false;
            self.send(ContentType::ApplicationData, &data[..take])?;
        } else {
            self.early_writes.extend_from_slice(&data[..take]);
        }
        Ok(take)
    }

    /// Sends 0-RTT data under the early traffic keys, as much of `data` as
    /// the ticket's max_early_data_size (and the buffer limit) still
    /// allows; 0 when none.
    pub(crate) fn write_early_data(&mut self, data: &[u8]) -> Result<usize, Error> {
        let EarlyDataState::Writable { left } = self.early_data else {
            return Ok(0);
        };
        let room = match self.buffer_limit {
            Some(limit) => limit.saturating_sub(self.sendbuf.len()),
            None => usize::MAX,
        };
        let take = data.len().min(left).min(room);
        if take == 0 {
            return Ok(0);
        }
        self.send(ContentType::ApplicationData, &data[..take])?;
        self.early_data = EarlyDataState::Writable { left: left - take };
        Ok(take)
    }

    /// Called when the handshake allows application data: sends what the
    /// caller wrote early, then the close_notify asked for meanwhile.
    pub(crate) fn start_sending_application_data(&mut self) -> Result<(), Error> {
        // A close_notify asked for before now was held (see
        // `send_close_notify`).
        let close_notify_held = self.sent_close_notify && !self.may_send_application_data;
        // The handshake is complete: a session it resumed did not fail it.
        self.offered_tls12_session = None;
        self.may_send_application_data = true;
        let early = core::mem::take(&mut self.early_writes);
        if !early.is_empty() {
            self.send(ContentType::ApplicationData, &early)?;
        }
        if close_notify_held {
            self.send_alert(AlertLevel::Warning, AlertDescription::CloseNotify);
        }
        Ok(())
    }
}
