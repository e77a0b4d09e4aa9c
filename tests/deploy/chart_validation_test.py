#!/usr/bin/env python3
"""Validates the rendered helm/grassroots chart (issue 14) three ways, in several
configurations (defaults, the gateway with its Ingress, TLS everywhere, and
deploy/values-province.example.yaml):

1. Kubernetes API schemas of the oldest and newest Kubernetes releases obtainable
   (kubernetes-models from npm, one package per release: KUBERNETES_RELEASES), with
   unknown fields refused where the package allows it (k8s_schema_validate.mjs);
2. checkov's Kubernetes policies, enforced here by their CKV ids (checkov itself is on
   PyPI only, which neither CI nor development machines reach), with an explicit,
   reasoned exemption list; an exemption that no longer matches anything fails too;
3. yamllint (deploy/yamllint.yaml) on every render, the chart's values files and the
   Prometheus rules.

Each policy is also shown to fire: a broken copy of a rendered object must be flagged.

Usage: chart_validation_test.py --repo <checkout> [--helm <path>]
helm and the schema packages come from scripts/install-deps.sh (.grassroots/tools).
"""
import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helm_chart_test import SECRET_NAME, find_helm, run  # noqa: E402  (same directory)

# (Kubernetes release, kubernetes-models version generated from its OpenAPI, whether the
# package registers plain JSON schemas that can be closed to unknown fields). From the
# package's changelog: 4.0.0 moved to v1.25.2 (4.1.0 regenerated it with enums), 4.3.0 to
# v1.27.1, 4.5.0 to v1.33.0, 5.0.0 to v1.36.0 (5.1.0 is the only 5.x release served).
# 4.4 and later ship precompiled validators: types, formats, enums and required fields are
# checked, unknown fields are not. Unknown fields are caught at the oldest release, which
# is enough: a field of a GA API is never removed, so a field that exists in 1.25 exists
# in every later release, whose validators then check its type.
# Keep in step with KUBERNETES_MODELS_VERSIONS in scripts/install-deps.sh.
KUBERNETES_RELEASES = (
    ("1.25.2", "4.1.0", True),
    ("1.27.1", "4.3.1", True),
    ("1.33.0", "4.5.1", False),
    ("1.36.0", "5.1.0", False),
)
# Custom resources, not part of Kubernetes' API schema (the chart renders ServiceMonitor and
# PrometheusRule only when the cluster serves them; tests/deploy/helm_chart_test.py checks
# their content).
CUSTOM_RESOURCE_GROUPS = ("monitoring.coreos.com/",)
# Every kind the chart renders. A new kind fails the test until the policies below cover it.
KNOWN_KINDS = {"ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Ingress", "NetworkPolicy",
               "PodDisruptionBudget", "PrometheusRule", "Service", "ServiceAccount", "ServiceMonitor"}
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
# CKV_K8S_21 looks at these kinds (checkov's DefaultNamespace).
NAMESPACED_KINDS = {"Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "ReplicationController", "Job",
                    "CronJob", "Service", "Secret", "ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Ingress"}
# A variable that holds a secret by its name's last word (GRASSROOTS_DB_PASSWORD, ..._SIGNING_KEY).
SECRET_LIKE_NAME = re.compile(r"(PASSWORD|SECRET|TOKEN|KEY|KEYRING|CREDENTIALS?)$", re.IGNORECASE)
TEST_DIGEST = "sha256:" + "4" * 64

# The checkov policies the chart does not meet on purpose: id -> why.
EXEMPTIONS = {
    "CKV_K8S_11": "No CPU limit: a CFS quota throttles a latency-bound gRPC server even while the node has idle "
                  "cores (p99 latency is an SLO, deploy/prometheus). CPU requests reserve the share and drive the "
                  "HPA; memory is limited (CKV_K8S_13).",
    "CKV_K8S_15": "imagePullPolicy IfNotPresent: images are pulled by an immutable release tag (\"latest\" is "
                  "refused by values.schema.json, CKV_K8S_14) or by digest (image.digest), so Always would not "
                  "change what runs; it would make every pod start, rescheduling included, depend on the registry.",
    "CKV_K8S_43": "Digest pinning is supported (image.digest, gateway.image.digest; the TLS render here uses it and "
                  "passes) but cannot be the default: the chart cannot know the digest of an image built after it. "
                  "The default is the chart's immutable release tag.",
}


