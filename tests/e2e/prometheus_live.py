#!/usr/bin/env python3
"""Asks a live Prometheus (prometheus_live.sh) for everything the dashboard and
the alerts read. Standard library only.

- Every query of deploy/grafana/grassroots.json returns series.
- Every recording rule of deploy/prometheus/*.yaml returns series.
- Every alert expression evaluates, and every metric it reads is scraped.
- Metrics that exist only after an event (a failed statement, a certificate
  served) are looked for among the targets' metadata, which Prometheus keeps
  from the HELP and TYPE lines of each scrape.
"""
import argparse
import json
import pathlib
import re
import sys
import time
import urllib.parse
import urllib.request

import yaml

JOBS = {"org", "membership", "inspection", "reporting", "gateway"}
# Metric families served only with TLS on; the e2e system runs without it.
TLS_ONLY = {"tls_certificate_expiry_timestamp_seconds", "tls_certificate_reload_failures_total"}
PROMQL_WORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
    "sum", "min", "max", "avg", "count", "rate", "increase", "deriv", "histogram_quantile", "time", "inf", "nan",
}


def get(base: str, path: str, params: dict) -> dict:
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=10) as reply:
        return json.load(reply)


def query(base: str, expr: str) -> list:
    answer = get(base, "/api/v1/query", {"query": expr})
    if answer.get("status") != "success":
        raise RuntimeError(f"{expr}: {answer}")
    return answer["data"]["result"]


def metric_names(expr: str) -> set:
    """The metric (and recording rule) names an expression reads."""
    text = re.sub(r'"[^"]*"', "", expr)              # label values
    text = re.sub(r"\{[^}]*\}", "", text)              # matchers
    text = re.sub(r"\[[^\]]*\]", "", text)             # ranges
    text = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", text)  # grouping labels
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        token = match.group(0)
        following = text[match.end():].lstrip()
        if token in PROMQL_WORDS or following.startswith("("):
            continue
        names.add(token)
    return names


def traffic(gateway: str, token_file: str) -> None:
    """A few calls through the gateway, so every service has handled some lately."""
    token = pathlib.Path(token_file).read_text().strip()
    for path in ("/v1/organizations/1", "/v1/members:search?query=nguyen&pageSize=3",
                 "/v1/organizations/1/scorecard?scope.year=2025", "/v1/cases?pageSize=3"):
        request = urllib.request.Request(gateway + path, headers={"Authorization": f"Bearer {token}"})
        try:
            urllib.request.urlopen(request, timeout=30).read()
        except Exception as error:  # a refused call is traffic too
            print(f"traffic {path}: {error}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prometheus", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--token-file", required=True)
    args = parser.parse_args()
    repo = pathlib.Path(args.repo)
    base = args.prometheus

    deadline = time.time() + 90
    while True:
        try:
            up = {r["metric"]["job"] for r in query(base, "up == 1")}
            if JOBS <= up:
                break
        except Exception:
            up = set()
        if time.time() > deadline:
            print(f"targets not all up after 90 s: up {sorted(up)}", file=sys.stderr)
            return 1
        time.sleep(1)
    traffic(args.gateway, args.token_file)
    # Several scrapes and rule evaluations after the traffic: until the first
    # recording rule answers (at most a minute), then a few more seconds.
    deadline = time.time() + 60
    while not query(base, "job:grassroots_grpc_errors:ratio_rate5m") and time.time() < deadline:
        time.sleep(1)
    time.sleep(5)

    failures = []
    checked = 0
    dashboard = json.loads((repo / "deploy" / "grafana" / "grassroots.json").read_text(encoding="utf-8"))
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            checked += 1
            if not query(base, target["expr"]):
                failures.append(f"dashboard panel {panel['title']!r}: no series for {target['expr']}")

    metadata = get(base, "/api/v1/targets/metadata", {})["data"]
    families = {entry["metric"] for entry in metadata}
    for rule_file in sorted((repo / "deploy" / "prometheus").glob("*.yaml")):
        for group in yaml.safe_load(rule_file.read_text(encoding="utf-8"))["groups"]:
            for rule in group["rules"]:
                checked += 1
                if "record" in rule:
                    if not query(base, rule["record"]):
                        failures.append(f"recording rule {rule['record']}: no series")
                    continue
                query(base, rule["expr"])  # must evaluate (empty is fine: nothing is wrong)
                for name in sorted(metric_names(rule["expr"])):
                    if name in TLS_ONLY:
                        continue
                    if query(base, f"count({name})") or name in families:
                        continue
                    failures.append(f"alert {rule['alert']}: {name} is neither scraped nor described by any target")
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"prometheus live: {checked} dashboard queries and rules asked of a live Prometheus, {len(failures)} problems"
          f" (not checked without TLS: {', '.join(sorted(TLS_ONLY))})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
