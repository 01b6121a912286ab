//! The first exchange: our ClientHello, and the server's ServerHello or
//! HelloRetryRequest, which decides the version and the suite.
//!
//! ```text
//!   ClientHello  ------------------------------------>
//!                <------  HelloRetryRequest (maybe, once)
//!   ClientHello  ------------------------------------>   (after a retry)
//!                <------------------------  ServerHello
//! ```

mod build;
mod offer;
mod offered;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use rustls_pki_types::ServerName;

use self::build::ClientHelloParams;
pub(super) use self::offer::ResumptionOffer;
use self::offer::{bind_psk, early_data_allowed, find_session, session_offer, start_early_data};
pub(super) use self::offered::OfferedExtensions;
use super::session::Tls12Session;
use super::tls12_resume::OfferedTls12Session;
use super::{tls12, tls12_resume, tls13};
use super::{unexpected, ClientConfig, State};
use crate::conn::{CommonState, EarlyDataState, HandshakeKind};
use crate::crypto::hash::{Transcript, TranscriptBuffer};
use crate::crypto::kx::{KeyExchange, SupportedKxGroup};
use crate::crypto::suites::{SupportedCipherSuite, Tls13CipherSuite};
use crate::error::{Error, PeerIncompatible, PeerMisbehaved};
use crate::log::LogLevel;
use crate::msgs::enums::{
    AlertDescription, CipherSuite, Compression, ContentType, ExtensionType, HandshakeType,
    ProtocolVersion,
};
use crate::msgs::extensions::ExtensionForm;
use crate::msgs::handshake::{HandshakeMessage, HandshakePayload};
use crate::msgs::hello::{HelloRetryRequest, Random, ServerHello, SessionId};

/// Builds and sends the first ClientHello.
pub(super) fn start_handshake(
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    common: &mut CommonState,
) -> Result<State, Error> {
    config.validate()?;
    let rng = &config.randomness;
    let resuming12 = tls12_resume::find_session(&config, &server_name);
    let by_ticket = resuming12.as_ref().is_some_and(|s| !s.ticket.is_empty());
    // The client random and, in middlebox compatibility mode (RFC 8446
    // §D.4), a 32-byte legacy_session_id for the server to echo: one call
    // to the system's generator for both. Only a hello offering TLS 1.3
    // carries the made-up id: in a TLS 1.2 hello the field names a session
    // to resume, empty when there is none (RFC 5246 §7.4.1.2). Offering a
    // TLS 1.2 ticket takes a fresh id too, which the server echoes if it
    // takes the ticket (RFC 5077 §3.4).
    let mut fresh = [0u8; 64];
    let compat_session_id =
        config.middlebox_compat && config.supports_version(ProtocolVersion::TLSv1_3);
    let used = if compat_session_id || by_ticket {
        64
    } else {
        32
    };
    rng.fill(&mut fresh[..used])?;
    let (random_bytes, session_bytes) = fresh[..used].split_at(32);
    let mut random = [0u8; 32];
    random.copy_from_slice(random_bytes);
    let session_id = match &resuming12 {
        // RFC 5246 §7.4.1.2: resuming by session id sends the server's.
        // It also serves as the TLS 1.3 compatibility session id.
        Some(session) if !by_ticket => session.session_id,
        _ => SessionId::new(session_bytes)
            .ok_or_else(|| Error::General("session id too long".into()))?,
    };
    let key_share = KeyExchange::start(config.kx_groups[0], rng)?;
    let resuming = find_session(&config, &server_name);
    let early_data = resuming
        .as_ref()
        .is_some_and(|r| early_data_allowed(&config, &r.session));

    let (offered, mut encoded) = ClientHelloParams {
        config: &config,
        server_name: &server_name,
        random: Random(random),
        session_id: &session_id,
        key_share: &key_share,
        cookie: None,
        resuming: resuming.as_ref(),
        resuming12: resuming12.as_ref(),
        early_data,
    }
    .encode()?;
    if let Some(offer) = &resuming {
        // RFC 8446 §4.2.11.2: the binder covers the ClientHello up to the
        // binders list, hashed with the PSK's hash.
        let hash = TranscriptBuffer::new().hash_with(offer.session.suite.hash, encoded.truncated());
        bind_psk(&mut encoded, offer, &hash)?;
    }
    let encoded = encoded.into_bytes();
    // RFC 8446 §5.1: the initial ClientHello's record may say 0x0301, for
    // servers that would choke on a higher version there.
    common
        .sendbuf
        .push_plain(ContentType::Handshake, ProtocolVersion::TLSv1_0, &encoded);
    let mut sent_ccs = false;
    if let (true, Some(offer)) = (early_data, &resuming) {
        if config.middlebox_compat {
            // RFC 8446 §D.4: with early data, the ChangeCipherSpec goes
            // right after the first ClientHello.
            send_compat_ccs(common);
            sent_ccs = true;
        }
        start_early_data(&config, offer, &encoded, &random, common)?;
    }
    if let (Some(session), Some(store)) = (&resuming12, &config.resumption.store) {
        common.offered_tls12_session = Some(Box::new(OfferedTls12Session::new(
            store.clone(),
            server_name.clone(),
            session,
        )));
    }
    // The transcript starts as the hello's own buffer, not a copy of it.
    let transcript = TranscriptBuffer::starting_with(encoded);

    Ok(State::ExpectServerHello(Box::new(ExpectServerHello {
        config,
        server_name,
        random: Random(random),
        session_id,
        key_share,
        offered,
        transcript: HelloTranscript::Buffered(transcript),
        sent_ccs,
        resuming,
        resuming12,
        early_data_offered: early_data,
    })))
}

