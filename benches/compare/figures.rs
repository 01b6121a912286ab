//! The client-side figures: handshake time, bulk throughput each way, and
//! heap use. Each sample function returns one number; `main` interleaves
//! the clients' samples and takes medians.

use std::sync::Arc;

use rustls::{ServerConfig, ServerConnection};

use crate::aligned::{Aligned, PAGE};
use crate::clients::Contender;
use crate::counting_alloc::{reset_peak, snapshot};
use crate::drive::{
    client_take_all, handshake, server_drain, server_receive, server_send, Meter, Reading,
};

/// Plaintext per application write: a full TLS record.
pub const CHUNK: usize = 16 * 1024;

/// Mean client time of one handshake over `n` handshakes, in µs. With
/// `resumed`, each resumes the session of the one before (an untimed
/// full handshake gives the first its ticket), and must have.
pub fn handshake_micros<C: Contender>(
    contender: &C,
    server: &Arc<ServerConfig>,
    n: usize,
    resumed: bool,
) -> f64 {
    if resumed {
        drop(handshake(contender, server, &mut Meter::default()));
    }
    let mut meter = Meter::default();
    crate::drive::measured_handshakes_start();
    for _ in 0..n {
        let (conn, server) = handshake(contender, server, &mut meter);
        assert_eq!(
            C::resumed(&conn),
            resumed,
            "{}: resumed is not {resumed}",
            contender.name()
        );
        drop((conn, server));
    }
    meter.seconds() * 1e6 / n as f64
}

/// Records the client emits between two readings of the clock.
const SEND_BATCH: usize = 16;
/// Records the client is handed (and takes in) between two readings.
const RECEIVE_BATCH: usize = 16;

/// One established connection used for bulk transfer in both directions.
pub struct BulkPair<C: Contender> {
    conn: C::Conn,
    server: ServerConnection,
    /// The caller's plaintext buffers, page-aligned (see `aligned.rs`).
    chunk: Aligned,
    buf: Aligned,
    /// One buffer per record of a send batch, so each `write_tls` starts
    /// on an empty one (OpenSSL's then moves in without a copy).
    sent: Vec<Vec<u8>>,
    tls: Vec<u8>,
}

impl<C: Contender> BulkPair<C> {
    /// Connects and proves the pair with one verified record each way.
    pub fn new(contender: &C, server: &Arc<ServerConfig>) -> BulkPair<C> {
        let (conn, server) = handshake(contender, server, &mut Meter::default());
        let pattern: Vec<u8> = (0..CHUNK).map(|i| (i * 7 % 251) as u8).collect();
        let mut pair = BulkPair {
            conn,
            server,
            chunk: Aligned::from_slice(&pattern),
            buf: Aligned::new(CHUNK, 0),
            sent: (0..SEND_BATCH)
                .map(|_| Vec::with_capacity(2 * CHUNK))
                .collect(),
            tls: Vec::with_capacity(RECEIVE_BATCH * (CHUNK + 64)),
        };
        let n = pair.send_batch(1, &mut Meter::default());
        assert!(
            n == CHUNK && *pair.buf == *pair.chunk,
            "{}: the server got {n} bytes, or not those sent",
            contender.name()
        );

        pair.serve(1);
        let mut got = Vec::new();
        C::stage_tls(&mut pair.conn, &mut pair.tls);
        client_take_all::<C>(&mut pair.conn, &mut Reading::Copy(&mut pair.buf), |b| {
            got.extend_from_slice(b)
        });
        assert!(
            got == pattern,
            "{}: received plaintext differs",
            contender.name()
        );
        pair
    }

    /// The client writes `records` chunks, each followed by `write_tls`,
    /// timed as one call; then the server takes the records. Returns the
    /// plaintext bytes the server got (kept in `buf` if one record).
    fn send_batch(&mut self, records: usize, meter: &mut Meter) -> usize {
        let BulkPair {
            conn, chunk, sent, ..
        } = self;
        meter.client(|| {
            for out in &mut sent[..records] {
                C::write_plaintext(conn, chunk);
                C::write_tls(conn, out);
            }
        });
        let mut received = 0;
        for out in &mut self.sent[..records] {
            server_receive(&mut self.server, out);
            out.clear();
            received += server_drain(&mut self.server, &mut self.buf);
        }
        received
    }

