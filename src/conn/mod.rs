//! `ClientConnection`: the public, sans-I/O face of a connection.
//!
//! Bytes from the transport go in with [`ClientConnection::read_tls`] and
//! are acted on by [`ClientConnection::process_new_packets`]; bytes for the
//! transport come out of [`ClientConnection::write_tls`]. Plaintext goes in
//! through [`ClientConnection::writer`] and out through
//! [`ClientConnection::reader`]. [`ClientConnection::complete_io`] drives a
//! blocking `Read + Write` transport, the only I/O this layer performs.

mod common;
mod early_data;
mod extract;
mod io_impl;

use core::ops::Range;
use std::io;
use std::sync::Arc;

use rustls_pki_types::{CertificateDer, ServerName};

pub(crate) use self::common::CommonState;
pub(crate) use self::common::EarlyDataState;
pub use self::common::HandshakeKind;
pub use self::early_data::EarlyData;
pub use self::extract::{ConnectionTrafficSecrets, ExtractedKey, ExtractedSecrets};
pub use self::io_impl::{Reader, Writer};
use crate::client::{ClientConfig, State};
use crate::crypto::kx::SupportedKxGroup;
use crate::crypto::suites::SupportedCipherSuite;
use crate::error::{Error, InvalidMessage, PeerMisbehaved};
use crate::log::LogLevel;
use crate::msgs::alert::{AlertMessage, ChangeCipherSpecPayload};
use crate::msgs::codec::Codec;
use crate::msgs::enums::{AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use crate::record::deframer::{max_fragment, Deframer, RawRecord};
use crate::record::joiner::HandshakeJoiner;
use crate::record::protect::{RecordDecrypter, MAX_FRAGMENT_LEN};

/// What the caller should do next, as `process_new_packets` sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoState {
    tls_bytes_to_write: usize,
    plaintext_bytes_to_read: usize,
    peer_has_closed: bool,
}

impl IoState {
    /// Bytes waiting for `write_tls`.
    pub fn tls_bytes_to_write(&self) -> usize {
        self.tls_bytes_to_write
    }

    /// Plaintext bytes waiting for `reader()`.
    pub fn plaintext_bytes_to_read(&self) -> usize {
        self.plaintext_bytes_to_read
    }

    /// Whether the peer sent close_notify: no more plaintext will arrive.
    pub fn peer_has_closed(&self) -> bool {
        self.peer_has_closed
    }
}

/// TLS 1.2 warning alerts are ignored, but not without limit: a peer that
/// sends nothing else would otherwise keep us busy forever.
const MAX_WARNING_ALERTS: usize = 4;

/// Likewise records that carry nothing (empty application data, the
/// ChangeCipherSpecs TLS 1.3 drops) in a row.
const MAX_EMPTY_RECORDS: usize = 32;

/// A TLS client connection.
pub struct ClientConnection {
    common: CommonState,
    /// Received bytes; kept apart from `common`, which the handshake
    /// states change, so that they can read messages where they lie.
    deframer: Deframer,
    joiner: HandshakeJoiner,
    /// `None` only after a fatal error.
    state: Option<State>,
    /// The first fatal error, returned again by every later call.
    error: Option<Error>,
    /// The transport reported end of stream.
    seen_eof: bool,
    warning_alerts: usize,
    empty_records: usize,
}

impl ClientConnection {
    /// Starts a connection to `server_name`: the ClientHello is queued for
    /// `write_tls` at once.
    pub fn new(config: Arc<ClientConfig>, server_name: ServerName<'static>) -> Result<Self, Error> {
        let mut common = CommonState::new(config.max_fragment_len(), config.logger.clone());
        common.secret_extraction = config.enable_secret_extraction;
        let joiner = HandshakeJoiner::new(config.max_handshake_message_len());
        let state = crate::client::start_handshake(config, server_name, &mut common)?;
        Ok(Self {
            common,
            deframer: Deframer::new(),
            joiner,
            state: Some(state),
            error: None,
            seen_eof: false,
            warning_alerts: 0,
            empty_records: 0,
        })
    }

