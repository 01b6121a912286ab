//! Moves TLS bytes between a client and a server held in memory, so a
//! handshake or a data transfer runs in one thread with no sockets.
//!
//! Both peers are seen through [`TlsEndpoint`], a slice of the sans-I/O
//! connection API rustls and oxtls share. A client type joins the harness
//! with one small `impl TlsEndpoint` (rustls's two connection types are
//! implemented below).
//!
//! ```ignore
//! let mut server = RustlsServerOptions::new(&cert).connection();
//! let mut client = /* any TlsEndpoint */;
//! let exchange = handshake(&mut client, &mut server).expect("handshake");
//! send_pattern(&mut client, &mut server, Side::Client, 1 << 20).expect("upload");
//! ```

use std::fmt;
use std::io::{self, Read, Write};

/// What the pump needs from a TLS connection, client or server.
///
/// When implementing this for a type whose inherent methods of the same
/// names are reached through `Deref` (as rustls's are), call them on the
/// deref'd type explicitly: `self.read_tls(rd)` would pick this trait's
/// method again and recurse.
pub trait TlsEndpoint {
    /// Takes TLS bytes received from the peer (no processing yet).
    fn read_tls(&mut self, rd: &mut dyn Read) -> io::Result<usize>;
    /// Processes what `read_tls` took in; an error ends the connection.
    fn process(&mut self) -> Result<(), String>;
    /// Emits TLS bytes to send to the peer.
    fn write_tls(&mut self, wr: &mut dyn Write) -> io::Result<usize>;
    fn wants_write(&self) -> bool;
    fn is_handshaking(&self) -> bool;
    /// Queues application data; returns how much was accepted (possibly
    /// less than `data.len()` if the send buffer is full).
    fn send_plaintext(&mut self, data: &[u8]) -> io::Result<usize>;
    /// Reads received application data. `Err(WouldBlock)` means none is
    /// available yet, `Ok(0)` that the peer closed cleanly.
    fn recv_plaintext(&mut self, buf: &mut [u8]) -> io::Result<usize>;
}

/// Implements [`TlsEndpoint`] for a rustls connection type by calling its
/// inherent methods through `ConnectionCommon` (see the trait's note).
macro_rules! impl_tls_endpoint_for_rustls {
    ($conn:ty, $data:ty) => {
        impl TlsEndpoint for $conn {
            fn read_tls(&mut self, rd: &mut dyn Read) -> io::Result<usize> {
                let conn: &mut rustls::ConnectionCommon<$data> = self;
                conn.read_tls(rd)
            }
            fn process(&mut self) -> Result<(), String> {
                let conn: &mut rustls::ConnectionCommon<$data> = self;
                conn.process_new_packets()
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            fn write_tls(&mut self, wr: &mut dyn Write) -> io::Result<usize> {
                let conn: &mut rustls::ConnectionCommon<$data> = self;
                conn.write_tls(wr)
            }
            fn wants_write(&self) -> bool {
                let conn: &rustls::ConnectionCommon<$data> = self;
                conn.wants_write()
            }
            fn is_handshaking(&self) -> bool {
                let conn: &rustls::ConnectionCommon<$data> = self;
                conn.is_handshaking()
            }
            fn send_plaintext(&mut self, data: &[u8]) -> io::Result<usize> {
                let conn: &mut rustls::ConnectionCommon<$data> = self;
                conn.writer().write(data)
            }
            fn recv_plaintext(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let conn: &mut rustls::ConnectionCommon<$data> = self;
                conn.reader().read(buf)
            }
        }
    };
}

impl_tls_endpoint_for_rustls!(
    rustls::ClientConnection,
    rustls::client::ClientConnectionData
);
impl_tls_endpoint_for_rustls!(
    rustls::ServerConnection,
    rustls::server::ServerConnectionData
);

/// Which end of the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

impl Side {
    pub fn peer(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }
}

/// A peer rejected what it received.
#[derive(Debug)]
pub struct PumpError {
    /// The side whose `read_tls`/`process` failed first.
    pub failed: Side,
    /// Its error.
    pub error: String,
    /// The other side's error after receiving whatever `failed` sent last
    /// (normally its alert), if that made it fail too.
    pub peer_error: Option<String>,
}

impl fmt::Display for PumpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} failed: {}", self.failed, self.error)?;
        if let Some(peer) = &self.peer_error {
            write!(f, "; then {:?} failed: {peer}", self.failed.peer())?;
        }
        Ok(())
    }
}

