//! A small HTTPS server for demos and the C tests: it makes a test PKI at
//! start, writes the CA for clients to trust, and serves a few pages on
//! 127.0.0.1 with rustls (an independent implementation, so oxtls is
//! tested against someone else's TLS).
//!
//! ```text
//! cargo run --example test_server -- --dir DIR [--port PORT]
//! ```
//!
//! Writes into DIR: `ca.pem` (the root to trust), `other-ca.pem` (an
//! unrelated root, for "unknown issuer" tests), and `server-cert.pem`,
//! `intermediate.pem` and `server-key.pem` (the server's certificate, the
//! intermediate CA that issued it, and its key, so `openssl s_server` can
//! serve the same identity). The leaf is valid for `localhost` and
//! `127.0.0.1`. Also `client-cert.pem` and `client-key.pem`: a client
//! certificate (ECDSA P-256, clientAuth) issued by the root, for mutual
//! TLS tests against a server that trusts `ca.pem`. Then prints
//! `listening on 127.0.0.1:PORT` and serves until killed (or for at most
//! `--lifetime SECONDS`, 900 by default, so a forgotten server goes away).
//!
//! Pages (HTTP/1.x, one request per connection, ALPN `http/1.1` offered):
//! - `/`: a short greeting;
//! - `/big`: 1 MiB of text, in many records;
//! - `/eof`: the greeting, then the TCP connection is closed without
//!   close_notify (a truncation, as an attacker could cause).

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection};

const GREETING: &str = "<html><body><h1>Hello from the oxtls test server</h1>\n\
<p>This page came over TLS from a rustls server on 127.0.0.1.</p></body></html>\n";

fn main() {
    if let Err(err) = run() {
        eprintln!("test_server: {err}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut dir = None;
    let mut port = 0u16;
    let mut lifetime = 900u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--dir" => dir = Some(PathBuf::from(value()?)),
            "--port" => port = value()?.parse()?,
            "--lifetime" => lifetime = value()?.parse()?,
            _ => return Err(format!("unknown argument {arg:?}").into()),
        }
    }
    let dir = dir.ok_or("usage: test_server --dir DIR [--port PORT] [--lifetime SECONDS]")?;
    std::fs::create_dir_all(&dir)?;

    let config = Arc::new(make_pki_and_config(&dir)?);
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
    println!("listening on {}", listener.local_addr()?);
    io::stdout().flush()?;

    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(lifetime));
        eprintln!("test_server: lifetime of {lifetime}s is over");
        std::process::exit(0);
    });
    for sock in listener.incoming() {
        let config = Arc::clone(&config);
        let sock = sock?;
        std::thread::spawn(move || {
            if let Err(e) = serve(sock, config) {
                eprintln!("test_server: connection: {e}");
            }
        });
    }
    Ok(())
}

/// Issues root → intermediate → leaf (ECDSA P-256), writes the PEM files
/// and returns the server's config.
fn make_pki_and_config(dir: &Path) -> Result<ServerConfig, Box<dyn std::error::Error>> {
    let (root, root_key) = ca("oxtls test root CA", None)?;
    let (other, _) = ca("oxtls unrelated CA", None)?;
    let (mid, mid_key) = ca("oxtls test intermediate CA", Some((&root, &root_key)))?;

    let leaf_key = KeyPair::generate()?;
    let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
    params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let leaf = params.signed_by(&leaf_key, &mid, &mid_key)?;

    std::fs::write(dir.join("ca.pem"), root.pem())?;
    std::fs::write(dir.join("other-ca.pem"), other.pem())?;
    std::fs::write(dir.join("server-cert.pem"), leaf.pem())?;
    std::fs::write(dir.join("intermediate.pem"), mid.pem())?;
    std::fs::write(dir.join("server-key.pem"), leaf_key.serialize_pem())?;

    let client_key = KeyPair::generate()?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "oxtls test client");
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.use_authority_key_identifier_extension = true;
    let client = params.signed_by(&client_key, &root, &root_key)?;
    std::fs::write(dir.join("client-cert.pem"), client.pem())?;
    std::fs::write(dir.join("client-key.pem"), client_key.serialize_pem())?;

    let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone(), mid.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// A CA certificate, self-signed or issued by `issuer`.
fn ca(
    name: &str,
    issuer: Option<(&Certificate, &KeyPair)>,
) -> Result<(Certificate, KeyPair), rcgen::Error> {
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let cert = match issuer {
        None => params.self_signed(&key)?,
        Some((issuer, issuer_key)) => {
            params.use_authority_key_identifier_extension = true;
            params.signed_by(&key, issuer, issuer_key)?
        }
    };
    Ok((cert, key))
}

/// Serves one request on one connection.
fn serve(mut sock: TcpStream, config: Arc<ServerConfig>) -> Result<(), Box<dyn std::error::Error>> {
    sock.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut conn = ServerConnection::new(config)?;
    // The whole response is queued at once (1 MiB for /big).
    conn.set_buffer_limit(None);
    let mut request = Vec::new();
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let (received, _) = conn.complete_io(&mut sock)?;
        match conn.reader().read_to_end(&mut request) {
            Ok(_) => return Err("client closed before ending its request".into()),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e.into()),
        }
        if received == 0 && !request.windows(4).any(|w| w == b"\r\n\r\n") {
            return Err("client closed before ending its request".into());
        }
    }
    let line = String::from_utf8_lossy(&request);
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let body = match path {
        "/big" => big_body(),
        _ => GREETING.as_bytes().to_vec(),
    };
    let head = format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.writer().write_all(head.as_bytes())?;
    conn.writer().write_all(&body)?;
    if path != "/eof" {
        conn.send_close_notify();
    }
    while conn.wants_write() {
        conn.write_tls(&mut sock)?;
    }
    // Closing the socket here (without close_notify for /eof).
    Ok(())
}

/// 1 MiB of numbered lines, so a client can check nothing was lost.
fn big_body() -> Vec<u8> {
    let mut body = Vec::with_capacity(1 << 20);
    let mut i = 0;
    while body.len() < (1 << 20) {
        body.extend_from_slice(format!("line {i:08}\n").as_bytes());
        i += 1;
    }
    body.truncate(1 << 20);
    body
}
