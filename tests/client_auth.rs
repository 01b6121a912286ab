//! Client certificate authentication (mutual TLS) against real servers:
//! rustls in memory (TLS 1.3 and 1.2, every key type; required, optional,
//! and a server that accepts none of our schemes) and `openssl s_server
//! -Verify` over sockets; and the config errors a bad key gives.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use common::certs::{Eku, IssuedCert, KeyType, TestPki};
use common::openssl_server::{OpensslServerOptions, SServerMode};
use common::oxtls_client::{connect_to_s_server, http_get, oxtls_client};
use common::pump::{handshake, send_pattern, Side};
use common::rustls_server::{ring_provider, RustlsServerOptions, ServerView};
use common::tempdir::TempDir;
use common::TlsVersions;
use oxtls::{ClientConfig, ClientConnection, Error, ProtocolVersion, RootCertStore};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;

const BOTH: [(TlsVersions, ProtocolVersion); 2] = [
    (TlsVersions::Tls13Only, ProtocolVersion::TLSv1_3),
    (TlsVersions::Tls12Only, ProtocolVersion::TLSv1_2),
];

fn client_cert(pki: &TestPki, key_type: KeyType) -> IssuedCert {
    pki.leaf("client.test")
        .key_type(key_type)
        .eku(Eku::ClientAuthOnly)
        .build()
}

fn roots(pki: &TestPki) -> RootCertStore {
    let mut store = RootCertStore::new();
    store.add(pki.ca_der()).expect("test root parses");
    store
}

/// A config trusting the test CA and presenting `cert`.
fn config_with_cert(pki: &TestPki, cert: &IssuedCert) -> ClientConfig {
    ClientConfig::builder()
        .with_root_certificates(roots(pki))
        .with_client_auth_cert(cert.chain.clone(), cert.key())
        .unwrap_or_else(|e| panic!("client cert rejected: {e}"))
}

#[test]
fn every_key_type_authenticates_in_both_versions() {
    let pki = TestPki::new();
    let server_cert = pki.server_cert(KeyType::EcdsaP256);
    for key_type in KeyType::ALL {
        let cert = client_cert(&pki, key_type);
        for (versions, version) in BOTH {
            let mut server = RustlsServerOptions::new(&server_cert)
                .versions(versions)
                .require_client_cert(&[pki.ca_der()])
                .connection();
            let mut client = oxtls_client(config_with_cert(&pki, &cert), "localhost");
            handshake(&mut client, &mut server)
                .unwrap_or_else(|e| panic!("{key_type:?} {version:?}: {e}"));
            assert_eq!(client.protocol_version(), Some(version));
            let seen = ServerView::of(&server).client_certificates;
            assert_eq!(
                seen.as_deref(),
                Some(&cert.chain[..]),
                "{key_type:?} {version:?}"
            );
            // The keys after the handshake agree: our Finished covered our
            // Certificate and CertificateVerify as the server saw them.
            send_pattern(&mut client, &mut server, Side::Client, 3000).unwrap();
            send_pattern(&mut client, &mut server, Side::Server, 3000).unwrap();
        }
    }
}

#[test]
fn a_chain_with_an_intermediate_is_sent_whole() {
    let pki = TestPki::new();
    let server_cert = pki.server_cert(KeyType::EcdsaP256);
    let cert = pki
        .leaf("client.test")
        .eku(Eku::ClientAuthOnly)
        .via_intermediate()
        .build();
    assert_eq!(cert.chain.len(), 2);
    for (versions, version) in BOTH {
        let mut server = RustlsServerOptions::new(&server_cert)
            .versions(versions)
            .require_client_cert(&[pki.ca_der()])
            .connection();
        let mut client = oxtls_client(config_with_cert(&pki, &cert), "localhost");
        handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{version:?}: {e}"));
        let seen = ServerView::of(&server).client_certificates;
        assert_eq!(seen.as_deref(), Some(&cert.chain[..]), "{version:?}");
    }
}

