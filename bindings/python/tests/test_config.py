"""Config: every option, by number and by name, and the errors of each."""

import ssl

import pytest

import oxtls
from tlspeers import MemoryServer, pump, ssl_server_context


@pytest.fixture(scope="module")
def server_context(chain_file, pki):
    return ssl_server_context(chain_file, str(pki / "server-key.pem"), alpn=["h2", "http/1.1"])


def handshake(config, server_context, name="localhost"):
    conn = oxtls.Connection(config, name)
    pump(conn, MemoryServer(server_context))
    return conn


def test_names_numbers_and_ssl_enums(ca_file, server_context):
    by_name = oxtls.Config(
        ca_file,
        versions=["TLSv1.3"],
        cipher_suites=["TLS_CHACHA20_POLY1305_SHA256"],
        groups=["secp384r1"],
        alpn=["h2"],
    )
    conn = handshake(by_name, server_context)
    assert conn.cipher() == "TLS_CHACHA20_POLY1305_SHA256"
    assert conn.cipher_suite() == 0x1303
    assert conn.alpn_protocol() == b"h2"

    by_number = oxtls.Config(
        ca_file, versions=[ssl.TLSVersion.TLSv1_3], cipher_suites=[0x1302], groups=[0x001D],
        alpn=[b"http/1.1"],
    )
    conn = handshake(by_number, server_context)
    assert conn.cipher() == "TLS_AES_256_GCM_SHA384"
    assert conn.alpn_protocol() == b"http/1.1"


def test_no_common_alpn_protocol(ca_file, server_context):
    # Python's server ignores a client's unknown protocols (no alert).
    conn = handshake(oxtls.Config(ca_file, alpn=["spdy/1"]), server_context)
    assert conn.alpn_protocol() is None


@pytest.mark.parametrize(
    "kwargs,code",
    [
        ({"versions": [0x0301]}, oxtls.Result.ERR_UNSUPPORTED_PROTOCOL_VERSION),
        ({"versions": []}, oxtls.Result.ERR_INVALID_PARAMETER),
        ({"cipher_suites": [0x0005]}, oxtls.Result.ERR_UNSUPPORTED_CIPHER_SUITE),
        ({"groups": [0x0019]}, oxtls.Result.ERR_UNSUPPORTED_GROUP),
        ({"alpn": [""]}, oxtls.Result.ERR_INVALID_PARAMETER),
        ({"alpn": ["x" * 256]}, oxtls.Result.ERR_INVALID_PARAMETER),
        ({"max_fragment_size": 10}, oxtls.Result.ERR_INVALID_PARAMETER),
        # Only TLS 1.2 suites with only TLS 1.3 enabled: nothing can connect.
        ({"versions": ["TLSv1.3"], "cipher_suites": ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]},
         oxtls.Result.ERR_INVALID_CONFIG),
    ],
)
def test_settings_the_library_refuses(ca_file, kwargs, code):
    with pytest.raises(oxtls.UsageError) as info:
        oxtls.Config(ca_file, **kwargs)
    assert info.value.code == code
    assert isinstance(info.value, ValueError)


def test_unknown_names_are_value_errors(ca_file):
    with pytest.raises(ValueError, match="cipher suite"):
        oxtls.Config(ca_file, cipher_suites=["TLS_RSA_WITH_RC4_128_MD5"])
    with pytest.raises(ValueError, match="group"):
        oxtls.Config(ca_file, groups=["ffdhe2048"])
    with pytest.raises(ValueError, match="version"):
        oxtls.Config(ca_file, versions=["SSLv3"])
    with pytest.raises(TypeError):
        oxtls.Config(ca_file, groups=[1.5])


def test_root_sources(ca_file, pki, server_context):
    pem = (pki / "ca.pem").read_text()
    assert handshake(oxtls.Config(cadata=pem, system_roots=False), server_context)
    der = ssl.PEM_cert_to_DER_cert(pem)
    assert handshake(oxtls.Config(cadata=der, system_roots=False), server_context)
    # A directory of hashed roots, as c_rehash leaves it.
    hashed = pki / "hashed"
    hashed.mkdir(exist_ok=True)
    (hashed / "ca.pem").write_text(pem)
    assert handshake(oxtls.Config(str(hashed), system_roots=False), server_context)


def test_cadata_pem_after_comment_lines(pki, server_context):
    """Bundles such as certifi's cacert.pem start with "# Issuer: ..."
    lines, which ssl's cadata takes; they used to be taken for DER (PEM
    was recognised only at the very start) and refused."""
    pem = ("# Issuer: CN=oxtls test CA O=Főtanúsítvány\n# Label: \"test\"\n\n"
           + (pki / "ca.pem").read_text())
    assert handshake(oxtls.Config(cadata=pem, system_roots=False), server_context)
    assert handshake(oxtls.Config(cadata=pem.encode(), system_roots=False), server_context)


def test_root_errors(tmp_path):
    with pytest.raises(oxtls.TransportError) as info:
        oxtls.Config(str(tmp_path / "missing.pem"))
    assert info.value.code == oxtls.Result.ERR_CANNOT_READ_FILE
    assert "missing.pem" in info.value.message

    bad = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"
    with pytest.raises(oxtls.UsageError) as info:
        oxtls.Config(cadata=bad)
    assert info.value.code == oxtls.Result.ERR_BAD_PEM

    with pytest.raises(oxtls.CertificateError) as info:
        oxtls.Config(cadata=b"\x30\x03\x02\x01\x00")  # DER, but no certificate
    assert info.value.code == oxtls.Result.ERR_CERT_BAD_ENCODING

    with pytest.raises(oxtls.UsageError) as info:
        oxtls.Config(system_roots=False)  # verifying, with nothing to trust
    assert info.value.code == oxtls.Result.ERR_NO_ROOT_CERTIFICATES


def test_system_roots_follow_ssl_cert_file(monkeypatch, ca_file, tmp_path, server_context):
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    assert handshake(oxtls.Config(), server_context).version() == "TLSv1.3"


def test_missing_system_roots_are_fine_with_a_cafile(monkeypatch, ca_file, tmp_path):
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "none.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    oxtls.Config(ca_file)  # system_roots=True, none found: the cafile suffices


def test_ssl_context_look_alike(ca_file):
    config = oxtls.Config(ca_file)
    assert config.verify_mode == ssl.CERT_REQUIRED and config.check_hostname
    config.check_hostname = True  # what http.client sets
    with pytest.raises(ValueError):
        config.check_hostname = False
    with pytest.raises(ValueError):
        config.wrap_socket(None, server_side=True)
    with pytest.raises(ValueError):
        config.wrap_socket(None)  # no server_hostname
    unverified = oxtls.Config(verify=False)
    assert unverified.verify_mode == ssl.CERT_NONE and not unverified.check_hostname
    assert "NO VERIFICATION" in repr(unverified)


def test_close_is_idempotent(ca_file):
    with oxtls.Config(ca_file) as config:
        assert not config.closed
    assert config.closed
    config.close()
    with pytest.raises(ValueError):
        oxtls.Connection(config, "localhost")
