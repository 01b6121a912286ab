//! One connection to the runner, as BoringSSL's `bssl_shim.cc` makes it:
//! connect and identify, write 0-RTT data if the test and the session
//! allow, handshake, check what the test expects of the handshake, then
//! the exchange (export keying material, write first or echo every
//! message back with its bytes inverted), check the sessions received,
//! then shut down.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, TcpStream};
use std::time::Duration;

use oxtls::pki_types::pem::PemObject;
use oxtls::pki_types::CertificateDer;
use oxtls::{
    ClientConnection, Error, HandshakeKind, PeerIncompatible, ProtocolVersion, SignatureScheme,
};

use crate::flags::Options;
use crate::report::Failure;
use crate::sessions::ShimSessionStore;
use crate::settings::{Settings, Unimplemented};

/// How a connection ended, when it did not succeed.
pub enum Outcome {
    Unimplemented(Unimplemented),
    Failed(Failure),
}

impl From<Unimplemented> for Outcome {
    fn from(u: Unimplemented) -> Self {
        Self::Unimplemented(u)
    }
}

impl From<Failure> for Outcome {
    fn from(f: Failure) -> Self {
        Self::Failed(f)
    }
}

impl From<Error> for Outcome {
    fn from(e: Error) -> Self {
        Self::Failed(Failure::Tls(e))
    }
}

impl From<io::Error> for Outcome {
    fn from(e: io::Error) -> Self {
        Self::Failed(Failure::from(e))
    }
}

/// The runner's socket; with `-async`, reads hand oxtls one byte at a
/// time, so every record and handshake message arrives in pieces.
struct Transport {
    sock: TcpStream,
    trickle: bool,
}

impl Read for Transport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = if self.trickle {
            buf.len().min(1)
        } else {
            buf.len()
        };
        match buf.get_mut(..n) {
            Some(part) => self.sock.read(part),
            None => Ok(0),
        }
    }
}

impl Drop for Transport {
    /// As bssl_shim.cc does: half-close, then read until the runner closes
    /// too, so that the runner's last writes do not fail (a broken pipe)
    /// before it has read our alert.
    fn drop(&mut self) {
        let _ = self.sock.shutdown(Shutdown::Write);
        let _ = self.sock.set_read_timeout(Some(Duration::from_secs(5)));
        let mut buf = [0u8; 4096];
        while matches!(self.sock.read(&mut buf), Ok(n) if n > 0) {}
    }
}

impl Write for Transport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sock.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sock.flush()
    }
}

/// BoringSSL reads 512 bytes at a time so records span several reads.
const DEFAULT_READ_SIZE: usize = 512;

/// The sizes `-write-different-record-sizes` writes, as bssl_shim.cc.
const RECORD_SIZES: &[usize] = &[
    0, 1, 255, 256, 257, 16383, 16384, 16385, 32767, 32768, 32769,
];

/// One connection of a test: its options and its place in the test.
pub struct Connection<'a> {
    /// The `-on-initial-` or `-on-resume-` options.
    pub opts: &'a Options,
    /// The `-on-retry-` options, which apply once 0-RTT data is refused.
    pub retry: &'a Options,
    /// Whether this connection is one that resumes (not the first).
    pub resume: bool,
    /// The session store every connection of the test shares.
    pub store: &'a ShimSessionStore,
}

/// What a session remembers of the full handshake that made it, which a
/// resumed connection reports as its own (as BoringSSL's `SSL_SESSION`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionFacts {
    pub verdict: Option<bool>,
    pub peer_signature_scheme: Option<SignatureScheme>,
}

