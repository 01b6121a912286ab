"""wrap_socket and http.client against the rustls test server and
openssl s_server."""

import http.client
import socket
import ssl
import string
import threading
import tracemalloc
import urllib.request

import pytest

import oxtls
from tlspeers import (
    REPO,
    MemoryServer,
    ThreadServer,
    connect,
    http_get,
    run_with_deadline,
    server_that_leaves_after_the_client_hello,
    ssl_server_context,
)

GREETING = b"Hello from the oxtls test server"


@pytest.fixture(scope="module")
def config(ca_file):
    return oxtls.Config(ca_file, alpn=["http/1.1"])


@pytest.fixture(scope="module")
def server_context(chain_file, pki):
    return ssl_server_context(chain_file, str(pki / "server-key.pem"))


# ---- the rustls test server ----------------------------------------------


def test_wrap_socket_fetches_a_page(test_server, config):
    with oxtls.wrap_socket(connect(test_server.port), "localhost", config) as tls:
        assert tls.version() == "TLSv1.3"
        name, version, bits = tls.cipher()
        assert name.startswith("TLS_") and version == "TLSv1.3" and bits in (128, 256)
        assert tls.selected_alpn_protocol() == "http/1.1"
        der = tls.getpeercert(binary_form=True)
        assert der[0] == 0x30  # a DER SEQUENCE
        assert len(tls.get_verified_chain()) == 2  # leaf and intermediate
        page = http_get(tls)
    assert page.startswith(b"HTTP/1.0 200 OK")
    assert GREETING in page


def test_wrap_socket_big_page_arrives_whole(test_server, config):
    with oxtls.wrap_socket(connect(test_server.port), "localhost", config) as tls:
        page = http_get(tls, "/big")
    body = page.split(b"\r\n\r\n", 1)[1]
    assert len(body) == 1 << 20
    lines = body.split(b"\n")
    assert lines[0] == b"line 00000000"
    assert lines[65535] == b"line 00065535"


def test_ip_address_literal(test_server, config):
    with oxtls.wrap_socket(connect(test_server.port), "127.0.0.1", config) as tls:
        assert GREETING in http_get(tls, host="127.0.0.1")


def test_http_client_with_config_as_context(test_server, config):
    conn = http.client.HTTPSConnection("localhost", test_server.port, context=config, timeout=30)
    try:
        conn.connect()
        assert isinstance(conn.sock, oxtls.TLSSocket)
        conn.request("GET", "/")
        response = conn.getresponse()
        assert response.status == 200
        assert GREETING in response.read()
    finally:
        conn.close()


def test_http_client_big_body_after_connection_close(test_server, config):
    # The server says "Connection: close": http.client closes the socket
    # while the response is still being read through makefile().
    conn = http.client.HTTPSConnection("localhost", test_server.port, context=config, timeout=30)
    conn.request("GET", "/big")
    response = conn.getresponse()
    assert response.getheader("Content-Length") == str(1 << 20)
    assert len(response.read()) == 1 << 20
    conn.close()


def test_oxtls_https_connection(test_server, ca_file):
    conn = oxtls.HTTPSConnection("localhost", test_server.port,
                                 config=oxtls.Config(ca_file, alpn=["http/1.1"]), timeout=30)
    conn.connect()
    assert conn.sock.selected_alpn_protocol() == "http/1.1"
    conn.request("GET", "/")
    assert GREETING in conn.getresponse().read()
    conn.close()


def test_urllib_with_config_as_context(test_server, config):
    url = f"https://localhost:{test_server.port}/"
    with urllib.request.urlopen(url, context=config, timeout=30) as response:
        assert GREETING in response.read()


def test_makefile_text_mode(test_server, config):
    with oxtls.wrap_socket(connect(test_server.port), "localhost", config) as tls:
        tls.sendall(b"GET / HTTP/1.0\r\n\r\n")
        with tls.makefile("r", encoding="ascii", newline="") as f:
            assert f.readline() == "HTTP/1.0 200 OK\r\n"
            assert "oxtls test server" in f.read()


def test_recv_into_and_partial_buffers(test_server, config):
    with oxtls.wrap_socket(connect(test_server.port), "localhost", config) as tls:
        tls.sendall(b"GET / HTTP/1.0\r\n\r\n")
        buf = bytearray(10)
        assert tls.recv_into(buf, 4) == 4
        assert bytes(buf[:4]) == b"HTTP"
        assert tls.recv(0) == b""


