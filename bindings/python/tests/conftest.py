"""Servers for the tests: the repository's rustls test server and
``openssl s_server -www``, both on 127.0.0.1 with the test PKI.

Environment (set by ``run-tests.sh``; defaults suit a checkout where
``cargo build --release`` and ``cargo build --example test_server`` ran):

- ``OXTLS_LIBRARY``: liboxtls.so for the binding (see ``oxtls._native``);
- ``OXTLS_TEST_SERVER``: the test server binary.
"""

import os
import shutil
import subprocess
import sys
import time

import pytest

from tlspeers import REPO

# Without OXTLS_LIBRARY, use the library built in this checkout if any.
if "OXTLS_LIBRARY" not in os.environ:
    _built = REPO / "target" / "release" / "liboxtls.so"
    if _built.exists():
        os.environ["OXTLS_LIBRARY"] = str(_built)


class Server:
    """A server process, the port it listens on and where its PKI is."""

    def __init__(self, process, port, pki):
        self.process = process
        self.port = port
        self.pki = pki

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _start(argv, logs, name, prefix):
    """Starts a server whose stdout and stderr go to files (a pipe nobody
    reads could fill and stall it) and waits, 20 s at most, for the stdout
    line starting with `prefix`; returns (process, that line)."""
    out = logs / f"{name}.out"
    err = logs / f"{name}.err"
    with open(out, "w") as out_file, open(err, "w") as err_file:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out_file, stderr=err_file)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for line in out.read_text().splitlines():
            if line.startswith(prefix):
                return process, line.strip()
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    process.wait()
    pytest.fail(f"{name} did not start (exit {process.returncode}): {err.read_text()}",
                pytrace=False)


@pytest.fixture(scope="session")
def test_server(tmp_path_factory):
    """examples/test_server.rs: serves /, /big (1 MiB) and /eof (no
    close_notify); writes ca.pem, other-ca.pem and the server's identity."""
    binary = os.environ.get("OXTLS_TEST_SERVER") or str(
        REPO / "target" / "debug" / "examples" / "test_server"
    )
    if not os.path.exists(binary):
        pytest.fail(
            f"no test server at {binary}: run `cargo build --example test_server` "
            "or set OXTLS_TEST_SERVER",
            pytrace=False,
        )
    pki = tmp_path_factory.mktemp("pki")
    process, line = _start(
        [binary, "--dir", str(pki), "--lifetime", "1200"], pki, "test_server", "listening on "
    )
    server = Server(process, int(line.rsplit(":", 1)[1]), pki)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pki(test_server):
    return test_server.pki


@pytest.fixture(scope="session")
def ca_file(pki):
    return str(pki / "ca.pem")


@pytest.fixture(scope="session")
def other_ca_file(pki):
    return str(pki / "other-ca.pem")


@pytest.fixture(scope="session")
def chain_file(pki):
    """The server's certificate followed by its intermediate, for servers
    that take one file (Python's ssl)."""
    path = pki / "chain.pem"
    path.write_text((pki / "server-cert.pem").read_text() + (pki / "intermediate.pem").read_text())
    return str(path)


def _start_s_server(pki, name, *args):
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed (.ci/run installs it)")
    argv = [
        openssl, "s_server", "-accept", "127.0.0.1:0",
        "-cert", str(pki / "server-cert.pem"),
        "-cert_chain", str(pki / "intermediate.pem"),
        "-key", str(pki / "server-key.pem"),
        *args,
    ]
    # OpenSSL 3 prints "ACCEPT 127.0.0.1:PORT" once it listens.
    process, line = _start(argv, pki, name, "ACCEPT")
    return Server(process, int(line.rsplit(":", 1)[1]), pki)


@pytest.fixture(scope="session")
def s_server(pki):
    """openssl s_server -www (TLS 1.3; answers GET with a status page)."""
    server = _start_s_server(pki, "s_server", "-www")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s_server_tls12(pki):
    """openssl s_server -www limited to TLS 1.2."""
    server = _start_s_server(pki, "s_server_tls12", "-www", "-tls1_2")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s_server_mtls(pki):
    """openssl s_server -www requiring a client certificate that chains to
    ca.pem (the test server writes client-cert.pem and client-key.pem)."""
    server = _start_s_server(pki, "s_server_mtls", "-www", "-Verify", "1",
                             "-CAfile", str(pki / "ca.pem"))
    yield server
    server.stop()


def pytest_report_header(config):
    try:
        import oxtls
    except ImportError as err:
        return f"oxtls: cannot import: {err}"
    return (
        f"oxtls {oxtls.__version__} from {os.path.dirname(oxtls.__file__)}, "
        f"liboxtls {oxtls.library_version()} from {oxtls.library_path} "
        f"(python {sys.version.split()[0]})"
    )
