//! oxtls's `ClientConnection` as a harness endpoint, and configs for it.

use std::io::{self, Read, Write};
use std::sync::Arc;

use oxtls::pki_types::{CertificateDer, ServerName};
use oxtls::{ClientConfig, ClientConnection, RootCertStore};

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
