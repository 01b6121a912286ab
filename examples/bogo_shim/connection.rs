//! One connection to the runner, as BoringSSL's `bssl_shim.cc` makes it:
//! connect and identify, handshake, check what the test expects of the
//! handshake, then the exchange (export keying material, write first or
//! echo every message back with its bytes inverted), then shut down.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, TcpStream};

use oxtls::pki_types::pem::PemObject;
use oxtls::pki_types::CertificateDer;
use oxtls::{ClientConnection, Error, PeerIncompatible};

use crate::flags::Options;
use crate::report::Failure;
use crate::settings::{Settings, Unimplemented};

/// How a connection ended, when it did not succeed.
pub enum Outcome {
    Unimplemented(Unimplemented),
    Failed(Failure),
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

/// Makes one connection to the runner and runs the test on it.
pub fn run(opts: &Options, settings: Settings) -> Result<(), Outcome> {
    let sock = connect(opts)?;
    let mut io = Transport {
        sock,
        trickle: opts.async_io,
    };
    let mut conn = ClientConnection::new(settings.config.clone(), settings.server_name.clone())?;

    if let Err(failure) = handshake(&mut conn, &mut io) {
        return Err(match oxtls_lacks(&failure) {
            Some(why) => Outcome::Unimplemented(why),
            None => Outcome::Failed(failure),
        });
    }
    check_handshake(opts, &conn, &settings)?;
    exchange(opts, &mut conn, &mut io)?;
    shutdown(opts, &mut conn, &mut io)?;
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
fn check_handshake(
    opts: &Options,
    conn: &ClientConnection,
    settings: &Settings,
) -> Result<(), Failure> {
    let fail = |why: String| Err(Failure::Shim(why));
    let version = conn.protocol_version().map(u16::from);
    if let Some(want) = opts.expect_version {
        if version != Some(want) {
            return fail(format!("want version {want:04x}, got {version:04x?}"));
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
    let observed = settings.verifier.observed();
    if let Some(want) = opts.expect_peer_signature_algorithm {
        let got = observed.peer_signature_scheme.map(u16::from);
        if got != Some(want) {
            return fail(format!(
                "peer signature algorithm was {got:04x?}, wanted {want:04x}"
            ));
        }
    }
    if opts.expect_verify_result && observed.verdict != Some(!opts.verify_fail) {
        return fail(format!(
            "wrong certificate verification result: {:?}",
            observed.verdict
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
    Ok(())
}

/// After the handshake: what the runner expects to read from us.
fn exchange(
    opts: &Options,
    conn: &mut ClientConnection,
    io: &mut Transport,
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

    if opts.shim_writes_first {
        for _ in 0..opts.repeat_shim_initial_write {
            write_all(conn, io, &opts.shim_initial_write)?;
        }
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
