//! `oxtls_conn`: a client connection, its plaintext side and what it
//! negotiated. The TLS side (read_tls / write_tls) is in `transport.rs`.

use std::cell::{Ref, RefCell, RefMut};
use std::io::{self, BufRead, Read, Write};
use std::os::raw::{c_char, c_int};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use rustls_pki_types::ServerName;

use super::boundary::*;
use super::config::oxtls_config;
use super::result::*;
use crate::conn::{ClientConnection, HandshakeKind};
use crate::error::Error;
use crate::msgs::enums::{CipherSuite, ProtocolVersion};

/// A TLS client connection, made by `oxtls_conn_new()` and released by
/// `oxtls_conn_free()`. Not thread-safe: use it from one thread at a time
/// (it may move between threads).
pub struct oxtls_conn {
    // Entry points only ever make shared references to the handle and
    // reach the state through the `RefCell`: a call made from inside a
    // callback of another call on the same connection finds it borrowed
    // and is refused (`OXTLS_ERR_REENTRANT`), instead of touching the
    // state, and the buffers lent to the callback, that the outer call
    // holds.
    state: RefCell<ConnState>,
}

/// What a connection handle holds.
pub(crate) struct ConnState {
    pub(crate) conn: ClientConnection,
    /// What ended the connection; later calls return its error.
    fatal: Option<Fatal>,
    /// The last failure of any call, for `oxtls_conn_last_error()`.
    last_error: Option<FfiError>,
    /// The errno of the last `OXTLS_ERR_IO`.
    pub(crate) last_errno: c_int,
}

/// How a connection ended, which decides what may still be done with it.
enum Fatal {
    /// The protocol failed (`process_new_packets`): the alert it queued
    /// may still be written out, and plaintext decrypted before the
    /// failure still read.
    Failed(FfiError),
    /// A panic was caught, or the secrets were extracted: the state is
    /// unknown or belongs to someone else, so nothing more leaves it.
    Spent(FfiError),
}

impl Fatal {
    fn error(&self) -> &FfiError {
        match self {
            Self::Failed(err) | Self::Spent(err) => err,
        }
    }
}

impl ConnState {
    /// The error that ends the connection, once it can no longer be used
    /// at all (a panic, extracted secrets).
    fn spent(&self) -> Option<&FfiError> {
        match &self.fatal {
            Some(Fatal::Spent(err)) => Some(err),
            _ => None,
        }
    }
}

/// Whether a code is a status (try again) rather than a failure: statuses
/// do not replace the last error.
fn is_status(code: oxtls_result) -> bool {
    matches!(code, OXTLS_WOULD_BLOCK | OXTLS_PLAINTEXT_EMPTY)
}

/// The handle behind `conn`, shared; `None` for NULL.
fn handle<'a>(conn: *const oxtls_conn) -> Option<&'a oxtls_conn> {
    // SAFETY: a connection handle is NULL or live (from oxtls_conn_new,
    // not yet freed) and used by one thread at a time, the documented
    // rule. Only shared references to it are made (oxtls_conn_free takes
    // it back only when no call is under way), so one made by a call
    // nested in another call's callback may coexist with the outer one's:
    // all they can change is behind the `RefCell`.
    unsafe { conn.as_ref() }
}

/// The state behind `conn` for a call that changes it: NULL and a call
/// already under way on it (we are inside one of its callbacks) are
/// errors.
fn borrow_mut<'a>(conn: *const oxtls_conn) -> Result<RefMut<'a, ConnState>, FfiError> {
    let handle = handle(conn).ok_or_else(|| FfiError::null("conn"))?;
    handle
        .state
        .try_borrow_mut()
        .map_err(|_| FfiError::code(OXTLS_ERR_REENTRANT))
}

/// The state behind `conn` for a getter, with the same errors.
fn borrow<'a>(conn: *const oxtls_conn) -> Result<Ref<'a, ConnState>, FfiError> {
    let handle = handle(conn).ok_or_else(|| FfiError::null("conn"))?;
    handle
        .state
        .try_borrow()
        .map_err(|_| FfiError::code(OXTLS_ERR_REENTRANT))
}

