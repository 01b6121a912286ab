"""The sans-I/O Connection, driven by hand against Python's ssl module as
the server: over a socket pair (server in a thread) and in memory."""

import ssl
import tracemalloc

import pytest

import oxtls
from tlspeers import MemoryServer, ThreadServer, drive, pump, ssl_server_context


@pytest.fixture(scope="module")
def server_context(chain_file, pki):
    return ssl_server_context(chain_file, str(pki / "server-key.pem"), alpn=["h2", "http/1.1"])


@pytest.fixture(scope="module")
def config(ca_file):
    return oxtls.Config(ca_file, system_roots=False, alpn=["http/1.1"])


def records(data):
    """(content type, whole record length) of each TLS record in `data`."""
    found = []
    while data:
        length = 5 + int.from_bytes(data[3:5], "big")
        found.append((data[0], length))
        data = data[length:]
    return found


def record_types(data):
    return [kind for kind, _ in records(data)]


def record_sizes(data):
    return [size for _, size in records(data)]


def read_until_closed(conn, sock):
    """Plaintext until the peer's close_notify, driving the loop by hand."""
    received = []
    while True:
        data = conn.read()
        if data == b"":
            return b"".join(received)
        if data is not None:
            received.append(data)
            continue
        out = conn.write_tls()
        if out:
            sock.sendall(out)
        incoming = sock.recv(65536)
        taken = 0
        while True:
            taken += conn.read_tls(incoming[taken:])
            conn.process_new_packets()
            if taken >= len(incoming):
                break


def test_socketpair_with_ssl_server_thread(server_context, config):
    def echo(tls):
        request = b""
        while not request.endswith(b"\n"):
            request += tls.recv(100)
        tls.sendall(b"pong:" + request)
        agreed = tls.version(), tls.cipher()[0], tls.selected_alpn_protocol()
        assert tls.recv(100) == b""  # the client's close_notify
        tls.unwrap()  # ours
        return agreed

    server = ThreadServer(server_context, echo)
    conn = oxtls.Connection(config, "localhost")
    assert conn.is_handshaking() and conn.wants_write()
    drive(conn, server.client_sock, until=lambda: not conn.is_handshaking())
    assert conn.version() == "TLSv1.3"
    assert conn.protocol_version() == 0x0304
    assert conn.alpn_protocol() == b"http/1.1"

    assert conn.write(b"ping\n") == 5
    server.client_sock.sendall(conn.write_tls())
    conn.send_close_notify()
    server.client_sock.sendall(conn.write_tls())
    assert read_until_closed(conn, server.client_sock) == b"pong:ping\n"

    result = server.join()
    assert server.error is None, server.error
    version, cipher, alpn = result
    assert (version, cipher, alpn) == ("TLSv1.3", conn.cipher(), "http/1.1")
    server.client_sock.close()
    conn.close()


def test_in_memory_exchange_and_clean_close(server_context, config, pki):
    server = MemoryServer(server_context)
    conn = oxtls.Connection(config, "localhost")
    assert conn.read() is None  # nothing yet
    pump(conn, server)
    assert not conn.is_handshaking()
    assert conn.cipher() == server.tls.cipher()[0]

    chain = conn.peer_certificates()
    assert len(chain) == 2
    assert chain[0] == ssl.PEM_cert_to_DER_cert((pki / "server-cert.pem").read_text())
    assert conn.peer_certificate(2) is None

    assert conn.write(b"hello") == 5
    server.incoming.write(conn.write_tls())
    assert server.tls.read(100) == b"hello"

    server.tls.write(b"world")
    conn.read_tls(server.outgoing.read())
    conn.process_new_packets()
    buf = bytearray(3)
    assert conn.readinto(buf) == 3 and buf == b"wor"
    assert conn.read() == b"ld"
    assert conn.read() is None

    with pytest.raises(ssl.SSLWantReadError):
        server.tls.unwrap()  # sends close_notify, would wait for ours
    conn.read_tls(server.outgoing.read())
    conn.process_new_packets()
    assert conn.read() == b""  # a clean close
    conn.send_close_notify()
    assert conn.write_tls()  # our close_notify
    with pytest.raises(oxtls.UsageError) as info:
        conn.write(b"too late")
    assert info.value.code == oxtls.Result.ERR_ALREADY_CLOSED


