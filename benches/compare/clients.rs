//! The three clients under test behind one small trait, so every figure
//! is measured by the same generic code.
//!
//! Each connection keeps the TLS bytes the harness handed it ("staged")
//! until its own calls take them in, so the copy into the client's buffer
//! is timed for every client: `read_tls` for oxtls and rustls, the BIO read
//! inside `SSL_read`/`SSL_do_handshake` for OpenSSL. Likewise each client
//! copies what it sends out once, in a timed call.
//!
//! Adding a client, or a new kind of handshake (resumption, TLS 1.2) to an
//! existing one, means another `Contender` or another config here.

use std::io::{self, BufRead, Read, Write};
use std::sync::{Arc, Mutex};

use openssl::ssl::{
    ErrorCode, Ssl, SslContext, SslMethod, SslSession, SslSessionCacheMode, SslStream, SslVersion,
};
use openssl::x509::X509;
use rustls::pki_types::{CertificateDer, ServerName};

use crate::common::TlsVersions;
use crate::counting_alloc::untracked;

/// A TLS client as the harness drives it. Methods other than
/// [`Contender::stage_tls`] and the queries are the client's own work,
/// which the harness times and counts.
pub trait Contender {
    type Conn;
    fn name(&self) -> &'static str;
    /// Bytes of a connection held inline (not on the heap) by the caller.
    fn inline_size(&self) -> usize;
    /// Starts a connection to "localhost"; the ClientHello is queued
    /// when this returns.
    fn connect(&self) -> Self::Conn;
    /// Hands the connection bytes received from the server, leaving
    /// `tls` empty. Harness work: not timed.
    fn stage_tls(conn: &mut Self::Conn, tls: &mut Vec<u8>);
    /// Staged bytes the client has not taken in yet.
    fn staged_len(conn: &Self::Conn) -> usize;
    /// Takes in staged bytes and processes them (handshake messages, or
    /// records whose plaintext `read_plaintext` then returns).
    fn process_tls(conn: &mut Self::Conn);
    /// Appends every TLS byte waiting to be sent to `out`.
    fn write_tls(conn: &mut Self::Conn, out: &mut Vec<u8>);
    fn is_handshaking(conn: &Self::Conn) -> bool;
    /// Sends all of `data` as application data (queued for `write_tls`).
    fn write_plaintext(conn: &mut Self::Conn, data: &[u8]);
    /// Reads received plaintext into `buf` once; 0 when none is waiting.
    fn read_plaintext(conn: &mut Self::Conn, buf: &mut [u8]) -> usize;
    /// Whether the finished handshake resumed an earlier session.
    fn resumed(conn: &Self::Conn) -> bool;
    /// Lends the next run of received plaintext to `sink` where it lies
    /// and marks it read; 0 when none is waiting. `None` for a client
    /// with no such API.
    fn read_in_place(_conn: &mut Self::Conn, _sink: &mut dyn FnMut(&[u8])) -> Option<usize> {
        None
    }
}

/// An `io::Write` into a harness buffer whose growth is not counted
/// against the client.
pub struct Sink<'a>(pub &'a mut Vec<u8>);

