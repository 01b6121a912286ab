//! oxtls's client against GnuTLS's `gnutls-serv`, connecting to 127.0.0.1
//! (gnutls-serv itself listens on every interface), over real
//! sockets: a third server implementation, after rustls and OpenSSL.
//!
//! TLS 1.3: every suite and group, every server key type, a
//! HelloRetryRequest forced by the server's group priority, resumption,
//! 0-RTT, client certificates of every key type, a KeyUpdate asked for
//! by the server. TLS 1.2: every suite and group, resumption by session
//! ID and by ticket, extended master secret on and off, a HelloRequest.
//! Both: ALPN, SNI, exported keying material, a megabyte each way,
//! close_notify each way.
//!
//! What is checked comes from both ends: oxtls's API, and what
//! gnutls-serv says of the connection (its `- Description:` line, the
//! HTTP page, its log). A few checks read gnutls's debug log (`-d 4` or
//! `-d 5`), which names the messages it received; those lines are
//! GnuTLS's own wording (3.7) and are quoted where used.
//!
//! gnutls-serv must be installed (`apt-get install gnutls-bin`): without
//! it every test here fails, saying so.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::certs::{Eku, KeyType, TestPki};
use common::gnutls_server::{ClientCertPolicy, GnutlsMode, GnutlsServer, GnutlsServerOptions};
use common::oxtls_client::oxtls_config;
use oxtls::pki_types::ServerName;
use oxtls::{
    AlertDescription, ClientConfig, ClientConnection, Error, HandshakeKind, NamedGroup,
    ProtocolVersion, RootCertStore,
};

/// GnuTLS priority strings limiting the server to one version.
const TLS13: &str = "NORMAL:-VERS-ALL:+VERS-TLS1.3";
const TLS12: &str = "NORMAL:-VERS-ALL:+VERS-TLS1.2";

/// Each TLS 1.3 suite: GnuTLS's cipher name and the suite's number.
const TLS13_SUITES: [(&str, u16); 3] = [
    ("AES-128-GCM", 0x1301),
    ("AES-256-GCM", 0x1302),
    ("CHACHA20-POLY1305", 0x1303),
];

/// Each group oxtls offers: GnuTLS's name and ours.
const GROUPS: [(&str, NamedGroup); 3] = [
    ("X25519", NamedGroup::X25519),
    ("SECP256R1", NamedGroup::secp256r1),
    ("SECP384R1", NamedGroup::secp384r1),
];

/// How long a socket read may block before a test gives up.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

fn config(pki: &TestPki) -> Arc<ClientConfig> {
    Arc::new(oxtls_config(&[pki.ca_der()]))
}

/// A new connection to "localhost" on `server`, handshake done; the error
/// if the handshake fails.
fn try_connect(
    server: &GnutlsServer,
    config: &Arc<ClientConfig>,
) -> Result<(ClientConnection, TcpStream), Error> {
    let name = ServerName::try_from("localhost").expect("valid server name");
    let mut client = ClientConnection::new(config.clone(), name)?;
    let mut sock = TcpStream::connect(server.addr())
        .unwrap_or_else(|e| panic!("connect: {e}\n{}", server.diagnostics()));
    sock.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    handshake(&mut client, &mut sock)?;
    Ok((client, sock))
}

fn handshake(client: &mut ClientConnection, sock: &mut TcpStream) -> Result<(), Error> {
    while client.is_handshaking() {
        if let Err(e) = client.complete_io(sock) {
            return Err(as_tls_error(e));
        }
    }
    Ok(())
}

/// The TLS error inside an I/O error from oxtls, or the I/O error told as
/// a General one (a socket that timed out or was reset).
fn as_tls_error(e: std::io::Error) -> Error {
    match e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()) {
        Some(tls) => tls.clone(),
        None => Error::General(format!("i/o: {e}")),
    }
}

fn connect(server: &GnutlsServer, config: &Arc<ClientConfig>) -> (ClientConnection, TcpStream) {
    try_connect(server, config)
        .unwrap_or_else(|e| panic!("handshake failed: {e}\n{}", server.diagnostics()))
}