/// Makes one connection to the runner and runs the test on it. `session`
/// holds what the session this connection may resume remembers, and is
/// updated by a full handshake. Returns the version negotiated.
pub fn run(
    c: &Connection<'_>,
    settings: Settings,
    session: &mut SessionFacts,
) -> Result<Option<ProtocolVersion>, Outcome> {
    let sock = connect(c.opts)?;
    let mut io = Transport {
        sock,
        trickle: c.opts.async_io,
    };
    let mut conn = ClientConnection::new(settings.config.clone(), settings.server_name.clone())?;
    let sessions_before = c.store.received();

    // bssl_shim.cc: a client offering 0-RTT returns from the handshake at
    // once, and its first write goes out as early data.
    let offered_early_data = conn.early_data().is_some();
    if c.resume && c.opts.expect_no_offer_early_data && offered_early_data {
        return Err(Failure::Shim("client unexpectedly offered early data".into()).into());
    }
    let mut first_write = initial_write(c.opts);
    if offered_early_data {
        // bssl_shim.cc exports right after a 0-RTT "handshake", which
        // must fail: the handshake is not complete.
        if c.opts.export_keying_material > 0 {
            conn.export_keying_material(vec![0u8; c.opts.export_keying_material], b"", None)?;
        }
        write_early_data(&mut conn, &mut io, &mut first_write)?;
    }

    if let Err(failure) = handshake(&mut conn, &mut io) {
        return Err(match oxtls_lacks(&failure) {
            Some(why) => Outcome::Unimplemented(why),
            None => Outcome::Failed(failure),
        });
    }

    let accepted = conn.is_early_data_accepted();
    let refused = offered_early_data && !accepted;
    let opts = if refused {
        if !(c.resume && c.opts.expect_reject_early_data) {
            return Err(Failure::Shim(
                "the server refused our 0-RTT data (SSL_ERROR_EARLY_DATA_REJECTED)".into(),
            )
            .into());
        }
        // bssl_shim.cc goes on as the retry connection, which writes
        // first only if the -on-retry- options say so.
        first_write = initial_write(c.retry);
        c.retry
    } else {
        if c.resume && c.opts.expect_reject_early_data {
            return Err(Failure::Shim("0-RTT exchange unexpectedly succeeded".into()).into());
        }
        c.opts
    };
    if opts.expect_accept_early_data && !accepted {
        return Err(Failure::Shim("early data was not accepted, but we expected it".into()).into());
    }

    // Checks made while in early data (accepted) expect a resumption
    // whatever -expect-session-miss says, as BoringSSL's do.
    let expect_resume = c.resume && (!opts.expect_session_miss || accepted);
    let facts = check_handshake(opts, &conn, &settings, expect_resume, session)?;
    let version = conn.protocol_version();
    if version == Some(ProtocolVersion::TLSv1_2) {
        check_new_tls12_session(opts, &conn, c.store, sessions_before)?;
    }
    exchange(opts, &mut conn, &mut io, &first_write)?;
    if version == Some(ProtocolVersion::TLSv1_3) {
        check_new_session(opts, c.store, sessions_before)?;
    }
    shutdown(opts, &mut conn, &mut io)?;
    *session = facts;
    Ok(version)
}

/// What `-shim-writes-first` writes: the initial write, repeated, one
/// write (so one record, as the runner checks) each.
fn initial_write(opts: &Options) -> Vec<Vec<u8>> {
    if !opts.shim_writes_first {
        return Vec::new();
    }
    vec![opts.shim_initial_write.clone(); opts.repeat_shim_initial_write as usize]
}

/// Writes as many of `writes` as the session allows as 0-RTT data, each
/// sent at once (as `SSL_write` would), leaving in `writes` what is left
/// for after the handshake.
fn write_early_data(
    conn: &mut ClientConnection,
    io: &mut Transport,
    writes: &mut Vec<Vec<u8>>,
) -> Result<(), Failure> {
    let mut done = 0;
    for write in writes.iter_mut() {
        let Some(mut early) = conn.early_data() else {
            break;
        };
        let n = early.write(write)?;
        write.drain(..n);
        send(conn, io)?;
        if !write.is_empty() {
            break;
        }
        done += 1;
    }
    writes.drain(..done);
    Ok(())
}

/// bssl_shim.cc's check, at the end of a TLS 1.2 handshake, that a full
/// handshake (or a resumption that renewed its ticket) left a new session
/// to resume, unless the test says none will. oxtls keeps only sessions
/// with the extended master secret (RFC 7627 §5.3); tests of sessions
/// without it are disabled in config.json.
fn check_new_tls12_session(
    opts: &Options,
    conn: &ClientConnection,
    store: &ShimSessionStore,
    before: usize,
) -> Result<(), Failure> {
    let resumed = conn.handshake_kind() == Some(HandshakeKind::Resumed);
    let got = store.received() > before;
    let want = !opts.expect_no_session && (!resumed || opts.expect_ticket_renewal);
    if got != want {
        return Err(Failure::Shim(format!(
            "new session was{} cached, but we expected the opposite",
            if got { "" } else { " not" }
        )));
    }
    Ok(())
}

