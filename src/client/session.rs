//! Sessions kept for resumption, TLS 1.3 (RFC 8446 §2.2, §4.6.1) and
//! TLS 1.2 (RFC 5246 §7.3, RFC 5077), and where they are kept.
//!
//! A server that sends NewSessionTicket lets a later connection skip the
//! certificate exchange: the ticket names a pre-shared key derived from
//! this connection's resumption_master_secret. Each ticket is used once
//! (RFC 8446 §C.4: reusing one lets an observer link the connections), so
//! the store hands a ticket out by removing it.
//!
//! A TLS 1.2 session is its master secret, named by a session id the
//! server keeps or by a ticket that carries it (RFC 5077). There is one
//! per server, offered again until the server declines it, sends a newer
//! one, or a handshake offering it fails (an alert, a malformed or wrong
//! reply, a bad Finished, the stream closing): a server that chokes on the
//! session must not be offered it again on every connection until it
//! expires.

use core::borrow::Borrow;
use core::fmt;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls_pki_types::{CertificateDer, IpAddr, ServerName, UnixTime};

use crate::crypto::kx::SupportedKxGroup;
use crate::crypto::suites::{Tls12CipherSuite, Tls13CipherSuite};
use crate::crypto::tls12::MasterSecret;
use crate::crypto::tls13::Secret;
use crate::inline_bytes::InlineBytes;
use crate::msgs::hello::SessionId;

/// RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800
/// seconds (7 days)", and clients must not cache a ticket longer.
pub(crate) const MAX_TICKET_LIFETIME: u32 = 604_800;

/// The longest session ticket kept or offered (TLS 1.3, or RFC 5077's for
/// TLS 1.2). The server sizes its tickets, up to 2^16-1 bytes, and every
/// ClientHello that offers one echoes it; real tickets run to a few hundred
/// bytes. Two tickets at the protocol's limit would not fit in one
/// ClientHello's extensions (RFC 8446 §4.1.2: extensions<8..2^16-1>), and a
/// full cache of them would hold 16 MB; a longer ticket is dropped.
pub(crate) const MAX_TICKET_LEN: usize = 16 * 1024;

/// What a client keeps of one NewSessionTicket to resume with it later.
///
/// The PSK is wiped when the value is dropped and never shown by `Debug`.
#[derive(Clone)]
pub struct Tls13Session {
    pub(crate) ticket: Vec<u8>,
    /// HKDF-Expand-Label(resumption_master_secret, "resumption",
    /// ticket_nonce, Hash.length) (RFC 8446 §4.6.1).
    pub(crate) psk: Secret,
    pub(crate) suite: &'static Tls13CipherSuite,
    pub(crate) age_add: u32,
    /// Seconds, capped at seven days.
    pub(crate) lifetime: u32,
    /// When the ticket came, as finely as the clock tells
    /// ([`TimeProvider::now_since_epoch`]): the age we send must not be
    /// more than the true one.
    pub(crate) received_at: Duration,
    pub(crate) max_early_data_size: u32,
    /// The ALPN protocol of the connection that received the ticket; 0-RTT
    /// must use the same one (RFC 8446 §4.2.10).
    pub(crate) alpn: Option<Vec<u8>>,
    /// The server's chain as verified in the full handshake; a resumed
    /// connection reports it as its peer's. Shared, not copied, by every
    /// ticket of a connection and every connection resumed from one.
    pub(crate) server_cert_chain: Arc<[CertificateDer<'static>]>,
}

impl Tls13Session {
    /// The suite the ticket was issued under; a resumption must use a
    /// suite with the same hash (RFC 8446 §4.2.11).
    pub fn suite(&self) -> &'static Tls13CipherSuite {
        self.suite
    }

    /// How long the server said the ticket may be used, capped at seven
    /// days.
    pub fn lifetime(&self) -> Duration {
        Duration::from_secs(u64::from(self.lifetime))
    }

    /// When the ticket was received.
    pub fn received_at(&self) -> UnixTime {
        UnixTime::since_unix_epoch(self.received_at)
    }

    /// The most 0-RTT data the server takes with this ticket (0: none).
    pub fn max_early_data_size(&self) -> u32 {
        self.max_early_data_size
    }

