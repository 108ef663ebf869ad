"""Shared pieces of the benchmarks: build the release binary, start `vendhub serve` in a fresh folder on
the embedded default, run wrk (installed from Debian when missing) and read its numbers, read the process's
memory and CPU time, and write bench/results/<name>.json."""
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("installing wrk (Debian package)", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)


def build():
    """The release binary: built from this checkout, or the one VENDHUB_BENCH_BINARY names (to compare two
    versions on the same machine in one sitting)."""
    given = os.environ.get("VENDHUB_BENCH_BINARY")
    if given:
        return given
    subprocess.run(["cargo", "build", "--release", "--locked", "-p", "vendhub"], cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", "release", "vendhub")


def status_of(url, timeout=1.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except Exception:
        return None


def proc_status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def cpu_seconds(pid):
    """User + system CPU time of a process, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


class Server:
    """`vendhub serve` on the embedded default in a temporary folder."""

    def __init__(self, binary, extra_env=None):
        self.work = tempfile.mkdtemp(prefix="vendhub-bench-")
        self.port = 4700 + os.getpid() % 200
        env = {"PATH": os.environ.get("PATH", ""), "PORT": str(self.port), "HOST": "127.0.0.1", "LOG_LEVEL": "warn",
               "VENDHUB_ADMIN_EMAIL": "bench@vendhub.local", "VENDHUB_ADMIN_PASSWORD": "bench-password-123"}
        env.update(extra_env or {})
        self.base = f"http://127.0.0.1:{self.port}"
        started = time.monotonic()
        self.proc = subprocess.Popen([binary, "serve"], cwd=self.work, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        while status_of(self.base + "/health/ready") != 200:
            if self.proc.poll() is not None:
                sys.exit("vendhub exited before it was ready")
            if time.monotonic() - started > 60:
                sys.exit("vendhub was not ready within 60 s")
            time.sleep(0.005)
        self.start_to_ready_ms = round((time.monotonic() - started) * 1000, 1)

    def rss_kib(self):
        return proc_status(self.proc.pid, "VmRSS")

    def cpu(self):
        return cpu_seconds(self.proc.pid)

    def stop(self):
        self.proc.terminate()
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = None
        shutil.rmtree(self.work, ignore_errors=True)
        return code


def parse_wrk(out):
    def seconds(v, unit):
        return float(v) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]

    res = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["requests_per_sec"] = float(m.group(1)) if m else None
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        res[f"p{pct}_ms"] = round(seconds(*m.groups()) * 1000, 3) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    res["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = int(m.group(1)) if m else None
    return res


def wrk(url, threads, connections, duration, script=None, env=None):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], check=True, capture_output=True, text=True,
                         env={**os.environ, **(env or {})}).stdout
    return parse_wrk(out)


def machine():
    return {"cpus": os.cpu_count(), "platform": platform.platform()}


def write(name, result):
    path = os.path.join(ROOT, "bench", "results", f"{name}.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    return os.path.relpath(path, ROOT)
