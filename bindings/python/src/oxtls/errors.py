"""The exception hierarchy, one class per group of result codes.

::

    OSError
     └── Error                    .code, .name, .message
          ├── UsageError          100-199 (also a ValueError): fix the caller
          ├── TransportError      200-299: the transport, files, buffers
          │    └── UnexpectedEOF  201: closed without close_notify
          ├── ProtocolError       300-399: the peer broke a rule
          │    └── AlertReceived  500-755: the peer sent a fatal alert (.alert)
          ├── CertificateError    400-499 (also a ValueError): certificate refused
          └── InternalError       900-999: a bug or the OS failed us

``Error`` is an ``OSError`` for the same reason ``ssl.SSLError`` is one:
code written for sockets catches ``OSError`` around network calls, and
must see TLS failures there too.  ``CertificateError`` is also a
``ValueError``, as ``ssl.SSLCertVerificationError`` is.

On a non-blocking socket, a :class:`~oxtls.TLSSocket` call that cannot go
on raises ``WantReadError`` or ``WantWriteError``, both ``BlockingIOError``
(as the socket's own would be), and naming the direction to wait for as
``ssl.SSLWantReadError`` and ``ssl.SSLWantWriteError`` do.

The C API's "try again" statuses (``OXTLS_WOULD_BLOCK``,
``OXTLS_PLAINTEXT_EMPTY``) are not errors and never reach users: the
binding turns them into return values (``None`` from ``Connection.read``).
"""

from . import _native
from .codes import Result, code_name

_lib = _native.lib


class Error(OSError):
    """A failure reported by oxtls.

    ``code`` is the ``oxtls_result`` number, ``name`` its header name
    (``"OXTLS_ERR_CERT_UNKNOWN_ISSUER"``) and ``message`` the detailed
    description (the connection's last error when there is one, else the
    library's text for the code).
    """

    def __init__(self, code, message):
        super().__init__(f"[{code_name(code)}] {message}")
        self.code = code
        self.name = code_name(code)
        self.message = message


class UsageError(Error, ValueError):
    """An argument oxtls does not accept, or a call made out of order."""


class TransportError(Error):
    """The transport failed (``errno`` has the OS error for ``OXTLS_ERR_IO``),
    a file could not be read, or a buffer limit was reached."""


class WantReadError(BlockingIOError):
    """A non-blocking TLSSocket call needs the socket to become readable
    (the TLS bytes it waits for have not come): select for reading, then
    call again."""


class WantWriteError(BlockingIOError):
    """A non-blocking TLSSocket call needs the socket to become writable
    (TLS bytes it must send first did not fit): select for writing, then
    call again. Even ``recv`` can raise it."""


class UnexpectedEOF(TransportError):
    """The peer closed the transport without close_notify: what was received
    may have been truncated by an attacker."""


class ProtocolError(Error):
    """The peer broke a rule of TLS, or has nothing in common with us."""


class AlertReceived(ProtocolError):
    """The peer ended the connection with a fatal alert; ``alert`` is its
    number (RFC 8446 §6), such as 40 for handshake_failure."""

    def __init__(self, code, message):
        super().__init__(code, message)
        self.alert = _lib.oxtls_result_alert(code)


class CertificateError(Error, ValueError):
    """The server's certificate was refused: unknown issuer, wrong host name,
    expired, refused by a verify callback, ..."""


class InternalError(Error):
    """A bug in oxtls (a caught panic), no randomness from the OS, or
    another failure the library could not classify."""


class _TryAgain(Exception):
    """``OXTLS_WOULD_BLOCK`` / ``OXTLS_PLAINTEXT_EMPTY`` surfacing where the
    binding did not expect them. Deliberately not an :class:`Error`: if one
    ever reached a user it would be a bug in the binding."""


def error_class(code):
    """The exception class for a failure code, by the C API's own
    classifiers (so codes added to the library later land in the right
    group)."""
    if code == Result.ERR_UNEXPECTED_EOF:
        return UnexpectedEOF
    if _lib.oxtls_result_is_cert_error(code):
        return CertificateError
    if _lib.oxtls_result_is_alert(code):
        return AlertReceived
    if _lib.oxtls_result_is_protocol_error(code):
        return ProtocolError
    if _lib.oxtls_result_is_io_error(code):
        return TransportError
    if _lib.oxtls_result_is_misuse(code):
        return UsageError
    return InternalError


def static_message(code):
    """The library's fixed text for a code."""
    return _lib.oxtls_result_message(code).decode("utf-8", "replace")


def make_error(code, message=None):
    """The exception for ``code``, with ``message`` or the library's text."""
    if code in (Result.WOULD_BLOCK, Result.PLAINTEXT_EMPTY):
        return _TryAgain(code_name(code))
    return error_class(code)(code, message or static_message(code))
