#!/usr/bin/env python3
"""Sign-in cost and authenticated reads on the embedded default.

- POST /api/v1/auth/login: logins/s (bounded by argon2id, m=19 MiB, t=2, p=1) and the server's CPU
  seconds per login, measured from /proc over the run.
- GET /api/v1/auth/me with a Bearer token: requests/s and latency (JWT check + session and user lookup).
- GET /health on the same server, as the yardstick the other two are compared with.

Rate limits are turned off for the run (RATE_LIMIT_LIMIT=0, RATE_LIMIT_AUTH_LIMIT high).
Usage: python3 bench/auth.py [--name auth] [--duration 10] [--connections 16] [--threads 2]"""
import argparse
import json
import os
import time
import urllib.request

import vendhub_bench as vb

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default="auth")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    vb.ensure_wrk()
    server = vb.Server(vb.build(), {"RATE_LIMIT_LIMIT": "0", "RATE_LIMIT_AUTH_LIMIT": "100000000"})
    try:
        req = urllib.request.Request(server.base + "/api/v1/auth/login", method="POST",
                                     data=b'{"email":"bench@vendhub.local","password":"bench-password-123"}',
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req) as r:
            token = json.load(r)["access_token"]
        cpu0 = server.cpu()
        login = vb.wrk(server.base + "/api/v1/auth/login", args.threads, args.connections, args.duration,
                       script=os.path.join(HERE, "login.lua"))
        cpu_login = server.cpu() - cpu0
        me = vb.wrk(server.base + "/api/v1/auth/me", args.threads, args.connections, args.duration,
                    script=os.path.join(HERE, "bearer.lua"), env={"BENCH_TOKEN": token})
        health = vb.wrk(server.base + "/health", args.threads, args.connections, args.duration)
    finally:
        code = server.stop()

    per_login_ms = round(cpu_login / login["requests"] * 1000, 2) if login["requests"] else None
    result = {
        "name": args.name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": vb.machine(),
        "setup": {"backend": "sqlite (embedded default)", "tool": "wrk", "threads": args.threads,
                  "connections": args.connections, "duration_s": args.duration,
                  "argon2id": {"m_kib": 19456, "t": 2, "p": 1}},
        "login": {**login, "server_cpu_ms_per_login": per_login_ms},
        "me": me,
        "health": health,
        "ratios": {
            "me_vs_health_throughput": round(me["requests_per_sec"] / health["requests_per_sec"], 3),
            "login_vs_health_throughput": round(login["requests_per_sec"] / health["requests_per_sec"], 4),
        },
        "exit_code_after_sigterm": code,
    }
    path = vb.write(args.name, result)
    print(f"POST /api/v1/auth/login {login['requests_per_sec']:>9.1f} logins/s  p50 {login['p50_ms']} ms  "
          f"p99 {login['p99_ms']} ms  server CPU {per_login_ms} ms/login  non-2xx {login['non_2xx']}")
    print(f"GET  /api/v1/auth/me    {me['requests_per_sec']:>9.0f} req/s     p50 {me['p50_ms']} ms  "
          f"p99 {me['p99_ms']} ms  non-2xx {me['non_2xx']}")
    print(f"GET  /health            {health['requests_per_sec']:>9.0f} req/s")
    print(f"me/health {result['ratios']['me_vs_health_throughput']}, "
          f"login/health {result['ratios']['login_vs_health_throughput']}")
    print(f"written: {path}")


if __name__ == "__main__":
    main()
