//! What every target shares: the client's config (a verifier that
//! accepts anything, a key log the harness reads, a fixed clock), and
//! moving bytes in and out of a connection.

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::input::Input;
use oxtls::pki_types::{CertificateDer, ServerName, UnixTime};
use oxtls::verify::{HandshakeSignatureValid, ServerCertVerified};
use oxtls::{
    AlertDescription, ClientConfig, ClientConnection, Error, KeyLog, ServerCertVerifier,
    SignatureScheme,
};

/// Accepts every certificate and every signature: the fuzzer cannot sign,
/// and what it should reach is the code after verification.
#[derive(Debug)]
pub struct AcceptAnything;

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _scheme: SignatureScheme,
        _signature: &[u8],
    ) -> Result<HandshakeSignatureValid, Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _scheme: SignatureScheme,
        _signature: &[u8],
    ) -> Result<HandshakeSignatureValid, Error> {
        Ok(HandshakeSignatureValid::assertion())
    }
}

/// Keeps every secret the client logs, for the harness to play the server.
#[derive(Debug, Default)]
pub struct CapturedSecrets {
    secrets: Mutex<Vec<(String, Vec<u8>)>>,
}

impl CapturedSecrets {
    /// The latest secret logged under `label`.
    pub fn get(&self, label: &str) -> Option<Vec<u8>> {
        let secrets = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        secrets
            .iter()
            .rev()
            .find(|(l, _)| l == label)
            .map(|(_, s)| s.clone())
    }
}

impl KeyLog for CapturedSecrets {
    fn log(&self, label: &str, _client_random: &[u8], secret: &[u8]) {
        let mut secrets = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        secrets.push((label.to_string(), secret.to_vec()));
    }
}

thread_local! {
    /// Seconds the harness has moved the clock on in this run.
    static CLOCK_OFFSET: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A clock that stands still unless the harness moves it, so that runs
/// repeat exactly.
#[derive(Debug)]
pub struct FixedClock;

impl oxtls::TimeProvider for FixedClock {
    fn now(&self) -> UnixTime {
        let offset = CLOCK_OFFSET.with(|o| o.get());
        UnixTime::since_unix_epoch(Duration::from_secs(1_700_000_000 + offset))
    }
}

/// Moves the clock on before a second connection, as options bits 4-5
/// say: not at all, an hour, eight days (past any ticket's lifetime), or
/// `seconds`.
pub fn advance_clock(options: u8, seconds: u32) {
    let by = match (options >> 4) & 3 {
        0 => 0,
        1 => 3600,
        2 => 8 * 24 * 3600,
        _ => u64::from(seconds),
    };
    CLOCK_OFFSET.with(|o| o.set(o.get() + by));
}

/// Config options the input chooses from its first byte (bits 0-3; bits
/// 4-5 are for [`advance_clock`]). Starts the run's clock, and forgets
/// the last run's failure.
pub fn config(options: u8, key_log: Option<Arc<CapturedSecrets>>) -> Arc<ClientConfig> {
    let mut config = ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnything))
        .with_no_client_auth();
    if options & 1 != 0 {
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    }
    if options & 2 != 0 {
        config.enable_early_data = true;
    }
    if options & 4 != 0 {
        config.max_fragment_size = Some(512);
    }
    if options & 8 != 0 {
        config.enable_sni = false;
    }
    CLOCK_OFFSET.with(|o| o.set(0));
    FAILURE_OUTPUT.with(|f| *f.borrow_mut() = (None, Vec::new()));
    config.time_provider = Arc::new(FixedClock);
    if let Some(key_log) = key_log {
        config.key_log = Some(key_log);
    }
    Arc::new(config)
}

pub fn connect(config: &Arc<ClientConfig>) -> ClientConnection {
    let name = ServerName::try_from("example.com").expect("a valid name");
    ClientConnection::new(config.clone(), name).expect("the config is valid")
}

