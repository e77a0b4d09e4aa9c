#!/usr/bin/env bash
# An e2e check (tests/e2e/run_e2e.sh): the example portal (examples/portal) in a
# real browser against the running gateway. Serves the page from
# http://127.0.0.1:$PORTAL_ORIGIN_PORT (the origin run_e2e.sh lets through CORS),
# then drives Debian's headless chromium with puppeteer-core (portal_check.mjs):
# log in with the admin token, the organization tree, a member search, the
# scorecard, and a refused token. Saves a full-page screenshot to
# ${SCREENSHOT_DIR:-$STATE_DIR}/portal.png.
#
# Needs: chromium (apt) and puppeteer-core under .grassroots/tools, both from
# scripts/install-deps.sh. Environment from run_e2e.sh: GATEWAY, ADMIN_TOKEN_FILE,
# PORTAL_ORIGIN_PORT, STATE_DIR. Optional: CHROMIUM (the browser binary),
# PUPPETEER_DIR (an npm prefix holding puppeteer-core), SCREENSHOT_DIR.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

: "${GATEWAY:?GATEWAY is not set (run this through tests/e2e/run_e2e.sh)}"
: "${ADMIN_TOKEN_FILE:?ADMIN_TOKEN_FILE is not set}"
: "${PORTAL_ORIGIN_PORT:?PORTAL_ORIGIN_PORT is not set}"
: "${STATE_DIR:?STATE_DIR is not set}"

fail() { echo "portal check: $*" >&2; exit 1; }

# The pinned puppeteer-core version lives in one place: install-deps.sh.
version="$(sed -n 's/^PUPPETEER_VERSION="\(.*\)"$/\1/p' "$REPO_ROOT/scripts/install-deps.sh")"
[[ -n $version ]] || fail "no PUPPETEER_VERSION in scripts/install-deps.sh"
export PUPPETEER_DIR="${PUPPETEER_DIR:-${GRASSROOTS_TOOLS_DIR:-$REPO_ROOT/.grassroots/tools}/puppeteer-core-$version}"
[[ -f $PUPPETEER_DIR/node_modules/puppeteer-core/package.json ]] ||
  fail "puppeteer-core $version is not installed at $PUPPETEER_DIR (run scripts/install-deps.sh)"
command -v node >/dev/null || fail "node is missing (run scripts/install-deps.sh)"
export CHROMIUM="${CHROMIUM:-$(command -v chromium || true)}"
[[ -n $CHROMIUM && -x $CHROMIUM ]] || fail "chromium is missing (apt-get install chromium, or scripts/install-deps.sh)"
[[ -s $ADMIN_TOKEN_FILE ]] || fail "no admin token at $ADMIN_TOKEN_FILE"
echo "portal check: $("$CHROMIUM" --version 2>/dev/null | head -n 1), puppeteer-core $version, node $(node --version)"

# The page puts API data in the DOM with textContent only: no innerHTML, no
# document.write, no insertAdjacentHTML in its code (comments may name them).
if grep -HnE 'innerHTML|outerHTML|insertAdjacentHTML|document\.write' "$REPO_ROOT"/examples/portal/*.js |
    grep -vE '^[^:]+:[0-9]+:[[:space:]]*//'; then
  fail "examples/portal inserts HTML from strings (use textContent)"
fi

export SCREENSHOT_DIR="${SCREENSHOT_DIR:-$STATE_DIR}"
mkdir -p "$SCREENSHOT_DIR"
export PORTAL_URL="http://127.0.0.1:$PORTAL_ORIGIN_PORT"

# The static page, on the origin the gateway allows. Bound to loopback only.
server_log="$SCREENSHOT_DIR/portal-http-server.log"
python3 -m http.server "$PORTAL_ORIGIN_PORT" --bind 127.0.0.1 -d "$REPO_ROOT/examples/portal" >"$server_log" 2>&1 &
server_pid=$!
stop_server() {
  if kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap stop_server EXIT

for _ in $(seq 1 50); do   # 10 s at most
  if curl -fsS -o /dev/null --max-time 2 "$PORTAL_URL/index.html" 2>/dev/null; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$server_log" >&2; fail "the page server did not start on $PORTAL_URL"; }
  sleep 0.2
done
curl -fsS -o /dev/null --max-time 2 "$PORTAL_URL/index.html" || fail "the page server does not answer on $PORTAL_URL"

# The browser part is bounded twice: every wait in the script has a timeout,
# and the whole of it is killed after 100 s.
timeout --kill-after=5 100 node "$here/portal_check.mjs"
