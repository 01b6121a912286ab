//! The caller's callbacks behind the core's traits: a [`Logger`] over the
//! log callback and a [`ServerCertVerifier`] that asks the verify callback
//! after the built-in checks.

use std::ffi::CString;
use std::fmt;
use std::os::raw::{c_char, c_void};
use std::sync::Arc;

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::result::{oxtls_result, result_for_error, OXTLS_OK};
use crate::error::{CertificateError, Error};
use crate::keylog::KeyLog;
use crate::log::{LogLevel, Logger};
use crate::msgs::enums::SignatureScheme;
use crate::verify::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};

/// How much a log message matters: one of the `OXTLS_LOG_*` values.
pub type oxtls_log_level = u32;

/// The connection failed, or is about to.
pub const OXTLS_LOG_ERROR: oxtls_log_level = 1;
/// Something went wrong that may matter (such as an alert sent).
pub const OXTLS_LOG_WARN: oxtls_log_level = 2;
/// A notable step (such as what the handshake agreed).
pub const OXTLS_LOG_INFO: oxtls_log_level = 3;
/// Detail for debugging.
pub const OXTLS_LOG_DEBUG: oxtls_log_level = 4;

/// Receives one log message: `message` is `message_len` bytes of UTF-8,
/// also NUL-terminated, valid only during the call. Never contains
/// secrets or application data.
///
/// Called synchronously from whichever oxtls call produced the message, on
/// the caller's thread, with the `userdata` given to
/// `oxtls_config_builder_set_log_callback()`. It must not call oxtls
/// functions on the connection that is logging (such a call is refused
/// with `OXTLS_ERR_REENTRANT`, and getters answer 0 or false, not the
/// connection's state, as from a transport callback).
pub type oxtls_log_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        level: oxtls_log_level,
        message: *const c_char,
        message_len: usize,
    ),
>;

/// Receives one secret of a connection, for decrypting captures while
/// debugging: `label` is the NSS key log label (NUL-terminated, such as
/// `CLIENT_HANDSHAKE_TRAFFIC_SECRET`), then the connection's 32-byte
/// client random and the secret. Everything is valid only during the call.
/// Writing `label`, the random and the secret in hex on one line gives the
/// `SSLKEYLOGFILE` format that Wireshark reads.
///
/// These secrets decrypt the whole connection: install a key log callback
/// only for debugging. Called synchronously from whichever oxtls call
/// derived the secret, on the caller's thread, with the `userdata` given to
/// `oxtls_config_builder_set_keylog_callback()`. It must not call oxtls
/// functions on the connection that is logging (such a call is refused
/// with `OXTLS_ERR_REENTRANT`, and getters answer 0 or false, not the
/// connection's state, as from a transport callback).
pub type oxtls_keylog_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        label: *const c_char,
        client_random: *const u8,
        client_random_len: usize,
        secret: *const u8,
        secret_len: usize,
    ),
>;

/// A borrowed run of bytes: `len` bytes at `data`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct oxtls_bytes {
    /// The first byte (may be NULL when `len` is 0).
    pub data: *const u8,
    /// How many bytes.
    pub len: usize,
}

/// Decides about the server's certificate after oxtls has checked it.
///
/// Arguments: the caller's `userdata`; the server name the connection was
/// made for (NUL-terminated: a DNS name or an IP address literal); the
/// chain as the server sent it, end-entity certificate first, each
/// element one DER certificate (`chain_len` of them); and `verdict`, the
/// result of oxtls's own verification: `OXTLS_OK`, or the code of the
/// problem it found (an `OXTLS_ERR_CERT_*` code). Everything is valid only
/// during the call.
///
/// Return `OXTLS_OK` to keep the verdict, anything else to refuse the
/// certificate: the handshake then fails with
/// `OXTLS_ERR_CERT_APPLICATION_VERIFICATION_FAILURE`. A callback can turn
/// an acceptance into a refusal but never the reverse: when `verdict` is a
/// failure, the handshake fails with it whatever the callback returns.
///
/// Called once per handshake, from `oxtls_conn_process_new_packets()`, on
/// the caller's thread. It must not call oxtls functions on the connection
/// being verified (such a call is refused with `OXTLS_ERR_REENTRANT`, and
/// getters answer 0 or false, not the connection's state, as from a
/// transport callback): what it needs to decide is in its arguments.
pub type oxtls_verify_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        server_name: *const c_char,
        chain: *const oxtls_bytes,
        chain_len: usize,
        verdict: oxtls_result,
    ) -> oxtls_result,
>;