def test_write_before_handshake_is_sent_after_it(server_context, config):
    server = MemoryServer(server_context)
    conn = oxtls.Connection(config, "localhost")
    assert conn.write(b"early data, held") == 16
    pump(conn, server)
    server.incoming.write(conn.write_tls())
    assert server.tls.read(100) == b"early data, held"


def test_tls_data_one_byte_at_a_time(server_context, config):
    server = MemoryServer(server_context)
    conn = oxtls.Connection(config, "localhost")
    for _ in range(10):
        server.incoming.write(conn.write_tls())
        server.step()
        for byte in server.outgoing.read():
            assert conn.read_tls(bytes([byte])) == 1
            conn.process_new_packets()
        if not conn.is_handshaking():
            break
    assert conn.version() == "TLSv1.3"


def test_eof_without_close_notify(server_context, config):
    server = MemoryServer(server_context)
    conn = oxtls.Connection(config, "localhost")
    pump(conn, server)
    assert conn.read_tls(b"") == 0  # the transport ended
    conn.process_new_packets()
    with pytest.raises(oxtls.UnexpectedEOF):
        conn.read()


def test_buffer_limit_makes_read_tls_take_nothing(server_context, config):
    server = MemoryServer(server_context)
    conn = oxtls.Connection(config, "localhost")
    pump(conn, server)
    conn.set_buffer_limit(100)
    server.tls.write(b"x" * 5000)
    first = server.outgoing.read()
    server.tls.write(b"y" * 10)
    second = server.outgoing.read()

    taken = 0
    while taken < len(first):
        taken += conn.read_tls(first[taken:])
        conn.process_new_packets()
    assert conn.read_tls(second) == 0  # 5000 bytes of plaintext wait
    received = b""
    while len(received) < 5000:
        received += conn.read(1000)
    assert conn.read_tls(second) == len(second)
    conn.process_new_packets()
    assert conn.read() == b"y" * 10


def test_write_copies_no_more_than_it_can_take(server_context, config):
    """write() copied all it was given (bytes(data)) and then took at most
    the buffer limit, so feeding a big buffer piece by piece was
    quadratic. It now copies at most the limit; with no limit it still
    takes everything."""
    server = MemoryServer(server_context)
    conn = oxtls.Connection(config, "localhost")
    pump(conn, server)
    big = bytes(8 << 20)
    tracemalloc.start()
    try:
        taken = conn.write(memoryview(big)[1:])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert 0 < taken <= 65536
    assert peak < 1 << 20, f"write() of 8 MiB peaked at {peak} bytes of Python memory"
    conn.write_tls()

    conn.set_buffer_limit(None)
    assert conn.write(memoryview(big)[:200_000]) == 200_000
    conn.set_buffer_limit(1000)
    conn.write_tls()
    assert conn.write(bytearray(5000)) == 1000


def test_export_keying_material(server_context, config):
    server = MemoryServer(server_context)
    conn = oxtls.Connection(config, "localhost")
    with pytest.raises(oxtls.UsageError) as info:
        conn.export_keying_material("EXPERIMENTAL test", 32)
    assert info.value.code == oxtls.Result.ERR_HANDSHAKE_NOT_COMPLETE
    pump(conn, server)
    a = conn.export_keying_material("EXPERIMENTAL test", 32)
    assert len(a) == 32
    assert conn.export_keying_material(b"EXPERIMENTAL test", 32) == a
    assert conn.export_keying_material("EXPERIMENTAL other", 32) != a
    assert conn.export_keying_material("EXPERIMENTAL test", 32, b"ctx") != a
    # RFC 8446 §7.5: TLS 1.3 derives the same bytes without and with an
    # empty context.
    assert conn.export_keying_material("EXPERIMENTAL test", 32, b"") == a
    assert len(conn.export_keying_material("EXPERIMENTAL test", 100)) == 100


