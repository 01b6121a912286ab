//! oxtls against the rustls client (ring provider) and OpenSSL's client,
//! each against the same rustls server in memory, in one process; and
//! each figure against its floor, the bare cryptography it needs.
//!
//! ```text
//! cargo bench --bench compare               # the full run (about 2 minutes)
//! cargo bench --bench compare -- --quick    # a smoke run: a few iterations
//! cargo bench --bench compare -- --markdown # the table as Markdown
//! ```
//!
//! For a profiler, `-- --profile CLIENT FIGURE [N]` runs only that work
//! (CLIENT: oxtls, rustls, openssl, or floor; FIGURE: handshake, handshake-rsa,
//! handshake-resumed, handshake-tls12, send, receive, receive-in-place; N handshakes or MiB) and prints nothing else, e.g.
//! `valgrind --tool=callgrind target/release/deps/compare-* --profile oxtls handshake 200`.
//! With `--calls` after N, a handshake figure also prints each timed call
//! of a handshake apart (its mean time and allocations), to pin an excess
//! over the floor to one step.
//!
//! `cargo test` runs this binary too, without `--bench`: it then takes
//! the smoke mode, so `make test` keeps it compiling and working. So does
//! `OXTLS_BENCH_QUICK=1`. No timing is ever asserted; the run fails only
//! if a client fails or loses data.
//!
//! Only the client's calls are timed and counted (see `drive.rs`); see
//! BENCHMARKS.md for what each figure and floor is.

#[path = "compare/aligned.rs"]
mod aligned;
#[path = "compare/capi.rs"]
mod capi;
#[path = "compare/clients.rs"]
mod clients;
#[path = "../tests/common/mod.rs"]
mod common;
#[path = "compare/counting_alloc.rs"]
mod counting_alloc;
#[path = "compare/drive.rs"]
mod drive;
#[path = "compare/figures.rs"]
mod figures;
#[path = "compare/floor.rs"]
mod floor;
#[path = "compare/floor12.rs"]
mod floor12;
#[path = "compare/report.rs"]
mod report;

use std::sync::Arc;
use std::time::Instant;

use rustls::{CipherSuite, NamedGroup, ServerConfig};

use clients::{Contender, Openssl, Oxtls, Rustls};
use common::certs::{IssuedCert, KeyType, TestPki};
use common::rustls_server::RustlsServerOptions;
use common::TlsVersions;
use counting_alloc::CountingAlloc;
use figures::{BulkPair, MemoryFigures, CHUNK};
use floor::{ChainKind, HandshakeFloor, HandshakeShape};
use report::{Row, Unit};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// How much of everything to do.
struct Plan {
    quick: bool,
    /// Samples thrown away first, then samples kept (median taken).
    warmup: usize,
    runs: usize,
    /// Handshakes per sample.
    handshakes: usize,
    rsa_handshakes: usize,
    /// Bytes per bulk sample, each direction.
    bulk_bytes: usize,
    /// Connections held at once for the memory figures.
    memory_conns: usize,
    floor_handshakes: usize,
    floor_bytes: usize,
}

impl Plan {
    fn full() -> Plan {
        Plan {
            quick: false,
            warmup: 2,
            runs: 21,
            handshakes: 200,
            rsa_handshakes: 100,
            bulk_bytes: 32 << 20,
            memory_conns: 1000,
            floor_handshakes: 400,
            floor_bytes: 64 << 20,
        }
    }

    fn quick() -> Plan {
        Plan {
            quick: true,
            warmup: 1,
            runs: 1,
            handshakes: 2,
            rsa_handshakes: 2,
            bulk_bytes: 4 * CHUNK,
            memory_conns: 5,
            floor_handshakes: 3,
            floor_bytes: 16 * CHUNK,
        }
    }

    /// Runs each sampler `warmup + runs` times, interleaved (so a slow
    /// moment of a shared machine hits every client alike), and returns
    /// each one's kept samples, in run order.
    fn samples(&self, samplers: &mut [&mut dyn FnMut() -> f64]) -> Vec<Vec<f64>> {
        let mut samples = vec![Vec::with_capacity(self.runs); samplers.len()];
        for run in 0..self.warmup + self.runs {
            for (kept, sampler) in samples.iter_mut().zip(samplers.iter_mut()) {
                let value = sampler();
                if run >= self.warmup {
                    kept.push(value);
                }
            }
        }
        samples
    }
}

