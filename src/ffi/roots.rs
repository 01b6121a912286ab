//! Loading the roots a config trusts: PEM files, hashed directories,
//! buffers, single DER certificates, and the system's bundle.
//!
//! Each source is read into a store of its own first and merged only if
//! it was good, so a failed load leaves the builder as it was. Explicit
//! PEM input is checked strictly (any malformed section or non-certificate
//! fails the load): a caller who names a file should hear that it is not
//! what they thought. Directories and the system bundle are taken as the
//! platform leaves them, skipping what cannot be used.

use std::os::raw::c_char;
use std::path::Path;

use rustls_pki_types::pem::{PemObject, SectionKind};
use rustls_pki_types::CertificateDer;

use super::boundary::*;
use super::config::oxtls_config_builder;
use super::result::*;
use crate::verify::{read_pem_file, RootCertStore};

/// The roots collected by a builder.
#[derive(Default)]
pub(crate) struct RootsBuilder {
    store: RootCertStore,
}

impl RootsBuilder {
    pub(crate) fn into_store(self) -> RootCertStore {
        self.store
    }

    fn merge(&mut self, loaded: &RootCertStore) {
        self.store.add_store(loaded);
    }
}

/// Every certificate in `pem`; fails on anything else in a PEM section,
/// or if there is no certificate at all.
fn roots_from_pem(pem: &[u8], source: &str) -> Result<RootCertStore, FfiError> {
    let mut store = RootCertStore::new();
    let mut certificates = 0;
    for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem) {
        match section {
            Ok((SectionKind::Certificate, der)) => {
                store.add(CertificateDer::from(der)).map_err(|e| {
                    FfiError::new(
                        result_for_error(&e),
                        format!("{source}: certificate {}: {e}", certificates + 1),
                    )
                })?;
                certificates += 1;
            }
            Ok((kind, _)) => {
                return Err(FfiError::new(
                    OXTLS_ERR_BAD_PEM,
                    format!("{source} holds a {kind:?} PEM section, not a certificate"),
                ))
            }
            Err(e) => {
                return Err(FfiError::new(
                    OXTLS_ERR_BAD_PEM,
                    format!("{source} is not valid PEM: {e:?}"),
                ))
            }
        }
    }
    if certificates == 0 {
        return Err(FfiError::new(
            OXTLS_ERR_BAD_PEM,
            format!("{source} holds no PEM certificate"),
        ));
    }
    Ok(store)
}

fn load_path(path: &Path) -> Result<RootCertStore, FfiError> {
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| FfiError::new(OXTLS_ERR_CANNOT_READ_FILE, format!("{shown}: {e}")))?;
    if meta.is_dir() {
        let mut store = RootCertStore::new();
        store
            .add_pem_dir(path)
            .map_err(|e| FfiError::new(OXTLS_ERR_CANNOT_READ_FILE, e.to_string()))?;
        if store.is_empty() {
            return Err(FfiError::new(
                OXTLS_ERR_NO_ROOT_CERTIFICATES,
                format!("no certificates in directory {shown}"),
            ));
        }
        return Ok(store);
    }
    let pem = read_pem_file(path)
        .map_err(|e| FfiError::new(OXTLS_ERR_CANNOT_READ_FILE, format!("{shown}: {e}")))?;
    roots_from_pem(&pem, &shown.to_string())
}

fn with_roots(
    builder: *mut oxtls_config_builder,
    load: impl FnOnce() -> Result<RootCertStore, FfiError>,
) -> oxtls_result {
    guard(|| {
        // SAFETY: a builder handle is NULL or live, used by one thread at
        // a time (the documented rule for builders).
        let b = unsafe { arg_mut(builder, "builder") }?;
        let loaded = load()?;
        b.roots.merge(&loaded);
        Ok(())
    })
}

/// Trusts the certificates at `path` (NUL-terminated): a PEM file holding
/// one or more certificates, or a directory of PEM files such as OpenSSL's
/// `c_rehash` leaves (`<hash>.0` links are followed; unusable files are
/// skipped). Fails with `OXTLS_ERR_CANNOT_READ_FILE` if it cannot be read
/// or is not a regular file of at most 16 MiB (a FIFO is refused, not
/// waited on), `OXTLS_ERR_BAD_PEM` if a file is not PEM certificates,
/// `OXTLS_ERR_CERT_BAD_ENCODING` if a certificate cannot be parsed, and
/// `OXTLS_ERR_NO_ROOT_CERTIFICATES` for a directory without certificates.
/// On failure nothing is added.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_load_roots_file(
    builder: *mut oxtls_config_builder,
    path: *const c_char,
) -> oxtls_result {
    with_roots(builder, || {
        // SAFETY: `path` is NULL (refused) or NUL-terminated, as documented.
        let path = unsafe { arg_str(path, "path") }?;
        load_path(Path::new(path))
    })
}

/// Trusts the platform's root certificates, found as OpenSSL finds them:
/// `SSL_CERT_FILE` and `SSL_CERT_DIR` if set, else the usual bundle files
/// and `/etc/ssl/certs`. Fails with `OXTLS_ERR_NO_ROOT_CERTIFICATES` if
/// none is found.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_load_system_roots(
    builder: *mut oxtls_config_builder,
) -> oxtls_result {
    with_roots(builder, || {
        RootCertStore::system()
            .map_err(|e| FfiError::new(OXTLS_ERR_NO_ROOT_CERTIFICATES, e.to_string()))
    })
}

/// Trusts the PEM certificates in `(pem, len)` (one or a bundle). Fails
/// with `OXTLS_ERR_BAD_PEM` on malformed PEM, a non-certificate section or
/// no certificate at all, and `OXTLS_ERR_CERT_BAD_ENCODING` if a
/// certificate cannot be parsed. On failure nothing is added.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_add_roots_pem(
    builder: *mut oxtls_config_builder,
    pem: *const u8,
    len: usize,
) -> oxtls_result {
    with_roots(builder, || {
        // SAFETY: `(pem, len)` is readable, as documented.
        let pem = unsafe { arg_bytes(pem, len, "pem") }?;
        roots_from_pem(pem, "PEM input")
    })
}

/// Trusts one certificate given as DER in `(der, len)`. Fails with an
/// `OXTLS_ERR_CERT_*` code (usually `OXTLS_ERR_CERT_BAD_ENCODING`) if it
/// cannot be parsed.
#[no_mangle]
pub extern "C" fn oxtls_config_builder_add_root_der(
    builder: *mut oxtls_config_builder,
    der: *const u8,
    len: usize,
) -> oxtls_result {
    with_roots(builder, || {
        // SAFETY: `(der, len)` is readable, as documented.
        let der = unsafe { arg_bytes(der, len, "der") }?;
        if der.is_empty() {
            return Err(FfiError::invalid("der is empty"));
        }
        let mut store = RootCertStore::new();
        store.add(CertificateDer::from(der))?;
        Ok(store)
    })
}
