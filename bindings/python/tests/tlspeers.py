"""Helpers shared by the tests: an HTTP/1.0 GET over any socket-like
object, and Python's own ssl module as an independent TLS 1.3 server (in
memory, or on one end of a socket pair in a thread)."""

import pathlib
import socket
import ssl
import threading

#: The repository's root (bindings/python/tests/ is three levels down).
REPO = pathlib.Path(__file__).resolve().parents[3]


def http_get(tls, path="/", host="localhost"):
    """Sends a GET and returns everything until the end of the stream."""
    tls.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
    chunks = []
    while True:
        data = tls.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=30)


def ssl_server_context(chain_file, key_file, alpn=None):
    """A TLS 1.3 server context with the test server's identity."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(chain_file, key_file)
    if alpn:
        context.set_alpn_protocols(alpn)
    return context


class MemoryServer:
    """An ssl.SSLObject server over memory BIOs: both ends sans-I/O, so a
    test can move every byte itself."""

    def __init__(self, context):
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_side=True)

    def step(self):
        """Advances the server as far as it can without more input."""
        try:
            self.tls.do_handshake()
        except ssl.SSLWantReadError:
            pass


def pump(conn, server, rounds=20):
    """Moves bytes between an oxtls Connection and a MemoryServer until
    the client's handshake is done (or `rounds` pass)."""
    for _ in range(rounds):
        out = conn.write_tls()
        if out:
            server.incoming.write(out)
        server.step()
        back = server.outgoing.read()
        if back:
            taken = 0
            while taken < len(back):
                n = conn.read_tls(back[taken:])
                assert n > 0
                taken += n
                conn.process_new_packets()
        if not conn.is_handshaking() and not conn.wants_write():
            return
    raise AssertionError("the handshake did not finish")


class ThreadServer:
    """Python's ssl server on one end of a socket pair, in a thread: it
    completes the handshake, then runs `handler(tls_socket)`. The other
    end is `client_sock`, for the test to drive by hand."""

    def __init__(self, context, handler):
        self.client_sock, server_sock = socket.socketpair()
        self.client_sock.settimeout(30)
        server_sock.settimeout(30)
        self.error = None
        self.result = None

        def run():
            try:
                with context.wrap_socket(server_sock, server_side=True) as tls:
                    self.result = handler(tls)
            except BaseException as exc:  # reported by join()
                self.error = exc
            finally:
                server_sock.close()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def join(self):
        self.thread.join(30)
        assert not self.thread.is_alive(), "the ssl server thread did not finish"
        return self.result


def drive(conn, sock, until):
    """Runs the sans-I/O loop by hand over `sock` until `until()` holds:
    write what the connection queued, read what the peer sent."""
    while not until():
        out = conn.write_tls()
        if out:
            sock.sendall(out)
            continue
        if not conn.wants_read():
            raise AssertionError("connection wants nothing but the goal is not reached")
        data = sock.recv(65536)
        if not data:
            conn.read_tls(b"")
            conn.process_new_packets()
            return
        taken = 0
        while taken < len(data):
            n = conn.read_tls(data[taken:])
            assert n > 0, "the connection took none of the data"
            taken += n
            conn.process_new_packets()


def run_with_deadline(fn, seconds, stop):
    """Runs `fn()` in a thread for `seconds` at most; returns ("done",
    value), ("raised", exception) or ("hung", None). When it hangs, calls
    `stop()` (closing what it spins on) so that the loop fails instead of
    eating a CPU for the rest of the run."""
    outcome = []

    def body():
        try:
            outcome.append(("done", fn()))
        except BaseException as exc:
            outcome.append(("raised", exc))

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        stop()
        thread.join(5)
        return ("hung", None)
    return outcome[0]


def server_that_leaves_after_the_client_hello(listener):
    """Accepts one connection on `listener` in a thread, reads the
    ClientHello and closes: the transport ends during the handshake."""

    def serve():
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)

    threading.Thread(target=serve, daemon=True).start()