/// The transcript before and after a HelloRetryRequest: before, the
/// suite's hash is unknown and messages are kept; after, it is known.
enum HelloTranscript {
    Buffered(TranscriptBuffer),
    Retried {
        suite: &'static Tls13CipherSuite,
        transcript: Box<Transcript>,
    },
}

/// Waiting for the ServerHello (or a HelloRetryRequest).
pub(crate) struct ExpectServerHello {
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    random: Random,
    session_id: SessionId,
    /// Our ephemeral key for the one share we sent.
    key_share: KeyExchange,
    /// The extension types of the ClientHello we sent (the latest one
    /// after a retry).
    offered: OfferedExtensions,
    transcript: HelloTranscript,
    /// Whether we already sent the compatibility ChangeCipherSpec.
    sent_ccs: bool,
    /// The stored session our (latest) ClientHello offers.
    resuming: Option<ResumptionOffer>,
    /// The stored TLS 1.2 session our ClientHello offers.
    resuming12: Option<Tls12Session>,
    /// Whether our (first) ClientHello offered 0-RTT data.
    early_data_offered: bool,
}

impl ExpectServerHello {
    pub(super) fn handle(
        self: Box<Self>,
        common: &mut CommonState,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<State, Error> {
        match msg.payload {
            HandshakePayload::ServerHello(sh) => self.handle_server_hello(common, sh, raw),
            HandshakePayload::HelloRetryRequest(hrr) => self.handle_retry(common, hrr, raw),
            _ => Err(unexpected(&[HandshakeType::ServerHello], &msg)),
        }
    }

    fn offered(&self, typ: ExtensionType) -> bool {
        self.offered.contains(typ)
    }

    /// RFC 8446 §4.1.3, §4.2.1: the version is in supported_versions if
    /// the server speaks TLS 1.3, else in legacy_version.
    fn handle_server_hello(
        mut self: Box<Self>,
        common: &mut CommonState,
        sh: ServerHello,
        raw: &[u8],
    ) -> Result<State, Error> {
        let version = match sh.supported_versions() {
            Some(ProtocolVersion::TLSv1_3)
                if self.config.supports_version(ProtocolVersion::TLSv1_3) =>
            {
                ProtocolVersion::TLSv1_3
            }
            // RFC 8446 §4.2.1: a selected_version we did not offer, or one
            // below TLS 1.3, is illegal_parameter.
            Some(_) => {
                return Err(PeerMisbehaved::Other(
                    "server selected a version we did not offer in supported_versions",
                    AlertDescription::IllegalParameter,
                )
                .into())
            }
            None if sh.legacy_version == ProtocolVersion::TLSv1_2
                && self.config.supports_version(ProtocolVersion::TLSv1_2) =>
            {
                ProtocolVersion::TLSv1_2
            }
            None => {
                return Err(PeerIncompatible::Other(
                    "server does not support any protocol version we enabled",
                    AlertDescription::ProtocolVersion,
                )
                .into())
            }
        };

        // RFC 8446 §4.2.10: "A client that attempts to send 0-RTT data MUST
        // fail a connection if it receives a ServerHello with TLS 1.2 or
        // older."
        if version != ProtocolVersion::TLSv1_3 && self.early_data_offered {
            return Err(PeerMisbehaved::Other(
                "server chose TLS 1.2 after we sent 0-RTT data",
                AlertDescription::ProtocolVersion,
            )
            .into());
        }

        if version != ProtocolVersion::TLSv1_3 {
            // RFC 8446 §4.1.3: a TLS 1.3 client that negotiates less must
            // check for the downgrade sentinel.
            if self.config.supports_version(ProtocolVersion::TLSv1_3)
                && sh.random.downgrade_sentinel().is_some()
            {
                return Err(PeerMisbehaved::Other(
                    "server random carries a downgrade sentinel: an attacker may be forcing an older version",
                    AlertDescription::IllegalParameter,
                )
                .into());
            }
            return self.handle_tls12_server_hello(common, sh, raw);
        }

        // RFC 8446 §5.1: the handshake keys start after the ServerHello.
        common.check_record_ends_here()?;
        self.check_legacy_fields(&sh.session_id, sh.compression_method)?;
        let suite = self.tls13_suite(sh.cipher_suite)?;
        if let HelloTranscript::Retried {
            suite: retry_suite, ..
        } = &self.transcript
        {
            // RFC 8446 §4.1.4: the ServerHello's suite must be the
            // HelloRetryRequest's.
            if !core::ptr::eq(*retry_suite, suite) {
                return Err(PeerMisbehaved::Other(
                    "server changed cipher suite after HelloRetryRequest",
                    AlertDescription::IllegalParameter,
                )
                .into());
            }
        }
        // RFC 8446 §4.2: every extension must answer one we sent, and be
        // one a TLS 1.3 ServerHello may carry.
        for ext in &sh.extensions {
            let typ = ext.ext_type();
            self.check_answered(typ)?;
            if !matches!(
                typ,
                ExtensionType::KeyShare
                    | ExtensionType::SupportedVersions
                    | ExtensionType::PreSharedKey
            ) {
                return Err(PeerMisbehaved::Other(
                    "server sent an extension not allowed in a TLS 1.3 ServerHello",
                    AlertDescription::IllegalParameter,
                )
                .into());
            }
        }
        // RFC 8446 §4.2.8: without a PSK, key_share is required and must be
        // on the group we sent a share for.
        let share = sh.key_share().ok_or(PeerMisbehaved::Other(
            "server sent no key share",
            AlertDescription::MissingExtension,
        ))?;
        if share.group != self.key_share.group().name() {
            return Err(PeerMisbehaved::Other(
                "server's key share is not on the group we offered",
                AlertDescription::IllegalParameter,
            )
            .into());
        }

        let resumed = self.accepted_session(&sh, suite)?;

        let retried = matches!(self.transcript, HelloTranscript::Retried { .. });
        let mut transcript = match self.transcript {
            HelloTranscript::Buffered(buffer) => buffer.start_hash(suite.hash),
            HelloTranscript::Retried { transcript, .. } => *transcript,
        };
        transcript.add(raw);
        common.kx_group = Some(self.key_share.group());
        let shared = self.key_share.complete(&share.payload)?;

        common.handshake_kind = Some(match (&resumed, retried) {
            (Some(_), _) => HandshakeKind::Resumed,
            (None, true) => HandshakeKind::FullWithHelloRetryRequest,
            (None, false) => HandshakeKind::Full,
        });
        common.version = Some(ProtocolVersion::TLSv1_3);
        common.suite = Some(SupportedCipherSuite::Tls13(suite));
        // TLS 1.3: the TLS 1.2 session we offered was not the server's
        // choice, and is not what this handshake may fail on.
        common.offered_tls12_session = None;
        if self.config.middlebox_compat && !self.sent_ccs {
            // RFC 8446 §D.4: a ChangeCipherSpec before our second flight.
            send_compat_ccs(common);
        }
        tls13::start_handshake_keys(
            tls13::HandshakeStart {
                config: self.config,
                server_name: self.server_name,
                suite,
                transcript,
                offered: self.offered,
                client_random: self.random.0,
                resumed,
                early_data_offered: self.early_data_offered,
            },
            shared,
            common,
        )
    }

    /// The session the server resumes, if its ServerHello has
    /// pre_shared_key (which `check_answered` has checked we offered).
    ///
    /// RFC 8446 §4.2.11: "Clients MUST verify that the server's
    /// selected_identity is within the range supplied by the client, that
    /// the server selected a cipher suite indicating a Hash associated
    /// with the PSK", else illegal_parameter. We offer one identity.
    fn accepted_session(
        &mut self,
        sh: &ServerHello,
        suite: &'static Tls13CipherSuite,
    ) -> Result<Option<ResumptionOffer>, Error> {
        let Some(selected) = sh.psk_index() else {
            // A full handshake; the ticket is spent either way.
            self.resuming = None;
            return Ok(None);
        };
        let offer = self.resuming.take().ok_or(PeerMisbehaved::Other(
            "server selected a PSK we did not offer",
            AlertDescription::IllegalParameter,
        ))?;
        if selected != 0 {
            return Err(PeerMisbehaved::Other(
                "server selected a PSK identity we did not offer",
                AlertDescription::IllegalParameter,
            )
            .into());
        }
        if offer.session.suite.hash != suite.hash {
            return Err(PeerMisbehaved::Other(
                "server resumed with a cipher suite whose hash is not the ticket's",
                AlertDescription::IllegalParameter,
            )
            .into());
        }
        Ok(Some(offer))
    }

    /// RFC 8446 §4.1.3 (and §4.1.4 for a HelloRetryRequest):
    /// legacy_session_id_echo must be what we sent, and
    /// legacy_compression_method must be 0.
    fn check_legacy_fields(&self, echo: &SessionId, compression: Compression) -> Result<(), Error> {
        if *echo != self.session_id {
            return Err(PeerMisbehaved::Other(
                "server did not echo the legacy session id",
                AlertDescription::IllegalParameter,
            )
            .into());
        }
        if compression != Compression::Null {
            return Err(PeerMisbehaved::Other(
                "server chose a compression method",
                AlertDescription::IllegalParameter,
            )
            .into());
        }
        Ok(())
    }

    /// The TLS 1.3 suite the server chose, which must be one we offered.
    fn tls13_suite(&self, chosen: CipherSuite) -> Result<&'static Tls13CipherSuite, Error> {
        offered_suite(&self.config, chosen, SupportedCipherSuite::tls13)
    }