    /// The ALPN protocol negotiated when the ticket was received.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.alpn.as_deref()
    }

    /// The server's certificate chain from the original handshake.
    pub fn server_cert_chain(&self) -> &[CertificateDer<'static>] {
        &self.server_cert_chain
    }

    /// The ticket's age in whole milliseconds at `now` (see
    /// [`TimeProvider::now_since_epoch`]), or `None` if it has expired
    /// (RFC 8446 §4.6.1: not used past its lifetime). A clock that went
    /// backwards gives age 0.
    ///
    /// RFC 8446 §4.2.11.1: the age is the time since the client received
    /// the ticket, and a server may refuse 0-RTT from a client whose age
    /// differs from its own view (§8.3): GnuTLS refuses one claiming more
    /// than the server's. Whole-second readings, as `UnixTime` gives,
    /// could claim up to a second more than the truth, and readings in
    /// whole milliseconds up to a millisecond more, which a ticket used
    /// at once on a fast network can exceed; so the system clock is read
    /// to the nanosecond and the age rounded down.
    pub(crate) fn age_millis(&self, now: Duration) -> Option<u32> {
        let age = now.saturating_sub(self.received_at);
        if age >= Duration::from_secs(u64::from(self.lifetime)) {
            return None;
        }
        // Under seven days in milliseconds fits in a u32.
        u32::try_from(age.as_millis()).ok()
    }

    /// RFC 8446 §4.2.11.1: obfuscated_ticket_age = age in milliseconds
    /// plus ticket_age_add, modulo 2^32.
    pub(crate) fn obfuscated_age(&self, age_millis: u32) -> u32 {
        age_millis.wrapping_add(self.age_add)
    }
}

impl fmt::Debug for Tls13Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls13Session")
            .field("suite", &self.suite.suite)
            .field("lifetime", &self.lifetime)
            .field("received_at", &self.received_at().as_secs())
            .field("max_early_data_size", &self.max_early_data_size)
            .field("ticket_len", &self.ticket.len())
            .finish_non_exhaustive()
    }
}

/// What a client keeps of a TLS 1.2 session to resume it later (RFC 5246
/// §7.3 by session id, RFC 5077 by ticket).
///
/// The master secret is wiped when the value is dropped and never shown
/// by `Debug`.
#[derive(Clone)]
pub struct Tls12Session {
    pub(crate) suite: &'static Tls12CipherSuite,
    /// The server's session id (may be empty when it issued a ticket).
    pub(crate) session_id: SessionId,
    /// The RFC 5077 ticket, empty if the server issued none.
    pub(crate) ticket: Vec<u8>,
    pub(crate) master_secret: MasterSecret,
    /// Whether the session's master secret is the extended one (RFC 7627);
    /// only such sessions are offered again (RFC 7627 §5.3).
    pub(crate) extended_master_secret: bool,
    /// The server's chain as verified in the full handshake; a resumed
    /// connection reports it as its peer's (shared, as for TLS 1.3).
    pub(crate) server_cert_chain: Arc<[CertificateDer<'static>]>,
    pub(crate) alpn: Option<Vec<u8>>,
    /// The group of the full handshake's key exchange: a resumed
    /// connection has none of its own and reports this one.
    pub(crate) kx_group: Option<&'static SupportedKxGroup>,
    /// Seconds, capped at seven days.
    pub(crate) lifetime: u32,
    pub(crate) received_at: UnixTime,
}

impl Tls12Session {
    /// The session's cipher suite; a resumption must keep it (RFC 5246
    /// §7.4.1.3).
    pub fn suite(&self) -> &'static Tls12CipherSuite {
        self.suite
    }

    /// The server's session id, empty if it gave none.
    pub fn session_id(&self) -> &[u8] {
        self.session_id.as_slice()
    }

    /// The session ticket (RFC 5077), empty if the server issued none.
    pub fn ticket(&self) -> &[u8] {
        &self.ticket
    }

    /// Whether the session used the extended master secret (RFC 7627).
    pub fn extended_master_secret(&self) -> bool {
        self.extended_master_secret
    }

    /// The server's certificate chain from the full handshake.
    pub fn server_cert_chain(&self) -> &[CertificateDer<'static>] {
        &self.server_cert_chain
    }

