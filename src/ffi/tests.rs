//! Tests of the C API from Rust, for what C cannot reach: a panic inside
//! an entry point, and the handles' life cycle without a network. The C
//! tests (`tests/c/`) cover the rest against real servers.

use std::io::Write;
use std::os::raw::{c_int, c_void};
use std::ptr;
use std::sync::Arc;

use super::boundary::FfiError;
use super::config::*;
use super::conn::*;
use super::result::*;
use super::transport::*;

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
    // The panic did not leave the connection marked busy: getters answer.
    assert!(oxtls_conn_is_handshaking(conn));
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

/// What a re-entrant transport callback saw: the codes of the calls it
/// made on its own connection, and the bytes it was lent.
struct Reentry {
    conn: *mut oxtls_conn,
    codes: Vec<oxtls_result>,
    getters_said_nothing: bool,
    lent: Vec<u8>,
}

impl Reentry {
    fn new(conn: *mut oxtls_conn) -> Self {
        Self {
            conn,
            codes: Vec::new(),
            getters_said_nothing: false,
            lent: Vec::new(),
        }
    }

    /// Calls into the connection as a careless event loop might, before
    /// touching the buffer it was lent.
    fn reenter(&mut self) {
        let conn = self.conn;
        let mut buf = [0u8; 16];
        let mut n = 99;
        let mut message = [0u8; 8];
        self.codes = vec![
            oxtls_conn_write(conn, b"x".as_ptr(), 1, &mut n),
            oxtls_conn_send_close_notify(conn),
            oxtls_conn_read(conn, buf.as_mut_ptr(), buf.len(), &mut n),
            oxtls_conn_process_new_packets(conn),
            oxtls_conn_set_buffer_limit(conn, 1),
            oxtls_conn_last_error(conn, message.as_mut_ptr().cast(), message.len(), &mut n),
        ];
        self.getters_said_nothing = !oxtls_conn_wants_write(conn)
            && !oxtls_conn_is_handshaking(conn)
            && oxtls_conn_last_errno(conn) == 0
            && oxtls_conn_plaintext_bytes_to_read(conn) == 0;
        // Does nothing: the outer call still uses the connection.
        oxtls_conn_free(conn);
    }
}

unsafe extern "C" fn reentrant_write(
    userdata: *mut c_void,
    buf: *const u8,
    len: usize,
    out_n: *mut usize,
) -> c_int {
    // SAFETY: the test passes a live `Reentry` as userdata, and nothing
    // else uses it during the call.
    let probe = unsafe { &mut *userdata.cast::<Reentry>() };
    probe.reenter();
    // SAFETY: oxtls lends `len` readable bytes at `buf` and a writable
    // `out_n` for the duration of the call.
    unsafe {
        probe
            .lent
            .extend_from_slice(std::slice::from_raw_parts(buf, len));
        *out_n = len;
    }
    0
}

