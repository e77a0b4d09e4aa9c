#!/usr/bin/env python3
"""Lints and renders helm/grassroots with a real helm binary and checks the
manifests: probes, security context, resources, secrets only from an existing
Secret, every object kind per enabled service and for the HTTP gateway,
configuration names that the services and the gateway really accept, the
gateway's backends pointing at the chart's own Services, and that bad values
are refused.

Usage: helm_chart_test.py --repo <checkout> [--helm <path>]
helm is looked up in --helm, $GRASSROOTS_HELM, $GRASSROOTS_TOOLS_DIR (default
.grassroots/tools)/helm-*/helm (installed by scripts/install-deps.sh), then PATH.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys

import yaml

FAILURES = []
SECRET_NAME = "grassroots-test-secrets"


def check(condition, message):
    if not condition:
        FAILURES.append(message)
    return condition


def find_helm(repo, explicit):
    candidates = [explicit, os.environ.get("GRASSROOTS_HELM")]
    tools_dir = os.environ.get("GRASSROOTS_TOOLS_DIR", os.path.join(repo, ".grassroots/tools"))
    candidates += sorted(glob.glob(os.path.join(tools_dir, "helm-*/helm")), reverse=True)
    candidates.append(shutil.which("helm"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def render(helm, chart, *args):
    result = run([helm, "template", "gr", chart, "--namespace", "grassroots", *args])
    if result.returncode != 0:
        return None, result.stderr
    docs = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    return docs, result.stderr


def known_env_names(repo):
    """GRASSROOTS_* names the services accept: one per option in common/config/config.cc
    (every service) and per option a service declares in its own services/<name>/main.cc."""
    sources = [os.path.join(repo, "common/config/config.cc")]
    sources += glob.glob(os.path.join(repo, "services/*/main.cc"))
    # The service credential flags every calling service declares.
    sources.append(os.path.join(repo, "services/orgtree/service_token.cc"))
    flags = set()
    for path in sources:
        with open(path, encoding="utf-8") as source:
            flags.update(re.findall(r'"(--[a-z][a-z0-9-]+)"', source.read()))
    return {"GRASSROOTS_" + flag[2:].upper().replace("-", "_") for flag in flags}


def gateway_env_names(repo):
    """GRASSROOTS_* names grassroots-gateway accepts: its options in services/gateway/gateway_app.cc."""
    with open(os.path.join(repo, "services/gateway/gateway_app.cc"), encoding="utf-8") as source:
        flags = set(re.findall(r'"(--[a-z][a-z0-9-]+)"', source.read()))
    return {"GRASSROOTS_" + flag[2:].upper().replace("-", "_") for flag in flags}


def service_executables(repo):
    names = set()
    for path in glob.glob(os.path.join(repo, "services/*/CMakeLists.txt")):
        with open(path, encoding="utf-8") as source:
            names.update(re.findall(r"add_executable\(\s*([A-Za-z0-9_-]+)", source.read()))
    return names


def check_image_leaves_out_demo(repo, executables, services, gateway):
    """The demo generator writes fictional data: deploy/Dockerfile must not ship it, and no
    chart service may run it."""
    check("grassroots-demo" in executables, "services/demo no longer builds grassroots-demo: update this check")
    with open(os.path.join(repo, "deploy/Dockerfile"), encoding="utf-8") as dockerfile:
        text = dockerfile.read().replace("\\\n", " ")
    collects = [line for line in text.splitlines() if re.search(r"find\s+/build/services\b", line)]
    check(bool(collects), "deploy/Dockerfile: no `find /build/services` step collects the binaries")
    for line in collects:
        check("! -name 'grassroots-demo'" in line,
              f"deploy/Dockerfile collects binaries without excluding grassroots-demo: {line.strip()}")
    check(re.search(r"test ! -e /out/bin/grassroots-demo", text) is not None,
          "deploy/Dockerfile does not assert that /out/bin holds no grassroots-demo")
    for name, svc in services.items():
        check(svc.get("binary") != "grassroots-demo", f"chart service {name} runs the demo generator")
    check(gateway.get("binary") != "grassroots-demo", "the chart's gateway runs the demo generator")


def by_kind(docs):
    kinds = {}
    for doc in docs:
        kinds.setdefault(doc["kind"], []).append(doc)
    return kinds


def component(doc):
    return doc["metadata"]["labels"].get("app.kubernetes.io/component")


def check_deployment(deployment, config_data, env_names, executables, secret_name):
    name = deployment["metadata"]["name"]
    pod = deployment["spec"]["template"]["spec"]
    pod_security = pod.get("securityContext", {})
    check(pod_security.get("runAsNonRoot") is True, f"{name}: pod runAsNonRoot must be true")
    check(pod_security.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{name}: seccomp RuntimeDefault")
    check(pod.get("automountServiceAccountToken") is False, f"{name}: service account token must not be mounted")

    drain = int(config_data["GRASSROOTS_DRAIN_DELAY_MS"])
    grace = int(config_data["GRASSROOTS_SHUTDOWN_GRACE_MS"])
    check(pod["terminationGracePeriodSeconds"] * 1000 > drain + grace,
          f"{name}: terminationGracePeriodSeconds must exceed drain + shutdown grace ({drain + grace} ms)")

    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    check(len(pod["containers"]) == 1, f"{name}: one container per pod")
    for container in pod["containers"]:
        where = f"{name}/{container['name']}"
        check(container.get("command", [""])[0] in executables,
              f"{where}: command {container.get('command')} is not an executable built in services/")
        ports = {port["name"]: port["containerPort"] for port in container.get("ports", [])}
        tls = "GRASSROOTS_TLS_CERT_FILE" in config_data
        expected_ports = {"grpc", "metrics", "health"} if tls else {"grpc", "metrics"}
        check(set(ports) == expected_ports, f"{where}: ports must be {sorted(expected_ports)}, got {sorted(ports)}")
        # With TLS the kubelet (which cannot speak TLS to a gRPC probe) calls the plaintext health-only port.
        probe_port = ports.get("health") if tls else ports.get("grpc")
        for probe_name in ("startupProbe", "readinessProbe", "livenessProbe"):
            probe = container.get(probe_name)
            if check(probe is not None, f"{where}: {probe_name} missing"):
                check(probe.get("grpc", {}).get("port") == probe_port,
                      f"{where}: {probe_name} must be a native grpc probe on port {probe_port}")
        if tls:
            check(config_data.get("GRASSROOTS_HEALTH_ADDRESS", "").endswith(f":{ports.get('health')}"),
                  f"{where}: GRASSROOTS_HEALTH_ADDRESS does not match the health port")
        resources = container.get("resources", {})
        check(bool(resources.get("requests", {}).get("cpu")), f"{where}: cpu request missing (HPA needs it)")
        check(bool(resources.get("requests", {}).get("memory")), f"{where}: memory request missing")
        check(bool(resources.get("limits", {}).get("memory")), f"{where}: memory limit missing")
        security = container.get("securityContext", {})
        check(security.get("readOnlyRootFilesystem") is True, f"{where}: readOnlyRootFilesystem must be true")
        check(security.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation must be false")
        check("ALL" in security.get("capabilities", {}).get("drop", []), f"{where}: capabilities must drop ALL")
        check(not security.get("privileged", False), f"{where}: must not be privileged")

        env = {item["name"]: item for item in container.get("env", [])}
        for env_name, item in env.items():
            check(env_name in env_names, f"{where}: {env_name} is not an option of common/config/config.cc or a services/*/main.cc")
            check("SECRET" not in env_name.replace("_FILE", "") or env_name.endswith("_FILE"),
                  f"{where}: {env_name} must come from a file")
            check(env_name != "GRASSROOTS_DB_PASSWORD" and env_name != "GRASSROOTS_PAGE_TOKEN_SECRET",
                  f"{where}: secrets must be mounted files, not env values")
        for required in ("GRASSROOTS_DB_DATABASE", "GRASSROOTS_GRPC_ADDRESS", "GRASSROOTS_METRICS_ADDRESS",
                         "GRASSROOTS_DB_PASSWORD_FILE", "GRASSROOTS_PAGE_TOKEN_SECRET_FILE"):
            check(required in env, f"{where}: env {required} missing")
        check(("GRASSROOTS_AUTH_PUBLIC_KEY_FILE" in env) != ("GRASSROOTS_AUTH_JWKS_FILE" in env),
              f"{where}: exactly one of GRASSROOTS_AUTH_PUBLIC_KEY_FILE and GRASSROOTS_AUTH_JWKS_FILE needed")
        check("GRASSROOTS_AUTH_AUDIENCE" not in env, f"{where}: each service keeps its own audience")
        if "GRASSROOTS_GRPC_ADDRESS" in env:
            check(env["GRASSROOTS_GRPC_ADDRESS"]["value"].endswith(f":{ports.get('grpc')}"),
                  f"{where}: gRPC address does not match the grpc port")
        if "GRASSROOTS_METRICS_ADDRESS" in env:
            check(env["GRASSROOTS_METRICS_ADDRESS"]["value"].endswith(f":{ports.get('metrics')}"),
                  f"{where}: metrics address does not match the metrics port")

        mounts = {mount["mountPath"]: mount for mount in container.get("volumeMounts", [])}
        check("/tmp" in mounts, f"{where}: a writable /tmp is needed with a read-only root")
        secret_files = [value["value"] for key, value in env.items() if key.endswith("_FILE")]
        for path in secret_files:
            mount = next((m for p, m in mounts.items() if path.startswith(p + "/")), None)
            if check(mount is not None, f"{where}: {path} is not on a mounted volume"):
                volume = volumes.get(mount["name"], {})
                secret = volume.get("secret", {})
                check(secret.get("secretName") == secret_name, f"{where}: {path} must come from the existing Secret")
                check(mount.get("readOnly") is True, f"{where}: secret mount must be read-only")
                items = {item["path"] for item in secret.get("items", [])}
                check(os.path.basename(path) in items, f"{where}: {path} has no matching key in the Secret volume")


def check_gateway(deployment, env_names, executables, gateway, services, release, tls, mutual):
    """The gateway's Deployment: HTTP probes, the restricted security context, no Secret and no
    database, and one GRASSROOTS_<NAME>_TARGET per enabled backend naming that service's headless
    Service of this release."""
    name = deployment["metadata"]["name"]
    pod = deployment["spec"]["template"]["spec"]
    pod_security = pod.get("securityContext", {})
    check(pod_security.get("runAsNonRoot") is True, f"{name}: pod runAsNonRoot must be true")
    check(pod_security.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{name}: seccomp RuntimeDefault")
    check(pod.get("automountServiceAccountToken") is False, f"{name}: service account token must not be mounted")
    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    check(set(volumes) <= {"tmp", "tls"}, f"{name}: the gateway keeps no secret, volumes {sorted(volumes)}")
    if not check(len(pod["containers"]) == 1, f"{name}: one container per pod"):
        return
    container = pod["containers"][0]
    where = f"{name}/{container['name']}"
    check(container.get("command") == [gateway["binary"]] and gateway["binary"] in executables,
          f"{where}: command {container.get('command')} must be {gateway['binary']}, built in services/")
    ports = {port["name"]: port["containerPort"] for port in container.get("ports", [])}
    check(ports == {"http": gateway["httpPort"], "metrics": gateway["metricsPort"]},
          f"{where}: ports must be http {gateway['httpPort']} and metrics {gateway['metricsPort']}, got {ports}")

    scheme = "HTTPS" if tls else "HTTP"
    for probe_name, path in (("startupProbe", "/healthz"), ("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        probe = container.get(probe_name)
        if check(probe is not None, f"{where}: {probe_name} missing"):
            http_get = probe.get("httpGet", {})
            check(http_get.get("path") == path and http_get.get("port") in ("http", ports.get("http")),
                  f"{where}: {probe_name} must GET {path} on the http port, got {http_get}")
            check(http_get.get("scheme") == scheme, f"{where}: {probe_name} scheme must be {scheme}")
    # /readyz asks each backend in turn (1 s each at most): the probe must wait for the answer.
    enabled_backends = [b for b in gateway["backends"] if services.get(b, {}).get("enabled")]
    check(container.get("readinessProbe", {}).get("timeoutSeconds", 1) > len(enabled_backends),
          f"{where}: readiness timeout must exceed 1 s per backend ({len(enabled_backends)})")
    pre_stop = ((container.get("lifecycle") or {}).get("preStop") or {}).get("exec", {}).get("command", [])
    if check(len(pre_stop) == 2 and pre_stop[0].endswith("sleep"), f"{where}: preStop must sleep, got {pre_stop}"):
        check(pod["terminationGracePeriodSeconds"] > int(pre_stop[1]),
              f"{name}: terminationGracePeriodSeconds must exceed the preStop sleep")

    resources = container.get("resources", {})
    check(bool(resources.get("requests", {}).get("cpu")), f"{where}: cpu request missing (HPA needs it)")
    check(bool(resources.get("requests", {}).get("memory")), f"{where}: memory request missing")
    check(bool(resources.get("limits", {}).get("memory")), f"{where}: memory limit missing")
    security = container.get("securityContext", {})
    check(security.get("runAsNonRoot") is True or pod_security.get("runAsNonRoot") is True, f"{where}: non-root")
    check(security.get("readOnlyRootFilesystem") is True, f"{where}: readOnlyRootFilesystem must be true")
    check(security.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation must be false")
    check("ALL" in security.get("capabilities", {}).get("drop", []), f"{where}: capabilities must drop ALL")
    check(not security.get("privileged", False), f"{where}: must not be privileged")
    mounts = {mount["mountPath"]: mount for mount in container.get("volumeMounts", [])}
    check("/tmp" in mounts, f"{where}: a writable /tmp is needed with a read-only root")

    # Its own env only: no shared ConfigMap (database settings), nothing it does not accept.
    check("envFrom" not in container, f"{where}: the gateway takes no envFrom (it has no database)")
    env = {item["name"]: item.get("value") for item in container.get("env", [])}
    for env_name in env:
        check(env_name in env_names, f"{where}: {env_name} is not an option of services/gateway/gateway_app.cc")
    check(env.get("GRASSROOTS_HTTP_ADDRESS", "").endswith(f":{ports.get('http')}"),
          f"{where}: GRASSROOTS_HTTP_ADDRESS does not match the http port")
    check(env.get("GRASSROOTS_METRICS_ADDRESS", "").endswith(f":{ports.get('metrics')}"),
          f"{where}: GRASSROOTS_METRICS_ADDRESS does not match the metrics port")
    check(env.get("GRASSROOTS_HTTP_THREADS") == str(gateway["httpThreads"]),
          f"{where}: GRASSROOTS_HTTP_THREADS must be gateway.httpThreads")
    origins = ",".join(gateway.get("corsAllowedOrigins") or [])
    check(env.get("GRASSROOTS_CORS_ALLOWED_ORIGINS", "") == origins,
          f"{where}: GRASSROOTS_CORS_ALLOWED_ORIGINS must be {origins!r}")

    backends = enabled_backends
    targets = {key: value for key, value in env.items() if key.endswith("_TARGET")}
    check(set(targets) == {f"GRASSROOTS_{b.upper()}_TARGET" for b in backends},
          f"{where}: targets {sorted(targets)} must be those of the enabled backends {backends}")
    for backend in backends:
        expected = (f"dns:///{release}-{backend}-headless.grassroots.svc.cluster.local:"
                    f"{services[backend]['grpcPort']}")
        check(targets.get(f"GRASSROOTS_{backend.upper()}_TARGET") == expected,
              f"{where}: the {backend} target must be {expected}, got {targets.get(f'GRASSROOTS_{backend.upper()}_TARGET')}")

    tls_env = {"GRASSROOTS_TLS_CERT_FILE": "/etc/grassroots/tls/tls.crt",
               "GRASSROOTS_TLS_KEY_FILE": "/etc/grassroots/tls/tls.key",
               "GRASSROOTS_PEER_TLS_CA_FILE": "/etc/grassroots/tls/ca.crt"}
    mutual_env = {"GRASSROOTS_PEER_TLS_CERT_FILE": "/etc/grassroots/tls/tls.crt",
                  "GRASSROOTS_PEER_TLS_KEY_FILE": "/etc/grassroots/tls/tls.key"}
    for key, path in {**tls_env, **mutual_env}.items():
        wanted = path if (tls and key in tls_env) or (tls and mutual) else None
        check(env.get(key) == wanted, f"{where}: {key} must be {wanted}, got {env.get(key)}")
    if tls:
        tls_volume = volumes.get("tls", {}).get("secret", {})
        check(tls_volume.get("secretName") == f"{name}-tls", f"{name}: TLS certificate must come from {name}-tls")
        tls_mount = mounts.get("/etc/grassroots/tls", {})
        check(tls_mount.get("name") == "tls" and tls_mount.get("readOnly") is True and "subPath" not in tls_mount,
              f"{name}: the TLS secret must be mounted read-only at /etc/grassroots/tls without subPath (renewals)")


def check_gateway_policy(policy, gateway, services, egress_restricted):
    name = policy["metadata"]["name"]
    spec = policy["spec"]
    http_rules = [rule for rule in spec.get("ingress", []) if {"port": "http", "protocol": "TCP"} in rule.get("ports", [])]
    check(len(http_rules) == (1 if gateway["networkPolicy"]["httpFrom"] else 0) and all(
        rule["from"] == gateway["networkPolicy"]["httpFrom"] for rule in http_rules),
        f"{name}: the http port must be open to gateway.networkPolicy.httpFrom only")
    for rule in spec.get("ingress", []):
        check(all(port["port"] in ("http", "metrics") for port in rule.get("ports", [])),
              f"{name}: only the http and metrics ports may be reached")
    if egress_restricted:
        allowed = {port["port"] for rule in spec.get("egress", []) for port in rule.get("ports", [])}
        wanted = {53} | {services[b]["grpcPort"] for b in gateway["backends"] if services.get(b, {}).get("enabled")}
        check(allowed == wanted, f"{name}: egress ports {sorted(allowed)}, expected DNS and the backends {sorted(wanted)}")


def check_release(docs, expected_components, with_service_monitor, env_names, executables, services,
                  secret_name=SECRET_NAME, gateway=None, gateway_env=frozenset(), tls=False, mutual=False,
                  egress_restricted=False):
    """gateway: the gateway's values when it is enabled (its objects are expected), else None."""
    kinds = by_kind(docs)
    release = "gr-grassroots"
    check("Secret" not in kinds, "the chart must never create a Secret")
    # The services' configuration; a Grafana dashboard, when enabled, is checked by check_monitoring.
    configmaps = [doc for doc in kinds.get("ConfigMap", []) if doc["metadata"]["name"] == f"{release}-config"]
    if not check(len(configmaps) == 1, f"exactly one ConfigMap {release}-config expected"):
        return
    config_data = configmaps[0]["data"]
    check(config_data.get("GRASSROOTS_REFLECTION") == "false", "reflection must be off by default")
    check(config_data.get("GRASSROOTS_AUTH_ISSUER") not in (None, "", "grassroots-dev"),
          "a release names its identity provider's issuer")
    for key in config_data:
        check(key in env_names, f"ConfigMap key {key} is not an option of common/config/config.cc or a services/*/main.cc")

    expected_api = {
        "Deployment": "apps/v1",
        "HorizontalPodAutoscaler": "autoscaling/v2",
        "PodDisruptionBudget": "policy/v1",
        "NetworkPolicy": "networking.k8s.io/v1",
    }
    # The gateway has the services' object kinds (no headless twin, no ConfigMap entry).
    workloads = {**{name: services[name] for name in expected_components}, **({"gateway": gateway} if gateway else {})}
    expected_components = set(workloads)
    autoscaled = {name for name in expected_components if workloads[name]["autoscaling"]["enabled"]}
    # A PDB only where more than one replica is guaranteed (else node drains would block).
    budgeted = {name for name in expected_components if workloads[name]["pdb"]["enabled"] and (
        workloads[name]["autoscaling"]["minReplicas"] if name in autoscaled else workloads[name]["replicaCount"]) > 1}
    expected_for_kind = {"HorizontalPodAutoscaler": autoscaled, "PodDisruptionBudget": budgeted}
    for kind, api in expected_api.items():
        found = {component(doc) for doc in kinds.get(kind, [])}
        expected = expected_for_kind.get(kind, expected_components)
        check(found == expected, f"{kind}: components {sorted(found)}, expected {sorted(expected)}")
        for doc in kinds.get(kind, []):
            check(doc["apiVersion"] == api, f"{kind} {doc['metadata']['name']}: apiVersion {doc['apiVersion']} != {api}")
    service_components = {component(doc) for doc in kinds.get("Service", [])}
    check(service_components == expected_components, f"Service components {sorted(service_components)}")

    monitors = {component(doc) for doc in kinds.get("ServiceMonitor", [])}
    if with_service_monitor:
        check(monitors == expected_components, f"ServiceMonitor components {sorted(monitors)}")
    else:
        check(not monitors, "ServiceMonitor rendered although monitoring.coreos.com/v1 is absent")

    # Calls between services (GRASSROOTS_<X>_TARGET) name a rendered Service and its gRPC port.
    service_ports = {doc["metadata"]["name"]: {port["name"]: port["port"] for port in doc["spec"]["ports"]}
                     for doc in kinds.get("Service", [])}
    for deployment in kinds.get("Deployment", []):
        for item in deployment["spec"]["template"]["spec"]["containers"][0].get("env", []):
            if not item["name"].endswith("_TARGET"):
                continue
            match = re.fullmatch(r"(?:dns:///)?([a-z0-9.-]+):(\d+)", item.get("value", ""))
            where = f"{deployment['metadata']['name']}: {item['name']}={item.get('value')}"
            if check(match is not None, f"{where} is not host:port"):
                host, port = match.group(1).split(".")[0], int(match.group(2))
                check(service_ports.get(host, {}).get("grpc") == port,
                      f"{where} does not name a rendered Service and its gRPC port")

    ingresses = kinds.get("Ingress", [])
    check(len(ingresses) == (1 if gateway and gateway["ingress"]["enabled"] else 0),
          f"Ingress: {len(ingresses)} rendered, expected one only with gateway.ingress.enabled")
    if gateway:
        check(service_ports.get(f"{release}-gateway") == {"http": gateway["httpPort"], "metrics": gateway["metricsPort"]},
              f"gateway Service ports {service_ports.get(f'{release}-gateway')}")

    grpc_ports, metrics_ports = [], []
    for deployment in kinds.get("Deployment", []):
        if component(deployment) == "gateway":
            check_gateway(deployment, gateway_env, executables, gateway, services, release, tls, mutual)
            check("replicas" not in deployment["spec"] or not gateway["autoscaling"]["enabled"],
                  f"{deployment['metadata']['name']}: replicas must be left to the HPA")
            for port in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]:
                (grpc_ports if port["name"] == "http" else metrics_ports).append(port["containerPort"])
            continue
        check_deployment(deployment, config_data, env_names, executables, secret_name)
        check("replicas" not in deployment["spec"] or component(deployment) not in
              {component(hpa) for hpa in kinds.get("HorizontalPodAutoscaler", [])},
              f"{deployment['metadata']['name']}: replicas must be left to the HPA")
        for port in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]:
            if port["name"] in ("grpc", "metrics"):
                (grpc_ports if port["name"] == "grpc" else metrics_ports).append(port["containerPort"])
    check(len(set(grpc_ports + metrics_ports)) == len(grpc_ports + metrics_ports), "ports collide between services")

    for policy in kinds.get("NetworkPolicy", []):
        if component(policy) == "gateway":
            check_gateway_policy(policy, gateway, services, egress_restricted)
        spec = policy["spec"]
        check("Ingress" in spec.get("policyTypes", []), f"{policy['metadata']['name']}: must restrict ingress")
        for rule in spec.get("ingress", []):
            check(bool(rule.get("from")), f"{policy['metadata']['name']}: an ingress rule allows everyone")