/// What one [`transfer`] moved.
#[derive(Debug, Default)]
pub struct Delivery {
    /// The TLS bytes the sender emitted, all taken in by the receiver.
    pub tls: Vec<u8>,
    /// Application data the receiver decrypted from them.
    pub plaintext: Vec<u8>,
}

/// Moves everything `from` wants to send into `to`, processing it there as
/// it arrives and draining the application data it yields (so the
/// receiver's plaintext buffer never fills).
///
/// `Err` means the receiver rejected the bytes; its pending output (an
/// alert) is left for the caller to deliver.
pub fn transfer(from: &mut dyn TlsEndpoint, to: &mut dyn TlsEndpoint) -> Result<Delivery, String> {
    let mut delivery = Delivery::default();
    while from.wants_write() {
        let n = from
            .write_tls(&mut delivery.tls)
            .unwrap_or_else(|e| panic!("write_tls into a Vec failed: {e}"));
        assert!(n > 0, "endpoint wants to write but wrote nothing");
    }
    let mut rest: &[u8] = &delivery.tls;
    while !rest.is_empty() {
        let n = to
            .read_tls(&mut rest)
            .map_err(|e| format!("read_tls: {e}"))?;
        if n == 0 {
            return Err(format!(
                "receiver took no more bytes ({} left unread): it has closed",
                rest.len()
            ));
        }
        to.process()?;
        drain_plaintext(to, &mut delivery.plaintext);
    }
    Ok(delivery)
}

/// Appends all application data `endpoint` has ready to `out`.
fn drain_plaintext(endpoint: &mut dyn TlsEndpoint, out: &mut Vec<u8>) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match endpoint.recv_plaintext(&mut buf) {
            Ok(0) => return,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            // WouldBlock: nothing more now; other errors (an unclean close)
            // are the connection's business, reported by `process`.
            Err(_) => return,
        }
    }
}

/// One batch of TLS bytes sent in one direction.
#[derive(Debug)]
pub struct Flight {
    pub from: Side,
    pub tls: Vec<u8>,
}

/// Everything a [`pump`] moved.
#[derive(Debug, Default)]
pub struct Exchange {
    /// Every batch in the order sent.
    pub flights: Vec<Flight>,
    /// Application data the client received.
    pub client_received: Vec<u8>,
    /// Application data the server received.
    pub server_received: Vec<u8>,
}

impl Exchange {
    /// Application data received by `side`.
    pub fn received_by(&self, side: Side) -> &[u8] {
        match side {
            Side::Client => &self.client_received,
            Side::Server => &self.server_received,
        }
    }

    /// Number of flights `side` sent (a 1.3 handshake without a
    /// HelloRetryRequest has 2 from the client; with one, 3).
    pub fn flights_from(&self, side: Side) -> usize {
        self.flights.iter().filter(|f| f.from == side).count()
    }

    /// All TLS bytes `side` sent, concatenated.
    pub fn tls_from(&self, side: Side) -> Vec<u8> {
        self.flights
            .iter()
            .filter(|f| f.from == side)
            .flat_map(|f| f.tls.iter().copied())
            .collect()
    }

    fn absorb(&mut self, other: Exchange) {
        self.flights.extend(other.flights);
        self.client_received.extend(other.client_received);
        self.server_received.extend(other.server_received);
    }
}

/// Most rounds a pump runs before declaring the peers stuck in a loop.
const MAX_ROUNDS: usize = 10_000;

/// Moves bytes both ways until neither side has anything to send.
///
/// If a side fails, its last output (its alert) is still delivered, and
/// what the peer made of it goes in [`PumpError::peer_error`].
pub fn pump(
    client: &mut dyn TlsEndpoint,
    server: &mut dyn TlsEndpoint,
) -> Result<Exchange, PumpError> {
    let mut exchange = Exchange::default();
    for _ in 0..MAX_ROUNDS {
        let from_client = step(Side::Client, client, server, &mut exchange)?;
        let from_server = step(Side::Server, server, client, &mut exchange)?;
        if !from_client && !from_server {
            return Ok(exchange);
        }
    }
    panic!("peers still exchanging after {MAX_ROUNDS} rounds; is one looping?");
}

