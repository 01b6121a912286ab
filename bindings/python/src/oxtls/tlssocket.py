"""``TLSSocket``: a :class:`Connection` driven over a socket, shaped like
``ssl.SSLSocket`` so standard-library code (``http.client``, ``urllib``,
``socket.makefile`` users) runs on it unchanged.

It wraps rather than subclasses ``socket.socket``: the TLS loop calls
the wrapped socket's ``recv``/``send``, so the socket's timeout (or
non-blocking mode) governs every TLS call as it would an SSLSocket's
(``TimeoutError``/``BlockingIOError`` reach the caller unchanged, and
after a timeout the TLS state is still consistent: call again).

That holds because TLS bytes the socket did not take are kept here, not
dropped: every later call (``send``, ``sendall``, ``recv``, ``unwrap``,
the handshake) sends them first. On a non-blocking socket the
``BlockingIOError`` says which: ``WantReadError`` to wait until the
socket is readable, ``WantWriteError`` until it is writable, which even
``recv`` can raise.
"""

import io
import socket

from .codes import Result
from .config import Config
from .connection import Connection
from .errors import Error, UnexpectedEOF, WantReadError, WantWriteError, make_error

#: How much one recv() on the wrapped socket asks for.
RECV_SIZE = 65536

# Bits of secret per cipher suite's symmetric key, for ssl-style cipher().
_SECRET_BITS = {"AES_128": 128, "AES_256": 256, "CHACHA20": 256}


def wrap_socket(sock, server_hostname, config=None, *, do_handshake_on_connect=True,
                suppress_ragged_eofs=False):
    """Runs TLS over the connected socket ``sock`` to ``server_hostname``
    and returns a :class:`TLSSocket`, which now owns ``sock`` (if the
    handshake fails, ``sock`` is closed before the error is raised).

    ``config`` defaults to one shared ``Config()`` (the system's roots,
    TLS 1.3, no ALPN).
    The handshake runs now unless ``do_handshake_on_connect`` is False.
    A peer that closes without close_notify raises :class:`UnexpectedEOF`
    from ``recv`` (truncation) unless ``suppress_ragged_eofs`` is True,
    when it reads as a normal end of stream as with the ``ssl`` module."""
    if config is None:
        config = default_config()
    return TLSSocket(sock, server_hostname, config,
                     do_handshake_on_connect=do_handshake_on_connect,
                     suppress_ragged_eofs=suppress_ragged_eofs)


_default_config = None


def default_config():
    """The Config that :func:`wrap_socket` uses when given none: ``Config()``,
    made once (loading the system's roots is not free) and shared, as a
    Config is immutable."""
    global _default_config
    if _default_config is None:
        _default_config = Config()
    return _default_config


