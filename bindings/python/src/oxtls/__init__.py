"""oxtls: a TLS 1.3 client (the Rust library liboxtls) for Python.

::

    import socket, oxtls

    config = oxtls.Config(alpn=["http/1.1"])          # the system's roots
    with socket.create_connection(("example.com", 443)) as raw:
        with oxtls.wrap_socket(raw, "example.com", config) as tls:
            tls.sendall(b"GET / HTTP/1.1\\r\\nHost: example.com\\r\\nConnection: close\\r\\n\\r\\n")
            print(tls.version(), tls.cipher(), tls.recv(4096))

- :class:`Config`: what to trust and offer (immutable, shareable).
- :class:`Connection`: one connection, sans-I/O (bytes in, bytes out).
- :func:`wrap_socket` / :class:`TLSSocket`: a Connection over a socket,
  shaped like ``ssl.SSLSocket``; :class:`HTTPSConnection` for http.client.
- :class:`Error` and its subclasses: failures, by kind (see ``errors``).

The shared library is found through ``$OXTLS_LIBRARY``, the package's
directory, or the system linker path (see ``_native``).
"""

from . import _native
from .codes import ALERT_BASE, ALERT_LAST, LogLevel, Result
from .config import GROUPS, Config
from .connection import Connection
from .errors import (
    AlertReceived,
    CertificateError,
    Error,
    InternalError,
    ProtocolError,
    TransportError,
    UnexpectedEOF,
    UsageError,
    WantReadError,
    WantWriteError,
)
from .httpclient import HTTPSConnection
from .tlssocket import TLSSocket, default_config, wrap_socket

__version__ = "0.1.0"

__all__ = [
    "ALERT_BASE", "ALERT_LAST", "GROUPS", "AlertReceived", "CertificateError", "Config",
    "Connection", "Error", "HTTPSConnection", "InternalError", "LogLevel", "ProtocolError",
    "Result", "TLSSocket", "TransportError", "UnexpectedEOF", "UsageError", "WantReadError",
    "WantWriteError", "default_config", "library_path", "library_version", "wrap_socket",
]

#: Where the loaded liboxtls came from.
library_path = _native.library_path


def library_version():
    """The loaded library's version, "MAJOR.MINOR.PATCH"."""
    return _native.lib.oxtls_version().decode("ascii")