/// One [`transfer`] from `sender` (which is `from`) to `receiver`, recorded
/// in `exchange`; false if the sender had nothing to send.
fn step(
    from: Side,
    sender: &mut dyn TlsEndpoint,
    receiver: &mut dyn TlsEndpoint,
    exchange: &mut Exchange,
) -> Result<bool, PumpError> {
    if !sender.wants_write() {
        return Ok(false);
    }
    let delivery = transfer(sender, receiver).map_err(|error| PumpError {
        failed: from.peer(),
        error,
        // The failed side's alert goes back the other way.
        peer_error: transfer(receiver, sender).err(),
    })?;
    match from {
        Side::Client => exchange.server_received.extend(delivery.plaintext),
        Side::Server => exchange.client_received.extend(delivery.plaintext),
    }
    exchange.flights.push(Flight {
        from,
        tls: delivery.tls,
    });
    Ok(true)
}

/// Runs the handshake to completion (including post-handshake messages
/// such as session tickets) and checks both sides finished it.
pub fn handshake(
    client: &mut dyn TlsEndpoint,
    server: &mut dyn TlsEndpoint,
) -> Result<Exchange, PumpError> {
    let exchange = pump(client, server)?;
    assert!(
        !client.is_handshaking() && !server.is_handshaking(),
        "handshake stalled with nothing to send (client handshaking: {}, server handshaking: {})",
        client.is_handshaking(),
        server.is_handshaking()
    );
    Ok(exchange)
}

/// `len` bytes of a pattern that shows misplaced or lost chunks (not a
/// short repeating cycle).
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).rotate_right(13) as u8)
        .collect()
}

/// Sends `len` bytes of [`pattern`] from `sender` to its peer, pumping as
/// it goes, and checks they arrive intact and in order (panics, naming the
/// offset, if not). Returns everything moved, including any replies.
pub fn send_pattern(
    client: &mut dyn TlsEndpoint,
    server: &mut dyn TlsEndpoint,
    sender: Side,
    len: usize,
) -> Result<Exchange, PumpError> {
    const CHUNK: usize = 64 * 1024;
    let data = pattern(len);
    let mut sent = 0;
    let mut total = Exchange::default();
    while sent < len || total.received_by(sender.peer()).len() < len {
        let mut accepted = 0;
        if sent < len {
            let end = (sent + CHUNK).min(len);
            let chunk = &data[sent..end];
            accepted = match sender {
                Side::Client => client.send_plaintext(chunk),
                Side::Server => server.send_plaintext(chunk),
            }
            .unwrap_or_else(|e| panic!("{sender:?} refused plaintext at offset {sent}: {e}"));
            sent += accepted;
        }
        let before = total.received_by(sender.peer()).len();
        total.absorb(pump(client, server)?);
        let got = total.received_by(sender.peer());
        // Only the bytes that arrived this round need checking.
        let fresh = got.get(before..).unwrap_or_default();
        let expect = data.get(before..).unwrap_or_default();
        if let Some(i) = fresh.iter().zip(expect).position(|(a, b)| a != b) {
            panic!("byte {} of {len} arrived corrupted", before + i);
        }
        assert!(
            got.len() <= len,
            "received {} bytes, sent only {len}",
            got.len()
        );
        assert!(
            accepted > 0 || got.len() > before,
            "transfer stalled: {sent} of {len} bytes sent, {} arrived",
            got.len()
        );
    }
    Ok(total)
}

/// The `(content type, length)` of each TLS record in `tls`, for checks
/// on framing (record sizes, what was encrypted). Panics on a truncated
/// record: the harness only splits what a peer emitted whole.
pub fn records(tls: &[u8]) -> Vec<(u8, usize)> {
    let mut out = Vec::new();
    let mut rest = tls;
    while !rest.is_empty() {
        assert!(rest.len() >= 5, "truncated record header: {rest:02x?}");
        let content_type = rest[0];
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        assert!(rest.len() >= 5 + len, "record of {len} bytes truncated");
        out.push((content_type, len));
        rest = &rest[5 + len..];
    }
    out
}