    /// Reads TLS bytes from `rd` (once). `Ok(0)` means the transport is at
    /// end of stream. Fails with an `Other` error while the plaintext
    /// buffer is over its limit: read some plaintext first.
    pub fn read_tls(&mut self, rd: &mut dyn io::Read) -> io::Result<usize> {
        if self.common.received_close_notify {
            return Ok(0);
        }
        if let Some(limit) = self.common.buffer_limit {
            if self.deframer.plaintext_len() >= limit {
                return Err(io::Error::other("received plaintext buffer full"));
            }
        }
        // Where the next records' ciphertext will start, so the buffer can
        // place it on a cache line. Only placement: a value left from the
        // old keys at a key change costs speed, never correctness.
        let explicit_nonce_len = self
            .common
            .decrypter
            .as_ref()
            .map_or(0, RecordDecrypter::explicit_nonce_len);
        self.deframer.set_explicit_nonce_len(explicit_nonce_len);
        let n = self.deframer.read_tls(rd)?;
        if n == 0 {
            self.seen_eof = true;
        }
        Ok(n)
    }

    /// Writes queued TLS bytes to `wr` (once); returns how many.
    pub fn write_tls(&mut self, wr: &mut dyn io::Write) -> io::Result<usize> {
        let n = self.common.sendbuf.write_tls(wr)?;
        if !self.is_handshaking() {
            self.common.sendbuf.release_if_small_and_empty();
        }
        Ok(n)
    }

