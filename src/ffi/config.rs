//! `oxtls_config_builder` and `oxtls_config`: choosing how connections
//! are made, then freezing that choice into a shareable config.
//!
//! The builder collects settings as plain values (the Rust builder's
//! typestate does not suit a C caller who sets things in any order) and
//! makes a `ClientConfig` from them in `oxtls_config_builder_build()`.
//! Every setter either succeeds or leaves the builder as it was.

use std::os::raw::{c_char, c_void};
use std::sync::Arc;

use super::boundary::*;
use super::callbacks::{
    oxtls_keylog_callback, oxtls_log_callback, oxtls_verify_callback, CallbackKeyLog,
    CallbackLogger, CallbackVerifier, Userdata,
};
use super::result::*;
use super::roots::RootsBuilder;
use crate::client::{ClientCertKey, ClientConfig, Resumption};
use crate::crypto::kx::{find_kx_group, SupportedKxGroup, ALL_KX_GROUPS};
use crate::crypto::suites::{SupportedCipherSuite, DEFAULT_CIPHER_SUITES};
use crate::msgs::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use crate::verify::dangerous::NoVerification;
use crate::verify::{ServerCertVerifier, WebPkiServerVerifier};

/// Collects the settings of a config. Made by
/// `oxtls_config_builder_new()`, consumed by `oxtls_config_builder_build()`
/// (or released by `oxtls_config_builder_free()`). Use from one thread at
/// a time.
pub struct oxtls_config_builder {
    versions: Vec<ProtocolVersion>,
    cipher_suites: Vec<SupportedCipherSuite>,
    kx_groups: Vec<&'static SupportedKxGroup>,
    pub(crate) roots: RootsBuilder,
    verification: bool,
    verify_callback: Option<(
        unsafe extern "C" fn(
            *mut c_void,
            *const c_char,
            *const super::callbacks::oxtls_bytes,
            usize,
            oxtls_result,
        ) -> oxtls_result,
        Userdata,
    )>,
    log_callback: Option<CallbackLogger>,
    key_log: Option<Arc<dyn crate::keylog::KeyLog>>,
    alpn_protocols: Vec<Vec<u8>>,
    enable_sni: bool,
    max_fragment_size: Option<usize>,
    session_cache_size: usize,
    enable_early_data: bool,
    enable_secret_extraction: bool,
    /// Set by `oxtls_config_builder_set_client_cert_pem*` (client_cert.rs).
    pub(crate) client_auth: Option<Arc<ClientCertKey>>,
}

/// An immutable client configuration, made by
/// `oxtls_config_builder_build()` and released by `oxtls_config_free()`.
/// Thread-safe: any number of threads may make connections from one
/// config at once. Reference-counted: each connection keeps its own
/// reference, so the config may be freed while connections made from it
/// are still in use.
pub struct oxtls_config {
    pub(crate) inner: Arc<ClientConfig>,
}

/// Makes a builder with the defaults: TLS 1.3 and 1.2, every cipher suite and
/// key-exchange group oxtls implements, SNI on, certificate verification
/// on (with no roots yet: load some, or the build fails), no ALPN.
/// Release it with `oxtls_config_builder_build()` or
/// `oxtls_config_builder_free()`. Never returns NULL (allocation failure
/// aborts the process).
#[no_mangle]
pub extern "C" fn oxtls_config_builder_new() -> *mut oxtls_config_builder {
    guard_value(std::ptr::null_mut(), || {
        let defaults = ClientConfig::builder()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification))
            .with_no_client_auth();
        Box::into_raw(Box::new(oxtls_config_builder {
            versions: defaults.protocol_versions().to_vec(),
            cipher_suites: DEFAULT_CIPHER_SUITES.to_vec(),
            kx_groups: ALL_KX_GROUPS.to_vec(),
            roots: RootsBuilder::default(),
            verification: true,
            verify_callback: None,
            log_callback: None,
            key_log: None,
            alpn_protocols: Vec::new(),
            enable_sni: defaults.enable_sni,
            max_fragment_size: None,
            session_cache_size: DEFAULT_SESSION_CACHE_SIZE,
            enable_early_data: false,
            enable_secret_extraction: false,
            client_auth: None,
        }))
    })
}

