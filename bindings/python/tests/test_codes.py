"""Result codes and exceptions: the binding's list matches oxtls.h, and
each group of codes raises its own class."""

import re

import pytest

import oxtls
from oxtls import errors
from oxtls.codes import code_name

from tlspeers import REPO

HEADER = REPO / "include" / "oxtls.h"


def header_defines():
    if not HEADER.exists():
        pytest.skip(f"{HEADER} is not here (tests run outside the repository)")
    return {
        name: int(value)
        for name, value in re.findall(r"^#define OXTLS_(\w+) (\d+)\s*$", HEADER.read_text(), re.M)
    }


def test_result_codes_match_the_header():
    defines = header_defines()
    codes = {
        name: value
        for name, value in defines.items()
        if name in ("OK", "WOULD_BLOCK", "PLAINTEXT_EMPTY") or name.startswith("ERR_")
    }
    codes.pop("ERR_ALERT_BASE")
    codes.pop("ERR_ALERT_LAST")
    assert {m.name: m.value for m in oxtls.Result} == codes
    assert defines["ERR_ALERT_BASE"] == oxtls.ALERT_BASE
    assert defines["ERR_ALERT_LAST"] == oxtls.ALERT_LAST
    assert {f"LOG_{m.name}": m.value for m in oxtls.LogLevel} == {
        k: v for k, v in defines.items() if k.startswith("LOG_")
    }


def test_versions_agree():
    defines = header_defines()
    header_version = "{VERSION_MAJOR}.{VERSION_MINOR}.{VERSION_PATCH}".format(**defines)
    assert oxtls.library_version() == header_version
    cargo = (REPO / "Cargo.toml").read_text()
    assert f'\nversion = "{oxtls.__version__}"' in cargo


GROUPS = [
    (range(100, 200), oxtls.UsageError),
    (range(200, 300), oxtls.TransportError),
    (range(300, 400), oxtls.ProtocolError),
    (range(400, 500), oxtls.CertificateError),
    (range(500, 756), oxtls.AlertReceived),
    (range(900, 1000), oxtls.InternalError),
]


@pytest.mark.parametrize("code", [m for m in oxtls.Result if m >= 100])
def test_each_code_raises_its_group(code):
    exc = errors.make_error(code)
    expected = next(cls for codes, cls in GROUPS if code in codes)
    assert isinstance(exc, expected)
    assert isinstance(exc, oxtls.Error) and isinstance(exc, OSError)
    assert exc.code == code and exc.name == "OXTLS_" + code.name
    assert exc.message and exc.name in str(exc)


def test_specific_classes():
    assert type(errors.make_error(oxtls.Result.ERR_UNEXPECTED_EOF)) is oxtls.UnexpectedEOF
    alert = errors.make_error(oxtls.Result.ERR_ALERT_HANDSHAKE_FAILURE)
    assert alert.alert == 40 and isinstance(alert, oxtls.ProtocolError)
    # Codes this binding has no name for still land in their group.
    assert isinstance(errors.make_error(150), oxtls.UsageError)
    unnamed_alert = errors.make_error(501)
    assert unnamed_alert.alert == 1 and unnamed_alert.name == "OXTLS_ERR_ALERT_1"
    assert isinstance(errors.make_error(777), oxtls.InternalError)
    assert code_name(12345) == "OXTLS_RESULT_12345"


def test_try_again_statuses_are_not_errors():
    for code in (oxtls.Result.WOULD_BLOCK, oxtls.Result.PLAINTEXT_EMPTY):
        assert not isinstance(errors.make_error(code), oxtls.Error)


def test_detailed_message_is_kept():
    exc = oxtls.CertificateError(oxtls.Result.ERR_CERT_EXPIRED, "certificate expired at X")
    assert exc.message == "certificate expired at X"
    assert str(exc) == "[OXTLS_ERR_CERT_EXPIRED] certificate expired at X"
