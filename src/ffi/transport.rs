//! The TLS side of a connection: moving bytes between the connection and
//! the caller's transport, through callbacks or a file descriptor.
//!
//! Each call moves bytes once (one read or one write of the transport),
//! as a non-blocking loop needs. The callbacks (and the fd conveniences)
//! report errno values; `EAGAIN`/`EWOULDBLOCK` (and `EINTR` from a
//! callback) become `OXTLS_WOULD_BLOCK` and any other value
//! `OXTLS_ERR_IO`, kept for `oxtls_conn_last_errno()`.

use std::io;
use std::os::raw::{c_int, c_void};

use super::boundary::*;
use super::conn::{oxtls_conn, with_live_conn, with_unspent_conn, ConnState};
use super::result::*;

/// Reads up to `len` bytes from the caller's transport into `buf` and
/// stores the count in `*out_n` (0 at end of stream). Called during
/// `oxtls_conn_read_tls()` with its userdata.
///
/// Returns 0 on success or an errno value, positive (`errno` as read(2)
/// left it) or negated (`-EAGAIN`, as the kernel and many event libraries
/// return it): both mean the same. `EAGAIN` or `EWOULDBLOCK` (nothing can
/// be read now) and `EINTR` make `oxtls_conn_read_tls()` return
/// `OXTLS_WOULD_BLOCK`: oxtls does not call again itself, so an interrupted
/// caller gets control back in its own loop (to check what the signal
/// asked for, then poll and call again), as OpenSSL's socket BIO reports
/// `EINTR` as "retry". Any other value is `OXTLS_ERR_IO`.
///
/// It must not call oxtls functions on the connection being read for:
/// `buf` lies in that connection's receive buffer, which such a call could
/// move or free. Such a call is refused and changes nothing: it returns
/// `OXTLS_ERR_REENTRANT`, a getter answers as for NULL (0, false: not the
/// connection's state, so read what the callback needs before the call),
/// and `oxtls_conn_free()` does nothing. Other connections may be used.
pub type oxtls_read_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        buf: *mut u8,
        len: usize,
        out_n: *mut usize,
    ) -> c_int,
>;

/// Writes up to `len` bytes from `buf` to the caller's transport and
/// stores the count in `*out_n`. Called during `oxtls_conn_write_tls()`
/// with its userdata. Returns 0 on success or an errno value, positive or
/// negated, read as for `oxtls_read_callback`: `EAGAIN`, `EWOULDBLOCK` and
/// `EINTR` give `OXTLS_WOULD_BLOCK`, any other value `OXTLS_ERR_IO`.
///
/// It must not call oxtls functions on the connection being written for:
/// `buf` lies in that connection's send buffer, which such a call (a
/// write, a close_notify) could move or free. Such a call is refused and
/// changes nothing: it returns `OXTLS_ERR_REENTRANT`, a getter answers as
/// for NULL (0, false: not the connection's state), and
/// `oxtls_conn_free()` does nothing. Other connections may be used.
pub type oxtls_write_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        buf: *const u8,
        len: usize,
        out_n: *mut usize,
    ) -> c_int,
>;

/// What the last transport operation reported, beyond `io::Error`.
#[derive(Default)]
struct TransportErrno(Option<c_int>);

impl TransportErrno {
    fn fail(&mut self, errno: c_int) -> io::Error {
        self.0 = Some(errno);
        io::Error::from_raw_os_error(errno)
    }
}

/// What a callback's non-zero return says, as the errno the rest of this
/// file knows: `-e` is read as `e` (see `oxtls_read_callback`), and
/// `EINTR` as `EAGAIN`, so that the caller's loop, not oxtls, decides
/// whether to call again.
fn callback_errno(rc: c_int) -> c_int {
    // INT_MIN has no negation (nor is it any errno): call it EIO.
    let errno = if rc < 0 {
        rc.checked_neg().unwrap_or(libc::EIO)
    } else {
        rc
    };
    if errno == libc::EINTR {
        libc::EAGAIN
    } else {
        errno
    }
}

/// `io::Read` over the caller's read callback.
struct CallbackReader {
    callback: unsafe extern "C" fn(*mut c_void, *mut u8, usize, *mut usize) -> c_int,
    userdata: *mut c_void,
    errno: TransportErrno,
}

impl io::Read for CallbackReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0usize;
        // SAFETY: the callback was given for this call with this userdata;
        // `buf` is valid for `buf.len()` writable bytes and `n` for one
        // write, for the duration of the call.
        let rc = unsafe { (self.callback)(self.userdata, buf.as_mut_ptr(), buf.len(), &mut n) };
        if rc != 0 {
            return Err(self.errno.fail(callback_errno(rc)));
        }
        // A callback that claims more than it was given is not believed.
        Ok(n.min(buf.len()))
    }
}