/// Runs `body` on the connection behind `conn`, keeping the failure it
/// returns for `oxtls_conn_last_error()`. A panic ends the connection. A
/// call made while another is under way on the connection (from one of
/// its callbacks) is refused with `OXTLS_ERR_REENTRANT` and changes
/// nothing, not even the last error, which the outer call holds.
pub(crate) fn with_conn(
    conn: *const oxtls_conn,
    body: impl FnOnce(&mut ConnState) -> Result<(), FfiError>,
) -> oxtls_result {
    let mut c = match borrow_mut(conn) {
        Ok(c) => c,
        Err(err) => return err.code,
    };
    // The borrow is released when `c` is dropped, on every path: a panic
    // in `body` is caught here, inside it.
    match catch_unwind(AssertUnwindSafe(|| body(&mut c))) {
        Ok(Ok(())) => OXTLS_OK,
        Ok(Err(err)) => {
            let code = err.code;
            if !is_status(code) {
                c.last_error = Some(err);
            }
            code
        }
        Err(_) => {
            let err = FfiError::new(OXTLS_ERR_PANIC, "internal error: a panic was caught");
            c.fatal = Some(Fatal::Spent(err.clone()));
            c.last_error = Some(err);
            OXTLS_ERR_PANIC
        }
    }
}

/// [`with_conn`] for calls that a fatal error forbids: they return it.
pub(crate) fn with_live_conn(
    conn: *const oxtls_conn,
    body: impl FnOnce(&mut ConnState) -> Result<(), FfiError>,
) -> oxtls_result {
    with_conn(conn, |c| match &c.fatal {
        Some(fatal) => Err(fatal.error().clone()),
        None => body(c),
    })
}

/// [`with_conn`] for writing TLS data out: still allowed after a protocol
/// failure, so that the alert telling the peer why is sent, but not once
/// the connection is spent.
pub(crate) fn with_unspent_conn(
    conn: *const oxtls_conn,
    body: impl FnOnce(&mut ConnState) -> Result<(), FfiError>,
) -> oxtls_result {
    with_conn(conn, |c| match c.spent() {
        Some(err) => Err(err.clone()),
        None => body(c),
    })
}

/// [`with_conn`] for the calls that hand out received plaintext (read,
/// peek, consume). After a protocol failure they hand out what was
/// decrypted before it, as the Rust reader does, and return the failure
/// once none is left; a spent connection hands out nothing.
fn with_plaintext(
    conn: *const oxtls_conn,
    body: impl FnOnce(&mut ConnState) -> Result<(), FfiError>,
) -> oxtls_result {
    with_conn(conn, |c| match &c.fatal {
        Some(Fatal::Failed(err)) if c.conn.plaintext_bytes_to_read() == 0 => Err(err.clone()),
        Some(Fatal::Spent(err)) => Err(err.clone()),
        _ => body(c),
    })
}

/// The shape of the calls that report a byte count: `*out_n` must not be
/// NULL and receives what `body` returns. Callers set `*out_n` to 0
/// first, so that it is 0 unless the call succeeds.
fn counting(
    out_n: *mut usize,
    body: impl FnOnce(&mut ConnState) -> Result<usize, FfiError>,
) -> impl FnOnce(&mut ConnState) -> Result<(), FfiError> {
    move |c| {
        if out_n.is_null() {
            return Err(FfiError::null("out_n"));
        }
        let n = body(c)?;
        // SAFETY: checked non-NULL above; writable as every caller
        // documents.
        unsafe { write_out(out_n, n, "out_n") }
    }
}

/// [`counting`] for calls that a fatal error forbids.
fn with_live_conn_counting(
    conn: *const oxtls_conn,
    out_n: *mut usize,
    body: impl FnOnce(&mut ConnState) -> Result<usize, FfiError>,
) -> oxtls_result {
    // SAFETY: `out_n` is NULL or writable, as every caller documents.
    unsafe { clear_out(out_n, 0) };
    with_live_conn(conn, counting(out_n, body))
}

/// A getter's answer from the connection behind `conn`: `nothing` for
/// NULL, while a call on it is under way (from one of its callbacks), and
/// should `f` panic.
fn get<T: Copy>(conn: *const oxtls_conn, nothing: T, f: impl FnOnce(&ConnState) -> T) -> T {
    guard_value(nothing, || borrow(conn).map_or(nothing, |c| f(&c)))
}