/// Sends `GET /` and reads until the server closes; the page, or the
/// first error. A close without close_notify is an error.
fn try_get_page(client: &mut ClientConnection, sock: &mut TcpStream) -> Result<String, Error> {
    client
        .writer()
        .write_all(b"GET / HTTP/1.0\r\n\r\n")
        .unwrap();
    let mut page = Vec::new();
    loop {
        while client.wants_write() {
            client.write_tls(sock).map_err(as_tls_error)?;
        }
        match client.reader().read_to_end(&mut page) {
            Ok(_) => return Ok(String::from_utf8_lossy(&page).into_owned()),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => return Err(as_tls_error(e)),
        }
        client.read_tls(sock).map_err(as_tls_error)?;
        client.process_new_packets()?;
    }
}

/// Reads and processes what the server sends until that fails; the
/// failure (Ok only if the server closed cleanly).
fn read_until_error(client: &mut ClientConnection, sock: &mut TcpStream) -> Result<(), Error> {
    loop {
        if client.read_tls(sock).map_err(as_tls_error)? == 0 {
            return client.process_new_packets().map(|_| ());
        }
        client.process_new_packets()?;
    }
}

/// A new connection's handshake and `GET /`: the page and the connection.
fn get_page(server: &GnutlsServer, config: &Arc<ClientConfig>) -> (String, ClientConnection) {
    let (mut client, mut sock) = connect(server, config);
    let page = try_get_page(&mut client, &mut sock)
        .unwrap_or_else(|e| panic!("GET / failed: {e}\n{}", server.diagnostics()));
    assert!(
        page.starts_with("HTTP/1.0 200 OK"),
        "unexpected page: {page:.300}\n{}",
        server.diagnostics()
    );
    // The page ended in close_notify: the reader says UnexpectedEof of
    // a bare TCP close.
    (page, client)
}

/// Sends `data` (which must end in its only `\n`) to an `--echo` server and
/// reads back as many bytes; panics on any error.
fn echo(
    client: &mut ClientConnection,
    sock: &mut TcpStream,
    data: &[u8],
    server: &GnutlsServer,
) -> Vec<u8> {
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! {
        panic!("echo: {what}: {e}\n{}", server.diagnostics())
    };
    // gnutls-serv answers once it holds a whole line, so everything is
    // sent before anything is read.
    let mut sent = 0;
    while sent < data.len() {
        sent += client
            .writer()
            .write(&data[sent..])
            .unwrap_or_else(|e| fail("write", &e));
        while client.wants_write() {
            client.write_tls(sock).unwrap_or_else(|e| fail("send", &e));
        }
    }
    let mut got = Vec::with_capacity(data.len());
    let mut buf = vec![0u8; 1 << 16];
    while got.len() < data.len() {
        match client.reader().read(&mut buf) {
            Ok(0) => fail("closed", &format!("after {} bytes", got.len())),
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                continue;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => fail("read", &e),
        }
        // Answer anything the server asked for (a KeyUpdate) as we go.
        while client.wants_write() {
            client.write_tls(sock).unwrap_or_else(|e| fail("send", &e));
        }
        if client
            .read_tls(sock)
            .unwrap_or_else(|e| fail("receive", &e))
            == 0
        {
            fail("eof", &format!("after {} bytes", got.len()));
        }
        client
            .process_new_packets()
            .unwrap_or_else(|e| fail("process", &e));
    }
    got
}

/// The connection's `- Description:` line from gnutls-serv (the last one).
fn description(server: &GnutlsServer) -> String {
    assert!(
        server.wait_for_stdout("- Description:"),
        "gnutls-serv described no connection\n{}",
        server.diagnostics()
    );
    server.descriptions().pop().unwrap_or_default()
}

fn suite_id(client: &ClientConnection) -> Option<u16> {
    client
        .negotiated_cipher_suite()
        .map(|s| u16::from(s.suite()))
}