/// `io::Write` over the caller's write callback.
struct CallbackWriter {
    callback: unsafe extern "C" fn(*mut c_void, *const u8, usize, *mut usize) -> c_int,
    userdata: *mut c_void,
    errno: TransportErrno,
}

impl io::Write for CallbackWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut n = 0usize;
        // SAFETY: as for CallbackReader::read, with `buf` readable.
        let rc = unsafe { (self.callback)(self.userdata, buf.as_ptr(), buf.len(), &mut n) };
        if rc != 0 {
            return Err(self.errno.fail(callback_errno(rc)));
        }
        Ok(n.min(buf.len()))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `io::Read` and `io::Write` over a file descriptor, retrying `EINTR`.
struct FdTransport {
    fd: c_int,
    errno: TransportErrno,
}

impl FdTransport {
    fn last_errno() -> c_int {
        io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO)
    }
}

impl io::Read for FdTransport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            // SAFETY: `buf` is valid for `buf.len()` writable bytes; an
            // invalid fd is reported by read(2) as EBADF, not undefined
            // behaviour.
            let n = unsafe { libc::read(self.fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n >= 0 {
                return Ok(n as usize);
            }
            let errno = Self::last_errno();
            if errno != libc::EINTR {
                return Err(self.errno.fail(errno));
            }
        }
    }
}

/// On sockets, ask send(2) not to raise SIGPIPE when the peer has gone:
/// a library must not kill its host process. `has_msg_nosignal` is set by
/// build.rs for the systems whose libc has the flag. Apple's send(2) has
/// none; `SO_NOSIGPIPE` on the socket is its way, and the socket is the
/// caller's, so the header asks the caller to set it (see
/// `oxtls_conn_write_tls_fd`) rather than oxtls changing it behind their
/// back. Other fds use write(2), which has no flag at all.
#[cfg(has_msg_nosignal)]
const SEND_FLAGS: c_int = libc::MSG_NOSIGNAL;
#[cfg(not(has_msg_nosignal))]
const SEND_FLAGS: c_int = 0;