/// Starts a connection to `server_name` (NUL-terminated: a DNS name such
/// as "example.com", or an IP address literal such as "192.0.2.1" or
/// "::1"), which is also the name its certificate must be valid for. The
/// ClientHello is queued at once: the caller's loop writes it with
/// `oxtls_conn_write_tls()`.
///
/// Stores the connection in `*out` (NULL on failure). It keeps its own
/// reference to `config`, which the caller may free at any time. Fails
/// with `OXTLS_ERR_INVALID_SERVER_NAME` for a name that is neither, and
/// `OXTLS_ERR_INVALID_CONFIG` if the config cannot make a connection.
#[no_mangle]
pub extern "C" fn oxtls_conn_new(
    config: *const oxtls_config,
    server_name: *const c_char,
    out: *mut *mut oxtls_conn,
) -> oxtls_result {
    guard(|| {
        // SAFETY: `out` is NULL or writable, as documented.
        unsafe { clear_out(out, std::ptr::null_mut()) };
        // SAFETY: a config handle is NULL or live; configs are immutable.
        let config = unsafe { arg_ref(config, "config") }?;
        // SAFETY: NULL (refused) or NUL-terminated, as documented.
        let name = unsafe { arg_str(server_name, "server_name") }?;
        if out.is_null() {
            return Err(FfiError::null("out"));
        }
        let name = ServerName::try_from(name.to_string()).map_err(|_| {
            FfiError::new(
                OXTLS_ERR_INVALID_SERVER_NAME,
                format!("{name:?} is not a valid DNS name or IP address"),
            )
        })?;
        let conn = ClientConnection::new(Arc::clone(&config.inner), name)?;
        let handle = Box::new(oxtls_conn {
            state: RefCell::new(ConnState {
                conn,
                fatal: None,
                last_error: None,
                last_errno: 0,
            }),
        });
        // SAFETY: checked non-NULL above; writable as documented.
        unsafe { write_out(out, Box::into_raw(handle), "out") }
    })
}

/// Releases a connection. It does not send close_notify (see
/// `oxtls_conn_send_close_notify()`) or close any file descriptor. NULL is
/// ignored. Called from a callback of a call on the same connection, it
/// does nothing: the connection stays valid, to be freed once that call
/// has returned.
#[no_mangle]
pub extern "C" fn oxtls_conn_free(conn: *mut oxtls_conn) {
    guard_value((), || {
        // NULL, or busy: a call on it is under way and uses it still.
        if borrow_mut(conn).is_err() {
            return;
        }
        // SAFETY: a non-NULL connection came from oxtls_conn_new and, by
        // the ownership rule, is released exactly once; no call on it is
        // under way (checked above) and the check's borrow has ended.
        drop(unsafe { Box::from_raw(conn) });
    })
}

/// Processes the TLS data read so far: advances the handshake, decrypts
/// records into plaintext for `oxtls_conn_read()`, and queues any reply.
/// Call it after each successful `oxtls_conn_read_tls()`.
///
/// A failure here is fatal: the code says why (a certificate problem, an
/// alert from the peer, a protocol error, `OXTLS_ERR_UNEXPECTED_EOF` for
/// a transport that ended before the handshake did),
/// `oxtls_conn_last_error()` says it in words, an alert for the peer may
/// be queued (write it with `oxtls_conn_write_tls()`), and every later
/// call returns the same code, but for the plaintext decrypted before the
/// failure, which `oxtls_conn_read()` still returns first.
#[no_mangle]
pub extern "C" fn oxtls_conn_process_new_packets(conn: *mut oxtls_conn) -> oxtls_result {
    with_live_conn(conn, |c| match c.conn.process_new_packets() {
        Ok(_) => Ok(()),
        Err(err) => {
            let err = FfiError::from(err);
            c.fatal = Some(Fatal::Failed(err.clone()));
            Err(err)
        }
    })
}