def test_socket_surface(test_server, config):
    raw = connect(test_server.port)
    tls = oxtls.wrap_socket(raw, "localhost", config)
    assert tls.fileno() == raw.fileno()
    assert tls.family == socket.AF_INET and tls.type == socket.SOCK_STREAM
    assert tls.getpeername() == ("127.0.0.1", test_server.port)
    tls.settimeout(5.0)
    assert tls.gettimeout() == 5.0
    with pytest.raises(ValueError):
        tls.getpeercert()  # the dict form needs a certificate parser
    with pytest.raises(ValueError):
        tls.recv(10, socket.MSG_PEEK)
    tls.close()
    tls.close()  # idempotent
    assert tls.fileno() == -1
    assert raw.fileno() == -1  # the TLS socket owned it
    assert tls.version() is None
    with pytest.raises(OSError):
        tls.recv(10)


def test_unexpected_eof_is_an_error(test_server, config):
    # /eof: the server closes TCP without close_notify (a truncation).
    with oxtls.wrap_socket(connect(test_server.port), "localhost", config) as tls:
        with pytest.raises(oxtls.UnexpectedEOF) as info:
            http_get(tls, "/eof")
    assert info.value.code == oxtls.Result.ERR_UNEXPECTED_EOF
    assert isinstance(info.value, oxtls.TransportError)
    assert isinstance(info.value, OSError)


def test_suppress_ragged_eofs(test_server, config):
    raw = connect(test_server.port)
    with oxtls.wrap_socket(raw, "localhost", config, suppress_ragged_eofs=True) as tls:
        assert GREETING in http_get(tls, "/eof")


def test_timeout_during_handshake():
    # A server that accepts and never answers.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        raw = socket.create_connection(listener.getsockname(), timeout=0.3)
        with pytest.raises(TimeoutError):
            oxtls.wrap_socket(raw, "localhost", oxtls.Config(verify=False))
        raw.close()