    /// Processes every whole record received so far. The first error is
    /// sticky: it is returned again by every later call, and the alert it
    /// caused is queued for `write_tls`. If the transport has ended
    /// (`read_tls` read 0 bytes) before the handshake is done, it fails
    /// with [`Error::UnexpectedEof`]: no more of the handshake can come.
    pub fn process_new_packets(&mut self) -> Result<IoState, Error> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        if let Err(err) = self.process_records() {
            self.fail(err.clone());
            return Err(err);
        }
        // The transport ended before the handshake did: nothing more will
        // come, so say so now rather than leave a caller's loop waiting on
        // `wants_read` for a flight that cannot arrive.
        if self.seen_eof && self.is_handshaking() {
            self.fail(Error::UnexpectedEof);
            return Err(Error::UnexpectedEof);
        }
        if !self.is_handshaking() {
            // Nothing held between messages once the handshake is over: a
            // call that finds nothing left to do marks a quiet moment.
            self.joiner.release_if_empty();
            self.deframer.release_if_empty();
            self.common.sendbuf.release_if_empty();
        }
        Ok(self.io_state())
    }

    fn io_state(&self) -> IoState {
        IoState {
            tls_bytes_to_write: self.common.sendbuf.len(),
            plaintext_bytes_to_read: self.deframer.plaintext_len(),
            peer_has_closed: self.common.received_close_notify,
        }
    }

    /// Ends the connection on `err`: sends the alert it calls for (under
    /// the current write keys) and keeps it to return again.
    fn fail(&mut self, err: Error) {
        self.common
            .log(LogLevel::Error, format_args!("connection failed: {err}"));
        if let Some(alert) = err.alert() {
            self.common.send_alert(AlertLevel::Fatal, alert);
        }
        self.state = None;
        // A handshake failing on a TLS 1.2 session it offered forgets it.
        if let Some(offered) = self.common.offered_tls12_session.take() {
            offered.forget();
        }
        self.error = Some(err);
    }

    fn process_records(&mut self) -> Result<(), Error> {
        loop {
            // One record may hold several handshake messages: hand them all
            // to the state machine before taking another record.
            if let Some((raw, more)) = self.joiner.pop_noting_rest() {
                handle_message(&mut self.state, &mut self.common, raw, more)?;
                if core::mem::take(&mut self.common.read_keys_changed) && !self.joiner.is_empty() {
                    // RFC 8446 §5.1: a handshake message may not span a key
                    // change.
                    return Err(InvalidMessage::HandshakeSplitAcrossKeyChange.into());
                }
                continue;
            }
            if self.common.received_close_notify {
                return Ok(());
            }
            let max_fragment = max_fragment(self.common.version);
            let Some(record) = self.deframer.next_record(max_fragment)? else {
                return Ok(());
            };
            self.process_record(record)?;
        }
    }

    fn process_record(&mut self, record: RawRecord) -> Result<(), Error> {
        let RawRecord { header, fragment } = record;
        let tls13 = self.common.version == Some(ProtocolVersion::TLSv1_3);
        // RFC 8446 §5: in TLS 1.3 a change_cipher_spec record is never
        // protected, even after keys are installed.
        let unprotected_ccs = tls13 && header.typ == ContentType::ChangeCipherSpec;
        let (typ, range) = match &mut self.common.decrypter {
            Some(dec) if !unprotected_ccs => {
                // RFC 8446 §5.2: protected records are labelled
                // application_data; anything else is unexpected.
                if tls13 && header.typ != ContentType::ApplicationData {
                    return Err(Error::InappropriateMessage {
                        expected: &[ContentType::ApplicationData],
                        got: header.typ,
                    });
                }
                let (typ, inner) =
                    dec.open_in_place(&header, self.deframer.fragment_mut(fragment.clone()))?;
                (
                    typ,
                    fragment.start + inner.start..fragment.start + inner.end,
                )
            }
            _ => {
                // RFC 8446 §5.1: plaintext records carry at most 2^14 bytes.
                if fragment.len() > MAX_FRAGMENT_LEN {
                    return Err(InvalidMessage::RecordTooLarge.into());
                }
                (header.typ, fragment)
            }
        };

        if range.is_empty() || typ == ContentType::ChangeCipherSpec {
            self.empty_records += 1;
            if self.empty_records > MAX_EMPTY_RECORDS {
                return Err(PeerMisbehaved::Other(
                    "server sent too many records with nothing in them",
                    AlertDescription::UnexpectedMessage,
                )
                .into());
            }
        } else {
            self.empty_records = 0;
        }
        if typ == ContentType::Handshake {
            return self.process_handshake_record(range);
        }
        // RFC 8446 §5.1: handshake messages may not be interleaved with
        // other record types.
        if !self.joiner.is_empty() {
            return Err(PeerMisbehaved::Other(
                "server interleaved another record inside a handshake message",
                AlertDescription::UnexpectedMessage,
            )
            .into());
        }
        match typ {
            ContentType::Alert => {
                let alert = AlertMessage::read_bytes(self.deframer.fragment(range))?;
                self.handle_alert(alert)
            }
            ContentType::ChangeCipherSpec => {
                // RFC 8446 §5: a protected change_cipher_spec in TLS 1.3 is
                // unexpected_message.
                if tls13 && header.typ != ContentType::ChangeCipherSpec {
                    return Err(PeerMisbehaved::Other(
                        "server sent an encrypted ChangeCipherSpec",
                        AlertDescription::UnexpectedMessage,
                    )
                    .into());
                }
                // RFC 8446 §5 and RFC 5246 §7.1: the message is one byte, 1.
                ChangeCipherSpecPayload::parse(self.deframer.fragment(range))?;
                let state = self.state.take().ok_or(Error::HandshakeNotComplete)?;
                self.state = Some(state.handle_change_cipher_spec(&mut self.common)?);
                Ok(())
            }
            ContentType::ApplicationData => {
                if !self.common.may_receive_application_data {
                    return Err(Error::InappropriateMessage {
                        expected: &[ContentType::Handshake],
                        got: ContentType::ApplicationData,
                    });
                }
                if !range.is_empty() {
                    self.warning_alerts = 0;
                    self.common.key_updates_in_a_row = 0;
                    self.common.hello_requests_in_a_row = 0;
                }
                self.deframer.queue_plaintext(range);
                Ok(())
            }
            other => Err(Error::InappropriateMessage {
                expected: &[ContentType::Handshake, ContentType::ApplicationData],
                got: other,
            }),
        }
    }

    /// Hands the handshake messages in one record's plaintext (`range` of
    /// the receive buffer) to the state machine. Whole messages are read
    /// where they lie; only a message that spans records is copied, into
    /// the joiner, which the next records complete.
    fn process_handshake_record(&mut self, mut range: Range<usize>) -> Result<(), Error> {
        if !self.joiner.is_empty() {
            return self.joiner.push(self.deframer.fragment(range));
        }
        // RFC 8446 §5.1: handshake records are never empty.
        if range.is_empty() {
            return Err(InvalidMessage::EmptyRecord.into());
        }
        while !range.is_empty() {
            let rest = self.deframer.fragment(range.clone());
            let Some(len) = self.joiner.whole_message_len(rest)? else {
                return self.joiner.push(rest);
            };
            let raw = &rest[..len];
            let more = len < rest.len();
            handle_message(&mut self.state, &mut self.common, raw, more)?;
            range.start += len;
            if core::mem::take(&mut self.common.read_keys_changed) && !range.is_empty() {
                // RFC 8446 §5.1: the rest of this record was protected with
                // the keys just replaced.
                return Err(InvalidMessage::HandshakeSplitAcrossKeyChange.into());
            }
        }
        Ok(())
    }

    /// RFC 8446 §6 and RFC 5246 §7.2: close_notify closes the read side;
    /// every other alert ends the connection, except TLS 1.2 warnings,
    /// which are ignored.
    fn handle_alert(&mut self, alert: AlertMessage) -> Result<(), Error> {
        let AlertMessage {
            level,
            description: desc,
        } = alert;
        self.common.log(
            LogLevel::Debug,
            format_args!("received {level:?} alert {desc:?}"),
        );
        if desc == AlertDescription::CloseNotify {
            // A close during the handshake is a failed handshake, not an
            // end of data.
            if self.is_handshaking() {
                return Err(Error::AlertReceived(desc));
            }
            self.common.received_close_notify = true;
            return Ok(());
        }
        let tls13 = self.common.version == Some(ProtocolVersion::TLSv1_3);
        // RFC 8446 §6.1: user_canceled is a warning to be followed by
        // close_notify; every other TLS 1.3 alert is fatal whatever its level.
        let ignorable =
            level == AlertLevel::Warning && (!tls13 || desc == AlertDescription::UserCanceled);
        if ignorable {
            self.warning_alerts += 1;
            if self.warning_alerts > MAX_WARNING_ALERTS {
                return Err(PeerMisbehaved::Other(
                    "server sent too many warning alerts",
                    AlertDescription::UnexpectedMessage,
                )
                .into());
            }
            return Ok(());
        }
        Err(Error::AlertReceived(desc))
    }

    /// A reader of received plaintext: `io::Read` copies it out;
    /// `io::BufRead` (`fill_buf` and `consume`) lends it where it was
    /// decrypted, for callers that can parse it in place.
    pub fn reader(&mut self) -> Reader<'_> {
        Reader { conn: self }
    }

    /// A writer of plaintext to send. Before the handshake completes,
    /// what is written is held and sent as soon as it may be. Writes take
    /// what the buffer limit leaves room for, and `Ok(0)` when it leaves
    /// none: write the TLS data out ([`write_tls`](Self::write_tls)) and
    /// write the rest. So `write_all` of more than the limit fails with
    /// `WriteZero` having taken (and being bound to send) part of it:
    /// retrying the whole would send that part twice.
    pub fn writer(&mut self) -> Writer<'_> {
        Writer { conn: self }
    }

    /// Whether the caller should read TLS bytes: true while the handshake
    /// needs input or the connection is open and no plaintext is waiting.
    pub fn wants_read(&self) -> bool {
        self.error.is_none()
            && !self.common.received_close_notify
            && self.deframer.plaintext_len() == 0
            && (self.common.may_send_application_data || self.common.sendbuf.is_empty())
    }

    /// How many bytes of received plaintext wait for `reader()`: what a
    /// caller that waits on the transport must read first, since no more
    /// bytes may arrive there to wake it.
    pub fn plaintext_bytes_to_read(&self) -> usize {
        self.deframer.plaintext_len()
    }

    /// Whether TLS bytes are waiting for `write_tls`.
    pub fn wants_write(&self) -> bool {
        !self.common.sendbuf.is_empty()
    }

    /// Whether the handshake is still under way.
    pub fn is_handshaking(&self) -> bool {
        !(self.common.may_send_application_data && self.common.may_receive_application_data)
    }

    /// The server's certificate chain, end entity first, once received.
    pub fn peer_certificates(&self) -> Option<&[CertificateDer<'static>]> {
        self.common.peer_certificates.as_deref()
    }

    /// What kind of handshake this connection made (full, with a
    /// HelloRetryRequest, or resumed), once the server has answered.
    pub fn handshake_kind(&self) -> Option<HandshakeKind> {
        self.common.handshake_kind
    }

    /// A writer of 0-RTT data, while it may be written: after `new`, when
    /// the config enables early data and a stored ticket for this server
    /// allows it, until the server's reply is processed or we call
    /// [`send_close_notify`](Self::send_close_notify). `None` otherwise.
    /// See [`EarlyData`] for the caveats (replay; resending if rejected):
    /// data the server rejects can be sent again only before close_notify,
    /// so wait for [`is_early_data_accepted`](Self::is_early_data_accepted)
    /// before closing.
    pub fn early_data(&mut self) -> Option<EarlyData<'_>> {
        if self.error.is_some()
            || self.common.sent_close_notify
            || !matches!(self.common.early_data, EarlyDataState::Writable { .. })
        {
            return None;
        }
        Some(EarlyData {
            common: &mut self.common,
        })
    }

    /// Whether the server accepted the 0-RTT data we sent (RFC 8446
    /// §4.2.10). False until its EncryptedExtensions say so, and when no
    /// early data was offered. If we sent some and this is false once the
    /// handshake is done, the server discarded it: send it again.
    pub fn is_early_data_accepted(&self) -> bool {
        self.common.early_data == EarlyDataState::Accepted
    }

    /// The protocol the server chose by ALPN, if any.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.common.alpn_protocol.as_deref()
    }

    /// The cipher suite, once the server has chosen it.
    pub fn negotiated_cipher_suite(&self) -> Option<SupportedCipherSuite> {
        self.common.suite
    }

    /// The group of the handshake's (EC)DHE key exchange (X25519, P-256,
    /// ...), once the server has chosen it. A resumed TLS 1.2 connection
    /// makes no key exchange and reports the group of the handshake that
    /// made its session.
    pub fn negotiated_key_exchange_group(&self) -> Option<&'static SupportedKxGroup> {
        self.common.kx_group
    }

    /// The protocol version, once the server has chosen it.
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.common.version
    }

    /// Limits buffered received plaintext and buffered outgoing TLS data
    /// to `limit` bytes each (`None`: no limit). The default is 64 KiB.
    pub fn set_buffer_limit(&mut self, limit: Option<usize>) {
        self.common.buffer_limit = limit;
    }

    /// Whether [`send_close_notify`](Self::send_close_notify) was called
    /// (the alert itself may still wait for the handshake).
    pub(crate) fn close_notify_requested(&self) -> bool {
        self.common.sent_close_notify
    }

    /// Queues a close_notify alert: we will send no more data. Called
    /// before the handshake is complete, the alert follows the handshake
    /// and whatever was written before it.
    pub fn send_close_notify(&mut self) {
        self.common.send_close_notify();
    }

    /// Derives keying material from the connection's secrets (RFC 8446
    /// §7.5, RFC 5705). In TLS 1.2 `context` `None` differs from an empty
    /// context; TLS 1.3 derives the same from both. Refused with
    /// [`Error::PeerIncompatible`] for a TLS 1.2 session whose server did
    /// without the extended master secret (RFC 7627 §5.4).
    pub fn export_keying_material<T: AsMut<[u8]>>(
        &self,
        mut output: T,
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<T, Error> {
        if output.as_mut().is_empty() {
            return Err(Error::General(
                "export_keying_material needs a non-empty output".into(),
            ));
        }
        match &self.state {
            Some(state) if !self.is_handshaking() => {
                state.export_keying_material(output.as_mut(), label, context)?;
                Ok(output)
            }
            _ => Err(Error::HandshakeNotComplete),
        }
    }

    /// Hands over the connection's current traffic keys and sequence
    /// numbers, for another implementation (kernel TLS, say) to carry its
    /// records on; the connection is consumed, whether or not this
    /// succeeds.
    ///
    /// Refused unless the config set
    /// [`ClientConfig::enable_secret_extraction`], before the handshake is
    /// complete, after a fatal error, and while anything is buffered
    /// (TLS bytes not yet written, plaintext or records not yet read,
    /// writes waiting for the handshake). Since a refusal consumes the
    /// connection too, write and read all of that first: until
    /// [`wants_write`](Self::wants_write) is false and the reader has
    /// nothing left.
    pub fn dangerous_extract_secrets(mut self) -> Result<ExtractedSecrets, Error> {
        self.extract_secrets_and_retire()
    }

    /// `dangerous_extract_secrets` for a caller that keeps the connection
    /// object (the C API): on success the connection is dead, every later
    /// call failing, so it never sends a record the new owner of the keys
    /// would not know of.
    /// Whether the config allows `dangerous_extract_secrets`.
    pub(crate) fn secret_extraction_enabled(&self) -> bool {
        self.common.secret_extraction
    }

    pub(crate) fn extract_secrets_and_retire(&mut self) -> Result<ExtractedSecrets, Error> {
        let secrets = self.extract_secrets()?;
        self.state = None;
        self.error = Some(Error::General(
            "the connection's secrets were extracted; it can no longer be used".into(),
        ));
        Ok(secrets)
    }

    fn extract_secrets(&self) -> Result<ExtractedSecrets, Error> {
        if !self.common.secret_extraction {
            return Err(Error::General(
                "secret extraction is disabled (ClientConfig::enable_secret_extraction)".into(),
            ));
        }
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        if self.is_handshaking() {
            return Err(Error::HandshakeNotComplete);
        }
        let common = &self.common;
        if !common.sendbuf.is_empty()
            || !common.early_writes.is_empty()
            || self.deframer.plaintext_len() > 0
            || self.deframer.has_partial_record()
            || !self.joiner.is_empty()
        {
            return Err(Error::General(
                "data is buffered: write out TLS bytes and read plaintext before extracting".into(),
            ));
        }
        let (Some(enc), Some(dec), Some(state)) =
            (&common.encrypter, &common.decrypter, &self.state)
        else {
            return Err(Error::HandshakeNotComplete);
        };
        let (tx_seq, rx_seq) = (enc.sequence_number(), dec.sequence_number());
        let (tx, rx) = state.traffic_secrets(common.suite, tx_seq, rx_seq)?;
        Ok(ExtractedSecrets {
            tx: (tx_seq, tx),
            rx: (rx_seq, rx),
        })
    }

    /// Drives the connection over a blocking transport: until the
    /// handshake completes if it has not, else one round of writing
    /// and reading. Returns the bytes (read, written). Fails with the
    /// transport's error, `UnexpectedEof` if it ended during the
    /// handshake, `WriteZero` if it took none of the bytes to send, and
    /// `InvalidData` (wrapping the [`Error`]) if the connection failed.
    pub fn complete_io<T: io::Read + io::Write>(
        &mut self,
        io: &mut T,
    ) -> io::Result<(usize, usize)> {
        io_impl::complete_io(self, io)
    }
}

/// Hands one whole handshake message (`raw`, header included: what the
/// transcript hashes) to the state machine. `more` says whether bytes
/// follow it in its record: a message that changes keys must end its
/// record, which the state handling one checks before it acts.
fn handle_message(
    state: &mut Option<State>,
    common: &mut CommonState,
    raw: &[u8],
    more: bool,
) -> Result<(), Error> {
    common.more_handshake_in_record = more;
    let current = state.take().ok_or(Error::HandshakeNotComplete)?;
    *state = Some(current.handle(common, raw)?);
    Ok(())
}

impl core::fmt::Debug for ClientConnection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientConnection")
            .field("version", &self.common.version)
            .field("suite", &self.common.suite)
            .field("handshaking", &self.is_handshaking())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}