/// The middle value (mean of the middle two for an even count).
pub fn median(mut values: Vec<f64>) -> f64 {
    assert!(!values.is_empty(), "median of nothing");
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// The three clients, all trusting one test root.
struct Clients {
    oxtls: Oxtls,
    rustls: Rustls,
    openssl: Openssl,
    /// oxtls again, driven through its C API.
    oxtls_c: capi::OxtlsC,
}

/// One test PKI, one protocol version, and the clients and servers made
/// from them. A TLS 1.2 figure, once oxtls speaks it, is a `Setup` with
/// `TlsVersions::Tls12Only` and a server given a TLS 1.2 suite
/// (`TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`) in `handshake_rows`.
struct Setup {
    cert: IssuedCert,
    versions: TlsVersions,
    clients: Clients,
    /// Clients keep sessions and the server sends tickets.
    resumption: bool,
}

impl Setup {
    /// Clients without session caches, for full handshakes.
    fn new(key_type: KeyType, versions: TlsVersions) -> Setup {
        Self::with_resumption(key_type, versions, false)
    }

    /// With `resumption`, every client keeps the sessions the server's
    /// tickets give it; without, none does and no tickets are sent.
    fn with_resumption(key_type: KeyType, versions: TlsVersions, resumption: bool) -> Setup {
        let pki = TestPki::with_ca_key(key_type);
        let cert = pki.server_cert(key_type);
        let root = pki.ca_der();
        let clients = Clients {
            oxtls: Oxtls::new(&root, versions, resumption),
            rustls: Rustls::new(&root, versions, resumption),
            openssl: Openssl::new(&root, versions, resumption),
            oxtls_c: capi::OxtlsC::new(&root, versions, resumption),
        };
        Setup {
            cert,
            versions,
            clients,
            resumption,
        }
    }

    /// A rustls server with this certificate and versions, only `suite`,
    /// only X25519, sending session tickets only if clients resume.
    fn server(&self, suite: CipherSuite) -> Arc<ServerConfig> {
        RustlsServerOptions::new(&self.cert)
            .versions(self.versions)
            .cipher_suites(&[suite])
            .kx_groups(&[NamedGroup::X25519])
            .send_tickets(self.resumption)
            .config()
    }
}

fn main() {
    // Before anything else touches OpenSSL.
    let openssl_counted = counting_alloc::openssl_hooks::install();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    if has("--help") || has("-h") {
        println!("usage: compare [--quick] [--markdown]   (see benches/compare.rs)");
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--profile") {
        profile(&args[at + 1..]);
        return;
    }
    let env_quick = std::env::var("OXTLS_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
    // `cargo bench` passes --bench; `cargo test` runs us without it.
    let quick = has("--quick") || env_quick || !has("--bench");
    let plan = if quick { Plan::quick() } else { Plan::full() };
    let markdown = has("--markdown");
    let started = Instant::now();

    let overhead = drive::calibrate();
    print_context(&plan, openssl_counted, overhead);
    let ecdsa = Setup::new(KeyType::EcdsaP256, TlsVersions::Tls13Only);
    let rsa = Setup::new(KeyType::Rsa2048, TlsVersions::Tls13Only);

    let mut rows = Vec::new();
    let phase = |name: &str, rows: &mut Vec<Row>, new: Vec<Row>| {
        eprintln!(
            "compare: {name} done at {:.1} s",
            started.elapsed().as_secs_f64()
        );
        rows.extend(new);
    };
    let tls13 = CipherSuite::TLS13_AES_128_GCM_SHA256;
    let r = handshake_rows(&plan, &ecdsa, tls13, "TLS 1.3, X25519, ECDSA P-256");
    phase("ECDSA handshakes", &mut rows, r);
    let r = handshake_rows(&plan, &rsa, tls13, "TLS 1.3, X25519, RSA 2048");
    phase("RSA handshakes", &mut rows, r);
    let resuming = Setup::with_resumption(KeyType::EcdsaP256, TlsVersions::Tls13Only, true);
    let r = handshake_rows(
        &plan,
        &resuming,
        tls13,
        "TLS 1.3, PSK + X25519, ECDSA P-256",
    );
    phase("resumed handshakes", &mut rows, r);
    let tls12 = Setup::new(KeyType::EcdsaP256, TlsVersions::Tls12Only);
    let ecdhe_ecdsa = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    let r = handshake_rows(
        &plan,
        &tls12,
        ecdhe_ecdsa,
        "TLS 1.2, ECDHE-ECDSA-AES128-GCM, X25519",
    );
    phase("TLS 1.2 handshakes", &mut rows, r);
    let r = bulk_rows(&plan, &ecdsa);
    phase("bulk transfer", &mut rows, r);
    let r = memory_rows(&plan, &ecdsa, openssl_counted);
    phase("memory", &mut rows, r);

    report::print(&rows, markdown);
    if plan.quick {
        // Every figure above ran with its data checked end to end; a
        // failure would have panicked. The closing line test runners print.
        println!("compare: {} passed, 0 failed", rows.len());
    }
    eprintln!(
        "compare: {} run finished in {:.1} s",
        if plan.quick { "smoke" } else { "full" },
        started.elapsed().as_secs_f64()
    );
}

fn print_context(plan: &Plan, openssl_counted: bool, overhead_ns: f64) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "# {} run on {cpu}, {cores} cores; {}; median of {} samples after {} warm-up",
        if plan.quick {
            "SMOKE (not a measurement)"
        } else {
            "full"
        },
        openssl::version::version(),
        plan.runs,
        plan.warmup,
    );
    println!(
        "# times: the client's calls only, in thread CPU time, less {overhead_ns:.0} ns of clock cost per timed call"
    );
    println!(
        "# ratios: the median of per-sample ratios where the row's figures were sampled side by side, else of the values; for µs lower is better, for MB/s higher"
    );
    if !openssl_counted {
        println!("# OpenSSL refused CRYPTO_set_mem_functions: its memory is not counted");
    }
}

