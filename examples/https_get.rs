//! Fetches a page over HTTPS with oxtls, verifying the server.
//!
//! ```text
//! cargo run --example https_get -- HOST [PORT] [PATH] [--ca-file FILE] [--server-name NAME]
//! ```
//!
//! Without `--ca-file` the system's trust store is used (`SSL_CERT_FILE`,
//! `SSL_CERT_DIR`, then the usual bundle locations). `--server-name` sets the
//! name to verify when it differs from HOST (for example when HOST is an
//! address).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use oxtls::{ClientConfig, ClientConnection, RootCertStore};
use rustls_pki_types::ServerName;

fn main() {
    if let Err(err) = run() {
        eprintln!("https_get: {err}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut ca_file = None;
    let mut server_name = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--ca-file" => ca_file = Some(args.next().ok_or("--ca-file needs a path")?),
            "--server-name" => server_name = Some(args.next().ok_or("--server-name needs a name")?),
            _ => positional.push(arg),
        }
    }
    let host = positional
        .first()
        .ok_or("usage: https_get HOST [PORT] [PATH] [--ca-file FILE]")?;
    let port: u16 = positional.get(1).map_or(Ok(443), |p| p.parse())?;
    let path = positional.get(2).map_or("/", String::as_str);

    let roots = match &ca_file {
        Some(file) => {
            let mut roots = RootCertStore::new();
            let (added, _ignored) = roots.add_pem_file(file)?;
            if added == 0 {
                return Err(format!("no certificates in {file}").into());
            }
            roots
        }
        None => RootCertStore::system()?,
    };
    let mut config = ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];

    let name = ServerName::try_from(server_name.as_deref().unwrap_or(host).to_string())?;
    let mut conn = ClientConnection::new(Arc::new(config), name)?;
    let mut sock = TcpStream::connect((host.as_str(), port))?;

    write!(
        conn.writer(),
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nAccept-Encoding: identity\r\n\r\n"
    )?;
    conn.complete_io(&mut sock)?;
    eprintln!(
        "https_get: {:?} {:?}, ALPN {:?}",
        conn.protocol_version().ok_or("no version")?,
        conn.negotiated_cipher_suite().ok_or("no suite")?.suite(),
        conn.alpn_protocol().map(String::from_utf8_lossy),
    );

    let mut page = Vec::new();
    loop {
        match conn.reader().read_to_end(&mut page) {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            // Many HTTPS servers close without close_notify after a
            // Connection: close response; the body is complete by then.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                eprintln!("https_get: warning: {e}");
                break;
            }
            Err(e) => return Err(e.into()),
        }
        conn.complete_io(&mut sock)?;
    }
    std::io::stdout().write_all(&page)?;
    Ok(())
}
