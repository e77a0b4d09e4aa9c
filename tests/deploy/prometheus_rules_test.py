#!/usr/bin/env python3
"""The Prometheus rules (deploy/prometheus): promtool checks them and runs their
unit tests, every alert has a severity and a runbook that exists, and every
runbook page is listed in docs/runbooks/README.md."""
import argparse
import pathlib
import shutil
import subprocess
import sys

import yaml


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True)
    args = parser.parse_args()
    repo = pathlib.Path(args.repo).resolve()
    rules_dir = repo / "deploy" / "prometheus"
    promtool = shutil.which("promtool")
    if promtool is None:
        print("promtool not found: scripts/install-deps.sh installs Debian's prometheus package", file=sys.stderr)
        return 1
    rule_files = sorted(rules_dir.glob("*.yaml"))
    test_files = sorted((rules_dir / "tests").glob("*.yaml"))
    if not rule_files or not test_files:
        print(f"no rules or no tests under {rules_dir}", file=sys.stderr)
        return 1
    failures = []
    for command in ([promtool, "check", "rules", *map(str, rule_files)],
                    [promtool, "test", "rules", *map(str, test_files)]):
        done = subprocess.run(command, cwd=rules_dir, capture_output=True, text=True)
        print(done.stdout, end="")
        if done.returncode != 0:
            failures.append(f"{' '.join(command[1:3])} failed:\n{done.stdout}{done.stderr}")

    runbook_index = (repo / "docs" / "runbooks" / "README.md").read_text(encoding="utf-8")
    tested = set()
    for test_file in test_files:
        for test in yaml.safe_load(test_file.read_text(encoding="utf-8"))["tests"]:
            for case in test.get("alert_rule_test", []):
                tested.add(case["alertname"])
    alerts = 0
    for rule_file in rule_files:
        for group in yaml.safe_load(rule_file.read_text(encoding="utf-8"))["groups"]:
            for rule in group["rules"]:
                if "alert" not in rule:
                    continue
                alerts += 1
                name = rule["alert"]
                if rule.get("labels", {}).get("severity") not in ("page", "ticket"):
                    failures.append(f"{name}: severity must be page or ticket")
                runbook = rule.get("annotations", {}).get("runbook_url", "")
                if not runbook or not (repo / runbook).is_file():
                    failures.append(f"{name}: runbook_url {runbook!r} is not a file of the repository")
                elif pathlib.Path(runbook).name not in runbook_index:
                    failures.append(f"{name}: {runbook} is not listed in docs/runbooks/README.md")
                if name not in runbook_index:
                    failures.append(f"{name} is not named in docs/runbooks/README.md")
                if name not in tested:
                    failures.append(f"{name} has no unit test in deploy/prometheus/tests")
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"prometheus rules: {alerts} alerts, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