def test_peer_leaving_during_the_handshake_is_unexpected_eof():
    """recv() returning b"" mid-handshake used to leave the connection
    wanting to read, and the handshake loop called recv() forever at 100%
    CPU."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        server_that_leaves_after_the_client_hello(listener)
        raw = socket.create_connection(listener.getsockname(), timeout=10)
        kind, value = run_with_deadline(
            lambda: oxtls.wrap_socket(raw, "localhost", oxtls.Config(verify=False)), 10, raw.close)
        assert kind != "hung", "the handshake loop spins after the peer left"
        assert kind == "raised" and isinstance(value, oxtls.UnexpectedEOF), (kind, value)
        assert value.code == oxtls.Result.ERR_UNEXPECTED_EOF
        assert raw.fileno() == -1  # a failed wrap closes the socket


def test_readme_sans_io_loop_stops_when_the_peer_leaves():
    """The README's hand-written handshake loop must not spin on b"" either."""
    readme = (REPO / "bindings" / "python" / "README.md").read_text()
    section = readme.split("### Sans-I/O", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    with socket.create_server(("127.0.0.1", 0)) as listener:
        server_that_leaves_after_the_client_hello(listener)
        with socket.create_connection(listener.getsockname(), timeout=10) as sock:
            scope = {"oxtls": oxtls, "config": oxtls.Config(verify=False), "sock": sock}
            kind, value = run_with_deadline(lambda: exec(snippet, scope), 10, sock.close)
    assert kind != "hung", "the README's loop spins after the peer left"
    assert kind == "raised" and isinstance(value, OSError), (kind, value)


def test_handshake_on_demand(test_server, config):
    raw = connect(test_server.port)
    with oxtls.wrap_socket(raw, "localhost", config, do_handshake_on_connect=False) as tls:
        assert tls.version() is None
        assert GREETING in http_get(tls)  # the first send completes it
        assert tls.version() == "TLSv1.3"


def counting_up_to(size):
    """An ssl-server handler that reads until `size` bytes (or the end)
    have come, and returns how many did."""

    def handler(tls):
        got = 0
        while got < size:
            data = tls.recv(1 << 16)
            if not data:
                break
            got += len(data)
        return got

    return handler


def test_sendall_of_more_than_the_buffer_before_the_handshake(server_context, config):
    """Without do_handshake_on_connect, sendall() of more than the 64 KiB
    the connection holds before the handshake used to spin: write() took
    nothing more and nothing read the server's reply. send() now runs
    the handshake first, as ssl.SSLSocket does."""
    size = 200_000

    server = ThreadServer(server_context, counting_up_to(size))
    tls = oxtls.TLSSocket(server.client_sock, "localhost", config,
                          do_handshake_on_connect=False)
    kind, value = run_with_deadline(lambda: tls.sendall(b"x" * size), 10, tls.close)
    assert kind != "hung", "sendall() spins before the handshake"
    assert kind == "done", value
    assert tls.version() == "TLSv1.3"
    assert server.join() == size
    tls.close()


# ---- certificate failures ----------------------------------------------


def test_wrong_host_name_is_a_certificate_error(test_server, config):
    with pytest.raises(oxtls.CertificateError) as info:
        oxtls.wrap_socket(connect(test_server.port), "wrong.example", config)
    err = info.value
    assert err.code == oxtls.Result.ERR_CERT_NOT_VALID_FOR_NAME
    assert err.name == "OXTLS_ERR_CERT_NOT_VALID_FOR_NAME"
    assert "not valid for" in err.message
    # Caught as ssl's certificate error would be.
    assert isinstance(err, oxtls.Error) and isinstance(err, ValueError) and isinstance(err, OSError)


def test_unknown_ca_is_a_certificate_error(test_server, other_ca_file):
    config = oxtls.Config(other_ca_file, system_roots=False)
    raw = connect(test_server.port)
    with pytest.raises(oxtls.CertificateError) as info:
        oxtls.wrap_socket(raw, "localhost", config)
    assert info.value.code == oxtls.Result.ERR_CERT_UNKNOWN_ISSUER
    assert "trusted root" in info.value.message
    assert raw.fileno() == -1  # closed, as ssl closes a socket it failed to wrap


def test_unknown_ca_through_http_client(test_server, other_ca_file):
    conn = http.client.HTTPSConnection(
        "localhost", test_server.port, context=oxtls.Config(other_ca_file), timeout=30
    )
    with pytest.raises(oxtls.CertificateError):
        conn.request("GET", "/")
    conn.close()


def test_verify_false_accepts_the_unknown_ca(test_server):
    config = oxtls.Config(verify=False)
    assert config.verify_mode == 0 and not config.check_hostname
    with oxtls.wrap_socket(connect(test_server.port), "wrong.example", config) as tls:
        assert GREETING in http_get(tls)


def test_verify_callback_sees_the_chain_and_may_refuse(test_server, ca_file):
    seen = []

    def refuse(server_name, chain, error):
        seen.append((server_name, len(chain), error))
        return False

    config = oxtls.Config(ca_file, verify_callback=refuse)
    with pytest.raises(oxtls.CertificateError) as info:
        oxtls.wrap_socket(connect(test_server.port), "localhost", config)
    assert info.value.code == oxtls.Result.ERR_CERT_APPLICATION_VERIFICATION_FAILURE
    assert seen == [("localhost", 2, None)]

    accepted = oxtls.Config(ca_file, verify_callback=lambda name, chain, error: True)
    with oxtls.wrap_socket(connect(test_server.port), "localhost", accepted) as tls:
        assert GREETING in http_get(tls)


def test_verify_callback_exception_refuses_and_is_chained(test_server, ca_file):
    def broken(server_name, chain, error):
        raise RuntimeError("policy engine down")

    config = oxtls.Config(ca_file, verify_callback=broken)
    with pytest.raises(oxtls.CertificateError) as info:
        oxtls.wrap_socket(connect(test_server.port), "localhost", config)
    assert isinstance(info.value.__cause__, RuntimeError)


def test_verify_callback_cannot_overrule_a_refusal(test_server, other_ca_file):
    errors = []

    def accept_all(server_name, chain, error):
        errors.append(error)
        return True

    config = oxtls.Config(other_ca_file, verify_callback=accept_all)
    with pytest.raises(oxtls.CertificateError) as info:
        oxtls.wrap_socket(connect(test_server.port), "localhost", config)
    assert info.value.code == oxtls.Result.ERR_CERT_UNKNOWN_ISSUER
    assert isinstance(errors[0], oxtls.CertificateError)


def test_log_callback_receives_messages(test_server, ca_file):
    lines = []
    config = oxtls.Config(ca_file, log_callback=lambda level, text: lines.append((level, text)))
    with oxtls.wrap_socket(connect(test_server.port), "localhost", config) as tls:
        http_get(tls)
    assert lines, "no log message during a whole connection"
    assert all(isinstance(level, oxtls.LogLevel) and isinstance(m, str) for level, m in lines)


def test_pending_counts_what_recv_returns_without_the_socket(test_server, config):
    with oxtls.wrap_socket(connect(test_server.port), "localhost", config) as tls:
        assert tls.pending() == 0
        tls.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        first = tls.recv(5)
        assert first == b"HTTP/"
        waiting = tls.pending()
        assert waiting > 0
        assert len(tls.recv(waiting)) == waiting
        assert tls.pending() == 0
    assert tls.pending() == 0


def test_keylog_filename_gets_the_secrets(test_server, ca_file, tmp_path):
    path = tmp_path / "keys.log"
    config = oxtls.Config(ca_file, keylog_filename=str(path))
    with oxtls.wrap_socket(connect(test_server.port), "localhost", config) as tls:
        http_get(tls)
    lines = path.read_text().splitlines()
    labels = [line.split(" ")[0] for line in lines]
    assert labels == [
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0",
        "EXPORTER_SECRET",
    ]
    # One client random for the connection, hex; secrets of the suite's size.
    assert len({line.split(" ")[1] for line in lines}) == 1
    assert all(len(line.split(" ")[1]) == 64 for line in lines)
    assert all(len(line.split(" ")[2]) in (64, 96) for line in lines)
    # The log decrypts the connection: created for its owner only.
    assert path.stat().st_mode & 0o777 == 0o600


def test_keylog_filename_that_cannot_be_written_raises(ca_file, tmp_path):
    with pytest.raises(OSError):
        oxtls.Config(ca_file, keylog_filename=str(tmp_path))  # a directory


# ---- openssl s_server ----------------------------------------------------


def test_wrap_socket_fetches_from_s_server(s_server, config):
    with oxtls.wrap_socket(connect(s_server.port), "localhost", config) as tls:
        assert tls.version() == "TLSv1.3"
        assert tls.selected_alpn_protocol() is None  # s_server -www offers none
        page = http_get(tls)
    assert page.startswith(b"HTTP/1.0 200 ok")
    assert b"s_server" in page


def test_http_client_fetches_from_s_server(s_server, config):
    conn = http.client.HTTPSConnection("127.0.0.1", s_server.port, context=config, timeout=30)
    conn.request("GET", "/")
    response = conn.getresponse()
    assert response.status == 200
    assert b"s_server" in response.read()
    conn.close()


@pytest.mark.parametrize(
    "suite,group",
    [
        ("TLS_AES_128_GCM_SHA256", "x25519"),
        ("TLS_AES_256_GCM_SHA384", "secp256r1"),
        ("TLS_CHACHA20_POLY1305_SHA256", "secp384r1"),
    ],
)
def test_each_suite_and_group_with_s_server(s_server, ca_file, suite, group):
    config = oxtls.Config(ca_file, cipher_suites=[suite], groups=[group])
    with oxtls.wrap_socket(connect(s_server.port), "localhost", config) as tls:
        assert tls.cipher()[0] == suite
        assert b"s_server" in http_get(tls)


def test_wrong_host_name_with_s_server(s_server, config):
    with pytest.raises(oxtls.CertificateError) as info:
        oxtls.wrap_socket(connect(s_server.port), "wrong.example", config)
    assert info.value.code == oxtls.Result.ERR_CERT_NOT_VALID_FOR_NAME


def test_a_second_connection_resumes(test_server, ca_file):
    config = oxtls.Config(ca_file)
    with oxtls.wrap_socket(connect(test_server.port), "localhost", config) as first:
        assert not first.session_reused
        assert GREETING in http_get(first)
    with oxtls.wrap_socket(connect(test_server.port), "localhost", config) as second:
        assert second.session_reused
        # The resumed connection still knows whom it talks to.
        assert second.getpeercert(binary_form=True)
        assert GREETING in http_get(second)


def test_session_cache_size_zero_never_resumes(test_server, ca_file):
    config = oxtls.Config(ca_file, session_cache_size=0)
    for _ in range(2):
        with oxtls.wrap_socket(connect(test_server.port), "localhost", config) as tls:
            assert not tls.session_reused
            assert GREETING in http_get(tls)


def test_s_server_resumes_a_second_connection(s_server, ca_file):
    config = oxtls.Config(ca_file)
    resumed = []
    for _ in range(2):
        with oxtls.wrap_socket(connect(s_server.port), "localhost", config) as tls:
            http_get(tls)
            resumed.append(tls.session_reused)
    assert resumed == [False, True]


def test_tls12_only_server_refuses_a_tls13_only_client(s_server_tls12, ca_file):
    config = oxtls.Config(ca_file, versions=["TLSv1.3"])
    with pytest.raises(oxtls.AlertReceived) as info:
        oxtls.wrap_socket(connect(s_server_tls12.port), "localhost", config)
    assert info.value.code == oxtls.Result.ERR_ALERT_PROTOCOL_VERSION
    assert info.value.alert == 70
    assert isinstance(info.value, oxtls.ProtocolError)


def test_tls12_server_with_the_default_versions(s_server_tls12, config):
    with oxtls.wrap_socket(connect(s_server_tls12.port), "localhost", config) as tls:
        assert tls.version() == "TLSv1.2"
        assert b"s_server" in http_get(tls)


@pytest.mark.parametrize("version", ["TLSv1.3", "TLSv1.2"])
def test_client_certificate_for_a_server_that_requires_one(s_server_mtls, ca_file, pki, version):
    client_cert = (pki / "client-cert.pem", pki / "client-key.pem")
    config = oxtls.Config(ca_file, versions=[version], client_cert=client_cert)
    with oxtls.wrap_socket(connect(s_server_mtls.port), "localhost", config) as tls:
        assert tls.version() == version
        page = http_get(tls)
    assert b"Client certificate" in page
    assert b"oxtls test client" in page

    # Without one, s_server ends the handshake.
    with pytest.raises(oxtls.Error):
        with oxtls.wrap_socket(connect(s_server_mtls.port), "localhost",
                               oxtls.Config(ca_file, versions=[version])) as tls:
            http_get(tls)

    # The server's key is not the client certificate's: refused up front.
    with pytest.raises(oxtls.Error) as info:
        oxtls.Config(ca_file, client_cert=(pki / "client-cert.pem", pki / "server-key.pem"))
    assert info.value.code == oxtls.Result.ERR_INVALID_CONFIG


def test_data_before_a_bad_record_is_received_before_the_error(ca_file, chain_file, pki):
    """The server's data and a tampered record arrive in one read: recv()
    returns the data, and only the next recv() raises."""
    context = ssl_server_context(chain_file, str(pki / "server-key.pem"))
    server = MemoryServer(context)
    client_sock, relay_sock = socket.socketpair()
    client_sock.settimeout(30)
    relay_sock.settimeout(30)
    failure = []

    def relay():
        try:
            while True:  # the handshake, byte for byte
                try:
                    server.tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    pass
                out = server.outgoing.read()
                if out:
                    relay_sock.sendall(out)
                server.incoming.write(relay_sock.recv(65536))
            relay_sock.sendall(server.outgoing.read())
            server.tls.write(b"kept")
            good = server.outgoing.read()
            server.tls.write(b"tampered")
            bad = bytearray(server.outgoing.read())
            bad[-1] ^= 1  # the last byte of its tag
            relay_sock.sendall(good + bytes(bad))
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=relay, daemon=True)
    thread.start()
    config = oxtls.Config(ca_file, system_roots=False)
    with oxtls.wrap_socket(client_sock, "localhost", config) as tls:
        thread.join(30)
        assert not failure, failure
        assert tls.recv(100) == b"kept"
        with pytest.raises(oxtls.ProtocolError) as failed:
            tls.recv(100)
        assert failed.value.code == oxtls.Result.ERR_BAD_RECORD_MAC
    relay_sock.close()


