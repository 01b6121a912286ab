//! oxtls's `ClientConnection` as a harness endpoint, and configs for it.

use std::io::{self, BufRead, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use oxtls::pki_types::{CertificateDer, ServerName};
use oxtls::{ClientConfig, ClientConnection, RootCertStore};

use crate::common::openssl_server::OpensslServer;
use crate::common::pump::TlsEndpoint;

impl TlsEndpoint for ClientConnection {
    fn read_tls(&mut self, rd: &mut dyn Read) -> io::Result<usize> {
        ClientConnection::read_tls(self, rd)
    }
    fn process(&mut self) -> Result<(), String> {
        self.process_new_packets()
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
    fn write_tls(&mut self, wr: &mut dyn Write) -> io::Result<usize> {
        ClientConnection::write_tls(self, wr)
    }
    fn wants_write(&self) -> bool {
        ClientConnection::wants_write(self)
    }
    fn is_handshaking(&self) -> bool {
        ClientConnection::is_handshaking(self)
    }
    fn send_plaintext(&mut self, data: &[u8]) -> io::Result<usize> {
        self.writer().write(data)
    }
    fn recv_plaintext(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader().read(buf)
    }
}

/// A config trusting `roots` only, with the default versions and algorithms.
pub fn oxtls_config(roots: &[CertificateDer<'static>]) -> ClientConfig {
    let mut store = RootCertStore::new();
    for root in roots {
        store.add(root.clone()).expect("test root parses");
    }
    ClientConfig::builder()
        .with_root_certificates(store)
        .with_no_client_auth()
}

/// A connection to `name` made with `config`.
pub fn oxtls_client(config: ClientConfig, name: &str) -> ClientConnection {
    let name = ServerName::try_from(name.to_string()).expect("valid server name");
    ClientConnection::new(Arc::new(config), name).expect("connection starts")
}

/// Connects to `server` (`openssl s_server`) and runs the handshake over
/// the socket; s_server's own output goes into any panic message.
pub fn connect_to_s_server(server: &OpensslServer, client: &mut ClientConnection) -> TcpStream {
    let mut sock = TcpStream::connect(server.addr()).expect("connect to s_server");
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    client
        .complete_io(&mut sock)
        .unwrap_or_else(|e| panic!("handshake failed: {e}\n{}", server.diagnostics()));
    assert!(!client.is_handshaking());
    sock
}

/// Sends `GET /` over an established connection and reads until the
/// server closes; returns the page.
pub fn http_get(client: &mut ClientConnection, sock: &mut TcpStream) -> String {
    client
        .writer()
        .write_all(b"GET / HTTP/1.0\r\n\r\n")
        .unwrap();
    let mut page = Vec::new();
    loop {
        while client.wants_write() {
            client.write_tls(sock).unwrap();
        }
        match client.reader().read_to_end(&mut page) {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("read failed: {e}"),
        }
        if client.read_tls(sock).unwrap() == 0 {
            client.process_new_packets().unwrap();
            let _ = client.reader().read_to_end(&mut page);
            break;
        }
        client.process_new_packets().unwrap();
    }
    String::from_utf8_lossy(&page).into_owned()
}

/// A new connection to "localhost" made with `config`: connects to
/// s_server, handshakes, GETs `/`; returns the page and the connection.
pub fn get_from_s_server(
    server: &OpensslServer,
    config: &Arc<ClientConfig>,
) -> (String, ClientConnection) {
    let name = ServerName::try_from("localhost").expect("valid server name");
    let mut client = ClientConnection::new(config.clone(), name).expect("connection");
    let mut sock = connect_to_s_server(server, &mut client);
    let page = http_get(&mut client, &mut sock);
    (page, client)
}

/// The next run of plaintext `reader` lends in place (`fill_buf`); `None`
/// when none has arrived yet. Panics on any other error.
pub fn lent_run(reader: &mut impl io::BufRead) -> Option<&[u8]> {
    match reader.fill_buf() {
        Ok(run) => Some(run),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => None,
        Err(e) => panic!("fill_buf failed: {e}"),
    }
}

/// Has `server` send `records` full records, which `client` takes as an
/// application would (one `read_tls`, processing, then every byte of
/// plaintext lent in place by `BufRead`, and again); returns where each
/// full record's plaintext lay, as its address modulo 64.
pub fn full_record_plaintext_alignment(
    client: &mut ClientConnection,
    server: &mut rustls::ServerConnection,
    records: usize,
) -> Vec<usize> {
    const FULL: usize = 16_384;
    let sent = crate::common::pump::pattern(records * FULL);
    let mut tls = Vec::new();
    for record in sent.chunks(FULL) {
        server.writer().write_all(record).unwrap();
        while server.wants_write() {
            server.write_tls(&mut tls).unwrap();
        }
    }
    let mut rd = &tls[..];
    let mut got = Vec::new();
    let mut alignment = Vec::new();
    while !rd.is_empty() {
        client.read_tls(&mut rd).unwrap();
        client.process_new_packets().unwrap();
        loop {
            let mut reader = client.reader();
            let Some(run) = lent_run(&mut reader) else {
                break;
            };
            assert!(!run.is_empty(), "an empty run means end of data");
            if run.len() == FULL {
                alignment.push(run.as_ptr() as usize % 64);
            }
            got.extend_from_slice(run);
            let n = run.len();
            reader.consume(n);
        }
    }
    assert!(got == sent, "the plaintext came back changed");
    assert_eq!(alignment.len(), records, "records were not full size");
    alignment
}