/// Client time per full handshake with `suite`, each client and the floor.
fn handshake_rows(plan: &Plan, setup: &Setup, suite: CipherSuite, label: &str) -> Vec<Row> {
    let server = setup.server(suite);
    let shape = handshake_shape(setup, &server);
    let kind = chain_kind(&setup.cert);
    let pkcs8 = pkcs8_of(&setup.cert);
    let n = match kind {
        ChainKind::EcdsaP256 => plan.handshakes,
        ChainKind::Rsa2048 => plan.rsa_handshakes,
    };
    match (setup.versions, setup.resumption) {
        (TlsVersions::Tls12Only, _) => {
            let floor = floor12::Tls12Floor::new(kind, &pkcs8, &shape);
            timed_handshake_rows(plan, setup, &server, &shape, &floor, n, label)
        }
        (_, false) => {
            let floor = HandshakeFloor::new(kind, &pkcs8, &shape);
            timed_handshake_rows(plan, setup, &server, &shape, &floor, n, label)
        }
        (_, true) => {
            let floor = HandshakeFloor::resumed(kind, &pkcs8, &shape);
            timed_handshake_rows(plan, setup, &server, &shape, &floor, n, label)
        }
    }
}

/// The rows of one handshake figure (resumed if the setup resumes): the
/// clients against `floor` run in their rhythm, and the floor back to
/// back.
fn timed_handshake_rows<F: floor::FloorHandshake>(
    plan: &Plan,
    setup: &Setup,
    server: &Arc<ServerConfig>,
    shape: &HandshakeShape,
    floor: &F,
    n: usize,
    label: &str,
) -> Vec<Row> {
    let c = &setup.clients;
    let resume = setup.resumption;
    let samples = plan.samples(&mut [
        &mut || figures::handshake_micros(&c.oxtls, server, n, resume),
        &mut || figures::handshake_micros(&c.rustls, server, n, resume),
        &mut || figures::handshake_micros(&c.openssl, server, n, resume),
        &mut || {
            floor::handshake_micros_in_rhythm(
                floor,
                server,
                &shape.client_hello,
                &|| server_awaiting_finished(setup, server),
                n,
            )
        },
        &mut || floor::handshake_micros(floor, plan.floor_handshakes),
    ]);
    vec![
        Row::new(
            format!(
                "{} handshake {label}",
                if resume { "resumed" } else { "full" }
            ),
            Unit::Micros,
        )
        .sampled([
            Some(&samples[0]),
            Some(&samples[1]),
            Some(&samples[2]),
            Some(&samples[3]),
        ]),
        Row::new(
            format!("floor: handshake {label}, back to back (hot caches)"),
            Unit::Micros,
        )
        .floor(median(samples[4].clone())),
    ]
}

