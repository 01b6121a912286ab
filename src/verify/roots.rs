//! The set of root certificates (trust anchors) a client trusts.
//!
//! Roots come as DER, as PEM files (one certificate or a whole bundle), as
//! an OpenSSL-style directory (one file per certificate, found through
//! `<subject hash>.0` symlinks made by `c_rehash`), or from the platform's
//! bundle. Each is reduced to what path building needs (subject, key, name
//! constraints) and kept once, however many times it is added.

use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rustls_pki_types::pem::{PemObject, SectionKind};
use rustls_pki_types::{CertificateDer, TrustAnchor};

use super::webpki_errors::certificate_error;
use crate::error::Error;

/// The bundle files that Linux distributions install, in the order they are
/// tried: Debian/Ubuntu/Arch/Alpine, Fedora/RHEL (old path), openSUSE,
/// OpenELEC, Fedora/RHEL (current path), and the BSD-style name that
/// Alpine and others also provide.
const SYSTEM_BUNDLE_FILES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The hashed directory tried when no bundle file exists.
const SYSTEM_CERT_DIR: &str = "/etc/ssl/certs";

/// The roots to verify servers against.
#[derive(Clone, Default)]
pub struct RootCertStore {
    anchors: Vec<TrustAnchor<'static>>,
}

impl RootCertStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The roots of the platform, found the way OpenSSL programs find them.
    ///
    /// If `SSL_CERT_FILE` or `SSL_CERT_DIR` is set, only what they name is
    /// loaded (`SSL_CERT_DIR` may list several directories, separated by
    /// `:`), so a user can replace the system's roots entirely. Otherwise
    /// the first of the usual Linux bundle files that yields a certificate
    /// is loaded, and failing that the directory `/etc/ssl/certs`.
    ///
    /// Fails if no root at all was found.
    pub fn system() -> Result<Self, Error> {
        let env_file = non_empty_env("SSL_CERT_FILE");
        let env_dir = non_empty_env("SSL_CERT_DIR");
        let mut store = Self::new();

        if env_file.is_some() || env_dir.is_some() {
            let mut first_error = None;
            if let Some(file) = env_file {
                if let Err(e) = store.add_pem_file(&file) {
                    first_error.get_or_insert(e);
                }
            }
            for dir in env_dir.iter().flat_map(std::env::split_paths) {
                if let Err(e) = store.add_pem_dir(&dir) {
                    first_error.get_or_insert(e);
                }
            }
            return match (store.is_empty(), first_error) {
                (false, _) => Ok(store),
                (true, Some(e)) => Err(e),
                (true, None) => Err(Error::General(
                    "no root certificates in SSL_CERT_FILE or SSL_CERT_DIR".into(),
                )),
            };
        }

        for file in SYSTEM_BUNDLE_FILES {
            // A missing or unreadable candidate is normal: try the next.
            if let Ok((added, _)) = store.add_pem_file(file) {
                if added > 0 {
                    return Ok(store);
                }
            }
        }
        if let Ok((added, _)) = store.add_pem_dir(SYSTEM_CERT_DIR) {
            if added > 0 {
                return Ok(store);
            }
        }
        Err(Error::General(format!(
            "no system root certificates found (tried {} and {SYSTEM_CERT_DIR}); \
             set SSL_CERT_FILE or SSL_CERT_DIR",
            SYSTEM_BUNDLE_FILES.join(", ")
        )))
    }

    /// Adds one root certificate, given as DER.
    ///
    /// A root already present is not added again. Fails if the certificate
    /// cannot be parsed.
    pub fn add(&mut self, cert: CertificateDer<'_>) -> Result<(), Error> {
        self.add_new(&cert).map(|_| ())
    }

    /// Adds `cert` unless present; says whether it was new.
    fn add_new(&mut self, cert: &CertificateDer<'_>) -> Result<bool, Error> {
        let anchor = webpki::anchor_from_trusted_cert(cert).map_err(certificate_error)?;
        if self.anchors.iter().any(|known| known == &anchor) {
            return Ok(false);
        }
        self.anchors.push(anchor.to_owned());
        Ok(true)
    }

    /// Adds every certificate in PEM text `pem` (a bundle or a single
    /// certificate).
    ///
    /// Returns `(added, ignored)`: how many roots were new, and how many PEM
    /// sections were skipped because they were not certificates, were
    /// malformed, or held a certificate that could not be parsed. A
    /// certificate already in the store is neither. Text outside PEM
    /// sections (comments in bundles) is not counted.
    pub fn add_pem(&mut self, pem: &[u8]) -> (usize, usize) {
        let (mut added, mut ignored) = (0, 0);
        for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem) {
            match section {
                Ok((SectionKind::Certificate, der)) => {
                    match self.add_new(&CertificateDer::from(der)) {
                        Ok(true) => added += 1,
                        Ok(false) => {}
                        Err(_) => ignored += 1,
                    }
                }
                Ok(_) | Err(_) => ignored += 1,
            }
        }
        (added, ignored)
    }

    /// Adds every certificate in the PEM file at `path`; see
    /// [`add_pem`](Self::add_pem) for what is returned.
    ///
    /// Fails only if the file cannot be read, is not a regular file (a
    /// FIFO or a device could block or never end), or is over 16 MiB
    /// (system bundles are well under 1 MiB).
    pub fn add_pem_file(&mut self, path: impl AsRef<Path>) -> Result<(usize, usize), Error> {
        let path = path.as_ref();
        let pem = read_pem_file(path).map_err(|e| {
            Error::General(format!(
                "cannot read root certificates from {}: {e}",
                path.display()
            ))
        })?;
        Ok(self.add_pem(&pem))
    }

    /// Adds every certificate in every file of the directory at `path`,
    /// following symlinks, as in the hashed directories OpenSSL's
    /// `c_rehash` makes (`/etc/ssl/certs` holds `<hash>.0` links next to the
    /// files they point to, and often a bundle of them all besides: each
    /// root is still added once).
    ///
    /// Returns `(added, ignored)` as [`add_pem`](Self::add_pem) does, where
    /// a file that cannot be read (a dangling link, a FIFO, one over 16
    /// MiB) counts as one ignored. Subdirectories are skipped. Fails only
    /// if the directory cannot be listed.
    pub fn add_pem_dir(&mut self, path: impl AsRef<Path>) -> Result<(usize, usize), Error> {
        let path = path.as_ref();
        let cannot_list = |e: std::io::Error| {
            Error::General(format!(
                "cannot list root certificate directory {}: {e}",
                path.display()
            ))
        };
        let mut files: Vec<PathBuf> = fs::read_dir(path)
            .map_err(cannot_list)?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(cannot_list)?;
        // Sorted, so the store's order does not depend on the file system.
        files.sort();

        let (mut added, mut ignored) = (0, 0);
        for file in files {
            if file.is_dir() {
                continue;
            }
            match self.add_pem_file(&file) {
                Ok((a, i)) => {
                    added += a;
                    ignored += i;
                }
                Err(_) => ignored += 1,
            }
        }
        Ok((added, ignored))
    }

    /// Adds every root of `other` that is not already here; returns how
    /// many were new. (The C API builds a store from several sources, such
    /// as the system's roots and a file, each loaded on its own first.)
    pub fn add_store(&mut self, other: &RootCertStore) -> usize {
        let mut added = 0;
        for anchor in &other.anchors {
            if !self.anchors.contains(anchor) {
                self.anchors.push(anchor.clone());
                added += 1;
            }
        }
        added
    }

    /// How many roots the store holds.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether the store holds no root.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// The roots, as webpki's path builder takes them.
    pub(crate) fn trust_anchors(&self) -> &[TrustAnchor<'static>] {
        &self.anchors
    }
}