/// The caller's `userdata` pointer, given back to its callbacks.
#[derive(Clone, Copy)]
pub(crate) struct Userdata(*mut c_void);

impl Userdata {
    pub(crate) fn new(ptr: *mut c_void) -> Self {
        Self(ptr)
    }
}

// SAFETY: oxtls never dereferences the pointer; it only hands it back to
// the caller's own callback. The header documents the caller's side of the
// contract: a config may be shared by connections on several threads, so
// a callback and its userdata must be safe to use from any thread that
// drives one of those connections (oxtls itself calls a callback only from
// inside a call the caller made on that thread).
unsafe impl Send for Userdata {}
// SAFETY: as for Send: shared access only passes the pointer along.
unsafe impl Sync for Userdata {}

/// A [`Logger`] that forwards to the C log callback.
pub(crate) struct CallbackLogger {
    pub(crate) callback: unsafe extern "C" fn(*mut c_void, oxtls_log_level, *const c_char, usize),
    pub(crate) userdata: Userdata,
}

impl Logger for CallbackLogger {
    fn log(&self, level: LogLevel, message: &str) {
        // A message never contains NUL; should one, cut it there rather
        // than lose the message.
        let text = message.split('\0').next().unwrap_or_default();
        let Ok(c_message) = CString::new(text) else {
            return;
        };
        let level = match level {
            LogLevel::Error => OXTLS_LOG_ERROR,
            LogLevel::Warn => OXTLS_LOG_WARN,
            LogLevel::Info => OXTLS_LOG_INFO,
            LogLevel::Debug => OXTLS_LOG_DEBUG,
        };
        // SAFETY: the callback was given for this purpose with this
        // userdata; the message pointer is valid and NUL-terminated for
        // the duration of the call, as its documentation says.
        unsafe {
            (self.callback)(
                self.userdata.0,
                level,
                c_message.as_ptr(),
                c_message.as_bytes().len(),
            )
        }
    }
}

/// A [`KeyLog`] that forwards to the C key log callback.
pub(crate) struct CallbackKeyLog {
    pub(crate) callback:
        unsafe extern "C" fn(*mut c_void, *const c_char, *const u8, usize, *const u8, usize),
    pub(crate) userdata: Userdata,
}

impl KeyLog for CallbackKeyLog {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let Ok(c_label) = CString::new(label) else {
            return;
        };
        // SAFETY: the callback was given for this purpose with this
        // userdata; every pointer is valid for its length (and the label
        // NUL-terminated) for the duration of the call, as its
        // documentation says.
        unsafe {
            (self.callback)(
                self.userdata.0,
                c_label.as_ptr(),
                client_random.as_ptr(),
                client_random.len(),
                secret.as_ptr(),
                secret.len(),
            )
        }
    }
}

impl fmt::Debug for CallbackKeyLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallbackKeyLog")
    }
}

impl fmt::Debug for CallbackLogger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallbackLogger")
    }
}

/// A [`ServerCertVerifier`] that runs `inner` (webpki, or no verification)
/// and then asks the C verify callback, which may only turn an acceptance
/// into a refusal. Handshake signatures are `inner`'s business.
pub(crate) struct CallbackVerifier {
    pub(crate) inner: Arc<dyn ServerCertVerifier>,
    pub(crate) callback: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        *const oxtls_bytes,
        usize,
        oxtls_result,
    ) -> oxtls_result,
    pub(crate) userdata: Userdata,
}

impl ServerCertVerifier for CallbackVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let verdict = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        let verdict_code = match &verdict {
            Ok(_) => OXTLS_OK,
            Err(err) => result_for_error(err),
        };
        let chain: Vec<oxtls_bytes> = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|cert| oxtls_bytes {
                data: cert.as_ptr(),
                len: cert.len(),
            })
            .collect();
        // A server name never contains NUL.
        let name = CString::new(server_name.to_str().as_ref()).unwrap_or_default();
        // SAFETY: the callback was given for this purpose with this
        // userdata; the name, the chain array and every certificate it
        // points to stay valid for the duration of the call.
        let answer = unsafe {
            (self.callback)(
                self.userdata.0,
                name.as_ptr(),
                chain.as_ptr(),
                chain.len(),
                verdict_code,
            )
        };
        match verdict {
            Ok(verified) if answer == OXTLS_OK => Ok(verified),
            Ok(_) => Err(CertificateError::ApplicationVerificationFailure.into()),
            Err(err) => Err(err),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner
            .verify_tls12_signature(message, cert, scheme, signature)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner
            .verify_tls13_signature(message, cert, scheme, signature)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

impl fmt::Debug for CallbackVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackVerifier")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}