fn group(client: &ClientConnection) -> Option<NamedGroup> {
    client.negotiated_key_exchange_group().map(|g| g.name())
}

#[test]
fn tls13_every_suite_and_group() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    for (cipher, id) in TLS13_SUITES {
        for (gnutls_group, ours) in GROUPS {
            let server = GnutlsServerOptions::new(&cert)
                .priority(&format!(
                    "{TLS13}:-CIPHER-ALL:+{cipher}:-GROUP-ALL:+GROUP-{gnutls_group}"
                ))
                .start();
            let (_, client) = get_page(&server, &config(&pki));
            assert_eq!(client.protocol_version(), Some(ProtocolVersion::TLSv1_3));
            assert_eq!(suite_id(&client), Some(id), "{cipher} {gnutls_group}");
            assert_eq!(group(&client), Some(ours), "{cipher} {gnutls_group}");
            let desc = description(&server);
            assert!(
                desc.starts_with("(TLS1.3-X.509)")
                    && desc.contains(&format!("(ECDHE-{gnutls_group})"))
                    && desc.ends_with(&format!("({cipher})")),
                "gnutls-serv saw another connection: {desc}"
            );
        }
    }
}

#[test]
fn tls12_every_suite_and_group() {
    let pki = TestPki::new();
    // Key exchange, certificate key, and each cipher's suite number.
    let kinds = [
        ("ECDHE-ECDSA", KeyType::EcdsaP256, [0xc02b, 0xc02c, 0xcca9]),
        ("ECDHE-RSA", KeyType::Rsa2048, [0xc02f, 0xc030, 0xcca8]),
    ];
    for (kx, key_type, ids) in kinds {
        let cert = pki.server_cert(key_type);
        for ((cipher, _), id) in TLS13_SUITES.into_iter().zip(ids) {
            let server = GnutlsServerOptions::new(&cert)
                .priority(&format!("{TLS12}:-KX-ALL:+{kx}:-CIPHER-ALL:+{cipher}"))
                .start();
            let (_, client) = get_page(&server, &config(&pki));
            assert_eq!(client.protocol_version(), Some(ProtocolVersion::TLSv1_2));
            assert_eq!(suite_id(&client), Some(id), "{kx} {cipher}");
            let desc = description(&server);
            assert!(
                desc.starts_with("(TLS1.2-X.509)") && desc.ends_with(&format!("({cipher})")),
                "gnutls-serv saw another connection: {desc}"
            );
        }
    }
    let cert = pki.server_cert(KeyType::EcdsaP256);
    for (gnutls_group, ours) in GROUPS {
        let server = GnutlsServerOptions::new(&cert)
            .priority(&format!("{TLS12}:-GROUP-ALL:+GROUP-{gnutls_group}"))
            .start();
        let (_, client) = get_page(&server, &config(&pki));
        assert_eq!(group(&client), Some(ours), "{gnutls_group}");
        assert!(description(&server).contains(&format!("(ECDHE-{gnutls_group})")));
    }
}

#[test]
fn every_server_key_type_in_both_versions() {
    let pki = TestPki::new();
    // The signature gnutls-serv reports making, in TLS 1.3 and 1.2.
    let key_types = [
        (KeyType::EcdsaP256, "ECDSA-SECP256R1-SHA256", "ECDSA-SHA256"),
        (KeyType::EcdsaP384, "ECDSA-SECP384R1-SHA384", "ECDSA-SHA256"),
        (KeyType::Ed25519, "EdDSA-Ed25519", "EdDSA-Ed25519"),
        (
            KeyType::Rsa2048,
            "RSA-PSS-RSAE-SHA256",
            "RSA-PSS-RSAE-SHA256",
        ),
    ];
    for (key_type, tls13_sig, tls12_sig) in key_types {
        // The leaf comes with an intermediate: the whole chain is checked.
        let cert = pki
            .leaf("localhost")
            .key_type(key_type)
            .via_intermediate()
            .build();
        for (priority, version, sig) in [
            (TLS13, ProtocolVersion::TLSv1_3, tls13_sig),
            (TLS12, ProtocolVersion::TLSv1_2, tls12_sig),
        ] {
            let server = GnutlsServerOptions::new(&cert).priority(priority).start();
            let (_, client) = get_page(&server, &config(&pki));
            assert_eq!(client.protocol_version(), Some(version), "{key_type:?}");
            assert_eq!(client.peer_certificates().map(<[_]>::len), Some(2));
            let desc = description(&server);
            assert!(
                desc.contains(&format!("-({sig})-")),
                "{key_type:?} {version:?}: gnutls-serv signed otherwise: {desc}"
            );
        }
    }
}

