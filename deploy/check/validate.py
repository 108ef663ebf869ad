#!/usr/bin/env python3
"""Semantic checks behind deploy/check.sh. Each subcommand prints `FILE: problem` lines to
stderr and exits 1 when something is wrong; it is silent on success.

  validate.py k8s ENV RENDERED.yaml FLAVOR      runbook numbers in rendered manifests
  validate.py k8s-same ENV KUSTOMIZE.yaml HELM.yaml   the chart produces the same objects
  validate.py compose docker-compose.yml OUT.json     compose file: strict schema + structure
  validate.py dockerfile deploy/Dockerfile
  validate.py subcommands ROOT [RENDERED.yaml ...]   every `vendhub <cmd>` is in the contract
  validate.py rules RULES.yml TESTS.yml               runbook 6.3 rows, test coverage, metric names
  validate.py alertmanager RENDERED.yml RULES.yml     runbook 6.4 routing (uses amtool)
  validate.py grafana GRAFANA_DIR OUT_RULES.yml       dashboard -> PromQL for promtool, datasources
  validate.py prometheus PROMETHEUS.yml COMPOSE.yml OUT.yml   scrape targets; path-mapped copy
  validate.py loki LOKI.yml PROMTAIL.yml              structure only (no Loki binary here)
  validate.py nginx NGINX_DIR NGINX_ROOT OUT_DIR      render + path-map the config for `nginx -t`
  validate.py config-check BIN TMP COMPOSE.json RENDERED.yaml...   the real binary accepts each env
"""
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ERRORS = []


def err(where, msg):
    ERRORS.append("%s: %s" % (where, msg))


def done():
    for e in ERRORS:
        print(e, file=sys.stderr)
    sys.exit(1 if ERRORS else 0)


def load_all(path):
    return [d for d in yaml.safe_load_all(Path(path).read_text()) if d]


# --------------------------------------------------------------------------- contract
# `vendhub` CLI of the contract: subcommand -> allowed second words (None: none) and options.
CLI = {
    "serve": (None, set()),
    "migrate": ({"run", "revert", "show"}, set()),
    "seed": (None, {"--demo"}),
    "config": ({"check"}, set()),
    "healthcheck": (None, set()),
    "backup": ({"create", "restore", "verify", "prune"}, {"--out", "--yes", "--keep-days"}),
    "export": (None, {"--out"}),
    "import": (None, set()),
    "--version": (None, set()),
}
BACKUP_OPTS = {"create": {"--out"}, "restore": {"--yes"}, "verify": set(), "prune": {"--keep-days"}}

CONTRACT_METRICS = {
    "http_requests_total", "http_request_duration_seconds", "vendhub_orders_total",
    "vendhub_machine_status", "vendhub_machine_inventory_level", "vendhub_payments_total",
    "vendhub_login_failures_total", "vendhub_jobs_queued", "vendhub_jobs_dead",
    "vendhub_jobs_failed_total", "vendhub_jobs_completed_total", "vendhub_db_pool_connections",
    "vendhub_db_pool_max", "process_resident_memory_bytes",
}


def known_env():
    """Variables the binary reads and the prefixes it owns, from crates/server/src/config/
    (vendhub refuses an unknown variable with one of its prefixes). None when absent."""
    files = sorted(Path("crates/server/src/config").glob("*.rs"))
    if not files:
        return None
    text = "\n".join(f.read_text() for f in files)
    m = re.search(r"OWN_PREFIXES[^=]*=\s*&\[(.*?)\];", text, re.S)
    prefixes = tuple(re.findall(r'"([A-Z_]+)"', m.group(1))) if m else ()
    names = set(re.findall(r'"([A-Z][A-Z0-9_]+)"', text))
    return prefixes, names


def check_env_names(where, names):
    known = known_env()
    if not known:
        return
    prefixes, ok = known
    for n in sorted(set(names)):
        if n.startswith(prefixes) and n not in ok:
            err(where, "variable %s has a vendhub prefix but the binary does not read it: "
                       "it would refuse to start (crates/server/src/config/)" % n)


def check_cli(where, tokens, strict=True):
    """tokens: the words after `vendhub`. Prose (strict=False) may name a command group alone
    (`vendhub backup`) or a placeholder (`vendhub <subcommand>`); a command line may not."""
    words = []
    for t in tokens:
        if t in ("&&", "||", "|", ";", ">", "<", "2>&1", "\\") or t.startswith("#"):
            break
        words.append(t)
    if not words or (not strict and words[0].startswith("<")):
        return
    sub = words[0]
    if sub not in CLI:
        err(where, "`vendhub %s` is not a contract subcommand (%s)" % (" ".join(words),
            ", ".join(sorted(CLI))))
        return
    seconds, opts = CLI[sub]
    rest = words[1:]
    if seconds is not None:
        if not rest and not strict:
            return
        if not rest or rest[0] not in seconds:
            err(where, "`vendhub %s` needs one of: %s" % (" ".join(words), ", ".join(sorted(seconds))))
            return
        if sub == "backup":
            opts = BACKUP_OPTS[rest[0]]
        rest = rest[1:]
    for w in rest:
        if w.startswith("--") and w.split("=")[0] not in opts:
            err(where, "`vendhub %s`: option %s is not in the contract" % (" ".join(words), w))
        if sub in ("serve", "healthcheck", "--version", "seed", "config") and not w.startswith("-") \
                and re.fullmatch(r"[a-z][a-z-]*", w):
            err(where, "`vendhub %s`: unexpected word %r" % (" ".join(words), w))


VENDHUB_WORD = re.compile(r"(?<![\w./$-])vendhub(?![\w./:-])[ \t]+([^\n`'\"]*)")
EXEC_ARRAY = re.compile(r'\[\s*"vendhub"\s*((?:,\s*"[^"]*"\s*)*)\]')


def scan_text(where, text, strict=True):
    for m in VENDHUB_WORD.finditer(text):
        before = text[: m.start()].split()
        if before and before[-1].startswith("-") and before[-1] != "--":
            continue  # an option's value (useradd --gid vendhub, cargo -p vendhub), not a command
        check_cli(where, m.group(1).split(), strict)


