//! Loading roots from DER, PEM, hashed directories and the environment.

use std::fs;
use std::path::Path;

use rustls_pki_types::{CertificateDer, ServerName};

use super::test_pki::{now, temp_dir, Issuer, KeyKind};
use super::{RootCertStore, ServerCertVerifier, WebPkiServerVerifier};
use crate::error::{CertificateError, Error};

const JUNK_KEY: &str = "-----BEGIN PRIVATE KEY-----\nAAEC\n-----END PRIVATE KEY-----\n";
/// Well-formed PEM whose body ("hello") is not a certificate.
const NOT_A_CERT: &str = "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n";

fn pem_of(issuer: &Issuer) -> String {
    issuer.cert.pem()
}

#[test]
fn add_der_keeps_each_root_once() {
    let a = Issuer::root(KeyKind::EcdsaP256, "Root A");
    let b = Issuer::root(KeyKind::Ed25519, "Root B");
    let mut store = RootCertStore::new();
    assert!(store.is_empty());
    store.add(a.der()).unwrap();
    store.add(b.der()).unwrap();
    store.add(a.der()).unwrap();
    assert_eq!(store.len(), 2);
    assert!(!store.is_empty());
    assert_eq!(format!("{store:?}"), "RootCertStore { roots: 2 }");
}

#[test]
fn add_garbage_der_is_bad_encoding() {
    let mut store = RootCertStore::new();
    let result = store.add(CertificateDer::from(vec![0x30, 0x00]));
    assert_eq!(
        result,
        Err(Error::InvalidCertificate(CertificateError::BadEncoding))
    );
    assert!(store.is_empty());
}

#[test]
fn add_pem_counts_added_and_ignored() {
    let a = Issuer::root(KeyKind::EcdsaP256, "Root A");
    let b = Issuer::root(KeyKind::EcdsaP384, "Root B");
    let bundle = format!(
        "# A bundle with comments between the sections\n{}\nsome junk text\n{JUNK_KEY}{}{NOT_A_CERT}{}",
        pem_of(&a),
        pem_of(&b),
        pem_of(&a),
    );
    let mut store = RootCertStore::new();
    // Two new roots; the key and the non-certificate are ignored; the
    // repeat of A is neither.
    assert_eq!(store.add_pem(bundle.as_bytes()), (2, 2));
    assert_eq!(store.len(), 2);
    // Adding it all again adds nothing.
    assert_eq!(store.add_pem(bundle.as_bytes()), (0, 2));
    assert_eq!(store.add_pem(b"no PEM here at all"), (0, 0));
    // A section that never ends is one ignored item.
    assert_eq!(
        store.add_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n"),
        (0, 1)
    );
}

#[test]
fn add_pem_file_reads_a_bundle_and_reports_missing_files() {
    let a = Issuer::root(KeyKind::EcdsaP256, "Root A");
    let b = Issuer::root(KeyKind::Ed25519, "Root B");
    let dir = temp_dir("pem-file");
    let path = dir.join("bundle.pem");
    fs::write(&path, format!("{}{JUNK_KEY}{}", pem_of(&a), pem_of(&b))).unwrap();

    let mut store = RootCertStore::new();
    assert_eq!(store.add_pem_file(&path), Ok((2, 1)));

    let missing = store.add_pem_file(dir.join("missing.pem"));
    match missing {
        Err(Error::General(message)) => assert!(message.contains("missing.pem"), "{message}"),
        other => panic!("expected an error naming the file, got {other:?}"),
    }
    let _ = fs::remove_dir_all(&dir);
}

/// Lays out `dir` as `c_rehash` does: one PEM file per root, a `<hash>.0`
/// symlink to each, plus a bundle of them all, a dangling link and a
/// subdirectory.
#[cfg(unix)]
fn make_hashed_dir(dir: &Path, roots: &[&Issuer]) {
    use std::os::unix::fs::symlink;
    let mut bundle = String::new();
    for (i, root) in roots.iter().enumerate() {
        let file = format!("root-{i}.pem");
        fs::write(dir.join(&file), pem_of(root)).unwrap();
        symlink(&file, dir.join(format!("{:08x}.0", 0x1234_5670 + i))).unwrap();
        bundle.push_str(&pem_of(root));
    }
    fs::write(dir.join("ca-certificates.crt"), bundle).unwrap();
    symlink("does-not-exist.pem", dir.join("deadbeef.0")).unwrap();
    fs::create_dir(dir.join("subdir")).unwrap();
}