/// A rustls client's handshake up to the Finished it sends, with what
/// each side sent on the way.
struct UpToFinished {
    client: <Rustls as Contender>::Conn,
    server: rustls::ServerConnection,
    hello: Vec<u8>,
    /// The server's first flight, as (content type, length) per record.
    flight_records: Vec<(u8, usize)>,
    finished: Vec<u8>,
}

fn up_to_finished(setup: &Setup, server: &Arc<ServerConfig>) -> UpToFinished {
    let mut client = setup.clients.rustls.connect();
    let mut server = rustls::ServerConnection::new(server.clone()).expect("server");
    let mut hello = Vec::new();
    Rustls::write_tls(&mut client, &mut hello);
    drive::server_receive(&mut server, &hello);
    let mut flight = Vec::new();
    drive::server_send(&mut server, &mut flight);
    let flight_records = common::pump::records(&flight);
    Rustls::stage_tls(&mut client, &mut flight);
    take_all_rustls(&mut client);
    let mut finished = Vec::new();
    Rustls::write_tls(&mut client, &mut finished);
    UpToFinished {
        client,
        server,
        hello,
        flight_records,
        finished,
    }
}

fn take_all_rustls(client: &mut <Rustls as Contender>::Conn) {
    let mut scratch = [0; 256];
    drive::client_take_all::<Rustls>(client, &mut drive::Reading::Copy(&mut scratch), |_| {});
}

/// A server that has sent its flight to a rustls client, with that
/// client's Finished for it (see `floor::AwaitingFinished`).
fn server_awaiting_finished(setup: &Setup, server: &Arc<ServerConfig>) -> floor::AwaitingFinished {
    let UpToFinished {
        mut client,
        server,
        finished,
        ..
    } = up_to_finished(setup, server);
    floor::AwaitingFinished {
        server,
        finished,
        take_reply: Box::new(move |reply| {
            Rustls::stage_tls(&mut client, reply);
            take_all_rustls(&mut client);
        }),
    }
}

/// The sizes of one real handshake (the rustls client, same server),
/// which the floor hashes and decrypts. With resumption, of a resumed
/// one: a full handshake first gives the client its ticket.
fn handshake_shape(setup: &Setup, server_config: &Arc<ServerConfig>) -> HandshakeShape {
    if setup.resumption {
        drop(drive::handshake(
            &setup.clients.rustls,
            server_config,
            &mut drive::Meter::default(),
        ));
    }
    let UpToFinished {
        mut server,
        hello,
        flight_records: records,
        finished,
        ..
    } = up_to_finished(setup, server_config);
    let server_hello_len = records.first().map_or(0, |&(_, len)| len);
    let server_plain_len = records
        .iter()
        .filter(|&&(typ, _)| typ == 22)
        .map(|&(_, len)| len)
        .sum();
    // Protected records carry the content type and a 16-byte tag.
    let server_flight_len = records
        .iter()
        .filter(|&&(typ, _)| typ == 23)
        .map(|&(_, len)| len - 17)
        .sum();
    // What the server sends after the client's Finished: its tickets.
    drive::server_receive(&mut server, &finished);
    let mut after = Vec::new();
    drive::server_send(&mut server, &mut after);
    let server_ticket_records = common::pump::records(&after)
        .iter()
        .filter(|&&(typ, _)| typ == 23)
        .map(|&(_, len)| len - 16)
        .collect();
    HandshakeShape {
        client_hello_len: hello.len() - 5,
        server_hello_len,
        server_flight_len,
        server_ticket_records,
        tickets_sent: server_config.send_tls13_tickets,
        leaf_len: setup.cert.leaf().len(),
        server_plain_len,
        client_hello: hello,
    }
}