def cmd_subcommands(root, rendered):
    root = Path(root)
    files = [root / "docker-compose.yml"] + sorted(
        p for p in (root / "deploy").rglob("*") if p.is_file() and "__pycache__" not in p.parts
        and (root / "deploy" / "check") not in p.parents)  # the checker itself is not deployment
    for path in files:
        rel = path.relative_to(root)
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        # exec arrays anywhere: ["vendhub", "healthcheck"]
        for m in EXEC_ARRAY.finditer(text):
            check_cli(rel, re.findall(r'"([^"]*)"', m.group(1)))
        # inline code spans anywhere (comments included)
        for span in re.findall(r"`([^`\n]+)`", text):
            scan_text(rel, span, strict=False)
        if path.suffix == ".md":
            for block in re.findall(r"```[^\n]*\n(.*?)```", text, re.S):
                scan_text(rel, block)
        elif path.suffix == ".sh" or path.name.startswith("Dockerfile"):
            code = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
            scan_text(rel, code)
    # docker-compose.yml: services running the vendhub image get `command` = subcommand words
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    for name, svc in (compose.get("services") or {}).items():
        image = str(svc.get("image", ""))
        if "vendhub/vendhub" in image or "deploy/Dockerfile" in json.dumps(svc.get("build", "")):
            if "entrypoint" in svc:
                err("docker-compose.yml", "service %s overrides the vendhub entrypoint" % name)
            cmd = svc.get("command")
            if cmd is None:
                continue
            check_cli("docker-compose.yml (service %s)" % name,
                      cmd.split() if isinstance(cmd, str) else [str(c) for c in cmd])
            hc = (svc.get("healthcheck") or {}).get("test")
            if isinstance(hc, list) and hc[:2] == ["CMD", "vendhub"]:
                check_cli("docker-compose.yml (service %s healthcheck)" % name, hc[2:])
    # rendered Kubernetes objects: containers of the vendhub image get `args`
    for f in rendered:
        for doc in load_all(f):
            for c in pod_containers(doc):
                if "vendhub/vendhub" in str(c.get("image", "")):
                    if c.get("command"):
                        err(f, "%s %s: container %s overrides the entrypoint" % (
                            doc["kind"], doc["metadata"]["name"], c["name"]))
                    check_cli("%s (%s %s)" % (f, doc["kind"], doc["metadata"]["name"]),
                              [str(a) for a in c.get("args") or []])
    done()


# --------------------------------------------------------------------------- kubernetes
def pod_spec(doc):
    spec = doc.get("spec") or {}
    if doc.get("kind") in ("Deployment", "StatefulSet", "Job", "DaemonSet"):
        return (spec.get("template") or {}).get("spec") or {}
    return {}


def pod_containers(doc):
    ps = pod_spec(doc)
    return list(ps.get("containers") or []) + list(ps.get("initContainers") or [])


SECRETISH = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY$|^DATABASE_URL$|^REDIS_URL$|DSN|ACCESS_KEY")
EXPECT = {
    "staging": {"min": 2, "max": 10, "res": ("100m", "1000m", "256Mi", "1Gi"), "tag": "main",
                "issuer": "letsencrypt-staging", "hosts": ["api.staging.vendhub.uz",
                "admin.staging.vendhub.uz", "app.staging.vendhub.uz"],
                "pg": ("250m", "1000m", "512Mi", "2Gi")},
    "production": {"min": 3, "max": 20, "res": ("250m", "2000m", "512Mi", "2Gi"), "tag": "stable",
                   "issuer": "letsencrypt-prod", "hosts": ["api.vendhub.uz", "admin.vendhub.uz",
                   "app.vendhub.uz"], "pg": ("1000m", "4000m", "2Gi", "8Gi")},
}
REQUIRED_SECRETS = {"DATABASE_URL", "JWT_SECRET", "JWT_REFRESH_SECRET", "VENDHUB_ENCRYPTION_KEY"}


def seconds(v):
    m = re.fullmatch(r"(\d+)(s|m)?", str(v))
    return int(m.group(1)) * (60 if m.group(2) == "m" else 1) if m else None


def index(docs):
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def find(docs, kind, pred=lambda d: True):
    return [d for d in docs if d.get("kind") == kind and pred(d)]


def is_api(d):
    return (d["metadata"].get("labels") or {}).get("app", "").endswith("-api") or \
        d["metadata"]["name"].endswith("-api")


def check_env(where, container, docs):
    names = set()
    for e in container.get("env") or []:
        names.add(e["name"])
        vf = e.get("valueFrom") or {}
        if "value" in e and SECRETISH.search(e["name"]):
            err(where, "env %s has a literal value; secrets must come from a secretKeyRef" % e["name"])
        ref = vf.get("secretKeyRef")
        if ref and e["name"] in REQUIRED_SECRETS and ref.get("optional"):
            err(where, "env %s must not be optional" % e["name"])
    missing = REQUIRED_SECRETS - {e["name"] for e in container.get("env") or []
                                  if (e.get("valueFrom") or {}).get("secretKeyRef")}
    if missing:
        err(where, "no secretKeyRef for %s" % ", ".join(sorted(missing)))
    for ef in container.get("envFrom") or []:
        cm = (ef.get("configMapRef") or {}).get("name")
        if cm and not find(docs, "ConfigMap", lambda d: d["metadata"]["name"] == cm):
            err(where, "envFrom ConfigMap %s is not in the output" % cm)
    return names