    /// The ALPN protocol negotiated in the full handshake.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.alpn.as_deref()
    }

    /// How long the session may be offered: the ticket's lifetime hint,
    /// or seven days when the server gave none (RFC 5077 §3.3: zero means
    /// unspecified), never more than seven days.
    pub fn lifetime(&self) -> Duration {
        Duration::from_secs(u64::from(self.lifetime))
    }

    /// When the session was stored.
    pub fn received_at(&self) -> UnixTime {
        self.received_at
    }

    /// Whether the session is past its lifetime at `now`. A clock that
    /// went backwards counts as age 0.
    pub(crate) fn has_expired(&self, now: UnixTime) -> bool {
        now.as_secs().saturating_sub(self.received_at.as_secs()) >= u64::from(self.lifetime)
    }
}

impl fmt::Debug for Tls12Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls12Session")
            .field("suite", &self.suite.suite)
            .field("session_id", &self.session_id)
            .field("ticket_len", &self.ticket.len())
            .field("extended_master_secret", &self.extended_master_secret)
            .field("lifetime", &self.lifetime)
            .field("received_at", &self.received_at.as_secs())
            .finish_non_exhaustive()
    }
}

/// Where a client keeps sessions between connections. Shared by every
/// connection made from one config, on any thread.
pub trait ClientSessionStore: fmt::Debug + Send + Sync {
    /// Keeps a ticket from `server_name`.
    fn insert_tls13_ticket(&self, server_name: ServerName<'static>, value: Tls13Session);

    /// Removes and returns a ticket for `server_name`, the newest first.
    /// Tickets are single-use: a store must not return the same one twice.
    fn take_tls13_ticket(&self, server_name: &ServerName<'static>) -> Option<Tls13Session>;

    // The TLS 1.2 methods have do-nothing defaults so that a store
    // written for TLS 1.3 tickets alone still builds; such a store makes
    // every TLS 1.2 handshake a full one.

    /// Keeps the TLS 1.2 session of `server_name`, replacing any other.
    fn set_tls12_session(&self, server_name: ServerName<'static>, value: Tls12Session) {
        let _ = (server_name, value);
    }

    /// The TLS 1.2 session of `server_name`, left in place: one session
    /// may be resumed many times (RFC 5246 §7.3).
    fn tls12_session(&self, server_name: &ServerName<'static>) -> Option<Tls12Session> {
        let _ = server_name;
        None
    }

    /// Forgets the TLS 1.2 session of `server_name` (the server declined
    /// it, so it would not take it later either).
    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        let _ = server_name;
    }
}

/// The tickets one server's entry keeps; servers send one or two per
/// connection, and each resumption uses one.
const TICKETS_PER_SERVER: usize = 8;

/// A [`ClientSessionStore`] in memory, bounded: at most `size` sessions
/// in all (TLS 1.3 tickets and TLS 1.2 sessions alike), eight tickets and
/// one TLS 1.2 session per server. When full, the server that least
/// recently received a session loses its TLS 1.2 session first, then its
/// oldest ticket.
pub struct ClientSessionMemoryCache {
    size: usize,
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    servers: HashMap<ServerKey, ServerSessions>,
    /// Servers by when they last received a session, oldest first: each
    /// server's `stamp` is its key here. Kept by stamp, not as a queue to
    /// search, so that marking a server as the latest costs O(log n) in
    /// the number of servers, and moves its key instead of cloning it.
    order: BTreeMap<u64, ServerKey>,
    next_stamp: u64,
    total: usize,
}

/// A server as the cache keys it: one byte string, hashed in one piece
/// and compared as bytes. (A `ServerName` hashes itself character by
/// character, each a separate call into SipHash: several times the work,
/// once per lookup, for every handshake.) Shared by the map and `order`.
#[derive(Clone, PartialEq, Eq, Hash)]
struct ServerKey(Arc<[u8]>);

impl Borrow<[u8]> for ServerKey {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

/// The longest key: a tag byte and a DNS name of at most 253 bytes.
const MAX_KEY_LEN: usize = 1 + 253;

/// A server's key built on the stack, so that a lookup allocates nothing.
type KeyBytes = InlineBytes<MAX_KEY_LEN>;

/// The key of `server_name`: a DNS name lower-cased (names match without
/// regard to ASCII case, RFC 4343) after the tag `d`; an IP address its
/// octets after `4` or `6`. The tags keep the kinds apart.
///
/// `None` for a name the cache cannot key: a kind `ServerName` may gain
/// later, or (which `DnsName` does not allow) one too long. Such a server
/// simply has no sessions kept: sharing a key with another server could
/// offer one server's ticket to the other.
fn server_key(server_name: &ServerName<'_>) -> Option<KeyBytes> {
    match server_name {
        ServerName::DnsName(name) => {
            let mut key = KeyBytes::from_parts(&[b"d", name.as_ref().as_bytes()])?;
            key.as_mut_slice()[1..].make_ascii_lowercase();
            Some(key)
        }
        ServerName::IpAddress(IpAddr::V4(v4)) => KeyBytes::from_parts(&[b"4", v4.as_ref()]),
        ServerName::IpAddress(IpAddr::V6(v6)) => KeyBytes::from_parts(&[b"6", v6.as_ref()]),
        _ => None,
    }
}

/// What the cache keeps for one server.
#[derive(Default)]
struct ServerSessions {
    tls13: VecDeque<Tls13Session>,
    tls12: Option<Tls12Session>,
    /// The server's key in `CacheInner::order`.
    stamp: u64,
}

impl ServerSessions {
    fn is_empty(&self) -> bool {
        self.tls13.is_empty() && self.tls12.is_none()
    }
}

impl CacheInner {
    /// The entry of the server keyed `key`, made if it has none, marked
    /// as the latest to receive a session.
    fn touch(&mut self, key: &[u8]) -> &mut ServerSessions {
        let stamp = self.next_stamp;
        self.next_stamp += 1;
        // A known server's key is shared from the map (no allocation); only
        // a new server's is made.
        let key = match self.servers.get_key_value(key) {
            Some((known, _)) => known.clone(),
            None => ServerKey(key.into()),
        };
        // A known server's key is already in `order`: it moves to the new
        // stamp.
        let entry = match self.servers.entry(key) {
            Entry::Occupied(known) => {
                let key = match self.order.remove(&known.get().stamp) {
                    Some(key) => key,
                    None => known.key().clone(),
                };
                self.order.insert(stamp, key);
                known.into_mut()
            }
            Entry::Vacant(new) => {
                self.order.insert(stamp, new.key().clone());
                new.insert(ServerSessions::default())
            }
        };
        entry.stamp = stamp;
        entry
    }

