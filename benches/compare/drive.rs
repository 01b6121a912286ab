//! Drives a client against an in-memory rustls server, timing and counting
//! only the client's calls.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::OnceLock;

use rustls::{ServerConfig, ServerConnection};

use crate::clients::Contender;
use crate::counting_alloc::{snapshot, tracked};

/// This thread's CPU time in ns: time the thread was not running (the
/// machine is shared) is not counted, as wall time would count it.
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// What one timed call adds by itself (reading the clock is a system
/// call of some hundreds of ns), measured once and taken off every figure.
static CALL_OVERHEAD_NS: OnceLock<f64> = OnceLock::new();

/// Measures the cost of timing an empty call: the median of 21 batches.
pub fn calibrate() -> f64 {
    *CALL_OVERHEAD_NS.get_or_init(|| {
        let batches = (0..21)
            .map(|_| {
                let mut meter = Meter::default();
                for _ in 0..2000 {
                    meter.client(|| ());
                }
                meter.elapsed_ns as f64 / meter.calls as f64
            })
            .collect();
        crate::median(batches)
    })
}

/// Runs `f` between two readings of the clock, with its allocations
/// counted; returns its result and the ns it took. Never inlined, and
/// holding nothing but the timed call, so a profiler can collect inside
/// it alone
/// (`valgrind --tool=callgrind --toggle-collect='compare::drive::timed_call*'`).
#[inline(never)]
fn timed_call<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let start = thread_cpu_ns();
    let out = tracked(f);
    (out, thread_cpu_ns() - start)
}

/// Accumulates the CPU time of the client's calls; each call also has its
/// allocations counted.
#[derive(Default)]
pub struct Meter {
    elapsed_ns: u64,
    calls: u64,
}

impl Meter {
    /// Runs one client call (or one batch of them), timed by [`timed_call`].
    pub fn client<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let allocs = snapshot().alloc_calls;
        let (out, ns) = timed_call(f);
        self.elapsed_ns += ns;
        self.calls += 1;
        CALL_LOG.with(|log| {
            if let Some(log) = log.borrow_mut().as_mut() {
                log.record(ns, snapshot().alloc_calls - allocs);
            }
        });
        out
    }

    /// The time measured, less the timing's own cost.
    pub fn seconds(&self) -> f64 {
        let overhead = self.calls as f64 * calibrate();
        (self.elapsed_ns as f64 - overhead).max(1.0) / 1e9
    }
}

/// The timed calls of handshakes by their place in the handshake (first,
/// second, ...): `--profile ... --calls` prints them, so that a client's
/// excess over the floor can be pinned to one step of the handshake.
#[derive(Default)]
pub struct CallLog {
    places: Vec<PlaceTotals>,
    /// The place of the next timed call in the current handshake.
    next: usize,
}

#[derive(Default, Clone, Copy)]
struct PlaceTotals {
    ns: u64,
    calls: u64,
    allocs: usize,
}

impl CallLog {
    fn record(&mut self, ns: u64, allocs: usize) {
        if self.places.len() <= self.next {
            self.places.resize(self.next + 1, PlaceTotals::default());
        }
        let place = &mut self.places[self.next];
        place.ns += ns;
        place.calls += 1;
        place.allocs += allocs;
        self.next += 1;
    }
}

thread_local! {
    static CALL_LOG: RefCell<Option<CallLog>> = const { RefCell::new(None) };
}

/// Starts logging this thread's timed calls by their place in a handshake.
pub fn log_calls() {
    CALL_LOG.with(|log| *log.borrow_mut() = Some(CallLog::default()));
}

/// A handshake starts: the next timed call is its first.
pub fn handshake_starts() {
    CALL_LOG.with(|log| {
        if let Some(log) = log.borrow_mut().as_mut() {
            log.next = 0;
        }
    });
}

/// Forgets what was logged so far: the measured handshakes start, and
/// the setup's own (untimed) handshakes stay out of the figures.
pub fn measured_handshakes_start() {
    CALL_LOG.with(|log| {
        if let Some(log) = log.borrow_mut().as_mut() {
            *log = CallLog::default();
        }
    });
}

/// Prints the logged calls: each place's mean time (less the clock's
/// calibrated cost, as every figure) and allocations.
pub fn print_calls() {
    let clock_ns = calibrate();
    CALL_LOG.with(|log| {
        let log = log.borrow();
        for (i, place) in log.iter().flat_map(|l| &l.places).enumerate() {
            let calls = place.calls as f64;
            eprintln!(
                "  call {}: {:8.3} µs, {:5.2} allocations (mean of {})",
                i + 1,
                (place.ns as f64 / calls - clock_ns) / 1e3,
                place.allocs as f64 / calls,
                place.calls
            );
        }
    });
}