class TLSSocket:
    """A TLS client over a connected stream socket. See :func:`wrap_socket`."""

    def __init__(self, sock, server_hostname, config, *, do_handshake_on_connect=True,
                 suppress_ragged_eofs=False):
        if sock.type != socket.SOCK_STREAM:
            raise ValueError("TLS needs a stream socket")
        self._sock = sock
        self._conn = Connection(config, server_hostname)
        self.context = config  # as ssl.SSLSocket.context
        self.server_hostname = server_hostname
        self.server_side = False
        self.suppress_ragged_eofs = suppress_ragged_eofs
        self._tls_in = bytearray()  # received TLS bytes the connection has not taken yet
        self._tls_out = bytearray()  # TLS bytes taken from the connection, not yet sent
        # Where the received TLS records end (see _track_records), so that
        # unwrap() takes no byte past the peer's close_notify.
        self._header = bytearray()  # a record header received in part
        self._body_left = 0  # bytes of the current record's body still to come
        self._closed = False
        self._io_refs = 0  # open makefile() objects; see close()
        if do_handshake_on_connect:
            try:
                self.do_handshake()
            except BaseException:
                # As ssl does: a failed wrap closes the socket it took.
                self.close()
                raise

    # ---- moving TLS bytes ------------------------------------------------

    def _flush(self):
        """Sends the TLS bytes an earlier call left, then every one the
        connection has queued since.

        Bytes taken from the connection are dropped only once the socket
        has taken them: when it times out or would block, the rest of the
        record stays in ``_tls_out`` for the next call, so the stream stays
        whole. (The connection is drained only when ``_tls_out`` is empty,
        so its buffer limit still holds back ``write``.)"""
        while True:
            if not self._tls_out:
                data = self._conn.write_tls()
                if not data:
                    return
                self._tls_out += data
            try:
                sent = self._sock.send(self._tls_out)
            except BlockingIOError as e:
                raise WantWriteError(e.errno, e.strerror) from None
            del self._tls_out[:sent]

    def _feed(self):
        """Gives the connection the TLS bytes already received; False when
        it could take none (its plaintext buffer is full, or nothing left)."""
        progressed = False
        while self._tls_in:
            taken = self._conn.read_tls(self._tls_in)
            if taken == 0:
                break
            del self._tls_in[:taken]
            self._process()
            progressed = True
        return progressed

    def _receive(self, size=RECV_SIZE):
        """One recv() of up to ``size`` bytes from the socket, handed to the
        connection; an empty recv() tells it the transport has ended.
        Returns False once the transport has ended.

        An end during the handshake raises UnexpectedEOF here: the
        connection would otherwise go on wanting to read, and the loops
        calling this would call recv() forever."""
        if self._feed():
            return True
        try:
            data = self._sock.recv(size)
        except BlockingIOError as e:
            raise WantReadError(e.errno, e.strerror) from None
        if data:
            self._track_records(data)
            self._tls_in += data
            self._feed()
            return True
        self._conn.read_tls(b"")
        self._process()
        # The library reports this itself (processing fails); checked here
        # too, so that an older liboxtls cannot make a handshake loop spin.
        if self._conn.is_handshaking():
            raise make_error(Result.ERR_UNEXPECTED_EOF,
                             "the peer closed the connection during the handshake")
        return False

    def _track_records(self, data):
        """Follows the TLS record headers (5 bytes, the body's length in
        the last two) through the bytes received, to know how many more
        end the current record."""
        i = 0
        while i < len(data):
            if self._body_left:
                step = min(self._body_left, len(data) - i)
                self._body_left -= step
                i += step
                continue
            need = 5 - len(self._header)
            self._header += data[i:i + need]
            i += need
            if len(self._header) == 5:
                self._body_left = int.from_bytes(self._header[3:5], "big")
                self._header.clear()

    def _to_record_end(self):
        """How many bytes to recv() to reach the end of a record header or
        body, and no further."""
        return self._body_left or 5 - len(self._header)

    def _process(self):
        try:
            self._conn.process_new_packets()
        except BaseException:
            # Tell the peer why (the alert is queued), then report it.
            try:
                self._flush()
            except OSError:
                pass
            raise

    def do_handshake(self):
        """Runs the handshake to its end (done by the constructor unless
        ``do_handshake_on_connect=False``)."""
        self._check_open()
        while self._conn.is_handshaking():
            self._flush()
            if self._conn.wants_read():
                self._receive()
            elif not self._conn.wants_write():
                # Neither waiting for the peer nor with anything to send:
                # the connection has failed, and process_new_packets says why.
                self._process()
                raise make_error(Result.ERR_GENERAL, "the handshake stalled")
        self._flush()

    # ---- plaintext -------------------------------------------------------

    def recv(self, bufsize=RECV_SIZE, flags=0):
        """Up to ``bufsize`` bytes of plaintext; ``b""`` at the end of the
        stream. Blocks (within the socket's timeout) until some arrive."""
        self._check_flags(flags, "recv")
        if bufsize == 0:
            return b""
        buf = bytearray(bufsize)
        n = self.recv_into(buf)
        return bytes(buf[:n])

    def recv_into(self, buffer, nbytes=0, flags=0):
        """recv() into a writable buffer; returns the count."""
        self._check_flags(flags, "recv_into")
        self._check_open()
        view = memoryview(buffer).cast("B")
        if nbytes:
            view = view[:nbytes]
        if len(view) == 0:
            return 0
        while True:
            try:
                n = self._conn.readinto(view)
            except UnexpectedEOF:
                if self.suppress_ragged_eofs:
                    return 0
                raise
            if n is not None:
                return n
            self._flush()  # e.g. a KeyUpdate reply
            try:
                self._receive()
            except Error:
                # Data that arrived whole before what failed is handed out
                # first; the read after it raises the error again.
                if self._conn.pending():
                    continue
                raise

    def send(self, data, flags=0):
        """Encrypts and sends some of ``data``; returns how many of its
        bytes were taken.

        TLS bytes an earlier call could not send go first; if the socket
        still cannot take them, ``TimeoutError`` (or ``BlockingIOError``
        on a non-blocking socket) is raised having taken none of ``data``:
        call again with the same data. Once some of ``data`` is taken, its
        count is returned even if the socket then times out or would
        block: the rest of its TLS records stays here and goes out first
        on the next call. So a retry never sends plaintext twice.

        Without ``do_handshake_on_connect`` the first call runs the
        handshake, as ssl.SSLSocket does: the connection holds only so
        much plaintext before it, and nothing else would read the
        server's reply."""
        self._check_flags(flags, "send")
        self._check_open()
        self._flush()
        if self._conn.is_handshaking():
            self.do_handshake()
        view = memoryview(data).cast("B")
        if len(view) == 0:
            return 0
        taken = self._conn.write(view)
        if taken == 0:
            # Not expected with the send queue just emptied; an error
            # rather than a caller spinning on 0.
            raise make_error(Result.ERR_BUFFER_FULL, "the connection took no data")
        try:
            self._flush()
        except (BlockingIOError, socket.timeout):
            pass  # taken all the same; the next call sends the rest
        return taken

    def sendall(self, data, flags=0):
        """Sends all of ``data``: returns once the socket has taken every
        TLS byte. As with ``socket.sendall``, a timeout (or
        ``BlockingIOError``) does not say how much was sent; the stream
        stays whole, and what was taken but not sent goes out first on
        the next call."""
        self._check_flags(flags, "sendall")
        self._check_open()
        view = memoryview(data).cast("B")
        while len(view):
            view = view[self.send(view):]
        self._flush()

    def write(self, data):
        """ssl.SSLSocket.write: send()."""
        return self.send(data)

    def read(self, len=1024, buffer=None):  # ssl.SSLSocket.read takes "len"
        """ssl.SSLSocket.read: recv() or recv_into()."""
        if buffer is not None:
            return self.recv_into(buffer, len)
        return self.recv(len)

    def pending(self):
        """ssl.SSLSocket.pending: decrypted bytes ready to be read without
        waiting on the socket (which may never become readable for them)."""
        if self._closed:
            return 0
        return self._conn.pending()

    def unwrap(self):
        """Ends TLS and returns the plain socket (which this object then no
        longer owns): sends our close_notify, then, as ssl.SSLSocket does,
        reads until the peer's, so that what the socket holds next is the
        peer's plaintext rather than the rest of its TLS data. It reads
        record by record and takes no byte past that close_notify (bytes
        an earlier ``recv`` read along with TLS data are lost, though).

        Application data the peer sent before its close_notify is
        discarded (ssl raises instead): read until ``recv`` returns
        ``b""`` first to keep it. A peer that closes the transport without
        close_notify raises :class:`UnexpectedEOF`, unless
        ``suppress_ragged_eofs``. On a non-blocking socket (or at a
        timeout) it raises ``BlockingIOError`` (``TimeoutError``) while the
        peer's close_notify has not come, with ours sent or kept to send:
        call ``unwrap()`` again, as with ``ssl.SSLWantReadError``.
        Before the handshake has completed it raises, as ssl does: there is
        no TLS session to end yet (close_notify would wait for one)."""
        self._check_open()
        # A handshake that failed raises its own error here, not "not
        # complete": processing repeats the stored failure, and does
        # nothing new mid-handshake.
        self._conn.process_new_packets()
        if self._conn.is_handshaking():
            raise make_error(Result.ERR_HANDSHAKE_NOT_COMPLETE,
                             "cannot unwrap before the handshake has completed")
        self._conn.send_close_notify()  # again does nothing more
        self._flush()
        self._read_close_notify()
        sock, self._sock = self._sock, None
        self._closed = True
        self._conn.close()
        return sock

    def _read_close_notify(self):
        """Reads, discarding any plaintext, up to the peer's close_notify."""
        scratch = bytearray(16384)
        ended = False
        while True:
            try:
                n = self._conn.readinto(scratch)
            except UnexpectedEOF:
                if self.suppress_ragged_eofs:
                    return
                raise
            if n == 0:
                return
            if n is not None:
                continue
            if ended:  # the transport ended and the connection did not say so
                if self.suppress_ragged_eofs:
                    return
                raise make_error(Result.ERR_UNEXPECTED_EOF,
                                 "the peer closed the connection without close_notify")
            ended = not self._receive(self._to_record_end())

    # ---- what was negotiated ---------------------------------------------

    def version(self):
        """"TLSv1.3", or None before the handshake."""
        return None if self._conn.closed else self._conn.version()

    def cipher(self):
        """(name, protocol version, secret bits) like ssl, or None."""
        if self._conn.closed:
            return None
        name = self._conn.cipher()
        if name is None:
            return None
        bits = next((b for key, b in _SECRET_BITS.items() if key in name), None)
        return (name, self._conn.version(), bits)

    @property
    def session_reused(self):
        """Whether the handshake resumed an earlier session, like
        ``ssl.SSLSocket.session_reused``."""
        return not self._conn.closed and self._conn.is_resumed()

    def selected_alpn_protocol(self):
        """The protocol the server chose by ALPN, as str, or None."""
        if self._conn.closed:
            return None
        proto = self._conn.alpn_protocol()
        return None if proto is None else proto.decode("ascii", "replace")

    def getpeercert(self, binary_form=False):
        """The server's certificate as DER bytes (``binary_form=True``); None
        before the handshake. oxtls does not decode certificates, so the
        dictionary form is not available."""
        if not binary_form:
            raise ValueError(
                "oxtls returns the certificate only as DER: call getpeercert(binary_form=True)"
            )
        if self._conn.closed or self._conn.is_handshaking():
            return None
        return self._conn.peer_certificate(0)

    def get_verified_chain(self):
        """The chain the server sent, DER, end-entity first."""
        return self._conn.peer_certificates()

    def export_keying_material(self, label, length, context=None):
        return self._conn.export_keying_material(label, length, context)

    def compression(self):
        return None

    def selected_npn_protocol(self):
        return None

    @property
    def connection(self):
        """The underlying sans-I/O :class:`Connection`."""
        return self._conn

    # ---- the socket's own surface ----------------------------------------

    def fileno(self):
        return -1 if self._sock is None else self._sock.fileno()

    def settimeout(self, timeout):
        self._raw().settimeout(timeout)

    def gettimeout(self):
        return self._raw().gettimeout()

    def setblocking(self, flag):
        self._raw().setblocking(flag)

    def getblocking(self):
        return self._raw().getblocking()

    def setsockopt(self, *args):
        return self._raw().setsockopt(*args)

    def getsockopt(self, *args):
        return self._raw().getsockopt(*args)

    def getpeername(self):
        return self._raw().getpeername()

    def getsockname(self):
        return self._raw().getsockname()

    def shutdown(self, how):
        self._raw().shutdown(how)

    @property
    def family(self):
        return self._raw().family

    @property
    def type(self):
        return self._raw().type

    @property
    def proto(self):
        return self._raw().proto

    def makefile(self, mode="r", buffering=None, *, encoding=None, errors=None, newline=None):
        """A file object over the plaintext, as socket.socket.makefile: the
        socket stays open until it and every file made from it are closed
        (http.client relies on this)."""
        if not set(mode) <= {"r", "w", "b"}:
            raise ValueError(f"invalid mode {mode!r} (only r, w, b allowed)")
        reading = "r" in mode or "w" not in mode
        writing = "w" in mode
        raw = socket.SocketIO(self, ("r" if reading else "") + ("w" if writing else ""))
        self._io_refs += 1
        if buffering is None:
            buffering = -1
        if buffering < 0:
            buffering = io.DEFAULT_BUFFER_SIZE
        if buffering == 0:
            if "b" not in mode:
                raise ValueError("unbuffered streams must be binary")
            return raw
        if reading and writing:
            buffered = io.BufferedRWPair(raw, raw, buffering)
        elif reading:
            buffered = io.BufferedReader(raw, buffering)
        else:
            buffered = io.BufferedWriter(raw, buffering)
        if "b" in mode:
            return buffered
        text = io.TextIOWrapper(buffered, encoding, errors, newline)
        text.mode = mode
        return text

    def _decref_socketios(self):
        """Called by socket.SocketIO.close()."""
        if self._io_refs > 0:
            self._io_refs -= 1
        if self._closed:
            self._really_close()

    def close(self):
        """Closes the socket (once no makefile() object is open) and frees
        the connection. Does not send close_notify: see :meth:`unwrap`."""
        self._closed = True
        if self._io_refs <= 0:
            self._really_close()

    def _really_close(self):
        self._conn.close()
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    @property
    def closed(self):
        return self._closed

    def detach(self):
        raise io.UnsupportedOperation("a TLS socket cannot be detached; use unwrap()")

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        if self._closed:
            return f"<oxtls.TLSSocket to {self.server_hostname!r}, closed>"
        return f"<oxtls.TLSSocket to {self.server_hostname!r} fd={self.fileno()} {self.version()}>"

    def _raw(self):
        self._check_open()
        return self._sock

    def _check_open(self):
        # After close() a makefile() object may still read (http.client
        # closes the connection while its response is being read).
        if self._sock is None:
            raise OSError(9, "the TLS socket is closed")  # EBADF, as a closed socket says

    @staticmethod
    def _check_flags(flags, call):
        if flags != 0:
            raise ValueError(f"non-zero flags not allowed in calls to {call}() on a TLS socket")
