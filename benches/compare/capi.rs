//! oxtls through its C API, as a C program drives it: opaque handles,
//! `oxtls_conn_read_tls`/`oxtls_conn_write_tls` with I/O callbacks,
//! `oxtls_conn_write`/`oxtls_conn_read` for plaintext. The functions are
//! the library's own `extern "C"` symbols, declared here as `oxtls.h`
//! declares them and linked from the crate, so the figure is the cost of
//! the C boundary (argument checks, panic guards, callbacks) over the
//! Rust API on the same code.

use std::ffi::{c_int, c_void, CString};
use std::ptr;

use rustls_pki_types::CertificateDer;

use crate::clients::{Contender, Staged, SERVER_NAME};
use crate::common::TlsVersions;
use crate::counting_alloc::untracked;

#[allow(non_camel_case_types)]
type oxtls_result = u32;
const OXTLS_OK: oxtls_result = 0;
const OXTLS_WOULD_BLOCK: oxtls_result = 1;
const OXTLS_PLAINTEXT_EMPTY: oxtls_result = 2;
const OXTLS_ERR_BUFFER_FULL: oxtls_result = 202;

#[allow(non_camel_case_types)]
#[repr(C)]
struct oxtls_config_builder {
    _opaque: [u8; 0],
}
#[allow(non_camel_case_types)]
#[repr(C)]
struct oxtls_config {
    _opaque: [u8; 0],
}
#[allow(non_camel_case_types)]
#[repr(C)]
struct oxtls_conn {
    _opaque: [u8; 0],
}

type ReadCallback =
    extern "C" fn(userdata: *mut c_void, buf: *mut u8, len: usize, out_n: *mut usize) -> c_int;
type WriteCallback =
    extern "C" fn(userdata: *mut c_void, buf: *const u8, len: usize, out_n: *mut usize) -> c_int;

extern "C" {
    fn oxtls_config_builder_new() -> *mut oxtls_config_builder;
    fn oxtls_config_builder_set_protocol_versions(
        builder: *mut oxtls_config_builder,
        versions: *const u16,
        count: usize,
    ) -> oxtls_result;
    fn oxtls_config_builder_add_root_der(
        builder: *mut oxtls_config_builder,
        der: *const u8,
        len: usize,
    ) -> oxtls_result;
    fn oxtls_config_builder_set_session_cache_size(
        builder: *mut oxtls_config_builder,
        size: usize,
    ) -> oxtls_result;
    fn oxtls_config_builder_build(
        builder: *mut oxtls_config_builder,
        out: *mut *const oxtls_config,
    ) -> oxtls_result;
    fn oxtls_config_free(config: *const oxtls_config);
    fn oxtls_conn_new(
        config: *const oxtls_config,
        server_name: *const std::ffi::c_char,
        out: *mut *mut oxtls_conn,
    ) -> oxtls_result;
    fn oxtls_conn_free(conn: *mut oxtls_conn);
    fn oxtls_conn_process_new_packets(conn: *mut oxtls_conn) -> oxtls_result;
    fn oxtls_conn_read(
        conn: *mut oxtls_conn,
        buf: *mut u8,
        len: usize,
        out_n: *mut usize,
    ) -> oxtls_result;
    fn oxtls_conn_write(
        conn: *mut oxtls_conn,
        buf: *const u8,
        len: usize,
        out_n: *mut usize,
    ) -> oxtls_result;
    fn oxtls_conn_wants_write(conn: *const oxtls_conn) -> bool;
    fn oxtls_conn_is_handshaking(conn: *const oxtls_conn) -> bool;
    fn oxtls_conn_is_resumed(conn: *const oxtls_conn) -> bool;
    fn oxtls_conn_read_tls(
        conn: *mut oxtls_conn,
        callback: ReadCallback,
        userdata: *mut c_void,
        out_n: *mut usize,
    ) -> oxtls_result;
    fn oxtls_conn_write_tls(
        conn: *mut oxtls_conn,
        callback: WriteCallback,
        userdata: *mut c_void,
        out_n: *mut usize,
    ) -> oxtls_result;
}

/// A config made through the C API.
pub struct OxtlsC {
    config: *const oxtls_config,
}

impl OxtlsC {
    /// `versions` and the default suites and groups, trusting `root`; with
    /// `resumption`, the default session cache, else none.
    pub fn new(root: &CertificateDer<'static>, versions: TlsVersions, resumption: bool) -> OxtlsC {
        let versions: &[u16] = match versions {
            TlsVersions::Tls13Only => &[0x0304],
            TlsVersions::Tls12Only => &[0x0303],
            TlsVersions::Both => &[0x0304, 0x0303],
        };
        // SAFETY: every pointer passed is valid for the call; the builder
        // is consumed by build, as the C API documents.
        unsafe {
            let builder = oxtls_config_builder_new();
            let r = oxtls_config_builder_set_protocol_versions(
                builder,
                versions.as_ptr(),
                versions.len(),
            );
            assert_eq!(r, OXTLS_OK, "oxtls_config_builder_set_protocol_versions");
            let r = oxtls_config_builder_add_root_der(builder, root.as_ptr(), root.len());
            assert_eq!(r, OXTLS_OK, "oxtls_config_builder_add_root_der");
            if !resumption {
                let r = oxtls_config_builder_set_session_cache_size(builder, 0);
                assert_eq!(r, OXTLS_OK, "oxtls_config_builder_set_session_cache_size");
            }
            let mut config = ptr::null();
            let r = oxtls_config_builder_build(builder, &mut config);
            assert_eq!(r, OXTLS_OK, "oxtls_config_builder_build");
            OxtlsC { config }
        }
    }
}