def pod_spec(obj):
    spec = obj.get("spec") or {}
    if obj["kind"] == "Pod":
        return spec
    if obj["kind"] == "CronJob":
        return spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec", {})
    return spec.get("template", {}).get("spec", {})


def pod_labels(obj):
    if obj["kind"] == "Pod":
        return obj["metadata"].get("labels", {})
    return obj.get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {})


def containers(obj):
    spec = pod_spec(obj)
    return spec.get("initContainers", []) + spec.get("containers", [])


def image_digest(image):
    return image.partition("@")[2]


def image_tag(image):
    name = image.partition("@")[0]
    last = name.rsplit("/", 1)[-1]
    return last.partition(":")[2]


def effective(container, pod, key):
    """A security setting as Kubernetes applies it: the container's, else the pod's."""
    value = (container.get("securityContext") or {}).get(key)
    return (pod.get("securityContext") or {}).get(key) if value is None else value


def capabilities(container):
    caps = (container.get("securityContext") or {}).get("capabilities") or {}
    return set(caps.get("add") or []), set(caps.get("drop") or [])


def seccomp_runtime_default(container, pod):
    profile = effective(container, pod, "seccompProfile") or {}
    return profile.get("type") == "RuntimeDefault"


def env_secret_refs(container):
    refs = [item["name"] for item in container.get("env", []) if "secretKeyRef" in (item.get("valueFrom") or {})]
    refs += [source["secretRef"].get("name") for source in container.get("envFrom", []) if "secretRef" in source]
    return refs


def literal_secret_env(container):
    """Secret-like variables given a literal value; a *_FILE variable names a mounted file instead."""
    return [item["name"] for item in container.get("env", [])
            if SECRET_LIKE_NAME.search(item["name"]) and "value" in item and not item["name"].endswith("_FILE")]


def selected_by(policy, obj):
    if policy["metadata"].get("namespace") != obj["metadata"].get("namespace"):
        return False
    selector = policy.get("spec", {}).get("podSelector", {})
    if selector.get("matchExpressions"):
        return False  # not used by the chart; counted as not selecting rather than guessed
    labels = pod_labels(obj)
    return all(labels.get(key) == value for key, value in (selector.get("matchLabels") or {}).items())