/// How far past the plaintext, modulo 4 KiB, the worst-placed read buffer
/// starts: inside the band (1 to 15 bytes) where glibc's `rep movsb` runs
/// at a twenty-fifth of its speed on this machine.
const WORST_DISTANCE: usize = 8;

/// Client throughput each way with each AEAD, against raw ring.
fn bulk_rows(plan: &Plan, setup: &Setup) -> Vec<Row> {
    let suites = [
        (
            "AES-128-GCM",
            CipherSuite::TLS13_AES_128_GCM_SHA256,
            &ring::aead::AES_128_GCM,
        ),
        (
            "AES-256-GCM",
            CipherSuite::TLS13_AES_256_GCM_SHA384,
            &ring::aead::AES_256_GCM,
        ),
        (
            "ChaCha20-Poly1305",
            CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
            &ring::aead::CHACHA20_POLY1305,
        ),
    ];
    let c = &setup.clients;
    let bytes = plan.bulk_bytes;
    let floor_bytes = plan.floor_bytes;
    let mut rows = Vec::new();
    let mut c_api_rows = Vec::new();
    let mut floor_rows = Vec::new();
    for (name, suite, alg) in suites {
        let server = setup.server(suite);
        let mut ox = BulkPair::new(&c.oxtls, &server);
        let mut rs = BulkPair::new(&c.rustls, &server);
        let mut os = BulkPair::new(&c.openssl, &server);
        let send = plan.samples(&mut [
            &mut || ox.send_mbps(bytes),
            &mut || rs.send_mbps(bytes),
            &mut || os.send_mbps(bytes),
            &mut || floor::seal_mbps(alg, floor_bytes, true),
            &mut || floor::seal_mbps(alg, floor_bytes, false),
        ]);
        let receive = plan.samples(&mut [
            &mut || ox.receive_mbps(bytes),
            &mut || rs.receive_mbps(bytes),
            &mut || os.receive_mbps(bytes),
            &mut || floor::open_mbps(alg, floor_bytes, 0),
            &mut || floor::open_mbps(alg, floor_bytes, 2),
        ]);
        let in_place = plan.samples(&mut [
            &mut || ox.receive_in_place_mbps(bytes),
            &mut || rs.receive_in_place_mbps(bytes),
            &mut || floor::open_mbps(alg, floor_bytes, 0),
            &mut || floor::open_mbps(alg, floor_bytes, 1),
        ]);
        // Receive again with the caller's buffer where a plain memcpy of
        // the plaintext is slowest (AES-128-GCM only: the copy is the same
        // for every suite, and its share of the time largest here).
        if name == "AES-128-GCM" {
            let (mut ox, mut rs) = (
                BulkPair::new(&c.oxtls, &server),
                BulkPair::new(&c.rustls, &server),
            );
            ox.place_buffer_past_plaintext(WORST_DISTANCE);
            rs.place_buffer_past_plaintext(WORST_DISTANCE);
            let worst = plan.samples(&mut [
                &mut || ox.receive_mbps(bytes),
                &mut || rs.receive_mbps(bytes),
                &mut || floor::open_mbps(alg, floor_bytes, 0),
            ]);
            rows.push(
                Row::new(
                    format!(
                        "receive {name}, 16 KiB reads into a buffer {WORST_DISTANCE} bytes past the plaintext mod 4 KiB (floor: raw open)"
                    ),
                    Unit::MegabytesPerSec,
                )
                .sampled([Some(&worst[0]), Some(&worst[1]), None, Some(&worst[2])]),
            );
        }
        // The same oxtls through its C API, against the Rust API in the
        // same run (sampled side by side).
        let mut ox_c = BulkPair::new(&c.oxtls_c, &server);
        let c_send =
            plan.samples(&mut [&mut || ox_c.send_mbps(bytes), &mut || ox.send_mbps(bytes)]);
        let c_receive = plan.samples(&mut [&mut || ox_c.receive_mbps(bytes), &mut || {
            ox.receive_mbps(bytes)
        }]);
        c_api_rows.push(
            Row::new(
                format!("C API send {name} (floor column: the Rust API)"),
                Unit::MegabytesPerSec,
            )
            .sampled([Some(&c_send[0]), None, None, Some(&c_send[1])]),
        );
        c_api_rows.push(
            Row::new(
                format!("C API receive {name} (floor column: the Rust API)"),
                Unit::MegabytesPerSec,
            )
            .sampled([Some(&c_receive[0]), None, None, Some(&c_receive[1])]),
        );
        rows.push(
            Row::new(
                format!("send {name}, 16 KiB writes (floor: seal + 2 copies)"),
                Unit::MegabytesPerSec,
            )
            .sampled([
                Some(&send[0]),
                Some(&send[1]),
                Some(&send[2]),
                Some(&send[3]),
            ]),
        );
        rows.push(
            Row::new(
                format!("receive {name}, 16 KiB reads (floor: raw open)"),
                Unit::MegabytesPerSec,
            )
            .sampled([
                Some(&receive[0]),
                Some(&receive[1]),
                Some(&receive[2]),
                Some(&receive[3]),
            ]),
        );
        rows.push(
            Row::new(
                format!("receive {name}, lent in place by BufRead (floor: raw open)"),
                Unit::MegabytesPerSec,
            )
            .sampled([
                Some(&in_place[0]),
                Some(&in_place[1]),
                None,
                Some(&in_place[2]),
            ]),
        );
        floor_rows.push(
            Row::new(
                format!("floor: raw seal {name} 16 KiB"),
                Unit::MegabytesPerSec,
            )
            .floor(median(send[4].clone())),
        );
        floor_rows.push(
            Row::new(
                format!("floor: seal + 2 copies {name}"),
                Unit::MegabytesPerSec,
            )
            .floor(median(send[3].clone())),
        );
        floor_rows.push(
            Row::new(
                format!("floor: raw open {name} 16 KiB"),
                Unit::MegabytesPerSec,
            )
            .floor(median(receive[3].clone())),
        );
        floor_rows.push(
            Row::new(
                format!("floor: open + 1 copy (in) {name}"),
                Unit::MegabytesPerSec,
            )
            .floor(median(in_place[3].clone())),
        );
        floor_rows.push(
            Row::new(
                format!("floor: open + 2 copies {name}"),
                Unit::MegabytesPerSec,
            )
            .floor(median(receive[4].clone())),
        );
    }
    rows.extend(c_api_rows);
    rows.extend(floor_rows);
    rows
}

