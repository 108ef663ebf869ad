#!/usr/bin/env python3
"""Field tasks on both backends: GET /api/v1/tasks/my for an operator with 500 tasks (wrk), and refill
completions with 10 items each (completions/s: each one transaction moving 10 slot refills out of the
operator's stock, with the state change, audit record and event).

For each backend (SQLite file, and PostgreSQL when --pg-url answers) the script seeds the demo fleet,
gives one machine a 10-slot planogram with room for the whole run, gives an operator the stock, creates
and starts --tasks refill tasks (no photo proof), then completes them from --connections threads.
Usage: python3 bench/tasks.py [--name tasks] [--tasks 400] [--duration 8] [--connections 8] [--threads 2]
                              [--binary target/release/vendhub] [--pg-url postgres://postgres@127.0.0.1:5432/test]"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import vendhub_bench as vb

HERE = os.path.dirname(os.path.abspath(__file__))
OPERATOR = ("field@vendhub.local", "quiet-river-4821-lamp")


def api(base, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def login(base, email, password):
    return api(base, "POST", "/api/v1/auth/login", body={"email": email, "password": password})["access_token"]


def prepare(base, token, count):
    """An operator with stock, a machine with 10 large slots, and `count` started refill tasks."""
    op = api(base, "POST", "/api/v1/users", token,
             {"email": OPERATOR[0], "full_name": "Bench Operator", "password": OPERATOR[1], "role": "operator"})
    op_token = login(base, *OPERATOR)
    warehouse = api(base, "GET", "/api/v1/warehouses", token)[0]["id"]
    products = [p["id"] for p in api(base, "GET", "/api/v1/products?limit=10", token)["data"]][:10]
    machine = api(base, "POST", "/api/v1/machines", token,
                  {"number": "BENCH-TASKS", "name": "Bench tasks", "machine_type": "snack"})["id"]
    slots = [{"slot": f"A{i + 1}", "product_id": p, "capacity": 10_000, "par_level": 10_000, "price": None}
             for i, p in enumerate(products)]
    api(base, "PUT", f"/api/v1/machines/{machine}/planogram", token, {"slots": slots})
    for p in products:
        api(base, "POST", "/api/v1/inventory/purchases", token,
            {"warehouse_id": warehouse, "product_id": p, "quantity": count, "unit_cost": 100})
        api(base, "POST", "/api/v1/inventory/transfers", token,
            {"product_id": p, "from": f"warehouse:{warehouse}", "to": f"operator:{op['id']}", "quantity": count})
    items = [{"product_id": p, "slot": f"A{i + 1}", "planned_qty": 1} for i, p in enumerate(products)]
    ids = []
    for _ in range(count):
        t = api(base, "POST", "/api/v1/tasks", token,
                {"task_type": "refill", "machine_id": machine, "assignee_id": op["id"], "requires_photos": False,
                 "items": items})
        api(base, "POST", f"/api/v1/tasks/{t['id']}/start", op_token, {})
        ids.append(t["id"])
    return op_token, machine, ids


def complete_all(base, token, ids, connections):
    def one(task):
        started = time.perf_counter()
        try:
            api(base, "POST", f"/api/v1/tasks/{task}/complete", token, {})
            ok = True
        except urllib.error.HTTPError:
            ok = False
        return ok, (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=connections) as pool:
        results = list(pool.map(one, ids))
    elapsed = time.perf_counter() - started
    lat = sorted(ms for _, ms in results)
    ok = sum(1 for good, _ in results if good)
    return {"completions": ok, "failed": len(ids) - ok, "seconds": round(elapsed, 3),
            "completions_per_sec": round(ok / elapsed, 1), "p50_ms": round(lat[len(lat) // 2], 2),
            "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 2), "items_per_task": 10}


def run_backend(binary, args, database_url):
    env = {"RATE_LIMIT_LIMIT": "0", "RATE_LIMIT_AUTH_LIMIT": "100000000", "JOB_POLL_INTERVAL": "5s",
           "FEATURE_TASK_AUTOMATION": "false"}
    if database_url:
        env["DATABASE_URL"] = database_url
    server = vb.Server(binary, env)
    try:
        seed_env = {"PATH": os.environ.get("PATH", ""), "LOG_LEVEL": "warn", **env}
        subprocess.run([binary, "seed", "--demo"], cwd=server.work, env=seed_env, check=True, capture_output=True)
        token = login(server.base, "bench@vendhub.local", "bench-password-123")
        op_token, machine, ids = prepare(server.base, token, args.tasks)
        my = vb.wrk(server.base + "/api/v1/tasks/my?page=1&limit=50", args.threads, args.connections, args.duration,
                    script=os.path.join(HERE, "bearer.lua"), env={"BENCH_TOKEN": op_token})
        completions = complete_all(server.base, op_token, ids, args.connections)
        inv = api(server.base, "GET", f"/api/v1/machines/{machine}/inventory", token)
        completions["units_in_slots"] = sum(s["quantity"] for s in inv)
    finally:
        server.stop()
    return {"my_tasks_page": my, "refill_completions": completions}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default="tasks")
    ap.add_argument("--tasks", type=int, default=400)
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--binary", default=None, help="a built vendhub binary (default: build the release one)")
    ap.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()

    vb.ensure_wrk()
    binary = args.binary or vb.build()
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
    result = {
        "name": args.name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": vb.machine(),
        "setup": {"tasks": args.tasks, "items_per_task": 10, "tool": "wrk + python threads",
                  "threads": args.threads, "connections": args.connections, "duration_s": args.duration,
                  "binary": args.binary or "release"},
        "results": results,
    }
    path = vb.write(args.name, result)
    for backend, r in results.items():
        if "skipped" in r:
            print(f"{backend}: skipped ({r['skipped']})")
            continue
        c = r["refill_completions"]
        print(f"{backend}: my tasks {r['my_tasks_page']['requests_per_sec']:.0f} req/s "
              f"(p99 {r['my_tasks_page']['p99_ms']} ms), refill completions {c['completions_per_sec']} /s "
              f"(10 items each, p99 {c['p99_ms']} ms, failed {c['failed']}, units in slots {c['units_in_slots']})")
    print(f"written: {path}")


if __name__ == "__main__":
    main()