#[cfg(unix)]
#[test]
fn add_pem_dir_reads_a_hashed_directory() {
    let a = Issuer::root(KeyKind::EcdsaP256, "Root A");
    let b = Issuer::root(KeyKind::EcdsaP384, "Root B");
    let dir = temp_dir("hashed");
    make_hashed_dir(&dir, &[&a, &b]);

    let mut store = RootCertStore::new();
    // Each root once, however many files hold it; the dangling link is the
    // one ignored item; the subdirectory is skipped.
    assert_eq!(store.add_pem_dir(&dir), Ok((2, 1)));
    assert_eq!(store.len(), 2);

    // The roots loaded this way verify servers.
    let server = b.server(KeyKind::EcdsaP256, &["example.com"]);
    let verifier = WebPkiServerVerifier::new(store).unwrap();
    let name = ServerName::try_from("example.com").unwrap();
    assert!(verifier
        .verify_server_cert(&server.cert, &[], &name, &[], now())
        .is_ok());

    assert!(RootCertStore::new()
        .add_pem_dir(dir.join("no-such-dir"))
        .is_err());
    let _ = fs::remove_dir_all(&dir);
}

/// A FIFO where a certificate file was expected is refused, not read: it
/// would block until someone wrote to it. In a directory it is one more
/// file ignored. (Loaded on another thread, so a regression fails the
/// test instead of hanging it.)
#[cfg(unix)]
#[test]
fn a_fifo_is_refused_not_waited_on() {
    let a = Issuer::root(KeyKind::EcdsaP256, "Root A");
    let dir = temp_dir("fifo");
    make_hashed_dir(&dir, &[&a]);
    let fifo = dir.join("fifo.pem");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");

    let (tx, rx) = std::sync::mpsc::channel();
    let (in_dir, file) = (dir.clone(), fifo.clone());
    std::thread::spawn(move || {
        let loaded = RootCertStore::new().add_pem_dir(&in_dir);
        let alone = RootCertStore::new()
            .add_pem_file(&file)
            .map_err(|e| e.to_string());
        let _ = tx.send((loaded, alone));
    });
    let (loaded, alone) = rx
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("still blocked on the FIFO after five seconds");
    // The dangling link and the FIFO are ignored.
    assert_eq!(loaded, Ok((1, 2)));
    let err = alone.unwrap_err();
    assert!(err.contains("not a regular file"), "{err}");
    let _ = fs::remove_dir_all(&dir);
}

/// The only test that touches SSL_CERT_FILE and SSL_CERT_DIR: the
/// environment is shared by every test thread, and no other test reads
/// these variables.
#[cfg(unix)]
#[test]
fn system_roots_honour_openssl_environment() {
    let saved_file = std::env::var_os("SSL_CERT_FILE");
    let saved_dir = std::env::var_os("SSL_CERT_DIR");

    let a = Issuer::root(KeyKind::EcdsaP256, "Root A");
    let b = Issuer::root(KeyKind::Ed25519, "Root B");
    let c = Issuer::root(KeyKind::EcdsaP384, "Root C");
    let dir = temp_dir("system");
    let bundle = dir.join("bundle.pem");
    fs::write(&bundle, pem_of(&a)).unwrap();
    let hashed = dir.join("hashed");
    fs::create_dir(&hashed).unwrap();
    make_hashed_dir(&hashed, &[&b, &c]);

    // SSL_CERT_FILE alone replaces the system's roots.
    std::env::set_var("SSL_CERT_FILE", &bundle);
    std::env::remove_var("SSL_CERT_DIR");
    assert_eq!(RootCertStore::system().map(|s| s.len()), Ok(1));

    // Both: the file and the directory.
    std::env::set_var("SSL_CERT_DIR", &hashed);
    assert_eq!(RootCertStore::system().map(|s| s.len()), Ok(3));

    // SSL_CERT_DIR alone, as a list with a missing entry in it.
    std::env::remove_var("SSL_CERT_FILE");
    let list = std::env::join_paths([dir.join("missing"), hashed.clone()]).unwrap();
    std::env::set_var("SSL_CERT_DIR", &list);
    assert_eq!(RootCertStore::system().map(|s| s.len()), Ok(2));

    // A file that is not there is an error naming it, not a silent fallback
    // to the system's roots.
    std::env::remove_var("SSL_CERT_DIR");
    std::env::set_var("SSL_CERT_FILE", dir.join("missing.pem"));
    match RootCertStore::system() {
        Err(Error::General(message)) => assert!(message.contains("missing.pem"), "{message}"),
        other => panic!("expected an error, got {other:?}"),
    }
    // A file with no certificate in it is an error too.
    let empty = dir.join("empty.pem");
    fs::write(&empty, "nothing here\n").unwrap();
    std::env::set_var("SSL_CERT_FILE", &empty);
    assert!(RootCertStore::system().is_err());

    // Without the variables, the platform bundle, where there is one.
    std::env::remove_var("SSL_CERT_FILE");
    let has_bundle = [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
    ]
    .iter()
    .any(|p| Path::new(p).is_file());
    if has_bundle {
        let system = RootCertStore::system().expect("platform roots");
        assert!(system.len() > 10, "only {} platform roots", system.len());
    }

    match saved_file {
        Some(v) => std::env::set_var("SSL_CERT_FILE", v),
        None => std::env::remove_var("SSL_CERT_FILE"),
    }
    match saved_dir {
        Some(v) => std::env::set_var("SSL_CERT_DIR", v),
        None => std::env::remove_var("SSL_CERT_DIR"),
    }
    let _ = fs::remove_dir_all(&dir);
}
