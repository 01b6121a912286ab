"""``Config``: an immutable client configuration (``oxtls_config``).

A Config is built in one go from keyword arguments (the C builder is an
implementation detail: it is consumed by ``oxtls_config_builder_build``
whatever that returns, so it never escapes this module). The C config is
reference-counted and each connection keeps its own reference, so
:meth:`Config.close` (or collecting the Config) never pulls a config out
from under a live connection.
"""

import contextlib
import ctypes
import os
import threading
import weakref

from . import _native
from .codes import LogLevel, Result
from .errors import make_error

_lib = _native.lib

# ssl.CERT_NONE / ssl.CERT_REQUIRED, for code that inspects a context's
# verify_mode (http.client does); plain ints compare equal to ssl's enums.
_CERT_NONE = 0
_CERT_REQUIRED = 2

#: Key-exchange groups by name (IANA numbers, as in oxtls.h).
GROUPS = {"x25519": 0x001D, "secp256r1": 0x0017, "secp384r1": 0x0018}

_names_lock = threading.Lock()
_suite_numbers = None
_version_numbers = None


def _suite_table():
    """{IANA name: number} of every cipher suite the library implements,
    asked of the library once (so a newer library's suites are known)."""
    global _suite_numbers
    with _names_lock:
        if _suite_numbers is None:
            table = {}
            for number in range(0x10000):
                name = _lib.oxtls_cipher_suite_name(number)
                if name is not None:
                    table[name.decode("ascii")] = number
            _suite_numbers = table
        return _suite_numbers


def _version_table():
    """{"TLSv1.3": 0x0304, ...} for the versions the library names."""
    global _version_numbers
    with _names_lock:
        if _version_numbers is None:
            table = {}
            for number in range(0x0300, 0x0400):
                name = _lib.oxtls_protocol_version_name(number)
                if name is not None:
                    table[name.decode("ascii")] = number
            _version_numbers = table
        return _version_numbers


def _number(value, table, what):
    """An IANA number from an int (or IntEnum such as ssl.TLSVersion) or a
    name in `table`."""
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        for name, number in table.items():
            if name.lower() == value.lower():
                return number
        raise ValueError(f"unknown {what} {value!r}; known: {', '.join(sorted(table))}")
    raise TypeError(f"a {what} is an int or a name, not {type(value).__name__}")


def _set_u16_list(setter, builder, numbers, context):
    """Calls a builder setter taking (const uint16_t *, size_t)."""
    array = (ctypes.c_uint16 * len(numbers))(*numbers)
    _check(setter(builder, array, len(numbers)), context)


def _check(rc, context):
    if rc != Result.OK:
        raise make_error(rc, f"{context}: {_static(rc)}")


def _static(rc):
    return _lib.oxtls_result_message(rc).decode("utf-8", "replace")