# ---- writing when the socket cannot take everything ----------------------

#: Plaintext that never contains END (lower case only), then the marker.
PATTERN = string.ascii_lowercase.encode() * (1 << 18)  # 6.5 MiB
END = b"END!"


def stalled_reader(go):
    """An ssl-server handler that reads nothing until `go` is set (so the
    client's socket buffer fills), then everything up to END; returns it."""

    def handler(tls):
        assert go.wait(30), "the client never said go"
        got = bytearray()
        while not got.endswith(END):
            data = tls.recv(1 << 16)
            if not data:
                break
            got += data
        return bytes(got)

    return handler


def test_send_on_a_non_blocking_socket_returns_exactly_what_it_took(server_context, config):
    """send() used to take plaintext, then lose the unsent part of its
    record when sendall() on the socket raised BlockingIOError, and raise
    as if it had taken nothing: the retry duplicated data and the peer
    saw a broken record. Now what send() returns is what arrives, in
    order, and a BlockingIOError means nothing was taken."""
    go = threading.Event()
    server = ThreadServer(server_context, stalled_reader(go))
    tls = oxtls.TLSSocket(server.client_sock, "localhost", config)
    tls.setblocking(False)
    offset = blocked = 0
    while blocked < 3 and offset < len(PATTERN):
        try:
            offset += tls.send(PATTERN[offset:offset + 50_000])
        except BlockingIOError:
            blocked += 1
    assert blocked == 3, "the socket never filled up"
    go.set()
    tls.settimeout(30)
    tls.sendall(END)
    got = server.join()
    assert server.error is None, f"the server saw a broken TLS stream: {server.error!r}"
    assert got == PATTERN[:offset] + END
    tls.close()


