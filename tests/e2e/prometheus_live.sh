#!/usr/bin/env bash
# e2e check: Debian's Prometheus on loopback scrapes the running system (every
# service and the gateway, as run_e2e.sh started them) and evaluates the rules
# of deploy/prometheus. Then prometheus_live.py asks it, through its HTTP API,
# for every query of the Grafana dashboard, every recording rule and every
# metric an alert reads: each must return series, so no name is misspelled or
# missing; then the dashboard is drawn from it (scripts/render_dashboard.py).
# Bounded: at most a few minutes, and Prometheus stops with the check.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${PORT_OFFSET:?run by run_e2e.sh}"
prometheus_bin=$(command -v prometheus || true)
if [[ -z $prometheus_bin ]]; then
  echo "prometheus not found: scripts/install-deps.sh installs Debian's prometheus package" >&2
  exit 1
fi
work=$(mktemp -d /tmp/grassroots-prometheus.XXXXXX)
port=$((9090 + PORT_OFFSET))
target() { echo "\"127.0.0.1:$(($1 + PORT_OFFSET))\""; }
cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $REPO_ROOT/deploy/prometheus/grassroots-rules.yaml
scrape_configs:
  - {job_name: org, static_configs: [{targets: [$(target 9464)]}]}
  - {job_name: membership, static_configs: [{targets: [$(target 9465)]}]}
  - {job_name: inspection, static_configs: [{targets: [$(target 9466)]}]}
  - {job_name: reporting, static_configs: [{targets: [$(target 9467)]}]}
  - {job_name: gateway, static_configs: [{targets: [$(target 9470)]}]}
YAML
"$prometheus_bin" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$port" --log.level=warn >"$work/prometheus.log" 2>&1 &
prometheus_pid=$!
stop() {
  kill "$prometheus_pid" 2>/dev/null || true
  wait "$prometheus_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
status=0
python3 "$REPO_ROOT/tests/e2e/prometheus_live.py" --prometheus "http://127.0.0.1:$port" --repo "$REPO_ROOT" \
  --gateway "$GATEWAY" --token-file "$ADMIN_TOKEN_FILE" || status=$?
# The dashboard drawn without Grafana (scripts/render_dashboard.py): every panel
# must draw a series over the minutes Prometheus has scraped, and Chromium must
# take the screenshot. GRASSROOTS_DASHBOARD_OUT keeps the page and the picture.
if [[ $status -eq 0 ]]; then
  out_dir=${GRASSROOTS_DASHBOARD_OUT:-$work}
  mkdir -p "$out_dir"
  python3 "$REPO_ROOT/scripts/render_dashboard.py" --prometheus "http://127.0.0.1:$port" --minutes 3 \
    --html "$out_dir/dashboard.html" --png "$out_dir/dashboard.png" || status=$?
fi
if [[ $status -ne 0 ]]; then
  echo "---- prometheus log ----"
  tail -n 20 "$work/prometheus.log" || true
fi
exit "$status"