# Container policies: id -> (checkov's title, predicate(container, pod spec) true when compliant).
CONTAINER_POLICIES = {
    "CKV_K8S_8": ("Liveness Probe Should be Configured", lambda c, p: bool(c.get("livenessProbe"))),
    "CKV_K8S_9": ("Readiness Probe Should be Configured", lambda c, p: bool(c.get("readinessProbe"))),
    "CKV_K8S_10": ("CPU requests should be set", lambda c, p: bool((c.get("resources") or {}).get("requests", {}).get("cpu"))),
    "CKV_K8S_11": ("CPU limits should be set", lambda c, p: bool((c.get("resources") or {}).get("limits", {}).get("cpu"))),
    "CKV_K8S_12": ("Memory requests should be set",
                   lambda c, p: bool((c.get("resources") or {}).get("requests", {}).get("memory"))),
    "CKV_K8S_13": ("Memory limits should be set",
                   lambda c, p: bool((c.get("resources") or {}).get("limits", {}).get("memory"))),
    "CKV_K8S_14": ("Image Tag should be fixed - not latest or blank",
                   lambda c, p: bool(image_digest(c["image"])) or image_tag(c["image"]) not in ("", "latest")),
    "CKV_K8S_15": ("Image Pull Policy should be Always", lambda c, p: c.get("imagePullPolicy") == "Always"),
    "CKV_K8S_16": ("Container should not be privileged",
                   lambda c, p: not (c.get("securityContext") or {}).get("privileged", False)),
    "CKV_K8S_20": ("Containers should not run with allowPrivilegeEscalation",
                   lambda c, p: (c.get("securityContext") or {}).get("allowPrivilegeEscalation") is False),
    "CKV_K8S_22": ("Use read-only filesystem for containers where possible",
                   lambda c, p: (c.get("securityContext") or {}).get("readOnlyRootFilesystem") is True),
    "CKV_K8S_23": ("Minimize the admission of root containers",
                   lambda c, p: effective(c, p, "runAsNonRoot") is True),
    "CKV_K8S_25": ("Minimize the admission of containers with added capability", lambda c, p: not capabilities(c)[0]),
    "CKV_K8S_26": ("Do not specify hostPort unless absolutely necessary",
                   lambda c, p: not any(port.get("hostPort") for port in c.get("ports", []))),
    "CKV_K8S_28": ("Minimize the admission of containers with the NET_RAW capability",
                   lambda c, p: bool(capabilities(c)[1] & {"ALL", "NET_RAW"}) and "NET_RAW" not in capabilities(c)[0]),
    "CKV_K8S_30": ("Apply security context to your containers", lambda c, p: bool(c.get("securityContext"))),
    "CKV_K8S_31": ("Ensure that the seccomp profile is set to docker/default or runtime/default",
                   seccomp_runtime_default),
    "CKV_K8S_35": ("Prefer using secrets as files over secrets as environment variables",
                   lambda c, p: not env_secret_refs(c)),
    "CKV_K8S_37": ("Minimize the admission of containers with capabilities assigned",
                   lambda c, p: "ALL" in capabilities(c)[1] and not capabilities(c)[0]),
    "CKV_K8S_39": ("Do not use the CAP_SYS_ADMIN linux capability",
                   lambda c, p: not capabilities(c)[0] & {"SYS_ADMIN", "CAP_SYS_ADMIN"}),
    "CKV_K8S_40": ("Containers should run as a high UID to avoid host conflict",
                   lambda c, p: (effective(c, p, "runAsUser") or 0) >= 10000),
    "CKV_K8S_43": ("Image should use digest", lambda c, p: bool(image_digest(c["image"]))),
    # Not a checkov id: its secrets scanner looks for values, this looks for names.
    "no-literal-secret-env": ("Secret-like environment variables name a mounted file (*_FILE), never hold the value",
                              lambda c, p: not literal_secret_env(c)),
}

# Pod policies: id -> (title, predicate(pod spec) true when compliant).
POD_POLICIES = {
    "CKV_K8S_17": ("Containers should not share the host process ID namespace", lambda p: not p.get("hostPID")),
    "CKV_K8S_18": ("Containers should not share the host IPC namespace", lambda p: not p.get("hostIPC")),
    "CKV_K8S_19": ("Containers should not share the host network namespace", lambda p: not p.get("hostNetwork")),
    "CKV_K8S_27": ("Do not expose the docker daemon socket to containers",
                   lambda p: not any("docker.sock" in (v.get("hostPath") or {}).get("path", "") for v in p.get("volumes", []))),
    "CKV_K8S_29": ("Apply security context to your pods and containers", lambda p: bool(p.get("securityContext"))),
    "CKV_K8S_38": ("Ensure that Service Account Tokens are only mounted where necessary",
                   lambda p: p.get("automountServiceAccountToken") is False),
    # Not a checkov id (CKV_K8S_27 only looks for the docker socket): no host directory at all.
    "no-hostPath": ("No hostPath volumes", lambda p: not any("hostPath" in v for v in p.get("volumes", []))),
    # checkov's CKV_K8S_41 asks that the namespace's "default" ServiceAccount not mount its token;
    # the chart's pods never run under it, so that account does not matter to them.
    "CKV_K8S_41": ("Ensure that default service accounts are not actively used",
                   lambda p: p.get("serviceAccountName", "default") != "default"),
}


