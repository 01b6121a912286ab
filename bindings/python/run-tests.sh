#!/usr/bin/env bash
# The Python side of `make test` (run by `make python-test`, after it has
# built target/release/liboxtls.so and the test server):
#
# - makes a virtual environment in target/python-venv (once), or, where
#   Python cannot make one (Debian without python3-venv), installs into
#   target/python-site with `pip install --target`;
# - installs pytest if it is missing, and this package with
#   `pip install bindings/python` (afresh each run, so the tests exercise
#   the installed package, not the source tree);
# - runs the tests in bindings/python/tests against the local rustls test
#   server, `openssl s_server` and Python's own ssl module.
#
# Environment: PYTHON (default python3); OXTLS_LIBRARY and
# OXTLS_TEST_SERVER default to what the build leaves in target/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

PYTHON=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1
export OXTLS_LIBRARY=${OXTLS_LIBRARY:-$root/target/release/liboxtls.so}
export OXTLS_TEST_SERVER=${OXTLS_TEST_SERVER:-$root/target/debug/examples/test_server}

for need in "$OXTLS_LIBRARY" "$OXTLS_TEST_SERVER"; do
    [ -e "$need" ] || { echo "run-tests.sh: $need is missing (make build; cargo build --example test_server)" >&2; exit 1; }
done

venv=$root/target/python-venv
site=$root/target/python-site
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    py=("$venv/bin/python")
elif rm -rf "$venv" && "$PYTHON" -m venv "$venv" >/dev/null 2>&1 &&
    "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    py=("$venv/bin/python")
else
    # No venv module (or no ensurepip): the system pip into a directory of our own.
    rm -rf "$venv"
    echo "run-tests.sh: no usable venv; installing into $site" >&2
    mkdir -p "$site"
    export PYTHONPATH=$site${PYTHONPATH:+:$PYTHONPATH}
    py=("$PYTHON")
fi

pip_install() {
    if [ "${py[0]}" = "$PYTHON" ]; then
        "${py[@]}" -m pip install -q --upgrade --target "$site" "$@"
    else
        "${py[@]}" -m pip install -q "$@"
    fi
}

"${py[@]}" -m pytest --version >/dev/null 2>&1 || pip_install pytest

# Build without isolation when setuptools can make a wheel here (no
# download), else let pip fetch the build backend from PyPI.
build_flags=()
if "${py[@]}" -c "import setuptools, wheel" >/dev/null 2>&1 ||
    "${py[@]}" -c "import setuptools.command.bdist_wheel" >/dev/null 2>&1; then
    build_flags=(--no-build-isolation)
fi
# Stale build/ and *.egg-info directories would leak old files into the wheel.
rm -rf bindings/python/build bindings/python/src/oxtls.egg-info
pip_install --no-deps --force-reinstall "${build_flags[@]}" ./bindings/python
rm -rf bindings/python/build bindings/python/src/oxtls.egg-info

# From outside the source tree, so `import oxtls` finds the installed copy.
status=0
(cd "$root/target" && "${py[@]}" -m pytest "$root/bindings/python/tests" \
    -p no:cacheprovider -ra) || status=$?
if [ "$status" -eq 5 ]; then
    # pytest's "no tests collected": the tests went missing, which must
    # not pass as success.
    echo "run-tests.sh: pytest collected no tests in bindings/python/tests" >&2
    exit 1
fi
exit "$status"