/// Releases a builder that was not built. NULL is ignored. Do not call it
/// after `oxtls_config_builder_build()`, which has already released the
/// builder.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_free(builder: *mut oxtls_config_builder) {
    guard_value((), || {
        if !builder.is_null() {
            // SAFETY: a non-NULL builder came from oxtls_config_builder_new
            // and, by the ownership rule, is released exactly once.
            drop(unsafe { Box::from_raw(builder) });
        }
    })
}

/// Runs `body` on the builder behind `builder`.
fn with_builder(
    builder: *mut oxtls_config_builder,
    body: impl FnOnce(&mut oxtls_config_builder) -> Result<(), FfiError>,
) -> oxtls_result {
    guard(|| {
        // SAFETY: a builder handle is NULL or live, used by one thread at
        // a time (the documented rule for builders).
        let b = unsafe { arg_mut(builder, "builder") }?;
        body(b)
    })
}

/// Reads the C array `(ptr, count)` of 16-bit values.
fn u16_list<'a>(ptr: *const u16, count: usize, name: &'static str) -> Result<&'a [u16], FfiError> {
    if count == 0 {
        return Err(FfiError::invalid(format!("{name} is empty")));
    }
    if ptr.is_null() {
        return Err(FfiError::null(name));
    }
    // SAFETY: non-NULL, and the caller promises `count` readable values.
    Ok(unsafe { std::slice::from_raw_parts(ptr, count) })
}

/// Sets the protocol versions to offer: `count` values of 0x0304 (TLS 1.3)
/// and 0x0303 (TLS 1.2), in any order. Any other value fails with
/// `OXTLS_ERR_UNSUPPORTED_PROTOCOL_VERSION`; an empty list with
/// `OXTLS_ERR_INVALID_PARAMETER`.
/// The default is both; with both, a server that speaks TLS 1.3 cannot be
/// pushed down to TLS 1.2 (RFC 8446 §4.1.3). A server that chooses a
/// version not enabled fails the handshake with
/// `OXTLS_ERR_NO_COMMON_VERSION`; one that shares none usually refuses the
/// ClientHello with an alert (`OXTLS_ERR_ALERT_PROTOCOL_VERSION`).
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_protocol_versions(
    builder: *mut oxtls_config_builder,
    versions: *const u16,
    count: usize,
) -> oxtls_result {
    with_builder(builder, |b| {
        let mut chosen = Vec::new();
        for &v in u16_list(versions, count, "versions")? {
            let version = match ProtocolVersion::from(v) {
                v @ (ProtocolVersion::TLSv1_3 | ProtocolVersion::TLSv1_2) => v,
                _ => {
                    return Err(FfiError::new(
                        OXTLS_ERR_UNSUPPORTED_PROTOCOL_VERSION,
                        format!("protocol version 0x{v:04x} is not supported"),
                    ))
                }
            };
            if !chosen.contains(&version) {
                chosen.push(version);
            }
        }
        b.versions = chosen;
        Ok(())
    })
}

/// Sets the cipher suites to offer, most preferred first, by IANA number
/// (such as 0x1301 for TLS_AES_128_GCM_SHA256). A suite oxtls does not
/// implement fails with `OXTLS_ERR_UNSUPPORTED_CIPHER_SUITE`; an empty
/// list with `OXTLS_ERR_INVALID_PARAMETER`.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_cipher_suites(
    builder: *mut oxtls_config_builder,
    iana_ids: *const u16,
    count: usize,
) -> oxtls_result {
    with_builder(builder, |b| {
        let mut chosen = Vec::new();
        for &id in u16_list(iana_ids, count, "iana_ids")? {
            let suite = SupportedCipherSuite::find(CipherSuite::from(id)).ok_or_else(|| {
                FfiError::new(
                    OXTLS_ERR_UNSUPPORTED_CIPHER_SUITE,
                    format!("cipher suite 0x{id:04x} is not supported"),
                )
            })?;
            if !chosen.contains(&suite) {
                chosen.push(suite);
            }
        }
        b.cipher_suites = chosen;
        Ok(())
    })
}