def check_policies(objects):
    """Findings (policy id, object, detail) and, per policy id, how many objects it evaluated."""
    findings, evaluated = [], {}

    def evaluate(policy_id, where, compliant, detail=""):
        evaluated[policy_id] = evaluated.get(policy_id, 0) + 1
        if not compliant:
            findings.append((policy_id, where, detail))

    policies = [obj for obj in objects if obj["kind"] == "NetworkPolicy"]
    for obj in objects:
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        if obj["kind"] not in KNOWN_KINDS:
            evaluate("known-kinds", where, False, "a kind this test has no policies for: add them")
        if obj["kind"] in NAMESPACED_KINDS:
            namespace = obj["metadata"].get("namespace")
            evaluate("CKV_K8S_21", where, namespace not in (None, "default"), f"namespace {namespace}")
        if obj["kind"] == "ServiceAccount" and obj["metadata"]["name"] == "default":
            evaluate("CKV_K8S_41", where, obj.get("automountServiceAccountToken") is False)
        if obj["kind"] == "Ingress":
            snippets = [key for key in (obj["metadata"].get("annotations") or {}) if "snippet" in key]
            evaluate("CKV_K8S_153", where, not snippets, f"annotations {snippets}")
        if obj["kind"] == "ConfigMap":
            keys = [key for key in (obj.get("data") or {}) if SECRET_LIKE_NAME.search(key) and not key.endswith("_FILE")]
            evaluate("no-literal-secret-env", where, not keys, f"keys {keys}")
        if obj["kind"] not in WORKLOAD_KINDS:
            continue
        pod = pod_spec(obj)
        for policy_id, (_, compliant) in POD_POLICIES.items():
            evaluate(policy_id, where, compliant(pod))
        evaluate("CKV2_K8S_6", where, any(selected_by(policy, obj) for policy in policies),
                 "no NetworkPolicy selects its pods")
        for container in containers(obj):
            for policy_id, (_, compliant) in CONTAINER_POLICIES.items():
                evaluate(policy_id, f"{where}/{container['name']}", compliant(container, pod))
    return findings, evaluated


def policy_titles():
    titles = {policy_id: title for policy_id, (title, _) in {**CONTAINER_POLICIES, **POD_POLICIES}.items()}
    titles.update({"CKV_K8S_21": "The default namespace should not be used",
                   "CKV_K8S_153": "Prevent All NGINX Ingress annotation snippets. See CVE-2021-25742",
                   "CKV2_K8S_6": "Minimize the admission of pods which lack an associated NetworkPolicy"})
    return titles


def first_container(obj):
    return pod_spec(obj)["containers"][0]