/// Heap held per idle connection, peak during a handshake, allocations.
fn memory_rows(plan: &Plan, setup: &Setup, openssl_counted: bool) -> Vec<Row> {
    let server = setup.server(CipherSuite::TLS13_AES_128_GCM_SHA256);
    let c = &setup.clients;
    let n = plan.memory_conns;
    let ox = figures::memory(&c.oxtls, &server, n);
    check_memory_budgets(&ox);
    let rs = figures::memory(&c.rustls, &server, n);
    let os = figures::memory(&c.openssl, &server, n);
    let os = openssl_counted.then_some(os);
    let row = |figure: &str, unit: Unit, value: fn(&MemoryFigures) -> f64| {
        Row::new(figure, unit).clients([Some(value(&ox)), Some(value(&rs)), os.as_ref().map(value)])
    };
    vec![
        row(
            &format!("idle heap per connection after handshake (of {n})"),
            Unit::Bytes,
            |m| m.idle_bytes,
        ),
        row(
            "idle heap blocks per connection after handshake",
            Unit::Blocks,
            |m| m.idle_blocks,
        ),
        row(
            "idle heap per connection after 16 KiB each way",
            Unit::Bytes,
            |m| m.after_data_bytes,
        ),
        row(
            "idle heap blocks per connection after 16 KiB each way",
            Unit::Blocks,
            |m| m.after_data_blocks,
        ),
        row("peak heap during one full handshake", Unit::Bytes, |m| {
            m.peak_bytes
        }),
        row("allocations per full handshake", Unit::Count, |m| m.allocs),
        row("allocations per 16 KiB record sent", Unit::Count, |m| {
            m.send_allocs
        }),
        row("allocations per 16 KiB record received", Unit::Count, |m| {
            m.receive_allocs
        }),
        Row::new(
            "connection struct, inline (counted above as one block)",
            Unit::Bytes,
        )
        .clients([
            Some(c.oxtls.inline_size() as f64),
            Some(c.rustls.inline_size() as f64),
            Some(c.openssl.inline_size() as f64),
        ]),
    ]
}

