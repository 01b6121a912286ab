"""Finds liboxtls and declares the C functions the binding calls.

Everything here mirrors ``include/oxtls.h``; the rest of the package never
touches ctypes prototypes directly.  The library is looked for, in order:

1. ``$OXTLS_LIBRARY``: the path of the shared library (when it is set and
   cannot be loaded, that is an error: a silent fallback would hide it);
2. the package's own directory (a wheel may ship ``liboxtls.so`` there);
3. the system linker path: ``liboxtls.so.0`` (the soname), ``liboxtls.so``,
   then whatever :func:`ctypes.util.find_library` finds.
"""

import ctypes
import ctypes.util
import os
import sys
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_bool,
    c_char_p,
    c_int,
    c_int32,
    c_size_t,
    c_uint8,
    c_uint16,
    c_uint32,
    c_void_p,
)

# Opaque handles travel as void pointers: ctypes never dereferences them.
config_builder_p = c_void_p
config_p = c_void_p
conn_p = c_void_p
result_t = c_uint32
log_level_t = c_uint32


class Bytes(Structure):
    """``oxtls_bytes``: a borrowed run of bytes."""

    _fields_ = [("data", POINTER(c_uint8)), ("len", c_size_t)]


# int cb(void *userdata, uint8_t *buf, size_t len, size_t *out_n)
READ_CALLBACK = CFUNCTYPE(c_int, c_void_p, POINTER(c_uint8), c_size_t, POINTER(c_size_t))
WRITE_CALLBACK = CFUNCTYPE(c_int, c_void_p, POINTER(c_uint8), c_size_t, POINTER(c_size_t))
VERIFY_CALLBACK = CFUNCTYPE(result_t, c_void_p, c_char_p, POINTER(Bytes), c_size_t, result_t)
LOG_CALLBACK = CFUNCTYPE(None, c_void_p, log_level_t, POINTER(ctypes.c_char), c_size_t)
# void cb(void *userdata, const char *label, const uint8_t *client_random,
#         size_t client_random_len, const uint8_t *secret, size_t secret_len)
KEYLOG_CALLBACK = CFUNCTYPE(
    None, c_void_p, c_char_p, POINTER(c_uint8), c_size_t, POINTER(c_uint8), c_size_t
)

_u8p = POINTER(c_uint8)
_u16p = POINTER(c_uint16)
_sizep = POINTER(c_size_t)