    /// Drops sessions of the servers that least recently received one
    /// until at most `size` remain.
    fn bound(&mut self, size: usize) {
        while self.total > size {
            let Some(oldest) = self.order.first_entry() else {
                break;
            };
            let emptied = match self.servers.get_mut(oldest.get()) {
                Some(entry) => {
                    if entry.tls12.take().is_some() || entry.tls13.pop_front().is_some() {
                        self.total -= 1;
                    }
                    entry.is_empty()
                }
                None => true,
            };
            // Each pass drops a session or a server, so this ends.
            if emptied {
                let name = oldest.remove();
                self.servers.remove(&name);
            }
        }
    }

    /// Takes one session out of the entry keyed `key` with `take`, and
    /// drops the entry if that leaves it empty: one lookup of the name.
    fn take_from<T>(
        &mut self,
        key: &[u8],
        take: impl FnOnce(&mut ServerSessions) -> Option<T>,
    ) -> Option<T> {
        let entry = self.servers.get_mut(key)?;
        let taken = take(entry);
        let emptied = entry.is_empty().then_some(entry.stamp);
        if taken.is_some() {
            self.total -= 1;
        }
        if let Some(stamp) = emptied {
            self.order.remove(&stamp);
            self.servers.remove(key);
        }
        taken
    }
}

impl ClientSessionMemoryCache {
    /// A cache holding at most `size` sessions (0 holds none).
    pub fn new(size: usize) -> Self {
        Self {
            size,
            inner: Mutex::new(CacheInner::default()),
        }
    }