#[test]
fn without_a_certificate_a_requiring_server_refuses_us() {
    let pki = TestPki::new();
    let server_cert = pki.server_cert(KeyType::EcdsaP256);
    for (versions, version) in BOTH {
        let mut server = RustlsServerOptions::new(&server_cert)
            .versions(versions)
            .require_client_cert(&[pki.ca_der()])
            .connection();
        let config = ClientConfig::builder()
            .with_root_certificates(roots(&pki))
            .with_no_client_auth();
        let mut client = oxtls_client(config, "localhost");
        let err = handshake(&mut client, &mut server).expect_err("server needs a certificate");
        assert_eq!(err.failed, Side::Server, "{version:?}: {err}");
        assert!(err.error.contains("no certificates"), "{version:?}: {err}");
        assert!(
            matches!(client.process_new_packets(), Err(Error::AlertReceived(_))),
            "{version:?}"
        );
    }
}

#[test]
fn a_server_that_only_asks_gets_our_certificate() {
    let pki = TestPki::new();
    let server_cert = pki.server_cert(KeyType::EcdsaP256);
    let cert = client_cert(&pki, KeyType::EcdsaP384);
    for (versions, version) in BOTH {
        let options = RustlsServerOptions::new(&server_cert)
            .versions(versions)
            .request_client_cert(&[pki.ca_der()]);
        let mut server = options.connection();
        let mut client = oxtls_client(config_with_cert(&pki, &cert), "localhost");
        handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{version:?}: {e}"));
        let seen = ServerView::of(&server).client_certificates;
        assert_eq!(seen.as_deref(), Some(&cert.chain[..]), "{version:?}");

        // And without one, the same server goes on without.
        let mut server = options.connection();
        let config = ClientConfig::builder()
            .with_root_certificates(roots(&pki))
            .with_no_client_auth();
        let mut client = oxtls_client(config, "localhost");
        handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{version:?}: {e}"));
        assert_eq!(ServerView::of(&server).client_certificates, None);
    }
}

/// A rustls client verifier that lists only `schemes` in its
/// CertificateRequest, otherwise webpki's.
#[derive(Debug)]
struct OnlySchemes {
    inner: Arc<dyn ClientCertVerifier>,
    schemes: Vec<rustls::SignatureScheme>,
}

impl ClientCertVerifier for OnlySchemes {
    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        self.inner.root_hint_subjects()
    }
    fn verify_client_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        intermediates: &[rustls::pki_types::CertificateDer<'_>],
        now: rustls::pki_types::UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.inner
            .verify_client_cert(end_entity, intermediates, now)
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.schemes.clone()
    }
    fn client_auth_mandatory(&self) -> bool {
        false
    }
}

/// RFC 8446 §4.4.2, RFC 5246 §7.4.6: if the server accepts no scheme our
/// key can make, we send an empty Certificate (and no CertificateVerify);
/// a server for which a certificate is optional completes the handshake.
#[test]
fn no_usable_scheme_means_an_empty_certificate() {
    let pki = TestPki::new();
    let server_cert = pki.server_cert(KeyType::EcdsaP256);
    // An RSA key cannot sign with PKCS#1 v1.5 in TLS 1.3; an ECDSA key
    // cannot sign ed25519 in either version.
    let cases = [
        (
            KeyType::Rsa2048,
            vec![rustls::SignatureScheme::RSA_PKCS1_SHA256],
            TlsVersions::Tls13Only,
        ),
        (
            KeyType::EcdsaP256,
            vec![rustls::SignatureScheme::ED25519],
            TlsVersions::Tls13Only,
        ),
        (
            KeyType::EcdsaP256,
            vec![rustls::SignatureScheme::ED25519],
            TlsVersions::Tls12Only,
        ),
    ];
    for (key_type, schemes, versions) in cases {
        let provider = Arc::new(ring_provider(None, None));
        let mut store = rustls::RootCertStore::empty();
        store.add(pki.ca_der()).unwrap();
        let inner = WebPkiClientVerifier::builder_with_provider(store.into(), provider.clone())
            .build()
            .unwrap();
        let verifier = Arc::new(OnlySchemes { inner, schemes });
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions.rustls())
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(server_cert.chain.clone(), server_cert.key())
            .unwrap();
        let mut server = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        let cert = client_cert(&pki, key_type);
        let mut client = oxtls_client(config_with_cert(&pki, &cert), "localhost");
        handshake(&mut client, &mut server)
            .unwrap_or_else(|e| panic!("{key_type:?} {versions:?}: {e}"));
        assert_eq!(
            ServerView::of(&server).client_certificates,
            None,
            "{key_type:?} {versions:?}"
        );
    }

    // With a certificate of the wrong type for TLS 1.2's certificate_types
    // (rustls asks for ECDSA and RSA; Ed25519 counts as ECDSA), control:
    // an Ed25519 key with the ed25519 scheme is sent.
    let provider = Arc::new(ring_provider(None, None));
    let mut store = rustls::RootCertStore::empty();
    store.add(pki.ca_der()).unwrap();
    let inner = WebPkiClientVerifier::builder_with_provider(store.into(), provider.clone())
        .build()
        .unwrap();
    let verifier = Arc::new(OnlySchemes {
        inner,
        schemes: vec![rustls::SignatureScheme::ED25519],
    });
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(TlsVersions::Tls12Only.rustls())
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(server_cert.chain.clone(), server_cert.key())
        .unwrap();
    let mut server = rustls::ServerConnection::new(Arc::new(config)).unwrap();
    let cert = client_cert(&pki, KeyType::Ed25519);
    let mut client = oxtls_client(config_with_cert(&pki, &cert), "localhost");
    handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        ServerView::of(&server).client_certificates.as_deref(),
        Some(&cert.chain[..])
    );
}