impl io::Write for FdTransport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut use_send = true;
        loop {
            let n = if use_send {
                // SAFETY: `buf` is valid for `buf.len()` readable bytes; a
                // bad fd or a non-socket is reported through errno.
                unsafe { libc::send(self.fd, buf.as_ptr().cast(), buf.len(), SEND_FLAGS) }
            } else {
                // SAFETY: as above, for write(2).
                unsafe { libc::write(self.fd, buf.as_ptr().cast(), buf.len()) }
            };
            if n >= 0 {
                return Ok(n as usize);
            }
            match Self::last_errno() {
                libc::EINTR => {}
                libc::ENOTSOCK if use_send => use_send = false,
                errno => return Err(self.errno.fail(errno)),
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Turns the outcome of one transport operation into a result: the count
/// for `*out_n`, `OXTLS_WOULD_BLOCK` for `EAGAIN`, `OXTLS_ERR_IO` (keeping
/// the errno) for a transport failure, and `OXTLS_ERR_BUFFER_FULL` for the
/// connection's own refusal to take more.
fn finish(
    c: &mut ConnState,
    outcome: io::Result<usize>,
    errno: TransportErrno,
    what: &str,
    out_n: *mut usize,
) -> Result<(), FfiError> {
    match (outcome, errno.0) {
        (Ok(n), _) => {
            // SAFETY: `out_n` is NULL (refused) or writable, as documented.
            unsafe { write_out(out_n, n, "out_n") }
        }
        (Err(_), Some(errno)) if errno == libc::EAGAIN || errno == libc::EWOULDBLOCK => {
            Err(FfiError::code(OXTLS_WOULD_BLOCK))
        }
        (Err(e), Some(errno)) => {
            c.last_errno = errno;
            Err(FfiError::new(OXTLS_ERR_IO, format!("{what} failed: {e}")))
        }
        (Err(e), None) => Err(FfiError::new(OXTLS_ERR_BUFFER_FULL, e.to_string())),
    }
}

/// Reads TLS data from the transport once, through `callback` (see
/// `oxtls_read_callback`) with `userdata`, and stores the count in
/// `*out_n`. Then call `oxtls_conn_process_new_packets()`.
///
/// Returns `OXTLS_OK` (with `*out_n` 0 when the transport is at end of
/// stream), `OXTLS_WOULD_BLOCK` when the callback said `EAGAIN`,
/// `EWOULDBLOCK` or `EINTR`, `OXTLS_ERR_IO` for any other errno (see
/// `oxtls_conn_last_errno()`), or `OXTLS_ERR_BUFFER_FULL` when received
/// data must be processed or read first.
#[no_mangle]
pub extern "C" fn oxtls_conn_read_tls(
    conn: *mut oxtls_conn,
    callback: oxtls_read_callback,
    userdata: *mut c_void,
    out_n: *mut usize,
) -> oxtls_result {
    // SAFETY: `out_n` is NULL or writable, as documented.
    unsafe { clear_out(out_n, 0) };
    with_live_conn(conn, |c| {
        let callback = callback.ok_or_else(|| FfiError::null("callback"))?;
        if out_n.is_null() {
            return Err(FfiError::null("out_n"));
        }
        let mut reader = CallbackReader {
            callback,
            userdata,
            errno: TransportErrno::default(),
        };
        let outcome = c.conn.read_tls(&mut reader);
        finish(c, outcome, reader.errno, "read callback", out_n)
    })
}

/// Writes queued TLS data to the transport once, through `callback` (see
/// `oxtls_write_callback`) with `userdata`, and stores the count in
/// `*out_n` (0 when nothing was queued). Results as for
/// `oxtls_conn_read_tls()`. Unlike other calls it still works after a
/// protocol failure, so that the alert telling the peer why can be sent;
/// after a panic or `oxtls_conn_dangerous_extract_secrets()` it returns
/// that error and writes nothing.
#[no_mangle]
pub extern "C" fn oxtls_conn_write_tls(
    conn: *mut oxtls_conn,
    callback: oxtls_write_callback,
    userdata: *mut c_void,
    out_n: *mut usize,
) -> oxtls_result {
    // SAFETY: `out_n` is NULL or writable, as documented.
    unsafe { clear_out(out_n, 0) };
    with_unspent_conn(conn, |c| {
        let callback = callback.ok_or_else(|| FfiError::null("callback"))?;
        if out_n.is_null() {
            return Err(FfiError::null("out_n"));
        }
        let mut writer = CallbackWriter {
            callback,
            userdata,
            errno: TransportErrno::default(),
        };
        let outcome = c.conn.write_tls(&mut writer);
        finish(c, outcome, writer.errno, "write callback", out_n)
    })
}

/// `oxtls_conn_read_tls()` reading from the file descriptor `fd` (a
/// socket, pipe or file; blocking or not) with read(2), retrying `EINTR`.
#[no_mangle]
pub extern "C" fn oxtls_conn_read_tls_fd(
    conn: *mut oxtls_conn,
    fd: c_int,
    out_n: *mut usize,
) -> oxtls_result {
    // SAFETY: `out_n` is NULL or writable, as documented.
    unsafe { clear_out(out_n, 0) };
    with_live_conn(conn, |c| {
        if out_n.is_null() {
            return Err(FfiError::null("out_n"));
        }
        let mut transport = FdTransport {
            fd,
            errno: TransportErrno::default(),
        };
        let outcome = c.conn.read_tls(&mut transport);
        finish(c, outcome, transport.errno, "read", out_n)
    })
}

/// `oxtls_conn_write_tls()` writing to the file descriptor `fd` (a socket,
/// pipe or file; blocking or not), retrying `EINTR`. On a socket it uses
/// send(2) with `MSG_NOSIGNAL` (Linux, Android, FreeBSD, DragonFly,
/// OpenBSD, NetBSD, illumos, Solaris and others that have it), so a peer
/// that has gone gives `EPIPE` rather than a SIGPIPE. macOS and iOS have
/// no such flag: there, set `SO_NOSIGPIPE` on the socket or ignore SIGPIPE
/// (oxtls does not own the socket, so it leaves its options alone). Other
/// fds use write(2), which raises SIGPIPE for a pipe whose reader has gone.
#[no_mangle]
pub extern "C" fn oxtls_conn_write_tls_fd(
    conn: *mut oxtls_conn,
    fd: c_int,
    out_n: *mut usize,
) -> oxtls_result {
    // SAFETY: `out_n` is NULL or writable, as documented.
    unsafe { clear_out(out_n, 0) };
    with_unspent_conn(conn, |c| {
        if out_n.is_null() {
            return Err(FfiError::null("out_n"));
        }
        let mut transport = FdTransport {
            fd,
            errno: TransportErrno::default(),
        };
        let outcome = c.conn.write_tls(&mut transport);
        finish(c, outcome, transport.errno, "write", out_n)
    })
}