def test_non_blocking_calls_say_which_way_to_wait(server_context, config):
    """A BlockingIOError alone does not say whether to wait for the socket
    to be readable or writable, and recv() can need either: the binding
    raises WantReadError or WantWriteError, as ssl raises SSLWantReadError
    and SSLWantWriteError."""
    go = threading.Event()
    server = ThreadServer(server_context, stalled_reader(go))
    tls = oxtls.TLSSocket(server.client_sock, "localhost", config)
    tls.setblocking(False)
    with pytest.raises(oxtls.WantReadError) as nothing_to_read:
        tls.recv(100)
    assert isinstance(nothing_to_read.value, BlockingIOError)
    offset = 0
    with pytest.raises(oxtls.WantWriteError):
        for _ in range(10_000):
            offset += tls.send(PATTERN[offset:offset + 50_000])
        pytest.fail("the socket never filled up")
    # TLS bytes are still waiting to go out, ahead of anything else.
    with pytest.raises(oxtls.WantWriteError):
        tls.recv(100)
    go.set()
    tls.settimeout(30)
    tls.sendall(END)
    assert server.join() == PATTERN[:offset] + END
    assert server.error is None
    tls.close()


@pytest.mark.parametrize("mode", ["timeout", "nonblocking"])
def test_sendall_interrupted_by_the_socket_keeps_the_stream_whole(server_context, config, mode):
    """After a timeout (or BlockingIOError) the TLS stream must still be
    whole, as the module promises: the TLS bytes the socket did not take
    are kept and sent first by the next call."""
    go = threading.Event()
    server = ThreadServer(server_context, stalled_reader(go))
    tls = oxtls.TLSSocket(server.client_sock, "localhost", config)
    if mode == "timeout":
        tls.settimeout(0.2)
        expected = TimeoutError
    else:
        tls.setblocking(False)
        expected = BlockingIOError
    with pytest.raises(expected):
        tls.sendall(PATTERN)
    go.set()
    tls.settimeout(30)
    tls.sendall(END)
    got = server.join()
    assert server.error is None, f"the server saw a broken TLS stream: {server.error!r}"
    # Some prefix of PATTERN (sendall cannot say how much), then END.
    assert got.endswith(END) and got[:-len(END)] == PATTERN[:len(got) - len(END)]
    tls.close()