#[test]
fn a_key_that_is_not_the_certificates_is_a_config_error() {
    let pki = TestPki::new();
    let cert = client_cert(&pki, KeyType::EcdsaP256);
    let other = client_cert(&pki, KeyType::EcdsaP256);
    let rsa = client_cert(&pki, KeyType::Rsa2048);
    for key in [other.key(), rsa.key()] {
        let err = ClientConfig::builder()
            .with_root_certificates(roots(&pki))
            .with_client_auth_cert(cert.chain.clone(), key)
            .expect_err("mismatched key");
        assert!(
            matches!(err, Error::InvalidConfig(why) if why.contains("does not match")),
            "{err:?}"
        );
    }
    let err = ClientConfig::builder()
        .with_root_certificates(roots(&pki))
        .with_client_auth_cert(Vec::new(), cert.key())
        .expect_err("empty chain");
    assert!(matches!(err, Error::InvalidConfig(_)), "{err:?}");
    let garbage = rustls::pki_types::PrivateKeyDer::Pkcs8(vec![0x30, 0x03, 1, 2, 3].into());
    let err = ClientConfig::builder()
        .with_root_certificates(roots(&pki))
        .with_client_auth_cert(cert.chain.clone(), garbage)
        .expect_err("garbage key");
    assert!(matches!(err, Error::InvalidConfig(_)), "{err:?}");
}

/// `openssl` re-encodes a PKCS#8 key: `-traditional` gives PKCS#1 for RSA
/// and SEC1 for EC keys.
fn traditional_form(key_pem: &str) -> rustls::pki_types::PrivateKeyDer<'static> {
    use rustls::pki_types::pem::PemObject;
    let dir = TempDir::new("key");
    let path = dir.write("key.pem", key_pem);
    let out = std::process::Command::new("openssl")
        .args(["pkey", "-traditional", "-in"])
        .arg(&path)
        .output()
        .expect("run openssl pkey");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    rustls::pki_types::PrivateKeyDer::from_pem_slice(&out.stdout).expect("PEM key")
}