def test_fatal_error_sends_an_alert_and_repeats(server_context, other_ca_file):
    server = MemoryServer(server_context)
    conn = oxtls.Connection(oxtls.Config(other_ca_file, system_roots=False), "localhost")
    with pytest.raises(oxtls.CertificateError) as first:
        pump(conn, server)
    alert = conn.write_tls()
    # The last record is the alert: protected (as application_data) once
    # keys exist (a change_cipher_spec may come first, RFC 8446 §D.4).
    assert record_types(alert)[-1] in (0x15, 0x17)
    server.incoming.write(alert)
    with pytest.raises(ssl.SSLError):
        server.tls.read(10)  # the server learns why
    assert not conn.wants_read()
    with pytest.raises(oxtls.CertificateError) as again:
        conn.process_new_packets()
    assert again.value.code == first.value.code == oxtls.Result.ERR_CERT_UNKNOWN_ISSUER
    with pytest.raises(oxtls.CertificateError):
        conn.read()


def test_a_message_longer_than_the_first_buffer_is_not_cut(server_context, other_ca_file):
    conn = oxtls.Connection(oxtls.Config(other_ca_file, system_roots=False), "localhost")
    with pytest.raises(oxtls.CertificateError) as info:
        pump(conn, MemoryServer(server_context))
    message = info.value.message
    assert message.endswith("certificate is not issued by a trusted root")
    # No real message outgrows the usual 512-byte first try, so start
    # smaller: the library must report the whole length when it cuts, or
    # the binding cannot know to grow its buffer (it used to keep 7 bytes).
    with conn._lock:
        assert conn._last_error(size=8) == message
        assert conn._last_error(size=len(message)) == message  # one byte short
        assert conn._last_error(size=len(message) + 1) == message


def test_sni_is_sent_for_names_only(server_context, ca_file, pki, chain_file):
    seen = []
    context = ssl_server_context(chain_file, str(pki / "server-key.pem"))
    context.sni_callback = lambda sslobj, name, ctx: seen.append(name)
    cases = [("localhost", {}), ("127.0.0.1", {}), ("localhost", {"enable_sni": False})]
    for name, kwargs in cases:
        conn = oxtls.Connection(oxtls.Config(ca_file, **kwargs), name)
        pump(conn, MemoryServer(context))
    assert seen == ["localhost", None, None]


def test_max_fragment_size_limits_records(server_context, ca_file):
    server = MemoryServer(server_context)
    conn = oxtls.Connection(oxtls.Config(ca_file, max_fragment_size=512), "localhost")
    pump(conn, server)
    conn.write(b"z" * 3000)
    sizes = record_sizes(conn.write_tls())
    # The limit counts the record header but not what protection adds
    # (TLS 1.3's inner content type and the 16-byte AEAD tag): 507 bytes
    # of plaintext make a record of 5 + 507 + 1 + 16 = 529 bytes.
    assert len(sizes) >= 6 and max(sizes) <= 512 + 1 + 16


def test_state_before_the_handshake(config):
    conn = oxtls.Connection(config, "localhost")
    assert conn.version() is None and conn.protocol_version() == 0
    assert conn.cipher() is None and conn.cipher_suite() == 0
    assert conn.alpn_protocol() is None
    assert conn.peer_certificate(0) is None and conn.peer_certificates() == []
    hello = conn.write_tls()
    assert hello[:1] == b"\x16"  # a handshake record: the ClientHello
    assert conn.write_tls() == b"" and not conn.wants_write()
    assert conn.wants_read() and conn.is_handshaking()


def test_bad_arguments(config):
    with pytest.raises(oxtls.UsageError) as info:
        oxtls.Connection(config, "not a host name!")
    assert info.value.code == oxtls.Result.ERR_INVALID_SERVER_NAME
    with pytest.raises(TypeError):
        oxtls.Connection(config, "")
    with pytest.raises(TypeError):
        oxtls.Connection("not a config", "localhost")
    conn = oxtls.Connection(config, "localhost")
    with pytest.raises(ValueError):
        conn.read(0)
    with pytest.raises(IndexError):
        conn.peer_certificate(-1)


def test_closed_connection_refuses_calls(config):
    conn = oxtls.Connection(config, "localhost")
    conn.close()
    conn.close()
    assert conn.closed and "closed" in repr(conn)
    for call in (conn.write_tls, conn.process_new_packets, conn.read, conn.version,
                 conn.wants_read, lambda: conn.read_tls(b"x"), lambda: conn.write(b"x")):
        with pytest.raises(ValueError):
            call()