#[test]
fn gnutls_defaults_negotiate_tls13() {
    let pki = TestPki::new();
    let server = GnutlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256)).start();
    let (page, client) = get_page(&server, &config(&pki));
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::TLSv1_3));
    assert_eq!(client.handshake_kind(), Some(HandshakeKind::Full));
    assert!(page.contains("TLS1.3"), "{page}");
}

/// We send an X25519 key share; a server that takes only P-384 asks for
/// one with a HelloRetryRequest. The ticket from that connection resumes
/// the next, which needs the same retry.
#[test]
fn hello_retry_request_forced_by_the_server_groups() {
    let pki = TestPki::new();
    let server = GnutlsServerOptions::new(&pki.server_cert(KeyType::Rsa2048))
        .priority(&format!("{TLS13}:-GROUP-ALL:+GROUP-SECP384R1"))
        .start();
    let config = config(&pki);
    let (_, first) = get_page(&server, &config);
    assert_eq!(
        first.handshake_kind(),
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
    assert_eq!(group(&first), Some(NamedGroup::secp384r1));
    let (_, second) = get_page(&server, &config);
    assert_eq!(second.handshake_kind(), Some(HandshakeKind::Resumed));
    assert_eq!(group(&second), Some(NamedGroup::secp384r1));
}

/// With `%SERVER_PRECEDENCE` gnutls-serv wants its own first group, P-256,
/// and asks for it with a HelloRetryRequest although our X25519 share was
/// one it takes (RFC 8446 §4.1.4 lets it); its suite order wins too.
#[test]
fn hello_retry_request_for_the_servers_preferred_group() {
    let pki = TestPki::new();
    let server = GnutlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .priority(&format!(
            "{TLS13}:%SERVER_PRECEDENCE:-CIPHER-ALL:+CHACHA20-POLY1305:+AES-128-GCM"
        ))
        .start();
    let (_, client) = get_page(&server, &config(&pki));
    assert_eq!(
        client.handshake_kind(),
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
    assert_eq!(group(&client), Some(NamedGroup::secp256r1));
    assert_eq!(suite_id(&client), Some(0x1303));
}

/// Connects `n` times with one config; each connection's handshake kind.
fn handshake_kinds(
    server: &GnutlsServer,
    config: &Arc<ClientConfig>,
    n: usize,
) -> Vec<HandshakeKind> {
    (0..n)
        .map(|_| get_page(server, config).1.handshake_kind().unwrap())
        .collect()
}

fn resumed_on_server(server: &GnutlsServer) -> usize {
    server
        .stdout()
        .matches("*** This is a resumed session")
        .count()
}

#[test]
fn tls13_resumption_with_tickets() {
    use HandshakeKind::{Full, Resumed};
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    let server = GnutlsServerOptions::new(&cert).priority(TLS13).start();
    let kinds = handshake_kinds(&server, &config(&pki), 3);
    assert_eq!(kinds, [Full, Resumed, Resumed]);
    assert_eq!(resumed_on_server(&server), 2, "{}", server.diagnostics());

    let no_tickets = GnutlsServerOptions::new(&cert)
        .priority(TLS13)
        .arg("--noticket")
        .start();
    assert_eq!(handshake_kinds(&no_tickets, &config(&pki), 2), [Full, Full]);
}

#[test]
fn tls12_resumption_by_ticket_and_by_session_id() {
    use HandshakeKind::{Full, Resumed};
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    // gnutls-serv keeps a session cache, and issues RFC 5077 tickets
    // unless told --noticket.
    for extra in [None, Some("--noticket")] {
        let mut options = GnutlsServerOptions::new(&cert).priority(TLS12);
        if let Some(arg) = extra {
            options = options.arg(arg);
        }
        let server = options.start();
        let kinds = handshake_kinds(&server, &config(&pki), 3);
        assert_eq!(kinds, [Full, Resumed, Resumed], "{extra:?}");
        assert_eq!(resumed_on_server(&server), 2, "{}", server.diagnostics());
    }
}

/// Sleeps until `at_millis` past the start of the next second.
fn sleep_into_next_second(at_millis: u64) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let rest = 1000 - u64::from(now.subsec_millis());
    std::thread::sleep(Duration::from_millis(rest + at_millis));
}

/// A gnutls-serv taking 0-RTT, logging enough (`-d 5`) to show what it
/// decrypted, and a config that sends early data.
fn early_data_setup(pki: &TestPki) -> (GnutlsServer, Arc<ClientConfig>) {
    let server = GnutlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .priority(TLS13)
        .mode(GnutlsMode::Echo)
        .arg("--earlydata")
        .arg("-d5")
        .start();
    let mut config = oxtls_config(&[pki.ca_der()]);
    config.enable_early_data = true;
    (server, Arc::new(config))
}

/// Connects once to get a ticket.
fn get_ticket(server: &GnutlsServer, config: &Arc<ClientConfig>) {
    let (mut client, mut sock) = connect(server, config);
    // The ticket comes right after the handshake, before the echo.
    assert_eq!(
        echo(&mut client, &mut sock, b"ticket\n", server),
        b"ticket\n"
    );
}

/// Resumes with `early` as 0-RTT data; the connection once the handshake
/// is done.
fn resume_with_early_data(
    server: &GnutlsServer,
    config: &Arc<ClientConfig>,
    early: &[u8],
) -> (ClientConnection, TcpStream) {
    let name = ServerName::try_from("localhost").unwrap();
    let mut client = ClientConnection::new(config.clone(), name).unwrap();
    let mut writer = client.early_data().expect("a ticket allowing early data");
    assert_eq!(writer.write(early).unwrap(), early.len());
    let mut sock = TcpStream::connect(server.addr()).unwrap();
    sock.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    handshake(&mut client, &mut sock)
        .unwrap_or_else(|e| panic!("0-RTT handshake: {e}\n{}", server.diagnostics()));
    assert_eq!(client.handshake_kind(), Some(HandshakeKind::Resumed));
    (client, sock)
}

/// 0-RTT with `--earlydata`.
///
/// gnutls-serv 3.7 decrypts early data but never hands it to its echo
/// loop (nor gnutls-cli's), so what it received is read from its debug
/// log: `decrypted early data with length: N`.
#[test]
fn early_data_accepted() {
    let pki = TestPki::new();
    let (server, config) = early_data_setup(&pki);
    let early = b"early data!\n";
    get_ticket(&server, &config);
    let (mut client, mut sock) = resume_with_early_data(&server, &config, early);
    assert!(
        client.is_early_data_accepted(),
        "early data refused\n{}",
        server.diagnostics()
    );
    assert_eq!(
        echo(&mut client, &mut sock, b"after\n", &server),
        b"after\n"
    );
    let decrypted = format!("decrypted early data with length: {}", early.len());
    assert!(
        server.wait_for_stderr(&decrypted),
        "the server did not get our early data\n{}",
        server.diagnostics()
    );
    assert!(server
        .stderr()
        .contains("END OF EARLY DATA (5) was received"));
}

/// The ticket taken late in one second, used early in the next: about
/// 0.35 s old, but two whole-second clock readings would call it 1000 ms
/// (as rustls and BoringSSL tell it). GnuTLS refuses early data whose
/// claimed age exceeds its own view of it (RFC 8446 §8.3 freshness; its
/// log says "replay detected"), so oxtls reads the system clock to the
/// nanosecond for ticket ages (`TimeProvider::now_since_epoch`).
#[test]
fn early_data_after_a_second_boundary() {
    let pki = TestPki::new();
    let (server, config) = early_data_setup(&pki);
    sleep_into_next_second(700);
    get_ticket(&server, &config);
    sleep_into_next_second(50);
    let (client, _sock) = resume_with_early_data(&server, &config, b"early\n");
    assert!(
        client.is_early_data_accepted(),
        "early data refused\n{}",
        server.diagnostics()
    );
}

#[test]
fn client_certificates_of_every_key_type() {
    let pki = TestPki::new();
    let server_cert = pki.server_cert(KeyType::EcdsaP256);
    let mut roots = RootCertStore::new();
    roots.add(pki.ca_der()).unwrap();
    let roots = Arc::new(roots);
    for key_type in KeyType::ALL {
        let cert = pki
            .leaf("client.test")
            .key_type(key_type)
            .eku(Eku::ClientAuthOnly)
            .build();
        let config = Arc::new(
            ClientConfig::builder()
                .with_root_certificates(roots.clone())
                .with_client_auth_cert(cert.chain.clone(), cert.key())
                .unwrap(),
        );
        for priority in [TLS13, TLS12] {
            let server = GnutlsServerOptions::new(&server_cert)
                .priority(priority)
                .require_client_cert(&pki.ca_pem())
                .start();
            let (page, _) = get_page(&server, &config);
            // The page prints the verified client certificate.
            assert!(
                page.contains("CN=client.test"),
                "{key_type:?} {priority}: no client certificate on the page:\n{page}"
            );
        }
    }
}

/// A server requiring a certificate refuses a client that has none (and
/// so answers with an empty Certificate). In TLS 1.3 it says
/// certificate_required (RFC 8446 §4.4.2.4). In TLS 1.2 GnuTLS says
/// decode_error, to OpenSSL's and its own client too, where RFC 5246
/// §7.4.6 suggests handshake_failure: a GnuTLS choice, not our doing.
#[test]
fn a_server_requiring_a_certificate_refuses_us_without_one() {
    let pki = TestPki::new();
    for (priority, alert) in [
        (TLS13, AlertDescription::CertificateRequired),
        (TLS12, AlertDescription::DecodeError),
    ] {
        let server = GnutlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
            .priority(priority)
            .require_client_cert(&pki.ca_pem())
            .start();
        // In TLS 1.3 our handshake ends before the server has seen our
        // (empty) Certificate; its alert comes after. We only read then:
        // had we written, the server (closing with our data unread) could
        // reset the connection before we read its alert.
        let result = try_connect(&server, &config(&pki))
            .and_then(|(mut client, mut sock)| read_until_error(&mut client, &mut sock));
        assert_eq!(
            result.unwrap_err(),
            Error::AlertReceived(alert),
            "{priority}\n{}",
            server.diagnostics()
        );
        assert!(
            server.wait_for_stderr("Error in handshake"),
            "{}",
            server.diagnostics()
        );
    }
}

/// A server that only asks for a certificate gets our empty Certificate
/// and goes on (gnutls-serv asks by default; every other test here does
/// this too). With requests turned off there is no CertificateRequest.
#[test]
fn a_certificate_request_we_cannot_answer_and_none() {
    let pki = TestPki::new();
    for policy in [ClientCertPolicy::Requested, ClientCertPolicy::Disabled] {
        for priority in [TLS13, TLS12] {
            let server = GnutlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
                .priority(priority)
                .client_cert(policy)
                .start();
            get_page(&server, &config(&pki));
        }
    }
}

/// `**REHANDSHAKE**` makes gnutls-serv send a TLS 1.3 KeyUpdate asking for
/// ours (gnutls_rehandshake does that in TLS 1.3); its debug log (`-d 4`)
/// shows what it received: `received TLS 1.3 key update (0)`.
#[test]
fn key_update_requested_by_the_server() {
    let pki = TestPki::new();
    let server = GnutlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .priority(TLS13)
        .mode(GnutlsMode::Echo)
        .arg("-d4")
        .start();
    let (mut client, mut sock) = connect(&server, &config(&pki));
    for round in 1..=3 {
        let reply = echo(&mut client, &mut sock, b"**REHANDSHAKE**\n", &server);
        assert_eq!(reply, b"Successfully executed command\n");
        // Both directions work under the new keys.
        let line = format!("after update {round}\n");
        assert_eq!(
            echo(&mut client, &mut sock, line.as_bytes(), &server),
            line.as_bytes()
        );
        let log = server.stderr();
        assert_eq!(log.matches("sending key update (1)").count(), round);
        assert_eq!(
            log.matches("received TLS 1.3 key update (0)").count(),
            round,
            "our KeyUpdate did not reach the server\n{}",
            server.diagnostics()
        );
    }
}

/// In TLS 1.2 `**REHANDSHAKE**` sends a HelloRequest. We refuse with a
/// no_renegotiation warning (RFC 5246 §7.4.1.1), which GnuTLS's debug log
/// shows as `Alert[1|100]`. gnutls-serv then ends the connection (its
/// choice: it takes any alert as the end), without close_notify.
#[test]
fn tls12_hello_request_is_refused() {
    let pki = TestPki::new();
    let server = GnutlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
        .priority(TLS12)
        .mode(GnutlsMode::Echo)
        .arg("-d5")
        .start();
    let (mut client, mut sock) = connect(&server, &config(&pki));
    let reply = echo(&mut client, &mut sock, b"**REHANDSHAKE**\n", &server);
    assert_eq!(reply, b"Successfully executed command\n");
    // Read on until the server hangs up: we answer its HelloRequest then.
    let mut rest = Vec::new();
    let outcome = loop {
        while client.wants_write() {
            if client.write_tls(&mut sock).is_err() {
                break;
            }
        }
        match client.read_tls(&mut sock) {
            Ok(0) => break client.process_new_packets().map(|_| ()),
            Ok(_) => {
                if let Err(e) = client.process_new_packets() {
                    break Err(e);
                }
            }
            Err(e) => break Err(as_tls_error(e)),
        }
        let _ = client.reader().read_to_end(&mut rest);
    };
    assert!(
        server.wait_for_stderr("Alert[1|100]"),
        "no no_renegotiation warning reached the server ({outcome:?})\n{}",
        server.diagnostics()
    );
    assert!(rest.is_empty(), "unexpected data: {rest:?}");
}

#[test]
fn alpn_and_sni() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    let mut config = oxtls_config(&[pki.ca_der()]);
    config.alpn_protocols = vec![b"h3".to_vec(), b"http/1.1".to_vec()];
    let config = Arc::new(config);
    for priority in [TLS13, TLS12] {
        // --sni-hostname-fatal: a server_name other than "localhost", or
        // none, ends the handshake.
        let server = GnutlsServerOptions::new(&cert)
            .priority(priority)
            .alpn(&["h2", "http/1.1"])
            .arg("--sni-hostname=localhost")
            .arg("--sni-hostname-fatal")
            .start();
        let (page, client) = get_page(&server, &config);
        assert_eq!(client.alpn_protocol(), Some(&b"http/1.1"[..]), "{priority}");
        assert!(page.contains("Server Name: localhost"), "{page}");

        // No protocol in common: RFC 7301 §3.2's alert.
        let server = GnutlsServerOptions::new(&cert)
            .priority(priority)
            .alpn(&["h2"])
            .arg("--alpn-fatal")
            .start();
        let err = try_connect(&server, &config).map(|_| ()).unwrap_err();
        assert_eq!(
            err,
            Error::AlertReceived(AlertDescription::NoApplicationProtocol),
            "{priority}"
        );
    }
}