/// Copies received plaintext into `(buf, len)`, storing the count in
/// `*out_n`:
/// - `OXTLS_OK` with `*out_n > 0`: data.
/// - `OXTLS_OK` with `*out_n == 0`: the peer closed cleanly
///   (close_notify); no more data will come.
/// - `OXTLS_PLAINTEXT_EMPTY`: nothing yet; read and process more TLS data.
/// - `OXTLS_ERR_UNEXPECTED_EOF`: the transport ended without close_notify,
///   so the data may have been truncated.
///
/// After `oxtls_conn_process_new_packets()` has failed, the plaintext it
/// decrypted before the failure is still returned (it was authenticated),
/// and then the failure's code. After a panic or
/// `oxtls_conn_dangerous_extract_secrets()` nothing is returned.
///
/// `len` must be at least 1 (`OXTLS_ERR_BUFFER_TOO_SMALL` otherwise).
#[no_mangle]
pub extern "C" fn oxtls_conn_read(
    conn: *mut oxtls_conn,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> oxtls_result {
    // SAFETY: `out_n` is NULL or writable, as documented.
    unsafe { clear_out(out_n, 0) };
    with_plaintext(
        conn,
        counting(out_n, |c| {
            if len == 0 {
                return Err(FfiError::new(OXTLS_ERR_BUFFER_TOO_SMALL, "buf has no room"));
            }
            // SAFETY: `(buf, len)` is writable, as documented.
            let buf = unsafe { arg_bytes_mut(buf, len, "buf") }?;
            c.conn.reader().read(buf).map_err(read_error_to_ffi)
        }),
    )
}

/// The result codes of a read that found no plaintext.
fn read_error_to_ffi(e: io::Error) -> FfiError {
    match e.kind() {
        io::ErrorKind::WouldBlock => FfiError::code(OXTLS_PLAINTEXT_EMPTY),
        io::ErrorKind::UnexpectedEof => FfiError::new(OXTLS_ERR_UNEXPECTED_EOF, e.to_string()),
        _ => io_error_to_ffi(e),
    }
}

/// Lends received plaintext without copying it: stores in `*out_buf` the
/// address of the next run of it (at most 16,384 bytes, possibly from
/// several records, where it was decrypted) and its length in `*out_n`. The
/// results are those of `oxtls_conn_read()`: `OXTLS_OK` with `*out_n > 0`
/// for data, `OXTLS_OK` with `*out_n == 0` after close_notify,
/// `OXTLS_PLAINTEXT_EMPTY`, `OXTLS_ERR_UNEXPECTED_EOF`; after a failure,
/// what was decrypted before it, then the failure's code.
///
/// The bytes stay valid and unchanged until the next call on `conn` other
/// than this one; mark what was used with
/// `oxtls_conn_consume_plaintext()`. Peeking twice without consuming
/// returns the same bytes.
#[no_mangle]
pub extern "C" fn oxtls_conn_peek_plaintext(
    conn: *mut oxtls_conn,
    out_buf: *mut *const u8,
    out_n: *mut usize,
) -> oxtls_result {
    // SAFETY: the out-parameters are NULL or writable, as documented.
    unsafe {
        clear_out(out_buf, std::ptr::null());
        clear_out(out_n, 0);
    }
    with_plaintext(conn, |c| {
        if out_buf.is_null() {
            return Err(FfiError::null("out_buf"));
        }
        if out_n.is_null() {
            return Err(FfiError::null("out_n"));
        }
        let mut reader = c.conn.reader();
        let run = reader.fill_buf().map_err(read_error_to_ffi)?;
        let (ptr, len) = (run.as_ptr(), run.len());
        // SAFETY: both checked non-NULL above; writable as documented.
        unsafe {
            write_out(out_buf, ptr, "out_buf")?;
            write_out(out_n, len, "out_n")
        }
    })
}

/// Marks the first `n` bytes of what `oxtls_conn_peek_plaintext()` lent
/// as read; they will not be returned again, and the lent pointer must
/// not be used after this call. `n` larger than the run lent is
/// `OXTLS_ERR_OUT_OF_RANGE` and consumes nothing; `n == 0` does nothing.
/// Between the peek and this call only this pair may be called on `conn`:
/// after any other call (`oxtls_conn_read_tls()`, say) the run may have
/// moved or grown, and `n` is checked against the run as it is now.
/// After a failure it returns the failure's code once no plaintext is
/// left, as `oxtls_conn_read()` does.
#[no_mangle]
pub extern "C" fn oxtls_conn_consume_plaintext(conn: *mut oxtls_conn, n: usize) -> oxtls_result {
    with_plaintext(conn, |c| {
        let mut reader = c.conn.reader();
        let available = reader.fill_buf().map_or(0, <[u8]>::len);
        if n > available {
            return Err(FfiError::new(
                OXTLS_ERR_OUT_OF_RANGE,
                format!("cannot consume {n} bytes: only {available} were lent"),
            ));
        }
        reader.consume(n);
        Ok(())
    })
}

/// Queues the plaintext `(buf, len)` to be sent, storing how much was
/// taken in `*out_n`. Before the handshake completes it is held and sent
/// as soon as it may be. Takes what the buffer limit allows, which may be
/// less than `len`; if nothing could be taken the result is
/// `OXTLS_ERR_BUFFER_FULL`: write TLS data out with `oxtls_conn_write_tls()`
/// and try again. After `oxtls_conn_send_close_notify()` it fails with
/// `OXTLS_ERR_ALREADY_CLOSED`.
#[no_mangle]
pub extern "C" fn oxtls_conn_write(
    conn: *mut oxtls_conn,
    buf: *const u8,
    len: usize,
    out_n: *mut usize,
) -> oxtls_result {
    with_live_conn_counting(conn, out_n, |c| {
        // SAFETY: `(buf, len)` is readable, as documented.
        let buf = unsafe { arg_bytes(buf, len, "buf") }?;
        let n = c.conn.writer().write(buf).map_err(io_error_to_ffi)?;
        if n == 0 && !buf.is_empty() {
            return Err(FfiError::new(
                OXTLS_ERR_BUFFER_FULL,
                "send buffer is full: write TLS data first",
            ));
        }
        Ok(n)
    })
}

/// Sends the plaintext `(buf, len)` as 0-RTT data (RFC 8446 §2.3), storing
/// how much was taken in `*out_n`. Possible only between
/// `oxtls_conn_new()` and the processing of the server's reply, with
/// early data enabled (`oxtls_config_builder_set_enable_early_data()`) and
/// a stored ticket for this server that allows it; otherwise, and once the
/// ticket's limit is reached, `*out_n` is 0 (with `OXTLS_OK`): send the
/// data with `oxtls_conn_write()` instead. After
/// `oxtls_conn_send_close_notify()` it fails with
/// `OXTLS_ERR_ALREADY_CLOSED`, as `oxtls_conn_write()` does.
///
/// Once the handshake is done, `oxtls_conn_is_early_data_accepted()` says
/// whether the server read it. If not, it was discarded: send it again
/// with `oxtls_conn_write()`, which is why close_notify should wait until
/// then. Early data can be replayed by an attacker; send only requests
/// that are safe to repeat.
#[no_mangle]
pub extern "C" fn oxtls_conn_write_early_data(
    conn: *mut oxtls_conn,
    buf: *const u8,
    len: usize,
    out_n: *mut usize,
) -> oxtls_result {
    with_live_conn_counting(conn, out_n, |c| {
        // SAFETY: `(buf, len)` is readable, as documented.
        let buf = unsafe { arg_bytes(buf, len, "buf") }?;
        if c.conn.close_notify_requested() {
            return Err(FfiError::new(
                OXTLS_ERR_ALREADY_CLOSED,
                "cannot write early data after close_notify",
            ));
        }
        match c.conn.early_data() {
            Some(mut early) => early.write(buf).map_err(io_error_to_ffi),
            None => Ok(0),
        }
    })
}

/// True if the server accepted the 0-RTT data sent with
/// `oxtls_conn_write_early_data()`; false before its reply says so, when
/// none was sent, and for NULL. When data was sent and this is false after
/// the handshake, the server discarded it.
#[no_mangle]
pub extern "C" fn oxtls_conn_is_early_data_accepted(conn: *const oxtls_conn) -> bool {
    get(conn, false, |c| c.conn.is_early_data_accepted())
}

/// The code for an error of the plaintext reader or writer.
fn io_error_to_ffi(e: io::Error) -> FfiError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return FfiError::new(OXTLS_ERR_ALREADY_CLOSED, e.to_string());
    }
    match e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()) {
        Some(err) => FfiError::from(err.clone()),
        None => FfiError::new(OXTLS_ERR_GENERAL, e.to_string()),
    }
}

