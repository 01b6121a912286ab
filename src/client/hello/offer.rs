//! Offering a stored session in the ClientHello: which ticket (RFC 8446
//! §4.6.1, §4.2.11), its binder (§4.2.11.2), and the 0-RTT keys when early
//! data goes with it (§4.2.10, §7.1).

use rustls_pki_types::ServerName;

use super::super::session::{Tls13Session, MAX_TICKET_LEN};
use super::super::tls13;
use super::super::ClientConfig;
use crate::conn::{CommonState, EarlyDataState};
use crate::crypto::hash::HashOutput;
use crate::crypto::suites::SupportedCipherSuite;
use crate::crypto::tls13::{EarlySecret, PskKind};
use crate::error::Error;
use crate::log::LogLevel;
use crate::msgs::enums::ProtocolVersion;
use crate::msgs::hello::EncodedClientHello;

/// RFC 8446 §4.2.10: 0-RTT data goes only with the first PSK, in the
/// ticket's cipher suite and with the ALPN protocol of the connection that
/// received it, and only if the server said (max_early_data_size) it
/// would take some. And only if the config asks for it: early data can be
/// replayed.
pub(super) fn early_data_allowed(config: &ClientConfig, session: &Tls13Session) -> bool {
    let suite_offered = config
        .cipher_suites
        .iter()
        .filter_map(SupportedCipherSuite::tls13)
        .any(|s| core::ptr::eq(s, session.suite));
    let alpn_offered = match &session.alpn {
        None => true,
        Some(protocol) => config.alpn_protocols.contains(protocol),
    };
    config.enable_early_data && session.max_early_data_size > 0 && suite_offered && alpn_offered
}

/// RFC 8446 §7.1: client_early_traffic_secret = Derive-Secret(Early
/// Secret, "c e traffic", ClientHello); our writes use it until
/// EndOfEarlyData (or the server turns the data down).
pub(super) fn start_early_data(
    config: &ClientConfig,
    offer: &ResumptionOffer,
    client_hello: &[u8],
    client_random: &[u8; 32],
    common: &mut CommonState,
) -> Result<(), Error> {
    let session = &offer.session;
    let hash = session.suite.hash;
    let secret = offer
        .early_secret
        .client_early_traffic_secret(&hash.hash(client_hello));
    if let Some(key_log) = &config.key_log {
        key_log.log(
            "CLIENT_EARLY_TRAFFIC_SECRET",
            client_random,
            secret.as_bytes(),
        );
    }
    common.set_encrypter(tls13::encrypter(session.suite, &secret)?);
    // The ticket's limit is a u32; a usize holds it on every target we
    // build for, and saturating is the safe side anyway.
    let left = usize::try_from(session.max_early_data_size).unwrap_or(usize::MAX);
    common.early_data = EarlyDataState::Writable { left };
    common.log(
        LogLevel::Debug,
        format_args!("offering 0-RTT data (up to {left} bytes)"),
    );
    Ok(())
}

/// A stored session offered in a ClientHello, with its age then.
pub(in crate::client) struct ResumptionOffer {
    pub(in crate::client) session: Tls13Session,
    /// Milliseconds since the ticket arrived.
    pub(in crate::client) age_millis: u32,
    /// The Early Secret from its PSK: the binder, the 0-RTT keys and, if
    /// the server resumes, the whole key schedule start from it.
    pub(in crate::client) early_secret: EarlySecret,
}

/// The stored session to offer to `server_name`, if there is one we can
/// use: unexpired (RFC 8446 §4.6.1), and of a hash one of the suites we
/// offer uses (RFC 8446 §4.2.11). It is taken out of the store, used or
/// not: a ticket is offered once only (RFC 8446 §C.4).
pub(super) fn find_session(
    config: &ClientConfig,
    server_name: &ServerName<'static>,
) -> Option<ResumptionOffer> {
    if !config.supports_version(ProtocolVersion::TLSv1_3) {
        return None;
    }
    let store = config.resumption.store.as_ref()?;
    let session = store.take_tls13_ticket(server_name)?;
    session_offer(config, session)
}

/// `session` as an offer now, if it is still usable: unexpired, of a hash
/// we still offer, and with a ticket short enough to offer (a store of the
/// caller's own may hold one ours would not keep: see MAX_TICKET_LEN).
pub(super) fn session_offer(
    config: &ClientConfig,
    session: Tls13Session,
) -> Option<ResumptionOffer> {
    if session.ticket.len() > MAX_TICKET_LEN {
        return None;
    }
    let age_millis = session.age_millis(config.time_provider.now_since_epoch())?;
    let hash_offered = config
        .cipher_suites
        .iter()
        .filter_map(SupportedCipherSuite::tls13)
        .any(|s| s.hash == session.suite.hash);
    hash_offered.then(|| ResumptionOffer {
        early_secret: EarlySecret::new(session.suite.hash, Some(session.psk.as_bytes())),
        session,
        age_millis,
    })
}

/// Writes the binder of `session` into `encoded`, whose placeholder it
/// replaces; `truncated_hash` is the transcript hash through the truncated
/// ClientHello (RFC 8446 §4.2.11.2).
pub(super) fn bind_psk(
    encoded: &mut EncodedClientHello,
    offer: &ResumptionOffer,
    truncated_hash: &HashOutput,
) -> Result<(), Error> {
    let binder = offer
        .early_secret
        .psk_binder(PskKind::Resumption, truncated_hash);
    encoded.set_binders(&[binder.as_bytes()])
}