/// bssl_shim.cc's check, after the exchange of a TLS 1.3 connection, that
/// a new session arrived (unless the test says none will) and whether it
/// allows 0-RTT data.
fn check_new_session(
    opts: &Options,
    store: &ShimSessionStore,
    before: usize,
) -> Result<(), Failure> {
    let got = store.received() > before;
    let want = !opts.expect_no_session && !opts.shim_shuts_down;
    if got != want {
        return Err(Failure::Shim(format!(
            "new session was{} cached, but we expected the opposite",
            if got { "" } else { " not" }
        )));
    }
    if want && store.newest_allows_early_data() != opts.expect_ticket_supports_early_data {
        return Err(Failure::Shim(format!(
            "new session did{} support early data, but we expected the opposite",
            if store.newest_allows_early_data() {
                ""
            } else {
                " not"
            }
        )));
    }
    Ok(())
}

/// Connects to the runner and sends the shim id (a 64-bit little-endian
/// integer), as PORTING.md describes.
fn connect(opts: &Options) -> io::Result<TcpStream> {
    let mut sock = if opts.ipv6 {
        TcpStream::connect((Ipv6Addr::LOCALHOST, opts.port))?
    } else {
        TcpStream::connect((Ipv4Addr::LOCALHOST, opts.port))?
    };
    sock.set_nodelay(true)?;
    sock.write_all(&opts.shim_id.to_le_bytes())?;
    Ok(sock)
}

/// Runs the handshake to completion with oxtls's sans-I/O calls, sending
/// the alert of a failure. (Not `complete_io`: it goes on to read after
/// the handshake has completed, which deadlocks a client that speaks first
/// against a server that sends nothing, such as one without tickets.)
fn handshake(conn: &mut ClientConnection, io: &mut Transport) -> Result<(), Failure> {
    loop {
        send(conn, io)?;
        if !conn.is_handshaking() {
            return Ok(());
        }
        let n = conn.read_tls(io)?;
        if let Err(e) = conn.process_new_packets() {
            let _ = flush(conn, io);
            return Err(e.into());
        }
        if n == 0 && conn.is_handshaking() {
            return Err(Failure::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection during the handshake",
            )));
        }
    }
}

/// After a failed write, reads what the server sent before it hung up:
/// an alert there explains the failure better than the write error.
fn drain_after_write_error(
    conn: &mut ClientConnection,
    io: &mut Transport,
    write_error: io::Error,
) -> Failure {
    while let Ok(n) = conn.read_tls(io) {
        if let Err(e) = conn.process_new_packets() {
            return e.into();
        }
        if n == 0 {
            break;
        }
    }
    write_error.into()
}

/// A handshake that failed only because the server chose what oxtls does
/// not implement yet (TLS 1.2) is "unimplemented", not a failure.
fn oxtls_lacks(failure: &Failure) -> Option<Unimplemented> {
    match failure {
        Failure::Tls(Error::PeerIncompatible(PeerIncompatible::Other(why, _)))
            if why.contains("not implemented") =>
        {
            Some(Unimplemented(format!(
                "server chose what oxtls lacks: {why}"
            )))
        }
        _ => None,
    }
}