impl Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        untracked(|| self.0.extend_from_slice(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Received bytes waiting for a sans-I/O client's `read_tls`.
#[derive(Default)]
pub struct Staged {
    pub(crate) bytes: Vec<u8>,
    pub(crate) taken: usize,
}

impl Staged {
    pub(crate) fn stage(&mut self, tls: &mut Vec<u8>) {
        if self.taken == self.bytes.len() {
            self.bytes.clear();
            self.taken = 0;
            std::mem::swap(&mut self.bytes, tls);
        } else {
            self.bytes.append(tls);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len() - self.taken
    }

    /// Lets `read` take what it will of the staged bytes.
    fn feed(&mut self, read: impl FnOnce(&mut &[u8]) -> io::Result<usize>) -> io::Result<usize> {
        let mut rest = &self.bytes[self.taken..];
        let n = read(&mut rest)?;
        self.taken += n;
        Ok(n)
    }
}

/// The name every client connects to; the test certificates carry it.
pub const SERVER_NAME: &str = "localhost";

/// One `fill_buf`/`consume` round of a `BufRead` plaintext reader.
fn lend_once(mut reader: impl BufRead, sink: &mut dyn FnMut(&[u8])) -> usize {
    let n = match reader.fill_buf() {
        Ok(run) => {
            sink(run);
            run.len()
        }
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
        Err(e) => panic!("reading plaintext failed: {e}"),
    };
    reader.consume(n);
    n
}

/// One read of plaintext through an `io::Read`; 0 if it would block.
fn read_once(mut reader: impl Read, buf: &mut [u8]) -> usize {
    match reader.read(buf) {
        Ok(n) => n,
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
        Err(e) => panic!("reading plaintext failed: {e}"),
    }
}

// ---------------------------------------------------------------- oxtls

pub struct Oxtls {
    config: Arc<oxtls::ClientConfig>,
}

impl Oxtls {
    /// `versions`, the default suites and groups, trusting `root`; with
    /// `resumption`, a session cache (the default), else none.
    pub fn new(root: &CertificateDer<'static>, versions: TlsVersions, resumption: bool) -> Oxtls {
        let mut roots = oxtls::RootCertStore::new();
        roots
            .add(root.clone())
            .unwrap_or_else(|e| panic!("oxtls refused the test root: {e}"));
        use oxtls::ProtocolVersion::{TLSv1_2, TLSv1_3};
        let versions: &[oxtls::ProtocolVersion] = match versions {
            TlsVersions::Tls13Only => &[TLSv1_3],
            TlsVersions::Tls12Only => &[TLSv1_2],
            TlsVersions::Both => &[TLSv1_3, TLSv1_2],
        };
        let mut config = oxtls::ClientConfig::builder_with_protocol_versions(versions)
            .with_root_certificates(roots)
            .with_no_client_auth();
        if !resumption {
            config.resumption = oxtls::client::Resumption::disabled();
        }
        Oxtls {
            config: Arc::new(config),
        }
    }
}

pub struct OxtlsConn {
    conn: oxtls::ClientConnection,
    staged: Staged,
}

impl Contender for Oxtls {
    type Conn = OxtlsConn;

    fn name(&self) -> &'static str {
        "oxtls"
    }

    fn inline_size(&self) -> usize {
        std::mem::size_of::<oxtls::ClientConnection>()
    }

    fn connect(&self) -> OxtlsConn {
        let name = ServerName::try_from(SERVER_NAME).expect("a valid DNS name");
        let conn = oxtls::ClientConnection::new(self.config.clone(), name)
            .unwrap_or_else(|e| panic!("oxtls could not start a connection: {e}"));
        OxtlsConn {
            conn,
            staged: Staged::default(),
        }
    }

    fn stage_tls(conn: &mut OxtlsConn, tls: &mut Vec<u8>) {
        conn.staged.stage(tls);
    }

    fn staged_len(conn: &OxtlsConn) -> usize {
        conn.staged.len()
    }

    fn process_tls(conn: &mut OxtlsConn) {
        let OxtlsConn { conn, staged } = conn;
        // An error here is the plaintext buffer being full: the caller
        // reads plaintext and comes back.
        let _ = staged.feed(|rd| conn.read_tls(rd));
        if let Err(e) = conn.process_new_packets() {
            panic!("oxtls failed: {e}");
        }
    }

    fn write_tls(conn: &mut OxtlsConn, out: &mut Vec<u8>) {
        while conn.conn.wants_write() {
            conn.conn
                .write_tls(&mut Sink(out))
                .unwrap_or_else(|e| panic!("oxtls write_tls failed: {e}"));
        }
    }

    fn is_handshaking(conn: &OxtlsConn) -> bool {
        conn.conn.is_handshaking()
    }

    fn write_plaintext(conn: &mut OxtlsConn, data: &[u8]) {
        conn.conn
            .writer()
            .write_all(data)
            .unwrap_or_else(|e| panic!("oxtls refused plaintext: {e}"));
    }

    fn read_plaintext(conn: &mut OxtlsConn, buf: &mut [u8]) -> usize {
        read_once(conn.conn.reader(), buf)
    }

    fn resumed(conn: &OxtlsConn) -> bool {
        conn.conn.handshake_kind() == Some(oxtls::HandshakeKind::Resumed)
    }

    fn read_in_place(conn: &mut OxtlsConn, sink: &mut dyn FnMut(&[u8])) -> Option<usize> {
        Some(lend_once(conn.conn.reader(), sink))
    }
}

// --------------------------------------------------------------- rustls

pub struct Rustls {
    config: Arc<rustls::ClientConfig>,
}

impl Rustls {
    /// `versions` on the ring provider, trusting `root`; with
    /// `resumption`, its in-memory session cache (the default), else none.
    pub fn new(root: &CertificateDer<'static>, versions: TlsVersions, resumption: bool) -> Rustls {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(root.clone())
            .unwrap_or_else(|e| panic!("rustls refused the test root: {e}"));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(versions.rustls())
            .expect("ring supports TLS 1.2 and 1.3")
            .with_root_certificates(roots)
            .with_no_client_auth();
        if !resumption {
            config.resumption = rustls::client::Resumption::disabled();
        }
        Rustls {
            config: Arc::new(config),
        }
    }
}

pub struct RustlsConn {
    conn: rustls::ClientConnection,
    staged: Staged,
}

impl Contender for Rustls {
    type Conn = RustlsConn;

    fn name(&self) -> &'static str {
        "rustls"
    }

    fn inline_size(&self) -> usize {
        std::mem::size_of::<rustls::ClientConnection>()
    }

    fn connect(&self) -> RustlsConn {
        let name = ServerName::try_from(SERVER_NAME).expect("a valid DNS name");
        let conn = rustls::ClientConnection::new(self.config.clone(), name)
            .unwrap_or_else(|e| panic!("rustls could not start a connection: {e}"));
        RustlsConn {
            conn,
            staged: Staged::default(),
        }
    }

    fn stage_tls(conn: &mut RustlsConn, tls: &mut Vec<u8>) {
        conn.staged.stage(tls);
    }

    fn staged_len(conn: &RustlsConn) -> usize {
        conn.staged.len()
    }

    fn process_tls(conn: &mut RustlsConn) {
        let RustlsConn { conn, staged } = conn;
        // As for oxtls: an error means "read plaintext first".
        let _ = staged.feed(|rd| conn.read_tls(rd));
        if let Err(e) = conn.process_new_packets() {
            panic!("rustls failed: {e}");
        }
    }

    fn write_tls(conn: &mut RustlsConn, out: &mut Vec<u8>) {
        while conn.conn.wants_write() {
            conn.conn
                .write_tls(&mut Sink(out))
                .unwrap_or_else(|e| panic!("rustls write_tls failed: {e}"));
        }
    }

    fn is_handshaking(conn: &RustlsConn) -> bool {
        conn.conn.is_handshaking()
    }

    fn write_plaintext(conn: &mut RustlsConn, data: &[u8]) {
        conn.conn
            .writer()
            .write_all(data)
            .unwrap_or_else(|e| panic!("rustls refused plaintext: {e}"));
    }

    fn read_plaintext(conn: &mut RustlsConn, buf: &mut [u8]) -> usize {
        read_once(conn.conn.reader(), buf)
    }

    fn resumed(conn: &RustlsConn) -> bool {
        conn.conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed)
    }

    fn read_in_place(conn: &mut RustlsConn, sink: &mut dyn FnMut(&[u8])) -> Option<usize> {
        Some(lend_once(conn.conn.reader(), sink))
    }
}

