//! What the shim's connections share across `-resume-count`: the session
//! to offer next and the clock, as bssl_shim.cc keeps them.
//!
//! BoringSSL's shim offers each connection the session the previous one
//! received (`SSL_set_session`), whatever the host name, and reads time
//! from a fake clock that only `-resumption-delay` moves. Here the store
//! holds one session, the newest, and counts what arrives, so the shim
//! can check "a new session was cached" as the BoringSSL shim's
//! new-session callback does.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use oxtls::pki_types::{ServerName, UnixTime};
use oxtls::{ClientSessionStore, TimeProvider, Tls12Session, Tls13Session};

/// The one session the next connection offers.
#[derive(Debug, Default)]
pub struct ShimSessionStore {
    inner: Mutex<Slot>,
}

#[derive(Debug, Default)]
struct Slot {
    /// The newest session, of either version: receiving one drops the
    /// other, as the BoringSSL shim keeps only the newest.
    session: Option<Tls13Session>,
    /// A TLS 1.2 session stays for later connections (resuming it does
    /// not use it up) until a newer one replaces it.
    tls12: Option<Tls12Session>,
    /// Sessions received so far, over all connections.
    received: usize,
    /// Whether the newest session received allows 0-RTT data.
    newest_allows_early_data: bool,
}

impl ShimSessionStore {
    /// How many sessions the connections have received so far.
    pub fn received(&self) -> usize {
        self.lock().received
    }

    /// Whether the newest session received allows early data
    /// (`SSL_SESSION_early_data_capable`).
    pub fn newest_allows_early_data(&self) -> bool {
        self.lock().newest_allows_early_data
    }

    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl ClientSessionStore for ShimSessionStore {
    fn insert_tls13_ticket(&self, _server_name: ServerName<'static>, value: Tls13Session) {
        let mut slot = self.lock();
        slot.received += 1;
        slot.newest_allows_early_data = value.max_early_data_size() > 0;
        slot.session = Some(value);
        slot.tls12 = None;
    }

    fn take_tls13_ticket(&self, _server_name: &ServerName<'static>) -> Option<Tls13Session> {
        self.lock().session.take()
    }

    fn set_tls12_session(&self, _server_name: ServerName<'static>, value: Tls12Session) {
        let mut slot = self.lock();
        slot.received += 1;
        slot.newest_allows_early_data = false;
        slot.session = None;
        slot.tls12 = Some(value);
    }

    fn tls12_session(&self, _server_name: &ServerName<'static>) -> Option<Tls12Session> {
        self.lock().tls12.clone()
    }

    fn remove_tls12_session(&self, _server_name: &ServerName<'static>) {
        self.lock().tls12 = None;
    }
}

/// A clock stopped when the shim starts, moved only by
/// `-resumption-delay`, so ticket ages are exact to the second.
#[derive(Debug)]
pub struct ShimClock {
    start: UnixTime,
    advanced_secs: AtomicU64,
}

impl ShimClock {
    pub fn new() -> Self {
        Self {
            start: UnixTime::since_unix_epoch(Duration::from_secs(UnixTime::now().as_secs())),
            advanced_secs: AtomicU64::new(0),
        }
    }

    pub fn advance(&self, secs: u64) {
        self.advanced_secs.fetch_add(secs, Ordering::Relaxed);
    }
}

impl TimeProvider for ShimClock {
    fn now(&self) -> UnixTime {
        let secs = self
            .start
            .as_secs()
            .saturating_add(self.advanced_secs.load(Ordering::Relaxed));
        UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_moves_only_when_told() {
        let clock = ShimClock::new();
        let t0 = clock.now().as_secs();
        assert_eq!(clock.now().as_secs(), t0);
        clock.advance(10);
        assert_eq!(clock.now().as_secs(), t0 + 10);
    }

    #[test]
    fn an_empty_store_offers_nothing() {
        let store = ShimSessionStore::default();
        let name = ServerName::try_from("a.test").unwrap();
        assert!(store.take_tls13_ticket(&name).is_none());
        assert_eq!(store.received(), 0);
        assert!(!store.newest_allows_early_data());
    }
}