class Config:
    """How to make client connections: which roots to trust, what to offer.

    - ``cafile``: a PEM file of root certificates, or a directory of them
      as OpenSSL's ``c_rehash`` leaves it. Only regular files of at most
      16 MiB are read (a FIFO is refused, not waited on).
    - ``cadata``: roots given directly: PEM text (any str, or bytes with a
      ``-----BEGIN`` line; text around the blocks, such as certifi's
      ``# Issuer:`` lines, is skipped) or one DER certificate (bytes).
    - ``system_roots``: also trust the platform's roots (found as OpenSSL
      finds them; ``SSL_CERT_FILE``/``SSL_CERT_DIR`` are honoured). When
      ``cafile`` or ``cadata`` is given, a machine without system roots is
      not an error. Pass False to trust only ``cafile``/``cadata``.
    - ``alpn``: protocols to offer, most preferred first (``["h2", "http/1.1"]``).
    - ``versions``: protocol versions to offer: 0x0304/0x0303,
      ``"TLSv1.3"``/``"TLSv1.2"`` or ``ssl.TLSVersion`` members.
    - ``cipher_suites``: IANA numbers or names (``"TLS_AES_128_GCM_SHA256"``).
    - ``groups``: IANA numbers or names (``"x25519"``, ``"secp256r1"``,
      ``"secp384r1"``); the first gets a key share.
    - ``verify``: False accepts ANY certificate (dangerous; tests only).
    - ``enable_sni``, ``max_fragment_size``: as in oxtls.h.
    - ``session_cache_size``: how many sessions (TLS 1.3 tickets, TLS 1.2
      sessions) the connections made with this Config keep to resume
      later ones with the same server (default 256; 0 turns resumption
      off).
    - ``verify_callback(server_name, chain, error) -> bool``: called after
      oxtls's own verification with the chain as DER ``bytes`` (end-entity
      first) and ``error`` (None, or the ``CertificateError`` oxtls found).
      Return False (or raise) to refuse; it cannot accept what oxtls
      refused.
    - ``log_callback(level, message)``: receives the library's log lines
      (``level`` is a :class:`LogLevel`).
    - ``keylog_filename``: append every connection's secrets to this file
      in the NSS key log format Wireshark reads, like
      ``ssl.SSLContext.keylog_filename``. For debugging only: the file
      decrypts the connections, so one created here is readable by its
      owner only; a path that cannot be written raises OSError here.
    - ``client_cert``: ``(chain_path, key_path)``, PEM files of a client
      certificate (then any intermediates) and its private key (PKCS#8,
      or PKCS#1 for RSA), sent when a server asks for one (mutual TLS).
      Regular files of at most 16 MiB. A key that is not the certificate's
      raises here.

    A Config is immutable and may be shared between threads. It is also
    accepted wherever the standard library expects an ``ssl.SSLContext``
    for a client (``http.client.HTTPSConnection(..., context=config)``,
    ``urllib.request.urlopen(url, context=config)``) through
    :meth:`wrap_socket`, :attr:`verify_mode` and :attr:`check_hostname`.
    """

    #: ssl.SSLContext compatibility: oxtls has no post-handshake auth.
    post_handshake_auth = None

    def __init__(
        self,
        cafile=None,
        *,
        cadata=None,
        system_roots=True,
        alpn=None,
        versions=None,
        cipher_suites=None,
        groups=None,
        verify=True,
        enable_sni=True,
        max_fragment_size=None,
        session_cache_size=None,
        verify_callback=None,
        log_callback=None,
        keylog_filename=None,
        client_cert=None,
    ):
        self._handle = None
        self._finalizer = None
        # close() may come from any thread while another is inside a C
        # call with the handle: the lock guards _handle and _users (the
        # calls in progress, see _borrow), and the last one out frees.
        self._lock = threading.Lock()
        self._users = 0
        self.verify = bool(verify)
        self.alpn = list(alpn) if alpn else []
        # The C function pointers must outlive every connection that may
        # call them; connections keep this Config alive, which keeps these.
        self._verify_thunk = None
        self._log_thunk = None
        self._keylog_thunk = None
        self.keylog_filename = keylog_filename
        # Exceptions raised by the verify callback, per thread, to chain
        # onto the CertificateError the handshake then reports.
        self._callback_failures = threading.local()

        builder = _lib.oxtls_config_builder_new()
        try:
            self._configure(
                builder, cafile, cadata, system_roots, versions, cipher_suites,
                groups, enable_sni, max_fragment_size, verify_callback, log_callback,
            )
            if session_cache_size is not None:
                _check(
                    _lib.oxtls_config_builder_set_session_cache_size(
                        builder, int(session_cache_size)
                    ),
                    f"session_cache_size {session_cache_size}",
                )
            if client_cert is not None:
                chain_path, key_path = client_cert
                _check(
                    _lib.oxtls_config_builder_set_client_cert_pem(
                        builder, os.fsencode(chain_path), os.fsencode(key_path)
                    ),
                    f"cannot use client certificate {os.fsdecode(chain_path)!r}",
                )
            if keylog_filename is not None:
                self._keylog_thunk = _native.KEYLOG_CALLBACK(_make_keylog(keylog_filename))
                _check(
                    _lib.oxtls_config_builder_set_keylog_callback(
                        builder, self._keylog_thunk, None
                    ),
                    "keylog_filename",
                )
        except BaseException:
            _lib.oxtls_config_builder_free(builder)
            raise
        out = _native.config_p()
        rc = _lib.oxtls_config_builder_build(builder, ctypes.byref(out))  # consumes builder
        _check(rc, "cannot build the config")
        self._handle = out.value
        self._finalizer = weakref.finalize(self, _lib.oxtls_config_free, out.value)

    def _configure(self, b, cafile, cadata, system_roots, versions, cipher_suites,
                   groups, enable_sni, max_fragment_size, verify_callback, log_callback):
        if versions is not None:
            numbers = [_number(v, _version_table(), "protocol version") for v in versions]
            _set_u16_list(_lib.oxtls_config_builder_set_protocol_versions, b, numbers,
                          f"cannot offer versions {versions!r}")
        if cipher_suites is not None:
            numbers = [_number(s, _suite_table(), "cipher suite") for s in cipher_suites]
            _set_u16_list(_lib.oxtls_config_builder_set_cipher_suites, b, numbers,
                          f"cannot offer cipher suites {cipher_suites!r}")
        if groups is not None:
            numbers = [_number(g, GROUPS, "group") for g in groups]
            _set_u16_list(_lib.oxtls_config_builder_set_groups, b, numbers,
                          f"cannot offer groups {groups!r}")
        if self.alpn:
            names = [p.encode("ascii") if isinstance(p, str) else bytes(p) for p in self.alpn]
            array = (ctypes.c_char_p * len(names))(*names)
            _check(
                _lib.oxtls_config_builder_set_alpn_protocols(b, array, len(names)),
                f"cannot offer ALPN {self.alpn!r}",
            )
        _check(_lib.oxtls_config_builder_set_enable_sni(b, bool(enable_sni)), "enable_sni")
        if max_fragment_size is not None:
            _check(
                _lib.oxtls_config_builder_set_max_fragment_size(b, max_fragment_size),
                f"max_fragment_size {max_fragment_size}",
            )
        if self.verify:
            self._load_roots(b, cafile, cadata, system_roots)
        else:
            _check(_lib.oxtls_config_builder_dangerous_disable_verification(b), "verify=False")
        if verify_callback is not None:
            self._verify_thunk = _native.VERIFY_CALLBACK(self._make_verify(verify_callback))
            _check(_lib.oxtls_config_builder_set_verify_callback(b, self._verify_thunk, None),
                   "verify_callback")
        if log_callback is not None:
            self._log_thunk = _native.LOG_CALLBACK(_make_log(log_callback))
            _check(_lib.oxtls_config_builder_set_log_callback(b, self._log_thunk, None),
                   "log_callback")

    @staticmethod
    def _load_roots(b, cafile, cadata, system_roots):
        if cafile is not None:
            path = os.fsencode(cafile)
            _check(
                _lib.oxtls_config_builder_load_roots_file(b, path),
                f"cannot load root certificates from {os.fsdecode(path)!r}",
            )
        if cadata is not None:
            # PEM is any str, or bytes with a BEGIN line anywhere: bundles
            # such as certifi's start with "# Issuer:" comment lines (in
            # UTF-8), which the PEM reader skips.
            if isinstance(cadata, str):
                data, pem = cadata.encode("utf-8"), True
            else:
                data = bytes(cadata)
                pem = b"-----BEGIN" in data
            if pem:
                rc = _lib.oxtls_config_builder_add_roots_pem(b, data, len(data))
            else:
                rc = _lib.oxtls_config_builder_add_root_der(b, data, len(data))
            _check(rc, "cannot use cadata")
        if system_roots:
            rc = _lib.oxtls_config_builder_load_system_roots(b)
            have_others = cafile is not None or cadata is not None
            if not (rc == Result.ERR_NO_ROOT_CERTIFICATES and have_others):
                _check(rc, "cannot load the system's root certificates")

    def _make_verify(self, callback):
        failures = self._callback_failures

        def verify(_userdata, server_name, chain, chain_len, verdict):
            try:
                ders = [ctypes.string_at(chain[i].data, chain[i].len) for i in range(chain_len)]
                error = None if verdict == Result.OK else make_error(verdict)
                keep = callback(server_name.decode("utf-8"), ders, error)
                return int(Result.OK if keep else Result.ERR_CERT_APPLICATION_VERIFICATION_FAILURE)
            except BaseException as exc:  # refuse, and report it with the handshake's error
                failures.last = exc
                return int(Result.ERR_CERT_APPLICATION_VERIFICATION_FAILURE)

        return verify

    def _take_callback_failure(self):
        """The exception the verify callback raised on this thread, if any."""
        exc = getattr(self._callback_failures, "last", None)
        self._callback_failures.last = None
        return exc

    @property
    def handle(self):
        """The ``const oxtls_config *``, valid only until :meth:`close`;
        code that may race a close on another thread uses :meth:`_borrow`."""
        if self._handle is None:
            raise ValueError("this Config is closed")
        return self._handle

    @contextlib.contextmanager
    def _borrow(self):
        """The ``const oxtls_config *`` for the duration of a block (a C
        call), kept alive however :meth:`close` is called meanwhile: from
        another thread, or from a callback inside that call. Such a close
        marks the Config closed at once and the block's end frees it; a
        block never waits for another, so connections are still made in
        parallel. Raises ValueError if the Config is already closed."""
        with self._lock:
            if self._handle is None:
                raise ValueError("this Config is closed")
            self._users += 1
            handle = self._handle
        try:
            yield handle
        finally:
            with self._lock:
                self._users -= 1
                last = self._handle is None and self._users == 0
            if last:
                self._finalizer()

    @property
    def closed(self):
        return self._handle is None

    def close(self):
        """Releases this object's reference to the C config. Connections
        made from it keep working. Idempotent, safe from any thread at any
        time (a connection being made meanwhile either gets the config or
        raises ValueError); also done on collection."""
        with self._lock:
            self._handle = None
            free = self._users == 0
        # weakref.finalize runs its function at most once, whoever calls.
        if free and self._finalizer is not None:
            self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        state = "closed" if self.closed else ("verify" if self.verify else "NO VERIFICATION")
        return f"<oxtls.Config {state} alpn={self.alpn!r}>"

    # ---- ssl.SSLContext look-alike, for http.client and urllib ----------

    @property
    def verify_mode(self):
        return _CERT_REQUIRED if self.verify else _CERT_NONE

    @property
    def check_hostname(self):
        return self.verify

    @check_hostname.setter
    def check_hostname(self, value):
        # oxtls checks the name whenever it verifies, and cannot do one
        # without the other.
        if bool(value) != self.verify:
            raise ValueError(
                f"oxtls checks the host name exactly when it verifies certificates "
                f"(verify={self.verify}); check_hostname={value!r} cannot be honoured"
            )

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True,
                    suppress_ragged_eofs=False, server_hostname=None, session=None):
        """Like ``ssl.SSLContext.wrap_socket`` for a client: returns a
        :class:`oxtls.TLSSocket` (see :func:`oxtls.wrap_socket`)."""
        from .tlssocket import TLSSocket

        if server_side:
            raise ValueError("oxtls is a TLS client only")
        if session is not None:
            raise ValueError("oxtls does not resume sessions")
        if server_hostname is None:
            raise ValueError("server_hostname is required: it is what the certificate must match")
        return TLSSocket(sock, server_hostname, self,
                         do_handshake_on_connect=do_handshake_on_connect,
                         suppress_ragged_eofs=suppress_ragged_eofs)


def _private(path, flags):
    """open()'s opener for the key log: a file it creates is readable by
    its owner only, since the log decrypts every connection it records."""
    return os.open(path, flags, 0o600)


def _make_keylog(filename):
    # Opened once now, as ssl's keylog_filename is: a path that cannot be
    # written raises here instead of leaving the log silently empty.
    with open(filename, "a", encoding="ascii", opener=_private):
        pass
    lock = threading.Lock()

    def keylog(_userdata, label, client_random, random_len, secret, secret_len):
        try:
            line = "%s %s %s\n" % (
                label.decode("ascii"),
                ctypes.string_at(client_random, random_len).hex(),
                ctypes.string_at(secret, secret_len).hex(),
            )
            with lock, open(filename, "a", encoding="ascii", opener=_private) as f:
                f.write(line)
        except BaseException:  # key logging must never break the connection
            pass

    return keylog


def _make_log(callback):
    def log(_userdata, level, message, length):
        try:
            text = ctypes.string_at(message, length).decode("utf-8", "replace")
            try:
                level = LogLevel(level)
            except ValueError:
                pass
            callback(level, text)
        except BaseException:  # a logger must never break the connection
            pass

    return log