    /// How many sessions (tickets and TLS 1.2 sessions) the cache holds.
    pub fn len(&self) -> usize {
        self.lock().total
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheInner> {
        // A panic elsewhere while holding the lock leaves a consistent map
        // (every mutation below completes or does nothing).
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl ClientSessionStore for ClientSessionMemoryCache {
    fn insert_tls13_ticket(&self, server_name: ServerName<'static>, value: Tls13Session) {
        let Some(key) = server_key(&server_name).filter(|_| self.size > 0) else {
            return;
        };
        let per_server = TICKETS_PER_SERVER.min(self.size);
        let mut inner = self.lock();
        let tickets = &mut inner.touch(key.as_slice()).tls13;
        tickets.push_back(value);
        let dropped = tickets.len() > per_server && tickets.pop_front().is_some();
        if !dropped {
            inner.total += 1;
        }
        inner.bound(self.size);
    }

    fn take_tls13_ticket(&self, server_name: &ServerName<'static>) -> Option<Tls13Session> {
        let key = server_key(server_name)?;
        self.lock()
            .take_from(key.as_slice(), |entry| entry.tls13.pop_back())
    }

    fn set_tls12_session(&self, server_name: ServerName<'static>, value: Tls12Session) {
        let Some(key) = server_key(&server_name).filter(|_| self.size > 0) else {
            return;
        };
        let mut inner = self.lock();
        if inner.touch(key.as_slice()).tls12.replace(value).is_none() {
            inner.total += 1;
        }
        inner.bound(self.size);
    }

    fn tls12_session(&self, server_name: &ServerName<'static>) -> Option<Tls12Session> {
        let key = server_key(server_name)?;
        self.lock().servers.get(key.as_slice())?.tls12.clone()
    }

    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        if let Some(key) = server_key(server_name) {
            self.lock()
                .take_from(key.as_slice(), |entry| entry.tls12.take());
        }
    }
}

impl fmt::Debug for ClientSessionMemoryCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSessionMemoryCache")
            .field("size", &self.size)
            .field("len", &self.len())
            .finish()
    }
}

/// Whether and where a config keeps sessions for resumption
/// ([`ClientConfig::resumption`](super::ClientConfig::resumption)).
///
/// A ticket over 16 KiB is neither kept nor offered: a ClientHello has
/// room for about 64 KiB of extensions, and real tickets are a few hundred
/// bytes.
#[derive(Clone, Debug)]
pub struct Resumption {
    pub(crate) store: Option<Arc<dyn ClientSessionStore>>,
}

impl Resumption {
    /// Sessions kept in memory, at most `n` of them, TLS 1.3 tickets and
    /// TLS 1.2 sessions together ([`Resumption::disabled`] if `n` is 0).
    /// The default, with 256.
    pub fn in_memory_sessions(n: usize) -> Self {
        if n == 0 {
            return Self::disabled();
        }
        Self::store(Arc::new(ClientSessionMemoryCache::new(n)))
    }

    /// Sessions kept in `store`.
    pub fn store(store: Arc<dyn ClientSessionStore>) -> Self {
        Self { store: Some(store) }
    }

    /// No resumption: tickets are dropped and none is offered, and the
    /// ClientHello does not say we could use one (no psk_key_exchange_modes,
    /// no session_ticket).
    pub fn disabled() -> Self {
        Self { store: None }
    }

    /// Whether sessions are kept.
    pub fn is_enabled(&self) -> bool {
        self.store.is_some()
    }
}

impl Default for Resumption {
    fn default() -> Self {
        Self::in_memory_sessions(256)
    }
}

/// The clock sessions are timed by (ticket ages and lifetimes).
/// [`SystemClock`] unless a test needs to move time.
pub trait TimeProvider: fmt::Debug + Send + Sync {
    fn now(&self) -> UnixTime;