/// A megabyte to the echo server and back, in full records both ways;
/// then our close_notify, answered by the server's.
#[test]
fn a_megabyte_each_way_then_close_notify_both_ways() {
    let pki = TestPki::new();
    let mut data: Vec<u8> = (0..1 << 20).map(|i| b'a' + (i % 26) as u8).collect();
    data.push(b'\n');
    for priority in [TLS13, TLS12] {
        let server = GnutlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
            .priority(priority)
            .mode(GnutlsMode::Echo)
            .start();
        let (mut client, mut sock) = connect(&server, &config(&pki));
        let back = echo(&mut client, &mut sock, &data, &server);
        assert!(back == data, "{priority}: the echo came back changed");

        client.send_close_notify();
        let mut rest = Vec::new();
        let mut server_closed = false;
        while !server_closed {
            while client.wants_write() {
                client.write_tls(&mut sock).unwrap();
            }
            let n = client
                .read_tls(&mut sock)
                .unwrap_or_else(|e| panic!("{e}\n{}", server.diagnostics()));
            assert!(n > 0, "{priority}: closed without close_notify");
            server_closed = client.process_new_packets().unwrap().peer_has_closed();
            let _ = client.reader().read_to_end(&mut rest);
        }
        assert!(rest.is_empty());
        // gnutls-serv says "non-properly terminated" of a close without
        // close_notify; of ours it says nothing.
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            !server.stderr().contains("non-properly terminated"),
            "{}",
            server.diagnostics()
        );
    }
}