/// True while the connection wants TLS data from the peer: call
/// `oxtls_conn_read_tls()` when the transport is readable. False for NULL
/// and after a fatal error.
#[no_mangle]
pub extern "C" fn oxtls_conn_wants_read(conn: *const oxtls_conn) -> bool {
    get(conn, false, |c| c.fatal.is_none() && c.conn.wants_read())
}

/// How many bytes of received plaintext `oxtls_conn_read()` can return
/// now without reading more TLS data: a program that waits for its socket
/// to become readable must read these first, since they may be all that
/// is coming (after a failure too). 0 for NULL, and after a panic or
/// `oxtls_conn_dangerous_extract_secrets()`.
#[no_mangle]
pub extern "C" fn oxtls_conn_plaintext_bytes_to_read(conn: *const oxtls_conn) -> usize {
    get(conn, 0, |c| {
        if c.spent().is_some() {
            0
        } else {
            c.conn.plaintext_bytes_to_read()
        }
    })
}

/// True while TLS data waits to be sent: call `oxtls_conn_write_tls()`
/// when the transport is writable. False for NULL, and after a panic or
/// `oxtls_conn_dangerous_extract_secrets()`, when nothing more is sent.
#[no_mangle]
pub extern "C" fn oxtls_conn_wants_write(conn: *const oxtls_conn) -> bool {
    get(conn, false, |c| c.spent().is_none() && c.conn.wants_write())
}

/// True until the handshake has completed (and after a failed one). False
/// for NULL.
#[no_mangle]
pub extern "C" fn oxtls_conn_is_handshaking(conn: *const oxtls_conn) -> bool {
    get(conn, false, |c| c.conn.is_handshaking())
}

/// True if the handshake resumed an earlier session (a TLS 1.3 ticket,
/// RFC 8446 §2.2; a TLS 1.2 session id or ticket, RFC 5246 §7.3, RFC 5077)
/// rather than making a full one; false before the server
/// has answered, for a full handshake, and for NULL. See
/// `oxtls_config_builder_set_session_cache_size()`.
#[no_mangle]
pub extern "C" fn oxtls_conn_is_resumed(conn: *const oxtls_conn) -> bool {
    get(conn, false, |c| {
        c.conn.handshake_kind() == Some(HandshakeKind::Resumed)
    })
}