    /// The server writes `records` chunks into `self.tls`.
    fn serve(&mut self, records: usize) {
        use std::io::Write;
        self.tls.clear();
        for _ in 0..records {
            self.server
                .writer()
                .write_all(&self.chunk)
                .unwrap_or_else(|e| panic!("server refused plaintext: {e}"));
            server_send(&mut self.server, &mut self.tls);
        }
    }

    /// Client send throughput over `bytes` in 16 KiB writes, MB/s.
    pub fn send_mbps(&mut self, bytes: usize) -> f64 {
        let mut meter = Meter::default();
        let mut received = 0;
        let mut records = bytes / CHUNK;
        while records > 0 {
            let batch = records.min(SEND_BATCH);
            received += self.send_batch(batch, &mut meter);
            records -= batch;
        }
        assert_eq!(received, bytes / CHUNK * CHUNK, "the server lost data");
        received as f64 / meter.seconds() / 1e6
    }

    /// Client receive throughput over `bytes` sent by the server in 16 KiB
    /// writes, read by the client in 16 KiB reads, MB/s. The client is
    /// given `RECEIVE_BATCH` records at a time, still in cache as bytes
    /// fresh from a socket read would be.
    pub fn receive_mbps(&mut self, bytes: usize) -> f64 {
        self.receive_mbps_by(bytes, false)
    }

    /// As `receive_mbps`, but the plaintext is lent in place
    /// (`io::BufRead`) instead of copied out: no copy after decryption.
    pub fn receive_in_place_mbps(&mut self, bytes: usize) -> f64 {
        self.receive_mbps_by(bytes, true)
    }

    /// Moves the caller's read buffer to `distance` bytes past where the
    /// client leaves a record's plaintext, modulo 4 KiB: the placement in
    /// which a plain `memcpy` of it is slowest on this machine (see
    /// `aligned.rs`). The place is found by lending one record in place,
    /// so only clients that can (`io::BufRead`) support it; a client that
    /// moves its plaintext around from record to record is only hit on
    /// the records that land there.
    pub fn place_buffer_past_plaintext(&mut self, distance: usize) {
        self.serve(1);
        C::stage_tls(&mut self.conn, &mut self.tls);
        let mut at = None;
        let got = client_take_all::<C>(&mut self.conn, &mut Reading::InPlace, |run| {
            at.get_or_insert(run.as_ptr() as usize);
        });
        assert_eq!(got, CHUNK, "the client lost data");
        let at = at.expect("a record's plaintext");
        self.buf = Aligned::new(CHUNK, (at + distance) % PAGE);
    }

    fn receive_mbps_by(&mut self, bytes: usize, in_place: bool) -> f64 {
        let mut meter = Meter::default();
        let mut got = 0;
        let mut records = bytes / CHUNK;
        while records > 0 {
            let batch = records.min(RECEIVE_BATCH);
            self.serve(batch);
            C::stage_tls(&mut self.conn, &mut self.tls);
            let (conn, buf) = (&mut self.conn, &mut self.buf);
            let mut reading = if in_place {
                Reading::InPlace
            } else {
                Reading::Copy(buf)
            };
            got += meter.client(|| {
                client_take_all::<C>(conn, &mut reading, |run| {
                    std::hint::black_box(run.len());
                })
            });
            records -= batch;
        }
        assert_eq!(got, bytes / CHUNK * CHUNK, "the client lost data");
        got as f64 / meter.seconds() / 1e6
    }
}

/// Heap use of one client, per connection.
#[derive(Clone, Copy, Debug)]
pub struct MemoryFigures {
    /// Held once the handshake is done, the connection struct included.
    pub idle_bytes: f64,
    pub idle_blocks: f64,
    /// Held after 16 KiB each way, everything read.
    pub after_data_bytes: f64,
    pub after_data_blocks: f64,
    /// Highest heap use during one handshake (median over connections).
    pub peak_bytes: f64,
    /// Allocation calls (alloc and realloc) per handshake (median).
    pub allocs: f64,
    /// Allocation calls per 16 KiB record sent (`writer()` and
    /// `write_tls`), and per record received (`read_tls` to `reader()`).
    pub send_allocs: f64,
    pub receive_allocs: f64,
}