/// What bssl_shim.cc's `CheckHandshakeProperties` asks of a client.
/// Returns what a session made by this handshake would remember.
fn check_handshake(
    opts: &Options,
    conn: &ClientConnection,
    settings: &Settings,
    expect_resume: bool,
    session: &SessionFacts,
) -> Result<SessionFacts, Outcome> {
    let fail = |why: String| Err(Failure::Shim(why).into());
    let version = conn.protocol_version().map(u16::from);
    if let Some(want) = opts.expect_version {
        if version != Some(want) {
            return fail(format!("want version {want:04x}, got {version:04x?}"));
        }
    }
    if let Some(want) = opts.expect_curve_id {
        let group = conn
            .negotiated_key_exchange_group()
            .map(|g| u16::from(g.name()));
        if group != Some(want) {
            return fail(format!("want group {want:04x}, got {group:04x?}"));
        }
    }
    let kind = conn.handshake_kind();
    let resumed = kind == Some(HandshakeKind::Resumed);
    if resumed != expect_resume {
        return fail(format!(
            "session unexpectedly was{} reused",
            if resumed { "" } else { " not" }
        ));
    }
    if opts.expect_hrr || opts.expect_no_hrr {
        let hrr = match kind {
            Some(HandshakeKind::FullWithHelloRetryRequest) => true,
            Some(HandshakeKind::Full) => false,
            _ => {
                return Err(Unimplemented(
                    "-expect-hrr: oxtls does not say whether a resumed handshake had a HelloRetryRequest"
                        .into(),
                )
                .into())
            }
        };
        if hrr != opts.expect_hrr {
            return fail(format!(
                "got {}HRR, but wanted opposite",
                if hrr { "" } else { "no " }
            ));
        }
    }
    let suite = conn.negotiated_cipher_suite().map(|s| u16::from(s.suite()));
    if suite.is_none() {
        return fail("no cipher suite after the handshake".into());
    }
    if let Some(want) = opts.expect_cipher {
        if suite != Some(want) {
            return fail(format!("cipher was {suite:04x?}, wanted {want:04x}"));
        }
    }
    let alpn = conn.alpn_protocol().unwrap_or_default();
    if alpn != opts.expect_alpn.as_slice() {
        return fail(format!(
            "negotiated ALPN protocol {:?}, wanted {:?}",
            String::from_utf8_lossy(alpn),
            String::from_utf8_lossy(&opts.expect_alpn)
        ));
    }
    // A resumed connection verifies nothing: it reports what the session
    // remembers of the handshake that made it.
    let facts = if resumed {
        *session
    } else {
        let observed = settings.verifier.observed();
        SessionFacts {
            verdict: observed.verdict,
            peer_signature_scheme: observed.peer_signature_scheme,
        }
    };
    if let Some(want) = opts.expect_peer_signature_algorithm {
        let got = facts.peer_signature_scheme.map(u16::from);
        if got != Some(want) {
            return fail(format!(
                "peer signature algorithm was {got:04x?}, wanted {want:04x}"
            ));
        }
    }
    if opts.expect_verify_result && facts.verdict != Some(!opts.verify_fail) {
        return fail(format!(
            "wrong certificate verification result: {:?}",
            facts.verdict
        ));
    }
    let Some(chain) = conn.peer_certificates() else {
        return fail("received no peer certificate but expected one".into());
    };
    if let Some(file) = &opts.expect_peer_cert_file {
        let want = CertificateDer::pem_file_iter(file)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| Failure::Shim(format!("cannot read {file}: {e}")))?;
        if chain != want.as_slice() {
            return fail(format!(
                "received a chain of {} certificates, not the {} of {file}",
                chain.len(),
                want.len()
            ));
        }
    }
    if opts.expect_total_renegotiations != 0 {
        return fail(format!(
            "expected {} renegotiations, got 0",
            opts.expect_total_renegotiations
        ));
    }
    Ok(facts)
}