/// The largest certificate or key file read.
const MAX_PEM_FILE: u64 = 16 << 20;

/// The bytes of the regular file at `path`, at most [`MAX_PEM_FILE`] of
/// them: certificates and keys, here and in the C API. Opened without
/// blocking, so that a FIFO put where a certificate was expected is
/// refused instead of waiting for a writer, and a terminal named by
/// mistake does not become ours (the `libc` flags are the one use of libc
/// outside the C layer; std has no names for them). Read into room
/// for the whole file at once, so a key leaves no copies in memory a
/// growing buffer gave back.
pub(crate) fn read_pem_file(path: &Path) -> io::Result<Vec<u8>> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NONBLOCK | libc::O_NOCTTY,
    );
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let too_big = || io::Error::new(io::ErrorKind::InvalidData, "larger than 16 MiB");
    if meta.len() > MAX_PEM_FILE {
        return Err(too_big());
    }
    let mut pem = Vec::with_capacity(meta.len() as usize + 1);
    // A file that grows while read is still cut at the limit.
    file.take(MAX_PEM_FILE + 1).read_to_end(&mut pem)?;
    if pem.len() as u64 > MAX_PEM_FILE {
        return Err(too_big());
    }
    Ok(pem)
}

/// The roots are many and long: say how many, not what they are.
impl fmt::Debug for RootCertStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RootCertStore")
            .field("roots", &self.anchors.len())
            .finish()
    }
}

fn non_empty_env(name: &str) -> Option<std::ffi::OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}