#[test]
fn a_pkcs1_rsa_key_works_and_a_sec1_key_is_refused_with_a_reason() {
    let pki = TestPki::new();
    let server_cert = pki.server_cert(KeyType::EcdsaP256);
    let cert = client_cert(&pki, KeyType::Rsa2048);
    let pkcs1 = traditional_form(&cert.key_pem);
    assert!(matches!(pkcs1, rustls::pki_types::PrivateKeyDer::Pkcs1(_)));
    for (versions, version) in BOTH {
        let config = ClientConfig::builder()
            .with_root_certificates(roots(&pki))
            .with_client_auth_cert(cert.chain.clone(), pkcs1.clone_key())
            .expect("PKCS#1 key accepted");
        let mut server = RustlsServerOptions::new(&server_cert)
            .versions(versions)
            .require_client_cert(&[pki.ca_der()])
            .connection();
        let mut client = oxtls_client(config, "localhost");
        handshake(&mut client, &mut server).unwrap_or_else(|e| panic!("{version:?}: {e}"));
        let seen = ServerView::of(&server).client_certificates;
        assert_eq!(seen.as_deref(), Some(&cert.chain[..]), "{version:?}");
    }

    let ec = client_cert(&pki, KeyType::EcdsaP256);
    let sec1 = traditional_form(&ec.key_pem);
    assert!(matches!(sec1, rustls::pki_types::PrivateKeyDer::Sec1(_)));
    let err = ClientConfig::builder()
        .with_root_certificates(roots(&pki))
        .with_client_auth_cert(ec.chain.clone(), sec1)
        .expect_err("SEC1 is not read");
    assert!(
        matches!(err, Error::InvalidConfig(why) if why.contains("SEC1")),
        "{err:?}"
    );
}

/// `openssl s_server -Verify 1`: a server that requires a certificate
/// chaining to `-CAfile`; its `-www` page describes the certificate.
#[test]
fn openssl_server_requiring_a_certificate_accepts_ours() {
    let pki = TestPki::new();
    let dir = TempDir::new("clientauth");
    let ca_file = dir.write("ca.pem", pki.ca_pem());
    let ca_file = ca_file.to_str().expect("utf-8 path");
    for key_type in [KeyType::EcdsaP256, KeyType::Rsa2048, KeyType::Ed25519] {
        let cert = client_cert(&pki, key_type);
        for (versions, version) in BOTH {
            let server = OpensslServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
                .versions(versions)
                .mode(SServerMode::Www)
                .arg("-Verify")
                .arg("1")
                .arg("-CAfile")
                .arg(ca_file)
                .start();
            let mut client = oxtls_client(config_with_cert(&pki, &cert), "localhost");
            let mut sock = connect_to_s_server(&server, &mut client);
            let page = http_get(&mut client, &mut sock);
            assert_eq!(client.protocol_version(), Some(version));
            assert!(
                page.contains("Client certificate") && page.contains("client.test"),
                "{key_type:?} {version:?}: {page:.2000}\n{}",
                server.diagnostics()
            );
        }
    }
}

#[test]
fn openssl_server_requiring_a_certificate_refuses_none() {
    let pki = TestPki::new();
    let dir = TempDir::new("clientauth");
    let ca_file = dir.write("ca.pem", pki.ca_pem());
    for (versions, version) in BOTH {
        let server = OpensslServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
            .versions(versions)
            .mode(SServerMode::Www)
            .arg("-Verify")
            .arg("1")
            .arg("-CAfile")
            .arg(ca_file.to_str().unwrap())
            .start();
        let config = ClientConfig::builder()
            .with_root_certificates(roots(&pki))
            .with_no_client_auth();
        let mut client = oxtls_client(config, "localhost");
        let mut sock = TcpStream::connect(server.addr()).expect("connect to s_server");
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        // TLS 1.3: our handshake completes before the server reads our
        // (empty) Certificate, so the refusal comes on the first read.
        let result = refusal(&mut client, &mut sock);
        let err = result.expect_err("s_server needs a certificate");
        assert!(
            matches!(err, Error::AlertReceived(_)),
            "{version:?}: {err}\n{}",
            server.diagnostics()
        );
    }
}

/// Runs the handshake and a request until the connection fails (the
/// error) or the server closes it (`Ok`).
fn refusal(client: &mut ClientConnection, sock: &mut TcpStream) -> Result<(), Error> {
    let _ = client.writer().write_all(b"GET / HTTP/1.0\r\n\r\n");
    loop {
        while client.wants_write() {
            if client.write_tls(sock).is_err() {
                break;
            }
        }
        match client.read_tls(sock) {
            Ok(0) | Err(_) => return client.process_new_packets().map(|_| ()),
            Ok(_) => {
                client.process_new_packets()?;
            }
        }
    }
}
