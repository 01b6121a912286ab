//! The client certificate of a config (mutual TLS), from PEM files or
//! buffers. The chain and key are read and checked against each other when
//! set, so a bad pair fails here, not in a handshake.

use std::os::raw::c_char;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use zeroize::Zeroizing;

use super::boundary::*;
use super::config::oxtls_config_builder;
use super::result::*;
use crate::client::ClientCertKey;
use crate::verify::read_pem_file;

/// Every certificate in `pem`, in order; anything that is not PEM, or no
/// certificate at all, is `OXTLS_ERR_BAD_PEM`. Other kinds of section
/// (a key left in the same file) are skipped.
fn chain_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, FfiError> {
    let chain = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| FfiError::new(OXTLS_ERR_BAD_PEM, format!("certificate chain: {e:?}")))?;
    if chain.is_empty() {
        return Err(FfiError::new(
            OXTLS_ERR_BAD_PEM,
            "certificate chain: no PEM certificate",
        ));
    }
    Ok(chain)
}

/// The first private key in `pem` (PKCS#8, PKCS#1 or SEC1; encrypted keys
/// are not read).
fn key_from_pem(pem: &[u8]) -> Result<PrivateKeyDer<'static>, FfiError> {
    PrivateKeyDer::from_pem_slice(pem)
        .map_err(|e| FfiError::new(OXTLS_ERR_BAD_PEM, format!("private key: {e:?}")))
}

fn pair(chain_pem: &[u8], key_pem: &[u8]) -> Result<Arc<ClientCertKey>, FfiError> {
    let chain = chain_from_pem(chain_pem)?;
    let key = key_from_pem(key_pem)?;
    Ok(Arc::new(ClientCertKey::new(chain, &key)?))
}

fn read_file(path: &str) -> Result<Zeroizing<Vec<u8>>, FfiError> {
    read_pem_file(std::path::Path::new(path))
        .map(Zeroizing::new)
        .map_err(|e| FfiError::new(OXTLS_ERR_CANNOT_READ_FILE, format!("{path}: {e}")))
}

fn set_client_cert(
    builder: *mut oxtls_config_builder,
    load: impl FnOnce() -> Result<Arc<ClientCertKey>, FfiError>,
) -> oxtls_result {
    guard(|| {
        // SAFETY: a builder handle is NULL or live, used by one thread at
        // a time (the documented rule for builders).
        let b = unsafe { arg_mut(builder, "builder") }?;
        b.client_auth = Some(load()?);
        Ok(())
    })
}

/// Authenticates connections with a client certificate when a server asks
/// for one (mutual TLS). `cert_chain_pem_path` names a PEM file with the
/// certificate and then any intermediates; `key_pem_path` a PEM file with
/// its private key (PKCS#8 for ECDSA P-256/P-384, Ed25519 or RSA, or PKCS#1
/// `BEGIN RSA PRIVATE KEY`; not encrypted). Both NUL-terminated.
///
/// Fails with `OXTLS_ERR_CANNOT_READ_FILE` if a file cannot be read or is
/// not a regular file of at most 16 MiB (a FIFO is refused, not waited on),
/// `OXTLS_ERR_BAD_PEM` if it holds no certificate or key, and
/// `OXTLS_ERR_INVALID_CONFIG` if the key is of an unsupported kind (SEC1
/// `BEGIN EC PRIVATE KEY`: convert it to PKCS#8) or is not the
/// certificate's. On failure the builder is unchanged; a later call
/// replaces an earlier one.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_client_cert_pem(
    builder: *mut oxtls_config_builder,
    cert_chain_pem_path: *const c_char,
    key_pem_path: *const c_char,
) -> oxtls_result {
    set_client_cert(builder, || {
        // SAFETY: the paths are NULL (refused) or NUL-terminated, as
        // documented.
        let chain_path = unsafe { arg_str(cert_chain_pem_path, "cert_chain_pem_path") }?;
        // SAFETY: as above.
        let key_path = unsafe { arg_str(key_pem_path, "key_pem_path") }?;
        pair(&read_file(chain_path)?, &read_file(key_path)?)
    })
}

/// As `oxtls_config_builder_set_client_cert_pem()`, from PEM text in
/// memory: `(chain, chain_len)` the certificate then any intermediates,
/// `(key, key_len)` its private key. oxtls keeps its own copy; the key's
/// buffer may be wiped once this returns.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_set_client_cert_pem_data(
    builder: *mut oxtls_config_builder,
    chain: *const u8,
    chain_len: usize,
    key: *const u8,
    key_len: usize,
) -> oxtls_result {
    set_client_cert(builder, || {
        // SAFETY: `(chain, chain_len)` is readable, as documented.
        let chain = unsafe { arg_bytes(chain, chain_len, "chain") }?;
        // SAFETY: `(key, key_len)` is readable, as documented.
        let key = unsafe { arg_bytes(key, key_len, "key") }?;
        pair(chain, key)
    })
}
