//! Tests of the C API from Rust, for what C cannot reach: a panic inside
//! an entry point, and the handles' life cycle without a network. The C
//! tests (`tests/c/`) cover the rest against real servers.

use std::ptr;

use super::boundary::FfiError;
use super::config::*;
use super::conn::*;
use super::result::*;

/// A config that skips verification, through the C API.
fn config() -> *const oxtls_config {
    let builder = oxtls_config_builder_new();
    assert_eq!(
        oxtls_config_builder_dangerous_disable_verification(builder),
        OXTLS_OK
    );
    let mut config = ptr::null();
    assert_eq!(oxtls_config_builder_build(builder, &mut config), OXTLS_OK);
    config
}

fn conn() -> *mut oxtls_conn {
    let config = config();
    let mut conn = ptr::null_mut();
    let name = b"localhost\0";
    assert_eq!(
        oxtls_conn_new(config, name.as_ptr().cast(), &mut conn),
        OXTLS_OK
    );
    oxtls_config_free(config);
    conn
}

/// The connection's last error, however long: ask for its length, then
/// copy it into a buffer that fits.
fn last_error(conn: *const oxtls_conn) -> String {
    let mut n = 0;
    oxtls_conn_last_error(conn, ptr::null_mut(), 0, &mut n);
    let mut buf = vec![0u8; n + 1];
    assert_eq!(
        oxtls_conn_last_error(conn, buf.as_mut_ptr().cast(), buf.len(), &mut n),
        OXTLS_OK
    );
    assert_eq!(buf[n], 0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[test]
fn a_panic_ends_the_connection() {
    let conn = conn();
    // The panic message is captured with the test's output.
    let code = with_live_conn(conn, |_| panic!("injected"));

    assert_eq!(code, OXTLS_ERR_PANIC);
    assert!(last_error(conn).contains("panic"));
    // Every later call that needs a live connection says so again.
    assert_eq!(oxtls_conn_process_new_packets(conn), OXTLS_ERR_PANIC);
    assert_eq!(oxtls_conn_send_close_notify(conn), OXTLS_ERR_PANIC);
    assert!(!oxtls_conn_wants_read(conn));
    oxtls_conn_free(conn);
}

#[test]
fn statuses_do_not_replace_the_last_error() {
    let conn = conn();
    let code = with_conn(conn, |_| Err(FfiError::new(OXTLS_ERR_GENERAL, "first")));
    assert_eq!(code, OXTLS_ERR_GENERAL);
    let mut buf = [0u8; 8];
    let mut n = 0;
    assert_eq!(
        oxtls_conn_read(conn, buf.as_mut_ptr(), buf.len(), &mut n),
        OXTLS_PLAINTEXT_EMPTY
    );
    assert_eq!(last_error(conn), "first");
    oxtls_conn_free(conn);
}

#[test]
fn build_consumes_the_builder_even_when_it_fails() {
    // Verification on and no roots: refused, and the builder is gone
    // (a double free or a leak would show under Miri or valgrind).
    let builder = oxtls_config_builder_new();
    let mut config = 1 as *const oxtls_config;
    assert_eq!(
        oxtls_config_builder_build(builder, &mut config),
        OXTLS_ERR_NO_ROOT_CERTIFICATES
    );
    assert!(config.is_null());
}

#[test]
fn a_connection_outlives_its_config() {
    let conn = conn();
    // The config was freed in conn(); the ClientHello is still there.
    assert!(oxtls_conn_wants_write(conn));
    assert!(oxtls_conn_is_handshaking(conn));
    oxtls_conn_free(conn);
}

#[test]
fn alpn_checks_its_pointer_before_trusting_the_count() {
    let builder = oxtls_config_builder_new();
    // Without the pointer check first, a Vec sized from this count made
    // the allocator abort the whole process.
    assert_eq!(
        oxtls_config_builder_set_alpn_protocols(builder, ptr::null(), 1 << 40),
        OXTLS_ERR_NULL_PARAMETER
    );
    // A count far beyond the array (the caller's bug) allocates nothing up
    // front: the first, invalid, name stops the call before any other
    // entry is read.
    let empty = b"\0";
    let names = [empty.as_ptr().cast()];
    assert_eq!(
        oxtls_config_builder_set_alpn_protocols(builder, names.as_ptr(), 1 << 44),
        OXTLS_ERR_INVALID_PARAMETER
    );
    let (h2, http) = (b"h2\0", b"http/1.1\0");
    let names = [h2.as_ptr().cast(), http.as_ptr().cast()];
    assert_eq!(
        oxtls_config_builder_set_alpn_protocols(builder, names.as_ptr(), names.len()),
        OXTLS_OK
    );
    assert_eq!(
        oxtls_config_builder_set_alpn_protocols(builder, ptr::null(), 0),
        OXTLS_OK
    );
    oxtls_config_builder_free(builder);
}

#[test]
fn alpn_protocol_clears_both_outputs_on_every_failure() {
    let stale = 1 as *const u8;
    let (mut out, mut out_len) = (stale, 7usize);
    assert_eq!(
        oxtls_conn_alpn_protocol(ptr::null(), &mut out, &mut out_len),
        OXTLS_ERR_NULL_PARAMETER
    );
    assert_eq!((out, out_len), (ptr::null(), 0));

    let conn = conn();
    out_len = 7;
    assert_eq!(
        oxtls_conn_alpn_protocol(conn, ptr::null_mut(), &mut out_len),
        OXTLS_ERR_NULL_PARAMETER
    );
    assert_eq!(out_len, 0);
    out = stale;
    assert_eq!(
        oxtls_conn_alpn_protocol(conn, &mut out, ptr::null_mut()),
        OXTLS_ERR_NULL_PARAMETER
    );
    assert!(out.is_null());
    oxtls_conn_free(conn);
}

#[test]
fn a_cut_last_error_reports_the_length_it_needs() {
    let conn = conn();
    // Longer than the 512 bytes callers (the Python binding) start with,
    // and with a 2-byte character across the cut.
    let message = format!("{}é{}", "x".repeat(510), "y".repeat(200));
    let code = with_conn(conn, |_| {
        Err(FfiError::new(OXTLS_ERR_GENERAL, message.clone()))
    });
    assert_eq!(code, OXTLS_ERR_GENERAL);

    let mut buf = [0xffu8; 512];
    let mut n = 0;
    assert_eq!(
        oxtls_conn_last_error(conn, buf.as_mut_ptr().cast(), buf.len(), &mut n),
        OXTLS_ERR_BUFFER_TOO_SMALL
    );
    // The whole length, not what was written: enough to size a retry.
    assert_eq!(n, message.len());
    // What fits, cut before the "é" that would straddle the end.
    assert_eq!(&buf[..511], format!("{}\0", "x".repeat(510)).as_bytes());

    assert_eq!(
        oxtls_conn_last_error(conn, ptr::null_mut(), 0, &mut n),
        OXTLS_ERR_BUFFER_TOO_SMALL
    );
    assert_eq!(n, message.len());
    assert_eq!(last_error(conn), message);
    oxtls_conn_free(conn);
}