unsafe extern "C" fn reentrant_read(
    userdata: *mut c_void,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> c_int {
    // SAFETY: as in reentrant_write.
    let probe = unsafe { &mut *userdata.cast::<Reentry>() };
    probe.reenter();
    // A fatal handshake_failure alert, unprotected as before the
    // handshake: what the outer call reads.
    let alert = [21u8, 3, 3, 0, 2, 2, 40];
    assert!(len >= alert.len());
    // SAFETY: oxtls lends `len` writable bytes at `buf` and a writable
    // `out_n` for the duration of the call.
    unsafe {
        std::ptr::copy_nonoverlapping(alert.as_ptr(), buf, alert.len());
        *out_n = alert.len();
    }
    0
}

#[test]
fn calls_from_inside_a_transport_callback_are_refused() {
    let conn = conn();
    let refused = vec![OXTLS_ERR_REENTRANT; 6];

    // The write side: the callback is lent the queued ClientHello.
    let mut probe = Reentry::new(conn);
    let mut n = 0;
    let userdata = ptr::addr_of_mut!(probe).cast();
    assert_eq!(
        oxtls_conn_write_tls(conn, Some(reentrant_write), userdata, &mut n),
        OXTLS_OK
    );
    assert_eq!(probe.codes, refused);
    assert!(probe.getters_said_nothing);
    // The outer call completed: the whole ClientHello record went out,
    // unchanged by the refused calls (no close_notify, no data after it).
    assert_eq!(n, probe.lent.len());
    assert_eq!(probe.lent[..3], [22, 3, 1]);
    let record_len = usize::from(u16::from_be_bytes([probe.lent[3], probe.lent[4]]));
    assert_eq!(probe.lent.len(), 5 + record_len);
    assert!(!oxtls_conn_wants_write(conn));

    // The read side: what the callback gives is read, and nothing the
    // nested calls tried happened.
    let mut probe = Reentry::new(conn);
    let userdata = ptr::addr_of_mut!(probe).cast();
    assert_eq!(
        oxtls_conn_read_tls(conn, Some(reentrant_read), userdata, &mut n),
        OXTLS_OK
    );
    assert_eq!(n, 7);
    assert_eq!(probe.codes, refused);
    assert!(probe.getters_said_nothing);
    assert_eq!(
        oxtls_conn_process_new_packets(conn),
        OXTLS_ERR_ALERT_HANDSHAKE_FAILURE
    );

    // Not left busy: the connection answers again, and frees.
    assert!(oxtls_conn_is_handshaking(conn));
    assert!(last_error(conn).contains("fatal alert"));
    oxtls_conn_free(conn);
}

/// A write callback that takes everything into the `Vec<u8>` behind
/// `userdata`.
unsafe extern "C" fn write_to_vec(
    userdata: *mut c_void,
    buf: *const u8,
    len: usize,
    out_n: *mut usize,
) -> c_int {
    // SAFETY: the tests pass a live `Vec<u8>` as userdata; oxtls lends
    // `len` readable bytes at `buf` and a writable `out_n` for the call.
    unsafe {
        (*userdata.cast::<Vec<u8>>()).extend_from_slice(std::slice::from_raw_parts(buf, len));
        *out_n = len;
    }
    0
}

/// A read callback that gives what is left of the `&[u8]` behind
/// `userdata`.
unsafe extern "C" fn read_from_slice(
    userdata: *mut c_void,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> c_int {
    // SAFETY: the tests pass a live `&[u8]` as userdata; oxtls lends `len`
    // writable bytes at `buf` and a writable `out_n` for the call.
    unsafe {
        let input = &mut *userdata.cast::<&[u8]>();
        let n = len.min(input.len());
        std::ptr::copy_nonoverlapping(input.as_ptr(), buf, n);
        *input = &input[n..];
        *out_n = n;
    }
    0
}

/// Writes everything queued on `conn` into `wire`, and what write_tls
/// returned last.
fn write_tls_into(conn: *mut oxtls_conn, wire: &mut Vec<u8>) -> oxtls_result {
    let mut n = 0;
    let userdata = ptr::addr_of_mut!(*wire).cast();
    loop {
        let code = oxtls_conn_write_tls(conn, Some(write_to_vec), userdata, &mut n);
        if code != OXTLS_OK || n == 0 {
            return code;
        }
    }
}

#[test]
fn a_panic_stops_tls_data_and_settings_too() {
    let conn = conn();
    let code = with_live_conn(conn, |_| panic!("injected"));
    assert_eq!(code, OXTLS_ERR_PANIC);

    // The ClientHello is still queued, but nothing leaves a connection in
    // an unknown state.
    let mut wire = Vec::new();
    assert_eq!(write_tls_into(conn, &mut wire), OXTLS_ERR_PANIC);
    assert!(wire.is_empty());
    assert!(!oxtls_conn_wants_write(conn));
    assert_eq!(oxtls_conn_set_buffer_limit(conn, 100), OXTLS_ERR_PANIC);
    oxtls_conn_free(conn);
}

#[test]
fn a_protocol_failure_still_sends_its_alert() {
    let conn = conn();
    let mut wire = Vec::new();
    assert_eq!(write_tls_into(conn, &mut wire), OXTLS_OK);
    let mut input: &[u8] = b"HTTP/1.1 400 Bad Request\r\n\r\n";
    let mut n = 0;
    let userdata = ptr::addr_of_mut!(input).cast();
    assert_eq!(
        oxtls_conn_read_tls(conn, Some(read_from_slice), userdata, &mut n),
        OXTLS_OK
    );
    let failure = oxtls_conn_process_new_packets(conn);
    assert!(oxtls_result_is_protocol_error(failure), "{failure}");
    assert_eq!(oxtls_conn_set_buffer_limit(conn, 100), failure);

    // The alert telling the server why goes out.
    assert!(oxtls_conn_wants_write(conn));
    wire.clear();
    assert_eq!(write_tls_into(conn, &mut wire), OXTLS_OK);
    assert_eq!(wire[0], 21, "an alert record");
    oxtls_conn_free(conn);
}

/// A rustls server for "localhost", TLS 1.3, with a self-signed
/// certificate (the client config here does not verify).
fn rustls_server() -> rustls::ServerConnection {
    let rcgen::CertifiedKey { cert, key_pair } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key_pair.serialize_der().into());
    // rustls's default provider, chosen by its crate features.
    let config = rustls::ServerConfig::builder_with_protocol_versions(&[&rustls::version::TLS13])
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .expect("server config");
    rustls::ServerConnection::new(Arc::new(config)).expect("server")
}

/// Reads all of `bytes` into the client through the C API, then
/// processes them: what processing returned.
fn deliver(conn: *mut oxtls_conn, bytes: &[u8]) -> oxtls_result {
    let mut input = bytes;
    while !input.is_empty() {
        let mut n = 0;
        let userdata = ptr::addr_of_mut!(input).cast();
        let code = oxtls_conn_read_tls(conn, Some(read_from_slice), userdata, &mut n);
        assert_eq!(code, OXTLS_OK);
    }
    oxtls_conn_process_new_packets(conn)
}

/// Everything the server has queued.
fn server_output(server: &mut rustls::ServerConnection) -> Vec<u8> {
    let mut wire = Vec::new();
    while server.wants_write() {
        server.write_tls(&mut wire).expect("server write_tls");
    }
    wire
}

/// Hands `bytes` to the server and processes them.
fn feed_server(server: &mut rustls::ServerConnection, bytes: &[u8]) -> Result<(), rustls::Error> {
    let mut rd = bytes;
    while !rd.is_empty() {
        server.read_tls(&mut rd).expect("server read_tls");
    }
    server.process_new_packets().map(|_| ())
}

/// The record at the start of `wire`: its length with the header.
fn record_len(wire: &[u8]) -> usize {
    5 + usize::from(u16::from_be_bytes([wire[3], wire[4]]))
}

const BEFORE_THE_FAILURE: &[u8] = b"decrypted before the failure";

/// A client connected to a rustls server, then sent two records at once,
/// the second spoiled: processing them decrypts the first and fails on
/// the second.
fn failed_with_plaintext_left() -> (*mut oxtls_conn, rustls::ServerConnection) {
    let conn = conn();
    let mut server = rustls_server();
    for _ in 0..10 {
        if !oxtls_conn_is_handshaking(conn) && !oxtls_conn_wants_write(conn) {
            break;
        }
        let mut wire = Vec::new();
        assert_eq!(write_tls_into(conn, &mut wire), OXTLS_OK);
        feed_server(&mut server, &wire).expect("server handshake");
        assert_eq!(deliver(conn, &server_output(&mut server)), OXTLS_OK);
    }
    assert!(!oxtls_conn_is_handshaking(conn) && !server.is_handshaking());

    server.writer().write_all(BEFORE_THE_FAILURE).unwrap();
    server.writer().write_all(b"never seen").unwrap();
    let mut wire = server_output(&mut server);
    let first = record_len(&wire);
    assert_eq!(
        first + record_len(&wire[first..]),
        wire.len(),
        "two records"
    );
    // Flip a bit of the second record's authentication tag.
    *wire.last_mut().unwrap() ^= 1;
    assert_eq!(deliver(conn, &wire), OXTLS_ERR_BAD_RECORD_MAC);
    (conn, server)
}

#[test]
fn plaintext_decrypted_before_a_failure_is_still_read() {
    let (conn, mut server) = failed_with_plaintext_left();
    assert_eq!(
        oxtls_conn_plaintext_bytes_to_read(conn),
        BEFORE_THE_FAILURE.len()
    );

    // Part copied out, the rest lent in place.
    let mut buf = [0u8; 9];
    let mut n = 0;
    assert_eq!(
        oxtls_conn_read(conn, buf.as_mut_ptr(), buf.len(), &mut n),
        OXTLS_OK
    );
    assert_eq!(buf[..n], BEFORE_THE_FAILURE[..9]);
    let (mut run, mut len) = (ptr::null(), 0);
    assert_eq!(
        oxtls_conn_peek_plaintext(conn, &mut run, &mut len),
        OXTLS_OK
    );
    // SAFETY: peek lends `len` bytes at `run` until the next other call.
    let lent = unsafe { std::slice::from_raw_parts(run, len) };
    assert_eq!(lent, &BEFORE_THE_FAILURE[9..]);
    assert_eq!(oxtls_conn_consume_plaintext(conn, len), OXTLS_OK);

    // Then the failure, from each of them.
    assert_eq!(
        oxtls_conn_read(conn, buf.as_mut_ptr(), buf.len(), &mut n),
        OXTLS_ERR_BAD_RECORD_MAC
    );
    assert_eq!(n, 0);
    assert_eq!(
        oxtls_conn_peek_plaintext(conn, &mut run, &mut len),
        OXTLS_ERR_BAD_RECORD_MAC
    );
    assert!(run.is_null() && len == 0);
    assert_eq!(
        oxtls_conn_consume_plaintext(conn, 0),
        OXTLS_ERR_BAD_RECORD_MAC
    );
    // Other calls never stopped returning it.
    assert_eq!(oxtls_conn_send_close_notify(conn), OXTLS_ERR_BAD_RECORD_MAC);

    // And the server is told why.
    let mut wire = Vec::new();
    assert_eq!(write_tls_into(conn, &mut wire), OXTLS_OK);
    assert_eq!(
        feed_server(&mut server, &wire),
        Err(rustls::Error::AlertReceived(
            rustls::AlertDescription::BadRecordMac
        ))
    );
    oxtls_conn_free(conn);
}

#[test]
fn no_plaintext_is_handed_out_after_a_panic() {
    let (conn, _server) = failed_with_plaintext_left();
    assert_eq!(with_conn(conn, |_| panic!("injected")), OXTLS_ERR_PANIC);
    assert_eq!(oxtls_conn_plaintext_bytes_to_read(conn), 0);
    let mut buf = [0u8; 64];
    let mut n = 0;
    assert_eq!(
        oxtls_conn_read(conn, buf.as_mut_ptr(), buf.len(), &mut n),
        OXTLS_ERR_PANIC
    );
    let (mut run, mut len) = (ptr::null(), 0);
    assert_eq!(
        oxtls_conn_peek_plaintext(conn, &mut run, &mut len),
        OXTLS_ERR_PANIC
    );
    assert_eq!(oxtls_conn_consume_plaintext(conn, 1), OXTLS_ERR_PANIC);
    oxtls_conn_free(conn);
}