def check_tls_release(docs):
    kinds = by_kind(docs)
    config_data = kinds["ConfigMap"][0]["data"]
    for key, path in (("GRASSROOTS_TLS_CERT_FILE", "/etc/grassroots/tls/tls.crt"),
                      ("GRASSROOTS_TLS_KEY_FILE", "/etc/grassroots/tls/tls.key"),
                      ("GRASSROOTS_TLS_CLIENT_CA_FILE", "/etc/grassroots/tls/ca.crt"),
                      ("GRASSROOTS_PEER_TLS_CA_FILE", "/etc/grassroots/tls/ca.crt"),
                      ("GRASSROOTS_DB_TLS_CA_FILE", "/etc/grassroots/secrets/db-ca.pem")):
        check(config_data.get(key) == path, f"TLS: {key} must be {path}, got {config_data.get(key)}")
    check(config_data.get("GRASSROOTS_DB_TLS") == "true", "TLS: GRASSROOTS_DB_TLS must be true")
    for deployment in kinds.get("Deployment", []):
        name = deployment["metadata"]["name"]
        pod = deployment["spec"]["template"]["spec"]
        volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
        tls_volume = volumes.get("tls", {}).get("secret", {})
        check(tls_volume.get("secretName") == f"{name}-tls", f"{name}: TLS certificate must come from {name}-tls")
        check({item["key"] for item in tls_volume.get("items", [])} == {"tls.crt", "tls.key", "ca.crt"},
              f"{name}: the TLS volume must hold tls.crt, tls.key and ca.crt")
        mounts = {mount["mountPath"]: mount for mount in pod["containers"][0].get("volumeMounts", [])}
        tls_mount = mounts.get("/etc/grassroots/tls", {})
        check(tls_mount.get("name") == "tls" and tls_mount.get("readOnly") is True and "subPath" not in tls_mount,
              f"{name}: the TLS secret must be mounted read-only at /etc/grassroots/tls without subPath (renewals)")
        if component(deployment) == "gateway":
            continue  # no database
        secret_items = {item["path"] for item in volumes.get("secrets", {}).get("secret", {}).get("items", [])}
        check("db-ca.pem" in secret_items, f"{name}: the database CA must be mounted from the Secret")
    for monitor in kinds.get("ServiceMonitor", []):
        name = monitor["metadata"]["name"]
        endpoint = monitor["spec"]["endpoints"][0]
        check(endpoint.get("scheme") == "https", f"{name}: metrics must be scraped over HTTPS")
        check(endpoint.get("tlsConfig", {}).get("ca", {}).get("secret", {}).get("name") == f"{name}-tls",
              f"{name}: the scrape must verify the service against its CA")