# One way to break each policy on a copy of a rendered workload: the policy must flag it.
BREAKAGES = {
    "CKV_K8S_8": lambda d: first_container(d).pop("livenessProbe", None),
    "CKV_K8S_9": lambda d: first_container(d).pop("readinessProbe", None),
    "CKV_K8S_10": lambda d: first_container(d)["resources"]["requests"].pop("cpu", None),
    "CKV_K8S_12": lambda d: first_container(d)["resources"]["requests"].pop("memory", None),
    "CKV_K8S_13": lambda d: first_container(d)["resources"]["limits"].pop("memory", None),
    "CKV_K8S_14": lambda d: first_container(d).update(image="registry.example.org/grassroots/grassroots:latest"),
    "CKV_K8S_16": lambda d: first_container(d)["securityContext"].update(privileged=True),
    "CKV_K8S_17": lambda d: pod_spec(d).update(hostPID=True),
    "CKV_K8S_18": lambda d: pod_spec(d).update(hostIPC=True),
    "CKV_K8S_19": lambda d: pod_spec(d).update(hostNetwork=True),
    "CKV_K8S_20": lambda d: first_container(d)["securityContext"].pop("allowPrivilegeEscalation", None),
    "CKV_K8S_21": lambda d: d["metadata"].update(namespace="default"),
    "CKV_K8S_22": lambda d: first_container(d)["securityContext"].update(readOnlyRootFilesystem=False),
    "CKV_K8S_23": lambda d: (pod_spec(d)["securityContext"].pop("runAsNonRoot", None),
                             first_container(d)["securityContext"].pop("runAsNonRoot", None)),
    "CKV_K8S_25": lambda d: first_container(d)["securityContext"]["capabilities"].update(add=["NET_BIND_SERVICE"]),
    "CKV_K8S_26": lambda d: first_container(d)["ports"][0].update(hostPort=8080),
    "CKV_K8S_27": lambda d: pod_spec(d)["volumes"].append({"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}),
    "no-hostPath": lambda d: pod_spec(d)["volumes"].append({"name": "host", "hostPath": {"path": "/etc"}}),
    "CKV_K8S_28": lambda d: first_container(d)["securityContext"]["capabilities"].update(drop=["SYS_TIME"]),
    "CKV_K8S_29": lambda d: pod_spec(d).pop("securityContext", None),
    "CKV_K8S_30": lambda d: first_container(d).pop("securityContext", None),
    "CKV_K8S_31": lambda d: pod_spec(d)["securityContext"].pop("seccompProfile", None),
    "CKV_K8S_35": lambda d: first_container(d)["env"].append(
        {"name": "GRASSROOTS_DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}),
    "CKV_K8S_37": lambda d: first_container(d)["securityContext"]["capabilities"].update(drop=["NET_RAW"]),
    "CKV_K8S_38": lambda d: pod_spec(d).update(automountServiceAccountToken=True),
    "CKV_K8S_39": lambda d: first_container(d)["securityContext"]["capabilities"].update(add=["SYS_ADMIN"]),
    "CKV_K8S_40": lambda d: pod_spec(d)["securityContext"].update(runAsUser=1000),
    "CKV_K8S_41": lambda d: pod_spec(d).update(serviceAccountName="default"),
    "CKV2_K8S_6": lambda d: d["spec"]["template"]["metadata"]["labels"].update(
        {"app.kubernetes.io/component": "unselected"}),
    "no-literal-secret-env": lambda d: first_container(d)["env"].append({"name": "GRASSROOTS_DB_PASSWORD", "value": "x"}),
}


def check_breakages(objects, failures):
    """Each policy flags a copy of a compliant workload broken in its way (and CKV_K8S_153 an Ingress)."""
    workload = next(obj for obj in objects if obj["kind"] == "Deployment")
    others = [obj for obj in objects if obj is not workload]
    baseline = set(check_policies(objects)[0])
    already = {policy_id for policy_id, where, _ in baseline
               if where.startswith(f"{workload['kind']}/{workload['metadata']['name']}")}
    for policy_id, breakage in BREAKAGES.items():
        if policy_id in already:
            continue  # the render itself breaks it, and that finding fails the test
        broken = copy.deepcopy(workload)
        breakage(broken)
        new = [f for f in check_policies(others + [broken])[0] if f not in baseline and f[0] == policy_id]
        if not new:
            failures.append(f"policy {policy_id} does not flag a workload broken for it")
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
               "metadata": {"name": "snippet", "namespace": "grassroots",
                            "annotations": {"nginx.ingress.kubernetes.io/server-snippet": "location / {}"}}}
    if not any(f[0] == "CKV_K8S_153" for f in check_policies([ingress])[0]):
        failures.append("policy CKV_K8S_153 does not flag an Ingress with a snippet annotation")
    untested = set(policy_titles()) - set(BREAKAGES) - set(EXEMPTIONS) - {"CKV_K8S_153"}
    if untested:
        failures.append(f"policies without a breakage proving they fire: {sorted(untested)}")


def render(helm, chart, kubernetes, args):
    result = run([helm, "template", "gr", chart, "--namespace", "grassroots", "--kube-version", kubernetes, *args])
    return result.stdout if result.returncode == 0 else None, result.stderr


def configurations(repo):
    """name -> helm arguments: each configuration the three validations run on."""
    secret = ["--set", f"secrets.existingSecret={SECRET_NAME}", "--set", "auth.issuer=https://id.test.example"]
    monitoring = ["--api-versions", "monitoring.coreos.com/v1"]
    ingress = {"enabled": True, "className": "nginx", "host": "api.example-province.gov.vn", "path": "/",
               "pathType": "Prefix", "tlsSecret": "grassroots-api-tls",
               "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "4m"}}
    return {
        "defaults": [*secret, *monitoring],
        "gateway-ingress": [*secret, "--set-json", f"gateway.ingress={json.dumps(ingress)}",
                            "--set-json", 'gateway.corsAllowedOrigins=["https://portal.example-province.gov.vn"]',
                            "--set", "networkPolicy.egress.restrict=true",
                            "--set-json", 'networkPolicy.egress.databasePeers=[{"ipBlock":{"cidr":"10.0.0.0/8"}}]'],
        "tls": [*secret, *monitoring, "--set", "tls.enabled=true", "--set", "tls.mutual=true",
                "--set", "database.tls.enabled=true", "--set", f"image.digest={TEST_DIGEST}"],
        "province-example": ["-f", os.path.join(repo, "deploy/values-province.example.yaml"), *monitoring],
    }


def validate_schemas(repo, renders, tools_dir, failures):
    node = shutil.which("node")
    if node is None:
        failures.append("node not found: scripts/install-deps.sh installs npm, which brings it")
        return
    releases = []
    for kubernetes, models, _ in KUBERNETES_RELEASES:
        prefix = os.path.join(tools_dir, f"kubernetes-models-{models}")
        if not os.path.isfile(os.path.join(prefix, "node_modules/kubernetes-models/package.json")):
            failures.append(f"kubernetes-models {models} (Kubernetes {kubernetes}) is not installed under {prefix}: "
                            "run scripts/install-deps.sh")
            continue
        documents = [{"source": name, "object": obj} for (name, release), objects in renders.items()
                     if release == kubernetes for obj in objects
                     if not obj["apiVersion"].startswith(CUSTOM_RESOURCE_GROUPS)]
        releases.append({"kubernetes": kubernetes, "dir": prefix, "documents": documents})
    if not releases:
        return
    script = os.path.join(repo, "tests/deploy/k8s_schema_validate.mjs")
    done = subprocess.run([node, script], input=json.dumps({"releases": releases}), capture_output=True, text=True)
    if done.returncode != 0:
        failures.append(f"k8s_schema_validate.mjs failed: {done.stderr.strip()[-2000:]}")
        return
    expected_strict = {kubernetes: strict for kubernetes, _, strict in KUBERNETES_RELEASES}
    for result, sent in zip(json.loads(done.stdout)["releases"], releases):
        kubernetes = result["kubernetes"]
        mode = "strict (unknown fields refused)" if result["strict"] else "types, enums and required fields"
        print(f"schema: Kubernetes {kubernetes} (kubernetes-models {result['models']}, {mode}): "
              f"{len(sent['documents'])} objects, {len(result['errors'])} errors")
        if result["strict"] != expected_strict[kubernetes]:
            failures.append(f"Kubernetes {kubernetes}: expected strict={expected_strict[kubernetes]}, "
                            f"the unknown-field probe says strict={result['strict']}")
        for error in result["errors"]:
            failures.append(f"schema {kubernetes} [{error['source']}] {error['object']}: {error['message']}")


def lint_yaml(repo, rendered_files, failures):
    yamllint = shutil.which("yamllint")
    if yamllint is None:
        failures.append("yamllint not found: scripts/install-deps.sh installs Debian's yamllint")
        return
    config = os.path.join(repo, "deploy/yamllint.yaml")
    sources = ["helm/grassroots/Chart.yaml", "helm/grassroots/values.yaml", "deploy/values-province.example.yaml",
               "deploy/yamllint.yaml"]
    sources += sorted(os.path.relpath(os.path.join(root, name), repo)
                      for root, _, names in os.walk(os.path.join(repo, "deploy/prometheus"))
                      for name in names if name.endswith(".yaml"))
    done = subprocess.run([yamllint, "-c", config, "-f", "parsable", *sources, *rendered_files],
                          cwd=repo, capture_output=True, text=True)
    print(f"yamllint: {len(sources)} source files and {len(rendered_files)} renders")
    if done.returncode != 0:
        failures.extend(f"yamllint: {line}" for line in (done.stdout + done.stderr).splitlines() if line.strip())
    # The configuration still catches what it should: a mis-indented mapping.
    broken = subprocess.run([yamllint, "-c", config, "-"], input="---\na:\n   b: 1\n  c: 2\n",
                            capture_output=True, text=True)
    if broken.returncode == 0:
        failures.append("yamllint with deploy/yamllint.yaml accepts a mis-indented document")


def check_kube_version_claim(chart, failures):
    with open(os.path.join(chart, "Chart.yaml"), encoding="utf-8") as chart_file:
        claim = yaml.safe_load(chart_file).get("kubeVersion", "")
    oldest = KUBERNETES_RELEASES[0][0]
    floor = ">=" + ".".join(oldest.split(".")[:2]) + ".0-0"
    if claim != floor:
        failures.append(f"Chart.yaml kubeVersion {claim!r}: the oldest release validated here is {oldest}, "
                        f"so the claim must be {floor!r} (or validate the older release too)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True)
    parser.add_argument("--helm")
    args = parser.parse_args()
    repo = os.path.abspath(args.repo)
    chart = os.path.join(repo, "helm/grassroots")
    tools_dir = os.environ.get("GRASSROOTS_TOOLS_DIR", os.path.join(repo, ".grassroots/tools"))
    failures = []

    helm = find_helm(repo, args.helm)
    if helm is None:
        print("helm not found: run scripts/install-deps.sh (installs it under .grassroots/tools)", file=sys.stderr)
        return 1
    check_kube_version_claim(chart, failures)

    renders = {}
    rendered_files = []
    with tempfile.TemporaryDirectory(prefix="chart-validation-") as render_dir:
        for kubernetes, _, _ in KUBERNETES_RELEASES:
            for name, helm_args in configurations(repo).items():
                text, err = render(helm, chart, kubernetes, helm_args)
                if text is None:
                    failures.append(f"render {name} for Kubernetes {kubernetes} failed: {err.strip()}")
                    continue
                path = os.path.join(render_dir, f"{name}-{kubernetes}.yaml")
                with open(path, "w", encoding="utf-8") as out:
                    out.write(text)
                rendered_files.append(path)
                renders[(name, kubernetes)] = [obj for obj in yaml.safe_load_all(text) if obj]

        # 1. Kubernetes API schemas.
        validate_schemas(repo, renders, tools_dir, failures)

        # 2. checkov's Kubernetes policies.
        titles = policy_titles()
        found_by_id = {}
        evaluated_by_id = {}
        for (name, kubernetes), objects in renders.items():
            findings, evaluated = check_policies(objects)
            for policy_id, count in evaluated.items():
                evaluated_by_id[policy_id] = evaluated_by_id.get(policy_id, 0) + count
            for policy_id, where, detail in findings:
                found_by_id.setdefault(policy_id, set()).add(name)
                if policy_id not in EXEMPTIONS:
                    failures.append(f"{policy_id} ({titles.get(policy_id, policy_id)}) [{name}, {kubernetes}] "
                                    f"{where} {detail}".rstrip())
        for policy_id in sorted(titles, key=lambda key: (not key.startswith("CKV"), key)):
            state = (f"exempt: {EXEMPTIONS[policy_id]}" if policy_id in EXEMPTIONS
                     else "pass" if policy_id not in found_by_id else "FAIL")
            print(f"policy {policy_id} ({titles[policy_id]}): {evaluated_by_id.get(policy_id, 0)} evaluated; "
                  f"{state}")
            if not evaluated_by_id.get(policy_id):
                failures.append(f"policy {policy_id} evaluated nothing: no configuration renders what it checks")
        for policy_id in EXEMPTIONS:
            if policy_id not in found_by_id:
                failures.append(f"exemption {policy_id} matches no finding any more: remove it")
        if "CKV_K8S_43" in found_by_id and "tls" in found_by_id["CKV_K8S_43"]:
            failures.append("image.digest is set in the tls render but an image there has no digest")
        if renders:
            check_breakages(next(iter(renders.values())), failures)

        # 3. yamllint.
        lint_yaml(repo, rendered_files, failures)

    sys.stdout.flush()
    if failures:
        print(f"{len(failures)} check(s) failed:", file=sys.stderr)
        for failure in failures:
            print(f"  - {failure}", file=sys.stderr)
        return 1
    print("chart validation OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