/// Queues a close_notify alert: we will send no more data. Write it out
/// with `oxtls_conn_write_tls()`. Called before the handshake is complete,
/// the alert follows the handshake and whatever was written before it.
/// Calling it again does nothing more.
#[no_mangle]
pub extern "C" fn oxtls_conn_send_close_notify(conn: *mut oxtls_conn) -> oxtls_result {
    with_live_conn(conn, |c| {
        c.conn.send_close_notify();
        Ok(())
    })
}

/// Limits received plaintext waiting for `oxtls_conn_read()`, and TLS
/// data waiting for `oxtls_conn_write_tls()`, to `limit` bytes each; 0
/// means no limit. The default is 65536. When the received plaintext is at
/// the limit, `oxtls_conn_read_tls()` returns `OXTLS_ERR_BUFFER_FULL`
/// until some is read. After a fatal error it returns that error.
#[no_mangle]
pub extern "C" fn oxtls_conn_set_buffer_limit(conn: *mut oxtls_conn, limit: usize) -> oxtls_result {
    with_live_conn(conn, |c| {
        c.conn
            .set_buffer_limit(if limit == 0 { None } else { Some(limit) });
        Ok(())
    })
}

/// The negotiated protocol version (0x0304 for TLS 1.3), or 0 until the
/// server has chosen one (and for NULL).
#[no_mangle]
pub extern "C" fn oxtls_conn_protocol_version(conn: *const oxtls_conn) -> u16 {
    get(conn, 0, |c| c.conn.protocol_version().map_or(0, u16::from))
}

/// The negotiated cipher suite's IANA number (such as 0x1301), or 0 until
/// the server has chosen one (and for NULL). `oxtls_cipher_suite_name()`
/// names it.
#[no_mangle]
pub extern "C" fn oxtls_conn_cipher_suite(conn: *const oxtls_conn) -> u16 {
    get(conn, 0, |c| {
        c.conn
            .negotiated_cipher_suite()
            .map_or(0, |s| u16::from(s.suite()))
    })
}

/// One direction's traffic keys, as `oxtls_conn_dangerous_extract_secrets()`
/// hands them out.
#[repr(C)]
pub struct oxtls_traffic_keys {
    /// The sequence number of the next record in this direction.
    pub sequence: u64,
    /// The AEAD key: `key_len` bytes (16 for AES-128-GCM, 32 for
    /// AES-256-GCM and ChaCha20-Poly1305).
    pub key: [u8; 32],
    pub key_len: usize,
    /// The IV the record layer combines with the sequence number (RFC 8446
    /// §5.3; RFC 7905 §2). For TLS 1.2 AES-GCM: the 4-byte salt, then the
    /// next record's 8-byte explicit nonce, which oxtls counts like the
    /// sequence number (RFC 5288 §3), as kernel TLS expects.
    pub iv: [u8; 12],
}

/// DANGEROUS: takes an established connection's current traffic keys and
/// sequence numbers, ours (`tx`) and the server's (`rx`), for another
/// implementation (kernel TLS, say) to carry its records on. The cipher
/// suite is `oxtls_conn_cipher_suite()`'s and the version
/// `oxtls_conn_protocol_version()`'s.
///
/// Whoever holds these keys can read and forge the connection's traffic.
/// The config must allow it (`oxtls_config_builder_set_enable_secret_extraction()`,
/// else `OXTLS_ERR_INVALID_CONFIG`); the handshake must be complete
/// (`OXTLS_ERR_HANDSHAKE_NOT_COMPLETE`) and nothing buffered: write out
/// every TLS byte and read every byte of plaintext first (`OXTLS_ERR_GENERAL`
/// otherwise, saying which). On success the connection is spent: every
/// later call on it fails with `OXTLS_ERR_SECRETS_EXTRACTED` (free it with
/// `oxtls_conn_free()`), so it never sends a record the keys' new owner
/// would not count.
#[no_mangle]
pub extern "C" fn oxtls_conn_dangerous_extract_secrets(
    conn: *mut oxtls_conn,
    tx: *mut oxtls_traffic_keys,
    rx: *mut oxtls_traffic_keys,
) -> oxtls_result {
    with_live_conn(conn, |c| {
        if tx.is_null() {
            return Err(FfiError::null("tx"));
        }
        if rx.is_null() {
            return Err(FfiError::null("rx"));
        }
        if !c.conn.secret_extraction_enabled() {
            return Err(FfiError::new(
                OXTLS_ERR_INVALID_CONFIG,
                "secret extraction is disabled: see oxtls_config_builder_set_enable_secret_extraction",
            ));
        }
        let secrets = c.conn.extract_secrets_and_retire()?;
        c.fatal = Some(Fatal::Spent(FfiError::new(
            OXTLS_ERR_SECRETS_EXTRACTED,
            "the connection's secrets were extracted; it can no longer be used",
        )));
        let keys = |(sequence, s): &(u64, crate::conn::ConnectionTrafficSecrets)| {
            let mut out = oxtls_traffic_keys {
                sequence: *sequence,
                key: [0; 32],
                key_len: s.key().as_bytes().len(),
                iv: *s.iv(),
            };
            out.key[..out.key_len].copy_from_slice(s.key().as_bytes());
            out
        };
        // SAFETY: both checked non-NULL above; writable as documented.
        unsafe {
            write_out(tx, keys(&secrets.tx), "tx")?;
            write_out(rx, keys(&secrets.rx), "rx")
        }
    })
}