def cmd_k8s(env, path, flavor):
    ex = EXPECT[env]
    docs = load_all(path)
    w = "%s [%s %s]" % (path, flavor, env)
    for d in docs:
        if d["kind"] == "Secret":
            err(w, "Secret %s is rendered: secret values must not be committed" % d["metadata"]["name"])
        if d["kind"] == "ConfigMap":
            for k in d.get("data") or {}:
                if SECRETISH.search(k):
                    err(w, "ConfigMap %s holds secret-like key %s" % (d["metadata"]["name"], k))
        if flavor == "kustomize" and d["kind"] != "Namespace" and \
                d["metadata"].get("namespace") != "vendhub":
            err(w, "%s %s is not in namespace vendhub" % (d["kind"], d["metadata"]["name"]))
    deps = find(docs, "Deployment", is_api)
    if len(deps) != 1:
        err(w, "expected one API Deployment, found %d" % len(deps))
        return done()
    dep = deps[0]
    dn = "Deployment " + dep["metadata"]["name"]
    spec = dep["spec"]
    ru = (spec.get("strategy") or {}).get("rollingUpdate") or {}
    if spec.get("strategy", {}).get("type") != "RollingUpdate" or ru.get("maxSurge") != 1 or \
            ru.get("maxUnavailable") != 0:
        err(w, "%s: rolling update must be maxSurge 1 / maxUnavailable 0" % dn)
    ps = pod_spec(dep)
    labels = dep["spec"]["template"]["metadata"]["labels"]
    api = [c for c in ps.get("containers", []) if c["name"] == "api"]
    if not api:
        err(w, "%s: no container named api" % dn)
        return done()
    c = api[0]
    if c.get("args") != ["serve"]:
        err(w, "%s: args must be [serve], got %s" % (dn, c.get("args")))
    if not str(c.get("image", "")).endswith(":" + ex["tag"]) or "vendhub/vendhub" not in c["image"]:
        err(w, "%s: image %s, expected docker.io/vendhub/vendhub:%s" % (dn, c.get("image"), ex["tag"]))
    pre = ((c.get("lifecycle") or {}).get("preStop") or {})
    sleep = None
    if pre.get("exec", {}).get("command", [None])[0] == "sleep":
        sleep = int(pre["exec"]["command"][1])
    elif "sleep" in pre:
        sleep = int(pre["sleep"]["seconds"])
    if sleep != 15:
        err(w, "%s: preStop must sleep 15 s, got %s" % (dn, pre))
    cfg = {}
    for cm in find(docs, "ConfigMap"):
        cfg.update(cm.get("data") or {})
    shutdown = seconds(cfg.get("SHUTDOWN_TIMEOUT", "15s")) or 15
    grace = ps.get("terminationGracePeriodSeconds", 30)
    if sleep is not None and grace <= sleep + shutdown:
        err(w, "%s: terminationGracePeriodSeconds %s must exceed preStop %s + SHUTDOWN_TIMEOUT %s" % (
            dn, grace, sleep, shutdown))
    probes = {k: (c.get(k) or {}).get("httpGet", {}).get("path") for k in
              ("livenessProbe", "readinessProbe", "startupProbe")}
    if probes["livenessProbe"] != "/health/live" or probes["readinessProbe"] != "/health/ready" \
            or not probes["startupProbe"]:
        err(w, "%s: probes must be liveness /health/live, readiness /health/ready, startup: %s" % (dn, probes))
    r = c.get("resources") or {}
    got = (r.get("requests", {}).get("cpu"), r.get("limits", {}).get("cpu"),
           r.get("requests", {}).get("memory"), r.get("limits", {}).get("memory"))
    if got != ex["res"]:
        err(w, "%s: resources %s, runbook 3.2.5 says %s" % (dn, got, ex["res"]))
    if not (ps.get("securityContext") or {}).get("runAsNonRoot"):
        err(w, "%s: pod must run as non-root" % dn)
    if not any(p.get("containerPort") == 4000 for p in c.get("ports") or []):
        err(w, "%s: container port 4000 missing" % dn)
    check_env(w + " " + dn, c, docs)
    names = [e["name"] for e in c.get("env") or []]
    for cm in find(docs, "ConfigMap"):
        names += list((cm.get("data") or {}).keys())
    check_env_names(w, names)
    for d in [dep] + find(docs, "Job"):
        if pod_spec(d).get("enableServiceLinks") is not False:
            err(w, "%s %s: set enableServiceLinks: false (service-link variables such as "
                   "REDIS_SERVICE_HOST have vendhub prefixes and would stop the binary)" % (
                       d["kind"], d["metadata"]["name"]))
    # Service
    svcs = [s for s in find(docs, "Service") if s["spec"].get("selector") and
            all(labels.get(k) == v for k, v in s["spec"]["selector"].items())]
    if not svcs:
        err(w, "no Service selects the API pods")
    # HPA
    hpas = find(docs, "HorizontalPodAutoscaler")
    if len(hpas) != 1:
        err(w, "expected one HPA, found %d" % len(hpas))
    else:
        h = hpas[0]["spec"]
        if h["scaleTargetRef"].get("name") != dep["metadata"]["name"]:
            err(w, "HPA does not target %s" % dn)
        if (h.get("minReplicas"), h.get("maxReplicas")) != (ex["min"], ex["max"]):
            err(w, "HPA replicas %s-%s, runbook 3.2.6 says %s-%s" % (
                h.get("minReplicas"), h.get("maxReplicas"), ex["min"], ex["max"]))
        targets = {m["resource"]["name"]: m["resource"]["target"].get("averageUtilization")
                   for m in h.get("metrics", []) if m.get("type") == "Resource"}
        if targets != {"cpu": 70, "memory": 80}:
            err(w, "HPA targets %s, runbook says cpu 70 / memory 80" % targets)
        b = h.get("behavior") or {}
        if (b.get("scaleDown") or {}).get("stabilizationWindowSeconds") != 300 or \
                (b.get("scaleUp") or {}).get("stabilizationWindowSeconds") != 60:
            err(w, "HPA windows must be scale-down 300 s / scale-up 60 s")
        if spec.get("replicas") is not None:
            err(w, "%s sets replicas while an HPA owns the count (every apply would reset it)" % dn)
    # PDB
    pdbs = find(docs, "PodDisruptionBudget")
    if len(pdbs) != 1 or pdbs[0]["spec"].get("minAvailable") != 1 or not all(
            labels.get(k) == v for k, v in pdbs[0]["spec"]["selector"]["matchLabels"].items()):
        err(w, "need one PDB with minAvailable 1 selecting the API pods")
    # migration Job
    jobs = find(docs, "Job")
    if len(jobs) != 1:
        err(w, "expected one migration Job, found %d" % len(jobs))
    else:
        jc = pod_spec(jobs[0])["containers"][0]
        if jc.get("args") != ["migrate", "run"]:
            err(w, "Job %s: args must be [migrate, run]" % jobs[0]["metadata"]["name"])
        if pod_spec(jobs[0]).get("restartPolicy") not in ("Never", "OnFailure"):
            err(w, "Job restartPolicy must be Never or OnFailure")
        check_env(w + " Job", jc, docs)
    # Ingress
    ings = find(docs, "Ingress")
    if len(ings) != 1:
        err(w, "expected one Ingress, found %d" % len(ings))
    else:
        ing = ings[0]
        ann = ing["metadata"].get("annotations") or {}
        if ann.get("cert-manager.io/cluster-issuer") != ex["issuer"]:
            err(w, "Ingress: cert-manager.io/cluster-issuer should be %s" % ex["issuer"])
        for k in ("proxy-read-timeout", "proxy-send-timeout"):
            v = ann.get("nginx.ingress.kubernetes.io/" + k)
            if v is None or int(v) < 3600:
                err(w, "Ingress: %s must be >= 3600 for WebSockets" % k)
        hosts = [r["host"] for r in ing["spec"]["rules"]]
        tls_hosts = {h for t in ing["spec"].get("tls", []) for h in t.get("hosts", [])}
        for h in ex["hosts"]:
            if h not in hosts:
                err(w, "Ingress: host %s missing" % h)
        if set(hosts) - tls_hosts:
            err(w, "Ingress: hosts without TLS: %s" % sorted(set(hosts) - tls_hosts))
        svc_names = {s["metadata"]["name"] for s in svcs}
        for r in ing["spec"]["rules"]:
            for p in r["http"]["paths"]:
                if p["backend"]["service"]["name"] not in svc_names:
                    err(w, "Ingress %s routes to unknown service %s" % (r["host"], p["backend"]["service"]["name"]))
    # PostgreSQL (in-cluster component)
    for sts in find(docs, "StatefulSet", lambda d: "postgres" in d["metadata"]["name"]):
        r = pod_spec(sts)["containers"][0].get("resources") or {}
        got = (r.get("requests", {}).get("cpu"), r.get("limits", {}).get("cpu"),
               r.get("requests", {}).get("memory"), r.get("limits", {}).get("memory"))
        if got != ex["pg"]:
            err(w, "StatefulSet %s: resources %s, expected %s" % (sts["metadata"]["name"], got, ex["pg"]))
    # ServiceMonitor (no schema in kubernetes-validate: checked here)
    for sm in find(docs, "ServiceMonitor"):
        sel = sm["spec"]["selector"]["matchLabels"]
        ok = [s for s in svcs if all((s["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items())]
        if not ok:
            err(w, "ServiceMonitor %s selects no API Service" % sm["metadata"]["name"])
        for ep in sm["spec"].get("endpoints", []):
            if ep.get("path") != "/metrics" or ep.get("port") not in {p.get("name") for s in ok for p in s["spec"]["ports"]}:
                err(w, "ServiceMonitor endpoint must be port http, path /metrics")
        if sm["apiVersion"] != "monitoring.coreos.com/v1":
            err(w, "ServiceMonitor apiVersion must be monitoring.coreos.com/v1")
    if env == "production" and not find(docs, "ServiceMonitor"):
        err(w, "production should ship a ServiceMonitor")
    done()


def summary(docs):
    """Flavour-independent facts about the objects, for kustomize vs helm."""
    out = {}
    kinds = sorted({d["kind"] for d in docs if d["kind"] != "Namespace"})
    out["kinds"] = kinds
    dep = find(docs, "Deployment", is_api)[0]
    ps = pod_spec(dep)
    c = ps["containers"][0]
    out["api"] = {
        "strategy": dep["spec"]["strategy"],
        "grace": ps.get("terminationGracePeriodSeconds"),
        "preStop": c.get("lifecycle"),
        "args": c.get("args"),
        "resources": c.get("resources"),
        "probes": {k: c.get(k) for k in ("livenessProbe", "readinessProbe", "startupProbe")},
        "securityContext": c.get("securityContext"),
        "podSecurityContext": ps.get("securityContext"),
        "secretEnv": sorted((e["name"], e["valueFrom"]["secretKeyRef"]["key"],
                             bool(e["valueFrom"]["secretKeyRef"].get("optional")))
                            for e in c.get("env") or [] if "valueFrom" in e),
        "volumes": sorted(v["name"] for v in ps.get("volumes") or []),
        "image": c.get("image"),
    }
    hpa = find(docs, "HorizontalPodAutoscaler")[0]["spec"]
    out["hpa"] = {k: hpa.get(k) for k in ("minReplicas", "maxReplicas", "metrics", "behavior")}
    out["pdb"] = find(docs, "PodDisruptionBudget")[0]["spec"].get("minAvailable")
    job = find(docs, "Job")[0]
    jc = pod_spec(job)["containers"][0]
    out["job"] = {"args": jc.get("args"), "resources": jc.get("resources"),
                  "secretEnv": sorted(e["name"] for e in jc.get("env") or []
                                      if "secretKeyRef" in (e.get("valueFrom") or {}))}
    ing = find(docs, "Ingress")[0]
    out["ingress"] = {"annotations": ing["metadata"].get("annotations"),
                      "hosts": [r["host"] for r in ing["spec"]["rules"]],
                      "class": ing["spec"].get("ingressClassName")}
    cfg = {}
    for cm in find(docs, "ConfigMap"):
        cfg.update(cm.get("data") or {})
    cfg.pop("REDIS_HOST", None)  # service names differ: redis vs <release>-redis
    out["config"] = cfg
    pg = find(docs, "StatefulSet")
    out["postgres"] = pg and {"resources": pod_spec(pg[0])["containers"][0].get("resources"),
                              "storage": pg[0]["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]}
    rd = find(docs, "Deployment", lambda d: "redis" in d["metadata"]["name"])
    out["redis"] = rd and {"args": pod_spec(rd[0])["containers"][0].get("args"),
                           "resources": pod_spec(rd[0])["containers"][0].get("resources")}
    return out


def cmd_k8s_same(env, kpath, hpath):
    k, h = summary(load_all(kpath)), summary(load_all(hpath))
    for key in k:
        if k[key] == h[key]:
            continue
        if isinstance(k[key], dict) and isinstance(h[key], dict):
            diffs = [(sub, k[key].get(sub), h[key].get(sub)) for sub in sorted(set(k[key]) | set(h[key]))
                     if k[key].get(sub) != h[key].get(sub)]
        else:
            diffs = [("", k[key], h[key])]
        for sub, kv, hv in diffs:
            err("%s vs %s [%s]" % (kpath, hpath, env), "%s%s differs: kustomize %s, helm %s" % (
                key, "." + sub if sub else "", json.dumps(kv, sort_keys=True), json.dumps(hv, sort_keys=True)))
    done()


# --------------------------------------------------------------------------- compose
INTERP = re.compile(r"\$(\$|\{([^}]*)\}|[A-Za-z_][A-Za-z0-9_]*)")


def interpolate(where, s, env):
    def repl(m):
        if m.group(1) == "$":
            return "$"
        if m.group(2) is None:
            return env.get(m.group(1), "")
        expr = m.group(2)
        mm = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?", expr, re.S)
        if not mm:
            err(where, "bad interpolation ${%s}" % expr)
            return ""
        name, op, arg = mm.groups()
        val = env.get(name)
        if op is None:
            return val or ""
        unset_or_empty = val is None or (op.startswith(":") and val == "")
        if op.endswith("-"):
            return arg if unset_or_empty else val
        if op.endswith("?"):
            if unset_or_empty:
                err(where, "${%s} requires %s to be set: compose would refuse to start without it" % (expr, name))
            return val or ""
        return "" if unset_or_empty else arg

    return INTERP.sub(repl, s)


def walk_interpolate(where, node, env):
    if isinstance(node, dict):
        return {k: walk_interpolate(where, v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [walk_interpolate(where, v, env) for v in node]
    if isinstance(node, str):
        return interpolate(where, node, env)
    return node


CORE = {"postgres", "redis", "minio", "minio-init", "migrate", "api"}
PROFILES = {
    "dev": {"adminer"},
    "production": {"nginx"},
    "monitoring": {"prometheus", "alertmanager", "grafana", "loki", "promtail", "node-exporter",
                   "postgres-exporter", "redis-exporter", "cadvisor"},
}
NEEDS_HEALTHCHECK = {"postgres", "redis", "minio", "api", "nginx", "prometheus", "alertmanager", "grafana"}


def cmd_compose(path, out_json):
    w = str(path)
    raw = yaml.safe_load(Path(path).read_text())
    data = walk_interpolate(w, {k: v for k, v in raw.items() if not k.startswith("x-")}, {})
    Path(out_json).write_text(json.dumps(data))
    try:
        import compose_spec
        compose_spec.PyCompose.from_json(json.dumps(data))
    except ImportError:
        err(w, "python module compose_spec missing")
    except ValueError as e:
        err(w, "compose specification: %s" % e)
    root = Path(path).resolve().parent
    services = data.get("services") or {}
    volumes = set((data.get("volumes") or {}).keys())
    for name in CORE:
        if name not in services:
            err(w, "service %s missing" % name)
        elif services[name].get("profiles"):
            err(w, "service %s must run without a profile" % name)
    for prof, names in PROFILES.items():
        for name in names:
            if prof not in ((services.get(name) or {}).get("profiles") or []):
                err(w, "service %s missing from profile %s" % (name, prof))
    host_ports = {}
    for name, svc in services.items():
        for dep, cond in (svc.get("depends_on") or {}).items() if isinstance(svc.get("depends_on"), dict) \
                else [(d, {}) for d in svc.get("depends_on") or []]:
            if dep not in services:
                err(w, "%s depends on unknown service %s" % (name, dep))
                continue
            c = (cond or {}).get("condition")
            if c == "service_healthy" and "healthcheck" not in services[dep]:
                err(w, "%s waits for %s to be healthy but it has no healthcheck" % (name, dep))
            if c == "service_completed_successfully" and services[dep].get("restart", "no") != "no":
                err(w, "%s waits for one-shot %s, which must have restart: \"no\"" % (name, dep))
            dp = set(services[dep].get("profiles") or [])
            if dp and not dp & set(svc.get("profiles") or []):
                err(w, "%s depends on %s, which only runs in profile(s) %s" % (name, dep, sorted(dp)))
        if name in NEEDS_HEALTHCHECK and not (svc.get("healthcheck") or {}).get("test"):
            err(w, "service %s has no healthcheck" % name)
        log = svc.get("logging") or {}
        opts = log.get("options") or {}
        if log.get("driver") != "json-file" or "max-size" not in opts or "max-file" not in opts:
            err(w, "service %s: logging must be json-file with max-size and max-file" % name)
        if name == "api" and (opts.get("max-size"), str(opts.get("max-file"))) != ("50m", "5"):
            err(w, "service api: runbook 8.1 log rotation is max-size 50m, max-file 5")
        for v in svc.get("volumes") or []:
            if isinstance(v, dict):
                src, typ = v.get("source", ""), v.get("type")
            else:
                src = v.split(":")[0]
                typ = "bind" if src.startswith((".", "/", "~")) else "volume"
            if typ == "volume" and src and src not in volumes:
                err(w, "service %s uses undeclared volume %s" % (name, src))
            if typ == "bind" and src.startswith(".") and not (root / src).exists():
                err(w, "service %s mounts %s, which does not exist" % (name, src))
        for p in svc.get("ports") or []:
            spec = str(p.get("published") if isinstance(p, dict) else p)
            parts = spec.split(":")
            if len(parts) >= 2:
                key = (parts[-3] if len(parts) == 3 else "0.0.0.0", parts[-2])
                if key[1] in host_ports.get(key[0], {}) or key[1] in host_ports.get("0.0.0.0", {}):
                    err(w, "host port %s:%s is published by %s and %s" % (
                        key[0], key[1], name, host_ports.get(key[0], {}).get(key[1]) or
                        host_ports["0.0.0.0"][key[1]]))
                host_ports.setdefault(key[0], {})[key[1]] = name
    for name in ("api", "migrate"):
        check_env_names("%s (service %s)" % (w, name), (services.get(name) or {}).get("environment") or {})
    api = services.get("api") or {}
    env = api.get("environment") or {}
    if env.get("PORT") != "4000" or not (str(env.get("DATABASE_URL", "")).startswith("postgres://")
                                         or env.get("DB_HOST") == "postgres"):
        err(w, "api must get PORT=4000 and the compose PostgreSQL (DATABASE_URL or DB_HOST)")
    if (api.get("depends_on") or {}).get("migrate", {}).get("condition") != "service_completed_successfully":
        err(w, "api must start after migrate completed successfully")
    done()


# --------------------------------------------------------------------------- Dockerfile
def cmd_dockerfile(path):
    import dockerfile
    w = str(path)
    cmds = dockerfile.parse_file(str(path))
    stages, cur, final = {}, None, []
    for c in cmds:
        if c.cmd == "FROM":
            v = list(c.value)
            cur = v[2].lower() if len(v) >= 3 and v[1].upper() == "AS" else "stage%d" % len(stages)
            stages[cur] = []
        elif cur is None and c.cmd != "ARG":
            err(w, "line %d: %s before FROM" % (c.start_line, c.cmd))
        if cur:
            stages[cur].append(c)
        for f in c.flags:
            if f.startswith("--from=") and f[7:].lower() not in stages:
                err(w, "line %d: --from=%s names no earlier stage" % (c.start_line, f[7:]))
    if len(stages) < 2:
        err(w, "expected a multi-stage build")
    final = list(stages.values())[-1]
    text = Path(path).read_text()
    if "cargo build --release --locked -p vendhub" not in text:
        err(w, "the build must run `cargo build --release --locked -p vendhub`")
    if "cargo chef cook" not in text:
        err(w, "dependencies should be cached in their own layer (cargo chef cook)")
    by = {}
    for c in final:
        by.setdefault(c.cmd, []).append(c)
    users = [c.value[0] for c in by.get("USER", [])]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        err(w, "the runtime stage must end with a non-root USER")
    if not any("4000" in " ".join(c.value) for c in by.get("EXPOSE", [])):
        err(w, "runtime stage must EXPOSE 4000")
    if not any("/var/lib/vendhub" in " ".join(c.value) for c in by.get("VOLUME", [])):
        err(w, "runtime stage must declare VOLUME /var/lib/vendhub")
    hc = by.get("HEALTHCHECK", [])
    if not hc or list(hc[-1].value) != ["CMD", "vendhub", "healthcheck"]:
        err(w, "HEALTHCHECK must be CMD [\"vendhub\", \"healthcheck\"]")
    env = " ".join(" ".join(c.value) for c in by.get("ENV", []))
    if "VENDHUB_DATA_DIR" not in env or "/var/lib/vendhub" not in env:
        err(w, "runtime stage must set VENDHUB_DATA_DIR=/var/lib/vendhub")
    ep = by.get("ENTRYPOINT", [])
    if not ep or list(ep[-1].value) != ["vendhub"]:
        err(w, "ENTRYPOINT must be [\"vendhub\"]")
    ignore = Path(str(path) + ".dockerignore")
    if not ignore.exists():
        err(w, "missing %s" % ignore)
    else:
        pats = [l.strip() for l in ignore.read_text().splitlines() if l.strip() and not l.startswith("#")]
        for must_keep in ("Cargo.toml", "Cargo.lock", "crates"):
            if must_keep in pats or "*" in pats:
                err(str(ignore), "excludes %s, which the build needs" % must_keep)
    server = Path(path).resolve().parent.parent / "crates" / "server" / "Cargo.toml"
    if server.exists() and not re.search(r'(?m)^name\s*=\s*"vendhub"', server.read_text()):
        err(str(server), "package name must be vendhub (the Dockerfile builds -p vendhub)")
    done()


# --------------------------------------------------------------------------- alert rules
# Runbook 000 section 6.3, one entry per threshold cell: alert -> (severity, for, expr must contain)
RUNBOOK_ROWS = {
    "VendHubHighLatencyP95": ("warning", "5m", ["histogram_quantile(0.95", "http_request_duration_seconds_bucket", "> 2"]),
    "VendHubHighErrorRate": ("warning", "5m", ['status=~"5.."', "> 0.05"]),
    "VendHubVeryHighErrorRate": ("critical", "2m", ['status=~"5.."', "> 0.20"]),
    "VendHubApiDown": ("critical", "1m", ['up{job="vendhub-api"} == 0']),
    "VendHubWebUnavailable": ("critical", "1m", ['up{job="vendhub-api"}']),
    "VendHubTelegramBotDown": ("warning", "2m", ["/api/v1/telegram/webhook"]),
    "HostHighCpu": ("warning", "5m", ["node_cpu_seconds_total", "> 80"]),
    "HostHighMemory": ("warning", "5m", ["node_memory_MemAvailable_bytes", "> 85"]),
    "HostDiskUsageHigh": ("warning", "10m", ["node_filesystem_avail_bytes", "> 80"]),
    "HostDiskUsageCritical": ("critical", "5m", ["node_filesystem_avail_bytes", "> 95"]),
    "PostgresDown": ("critical", "1m", ["pg_up == 0"]),
    "PostgresConnectionsHigh": ("warning", "5m", ["pg_stat_activity_count", "pg_settings_max_connections", "> 0.8"]),
    "PostgresLongRunningQuery": ("warning", "5m", ['pg_stat_activity_max_tx_duration{state="active"}', "> 60"]),
    "RedisDown": ("critical", "1m", ["redis_up == 0"]),
    "RedisMemoryHigh": ("warning", "5m", ["redis_memory_used_bytes", "redis_memory_max_bytes", "> 0.8"]),
    # vendhub_orders_total and vendhub_payments_total are gauges per status read from the database (an
    # order or a transaction moves between statuses), so the runbook's "increase(...[1h]) == 0" reads as the
    # sum over statuses compared with an hour ago, and its status="failed" as the transactions cancelled
    # before they were paid (docs/payments.md, "Metrics").
    "VendHubNoOrders": ("warning", "30m", ["vendhub_orders_total", "offset 1h", "<= 0"]),
    "VendHubMachinesOffline": ("warning", "15m", ['vendhub_machine_status{', 'status="offline"']),
    "VendHubLowInventory": ("warning", "30m", ["vendhub_machine_inventory_level", "< 10"]),
    "VendHubPaymentFailureRate": ("warning", "10m", ["vendhub_payments_total", 'status="cancelled"', "offset 10m", "> 0.10"]),
}
METRIC_RE = re.compile(r"\b((?:vendhub|http|process)_[a-z_]+)\b")


def metric_base(name):
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and name[: -len(suffix)] in CONTRACT_METRICS:
            return name[: -len(suffix)]
    return name


def check_metric_names(where, expr):
    for m in METRIC_RE.findall(expr):
        if metric_base(m) not in CONTRACT_METRICS:
            err(where, "metric %s is not one the binary exports (CONTRACT / issue 7 list)" % m)


def cmd_rules(rules_path, tests_path):
    rules = [r for g in yaml.safe_load(Path(rules_path).read_text())["groups"] for r in g["rules"]]
    alerts = {r["alert"]: r for r in rules if "alert" in r}
    for r in rules:
        check_metric_names(rules_path, r["expr"])
        if "alert" in r:
            lab = r.get("labels") or {}
            if lab.get("severity") not in ("critical", "warning"):
                err(rules_path, "%s: severity must be critical or warning" % r["alert"])
            if lab.get("category") not in ("application", "infrastructure", "database", "business"):
                err(rules_path, "%s: category label missing" % r["alert"])
            if not (r.get("annotations") or {}).get("summary"):
                err(rules_path, "%s: summary annotation missing" % r["alert"])
    for name, (sev, dur, needles) in RUNBOOK_ROWS.items():
        r = alerts.get(name)
        if not r:
            err(rules_path, "runbook 6.3 alert %s is missing" % name)
            continue
        if r["labels"].get("severity") != sev or str(r.get("for")) != dur:
            err(rules_path, "%s: runbook says %s for %s, rule has %s for %s" % (
                name, sev, dur, r["labels"].get("severity"), r.get("for")))
        expr = " ".join(r["expr"].split())
        for n in needles:
            if n not in expr:
                err(rules_path, "%s: expression should contain %r" % (name, n))
        if name.startswith("VendHub") and name in ("VendHubNoOrders", "VendHubMachinesOffline",
                                                   "VendHubLowInventory", "VendHubPaymentFailureRate") \
                and r["labels"].get("category") != "business":
            err(rules_path, "%s: business rows must have category=business" % name)
    fires, silent = set(), set()
    for t in yaml.safe_load(Path(tests_path).read_text())["tests"]:
        for a in t.get("alert_rule_test") or []:
            (fires if a.get("exp_alerts") else silent).add(a["alertname"])
    for name in alerts:
        if name not in fires:
            err(tests_path, "no test shows %s firing" % name)
        if name not in silent:
            err(tests_path, "no test shows %s silent on healthy data" % name)
    for name in (fires | silent) - set(alerts):
        err(tests_path, "tests mention unknown alert %s" % name)
    done()


# --------------------------------------------------------------------------- alertmanager
def cmd_alertmanager(rendered, rules_path, amtool="amtool"):
    cfg = yaml.safe_load(Path(rendered).read_text())
    w = "deploy/monitoring/alertmanager/alertmanager.yml"
    route = cfg["route"]
    want = {"business-receiver": "2h", "critical-receiver": "1h", "warning-receiver": "4h"}
    got = {r["receiver"]: r.get("repeat_interval", route.get("repeat_interval")) for r in route.get("routes", [])}
    for rcv, iv in want.items():
        if got.get(rcv) != iv:
            err(w, "%s repeat_interval should be %s (runbook 6.4), got %s" % (rcv, iv, got.get(rcv)))
    recv = {r["name"]: r for r in cfg["receivers"]}
    crit = recv.get("critical-receiver") or {}
    to = " ".join(e.get("to", "") for e in crit.get("email_configs", []))
    if "devops@vendhub.uz" not in to or "cto@vendhub.uz" not in to or not crit.get("telegram_configs"):
        err(w, "critical-receiver: e-mail devops + CTO and Telegram")
    for rcv in ("warning-receiver", "business-receiver"):
        if not (recv.get(rcv) or {}).get("telegram_configs"):
            err(w, "%s: Telegram missing" % rcv)
    if "devops@vendhub.uz" not in json.dumps(recv.get(route["receiver"], {})):
        err(w, "default receiver should e-mail devops@vendhub.uz")
    rules = [r for g in yaml.safe_load(Path(rules_path).read_text())["groups"] for r in g["rules"]
             if "alert" in r]
    for r in rules:
        lab = r["labels"]
        expect = "business-receiver" if lab.get("category") == "business" else lab["severity"] + "-receiver"
        args = ["alertname=" + r["alert"]] + ["%s=%s" % kv for kv in sorted(lab.items())]
        out = subprocess.run([amtool, "config", "routes", "test", "--config.file=" + rendered] + args,
                             capture_output=True, text=True)
        if out.stdout.strip() != expect:
            err(w, "alert %s routes to %r, expected %s %s" % (r["alert"], out.stdout.strip(), expect,
                                                             out.stderr.strip()))
    done()


# --------------------------------------------------------------------------- grafana
def cmd_grafana(gdir, out_rules):
    gdir = Path(gdir)
    ds = yaml.safe_load((gdir / "provisioning/datasources/datasources.yml").read_text())
    uids = {d["uid"]: d["type"] for d in ds["datasources"]}
    prov = yaml.safe_load((gdir / "provisioning/dashboards/dashboards.yml").read_text())
    if prov["providers"][0]["options"]["path"] != "/var/lib/grafana/dashboards":
        err(str(gdir), "dashboard provider path must be /var/lib/grafana/dashboards (compose mount)")
    records = []
    exprs = []
    files = sorted((gdir / "dashboards").glob("*.json"))
    if not files:
        err(str(gdir), "no dashboards")
    for f in files:
        try:
            dash = json.loads(f.read_text())
        except json.JSONDecodeError as e:
            err(str(f), "invalid JSON: %s" % e)
            continue
        if not dash.get("uid") or not dash.get("title"):
            err(str(f), "dashboard needs uid and title")
        ids = set()
        for p in dash.get("panels", []):
            if p["id"] in ids:
                err(str(f), "duplicate panel id %s" % p["id"])
            ids.add(p["id"])
            for t in p.get("targets", []):
                d = t.get("datasource") or p.get("datasource") or {}
                if d.get("uid") not in uids or uids[d["uid"]] != d.get("type"):
                    err(str(f), "panel %r uses unprovisioned datasource %s" % (p["title"], d))
                    continue
                if d["type"] == "prometheus":
                    e = t["expr"]
                    exprs.append(e)
                    check_metric_names("%s panel %r" % (f, p["title"]), e)
                    for var, val in (("$__rate_interval", "5m"), ("$__interval", "1m"), ("$__range", "1h")):
                        e = e.replace(var, val)
                    if "$" in e:
                        err(str(f), "panel %r: unresolved variable in %s" % (p["title"], e))
                    records.append({"record": "dashboard:panel_%d_%s" % (p["id"], t["refId"]), "expr": e})
        joined = " ".join(exprs)
        for needle in ("http_requests_total", "histogram_quantile(0.5", "histogram_quantile(0.95",
                       "histogram_quantile(0.99", 'status=~"5.."', "vendhub_machine_status",
                       "vendhub_orders_total", "vendhub_payments_total", "vendhub_jobs_queued",
                       "vendhub_db_pool_connections"):
            if needle not in joined:
                err(str(f), "dashboard lacks a panel on %s" % needle)
    Path(out_rules).write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": records}]}))
    done()


# --------------------------------------------------------------------------- prometheus
def cmd_prometheus(path, compose_path, out):
    cfg = yaml.safe_load(Path(path).read_text())
    compose = yaml.safe_load(Path(compose_path).read_text())
    services = compose["services"]
    jobs = {j["job_name"]: j for j in cfg["scrape_configs"]}
    want = {"vendhub-api": None, "postgres": "postgres-exporter:9187", "redis": "redis-exporter:9121",
            "node": "node-exporter:9100", "nginx": "nginx-exporter:9113", "cadvisor": "cadvisor:8080"}
    for job, target in want.items():
        if job not in jobs:
            err(path, "scrape job %s missing (runbook 6.2)" % job)
            continue
        j = jobs[job]
        targets = [t for sc in j.get("static_configs", []) for t in sc["targets"]]
        if target and target not in targets:
            err(path, "job %s should scrape %s" % (job, target))
    api = jobs.get("vendhub-api") or {}
    if api.get("scrape_interval") != "10s" or api.get("metrics_path", "/metrics") != "/metrics":
        err(path, "vendhub-api: scrape every 10s at /metrics (runbook 6.2)")
    for j in jobs.values():
        for sc in j.get("static_configs", []):
            for t in sc["targets"]:
                host = t.split(":")[0]
                if host != "localhost" and host not in services:
                    err(path, "job %s target %s is not a compose service" % (j["job_name"], t))
        for sd in j.get("dns_sd_configs", []):
            for n in sd["names"]:
                if n not in services:
                    err(path, "job %s DNS name %s is not a compose service" % (j["job_name"], n))
    # Path-mapped copy for a full `promtool check config` (which opens every referenced file):
    # container paths -> repository paths and an empty token file.
    here = Path(path).resolve().parent
    token = Path(out).parent / "metrics_token"
    token.write_text("")
    text = Path(path).read_text()
    text = text.replace("/etc/prometheus/rules/", str(here / "rules") + "/")
    text = text.replace("/prometheus/metrics_token", str(token))
    Path(out).write_text(text)
    done()


# --------------------------------------------------------------------------- loki / promtail
def cmd_loki(loki_path, promtail_path):
    lk = yaml.safe_load(Path(loki_path).read_text())
    if lk.get("server", {}).get("http_listen_port") != 3100:
        err(loki_path, "Loki must listen on 3100 (Grafana datasource, promtail)")
    sc = (lk.get("schema_config") or {}).get("configs") or []
    if not sc or not all(c.get("store") and c.get("schema") and c.get("object_store") for c in sc):
        err(loki_path, "schema_config.configs needs store, schema and object_store")
    if (lk.get("limits_config") or {}).get("retention_period") and \
            not (lk.get("compactor") or {}).get("retention_enabled"):
        err(loki_path, "retention_period needs compactor.retention_enabled")
    pt = yaml.safe_load(Path(promtail_path).read_text())
    urls = [c.get("url") for c in pt.get("clients", [])]
    if "http://loki:3100/loki/api/v1/push" not in urls:
        err(promtail_path, "promtail must push to http://loki:3100/loki/api/v1/push")
    if not pt.get("scrape_configs"):
        err(promtail_path, "no scrape_configs")
    done()


# --------------------------------------------------------------------------- nginx
def cmd_nginx(ndir, nginx_root, outdir):
    """Render the template as the nginx image does (envsubst of the defined variables) and map
    container paths into OUT_DIR so Debian's nginx can run `nginx -t` on it."""
    ndir, nginx_root, outdir = Path(ndir), Path(nginx_root), Path(outdir)
    env = {"API_DOMAIN": "api.vendhub.uz", "ADMIN_DOMAIN": "admin.vendhub.uz",
           "APP_DOMAIN": "app.vendhub.uz", "BOT_DOMAIN": "bot.vendhub.uz", "WS_DOMAIN": "ws.vendhub.uz"}
    (outdir / "conf.d").mkdir(parents=True, exist_ok=True)
    (outdir / "logs").mkdir(exist_ok=True)
    (outdir / "tmp").mkdir(exist_ok=True)
    main = (ndir / "nginx.conf").read_text()
    for tpl in sorted((ndir / "templates").glob("*.template")):
        text = tpl.read_text()
        for k, v in env.items():
            text = text.replace("${%s}" % k, v)
        left = re.findall(r"\$\{[A-Z_]+\}", text)
        if left:
            err(str(tpl), "variables without a value in docker-compose.yml: %s" % sorted(set(left)))
        text = text.replace("/etc/letsencrypt/live/vendhub/", str(outdir) + "/")
        (outdir / "conf.d" / tpl.name[: -len(".template")]).write_text(text)
    # Substitutions for running outside the container: the `nginx` user, and its paths.
    main = re.sub(r"(?m)^user\s+\S+;", "", main)
    main = main.replace("/etc/nginx/conf.d/", str(outdir / "conf.d") + "/")
    main = main.replace("/etc/nginx/mime.types", str(nginx_root / "etc/nginx/mime.types"))
    main = main.replace("/var/log/nginx/", str(outdir / "logs") + "/")
    main = main.replace("/var/run/nginx.pid", str(outdir / "nginx.pid"))
    # Debian's binary has compiled-in temp paths under /var/lib/nginx: point them at OUT_DIR.
    temps = "".join("  %s_temp_path %s;\n" % (t, outdir / "tmp" / t)
                    for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = re.sub(r"(?m)^http \{\n", "http {\n" + temps, main, count=1)
    (outdir / "nginx.conf").write_text(main)
    done()


# --------------------------------------------------------------------------- real binary
def cmd_config_check(binary, tmpdir, compose_json, *rendered):
    """Run `vendhub config check` with the environment each deployment gives the binary."""
    cases = []
    api = json.loads(Path(compose_json).read_text())["services"]["api"]
    cases.append(("docker-compose.yml (api)", {k: str(v) for k, v in (api.get("environment") or {}).items()}))
    for f in rendered:
        docs = load_all(f)
        deps = find(docs, "Deployment", is_api)
        if not deps:
            continue
        env = {}
        for cm in find(docs, "ConfigMap"):
            env.update(cm.get("data") or {})
        for e in pod_spec(deps[0])["containers"][0].get("env") or []:
            ref = (e.get("valueFrom") or {}).get("secretKeyRef")
            if "value" in e:
                env[e["name"]] = str(e["value"])
            elif ref and not ref.get("optional"):  # the smallest Secret that must work
                env[e["name"]] = {"DATABASE_URL": "postgres://vendhub:pw@postgres:5432/vendhub"}.get(
                    e["name"], hashlib.sha256(e["name"].encode()).hexdigest())
        env["KUBERNETES_SERVICE_HOST"] = "10.0.0.1"  # always injected, even without service links
        cases.append(("%s (Deployment %s)" % (f, deps[0]["metadata"]["name"]), env))
    for where, env in cases:
        env = dict(env, VENDHUB_DATA_DIR=tmpdir, PATH="/usr/bin:/bin", HOME=tmpdir)
        out = subprocess.run([binary, "config", "check"], env=env, cwd=tmpdir, capture_output=True,
                             text=True)
        if out.returncode != 0:
            err(where, "`vendhub config check` refused this environment: %s" % (
                (out.stderr or out.stdout).strip().splitlines() or ["(no output)"])[0])
    done()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {
        "k8s": lambda: cmd_k8s(*args),
        "k8s-same": lambda: cmd_k8s_same(*args),
        "compose": lambda: cmd_compose(*args),
        "dockerfile": lambda: cmd_dockerfile(*args),
        "subcommands": lambda: cmd_subcommands(args[0], args[1:]),
        "rules": lambda: cmd_rules(*args),
        "alertmanager": lambda: cmd_alertmanager(*args),
        "grafana": lambda: cmd_grafana(*args),
        "prometheus": lambda: cmd_prometheus(*args),
        "loki": lambda: cmd_loki(*args),
        "nginx": lambda: cmd_nginx(*args),
        "config-check": lambda: cmd_config_check(*args),
    }[cmd]()


if __name__ == "__main__":
    main()