    /// Now as the time since the Unix epoch, as finely as the clock can
    /// tell: ticket ages, which a ClientHello reports in milliseconds (RFC
    /// 8446 §4.2.11.1) and servers may check closely, are timed by it. By
    /// default `now()`, whole seconds.
    fn now_since_epoch(&self) -> Duration {
        Duration::from_secs(self.now().as_secs())
    }
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl TimeProvider for SystemClock {
    fn now(&self) -> UnixTime {
        UnixTime::now()
    }

    fn now_since_epoch(&self) -> Duration {
        // A clock set before 1970 reads as the epoch, as `UnixTime::now`
        // does.
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hash::HashAlgorithm;
    use crate::crypto::suites::{
        TLS13_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    };

    fn session(tag: u8) -> Tls13Session {
        Tls13Session {
            ticket: vec![tag],
            psk: Secret::from_bytes(HashAlgorithm::Sha256, &[tag; 32]).unwrap(),
            suite: &TLS13_AES_128_GCM_SHA256,
            age_add: 0,
            lifetime: 3600,
            received_at: Duration::from_secs(1000),
            max_early_data_size: 0,
            alpn: None,
            server_cert_chain: Arc::from([]),
        }
    }

    fn name(s: &str) -> ServerName<'static> {
        ServerName::try_from(s.to_string()).unwrap()
    }

    #[test]
    fn tickets_are_single_use_newest_first() {
        let cache = ClientSessionMemoryCache::new(10);
        cache.insert_tls13_ticket(name("a.test"), session(1));
        cache.insert_tls13_ticket(name("a.test"), session(2));
        assert_eq!(
            cache.take_tls13_ticket(&name("a.test")).unwrap().ticket,
            [2]
        );
        assert_eq!(
            cache.take_tls13_ticket(&name("a.test")).unwrap().ticket,
            [1]
        );
        assert!(cache.take_tls13_ticket(&name("a.test")).is_none());
        assert!(cache.take_tls13_ticket(&name("b.test")).is_none());
        assert!(cache.is_empty());
    }

    #[test]
    fn a_server_keeps_a_few_tickets_dropping_the_oldest() {
        let cache = ClientSessionMemoryCache::new(100);
        for tag in 0..20 {
            cache.insert_tls13_ticket(name("a.test"), session(tag));
        }
        assert_eq!(cache.len(), TICKETS_PER_SERVER);
        let mut got = Vec::new();
        while let Some(s) = cache.take_tls13_ticket(&name("a.test")) {
            got.push(s.ticket[0]);
        }
        assert_eq!(got, (12..20).rev().collect::<Vec<u8>>());
    }

    #[test]
    fn the_total_is_bounded_evicting_the_stalest_server_first() {
        let cache = ClientSessionMemoryCache::new(3);
        cache.insert_tls13_ticket(name("a.test"), session(1));
        cache.insert_tls13_ticket(name("b.test"), session(2));
        cache.insert_tls13_ticket(name("c.test"), session(3));
        cache.insert_tls13_ticket(name("d.test"), session(4));
        assert_eq!(cache.len(), 3);
        assert!(cache.take_tls13_ticket(&name("a.test")).is_none());
        assert_eq!(
            cache.take_tls13_ticket(&name("d.test")).unwrap().ticket,
            [4]
        );
        // A thousand servers later, still three.
        for i in 0..1000u32 {
            cache.insert_tls13_ticket(name(&format!("s{i}.test")), session(0));
        }
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn a_server_given_a_session_again_becomes_the_latest() {
        let cache = ClientSessionMemoryCache::new(256);
        for i in 0..256u32 {
            cache.insert_tls13_ticket(name(&format!("s{i}.test")), session(1));
        }
        // Storing a session for s0 again makes it the latest, so going
        // over the bound evicts s1, then s2, rather than s0.
        cache.set_tls12_session(name("s0.test"), session12(7));
        cache.insert_tls13_ticket(name("new.test"), session(2));
        assert_eq!(cache.len(), 256);
        assert!(cache.take_tls13_ticket(&name("s0.test")).is_some());
        assert!(cache.tls12_session(&name("s0.test")).is_some());
        assert!(cache.take_tls13_ticket(&name("s1.test")).is_none());
        assert!(cache.take_tls13_ticket(&name("s2.test")).is_none());
        assert!(cache.take_tls13_ticket(&name("s3.test")).is_some());
        // Every server held is in the eviction order exactly once.
        let inner = cache.lock();
        assert_eq!(inner.order.len(), inner.servers.len());
        for (stamp, server) in &inner.order {
            assert_eq!(inner.servers[server].stamp, *stamp);
        }
    }

    /// RFC 4343: DNS names match without regard to ASCII case, so a ticket
    /// from one spelling is offered to another; IP addresses and names,
    /// and IPv4 and IPv6 addresses, never share an entry even when their
    /// bytes would.
    #[test]
    fn servers_are_keyed_by_name_without_case_and_by_address() {
        let cache = ClientSessionMemoryCache::new(16);
        cache.insert_tls13_ticket(name("Api.Example.TEST"), session(1));
        assert_eq!(
            cache
                .take_tls13_ticket(&name("api.example.test"))
                .unwrap()
                .ticket,
            [1]
        );

        // 97.98.99.100 is the bytes of "abcd".
        let v4 = name("97.98.99.100");
        let v4_mapped_v6 = name("::ffff:97.98.99.100");
        let v6 = name("::6162:6364");
        assert!(matches!(v4, ServerName::IpAddress(IpAddr::V4(_))));
        assert!(matches!(v6, ServerName::IpAddress(IpAddr::V6(_))));
        cache.insert_tls13_ticket(v4.clone(), session(4));
        assert!(cache.take_tls13_ticket(&v6).is_none());
        assert!(cache.take_tls13_ticket(&v4_mapped_v6).is_none());
        assert!(cache.take_tls13_ticket(&name("abcd")).is_none());
        assert_eq!(cache.take_tls13_ticket(&v4).unwrap().ticket, [4]);

        cache.insert_tls13_ticket(v6.clone(), session(6));
        assert!(cache.take_tls13_ticket(&v4).is_none());
        assert_eq!(cache.take_tls13_ticket(&v6).unwrap().ticket, [6]);

        // The longest name DnsName allows (253 bytes) is kept too.
        let label = "a".repeat(63);
        let longest = format!("{label}.{label}.{label}.{}", "b".repeat(61));
        assert_eq!(longest.len(), 253);
        cache.set_tls12_session(name(&longest), session12(9));
        assert!(cache
            .tls12_session(&name(&longest.to_uppercase()))
            .is_some());
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_zero_sized_cache_keeps_nothing() {
        let cache = ClientSessionMemoryCache::new(0);
        cache.insert_tls13_ticket(name("a.test"), session(1));
        assert!(cache.take_tls13_ticket(&name("a.test")).is_none());
        assert!(!Resumption::in_memory_sessions(0).is_enabled());
    }

    #[test]
    fn ages_expire_with_the_lifetime() {
        let s = session(1);
        let at = Duration::from_secs;
        assert_eq!(s.age_millis(at(1000)), Some(0));
        assert_eq!(s.age_millis(at(1010)), Some(10_000));
        assert_eq!(s.age_millis(at(900)), Some(0));
        assert_eq!(s.age_millis(at(1000 + 3599)), Some(3_599_000));
        let just_before_expiry = at(1000 + 3600) - Duration::from_nanos(1);
        assert_eq!(s.age_millis(just_before_expiry), Some(3_599_999));
        assert_eq!(s.age_millis(at(1000 + 3600)), None);
        assert_eq!(s.obfuscated_age(10), 10);
        let mut s = s;
        s.age_add = u32::MAX;
        assert_eq!(s.obfuscated_age(10), 9);
    }

    /// A ticket received at 1000.9 s and used at 1001.1 s is 200 ms old,
    /// not the second two whole-second readings would say; and one
    /// received at 0.4 ms past a millisecond and used 1.2 ms later is 1 ms
    /// old, not the 2 ms of two whole-millisecond readings. GnuTLS refuses
    /// early data from a client that claims an older ticket than it sees.
    #[test]
    fn ages_are_never_told_older_than_they_are() {
        let mut s = session(1);
        let at_micros = Duration::from_micros;
        s.received_at = at_micros(1_000_900_000);
        assert_eq!(s.age_millis(at_micros(1_001_100_000)), Some(200));
        assert_eq!(s.received_at().as_secs(), 1000);
        s.received_at = at_micros(1_000_000_400);
        assert_eq!(s.age_millis(at_micros(1_000_001_600)), Some(1));

        // A clock that tells only seconds gives whole seconds, as before.
        #[derive(Debug)]
        struct Seconds;
        impl TimeProvider for Seconds {
            fn now(&self) -> UnixTime {
                UnixTime::since_unix_epoch(Duration::from_millis(1_234_567))
            }
        }
        assert_eq!(Seconds.now_since_epoch(), Duration::from_secs(1234));
        // The system clock tells more than seconds, and agrees with its
        // own whole seconds.
        let (secs, fine) = (SystemClock.now().as_secs(), SystemClock.now_since_epoch());
        assert!(fine.as_secs() >= secs && fine.as_secs() <= secs + 1);
        let readings: Vec<u32> = (0..100)
            .map(|_| SystemClock.now_since_epoch().subsec_nanos())
            .collect();
        assert!(readings.iter().any(|&n| n != 0), "{readings:?}");
    }

    #[test]
    fn debug_shows_no_secret() {
        let text = format!("{:?}", session(0xab));
        assert!(!text.contains("171") && !text.to_lowercase().contains("ab, ab"));
        assert!(text.contains("Tls13Session"));
    }

    fn session12(tag: u8) -> Tls12Session {
        Tls12Session {
            suite: &TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            session_id: SessionId::new(&[tag; 32]).unwrap(),
            ticket: vec![tag; 4],
            master_secret: MasterSecret::from_bytes(HashAlgorithm::Sha256, &[0xab; 48]).unwrap(),
            extended_master_secret: true,
            server_cert_chain: Arc::from([]),
            alpn: None,
            kx_group: None,
            lifetime: 3600,
            received_at: UnixTime::since_unix_epoch(Duration::from_secs(1000)),
        }
    }

    #[test]
    fn one_tls12_session_per_server_kept_until_replaced_or_removed() {
        let cache = ClientSessionMemoryCache::new(10);
        cache.set_tls12_session(name("a.test"), session12(1));
        // Offering it leaves it in place.
        assert_eq!(cache.tls12_session(&name("a.test")).unwrap().ticket, [1; 4]);
        assert_eq!(cache.tls12_session(&name("a.test")).unwrap().ticket, [1; 4]);
        assert!(cache.tls12_session(&name("b.test")).is_none());
        cache.set_tls12_session(name("a.test"), session12(2));
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.tls12_session(&name("a.test")).unwrap().ticket, [2; 4]);
        // Tickets of the other version live beside it.
        cache.insert_tls13_ticket(name("a.test"), session(3));
        assert_eq!(cache.len(), 2);
        cache.remove_tls12_session(&name("a.test"));
        cache.remove_tls12_session(&name("a.test"));
        assert!(cache.tls12_session(&name("a.test")).is_none());
        assert_eq!(cache.len(), 1);
        assert!(cache.take_tls13_ticket(&name("a.test")).is_some());
        assert!(cache.is_empty());
    }

    #[test]
    fn tls12_sessions_count_towards_the_bound() {
        let cache = ClientSessionMemoryCache::new(3);
        cache.insert_tls13_ticket(name("a.test"), session(1));
        cache.set_tls12_session(name("a.test"), session12(1));
        cache.set_tls12_session(name("b.test"), session12(2));
        cache.set_tls12_session(name("c.test"), session12(3));
        assert_eq!(cache.len(), 3);
        // a.test was stalest: its TLS 1.2 session went first.
        assert!(cache.tls12_session(&name("a.test")).is_none());
        assert!(cache.take_tls13_ticket(&name("a.test")).is_some());
        for i in 0..1000u32 {
            cache.set_tls12_session(name(&format!("s{i}.test")), session12(0));
        }
        assert_eq!(cache.len(), 3);
        assert!(cache.tls12_session(&name("s999.test")).is_some());
        assert!(cache.tls12_session(&name("s996.test")).is_none());
        let empty = ClientSessionMemoryCache::new(0);
        empty.set_tls12_session(name("a.test"), session12(1));
        assert!(empty.tls12_session(&name("a.test")).is_none());
    }

    #[test]
    fn tls12_sessions_expire_and_hide_their_master_secret() {
        let s = session12(1);
        let at = |secs| UnixTime::since_unix_epoch(Duration::from_secs(secs));
        assert!(!s.has_expired(at(900)));
        assert!(!s.has_expired(at(1000 + 3599)));
        assert!(s.has_expired(at(1000 + 3600)));
        let text = format!("{s:?}");
        assert!(text.contains("Tls12Session"), "{text}");
        assert!(
            !text.contains("171") && !text.to_lowercase().contains("ab"),
            "{text}"
        );
    }
}