/// RFC 5705 / RFC 8446 §7.5 exporters agree with gnutls-serv's
/// `--keymatexport` (no context).
#[test]
fn exported_keying_material_matches() {
    let pki = TestPki::new();
    for priority in [TLS13, TLS12] {
        let server = GnutlsServerOptions::new(&pki.server_cert(KeyType::EcdsaP256))
            .priority(priority)
            .arg("--keymatexport=EXPERIMENTAL-oxtls-interop")
            .arg("--keymatexportsize=48")
            .start();
        let (_, client) = get_page(&server, &config(&pki));
        let mut ours = [0u8; 48];
        client
            .export_keying_material(&mut ours, b"EXPERIMENTAL-oxtls-interop", None)
            .unwrap();
        let ours: String = ours.iter().map(|b| format!("{b:02x}")).collect();
        let theirs = server
            .stdout()
            .lines()
            .find_map(|l| l.strip_prefix("- Key material: ").map(str::to_lowercase))
            .unwrap_or_else(|| panic!("no key material printed\n{}", server.diagnostics()));
        assert_eq!(ours, theirs, "{priority}");
    }
}

/// TLS 1.2's extended master secret (RFC 7627): used with a server that
/// offers it (gnutls-serv lists it in `- Options:`), and not needed with
/// one that does not (`%NO_SESSION_HASH`). A session without it is not
/// resumed (RFC 7627 §5.3: a client "SHOULD NOT").
#[test]
fn tls12_extended_master_secret_on_and_off() {
    let pki = TestPki::new();
    let cert = pki.server_cert(KeyType::EcdsaP256);
    for (priority, ems) in [
        (TLS12.to_string(), true),
        (format!("{TLS12}:%NO_SESSION_HASH"), false),
    ] {
        let server = GnutlsServerOptions::new(&cert).priority(&priority).start();
        let config = config(&pki);
        get_page(&server, &config);
        let options = server
            .stdout()
            .lines()
            .find(|l| l.starts_with("- Options:"))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no options line\n{}", server.diagnostics()));
        assert_eq!(
            options.contains("extended master secret"),
            ems,
            "{priority}: {options}"
        );
        let (_, second) = get_page(&server, &config);
        let expected = if ems {
            HandshakeKind::Resumed
        } else {
            HandshakeKind::Full
        };
        assert_eq!(second.handshake_kind(), Some(expected), "{priority}");
    }
}