def test_sendall_copies_a_bounded_amount_per_call(server_context, config):
    """sendall() handed the whole rest of its data to Connection.write,
    which copied all of it to take at most 64 KiB: quadratic in the size.
    Measured without a clock (so a loaded machine cannot fail it): the
    calls must grow linearly with the size and each must copy a bounded
    amount, seen as the peak of traced memory."""
    size = 16 << 20

    server = ThreadServer(server_context, counting_up_to(size))
    tls = oxtls.TLSSocket(server.client_sock, "localhost", config)
    calls = []
    real_write = tls.connection.write

    def counted_write(data):
        calls.append(len(data))
        return real_write(data)

    tls.connection.write = counted_write
    payload = bytes(size)  # read-only: a slice of it cannot be lent to C
    tracemalloc.start()
    try:
        tls.sendall(payload)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert server.join() == size
    assert len(calls) <= 2 * size // 65536 + 10, len(calls)
    # Copying the rest once allocates all 16 MiB; what the fix leaves is
    # a few chunks of 64 KiB (and garbage the next collection frees).
    assert peak < size // 2, f"sendall of 16 MiB peaked at {peak} bytes of Python memory"
    tls.close()


# ---- unwrap --------------------------------------------------------------


def plaintext_after_tls(go=None):
    """An ssl-server handler that sends data the client never reads, waits
    for the client's close_notify (and for `go`), answers it with its
    own, then speaks plaintext: PLAIN out, and returns what comes back."""

    def handler(tls):
        tls.sendall(b"data the client never reads")
        assert tls.recv(100) == b""  # the client's close_notify
        if go is not None:
            assert go.wait(30), "the client never said go"
        raw = tls.unwrap()  # our close_notify; the socket is plain now
        raw.sendall(b"PLAIN")
        return raw.recv(100)

    return handler


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def test_unwrap_reads_the_peers_close_notify(server_context, config):
    """unwrap() sent our close_notify and returned at once, so the peer's
    close_notify (and whatever TLS data was still coming) reached whoever
    read the plain socket next. It now reads up to the peer's
    close_notify, and not a byte past it."""
    server = ThreadServer(server_context, plaintext_after_tls())
    tls = oxtls.TLSSocket(server.client_sock, "localhost", config)
    raw = tls.unwrap()
    assert recv_exactly(raw, 5) == b"PLAIN"
    raw.sendall(b"BYE")
    assert server.join() == b"BYE"
    assert server.error is None, server.error
    raw.close()