/// Sets the key-exchange groups to offer, most preferred first, by IANA
/// number (0x001d x25519, 0x0017 secp256r1, 0x0018 secp384r1). The first
/// gets a key share in the ClientHello. A group oxtls does not implement
/// fails with `OXTLS_ERR_UNSUPPORTED_GROUP`; an empty list with
/// `OXTLS_ERR_INVALID_PARAMETER`.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_groups(
    builder: *mut oxtls_config_builder,
    iana_ids: *const u16,
    count: usize,
) -> oxtls_result {
    with_builder(builder, |b| {
        let mut chosen: Vec<&'static SupportedKxGroup> = Vec::new();
        for &id in u16_list(iana_ids, count, "iana_ids")? {
            let group = find_kx_group(NamedGroup::from(id)).ok_or_else(|| {
                FfiError::new(
                    OXTLS_ERR_UNSUPPORTED_GROUP,
                    format!("key-exchange group 0x{id:04x} is not supported"),
                )
            })?;
            if !chosen.iter().any(|g| g.name() == group.name()) {
                chosen.push(group);
            }
        }
        b.kx_groups = chosen;
        Ok(())
    })
}

/// Sets the protocols to offer by ALPN (RFC 7301), most preferred first:
/// `count` NUL-terminated names such as "h2" and "http/1.1", each 1 to
/// 255 bytes. A count of 0 turns ALPN off. The strings are copied.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_alpn_protocols(
    builder: *mut oxtls_config_builder,
    protocols: *const *const c_char,
    count: usize,
) -> oxtls_result {
    with_builder(builder, |b| {
        if count > 0 && protocols.is_null() {
            return Err(FfiError::null("protocols"));
        }
        // Grown one name at a time, never sized from `count`: a wrong
        // count must not make us allocate (and abort on) memory the
        // caller never had, and entries are read only as far as needed.
        let mut chosen = Vec::new();
        for i in 0..count {
            // SAFETY: non-NULL (checked above), and the caller promises
            // `count` readable pointers, of which this is one; entries past
            // a failing one are never read.
            let name = unsafe { protocols.add(i).read() };
            // SAFETY: each entry is a NUL-terminated string (or NULL,
            // which is refused), as documented.
            let name = unsafe { arg_str(name, "protocols[i]") }?;
            if name.is_empty() || name.len() > 255 {
                return Err(FfiError::invalid(
                    "an ALPN protocol name must be 1 to 255 bytes",
                ));
            }
            chosen.push(name.as_bytes().to_vec());
        }
        b.alpn_protocols = chosen;
        Ok(())
    })
}

/// Whether to send the server's DNS name in the server_name extension
/// (SNI, RFC 6066); on by default. IP addresses are never sent there.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_enable_sni(
    builder: *mut oxtls_config_builder,
    enable: bool,
) -> oxtls_result {
    with_builder(builder, |b| {
        b.enable_sni = enable;
        Ok(())
    })
}

/// Limits the records oxtls sends to `size` bytes before protection, the
/// 5-byte header included (32 to 16389), as rustls does: each record then
/// carries at most `size - 5` bytes of plaintext, and encryption adds its
/// tag (and in TLS 1.3 a content-type byte) on top. 0 restores the
/// protocol's maximum. Other values fail with `OXTLS_ERR_INVALID_PARAMETER`.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_max_fragment_size(
    builder: *mut oxtls_config_builder,
    size: usize,
) -> oxtls_result {
    with_builder(builder, |b| {
        b.max_fragment_size = match size {
            0 => None,
            32..=16389 => Some(size),
            _ => {
                return Err(FfiError::invalid(
                    "max fragment size must be 0 or between 32 and 16389",
                ))
            }
        };
        Ok(())
    })
}

/// The sessions a config keeps when none is chosen.
const DEFAULT_SESSION_CACHE_SIZE: usize = 256;

