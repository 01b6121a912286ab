#!/usr/bin/env bash
# `make demo`: start the local HTTPS test server (examples/test_server.rs,
# a rustls server with a CA made at start), fetch its page with the C
# example examples-c/https_get, verifying the server against that CA, and
# stop the server.
set -eu
cd "$(dirname "$0")/../.."

work=$(mktemp -d "${TMPDIR:-/tmp}/oxtls-demo.XXXXXX")
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

target/debug/examples/test_server --dir "$work" --lifetime 120 >"$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    grep -q '^listening on' "$work/server.out" && break
    sleep 0.1
done
port=$(sed -n 's/^listening on 127.0.0.1://p' "$work/server.out")
[ -n "$port" ] || { echo "demo: the test server did not start" >&2; cat "$work/server.out" >&2; exit 1; }

echo "\$ target/c/https_get localhost $port / --cafile ca.pem --alpn http/1.1"
target/c/https_get localhost "$port" / --cafile "$work/ca.pem" --alpn http/1.1