/// The IANA number of the key exchange group the handshake used (0x001d
/// for X25519, 0x0017 for P-256, 0x0018 for P-384), or 0 until the server
/// has chosen one (and for NULL).
#[no_mangle]
pub extern "C" fn oxtls_conn_negotiated_group(conn: *const oxtls_conn) -> u16 {
    get(conn, 0, |c| {
        c.conn
            .negotiated_key_exchange_group()
            .map_or(0, |g| u16::from(g.name()))
    })
}

/// The IANA name of a cipher suite oxtls implements (such as
/// "TLS_AES_128_GCM_SHA256" for 0x1301) as a static NUL-terminated
/// string; NULL for any other number.
#[no_mangle]
pub extern "C" fn oxtls_cipher_suite_name(iana_id: u16) -> *const c_char {
    guard_value(std::ptr::null(), || cipher_suite_name(iana_id))
}

fn cipher_suite_name(iana_id: u16) -> *const c_char {
    let name: &'static str = match CipherSuite::from(iana_id) {
        CipherSuite::TLS13_AES_128_GCM_SHA256 => "TLS_AES_128_GCM_SHA256\0",
        CipherSuite::TLS13_AES_256_GCM_SHA384 => "TLS_AES_256_GCM_SHA384\0",
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256 => "TLS_CHACHA20_POLY1305_SHA256\0",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => {
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\0"
        }
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => {
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\0"
        }
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => {
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\0"
        }
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => {
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\0"
        }
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => {
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256\0"
        }
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => {
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256\0"
        }
        _ => return std::ptr::null(),
    };
    name.as_ptr().cast()
}

/// The name of a protocol version ("TLSv1.3" for 0x0304, "TLSv1.2" for
/// 0x0303) as a static NUL-terminated string; NULL for any other number.
#[no_mangle]
pub extern "C" fn oxtls_protocol_version_name(version: u16) -> *const c_char {
    guard_value(std::ptr::null(), || protocol_version_name(version))
}

fn protocol_version_name(version: u16) -> *const c_char {
    let name: &'static str = match ProtocolVersion::from(version) {
        ProtocolVersion::TLSv1_3 => "TLSv1.3\0",
        ProtocolVersion::TLSv1_2 => "TLSv1.2\0",
        _ => return std::ptr::null(),
    };
    name.as_ptr().cast()
}

/// The protocol the server chose by ALPN: stores a pointer to its bytes
/// (not NUL-terminated) in `*out` and the length in `*out_len`, or NULL
/// and 0 if none was chosen (yet). The bytes stay valid until the
/// connection is freed. On failure (`conn`, `out` or `out_len` NULL) the
/// non-NULL outputs are set to NULL and 0, as by
/// `oxtls_conn_peer_certificate()`, so they never hold a stale protocol.
/// Does not change `oxtls_conn_last_error()`.
#[no_mangle]
pub extern "C" fn oxtls_conn_alpn_protocol(
    conn: *const oxtls_conn,
    out: *mut *const u8,
    out_len: *mut usize,
) -> oxtls_result {
    // SAFETY: `out` and `out_len` are NULL or writable, as documented.
    unsafe {
        clear_out(out, std::ptr::null());
        clear_out(out_len, 0);
    }
    guard(|| {
        let c = borrow(conn)?;
        if out.is_null() {
            return Err(FfiError::null("out"));
        }
        if out_len.is_null() {
            return Err(FfiError::null("out_len"));
        }
        let (ptr, len) = match c.conn.alpn_protocol() {
            Some(proto) => (proto.as_ptr(), proto.len()),
            None => (std::ptr::null(), 0),
        };
        // SAFETY: both checked non-NULL above; writable as documented.
        unsafe {
            write_out(out, ptr, "out")?;
            write_out(out_len, len, "out_len")
        }
    })
}

