#!/usr/bin/env python3
"""Fleet and stock on both backends: GET /api/v1/machines?page=1&limit=50 over 1,000 machines,
GET /api/v1/inventory/warehouse, and a stream of one-unit transfers (movements/s, each one transaction
with its balances and audit record).

For each backend (SQLite file, and PostgreSQL when --pg-url answers) the script seeds the demo fleet
with `vendhub seed --demo`, adds machines up to 1,000 through the API, buys stock, then runs wrk.
Usage: python3 bench/fleet.py [--name fleet] [--duration 8] [--connections 16] [--threads 2]
                              [--pg-url postgres://postgres@127.0.0.1:5432/test]"""
import argparse
import json
import os
import subprocess
import time
import urllib.request
import uuid

import vendhub_bench as vb

HERE = os.path.dirname(os.path.abspath(__file__))


def api(base, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def run_backend(binary, args, database_url):
    env = {"RATE_LIMIT_LIMIT": "0", "RATE_LIMIT_AUTH_LIMIT": "100000000", "JOB_POLL_INTERVAL": "5s"}
    if database_url:
        env["DATABASE_URL"] = database_url
    server = vb.Server(binary, env)
    try:
        seed_env = {"PATH": os.environ.get("PATH", ""), "LOG_LEVEL": "warn", **env}
        subprocess.run([binary, "seed", "--demo"], cwd=server.work, env=seed_env, check=True, capture_output=True)
        token = api(server.base, "POST", "/api/v1/auth/login",
                    body={"email": "bench@vendhub.local", "password": "bench-password-123"})["access_token"]
        total = api(server.base, "GET", "/api/v1/machines?limit=1", token)["meta"]["total"]
        for i in range(total, 1000):
            api(server.base, "POST", "/api/v1/machines", token,
                {"number": f"BENCH-{i:04d}", "name": f"Bench machine {i}", "machine_type": "snack"})
        warehouse = api(server.base, "GET", "/api/v1/warehouses", token)[0]["id"]
        product = api(server.base, "GET", "/api/v1/inventory/warehouse", token)[0]["product_id"]
        users = api(server.base, "GET", "/api/v1/users?limit=100", token)["data"]
        operator = next(u["id"] for u in users if u["role"] == "operator")
        api(server.base, "POST", "/api/v1/inventory/purchases", token,
            {"warehouse_id": warehouse, "product_id": product, "quantity": 10_000_000, "unit_cost": 100})
        env_wrk = {"BENCH_TOKEN": token}
        machines = vb.wrk(server.base + "/api/v1/machines?page=1&limit=50", args.threads, args.connections,
                          args.duration, script=os.path.join(HERE, "bearer.lua"), env=env_wrk)
        stock = vb.wrk(server.base + "/api/v1/inventory/warehouse", args.threads, args.connections, args.duration,
                       script=os.path.join(HERE, "bearer.lua"), env=env_wrk)
        body = json.dumps({"product_id": product, "from": f"warehouse:{warehouse}", "to": f"operator:{operator}",
                           "quantity": 1})
        transfers = vb.wrk(server.base + "/api/v1/inventory/transfers", args.threads, args.connections,
                           args.duration, script=os.path.join(HERE, "transfer.lua"),
                           env={**env_wrk, "BENCH_BODY": body})
        moved = api(server.base, "GET", f"/api/v1/inventory/operator?operator_id={operator}", token)
        on_operator = next((b["quantity"] for b in moved if b["product_id"] == product), 0)
    finally:
        server.stop()
    return {"machines_page": machines, "warehouse_stock": stock, "transfers": transfers,
            "operator_received_units": on_operator}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default="fleet")
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()

    vb.ensure_wrk()
    binary = vb.build()
    results = {"sqlite": run_backend(binary, args, None)}
    db = f"vh_bench_{uuid.uuid4().hex[:12]}"
    admin = args.pg_url
    created = subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {db}"], capture_output=True)
    if created.returncode == 0:
        try:
            results["postgres"] = run_backend(binary, args, admin.rsplit("/", 1)[0] + "/" + db)
        finally:
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], capture_output=True)
    else:
        results["postgres"] = {"skipped": created.stderr.decode().strip()}

    ratios = {}
    if "transfers" in results.get("postgres", {}):
        for key in ("machines_page", "warehouse_stock", "transfers"):
            ratios[f"{key}_postgres_vs_sqlite"] = round(
                results["postgres"][key]["requests_per_sec"] / results["sqlite"][key]["requests_per_sec"], 3)
    result = {
        "name": args.name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": vb.machine(),
        "setup": {"machines": 1000, "tool": "wrk", "threads": args.threads, "connections": args.connections,
                  "duration_s": args.duration},
        "results": results,
        "ratios": ratios,
    }
    path = vb.write(args.name, result)
    for backend, r in results.items():
        if "skipped" in r:
            print(f"{backend}: skipped ({r['skipped']})")
            continue
        print(f"{backend}: machines page {r['machines_page']['requests_per_sec']:.0f} req/s "
              f"(p99 {r['machines_page']['p99_ms']} ms), warehouse stock {r['warehouse_stock']['requests_per_sec']:.0f} "
              f"req/s, transfers {r['transfers']['requests_per_sec']:.0f} movements/s "
              f"(non-2xx {r['transfers']['non_2xx']}, units moved {r['operator_received_units']})")
    print(f"ratios: {ratios}")
    print(f"written: {path}")


if __name__ == "__main__":
    main()
