"""``Connection``: one TLS client connection, sans-I/O (``oxtls_conn``).

The connection never touches a socket. The caller moves bytes:

- TLS data from the peer goes in with :meth:`Connection.read_tls` and is
  processed by :meth:`Connection.process_new_packets`;
- TLS data for the peer comes out of :meth:`Connection.write_tls`;
- plaintext goes in with :meth:`Connection.write` and out of
  :meth:`Connection.read`.

``read_tls``/``write_tls`` are ``oxtls_conn_read_tls``/``write_tls`` with
callbacks over Python bytes. :class:`oxtls.TLSSocket` is this loop over a
socket.
"""

import ctypes
import threading
import weakref

from . import _native
from .codes import Result
from .config import Config
from .errors import CertificateError, make_error

_lib = _native.lib

#: How much plaintext :meth:`Connection.read` asks for by default.
DEFAULT_READ_SIZE = 16384

#: The library's default buffer limit (oxtls_conn_set_buffer_limit).
_DEFAULT_BUFFER_LIMIT = 65536


def _state_of(userdata):
    """The Python object a callback's userdata points at (see _userdata)."""
    return ctypes.cast(userdata, ctypes.POINTER(ctypes.py_object)).contents.value


def _userdata(obj):
    """A void * to `obj` for the duration of one C call; the caller keeps
    the returned holder alive until the call returns.

    The address is taken with addressof, not ctypes.cast: cast's result
    shares a dict with its source that refers back to the source, a cycle
    that kept `obj` (and every byte a read_tls/write_tls call moved) alive
    until the cyclic collector happened to run."""
    holder = ctypes.py_object(obj)
    return holder, ctypes.c_void_p(ctypes.addressof(holder))


class _Incoming:
    """What one read_tls call offers the library."""

    __slots__ = ("data", "error")

    def __init__(self, data):
        self.data = data
        self.error = None


class _Outgoing:
    """What write_tls calls collect from the library."""

    __slots__ = ("chunks", "error")

    def __init__(self):
        self.chunks = []
        self.error = None


_EIO = 5  # what a callback reports when Python code inside it failed


@_native.READ_CALLBACK
def _read_from_bytes(userdata, buf, length, out_n):
    try:
        state = _state_of(userdata)
        n = min(length, len(state.data))
        if n:
            ctypes.memmove(buf, state.data, n)
        out_n[0] = n
        return 0
    except BaseException as exc:  # never let an exception unwind into C
        try:
            _state_of(userdata).error = exc
        except BaseException:
            pass
        return _EIO


@_native.WRITE_CALLBACK
def _write_to_list(userdata, buf, length, out_n):
    try:
        state = _state_of(userdata)
        state.chunks.append(ctypes.string_at(buf, length))
        out_n[0] = length
        return 0
    except BaseException as exc:
        try:
            _state_of(userdata).error = exc
        except BaseException:
            pass
        return _EIO


