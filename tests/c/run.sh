#!/usr/bin/env bash
# The C side of `make test` (run by `make c-test`, after it has built the
# libraries, the C programs in target/c and the test server):
#
# - starts the rustls test server (examples/test_server.rs) and
#   `openssl s_server`s (-www, one limited to TLS 1.2, one requiring a
#   client certificate, one taking early data) on 127.0.0.1;
# - runs the C tests twice: under AddressSanitizer + UBSan, and under
#   valgrind --leak-check=full;
# - runs both C examples against the test server and s_server;
# - checks the build: exported symbols, soname, header (C99, C++, docs,
#   every function tested), a static link, and `make install` used by an
#   out-of-tree program through pkg-config.
#
# Prints one line per check and ends with "N passed, N failed" (the C
# tests' own counts included).
set -u
cd "$(dirname "$0")/../.."

RELEASE=target/release
CBUILD=target/c
SERVER=target/debug/examples/test_server
MAKE=${MAKE:-make}
ABI_VERSION=${ABI_VERSION:-0}

work=$(mktemp -d "${TMPDIR:-/tmp}/oxtls-c-tests.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() {
    failed=$((failed + 1))
    echo "FAIL $1"
    shift
    for line in "$@"; do echo "     $line"; done
}

# wait_for_line FILE REGEX: waits (20 s at most) for a matching line in
# FILE and prints it.
wait_for_line() {
    local i
    for i in $(seq 1 200); do
        if grep -m 1 -E "$2" "$1" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    return 1
}

# ---- servers -----------------------------------------------------------

"$SERVER" --dir "$work/pki" --lifetime 1200 >"$work/server.out" 2>"$work/server.err" &
pids+=($!)
line=$(wait_for_line "$work/server.out" '^listening on ') || {
    echo "the test server did not start:"; cat "$work/server.err"; exit 1; }
