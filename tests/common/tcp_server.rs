//! A rustls server on 127.0.0.1 in a thread, serving one connection, for
//! tests and runnable examples that need a real socket.
//!
//! ```ignore
//! let server = TcpServer::spawn(options.config(), Behaviour::HttpResponse(b"hello".to_vec()));
//! // connect a client to 127.0.0.1:server.port, send a request ...
//! let report = server.join().expect("server side failed");
//! assert_eq!(report.view.sni.as_deref(), Some("localhost"));
//! ```

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustls::{ServerConfig, ServerConnection, Stream};

use super::rustls_server::ServerView;

/// How long the server waits for a client to connect, and for each read.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What the server does once the handshake is done.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Sends back everything it receives until the client closes.
    Echo,
    /// Reads one request (up to the blank line ending its headers), then
    /// answers `HTTP/1.1 200 OK` with this body and closes (close_notify).
    HttpResponse(Vec<u8>),
}

/// What the server thread saw, once it is done.
#[derive(Debug)]
pub struct TcpServerReport {
    pub view: ServerView,
    /// Every application byte received from the client.
    pub received: Vec<u8>,
}

/// A server thread listening on 127.0.0.1:`port` for one connection.
pub struct TcpServer {
    pub port: u16,
    thread: JoinHandle<Result<TcpServerReport, String>>,
}

impl TcpServer {
    pub fn spawn(config: Arc<ServerConfig>, behaviour: Behaviour) -> TcpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("listener address").port();
        let thread = std::thread::Builder::new()
            .name(format!("rustls-server-{port}"))
            .spawn(move || serve_one(listener, config, behaviour))
            .expect("spawn server thread");
        TcpServer { port, thread }
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Waits for the server to finish its one connection.
    pub fn join(self) -> Result<TcpServerReport, String> {
        self.thread
            .join()
            .unwrap_or_else(|_| Err("server thread panicked".to_string()))
    }
}

fn serve_one(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    behaviour: Behaviour,
) -> Result<TcpServerReport, String> {
    let mut sock = accept_with_deadline(&listener)?;
    sock.set_read_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    sock.set_write_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    let mut conn = ServerConnection::new(config).map_err(|e| e.to_string())?;
    while conn.is_handshaking() {
        conn.complete_io(&mut sock)
            .map_err(|e| format!("server handshake: {e}"))?;
    }
    let mut received = Vec::new();
    let mut stream = Stream::new(&mut conn, &mut sock);
    match behaviour {
        Behaviour::Echo => loop {
            let mut buf = [0u8; 16 * 1024];
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    received.extend_from_slice(&buf[..n]);
                    stream
                        .write_all(&buf[..n])
                        .map_err(|e| format!("echo: {e}"))?;
                }
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(format!("echo read: {e}")),
            }
        },
        Behaviour::HttpResponse(body) => {
            while !received.windows(4).any(|w| w == b"\r\n\r\n") {
                let mut buf = [0u8; 4096];
                match stream.read(&mut buf) {
                    Ok(0) => return Err("client closed before ending its request".to_string()),
                    Ok(n) => received.extend_from_slice(&buf[..n]),
                    Err(e) => return Err(format!("reading request: {e}")),
                }
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream
                .write_all(head.as_bytes())
                .and_then(|()| stream.write_all(&body))
                .map_err(|e| format!("writing response: {e}"))?;
        }
    }
    conn.send_close_notify();
    // Best effort: the client may already have gone.
    let _ = conn.complete_io(&mut sock);
    Ok(TcpServerReport {
        view: ServerView::of(&conn),
        received,
    })
}

fn accept_with_deadline(listener: &TcpListener) -> Result<TcpStream, String> {
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match listener.accept() {
            Ok((sock, _)) => {
                sock.set_nonblocking(false).map_err(|e| e.to_string())?;
                return Ok(sock);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return Err(format!("no client connected within {TIMEOUT:?}"));
            }
            Err(e) => return Err(format!("accept: {e}")),
        }
    }
}