/// Everything the client has queued to send.
pub fn drain(conn: &mut ClientConnection) -> Vec<u8> {
    let mut out = Vec::new();
    while conn.wants_write() {
        match conn.write_tls(&mut out) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

/// Reads and drops whatever plaintext is waiting.
pub fn read_plaintext(conn: &mut ClientConnection) {
    let mut buf = [0u8; 4096];
    for _ in 0..64 {
        match conn.reader().read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

thread_local! {
    /// The alert the error called for and what the client wrote when
    /// `deliver` last failed.
    static FAILURE_OUTPUT: std::cell::RefCell<(Option<AlertDescription>, Vec<u8>)> =
        const { std::cell::RefCell::new((None, Vec::new())) };
}

/// The alert the error called for and what the client wrote as
/// `deliver` last failed (taken).
pub fn failure_output() -> (Option<AlertDescription>, Vec<u8>) {
    FAILURE_OUTPUT.with(|f| std::mem::take(&mut *f.borrow_mut()))
}

/// The records in `written`, which must all be whole, as `write_tls` into
/// a `Vec` leaves them.
pub fn whole_records(written: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = written;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let header = rest.get(..5).expect("the client wrote a partial record");
        let len = 5 + u16::from_be_bytes([header[3], header[4]]) as usize;
        let record = rest.get(..len).expect("the client wrote a partial record");
        rest = &rest[len..];
        Some(record)
    })
}

/// How a harness follows the records the client protects, opening each
/// under the keys it should be using.
pub trait ClientRecordLog {
    /// Opens every record in `written` (whole records).
    fn absorb(&mut self, written: &[u8]);
    /// The content type and content of the last record opened.
    fn last(&self) -> Option<&(u8, Vec<u8>)>;
}

/// After `deliver` failed: opens what the client wrote as it failed, whose
/// last record must be the fatal alert its error calls for.
pub fn check_failure(records: &mut impl ClientRecordLog) {
    let (alert, written) = failure_output();
    records.absorb(&written);
    if let Some(alert) = alert {
        assert_eq!(
            records.last(),
            Some(&(21, vec![2, alert.to_wire()])),
            "the client did not send a fatal {alert:?}"
        );
    }
}

/// The client's own turn after the handshake, as the input says:
/// close_notify, or data; what it writes must open.
pub fn client_turn(
    input: &mut Input,
    conn: &mut ClientConnection,
    records: &mut impl ClientRecordLog,
) {
    if input.bool() {
        conn.send_close_notify();
    } else {
        let _ = conn.writer().write(input.blob());
    }
    records.absorb(&drain(conn));
}

/// Hands the server's `wire` to the client after the handshake, opening
/// what it writes; false once it failed (its alert checked).
pub fn deliver_after_handshake(
    conn: &mut ClientConnection,
    wire: &[u8],
    chunk: usize,
    records: &mut impl ClientRecordLog,
) -> bool {
    match note("post-handshake", deliver(conn, wire, chunk)) {
        Ok(written) => {
            records.absorb(&written);
            true
        }
        Err(_) => {
            // The client's last record is the alert its error names.
            check_failure(records);
            false
        }
    }
}

/// Hands `wire` to the client in reads of at most `chunk` bytes,
/// processing after each, and drains what it writes and the plaintext it
/// received. Stops at the first error; else returns what it wrote.
pub fn deliver(conn: &mut ClientConnection, wire: &[u8], chunk: usize) -> Result<Vec<u8>, Error> {
    let mut written = Vec::new();
    let chunk = chunk.max(1);
    let mut rest = wire;
    while !rest.is_empty() {
        let (this, next) = rest.split_at(chunk.min(rest.len()));
        let mut rd: &[u8] = this;
        while !rd.is_empty() {
            match conn.read_tls(&mut rd) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Other => {
                    // The plaintext buffer is full: read it and go on.
                    read_plaintext(conn);
                    if conn.read_tls(&mut rd).is_err() {
                        return Ok(written);
                    }
                }
                Err(_) => return Ok(written),
            }
            if let Err(err) = conn.process_new_packets() {
                let written = drain(conn);
                check_alert_sent(&err, &written);
                FAILURE_OUTPUT.with(|f| *f.borrow_mut() = (err.alert(), written));
                return Err(err);
            }
            written.extend(drain(conn));
            read_plaintext(conn);
        }
        rest = next;
    }
    Ok(written)
}

/// Splits the records in `wire` (as the client wrote them) into
/// (content type, fragment); ignores a truncated tail.
pub fn records(wire: &[u8]) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    let mut rest = wire;
    while rest.len() >= 5 {
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        if rest.len() < 5 + len {
            break;
        }
        out.push((rest[0], &rest[5..5 + len]));
        rest = &rest[5 + len..];
    }
    out
}

/// The handshake bytes in the client's records, joined.
pub fn handshake_bytes(wire: &[u8]) -> Vec<u8> {
    records(wire)
        .into_iter()
        .filter(|(typ, _)| *typ == 22)
        .flat_map(|(_, f)| f.iter().copied())
        .collect()
}

/// Says why a run stopped, when OXTLS_FUZZ_DEBUG is set (for working on
/// a harness, or seeing what an input does).
pub fn note<T>(stage: &str, result: Result<T, Error>) -> Result<T, Error> {
    static DEBUG: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if let Err(err) = &result {
        if *DEBUG.get_or_init(|| std::env::var_os("OXTLS_FUZZ_DEBUG").is_some()) {
            eprintln!("{stage}: {err}");
        }
    }
    result
}

/// The project's rule: an error that calls for an alert sends it. When the
/// alert went out in the clear, it must be the fatal alert the error
/// names; when encrypted, there must be a record at least (the harness
/// does not decrypt the client's records).
pub fn check_alert_sent(err: &Error, written: &[u8]) {
    let Some(alert) = err.alert() else {
        return;
    };
    let last = records(written).pop();
    match last {
        // In the clear (a TLS 1.2 record under keys is longer).
        Some((21, body)) if body.len() == 2 => assert_eq!(
            body,
            [2, alert.to_wire()],
            "the alert sent for \"{err}\" is not {alert:?}"
        ),
        Some(_) => {}
        None => panic!("no alert was sent for \"{err}\" (it calls for {alert:?})"),
    }
}