/// Sets how many sessions the config keeps in memory for resuming later
/// connections to the same server name: TLS 1.3 session tickets (RFC 8446
/// §2.2) and one TLS 1.2 session per server (RFC 5246 §7.3, RFC 5077),
/// counted together; 256 by default, 0 disables resumption (and TLS 1.2
/// ClientHellos then ask for no ticket). Connections made from one config
/// share its cache, from any thread; each TLS 1.3 ticket is used once. A
/// resumed connection skips the server's certificate and signature, and
/// reports the certificates of the connection that made the session
/// (`oxtls_conn_is_resumed()` tells which happened).
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_session_cache_size(
    builder: *mut oxtls_config_builder,
    size: usize,
) -> oxtls_result {
    with_builder(builder, |b| {
        b.session_cache_size = size;
        Ok(())
    })
}

/// Whether connections may send 0-RTT data (RFC 8446 §2.3) with
/// `oxtls_conn_write_early_data()` when a stored ticket allows it; off by
/// default. Early data is not forward secret, and an attacker can replay
/// it to the server: send only requests that are safe to repeat.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_enable_early_data(
    builder: *mut oxtls_config_builder,
    enable: bool,
) -> oxtls_result {
    with_builder(builder, |b| {
        b.enable_early_data = enable;
        Ok(())
    })
}

/// Whether `oxtls_conn_dangerous_extract_secrets()` may hand out a
/// connection's traffic keys (for kernel TLS, say); off by default.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_enable_secret_extraction(
    builder: *mut oxtls_config_builder,
    enable: bool,
) -> oxtls_result {
    with_builder(builder, |b| {
        b.enable_secret_extraction = enable;
        Ok(())
    })
}

/// DANGEROUS: accept any server certificate, for any name, at any time.
/// Anyone on the network path can then read and change the connection.
/// For tests only. (The server must still prove it holds the key of the
/// certificate it sent.) A verify callback, if set, still runs, with the
/// verdict `OXTLS_OK`.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_dangerous_disable_verification(
    builder: *mut oxtls_config_builder,
) -> oxtls_result {
    with_builder(builder, |b| {
        b.verification = false;
        Ok(())
    })
}

/// Sets a callback that sees every server certificate chain after oxtls's
/// own verification and may refuse it (see `oxtls_verify_callback`), for
/// pinning or extra policy. `userdata` is passed to it unchanged; the
/// caller keeps it valid, and safe to use from the threads that drive
/// connections, as long as any config built from this builder or any of
/// their connections lives. A NULL callback removes it.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_verify_callback(
    builder: *mut oxtls_config_builder,
    callback: oxtls_verify_callback,
    userdata: *mut c_void,
) -> oxtls_result {
    with_builder(builder, |b| {
        b.verify_callback = callback.map(|cb| (cb, Userdata::new(userdata)));
        Ok(())
    })
}

/// Sets a callback that receives the connections' log messages (see
/// `oxtls_log_callback`). `userdata` is passed to it unchanged; the
/// caller keeps it valid, and safe to use from the threads that drive
/// connections, as long as any config built from this builder or any of
/// their connections lives. A NULL callback removes it.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_log_callback(
    builder: *mut oxtls_config_builder,
    callback: oxtls_log_callback,
    userdata: *mut c_void,
) -> oxtls_result {
    with_builder(builder, |b| {
        b.log_callback = callback.map(|callback| CallbackLogger {
            callback,
            userdata: Userdata::new(userdata),
        });
        Ok(())
    })
}

/// Sets a callback that receives every connection's secrets (see
/// `oxtls_keylog_callback`), for decrypting captures while debugging.
/// `userdata` is passed to it unchanged; the caller keeps it valid, and
/// safe to use from the threads that drive connections, as long as any
/// config built from this builder or any of their connections lives. A
/// NULL callback turns key logging off. Replaces
/// `oxtls_config_builder_set_keylog_file()`.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_keylog_callback(
    builder: *mut oxtls_config_builder,
    callback: oxtls_keylog_callback,
    userdata: *mut c_void,
) -> oxtls_result {
    with_builder(builder, |b| {
        b.key_log = callback.map(|callback| {
            Arc::new(CallbackKeyLog {
                callback,
                userdata: Userdata::new(userdata),
            }) as Arc<dyn crate::keylog::KeyLog>
        });
        Ok(())
    })
}

