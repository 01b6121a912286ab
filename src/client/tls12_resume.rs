//! TLS 1.2 session resumption (RFC 5246 §7.3, RFC 5077): which stored
//! session to offer, the server's acceptance of it, and what to store
//! after a handshake.
//!
//! ```text
//!   ClientHello  (session id and/or ticket)  ------------>
//!                <---------------------------  ServerHello   (our session id echoed)
//!                <---------------------------  NewSessionTicket  (if it answered session_ticket)
//!                <---------------------------  [ChangeCipherSpec]
//!                <---------------------------  Finished
//!   [ChangeCipherSpec]  ------------>
//!   Finished            ------------>
//!                <=================>  Application Data
//! ```
//!
//! A session is offered by ticket when it has one, with a fresh random
//! session id the server echoes if it takes the ticket (RFC 5077 §3.4);
//! otherwise by the server's session id (RFC 5246 §7.4.1.2).

use std::sync::Arc;

use rustls_pki_types::ServerName;

use super::session::{ClientSessionStore, Tls12Session, MAX_TICKET_LEN, MAX_TICKET_LIFETIME};
use super::ClientConfig;
use crate::conn::CommonState;
use crate::crypto::suites::{SupportedCipherSuite, Tls12CipherSuite};
use crate::crypto::tls12::MasterSecret;
use crate::error::{Error, PeerMisbehaved};
use crate::log::LogLevel;
use crate::msgs::enums::{AlertDescription, ExtensionType, ProtocolVersion};
use crate::msgs::hello::{ServerHello, SessionId};
use crate::msgs::tls12::NewSessionTicket12;

/// The stored TLS 1.2 session to offer to `server_name`, if there is one
/// we may use: unexpired, of a suite we still offer, and with the extended
/// master secret (RFC 7627 §5.3: a client "SHOULD NOT" resume a session
/// without it, which an attacker could have synchronised with another).
/// An expired session, or one whose ticket is too long to offer, is
/// dropped from the store.
pub(super) fn find_session(
    config: &ClientConfig,
    server_name: &ServerName<'static>,
) -> Option<Tls12Session> {
    if !config.supports_version(ProtocolVersion::TLSv1_2) {
        return None;
    }
    let store = config.resumption.store.as_ref()?;
    let session = store.tls12_session(server_name)?;
    // A store of the caller's own may hold a ticket ours would not keep
    // (see MAX_TICKET_LEN).
    if session.has_expired(config.time_provider.now()) || session.ticket.len() > MAX_TICKET_LEN {
        store.remove_tls12_session(server_name);
        return None;
    }
    let suite_offered = config
        .cipher_suites
        .iter()
        .filter_map(SupportedCipherSuite::tls12)
        .any(|s| s.suite == session.suite.suite);
    let named = !session.ticket.is_empty() || !session.session_id.is_empty();
    (suite_offered && named && session.extended_master_secret).then_some(session)
}

/// The TLS 1.2 session a ClientHello offered, kept (in
/// [`CommonState::offered_tls12_session`]) until the handshake completes,
/// the server declines the session, or TLS 1.3 is chosen.
///
/// A handshake that fails meanwhile (an alert, a malformed or wrong reply,
/// a bad Finished after the server took the session, the stream ending)
/// forgets the session: a server, or a middlebox before it, that chokes on
/// a session would otherwise be offered it again, and fail again, on every
/// connection until it expired, up to seven days later. A connection merely
/// dropped (a timeout, a reset the core never sees) keeps it.
pub(crate) struct OfferedTls12Session {
    store: Arc<dyn ClientSessionStore>,
    server_name: ServerName<'static>,
    session_id: SessionId,
    ticket: Vec<u8>,
}

impl OfferedTls12Session {
    pub(super) fn new(
        store: Arc<dyn ClientSessionStore>,
        server_name: ServerName<'static>,
        session: &Tls12Session,
    ) -> Self {
        Self {
            store,
            server_name,
            session_id: session.session_id,
            ticket: session.ticket.clone(),
        }
    }

    /// Removes the session from the store, if the store still holds this
    /// one and not a newer one another connection stored since. (One
    /// stored between the check and the removal would go too; that costs
    /// a full handshake.)
    pub(crate) fn forget(self) {
        let still_stored = self
            .store
            .tls12_session(&self.server_name)
            .is_some_and(|s| s.session_id == self.session_id && s.ticket == self.ticket);
        if still_stored {
            self.store.remove_tls12_session(&self.server_name);
        }
    }
}

/// Whether the ClientHello asks for a ticket: RFC 5077 §3.2, an empty
/// session_ticket extension (or our ticket) tells the server we take
/// them. Only when TLS 1.2 may be negotiated and sessions are kept.
pub(super) fn wants_tickets(config: &ClientConfig) -> bool {
    config.supports_version(ProtocolVersion::TLSv1_2) && config.resumption.is_enabled()
}