/// Issue 7's memory targets: at most 4 KiB in at most 6 heap blocks per
/// idle connection, and at most 40 allocations per full handshake.
const MAX_IDLE_BYTES: f64 = 4096.0;
const MAX_IDLE_BLOCKS: f64 = 6.0;
/// oxtls makes 15 allocations per full handshake. The line sits well below
/// the target of 40 so that a slip such as an allocation per derived
/// secret (there are 16) fails the smoke run, not just a later reading of
/// the table: it has happened once.
const MAX_ALLOCS_PER_HANDSHAKE: f64 = 24.0;

/// Fails the run if oxtls breaks a memory budget. These are counts, as
/// repeatable as the allocator's calls, not timings, so the smoke run under
/// `cargo test` can hold them.
fn check_memory_budgets(ox: &MemoryFigures) {
    assert!(
        ox.idle_bytes <= MAX_IDLE_BYTES && ox.idle_blocks <= MAX_IDLE_BLOCKS,
        "oxtls holds {} bytes in {} blocks per idle connection; the budget is {MAX_IDLE_BYTES} in {MAX_IDLE_BLOCKS}",
        ox.idle_bytes,
        ox.idle_blocks
    );
    assert!(
        ox.allocs <= MAX_ALLOCS_PER_HANDSHAKE,
        "oxtls makes {} allocations per full handshake; the budget is {MAX_ALLOCS_PER_HANDSHAKE}",
        ox.allocs
    );
}

/// `--profile CLIENT FIGURE [N]`: one client's work alone, for a profiler.
fn profile(args: &[String]) {
    let usage =
        "usage: --profile oxtls|rustls|openssl|floor FIGURE [N] [--calls] [--aead aes128|aes256|chacha20]";
    let (Some(client), Some(figure)) = (args.first(), args.get(1)) else {
        panic!("{usage}");
    };
    let calls = args.iter().any(|a| a == "--calls");
    assert!(
        !calls || figure.starts_with("handshake"),
        "--calls breaks down handshakes only"
    );
    // `--aead NAME` picks the bulk figures' suite (default AES-128-GCM).
    let aead = args
        .iter()
        .position(|a| a == "--aead")
        .map(|i| args.get(i + 1).expect("--aead needs a name").as_str());
    let (bulk_suite, bulk_alg) = match aead {
        None | Some("aes128") => (
            CipherSuite::TLS13_AES_128_GCM_SHA256,
            &ring::aead::AES_128_GCM,
        ),
        Some("aes256") => (
            CipherSuite::TLS13_AES_256_GCM_SHA384,
            &ring::aead::AES_256_GCM,
        ),
        Some("chacha20") => (
            CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
            &ring::aead::CHACHA20_POLY1305,
        ),
        Some(other) => panic!("no AEAD {other:?}: aes128, aes256 or chacha20"),
    };
    // N: the one argument after FIGURE that is neither a flag nor the
    // name after `--aead`.
    let mut rest = args.iter().skip(2);
    let mut n = None;
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--calls" => {}
            "--aead" => {
                rest.next();
            }
            other => n = Some(other.parse::<usize>().expect("N is a number")),
        }
    }
    let n = n.unwrap_or(100);
    let key_type = match figure.as_str() {
        "handshake-rsa" => KeyType::Rsa2048,
        _ => KeyType::EcdsaP256,
    };
    let resumption = figure == "handshake-resumed";
    let (versions, suite) = match figure.as_str() {
        "handshake-tls12" => (
            TlsVersions::Tls12Only,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ),
        f if f.starts_with("handshake") => (
            TlsVersions::Tls13Only,
            CipherSuite::TLS13_AES_128_GCM_SHA256,
        ),
        _ => (TlsVersions::Tls13Only, bulk_suite),
    };
    let setup = Setup::with_resumption(key_type, versions, resumption);
    let server = setup.server(suite);
    drive::calibrate();
    if calls {
        drive::log_calls();
    }
    fn run<C: clients::Contender>(
        c: &C,
        figure: &str,
        server: &Arc<ServerConfig>,
        n: usize,
    ) -> f64 {
        match figure {
            "handshake" | "handshake-rsa" | "handshake-tls12" => {
                figures::handshake_micros(c, server, n, false)
            }
            "handshake-resumed" => figures::handshake_micros(c, server, n, true),
            "send" => BulkPair::new(c, server).send_mbps(n << 20),
            "receive" => BulkPair::new(c, server).receive_mbps(n << 20),
            "receive-in-place" => BulkPair::new(c, server).receive_in_place_mbps(n << 20),
            other => panic!("no figure {other:?}"),
        }
    }
    let c = &setup.clients;
    let value = match client.as_str() {
        "floor" => profile_floor(&setup, figure, &server, n, bulk_alg),
        "oxtls" => run(&c.oxtls, figure, &server, n),
        "rustls" => run(&c.rustls, figure, &server, n),
        "openssl" => run(&c.openssl, figure, &server, n),
        other => panic!("no client {other:?}; {usage}"),
    };
    eprintln!("{client} {figure}: {value:.1}");
    if calls {
        drive::print_calls();
    }
}