// -------------------------------------------------------------- OpenSSL

/// The in-memory transport under OpenSSL's `SslStream`: reads staged
/// bytes, collects written ones. Reading with nothing staged is
/// `WouldBlock`, which OpenSSL reports as `SSL_ERROR_WANT_READ`.
#[derive(Default)]
pub struct MemDuplex {
    staged: Staged,
    written: Vec<u8>,
}

impl Read for MemDuplex {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.staged.len() == 0 {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        self.staged.feed(|rd| rd.read(buf))
    }
}

impl Write for MemDuplex {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        untracked(|| self.written.extend_from_slice(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub struct Openssl {
    ctx: SslContext,
    /// With resumption: the newest session the server gave, to resume.
    session: Option<Arc<Mutex<Option<SslSession>>>>,
}

impl Openssl {
    /// `versions` with OpenSSL's default suites and groups, verifying the
    /// chain to `root` and the name; with `resumption`, keeping the
    /// newest session to resume the next connection, else none.
    pub fn new(root: &CertificateDer<'static>, versions: TlsVersions, resumption: bool) -> Openssl {
        let mut builder = SslContext::builder(SslMethod::tls_client()).expect("SSL_CTX_new");
        let (min, max) = match versions {
            TlsVersions::Tls13Only => (SslVersion::TLS1_3, SslVersion::TLS1_3),
            TlsVersions::Tls12Only => (SslVersion::TLS1_2, SslVersion::TLS1_2),
            TlsVersions::Both => (SslVersion::TLS1_2, SslVersion::TLS1_3),
        };
        builder
            .set_min_proto_version(Some(min))
            .and_then(|()| builder.set_max_proto_version(Some(max)))
            .expect("OpenSSL has TLS 1.2 and 1.3");
        builder.set_verify(openssl::ssl::SslVerifyMode::PEER);
        let session = resumption.then(|| Arc::new(Mutex::new(None)));
        match &session {
            Some(slot) => {
                let slot = slot.clone();
                builder.set_session_cache_mode(SslSessionCacheMode::CLIENT);
                builder.set_new_session_callback(move |_ssl, new| {
                    *slot.lock().expect("not poisoned") = Some(new);
                });
            }
            None => {
                builder.set_session_cache_mode(SslSessionCacheMode::OFF);
            }
        }
        let root = X509::from_der(root).expect("OpenSSL reads the test root");
        builder
            .cert_store_mut()
            .add_cert(root)
            .expect("OpenSSL takes the test root");
        Openssl {
            ctx: builder.build(),
            session,
        }
    }
}

/// Runs OpenSSL's handshake as far as the staged bytes allow.
fn openssl_drive(stream: &mut SslStream<MemDuplex>) {
    match stream.do_handshake() {
        Ok(()) => {}
        Err(e) if e.code() == ErrorCode::WANT_READ => {}
        Err(e) => panic!("OpenSSL handshake failed: {e}"),
    }
}

/// An OpenSSL connection, shut down (SSL_shutdown) when dropped, as an
/// application's would be: otherwise SSL_free marks its session not
/// resumable, and a resuming client could never resume.
pub struct OpensslConn(SslStream<MemDuplex>);

impl Drop for OpensslConn {
    fn drop(&mut self) {
        // Untimed; the close_notify goes into the harness's buffer.
        let _ = self.0.shutdown();
    }
}

impl std::ops::Deref for OpensslConn {
    type Target = SslStream<MemDuplex>;
    fn deref(&self) -> &SslStream<MemDuplex> {
        &self.0
    }
}

impl std::ops::DerefMut for OpensslConn {
    fn deref_mut(&mut self) -> &mut SslStream<MemDuplex> {
        &mut self.0
    }
}

impl Contender for Openssl {
    type Conn = OpensslConn;

    fn name(&self) -> &'static str {
        "openssl"
    }

    fn inline_size(&self) -> usize {
        std::mem::size_of::<OpensslConn>()
    }

    fn connect(&self) -> OpensslConn {
        let mut ssl = Ssl::new(&self.ctx).expect("SSL_new");
        ssl.set_connect_state();
        ssl.set_hostname(SERVER_NAME).expect("SNI");
        ssl.param_mut()
            .set_host(SERVER_NAME)
            .expect("name to verify");
        if let Some(session) = self.session.as_ref().and_then(|s| s.lock().ok()?.take()) {
            // SAFETY: the session came from this context's own
            // connections (the new-session callback), as SSL_set_session
            // requires.
            unsafe { ssl.set_session(&session) }.expect("SSL_set_session");
        }
        let mut stream = SslStream::new(ssl, MemDuplex::default()).expect("SSL_set_bio");
        openssl_drive(&mut stream);
        OpensslConn(stream)
    }

    fn stage_tls(conn: &mut OpensslConn, tls: &mut Vec<u8>) {
        conn.get_mut().staged.stage(tls);
    }

    fn staged_len(conn: &OpensslConn) -> usize {
        conn.get_ref().staged.len()
    }

    /// During the handshake `SSL_do_handshake` reads what it needs; after
    /// it, records are read by `SSL_read` in `read_plaintext`.
    fn process_tls(conn: &mut OpensslConn) {
        if Self::is_handshaking(conn) {
            openssl_drive(conn);
        }
    }

    fn write_tls(conn: &mut OpensslConn, out: &mut Vec<u8>) {
        let written = &mut conn.get_mut().written;
        if out.is_empty() {
            std::mem::swap(out, written);
        } else {
            untracked(|| out.append(written));
        }
    }

    fn is_handshaking(conn: &OpensslConn) -> bool {
        !conn.ssl().is_init_finished()
    }

    fn write_plaintext(conn: &mut OpensslConn, mut data: &[u8]) {
        while !data.is_empty() {
            let n = conn
                .ssl_write(data)
                .unwrap_or_else(|e| panic!("OpenSSL SSL_write failed: {e}"));
            data = &data[n..];
        }
    }

    fn resumed(conn: &OpensslConn) -> bool {
        conn.ssl().session_reused()
    }

    fn read_plaintext(conn: &mut OpensslConn, buf: &mut [u8]) -> usize {
        match conn.ssl_read(buf) {
            Ok(n) => n,
            Err(e) if e.code() == ErrorCode::WANT_READ => 0,
            Err(e) => panic!("OpenSSL SSL_read failed: {e}"),
        }
    }
}