/// Logs every connection's secrets to the file the `SSLKEYLOGFILE`
/// environment variable names (read now), in the format Wireshark and
/// OpenSSL use; nothing is logged if it is unset. For debugging only: the
/// file decrypts the connections, so one created here is readable by its
/// owner only. Fails with `OXTLS_ERR_IO` (and the reason in words) if the
/// variable is set but the file cannot be opened for appending. Replaces
/// `oxtls_config_builder_set_keylog_callback()`.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_keylog_file(
    builder: *mut oxtls_config_builder,
) -> oxtls_result {
    with_builder(builder, |b| {
        let key_log = crate::keylog::KeyLogFile::new();
        if let Some(err) = key_log.open_error() {
            return Err(FfiError::new(
                OXTLS_ERR_IO,
                format!("cannot open the file SSLKEYLOGFILE names: {err}"),
            ));
        }
        b.key_log = Some(Arc::new(key_log));
        Ok(())
    })
}

/// Makes a config from the builder, storing it in `*out` (NULL on
/// failure). The builder is consumed whatever the result: do not use or
/// free it afterwards.
///
/// Fails with `OXTLS_ERR_NO_ROOT_CERTIFICATES` when verification is on and
/// no root was loaded, and `OXTLS_ERR_INVALID_CONFIG` when the settings
/// cannot make a connection (such as cipher suites for none of the enabled
/// versions). Release the config with `oxtls_config_free()`.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_build(
    builder: *mut oxtls_config_builder,
    out: *mut *const oxtls_config,
) -> oxtls_result {
    guard(|| {
        // SAFETY: `out` is NULL or writable, as documented.
        unsafe { clear_out(out, std::ptr::null()) };
        if builder.is_null() {
            return Err(FfiError::null("builder"));
        }
        // SAFETY: a non-NULL builder came from oxtls_config_builder_new and
        // is consumed here, exactly once, by the ownership rule.
        let b = unsafe { Box::from_raw(builder) };
        if out.is_null() {
            return Err(FfiError::null("out"));
        }
        let config = b.into_client_config()?;
        let handle = Box::new(oxtls_config {
            inner: Arc::new(config),
        });
        // SAFETY: checked non-NULL above; writable as documented.
        unsafe { write_out(out, Box::into_raw(handle).cast_const(), "out") }
    })
}

impl oxtls_config_builder {
    fn into_client_config(self) -> Result<ClientConfig, FfiError> {
        let inner: Arc<dyn ServerCertVerifier> = if self.verification {
            let roots = self.roots.into_store();
            if roots.is_empty() {
                return Err(FfiError::code(OXTLS_ERR_NO_ROOT_CERTIFICATES));
            }
            Arc::new(WebPkiServerVerifier::new(roots)?)
        } else {
            Arc::new(NoVerification)
        };
        let verifier: Arc<dyn ServerCertVerifier> = match self.verify_callback {
            Some((callback, userdata)) => Arc::new(CallbackVerifier {
                inner,
                callback,
                userdata,
            }),
            None => inner,
        };
        let mut config = ClientConfig::builder()
            .with_protocol_versions(&self.versions)
            .with_cipher_suites(&self.cipher_suites)
            .with_kx_groups(&self.kx_groups)
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        config.alpn_protocols = self.alpn_protocols;
        config.enable_sni = self.enable_sni;
        config.max_fragment_size = self.max_fragment_size;
        config.logger = self
            .log_callback
            .map(|logger| Arc::new(logger) as Arc<dyn crate::log::Logger>);
        config.key_log = self.key_log;
        config.resumption = Resumption::in_memory_sessions(self.session_cache_size);
        config.enable_early_data = self.enable_early_data;
        config.enable_secret_extraction = self.enable_secret_extraction;
        config.client_auth = self.client_auth;
        // Fail now rather than at the first connection.
        config.validate()?;
        Ok(config)
    }
}

/// Releases the caller's reference to a config. Connections made from it
/// keep their own references and stay usable. NULL is ignored.
#[no_mangle]
pub extern "C" fn oxtls_config_free(config: *const oxtls_config) {
    guard_value((), || {
        if !config.is_null() {
            // SAFETY: a non-NULL config came from oxtls_config_builder_build
            // and, by the ownership rule, is released exactly once.
            drop(unsafe { Box::from_raw(config.cast_mut()) });
        }
    })
}