def check_monitoring(helm, chart, repo, secret):
    """The PrometheusRule and the dashboard ConfigMap carry the repository's rules and dashboard unchanged."""
    with open(os.path.join(repo, "deploy/prometheus/grassroots-rules.yaml"), encoding="utf-8") as rules_file:
        rules = yaml.safe_load(rules_file)
    with open(os.path.join(repo, "deploy/grafana/grassroots.json"), encoding="utf-8") as dashboard_file:
        dashboard = json.load(dashboard_file)

    docs, err = render(helm, chart, *secret)
    if check(docs is not None, f"default render failed: {err}"):
        check(not by_kind(docs).get("PrometheusRule"), "PrometheusRule rendered although monitoring.coreos.com/v1 is absent")

    docs, err = render(helm, chart, *secret, "--api-versions", "monitoring.coreos.com/v1")
    if check(docs is not None, f"render with the Prometheus Operator API failed: {err}"):
        found = by_kind(docs).get("PrometheusRule", [])
        if check(len(found) == 1, f"one PrometheusRule expected, {len(found)} rendered"):
            check(found[0]["spec"] == rules, "the PrometheusRule's spec differs from deploy/prometheus/grassroots-rules.yaml")
            check(found[0]["metadata"].get("namespace") == "grassroots", "the PrometheusRule has no namespace")

    # Runbooks published elsewhere: every alert's runbook_url points there, at a runbook that exists.
    base = "https://git.example.gov.vn/grassroots/-/blob/main/docs/runbooks"
    docs, err = render(helm, chart, *secret, "--api-versions", "monitoring.coreos.com/v1",
                       "--set", f"metrics.prometheusRule.runbookBaseUrl={base}/",
                       "--set", "metrics.prometheusRule.labels.release=kube-prometheus-stack")
    if check(docs is not None, f"render with runbookBaseUrl failed: {err}"):
        found = by_kind(docs).get("PrometheusRule", [])
        if check(len(found) == 1, "one PrometheusRule expected with runbookBaseUrl"):
            check(found[0]["metadata"]["labels"].get("release") == "kube-prometheus-stack",
                  "metrics.prometheusRule.labels not on the PrometheusRule")
            alerts = [rule for group in found[0]["spec"]["groups"] for rule in group["rules"] if "alert" in rule]
            check(len(alerts) == sum(1 for group in rules["groups"] for rule in group["rules"] if "alert" in rule),
                  "the PrometheusRule lost alerts")
            for alert in alerts:
                url = alert.get("annotations", {}).get("runbook_url", "")
                name = url[len(base) + 1:] if url.startswith(base + "/") else ""
                check(name.endswith(".md") and os.path.isfile(os.path.join(repo, "docs/runbooks", name)),
                      f"{alert['alert']}: runbook_url {url!r} is not {base}/<a runbook in docs/runbooks>")

    docs, err = render(helm, chart, *secret, "--set", "metrics.grafanaDashboard.enabled=true",
                       "--set", "metrics.grafanaDashboard.namespace=monitoring")
    if check(docs is not None, f"render with the Grafana dashboard failed: {err}"):
        found = [doc for doc in by_kind(docs).get("ConfigMap", []) if doc["metadata"]["name"].endswith("-dashboard")]
        if check(len(found) == 1, f"one dashboard ConfigMap expected, {len(found)} rendered"):
            metadata = found[0]["metadata"]
            check(metadata["labels"].get("grafana_dashboard") == "1", "the dashboard ConfigMap lacks the sidecar's label")
            check(metadata.get("namespace") == "monitoring", "metrics.grafanaDashboard.namespace not applied")
            shipped = json.loads(found[0]["data"]["grassroots.json"])
            check(shipped == dashboard, "the dashboard ConfigMap differs from deploy/grafana/grassroots.json")