/// The ServerHello took the session we offered: RFC 5246 §7.4.1.3, it
/// echoed our session id (RFC 5077 §3.4 for a ticket). Checks that it
/// resumes the session as it was, and returns its master secret.
pub(super) fn check_resumption(
    session: &Tls12Session,
    sh: &ServerHello,
    suite: &'static Tls12CipherSuite,
    extended_master_secret: bool,
) -> Result<MasterSecret, Error> {
    // RFC 5246 §7.4.1.3: on resumption "this field MUST be the value of
    // the cipher suite of the session being resumed" (and §7.4.1.2 the
    // same for the version; we store TLS 1.2 sessions only).
    if suite.suite != session.suite.suite || sh.legacy_version != ProtocolVersion::TLSv1_2 {
        return Err(PeerMisbehaved::Other(
            "server resumed a session with a different cipher suite or version",
            AlertDescription::IllegalParameter,
        )
        .into());
    }
    // RFC 7627 §5.3: if the original session used the extension and the
    // resuming ServerHello does not carry it, "the client MUST abort the
    // handshake". (We offer no session without it.)
    if session.extended_master_secret != extended_master_secret {
        return Err(PeerMisbehaved::Other(
            "server resumed a session without the extended master secret it was made with",
            AlertDescription::HandshakeFailure,
        )
        .into());
    }
    Ok(session.master_secret.clone())
}

/// What the end of a handshake needs to store its session.
pub(super) struct SessionToStore {
    pub(super) config: Arc<ClientConfig>,
    pub(super) server_name: ServerName<'static>,
    /// The ServerHello's session id.
    pub(super) session_id: SessionId,
    pub(super) extended_master_secret: bool,
    /// The session an abbreviated handshake resumed.
    pub(super) resumed: Option<Tls12Session>,
    /// The server's NewSessionTicket, if it sent one.
    pub(super) ticket: Option<NewSessionTicket12>,
}

impl SessionToStore {
    /// After the server's Finished: keeps the session for a later
    /// connection, if there is one to keep.
    pub(super) fn store(
        self,
        suite: &'static Tls12CipherSuite,
        master_secret: &MasterSecret,
        common: &CommonState,
    ) {
        let Some(store) = &self.config.resumption.store else {
            return;
        };
        let now = self.config.time_provider.now();
        // RFC 5077 §3.3: an empty ticket means the server issues none after
        // all; the lifetime hint is seconds, zero for unspecified, and we
        // keep a session no longer than a TLS 1.3 ticket (seven days). A
        // ticket too long to offer again counts as none.
        let (ticket, lifetime) = match self.ticket {
            Some(nst) if !nst.ticket.is_empty() && nst.ticket.len() <= MAX_TICKET_LEN => {
                let lifetime = match nst.lifetime_hint {
                    0 => MAX_TICKET_LIFETIME,
                    hint => hint.min(MAX_TICKET_LIFETIME),
                };
                (nst.ticket, lifetime)
            }
            _ => (Vec::new(), MAX_TICKET_LIFETIME),
        };
        if let Some(mut session) = self.resumed {
            // RFC 5077 §3.4: a server that resumed may renew the ticket;
            // otherwise the stored session stays as it was.
            if !ticket.is_empty() {
                session.ticket = ticket;
                session.lifetime = lifetime;
                session.received_at = now;
                store.set_tls12_session(self.server_name, session);
                common.log(LogLevel::Debug, format_args!("stored a renewed ticket"));
            }
            return;
        }
        if !self.extended_master_secret {
            // RFC 7627 §5.3: it would not be offered again.
            return;
        }
        if ticket.is_empty() && self.session_id.is_empty() {
            // The server gave the session no name to resume it by.
            return;
        }
        common.log(
            LogLevel::Debug,
            format_args!(
                "stored a TLS 1.2 session ({}, lifetime {lifetime} s)",
                if ticket.is_empty() {
                    "session id"
                } else {
                    "ticket"
                }
            ),
        );
        store.set_tls12_session(
            self.server_name,
            Tls12Session {
                suite,
                session_id: self.session_id,
                ticket,
                master_secret: master_secret.clone(),
                extended_master_secret: true,
                server_cert_chain: common.peer_certificates.clone().unwrap_or_default(),
                alpn: common.alpn_protocol.clone(),
                kx_group: common.kx_group,
                lifetime,
                received_at: now,
            },
        );
    }
}

/// RFC 5077 §3.2: the server answers our session_ticket extension with an
/// empty one when it will send a NewSessionTicket.
pub(super) fn server_will_send_ticket(sh: &ServerHello) -> bool {
    sh.has_extension(ExtensionType::SessionTicket)
}