    /// RFC 8446 §4.2: a server extension must answer one we sent
    /// (unsupported_extension otherwise).
    fn check_answered(&self, typ: ExtensionType) -> Result<(), Error> {
        if self.offered(typ) {
            Ok(())
        } else {
            Err(PeerMisbehaved::Other(
                "server sent an extension we did not offer",
                AlertDescription::UnsupportedExtension,
            )
            .into())
        }
    }

    /// RFC 8446 §4.1.4: the server wants a different key share or a
    /// cookie. We send a second ClientHello that changes just that.
    fn handle_retry(
        mut self: Box<Self>,
        common: &mut CommonState,
        hrr: HelloRetryRequest,
        raw: &[u8],
    ) -> Result<State, Error> {
        // The second ClientHello answers this message alone (RFC 8446
        // §5.1 in spirit: nothing may follow it in its record).
        common.check_record_ends_here()?;
        let taken = core::mem::replace(
            &mut self.transcript,
            HelloTranscript::Buffered(TranscriptBuffer::new()),
        );
        let HelloTranscript::Buffered(buffer) = taken else {
            return Err(PeerMisbehaved::Other(
                "server sent a second HelloRetryRequest",
                AlertDescription::UnexpectedMessage,
            )
            .into());
        };
        // A HelloRetryRequest means TLS 1.3 (RFC 8446 §4.1.4).
        if hrr.supported_versions() != Some(ProtocolVersion::TLSv1_3)
            || !self.config.supports_version(ProtocolVersion::TLSv1_3)
        {
            return Err(PeerMisbehaved::Other(
                "server sent a HelloRetryRequest without selecting TLS 1.3",
                AlertDescription::IllegalParameter,
            )
            .into());
        }
        self.check_legacy_fields(&hrr.session_id, hrr.compression_method)?;
        // TLS 1.3 is chosen: the TLS 1.2 session we offered is out of it.
        common.offered_tls12_session = None;
        let suite = self.tls13_suite(hrr.cipher_suite)?;
        for ext in &hrr.extensions {
            let typ = ext.ext_type();
            // RFC 8446 §4.1.4: the cookie is the one extension a server may
            // send unasked; anything else must answer our ClientHello.
            if typ != ExtensionType::Cookie {
                self.check_answered(typ)?;
            }
        }

        let cookie = hrr.cookie();
        let group = match hrr.key_share() {
            Some(name) => {
                // RFC 8446 §4.2.8: the selected group must be one we
                // listed, and not the one we already sent a share for.
                let group = self.offered_group(name)?;
                if group.name() == self.key_share.group().name() {
                    return Err(PeerMisbehaved::Other(
                        "server asked again for the key share we already sent",
                        AlertDescription::IllegalParameter,
                    )
                    .into());
                }
                Some(group)
            }
            None => None,
        };
        // RFC 8446 §4.1.4: a retry that would change nothing is illegal.
        if group.is_none() && cookie.is_none() {
            return Err(PeerMisbehaved::Other(
                "server sent a HelloRetryRequest that changes nothing",
                AlertDescription::IllegalParameter,
            )
            .into());
        }

        common.log(
            LogLevel::Debug,
            format_args!(
                "server sent HelloRetryRequest (group {:?}, cookie: {})",
                hrr.key_share(),
                cookie.is_some()
            ),
        );
        // RFC 8446 §4.4.1: ClientHello1 becomes message_hash in the
        // transcript, then the HelloRetryRequest follows.
        let mut transcript = buffer.start_hash(suite.hash);
        transcript.replace_with_message_hash();
        transcript.add(raw);

        if let Some(group) = group {
            self.key_share = KeyExchange::start(group, &self.config.randomness)?;
        }
        if self.early_data_offered {
            // RFC 8446 §4.1.2: no early_data in the second ClientHello;
            // the server skipped what we sent (§4.2.10), and the second
            // hello goes in the clear.
            self.early_data_offered = false;
            common.early_data = EarlyDataState::Rejected;
            common.encrypter = None;
        }
        // RFC 8446 §4.1.2: the second ClientHello recomputes the PSK's
        // age and binder, and may drop a PSK whose hash is not that of the
        // suite the server chose (it could not be accepted).
        let resuming = self
            .resuming
            .take()
            .filter(|o| o.session.suite.hash == suite.hash)
            .and_then(|o| session_offer(&self.config, o.session));
        let (offered, mut encoded) = ClientHelloParams {
            config: &self.config,
            server_name: &self.server_name,
            random: self.random,
            session_id: &self.session_id,
            key_share: &self.key_share,
            cookie,
            resuming: resuming.as_ref(),
            resuming12: self.resuming12.as_ref(),
            early_data: false,
        }
        .encode()?;
        if let Some(offer) = &resuming {
            // RFC 8446 §4.2.11.2: over message_hash(ClientHello1), the
            // HelloRetryRequest and the truncated ClientHello2.
            let hash = transcript.hash_with(encoded.truncated());
            bind_psk(&mut encoded, offer, &hash)?;
        }
        self.resuming = resuming;
        let encoded = encoded.into_bytes();
        transcript.add(&encoded);
        if self.config.middlebox_compat && !self.sent_ccs {
            // RFC 8446 §D.4: the ChangeCipherSpec goes before our second
            // flight, which is now the second ClientHello.
            send_compat_ccs(common);
            self.sent_ccs = true;
        }
        common
            .sendbuf
            .push_plain(ContentType::Handshake, ProtocolVersion::TLSv1_2, &encoded);
        self.offered = offered;
        self.transcript = HelloTranscript::Retried {
            suite,
            transcript: Box::new(transcript),
        };
        Ok(State::ExpectServerHello(self))
    }

