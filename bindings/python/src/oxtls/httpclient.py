"""``oxtls.HTTPSConnection``: ``http.client.HTTPSConnection`` over oxtls.

http.client asks its context to ``wrap_socket(sock, server_hostname=...)``
and checks ``verify_mode``/``check_hostname``; a :class:`Config` answers
all three, so ``http.client.HTTPSConnection(host, context=config)`` works
directly. This subclass only supplies a default config offering ALPN
``http/1.1``, as http.client does for its own default context.
"""

import http.client
import socket

from .config import Config


class HTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection whose TLS is oxtls: ``config`` (an
    :class:`oxtls.Config`) defaults to the system's roots and ALPN
    ``http/1.1``."""

    def __init__(self, host, port=None, *, config=None,
                 timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None,
                 blocksize=8192):
        if config is None:
            config = Config(alpn=["http/1.1"])
        super().__init__(host, port, timeout=timeout, source_address=source_address,
                         context=config, blocksize=blocksize)