/// Opens `n` connections and keeps them, measuring what they hold.
///
/// The connection struct itself is counted as one block of its inline
/// size, as if boxed, so a client that keeps state inline is not favoured
/// over one that keeps it behind a pointer.
pub fn memory<C: Contender>(contender: &C, server: &Arc<ServerConfig>, n: usize) -> MemoryFigures {
    // Lazily made globals (ring's CPU detection, OpenSSL's method and
    // error tables) are not per-connection: make them first.
    for _ in 0..3 {
        drop(handshake(contender, server, &mut Meter::default()));
    }
    let mut pairs = Vec::with_capacity(n);
    let mut peaks = Vec::with_capacity(n);
    let mut allocs = Vec::with_capacity(n);
    let start = snapshot();
    for _ in 0..n {
        reset_peak();
        let before = snapshot();
        let pair = handshake(contender, server, &mut Meter::default());
        let after = snapshot();
        peaks.push((after.peak_bytes - before.live_bytes) as f64);
        allocs.push((after.alloc_calls - before.alloc_calls) as f64);
        pairs.push(pair);
    }
    let after_handshakes = snapshot();

    let data: Vec<u8> = vec![0x42; CHUNK];
    let mut buf = vec![0; CHUNK];
    let mut tls = Vec::with_capacity(2 * CHUNK);
    for (conn, server) in &mut pairs {
        exchange::<C>(conn, server, &data, &mut buf, &mut tls);
    }
    let after_data = snapshot();

    // RECORDS more records each way on one connection, counting calls.
    const RECORDS: usize = 16;
    let (conn, server) = pairs.first_mut().expect("at least one connection");
    let before = snapshot();
    for _ in 0..RECORDS {
        send_record::<C>(conn, server, &data, &mut buf, &mut tls);
    }
    let sent = snapshot();
    for _ in 0..RECORDS {
        receive_record::<C>(conn, server, &data, &mut buf, &mut tls);
    }
    let received = snapshot();
    drop(pairs);

    let per_conn = |bytes: isize| bytes as f64 / n as f64 + contender.inline_size() as f64;
    let per_conn_blocks = |blocks: isize| blocks as f64 / n as f64 + 1.0;
    MemoryFigures {
        idle_bytes: per_conn(after_handshakes.live_bytes - start.live_bytes),
        idle_blocks: per_conn_blocks(after_handshakes.live_blocks - start.live_blocks),
        after_data_bytes: per_conn(after_data.live_bytes - start.live_bytes),
        after_data_blocks: per_conn_blocks(after_data.live_blocks - start.live_blocks),
        peak_bytes: crate::median(peaks) + contender.inline_size() as f64,
        allocs: crate::median(allocs),
        send_allocs: (sent.alloc_calls - before.alloc_calls) as f64 / RECORDS as f64,
        receive_allocs: (received.alloc_calls - sent.alloc_calls) as f64 / RECORDS as f64,
    }
}

/// 16 KiB from client to server and back, all of it read on both sides.
fn exchange<C: Contender>(
    conn: &mut C::Conn,
    server: &mut ServerConnection,
    data: &[u8],
    buf: &mut [u8],
    tls: &mut Vec<u8>,
) {
    send_record::<C>(conn, server, data, buf, tls);
    receive_record::<C>(conn, server, data, buf, tls);
}

/// The client sends `data` (one record); the server reads it.
fn send_record<C: Contender>(
    conn: &mut C::Conn,
    server: &mut ServerConnection,
    data: &[u8],
    buf: &mut [u8],
    tls: &mut Vec<u8>,
) {
    tls.clear();
    Meter::default().client(|| {
        C::write_plaintext(conn, data);
        C::write_tls(conn, tls);
    });
    server_receive(server, tls);
    assert_eq!(
        server_drain(server, buf),
        data.len(),
        "the server lost data"
    );
}

/// The server sends `data` (one record); the client reads all of it.
fn receive_record<C: Contender>(
    conn: &mut C::Conn,
    server: &mut ServerConnection,
    data: &[u8],
    buf: &mut [u8],
    tls: &mut Vec<u8>,
) {
    use std::io::Write;
    server
        .writer()
        .write_all(data)
        .unwrap_or_else(|e| panic!("server refused plaintext: {e}"));
    tls.clear();
    server_send(server, tls);
    C::stage_tls(conn, tls);
    let got =
        Meter::default().client(|| client_take_all::<C>(conn, &mut Reading::Copy(buf), |_| {}));
    assert_eq!(got, data.len(), "the client lost data");
}