/// Gives the server everything in `tls` and processes it.
pub fn server_receive(server: &mut ServerConnection, tls: &[u8]) {
    let mut rest = tls;
    while !rest.is_empty() {
        server
            .read_tls(&mut rest)
            .unwrap_or_else(|e| panic!("server read_tls failed: {e}"));
        server
            .process_new_packets()
            .unwrap_or_else(|e| panic!("server rejected the client: {e}"));
    }
}

/// Appends everything the server has to send to `out`.
pub fn server_send(server: &mut ServerConnection, out: &mut Vec<u8>) {
    while server.wants_write() {
        server
            .write_tls(out)
            .unwrap_or_else(|e| panic!("server write_tls failed: {e}"));
    }
}

/// Reads and discards the server's received plaintext; returns how much.
pub fn server_drain(server: &mut ServerConnection, buf: &mut [u8]) -> usize {
    use std::io::Read;
    let mut total = 0;
    loop {
        match server.reader().read(buf) {
            Ok(0) => return total,
            Ok(n) => total += n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return total,
            Err(e) => panic!("server read failed: {e}"),
        }
    }
}

/// How the client's received plaintext is read.
pub enum Reading<'a> {
    /// Copied out into this buffer (`io::Read`, `SSL_read`).
    Copy(&'a mut [u8]),
    /// Lent where it lies (`io::BufRead`); only for clients that can.
    InPlace,
}

/// Lets the client take in everything staged, reading the plaintext as
/// it comes (each piece handed to `sink`); returns the plaintext bytes
/// read. Only client calls and queries: callers time it as one call.
pub fn client_take_all<C: Contender>(
    conn: &mut C::Conn,
    reading: &mut Reading<'_>,
    mut sink: impl FnMut(&[u8]),
) -> usize {
    let mut plaintext = 0;
    loop {
        let before = C::staged_len(conn);
        C::process_tls(conn);
        let mut read = 0;
        loop {
            let n = match reading {
                Reading::Copy(buf) => {
                    let n = C::read_plaintext(conn, buf);
                    sink(&buf[..n]);
                    n
                }
                Reading::InPlace => C::read_in_place(conn, &mut sink)
                    .unwrap_or_else(|| panic!("this client cannot lend plaintext in place")),
            };
            if n == 0 {
                break;
            }
            read += n;
        }
        plaintext += read;
        let after = C::staged_len(conn);
        if after == 0 {
            return plaintext;
        }
        if after == before && read == 0 {
            assert!(
                !C::is_handshaking(conn),
                "the client took none of {after} staged bytes mid-handshake"
            );
            // OpenSSL after its handshake takes records in SSL_read only,
            // and found none whole. Nothing more to do.
            return plaintext;
        }
    }
}

/// A full handshake with a fresh server connection. Returns both ends.
///
/// The client's work between two turns of the server is one timed call,
/// as a client does it: making the connection and writing its ClientHello;
/// then taking each flight of the server's and writing what it answers.
/// (Timing each of its calls apart would charge every client, and not the
/// floor, which makes one call per turn, a reading of the clock per call
/// beyond its calibrated cost.)
pub fn handshake<C: Contender>(
    contender: &C,
    server_config: &Arc<ServerConfig>,
    meter: &mut Meter,
) -> (C::Conn, ServerConnection) {
    let mut to_server = Vec::with_capacity(4096);
    let mut to_client = Vec::with_capacity(8192);
    let mut scratch = [0u8; 256];
    handshake_starts();
    let mut conn = meter.client(|| {
        let mut conn = contender.connect();
        C::write_tls(&mut conn, &mut to_server);
        conn
    });
    let mut server = ServerConnection::new(server_config.clone())
        .unwrap_or_else(|e| panic!("cannot start the server: {e}"));
    for _round in 0..8 {
        let client_sent = !to_server.is_empty();
        server_receive(&mut server, &to_server);
        to_server.clear();

        server_send(&mut server, &mut to_client);
        let server_sent = !to_client.is_empty();
        if server_sent {
            C::stage_tls(&mut conn, &mut to_client);
            meter.client(|| {
                client_take_all::<C>(&mut conn, &mut Reading::Copy(&mut scratch), |_| {});
                C::write_tls(&mut conn, &mut to_server);
            });
        }
        if !client_sent && !server_sent && !C::is_handshaking(&conn) && !server.is_handshaking() {
            return (conn, server);
        }
    }
    panic!(
        "{}: the handshake did not finish in 8 rounds",
        contender.name()
    );
}