# name: (restype, argtypes), as declared in oxtls.h.
_PROTOTYPES = {
    "oxtls_version": (c_char_p, []),
    "oxtls_version_number": (c_uint32, []),
    "oxtls_config_builder_new": (config_builder_p, []),
    "oxtls_config_builder_free": (None, [config_builder_p]),
    "oxtls_config_builder_set_protocol_versions": (result_t, [config_builder_p, _u16p, c_size_t]),
    "oxtls_config_builder_set_cipher_suites": (result_t, [config_builder_p, _u16p, c_size_t]),
    "oxtls_config_builder_set_groups": (result_t, [config_builder_p, _u16p, c_size_t]),
    "oxtls_config_builder_set_alpn_protocols": (
        result_t,
        [config_builder_p, POINTER(c_char_p), c_size_t],
    ),
    "oxtls_config_builder_set_enable_sni": (result_t, [config_builder_p, c_bool]),
    "oxtls_config_builder_set_max_fragment_size": (result_t, [config_builder_p, c_size_t]),
    "oxtls_config_builder_dangerous_disable_verification": (result_t, [config_builder_p]),
    "oxtls_config_builder_set_verify_callback": (
        result_t,
        [config_builder_p, VERIFY_CALLBACK, c_void_p],
    ),
    "oxtls_config_builder_set_log_callback": (result_t, [config_builder_p, LOG_CALLBACK, c_void_p]),
    "oxtls_config_builder_set_keylog_callback": (
        result_t,
        [config_builder_p, KEYLOG_CALLBACK, c_void_p],
    ),
    "oxtls_config_builder_set_keylog_file": (result_t, [config_builder_p]),
    "oxtls_config_builder_build": (result_t, [config_builder_p, POINTER(config_p)]),
    "oxtls_config_free": (None, [config_p]),
    "oxtls_config_builder_load_roots_file": (result_t, [config_builder_p, c_char_p]),
    "oxtls_config_builder_load_system_roots": (result_t, [config_builder_p]),
    "oxtls_config_builder_add_roots_pem": (result_t, [config_builder_p, c_char_p, c_size_t]),
    "oxtls_config_builder_add_root_der": (result_t, [config_builder_p, c_char_p, c_size_t]),
    "oxtls_config_builder_set_session_cache_size": (result_t, [config_builder_p, c_size_t]),
    "oxtls_config_builder_set_client_cert_pem": (
        result_t,
        [config_builder_p, c_char_p, c_char_p],
    ),
    "oxtls_config_builder_set_client_cert_pem_data": (
        result_t,
        [config_builder_p, c_char_p, c_size_t, c_char_p, c_size_t],
    ),
    "oxtls_conn_new": (result_t, [config_p, c_char_p, POINTER(conn_p)]),
    "oxtls_conn_free": (None, [conn_p]),
    "oxtls_conn_process_new_packets": (result_t, [conn_p]),
    "oxtls_conn_read": (result_t, [conn_p, c_void_p, c_size_t, _sizep]),
    "oxtls_conn_write": (result_t, [conn_p, c_char_p, c_size_t, _sizep]),
    "oxtls_conn_wants_read": (c_bool, [conn_p]),
    "oxtls_conn_wants_write": (c_bool, [conn_p]),
    "oxtls_conn_plaintext_bytes_to_read": (c_size_t, [conn_p]),
    "oxtls_conn_is_handshaking": (c_bool, [conn_p]),
    "oxtls_conn_is_resumed": (c_bool, [conn_p]),
    "oxtls_conn_send_close_notify": (result_t, [conn_p]),
    "oxtls_conn_set_buffer_limit": (result_t, [conn_p, c_size_t]),
    "oxtls_conn_protocol_version": (c_uint16, [conn_p]),
    "oxtls_conn_cipher_suite": (c_uint16, [conn_p]),
    "oxtls_cipher_suite_name": (c_char_p, [c_uint16]),
    "oxtls_protocol_version_name": (c_char_p, [c_uint16]),
    "oxtls_conn_alpn_protocol": (result_t, [conn_p, POINTER(_u8p), _sizep]),
    "oxtls_conn_peer_certificate": (result_t, [conn_p, c_size_t, POINTER(_u8p), _sizep]),
    "oxtls_conn_export_keying_material": (
        result_t,
        [conn_p, c_void_p, c_size_t, c_char_p, c_size_t, c_char_p, c_size_t],
    ),
    "oxtls_conn_last_error": (result_t, [conn_p, c_void_p, c_size_t, _sizep]),
    "oxtls_conn_last_errno": (c_int, [conn_p]),
    "oxtls_conn_read_tls": (result_t, [conn_p, READ_CALLBACK, c_void_p, _sizep]),
    "oxtls_conn_write_tls": (result_t, [conn_p, WRITE_CALLBACK, c_void_p, _sizep]),
    "oxtls_conn_read_tls_fd": (result_t, [conn_p, c_int, _sizep]),
    "oxtls_conn_write_tls_fd": (result_t, [conn_p, c_int, _sizep]),
    "oxtls_result_message": (c_char_p, [result_t]),
    "oxtls_result_is_cert_error": (c_bool, [result_t]),
    "oxtls_result_is_alert": (c_bool, [result_t]),
    "oxtls_result_alert": (c_int32, [result_t]),
    "oxtls_result_is_protocol_error": (c_bool, [result_t]),
    "oxtls_result_is_io_error": (c_bool, [result_t]),
    "oxtls_result_is_misuse": (c_bool, [result_t]),
}


def _candidates():
    """The places to try, in order, as (description, path-or-name)."""
    here = os.path.dirname(os.path.abspath(__file__))
    names = ["liboxtls.so", "liboxtls.so.0"]
    if sys.platform == "darwin":
        names = ["liboxtls.dylib", "liboxtls.0.dylib"]
    for name in names:
        path = os.path.join(here, name)
        if os.path.exists(path):
            yield path
    # dlopen searches LD_LIBRARY_PATH, the rpath and the ld.so cache.
    for name in reversed(names):
        yield name
    found = ctypes.util.find_library("oxtls")
    if found:
        yield found


def _open():
    """Loads the library; raises ImportError saying where it looked."""
    explicit = os.environ.get("OXTLS_LIBRARY")
    if explicit:
        try:
            return ctypes.CDLL(explicit), explicit
        except OSError as err:
            raise ImportError(f"OXTLS_LIBRARY={explicit!r} cannot be loaded: {err}") from err
    tried = []
    for candidate in _candidates():
        try:
            return ctypes.CDLL(candidate), candidate
        except OSError as err:
            tried.append(f"{candidate}: {err}")
    raise ImportError(
        "liboxtls was not found. Set OXTLS_LIBRARY to the path of liboxtls.so, "
        "copy it into the oxtls package directory, or install it where the "
        "system linker finds it (make install). Tried:\n  " + "\n  ".join(tried)
    )


def _declare(lib, path):
    """Sets restype/argtypes on every function; a missing one is an ImportError."""
    for name, (restype, argtypes) in _PROTOTYPES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise ImportError(
                f"{path} has no {name}(): it is older than this binding expects"
            ) from None
        fn.restype = restype
        fn.argtypes = argtypes


lib, library_path = _open()
_declare(lib, library_path)