port=${line##*:}

# start_s_server NAME ARGS...: starts s_server on a port of its choosing
# (OpenSSL 3 prints it) with the test server's identity; sets s_port.
start_s_server() {
    local name=$1 line
    shift
    openssl s_server -accept 127.0.0.1:0 -cert "$work/pki/server-cert.pem" \
        -cert_chain "$work/pki/intermediate.pem" -key "$work/pki/server-key.pem" \
        "$@" </dev/null >"$work/$name.out" 2>"$work/$name.err" &
    pids+=($!)
    line=$(wait_for_line "$work/$name.out" '^ACCEPT ') || {
        echo "openssl s_server ($name) did not start:"; cat "$work/$name.err"; exit 1; }
    s_port=${line##*:}
}
start_s_server s_server -www
openssl_port=$s_port
start_s_server s_server12 -www -tls1_2
openssl12_port=$s_port
# Mutual TLS: requires a client certificate chaining to the test root.
start_s_server s_server_mtls -www -Verify 1 -CAfile "$work/pki/ca.pem"
openssl_mtls_port=$s_port

# An s_server that takes 0-RTT data. -early_data works only in its
# interactive mode, which prints what it receives (to the log the C test
# reads) and stops when its stdin ends: a fifo held open keeps it going.
mkfifo "$work/s_server_early.in"
openssl s_server -accept 127.0.0.1:0 -cert "$work/pki/server-cert.pem" \
    -cert_chain "$work/pki/intermediate.pem" -key "$work/pki/server-key.pem" \
    -tls1_3 -early_data <"$work/s_server_early.in" \
    >"$work/s_server_early.out" 2>"$work/s_server_early.err" &
pids+=($!)
exec 9>"$work/s_server_early.in"
line=$(wait_for_line "$work/s_server_early.out" '^ACCEPT ') || {
    echo "openssl s_server (early data) did not start:"; cat "$work/s_server_early.err"; exit 1; }
openssl_early_port=${line##*:}

# A root directory as c_rehash leaves it, and an empty one.
mkdir -p "$work/pki/hashed" "$work/pki/empty-dir"
cp "$work/pki/ca.pem" "$work/pki/hashed/oxtls-test-ca.pem"
openssl rehash "$work/pki/hashed" 2>/dev/null || c_rehash "$work/pki/hashed" >/dev/null
if ls "$work/pki/hashed/"*.0 >/dev/null 2>&1; then
    pass "hashed root directory made"
else
    fail "hashed root directory made" "no <hash>.0 link in $work/pki/hashed"
fi

export OXTLS_TEST_DIR="$work/pki"
export OXTLS_TEST_PORT=$port
export OXTLS_TEST_OPENSSL_PORT=$openssl_port
export OXTLS_TEST_OPENSSL12_PORT=$openssl12_port
export OXTLS_TEST_OPENSSL_MTLS_PORT=$openssl_mtls_port
export OXTLS_TEST_OPENSSL_EARLY_PORT=$openssl_early_port
export OXTLS_TEST_OPENSSL_EARLY_LOG="$work/s_server_early.out"

# ---- the C tests, twice ------------------------------------------------

# run_c_tests LABEL COMMAND...: runs the C test binary, shows its output,
# and adds its "N passed, N failed" to ours; a non-zero exit with no
# failed test (a sanitizer or valgrind report) counts as one failure.
run_c_tests() {
    local label=$1 log="$work/$1.log" status counts p f
    shift
    timeout 600 "$@" >"$log" 2>&1
    status=$?
    sed 's/^/    /' "$log"
    counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    p=${counts%% passed*}
    f=${counts#*, }
    f=${f%% failed*}
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ -z "$counts" ] || { [ "$status" -ne 0 ] && [ "${f:-0}" -eq 0 ]; }; then
        fail "$label" "exit status $status (see the report above)"
    else
        echo "---- $label: ${p:-0} passed, ${f:-0} failed"
    fi
}

echo "---- C tests under AddressSanitizer and UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_c_tests "C tests (ASan+UBSan)" "$CBUILD/c_tests_asan"

echo "---- C tests under valgrind"
run_c_tests "C tests (valgrind)" valgrind -q --leak-check=full --error-exitcode=1 \
    --suppressions=tests/c/valgrind.supp \
    --track-origins=yes "$CBUILD/c_tests"

# ---- the examples ------------------------------------------------------

# example NAME EXPECTED_STDOUT EXPECTED_STDERR ARGS...: runs an example,
# which must succeed and print both.
example() {
    local name=$1 want_out=$2 want_err=$3 label
    shift 3
    label="$name $*"
    label=${label//$work\//}
    if timeout 60 "$CBUILD/$name" "$@" >"$work/ex.out" 2>"$work/ex.err" &&
        grep -q "$want_out" "$work/ex.out" && grep -q "$want_err" "$work/ex.err"; then
        pass "$label"
    else
        fail "$label" "stderr: $(head -c 300 "$work/ex.err")"
    fi
}

echo "---- examples"
for ex in https_get nonblocking_get; do
    example "$ex" "oxtls test server" "TLSv1.3, TLS_" localhost "$port" / --cafile "$work/pki/ca.pem"
    example "$ex" "oxtls test server" "ALPN http/1.1" 127.0.0.1 "$port" / \
        --cafile "$work/pki/hashed" --alpn http/1.1
    example "$ex" "line 00065535" "TLSv1.3" localhost "$port" /big --cafile "$work/pki/ca.pem"
    example "$ex" "s_server" "TLSv1.3" localhost "$openssl_port" / --cafile "$work/pki/ca.pem"
    # Refused: an unrelated root.
    if ! timeout 60 "$CBUILD/$ex" localhost "$port" / --cafile "$work/pki/other-ca.pem" \
        >"$work/ex.out" 2>"$work/ex.err" && grep -q "trusted root" "$work/ex.err"; then
        pass "$ex refuses an untrusted server"
    else
        fail "$ex refuses an untrusted server" "stderr: $(cat "$work/ex.err")"
    fi
done

# ---- the build ---------------------------------------------------------

echo "---- build checks"
exported=$(nm -D --defined-only "$RELEASE/liboxtls.so" | awk '{print $3}' | sort -u)
others=$(echo "$exported" | grep -v '^oxtls_')
if [ -z "$others" ] && [ "$(echo "$exported" | wc -l)" -gt 40 ]; then
    pass "liboxtls.so exports only oxtls_* ($(echo "$exported" | wc -l) symbols)"
else
    fail "liboxtls.so exports only oxtls_*" "also exported: $(echo "$others" | head -n 5 | tr '\n' ' ')"
fi
# Every exported symbol is declared in the header and the other way round.
declared=$(grep -oE '^[a-z].*\boxtls_[a-z0-9_]+\(' include/oxtls.h |
    grep -oE 'oxtls_[a-z0-9_]+\($' | tr -d '(' | sort -u)
if [ "$declared" = "$exported" ]; then
    pass "header declares exactly the exported functions"
else
    fail "header declares exactly the exported functions" \
        "$(diff <(echo "$declared") <(echo "$exported") | grep '^[<>]' | tr '\n' ' ')"
fi

soname=$(readelf -d "$RELEASE/liboxtls.so" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
if [ "$soname" = "liboxtls.so.$ABI_VERSION" ]; then
    pass "soname is $soname"
else
    fail "soname is liboxtls.so.$ABI_VERSION" "found '$soname'"
fi

undocumented=$(awk '
    /^[a-z].*oxtls_[a-z0-9_]+\(/ { if (prev !~ /\*\/$/) print $0 }
    NF { prev = $0 }' include/oxtls.h)
if [ -z "$undocumented" ]; then
    pass "every function in the header has a doc comment"
else
    fail "every function in the header has a doc comment" "$undocumented"
fi

untested=""
for f in $declared; do
    grep -q "\b$f\b" tests/c/*.c || untested="$untested $f"
done
if [ -z "$untested" ]; then
    pass "every function is called by the C tests"
else
    fail "every function is called by the C tests" "not called:$untested"
fi

if ${CC:-cc} -std=c99 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -x c include/oxtls.h; then
    pass "header compiles as C99"
else
    fail "header compiles as C99"
fi
if "$CBUILD/header_cxx" >"$work/cxx.out" 2>&1; then
    pass "header compiles and works as C++"
else
    fail "header compiles and works as C++" "$(cat "$work/cxx.out")"
fi

if "$CBUILD/link_static" "$port" "$work/pki/ca.pem" >"$work/static.out" 2>&1 &&
    grep -q "oxtls test server" "$work/static.out" &&
    ! ldd "$CBUILD/link_static" | grep -q liboxtls; then
    pass "static link with liboxtls.a and \`make print-static-libs\`"
else
    fail "static link with liboxtls.a" "$(head -c 300 "$work/static.out")"
fi

# Install into a temporary prefix; build an out-of-tree program with
# pkg-config; run it.
prefix="$work/prefix"
if "$MAKE" -s install PREFIX="$prefix" >"$work/install.log" 2>&1; then
    pass "make install PREFIX=..."
else
    fail "make install PREFIX=..." "$(tail -n 5 "$work/install.log")"
fi
if [ -L "$prefix/lib/liboxtls.so" ] && [ -L "$prefix/lib/liboxtls.so.$ABI_VERSION" ] &&
    [ -f "$prefix/lib/liboxtls.a" ] && cmp -s "$prefix/include/oxtls.h" include/oxtls.h; then
    pass "installed libraries, soname links and header"
else
    fail "installed libraries, soname links and header" "$(cd "$prefix" && find . | tr '\n' ' ')"
fi
mkdir -p "$work/outside"
cp tests/c/link_check.c "$work/outside/main.c"
if (
    cd "$work/outside" &&
        export PKG_CONFIG_PATH="$prefix/lib/pkgconfig" &&
        ${CC:-cc} -std=c99 $(pkg-config --cflags oxtls) main.c -o prog $(pkg-config --libs oxtls) &&
        readelf -d prog | grep -q "NEEDED.*liboxtls.so.$ABI_VERSION" &&
        LD_LIBRARY_PATH="$prefix/lib" ./prog "$port" "$work/pki/ca.pem" >out.txt &&
        grep -q "oxtls test server" out.txt
) >"$work/outside.log" 2>&1; then
    pass "out-of-tree program built with pkg-config runs"
else
    fail "out-of-tree program built with pkg-config runs" "$(tail -n 5 "$work/outside.log")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