def expect_failure(helm, chart, message_fragment, *args):
    result = run([helm, "template", "gr", chart, *args])
    check(result.returncode != 0, f"helm template {' '.join(args)} should fail")
    check(message_fragment in result.stderr,
          f"helm template {' '.join(args)}: expected '{message_fragment}' in: {result.stderr.strip()[:300]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True)
    parser.add_argument("--helm")
    args = parser.parse_args()
    repo = os.path.abspath(args.repo)
    chart = os.path.join(repo, "helm/grassroots")

    helm = find_helm(repo, args.helm)
    if helm is None:
        print("helm not found: run scripts/install-deps.sh (installs it under .grassroots/tools)", file=sys.stderr)
        return 1
    print(f"using {helm}: {run([helm, 'version', '--short']).stdout.strip()}")

    env_names = known_env_names(repo)
    gateway_env = gateway_env_names(repo)
    executables = service_executables(repo)
    with open(os.path.join(chart, "values.yaml"), encoding="utf-8") as values_file:
        defaults = yaml.safe_load(values_file)
        check_image_leaves_out_demo(repo, executables, defaults["services"], defaults["gateway"])
    # What every install must name: the Secret and the identity provider's issuer.
    secret = ["--set", f"secrets.existingSecret={SECRET_NAME}", "--set", "auth.issuer=https://id.test.example"]

    lint = run([helm, "lint", "--strict", chart, *secret])
    print(lint.stdout.strip())
    check(lint.returncode == 0, f"helm lint failed:\n{lint.stdout}\n{lint.stderr}")

    with open(os.path.join(chart, "values.yaml"), encoding="utf-8") as values_file:
        values = yaml.safe_load(values_file)
    enabled_by_default = {name for name, svc in values["services"].items() if svc["enabled"]}
    check(bool(enabled_by_default), "no service is enabled by default")
    for name in enabled_by_default:
        check(values["services"][name]["binary"] in executables,
              f"service {name} is enabled but {values['services'][name]['binary']} is not built")

    gateway = values["gateway"]
    check(gateway["enabled"] is True, "the gateway is enabled by default")
    check(gateway["binary"] in executables, f"the gateway is enabled but {gateway['binary']} is not built")
    check(not gateway["ingress"]["enabled"], "the gateway's Ingress is off by default")
    check(not gateway["corsAllowedOrigins"], "no CORS origin is allowed by default")
    with_gateway = {"gateway": gateway, "gateway_env": gateway_env}

    docs, err = render(helm, chart, *secret)
    if check(docs is not None, f"default render failed: {err}"):
        check_release(docs, enabled_by_default, False, env_names, executables, values["services"], **with_gateway)

    docs, err = render(helm, chart, *secret, "--api-versions", "monitoring.coreos.com/v1")
    if check(docs is not None, f"render with the Prometheus Operator API failed: {err}"):
        check_release(docs, enabled_by_default, True, env_names, executables, values["services"], **with_gateway)

    # The gateway off: none of its objects.
    docs, err = render(helm, chart, *secret, "--set", "gateway.enabled=false", "--api-versions", "monitoring.coreos.com/v1")
    if check(docs is not None, f"render without the gateway failed: {err}"):
        check_release(docs, enabled_by_default, True, env_names, executables, values["services"])
        check(not [doc for doc in docs if component(doc) == "gateway"], "gateway.enabled=false still renders gateway objects")

    # The gateway's Ingress, CORS origins and threads; a disabled backend is left out of its targets.
    ingress_values = {"enabled": True, "className": "nginx", "host": "api.example-province.gov.vn", "path": "/",
                      "pathType": "Prefix", "tlsSecret": "grassroots-api-tls",
                      "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "4m"}}
    tuned = {**gateway, "ingress": ingress_values, "httpThreads": 64,
             "corsAllowedOrigins": ["https://portal.example-province.gov.vn", "http://localhost:3000"]}
    without_reporting = {**values["services"], "reporting": {**values["services"]["reporting"], "enabled": False}}
    docs, err = render(helm, chart, *secret, "--set", "services.reporting.enabled=false",
                       "--set", "gateway.httpThreads=64",
                       "--set-json", f"gateway.corsAllowedOrigins={json.dumps(tuned['corsAllowedOrigins'])}",
                       "--set-json", f"gateway.ingress={json.dumps(ingress_values)}",
                       "--set", "networkPolicy.egress.restrict=true",
                       "--set-json", 'networkPolicy.egress.databasePeers=[{"ipBlock":{"cidr":"10.0.0.0/8"}}]')
    if check(docs is not None, f"render with the gateway's Ingress failed: {err}"):
        check_release(docs, enabled_by_default - {"reporting"}, False, env_names, executables, without_reporting,
                      gateway=tuned, gateway_env=gateway_env, egress_restricted=True)
        ingress = next(iter(by_kind(docs).get("Ingress", [])), None)
        if check(ingress is not None, "gateway.ingress.enabled renders no Ingress"):
            spec = ingress["spec"]
            check(ingress["apiVersion"] == "networking.k8s.io/v1", "Ingress apiVersion networking.k8s.io/v1")
            check(spec.get("ingressClassName") == "nginx", "Ingress: ingressClassName from gateway.ingress.className")
            check(spec.get("tls") == [{"hosts": [ingress_values["host"]], "secretName": "grassroots-api-tls"}],
                  f"Ingress: TLS section {spec.get('tls')}")
            check(ingress["metadata"].get("annotations") == ingress_values["annotations"], "Ingress: annotations")
            rules = spec.get("rules", [])
            backend = rules[0]["http"]["paths"][0]["backend"]["service"] if rules else {}
            check(len(rules) == 1 and rules[0]["host"] == ingress_values["host"]
                  and backend == {"name": "gr-grassroots-gateway", "port": {"name": "http"}},
                  f"Ingress: must route {ingress_values['host']} to the gateway's http port, got {rules}")

    # Every planned service renders too once enabled (its binary need not exist yet).
    everything = set(values["services"])
    enable_all = [arg for name in everything for arg in ("--set", f"services.{name}.enabled=true")]
    docs, err = render(helm, chart, *secret, *enable_all, "--set", "networkPolicy.egress.restrict=true",
                       "--set-json", 'networkPolicy.egress.databasePeers=[{"ipBlock":{"cidr":"10.0.0.0/8"}}]')
    if check(docs is not None, f"render with every service failed: {err}"):
        check_release(docs, everything, False, env_names, executables | {
            values["services"][name]["binary"] for name in everything}, values["services"], **with_gateway,
            egress_restricted=True)
        for policy in by_kind(docs).get("NetworkPolicy", []):
            check("Egress" in policy["spec"]["policyTypes"], "egress.restrict=true must restrict egress")

    # The example values shipped in deploy/ stay valid.
    example = os.path.join(repo, "deploy/values-province.example.yaml")
    with open(example, encoding="utf-8") as example_file:
        example_values = yaml.safe_load(example_file)
    merged_services = {name: {**svc, **example_values.get("services", {}).get(name, {})}
                       for name, svc in values["services"].items()}
    docs, err = render(helm, chart, "-f", example, "--api-versions", "monitoring.coreos.com/v1")
    merged_gateway = {**gateway, **example_values.get("gateway", {})}
    if check(docs is not None, f"render with {example} failed: {err}"):
        check_release(docs, enabled_by_default, True, env_names, executables, merged_services,
                      secret_name=example_values["secrets"]["existingSecret"],
                      gateway=merged_gateway if merged_gateway["enabled"] else None, gateway_env=gateway_env,
                      egress_restricted=example_values.get("networkPolicy", {}).get("egress", {}).get("restrict", False))

    # TLS everywhere: gRPC and metrics ports with each service's certificate, mutual
    # between services, probes on the plaintext health-only port, and TLS to MariaDB.
    docs, err = render(helm, chart, *secret, "--set", "tls.enabled=true", "--set", "tls.mutual=true",
                       "--set", "database.tls.enabled=true", "--api-versions", "monitoring.coreos.com/v1")
    if check(docs is not None, f"render with TLS failed: {err}"):
        check_release(docs, enabled_by_default, True, env_names, executables, values["services"], **with_gateway,
                      tls=True, mutual=True)
        check_tls_release(docs)
        gateway_service = next((doc for doc in by_kind(docs).get("Service", []) if component(doc) == "gateway"), {})
        check([port.get("appProtocol") for port in gateway_service.get("spec", {}).get("ports", [])
               if port["name"] == "http"] == ["https"], "TLS: the gateway's http port must say appProtocol https")
    # TLS without mutual TLS: the gateway verifies the backends but presents no certificate.
    docs, err = render(helm, chart, *secret, "--set", "tls.enabled=true")
    if check(docs is not None, f"render with TLS (not mutual) failed: {err}"):
        check_release(docs, enabled_by_default, False, env_names, executables, values["services"], **with_gateway,
                      tls=True, mutual=False)

    # Refusals: no secret by default, a grace period shorter than the drain, values the schema forbids.
    expect_failure(helm, chart, "secrets.existingSecret", "--set", "auth.issuer=https://id.test.example")
    # Production values: no issuer by default, and the development one is refused.
    expect_failure(helm, chart, "issuer", "--set", f"secrets.existingSecret={SECRET_NAME}")
    expect_failure(helm, chart, "development issuer", *secret, "--set", "auth.issuer=grassroots-dev")
    expect_failure(helm, chart, "mutual TLS is TLS first", *secret, "--set", "tls.mutual=true")
    expect_failure(helm, chart, "terminationGracePeriodSeconds", *secret, "--set", "terminationGracePeriodSeconds=10")
    expect_failure(helm, chart, "readOnlyRootFilesystem", *secret, "--set", "securityContext.readOnlyRootFilesystem=false")
    expect_failure(helm, chart, "database", *secret, "--set", "services.org.database=Bad-Name")
    expect_failure(helm, chart, "databasePeers", *secret, "--set", "networkPolicy.egress.restrict=true")
    # A service that calls another needs it enabled (membership checks cells with org).
    expect_failure(helm, chart, "is not enabled", *secret, "--set", "services.org.enabled=false")
    # The gateway: an Ingress needs its host; at least one backend enabled; the preStop sleep
    # within the grace period; CORS origins are scheme://host; "gateway" is not a service name.
    expect_failure(helm, chart, "gateway.ingress.host", *secret, "--set", "gateway.ingress.enabled=true")
    expect_failure(helm, chart, "gateway.backends", *secret, "--set", "services.reporting.enabled=false",
                   "--set-json", 'gateway.backends=["reporting"]')
    expect_failure(helm, chart, "preStopSleepSeconds", *secret, "--set", "gateway.preStopSleepSeconds=40")
    expect_failure(helm, chart, "gateway.corsAllowedOrigins", *secret,
                   "--set-json", 'gateway.corsAllowedOrigins=["https://portal.example.org/app"]')
    expect_failure(helm, chart, "gateway.backends.0", *secret, "--set-json", 'gateway.backends=["billing"]')
    check_monitoring(helm, chart, repo, secret)
    expect_failure(helm, chart, "runbookBaseUrl", *secret, "--set", "metrics.prometheusRule.runbookBaseUrl=docs/runbooks")
    as_service = {**values["services"]["org"], "binary": "grassroots-gateway", "grpcPort": 50060, "metricsPort": 9471}
    expect_failure(helm, chart, 'Property name of "gateway"', *secret,
                   "--set-json", f"services.gateway={json.dumps(as_service)}")

    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed:", file=sys.stderr)
        for failure in FAILURES:
            print(f"  - {failure}", file=sys.stderr)
        return 1
    print("chart OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