class Connection:
    """A TLS client connection to ``server_hostname`` (a DNS name, which the
    certificate must match and which is sent by SNI, or an IP address
    literal), made from ``config``.

    The ClientHello is queued at once: start by sending :meth:`write_tls`.
    A Connection is used from one thread at a time (calls are serialised
    by a lock, so misuse is slow rather than a crash). It keeps ``config``
    alive; the config may still be closed at any time.
    """

    def __init__(self, config, server_hostname):
        if not isinstance(config, Config):
            raise TypeError(f"config must be an oxtls.Config, not {type(config).__name__}")
        if not isinstance(server_hostname, str) or not server_hostname:
            raise TypeError("server_hostname must be a non-empty str")
        self._handle = None
        self._finalizer = None
        self._lock = threading.Lock()
        # Known here so that write() copies no more than it can be taken.
        self._buffer_limit = _DEFAULT_BUFFER_LIMIT
        self.config = config
        self.server_hostname = server_hostname
        try:
            name = server_hostname.encode("ascii")
        except UnicodeEncodeError:
            name = server_hostname.encode("idna")
        out = _native.conn_p()
        # Borrowed, not read once: a close() on another thread must not
        # free the config while oxtls_conn_new is taking its reference.
        with config._borrow() as config_handle:
            rc = _lib.oxtls_conn_new(config_handle, name, ctypes.byref(out))
        if rc != Result.OK:
            raise make_error(rc, f"cannot connect to {server_hostname!r}: {_static(rc)}")
        self._handle = out.value
        self._finalizer = weakref.finalize(self, _lib.oxtls_conn_free, out.value)

    # ---- life cycle ------------------------------------------------------

    def close(self):
        """Frees the C connection (without sending close_notify; see
        :meth:`send_close_notify`). Idempotent; also done on collection."""
        with self._lock:
            self._handle = None
            if self._finalizer is not None:
                self._finalizer()

    @property
    def closed(self):
        return self._handle is None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _live(self):
        if self._handle is None:
            raise ValueError("this Connection is closed")
        return self._handle

    def _raise(self, rc):
        """Raises the exception for a failed call, with the connection's
        detailed message (and the errno of a transport failure)."""
        exc = make_error(rc, self._last_error() or None)
        if rc == Result.ERR_IO:
            exc.errno = _lib.oxtls_conn_last_errno(self._handle) or None
        if isinstance(exc, CertificateError):
            cause = self.config._take_callback_failure()
            if cause is not None:
                raise exc from cause
        raise exc

    def _last_error(self, size=512):
        """The connection's detailed message, however long. When it does
        not fit, oxtls_conn_last_error still reports its whole length (not
        counting the NUL), so one retry with that much room gets it all."""
        while True:
            buf = ctypes.create_string_buffer(size)
            n = ctypes.c_size_t()
            rc = _lib.oxtls_conn_last_error(self._handle, buf, size, ctypes.byref(n))
            if rc == Result.ERR_BUFFER_TOO_SMALL and n.value + 1 > size:
                size = n.value + 1
                continue
            return buf.value.decode("utf-8", "replace")

    # ---- the TLS side ----------------------------------------------------

    def read_tls(self, data):
        """Gives the connection TLS bytes received from the peer; returns how
        many it took, which may be fewer than offered: offer the rest later.
        Follow with :meth:`process_new_packets`.

        ``b""`` tells it the transport has ended (returns 0). It returns 0
        for non-empty data when it cannot take more now: read the plaintext
        it holds first (or the peer has already closed)."""
        data = bytes(data)
        state = _Incoming(data)
        _holder, userdata = _userdata(state)  # kept alive for the call
        n = ctypes.c_size_t()
        with self._lock:
            rc = _lib.oxtls_conn_read_tls(self._live(), _read_from_bytes, userdata, ctypes.byref(n))
            if state.error is not None:
                raise state.error
            if rc == Result.ERR_BUFFER_FULL:
                return 0
            if rc != Result.OK:
                self._raise(rc)
        return n.value

    def write_tls(self):
        """Returns the TLS bytes waiting to be sent to the peer (``b""`` if
        none). After a failed handshake this is the alert telling the peer
        why: send it before closing."""
        state = _Outgoing()
        _holder, userdata = _userdata(state)  # kept alive for the call
        n = ctypes.c_size_t()
        with self._lock:
            handle = self._live()
            while _lib.oxtls_conn_wants_write(handle):
                rc = _lib.oxtls_conn_write_tls(handle, _write_to_list, userdata, ctypes.byref(n))
                if state.error is not None:
                    raise state.error
                if rc != Result.OK:
                    self._raise(rc)
                if n.value == 0:
                    break
        return b"".join(state.chunks)

    def process_new_packets(self):
        """Processes the TLS data given so far: advances the handshake and
        decrypts application data for :meth:`read`. A failure here ends
        the connection; send :meth:`write_tls` (the alert) before closing.
        After ``read_tls(b"")`` (the transport ended) mid-handshake it
        raises UnexpectedEOF: no more of the handshake can come."""
        with self._lock:
            rc = _lib.oxtls_conn_process_new_packets(self._live())
            if rc != Result.OK:
                self._raise(rc)

    def wants_read(self):
        """True while the connection expects TLS data from the peer."""
        with self._lock:
            return bool(_lib.oxtls_conn_wants_read(self._live()))

    def pending(self):
        """How many decrypted bytes :meth:`read` can return now, without
        more TLS data."""
        with self._lock:
            return int(_lib.oxtls_conn_plaintext_bytes_to_read(self._live()))

    def wants_write(self):
        """True while TLS data waits in :meth:`write_tls`."""
        with self._lock:
            return bool(_lib.oxtls_conn_wants_write(self._live()))

    def is_handshaking(self):
        """True until the handshake has completed (and after a failed one)."""
        with self._lock:
            return bool(_lib.oxtls_conn_is_handshaking(self._live()))

    def set_buffer_limit(self, limit):
        """Limits buffered plaintext received and TLS data to send to
        ``limit`` bytes each (None or 0: no limit; default 65536)."""
        with self._lock:
            rc = _lib.oxtls_conn_set_buffer_limit(self._live(), limit or 0)
            if rc != Result.OK:
                self._raise(rc)
            self._buffer_limit = limit or None

    # ---- the plaintext side ----------------------------------------------

    def read(self, n=DEFAULT_READ_SIZE):
        """Up to ``n`` bytes of received plaintext: data, ``b""`` once the
        peer has closed cleanly (close_notify), or None when there is
        nothing yet (give it more TLS data). Raises UnexpectedEOF if the
        transport ended without close_notify."""
        if n < 1:
            raise ValueError("n must be at least 1")
        buf = ctypes.create_string_buffer(n)
        got = self._read_into(buf, n)
        return None if got is None else buf.raw[:got]

    def readinto(self, buffer):
        """:meth:`read` into a writable buffer; returns the count (0 at a
        clean close) or None when there is nothing yet."""
        view = memoryview(buffer).cast("B")
        if len(view) == 0:
            return 0
        target = (ctypes.c_char * len(view)).from_buffer(view)
        try:
            return self._read_into(target, len(view))
        finally:
            del target
            view.release()

    def _read_into(self, target, size):
        got = ctypes.c_size_t()
        with self._lock:
            rc = _lib.oxtls_conn_read(self._live(), target, size, ctypes.byref(got))
            if rc == Result.PLAINTEXT_EMPTY:
                return None
            if rc != Result.OK:
                self._raise(rc)
        return got.value

    def write(self, data):
        """Queues plaintext for the peer; returns how many bytes were taken:
        possibly fewer than given, and 0 when the send buffer is full (send
        :meth:`write_tls` first). Data written before the handshake ends
        is sent once it has.

        It never takes more than the buffer limit, so it copies no more
        than that of ``data``: handing it the rest of a large buffer
        again and again costs time in proportion to the whole, not its
        square."""
        limit = self._buffer_limit
        if not isinstance(data, bytes) or (limit is not None and len(data) > limit):
            view = memoryview(data).cast("B")
            data = bytes(view if limit is None else view[:limit])
        taken = ctypes.c_size_t()
        with self._lock:
            rc = _lib.oxtls_conn_write(self._live(), data, len(data), ctypes.byref(taken))
            if rc == Result.ERR_BUFFER_FULL:
                return 0
            if rc != Result.OK:
                self._raise(rc)
        return taken.value

    def send_close_notify(self):
        """Says we send no more: queues close_notify, to send with
        :meth:`write_tls`. Before the handshake has completed, the alert
        waits for it and follows what was written before."""
        with self._lock:
            rc = _lib.oxtls_conn_send_close_notify(self._live())
            if rc != Result.OK:
                self._raise(rc)

    # ---- what was negotiated ---------------------------------------------

    def protocol_version(self):
        """The negotiated version's number (0x0304), or 0 until known."""
        with self._lock:
            return _lib.oxtls_conn_protocol_version(self._live())

    def is_resumed(self):
        """Whether the handshake resumed an earlier session (a TLS 1.3
        ticket or TLS 1.2 session kept by this connection's Config)
        instead of a full handshake."""
        with self._lock:
            return bool(_lib.oxtls_conn_is_resumed(self._live()))

    def version(self):
        """The negotiated version's name ("TLSv1.3"), or None until known."""
        name = _lib.oxtls_protocol_version_name(self.protocol_version())
        return name.decode("ascii") if name else None

    def cipher_suite(self):
        """The negotiated cipher suite's IANA number, or 0 until known."""
        with self._lock:
            return _lib.oxtls_conn_cipher_suite(self._live())

    def cipher(self):
        """The negotiated cipher suite's IANA name, or None until known."""
        name = _lib.oxtls_cipher_suite_name(self.cipher_suite())
        return name.decode("ascii") if name else None

    def alpn_protocol(self):
        """The protocol the server chose by ALPN (bytes), or None."""
        data = ctypes.POINTER(ctypes.c_uint8)()
        size = ctypes.c_size_t()
        with self._lock:
            rc = _lib.oxtls_conn_alpn_protocol(self._live(), ctypes.byref(data), ctypes.byref(size))
            if rc != Result.OK:
                self._raise(rc)
            return ctypes.string_at(data, size.value) if data else None

    def peer_certificate(self, index=0):
        """The server's certificate number ``index`` as DER (0 is its own,
        then the intermediates as sent), or None past the end of the chain
        or before the server has sent it."""
        if index < 0:
            raise IndexError("certificate index must be >= 0")
        der = ctypes.POINTER(ctypes.c_uint8)()
        size = ctypes.c_size_t()
        with self._lock:
            rc = _lib.oxtls_conn_peer_certificate(
                self._live(), index, ctypes.byref(der), ctypes.byref(size)
            )
            if rc == Result.ERR_OUT_OF_RANGE:
                return None
            if rc != Result.OK:
                self._raise(rc)
            return ctypes.string_at(der, size.value)

    def peer_certificates(self):
        """The server's whole chain, as DER, end-entity first."""
        chain = []
        while (der := self.peer_certificate(len(chain))) is not None:
            chain.append(der)
        return chain

    def export_keying_material(self, label, length, context=None):
        """``length`` bytes of keying material (RFC 8446 §7.5 / RFC 5705)
        for ``label`` and ``context`` (None means no context, which TLS 1.2
        tells apart from ``b""``). Refused (ProtocolError) for a TLS 1.2
        session whose server did without the extended master secret (RFC
        7627 §5.4)."""
        label = label.encode("ascii") if isinstance(label, str) else bytes(label)
        context = None if context is None else bytes(context)
        out = ctypes.create_string_buffer(length) if length > 0 else None
        with self._lock:
            rc = _lib.oxtls_conn_export_keying_material(
                self._live(), out, length, label, len(label),
                context, 0 if context is None else len(context),
            )
            if rc != Result.OK:
                self._raise(rc)
        return out.raw

    def __repr__(self):
        if self.closed:
            return f"<oxtls.Connection to {self.server_hostname!r}, closed>"
        return f"<oxtls.Connection to {self.server_hostname!r} {self.version() or 'handshaking'}>"


def _static(rc):
    return _lib.oxtls_result_message(rc).decode("utf-8", "replace")