impl Drop for OxtlsC {
    fn drop(&mut self) {
        // SAFETY: our one reference, made by build.
        unsafe { oxtls_config_free(self.config) }
    }
}

/// A connection handle and the bytes staged for it.
pub struct OxtlsCConn {
    conn: *mut oxtls_conn,
    staged: Staged,
}

impl Drop for OxtlsCConn {
    fn drop(&mut self) {
        // SAFETY: the handle from oxtls_conn_new, freed once.
        unsafe { oxtls_conn_free(self.conn) }
    }
}

/// The read callback: hands over staged bytes; none left is EAGAIN, as a
/// non-blocking socket would say.
extern "C" fn read_staged(
    userdata: *mut c_void,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> c_int {
    // SAFETY: userdata is the `Staged` passed to oxtls_conn_read_tls, and
    // (buf, len) and out_n are writable for this call, as the API promises.
    unsafe {
        let staged = &mut *(userdata as *mut Staged);
        let rest = &staged.bytes[staged.taken..];
        if rest.is_empty() {
            *out_n = 0;
            return libc::EAGAIN;
        }
        let n = rest.len().min(len);
        ptr::copy_nonoverlapping(rest.as_ptr(), buf, n);
        staged.taken += n;
        *out_n = n;
    }
    0
}

/// The write callback: appends to the harness's Vec (growth not counted).
extern "C" fn write_out(
    userdata: *mut c_void,
    buf: *const u8,
    len: usize,
    out_n: *mut usize,
) -> c_int {
    // SAFETY: userdata is the Vec passed to oxtls_conn_write_tls; (buf,
    // len) is readable and out_n writable for this call.
    unsafe {
        let out = &mut *(userdata as *mut Vec<u8>);
        let bytes = std::slice::from_raw_parts(buf, len);
        untracked(|| out.extend_from_slice(bytes));
        *out_n = len;
    }
    0
}

impl Contender for OxtlsC {
    type Conn = OxtlsCConn;

    fn name(&self) -> &'static str {
        "oxtls C API"
    }

    fn inline_size(&self) -> usize {
        std::mem::size_of::<*mut oxtls_conn>()
    }

    fn connect(&self) -> OxtlsCConn {
        let name = CString::new(SERVER_NAME).expect("no NUL");
        let mut conn = ptr::null_mut();
        // SAFETY: a live config, a NUL-terminated name, a writable out.
        let r = unsafe { oxtls_conn_new(self.config, name.as_ptr(), &mut conn) };
        assert_eq!(r, OXTLS_OK, "oxtls_conn_new");
        OxtlsCConn {
            conn,
            staged: Staged::default(),
        }
    }

    fn stage_tls(conn: &mut OxtlsCConn, tls: &mut Vec<u8>) {
        conn.staged.stage(tls);
    }

    fn staged_len(conn: &OxtlsCConn) -> usize {
        conn.staged.len()
    }

    fn process_tls(conn: &mut OxtlsCConn) {
        let mut n = 0;
        let staged: *mut Staged = &mut conn.staged;
        // SAFETY: a live handle; the callback's userdata is our Staged,
        // alive for the call.
        let r = unsafe { oxtls_conn_read_tls(conn.conn, read_staged, staged.cast(), &mut n) };
        // Full: the caller reads plaintext and comes back.
        assert!(
            matches!(r, OXTLS_OK | OXTLS_WOULD_BLOCK | OXTLS_ERR_BUFFER_FULL),
            "oxtls_conn_read_tls: {r}"
        );
        // SAFETY: a live handle.
        let r = unsafe { oxtls_conn_process_new_packets(conn.conn) };
        assert_eq!(r, OXTLS_OK, "oxtls_conn_process_new_packets");
    }

    fn write_tls(conn: &mut OxtlsCConn, out: &mut Vec<u8>) {
        let out: *mut Vec<u8> = out;
        // SAFETY: a live handle; the callback's userdata is `out`, alive
        // for the calls.
        unsafe {
            while oxtls_conn_wants_write(conn.conn) {
                let mut n = 0;
                let r = oxtls_conn_write_tls(conn.conn, write_out, out.cast(), &mut n);
                assert_eq!(r, OXTLS_OK, "oxtls_conn_write_tls");
            }
        }
    }

    fn is_handshaking(conn: &OxtlsCConn) -> bool {
        // SAFETY: a live handle.
        unsafe { oxtls_conn_is_handshaking(conn.conn) }
    }

    fn resumed(conn: &OxtlsCConn) -> bool {
        // SAFETY: a live handle.
        unsafe { oxtls_conn_is_resumed(conn.conn) }
    }

    fn write_plaintext(conn: &mut OxtlsCConn, mut data: &[u8]) {
        while !data.is_empty() {
            let mut n = 0;
            // SAFETY: a live handle; (data) readable, n writable.
            let r = unsafe { oxtls_conn_write(conn.conn, data.as_ptr(), data.len(), &mut n) };
            assert_eq!(r, OXTLS_OK, "oxtls_conn_write");
            data = &data[n..];
        }
    }

    fn read_plaintext(conn: &mut OxtlsCConn, buf: &mut [u8]) -> usize {
        let mut n = 0;
        // SAFETY: a live handle; buf writable, n writable.
        let r = unsafe { oxtls_conn_read(conn.conn, buf.as_mut_ptr(), buf.len(), &mut n) };
        match r {
            OXTLS_OK => n,
            OXTLS_PLAINTEXT_EMPTY => 0,
            other => panic!("oxtls_conn_read: {other}"),
        }
    }
}