def test_unwrap_on_a_non_blocking_socket_can_be_called_again(server_context, config):
    go = threading.Event()
    server = ThreadServer(server_context, plaintext_after_tls(go))
    tls = oxtls.TLSSocket(server.client_sock, "localhost", config)
    tls.setblocking(False)
    with pytest.raises(BlockingIOError):
        tls.unwrap()  # close_notify sent; the peer's has not come yet
    go.set()
    tls.settimeout(30)
    raw = tls.unwrap()
    assert recv_exactly(raw, 5) == b"PLAIN"
    raw.sendall(b"BYE")
    assert server.join() == b"BYE"
    raw.close()


@pytest.mark.parametrize("suppress", [False, True])
def test_unwrap_when_the_peer_closes_without_close_notify(server_context, config, suppress):
    """Python's SSLSocket.close() sends no close_notify: unwrap() sees the
    transport end instead, an UnexpectedEOF as in recv() (and as
    ssl.SSLSocket.unwrap raises SSLEOFError), unless suppress_ragged_eofs."""
    server = ThreadServer(server_context, lambda tls: tls.recv(100))
    tls = oxtls.TLSSocket(server.client_sock, "localhost", config,
                          suppress_ragged_eofs=suppress)
    if suppress:
        tls.unwrap().close()
    else:
        with pytest.raises(oxtls.UnexpectedEOF):
            tls.unwrap()
        tls.close()
    assert server.join() == b""


def test_unwrap_before_the_handshake_raises(config):
    """As ssl does: there is no TLS session to end before the handshake
    (and a close_notify would wait for one), so unwrap() refuses and the
    socket stays usable."""
    a, b = socket.socketpair()
    with a, b:
        tls = oxtls.TLSSocket(a, "localhost", config, do_handshake_on_connect=False)
        with pytest.raises(oxtls.Error) as refused:
            tls.unwrap()
        assert refused.value.code == oxtls.Result.ERR_HANDSHAKE_NOT_COMPLETE
        assert tls.fileno() == a.fileno()  # still ours, still open
        tls.close()


def test_unwrap_after_a_failed_handshake_raises_its_failure(test_server, other_ca_file):
    """A handshake that failed is reported as itself, not as one that has
    not completed."""
    config = oxtls.Config(other_ca_file, system_roots=False)
    tls = oxtls.TLSSocket(connect(test_server.port), "localhost", config,
                          do_handshake_on_connect=False)
    with pytest.raises(oxtls.CertificateError):
        tls.do_handshake()
    with pytest.raises(oxtls.CertificateError):
        tls.unwrap()
    tls.close()