    fn offered_group(
        &self,
        name: crate::msgs::enums::NamedGroup,
    ) -> Result<&'static SupportedKxGroup, Error> {
        self.config
            .kx_groups
            .iter()
            .copied()
            .find(|g| g.name() == name)
            .ok_or_else(|| {
                PeerMisbehaved::Other(
                    "server asked for a key share on a group we did not offer",
                    AlertDescription::IllegalParameter,
                )
                .into()
            })
    }
}

/// The TLS 1.2 branch of the ServerHello (RFC 5246 §7.4.1.3).
impl ExpectServerHello {
    /// The checks common to the whole ServerHello; the extensions are
    /// `tls12`'s to check.
    fn handle_tls12_server_hello(
        self: Box<Self>,
        common: &mut CommonState,
        sh: ServerHello,
        raw: &[u8],
    ) -> Result<State, Error> {
        let HelloTranscript::Buffered(buffer) = self.transcript else {
            // RFC 8446 §4.1.4: after a HelloRetryRequest the ServerHello
            // must select TLS 1.3 too.
            return Err(PeerMisbehaved::Other(
                "server chose TLS 1.2 after a HelloRetryRequest",
                AlertDescription::IllegalParameter,
            )
            .into());
        };
        let suite = offered_suite(&self.config, sh.cipher_suite, SupportedCipherSuite::tls12)?;
        // RFC 5246 §7.4.1.3: a server that echoes the client's session_id
        // resumes that session. When we offered a TLS 1.2 session that is
        // `tls12`'s to check; otherwise ours, if any, is the made-up one of
        // RFC 8446 §D.4, so an echo resumes a session that never existed.
        // Any other id is the server's own.
        if self.resuming12.is_none()
            && !self.session_id.is_empty()
            && sh.session_id == self.session_id
        {
            return Err(PeerMisbehaved::Other(
                "server echoed our TLS 1.3 compatibility session id in a TLS 1.2 ServerHello",
                AlertDescription::IllegalParameter,
            )
            .into());
        }
        // RFC 5246 §7.4.1.3: the server picks a compression method we
        // offered, and we offered only null.
        if sh.compression_method != Compression::Null {
            return Err(PeerMisbehaved::Other(
                "server chose a compression method",
                AlertDescription::IllegalParameter,
            )
            .into());
        }
        // RFC 5246 §7.4.8: a client CertificateVerify signs the handshake
        // messages themselves, so keep them while we might have to.
        let mut transcript = if self.config.client_auth.is_some() {
            buffer.start_hash_keeping_messages(suite.hash)
        } else {
            buffer.start_hash(suite.hash)
        };
        transcript.add(raw);
        common.version = Some(ProtocolVersion::TLSv1_2);
        common.suite = Some(SupportedCipherSuite::Tls12(suite));
        common.handshake_kind = Some(HandshakeKind::Full);
        tls12::start_handshake(
            tls12::HandshakeStart {
                config: self.config,
                server_name: self.server_name,
                suite,
                transcript,
                offered: self.offered,
                client_random: self.random.0,
                key_share: Some(self.key_share),
                session_id: self.session_id,
                resuming: self.resuming12,
            },
            &sh,
            common,
        )
    }
}

/// The suite the server chose, which must be one we offered for the
/// version it chose (`of_version` picks that version's suites): RFC 8446
/// §4.1.3, RFC 5246 §7.4.1.3.
fn offered_suite<T: 'static>(
    config: &ClientConfig,
    chosen: CipherSuite,
    of_version: fn(&SupportedCipherSuite) -> Option<&'static T>,
) -> Result<&'static T, Error> {
    config
        .cipher_suites
        .iter()
        .filter(|s| s.suite() == chosen)
        .find_map(of_version)
        .ok_or_else(|| {
            PeerMisbehaved::Other(
                "server chose a cipher suite we did not offer",
                AlertDescription::IllegalParameter,
            )
            .into()
        })
}

/// The dummy ChangeCipherSpec of middlebox compatibility mode, sent
/// unprotected (RFC 8446 §D.4, §5).
fn send_compat_ccs(common: &mut CommonState) {
    common.sendbuf.push_plain(
        ContentType::ChangeCipherSpec,
        ProtocolVersion::TLSv1_2,
        &[1],
    );
}