/// The server's certificate number `index` (0 is the end-entity
/// certificate, then the intermediates as sent), as DER: stores a pointer
/// in `*der` and the length in `*der_len`. The bytes stay valid until the
/// connection is freed. Fails with `OXTLS_ERR_OUT_OF_RANGE` past the end of
/// the chain, or before the server has sent it. Does not change
/// `oxtls_conn_last_error()`.
#[no_mangle]
pub extern "C" fn oxtls_conn_peer_certificate(
    conn: *const oxtls_conn,
    index: usize,
    der: *mut *const u8,
    der_len: *mut usize,
) -> oxtls_result {
    // SAFETY: `der` and `der_len` are NULL or writable, as documented.
    unsafe {
        clear_out(der, std::ptr::null());
        clear_out(der_len, 0);
    }
    guard(|| {
        let c = borrow(conn)?;
        if der.is_null() || der_len.is_null() {
            return Err(FfiError::null("der or der_len"));
        }
        let cert = c
            .conn
            .peer_certificates()
            .and_then(|chain| chain.get(index))
            .ok_or_else(|| FfiError::code(OXTLS_ERR_OUT_OF_RANGE))?;
        // SAFETY: checked non-NULL above; writable as documented.
        unsafe {
            write_out(der, cert.as_ptr(), "der")?;
            write_out(der_len, cert.len(), "der_len")
        }
    })
}

/// Derives `out_len` bytes of keying material into `out` from the
/// connection's secrets (RFC 8446 §7.5, RFC 5705), with the given label
/// and context. `context` NULL means no context, which TLS 1.2 (RFC 5705)
/// tells apart from an empty one (`context` non-NULL, `context_len` 0);
/// TLS 1.3 derives the same bytes for both (RFC 8446 §7.5). Fails with
/// `OXTLS_ERR_HANDSHAKE_NOT_COMPLETE` before the handshake is done,
/// `OXTLS_ERR_INVALID_PARAMETER` for `out_len` 0, and
/// `OXTLS_ERR_PEER_INCOMPATIBLE` for a TLS 1.2 session whose server did
/// without the extended master secret (RFC 7627 §5.4: a man in the middle
/// could have given another connection the same secret).
#[no_mangle]
pub extern "C" fn oxtls_conn_export_keying_material(
    conn: *mut oxtls_conn,
    out: *mut u8,
    out_len: usize,
    label: *const u8,
    label_len: usize,
    context: *const u8,
    context_len: usize,
) -> oxtls_result {
    with_live_conn(conn, |c| {
        if out_len == 0 {
            return Err(FfiError::invalid("out_len is 0"));
        }
        // SAFETY: each `(ptr, len)` is readable or writable as documented.
        let (out, label) = unsafe {
            (
                arg_bytes_mut(out, out_len, "out")?,
                arg_bytes(label, label_len, "label")?,
            )
        };
        let context = if context.is_null() {
            None
        } else {
            // SAFETY: non-NULL, readable for `context_len` as documented.
            Some(unsafe { arg_bytes(context, context_len, "context") }?)
        };
        c.conn.export_keying_material(out, label, context)?;
        Ok(())
    })
}

/// Copies the message of the connection's last failure into `(buf, len)`
/// and stores in `*out_n` the length of the whole message in bytes, not
/// counting the NUL, as snprintf returns it. An empty string (`*out_n` 0)
/// if no call has failed.
///
/// When `*out_n >= len` the message did not fit: the result is
/// `OXTLS_ERR_BUFFER_TOO_SMALL`, what fits is still written (cut at a
/// UTF-8 character boundary, NUL-terminated when `len > 0`), and a buffer
/// of `*out_n + 1` bytes will take all of it. `buf` may be NULL with `len`
/// 0 to ask only for the length. This call never changes the last error.
#[no_mangle]
pub extern "C" fn oxtls_conn_last_error(
    conn: *const oxtls_conn,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> oxtls_result {
    // SAFETY: `out_n` is NULL or writable, as documented.
    unsafe { clear_out(out_n, 0) };
    guard(|| {
        let c = borrow(conn)?;
        if out_n.is_null() {
            return Err(FfiError::null("out_n"));
        }
        // SAFETY: `(buf, len)` is writable, as documented.
        let buf = unsafe { arg_bytes_mut(buf.cast(), len, "buf") }?;
        let text = c.last_error.as_ref().map_or("", |e| &e.detail);
        let whole = copy_c_string(text, buf);
        // SAFETY: checked non-NULL above; writable as documented.
        unsafe { write_out(out_n, text.len(), "out_n") }?;
        if whole {
            Ok(())
        } else {
            Err(FfiError::code(OXTLS_ERR_BUFFER_TOO_SMALL))
        }
    })
}

/// The errno value of the last `OXTLS_ERR_IO` on this connection (from a
/// transport callback or the fd), or 0 if there was none (and for NULL).
#[no_mangle]
pub extern "C" fn oxtls_conn_last_errno(conn: *const oxtls_conn) -> c_int {
    get(conn, 0, |c| c.last_errno)
}