/// The floor of a `--profile` figure.
fn profile_floor(
    setup: &Setup,
    figure: &str,
    server: &Arc<ServerConfig>,
    n: usize,
    bulk_alg: &'static ring::aead::Algorithm,
) -> f64 {
    match figure {
        "handshake-tls12" => {
            let shape = handshake_shape(setup, server);
            let floor =
                floor12::Tls12Floor::new(chain_kind(&setup.cert), &pkcs8_of(&setup.cert), &shape);
            floor::handshake_micros_in_rhythm(
                &floor,
                server,
                &shape.client_hello,
                &|| server_awaiting_finished(setup, server),
                n,
            )
        }
        "handshake" | "handshake-rsa" | "handshake-resumed" => {
            let kind = chain_kind(&setup.cert);
            let shape = handshake_shape(setup, server);
            let pkcs8 = pkcs8_of(&setup.cert);
            let floor = if setup.resumption {
                HandshakeFloor::resumed(kind, &pkcs8, &shape)
            } else {
                HandshakeFloor::new(kind, &pkcs8, &shape)
            };
            floor::handshake_micros_in_rhythm(
                &floor,
                server,
                &shape.client_hello,
                &|| server_awaiting_finished(setup, server),
                n,
            )
        }
        "send" => floor::seal_mbps(bulk_alg, n << 20, true),
        "receive" => floor::open_mbps(bulk_alg, n << 20, 2),
        "receive-in-place" => floor::open_mbps(bulk_alg, n << 20, 1),
        other => panic!("no figure {other:?}"),
    }
}

/// The floor's signature algorithm for a test certificate.
fn chain_kind(cert: &IssuedCert) -> ChainKind {
    match cert.key_type {
        KeyType::EcdsaP256 => ChainKind::EcdsaP256,
        KeyType::Rsa2048 => ChainKind::Rsa2048,
        other => unimplemented!("no handshake floor for {other:?} chains"),
    }
}

/// The server key as PKCS#8 DER, for the floor's signatures.
fn pkcs8_of(cert: &IssuedCert) -> Vec<u8> {
    match cert.key() {
        rustls::pki_types::PrivateKeyDer::Pkcs8(key) => key.secret_pkcs8_der().to_vec(),
        _ => unreachable!("the test PKI makes PKCS#8 keys"),
    }
}
