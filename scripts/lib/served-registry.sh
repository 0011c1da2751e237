# Sourced by scripts that check a served registry from outside (scripts/fuzz-served,
# scripts/check-node-client). Needs VENV (the virtualenv with `registry`) and work (a fresh
# temporary directory). serve_registry starts `registry serve` in test mode on a fresh seeded
# store in $work/data, on a free loopback port, and waits until /readyz answers (90 s at most;
# otherwise it prints the server's log and exits 1); it sets base and server. On EXIT the
# server is stopped and $work removed, whatever happened. Extra REGISTRY_* settings may be
# given as arguments: serve_registry REGISTRY_REQUESTS_PER_MINUTE=1000000.

server=""
stop_registry() {
    local status=$?
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server"
        wait "$server" || true
    fi
    # On a failure, what the database server said goes with it: the directory is removed.
    if [ "$status" -ne 0 ] && [ -f "$work/data/falkordb.log" ]; then
        echo "== the database server's log (last 40 lines) and its crashes:" >&2
        tail -n 40 "$work/data/falkordb.log" >&2
        grep -c "crashed by signal" "$work/data/falkordb.log" >&2 || true
    fi
    rm -rf "$work"
}
trap stop_registry EXIT

serve_registry() {
    local port
    port="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    base="http://127.0.0.1:$port"
    env REGISTRY_ENV=test "$@" \
        "$VENV/bin/registry" serve --data "$work/data" --host 127.0.0.1 --port "$port" \
        >"$work/registry.log" 2>&1 &
    server=$!
    local deadline=$((SECONDS + 90))
    until _registry_ready; do
        if ! kill -0 "$server" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
            echo "$(basename "$0"): registry serve did not become ready; its log:" >&2
            cat "$work/registry.log" >&2
            exit 1
        fi
        sleep 0.5
    done
}

_registry_ready() {
    "$VENV/bin/python" - "$base/readyz" <<'PY'
import sys

import httpx

try:
    sys.exit(httpx.get(sys.argv[1], timeout=1).status_code != 200)
except httpx.TransportError:
    sys.exit(1)
PY
}

# registry_key ROLE: a new API key for ROLE on the served registry's store, on stdout.
registry_key() {
    "$VENV/bin/registry" keys create --role "$1" --label "$(basename "$0")" --data "$work/data" |
        tail -n 1
}
