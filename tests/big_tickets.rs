//! Servers whose session tickets are long. A ticket is the server's to size
//! (up to 2^16-1 bytes, RFC 8446 §4.6.1 and RFC 5077 §3.3) and every
//! ClientHello that offers it echoes it, inside extensions that may total
//! 2^16-1 bytes (RFC 8446 §4.1.2). oxtls keeps and offers tickets up to 16
//! KiB; longer ones are dropped, so a server cannot make a client's next
//! hello unsendable (and, with TLS 1.2's reusable sessions, every hello to
//! that name after it).

mod common;

use std::sync::Arc;

use common::certs::{KeyType, TestPki};
use common::oxtls_client::oxtls_config;
use common::pump::handshake;
use common::rustls_server::RustlsServerOptions;
use common::TlsVersions;
use oxtls::pki_types::ServerName;
use oxtls::{ClientConnection, ClientSessionMemoryCache, HandshakeKind, Resumption};
use rustls::server::ProducesTickets;

/// rustls's own ticketer, each ticket padded to `len` bytes: tickets of
/// any size that still resume.
#[derive(Debug)]
struct PaddedTickets {
    inner: Arc<dyn ProducesTickets>,
    len: usize,
}

impl PaddedTickets {
    fn new(len: usize) -> Arc<PaddedTickets> {
        let inner = rustls::crypto::ring::Ticketer::new()
            .unwrap_or_else(|e| panic!("cannot make a ticketer: {e}"));
        Arc::new(PaddedTickets { inner, len })
    }
}

impl ProducesTickets for PaddedTickets {
    fn enabled(&self) -> bool {
        true
    }

    fn lifetime(&self) -> u32 {
        3600
    }

    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let mut ticket = self.inner.encrypt(plain)?;
        let real = u16::try_from(ticket.len()).ok()?;
        assert!(
            ticket.len() + 2 <= self.len,
            "padding below the real ticket"
        );
        ticket.resize(self.len - 2, 0);
        ticket.extend_from_slice(&real.to_be_bytes());
        Some(ticket)
    }

    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        let at = cipher.len().checked_sub(2)?;
        let (ticket, real) = cipher.split_at(at);
        let real = usize::from(u16::from_be_bytes(real.try_into().ok()?));
        self.inner.decrypt(ticket.get(..real)?)
    }
}

/// Three connections in a row to a server whose tickets are `ticket_len`
/// bytes; returns how each went: its handshake kind, or why it failed.
fn three_connections(
    versions: TlsVersions,
    ticket_len: usize,
) -> Vec<Result<HandshakeKind, String>> {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    let mut server = (*RustlsServerOptions::new(&cert).versions(versions).config()).clone();
    server.ticketer = PaddedTickets::new(ticket_len);
    // Session ids would resume TLS 1.2 without a ticket: tickets only.
    server.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    let server = Arc::new(server);
    let mut config = oxtls_config(&[pki.ca_der()]);
    config.resumption = Resumption::store(Arc::new(ClientSessionMemoryCache::new(32)));
    let config = Arc::new(config);
    let name = ServerName::try_from("localhost").expect("a valid name");
    (0..3)
        .map(|_| {
            let mut client =
                ClientConnection::new(config.clone(), name.clone()).map_err(|e| e.to_string())?;
            let mut srv = rustls::ServerConnection::new(server.clone()).expect("a server");
            handshake(&mut client, &mut srv).map_err(|e| e.to_string())?;
            client
                .handshake_kind()
                .ok_or_else(|| "no handshake kind".to_string())
        })
        .collect()
}

#[test]
fn tickets_up_to_16_kib_resume_across_records() {
    // A hello offering a 16 KiB ticket spans two records.
    for versions in [TlsVersions::Tls13Only, TlsVersions::Tls12Only] {
        let kinds = three_connections(versions, 16 * 1024);
        assert_eq!(
            kinds,
            [
                Ok(HandshakeKind::Full),
                Ok(HandshakeKind::Resumed),
                Ok(HandshakeKind::Resumed)
            ],
            "{versions:?}"
        );
    }
}

#[test]
fn longer_tickets_are_dropped_and_every_connection_is_made() {
    for versions in [TlsVersions::Tls13Only, TlsVersions::Tls12Only] {
        for ticket_len in [16 * 1024 + 1, 65_400] {
            let kinds = three_connections(versions, ticket_len);
            assert_eq!(
                kinds,
                vec![Ok(HandshakeKind::Full); 3],
                "{versions:?}, tickets of {ticket_len} bytes"
            );
        }
    }
}