/// After the handshake: what the runner expects to read from us.
/// `first_write` is what `-shim-writes-first` still has to write (0-RTT
/// data may have taken some or all of it).
fn exchange(
    opts: &Options,
    conn: &mut ClientConnection,
    io: &mut Transport,
    first_write: &[Vec<u8>],
) -> Result<(), Failure> {
    if opts.export_keying_material > 0 {
        let context = opts
            .use_export_context
            .then_some(opts.export_context.as_slice());
        let secret = conn
            .export_keying_material(
                vec![0u8; opts.export_keying_material],
                &opts.export_label,
                context,
            )
            .map_err(|e| Failure::Shim(format!("failed to export keying material: {e}")))?;
        write_all(conn, io, &secret)?;
    }

    if opts.write_different_record_sizes {
        let data = vec![0x42u8; RECORD_SIZES.iter().copied().max().unwrap_or(0)];
        for &len in RECORD_SIZES {
            // SSL_write of nothing writes nothing.
            if let Some(chunk) = data.get(..len).filter(|c| !c.is_empty()) {
                write_all(conn, io, chunk)?;
            }
        }
        return Ok(());
    }

    for write in first_write {
        write_all(conn, io, write)?;
    }
    if opts.shim_shuts_down {
        return Ok(());
    }

    let read_size = if opts.read_size > 0 {
        opts.read_size
    } else {
        DEFAULT_READ_SIZE
    };
    let mut buf = vec![0u8; read_size];
    loop {
        let n = match read_plaintext(conn, io, &mut buf)? {
            ReadOutcome::Data(n) => n,
            // bssl_shim.cc stops on a clean or an unclean close alike; the
            // shutdown step tells them apart when asked to.
            ReadOutcome::Closed => return Ok(()),
        };
        if opts.use_exporter_between_reads {
            conn.export_keying_material([0u8; 1], b"", None)
                .map_err(|e| Failure::Shim(format!("failed to export keying material: {e}")))?;
        }
        let reply: Vec<u8> = buf
            .get(..n)
            .unwrap_or_default()
            .iter()
            .map(|b| b ^ 0xff)
            .collect();
        write_all(conn, io, &reply)?;
    }
}

/// The end of the connection, as `SSL_shutdown` would do it: quietly
/// (nothing sent, nothing checked) unless `-check-close-notify`, in which
/// case we send close_notify and the server's must arrive.
fn shutdown(
    opts: &Options,
    conn: &mut ClientConnection,
    io: &mut Transport,
) -> Result<(), Failure> {
    if !opts.check_close_notify {
        return Ok(());
    }
    conn.send_close_notify();
    // The peer may be gone already; what matters is its close_notify.
    let _ = flush(conn, io);
    if opts.shim_shuts_down {
        // Wait for the server's close_notify; data before it is an error.
        let mut buf = [0u8; 1];
        match read_plaintext(conn, io, &mut buf)? {
            ReadOutcome::Data(_) => {
                return Err(Failure::Shim(
                    "application data arrived during shutdown".into(),
                ))
            }
            ReadOutcome::Closed => {}
        }
    }
    if !conn.process_new_packets().map(|s| s.peer_has_closed())? {
        return Err(Failure::Shim(
            "Unexpected SSL_shutdown result: the server closed without close_notify".into(),
        ));
    }
    Ok(())
}

/// What one read of plaintext produced.
enum ReadOutcome {
    Data(usize),
    /// The server closed, with or without close_notify.
    Closed,
}

/// Reads plaintext into `buf`, reading from the transport as needed.
fn read_plaintext(
    conn: &mut ClientConnection,
    io: &mut Transport,
    buf: &mut [u8],
) -> Result<ReadOutcome, Failure> {
    loop {
        match conn.reader().read(buf) {
            Ok(0) => return Ok(ReadOutcome::Closed),
            Ok(n) => return Ok(ReadOutcome::Data(n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(ReadOutcome::Closed),
            Err(e) => return Err(e.into()),
        }
        // Whatever processing queued (a KeyUpdate answer) goes out first.
        send(conn, io)?;
        conn.read_tls(io)?;
        if let Err(e) = conn.process_new_packets() {
            let _ = flush(conn, io);
            return Err(e.into());
        }
    }
}

/// Writes all of `data` as plaintext, sending records as they fill.
fn write_all(
    conn: &mut ClientConnection,
    io: &mut Transport,
    mut data: &[u8],
) -> Result<(), Failure> {
    while !data.is_empty() {
        let n = conn.writer().write(data)?;
        send(conn, io)?;
        if n == 0 {
            return Err(Failure::Shim("the connection took no plaintext".into()));
        }
        data = data.get(n..).unwrap_or_default();
    }
    Ok(())
}

/// Sends every queued TLS byte; if the server has hung up, reports why.
fn send(conn: &mut ClientConnection, io: &mut Transport) -> Result<(), Failure> {
    flush(conn, io).map_err(|e| drain_after_write_error(conn, io, e))
}

/// Sends every queued TLS byte.
fn flush(conn: &mut ClientConnection, io: &mut Transport) -> io::Result<()> {
    while conn.wants_write() {
        conn.write_tls(io)?;
    }
    io.flush()
}
