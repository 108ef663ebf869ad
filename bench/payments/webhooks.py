#!/usr/bin/env python3
"""Customer orders and the payment webhooks under load, at 16 connections, on SQLite and (when --pg-url
answers) PostgreSQL. Target (issue #13): p99 at most 50 ms at 16 connections.

For each backend the script starts the release server, seeds the demo (`vendhub seed --demo`: 20 machines),
gives every machine an API key and a heartbeat (online), then measures, each with N client threads that
keep one HTTP/1.1 connection each (Python `http.client`; wrk cannot chain a Perform to its own Create):

* order creations: `POST /api/v1/public/machines/{number}/orders?org=…` from distinct customers
  (`X-Forwarded-For`, the server trusts 127.0.0.1 here) spread over the 20 machines until each reaches
  the per-machine limit (20 a minute, a constant of the app) or sells out: a burst, not a steady rate;
* Payme pairs: `CreateTransaction` then `PerformTransaction` for one order (JSON-RPC, Basic `Paycom:<key>`),
  each pair one customer paying; every Perform marks the order paid and queues its vend command;
* Click pairs: `prepare` then `complete` (form posts with the MD5 `sign_string`).

The orders the webhooks pay are written straight into the migrated `orders` table (sqlite3 `executemany`,
PostgreSQL `\\copy`), as `bench/panel/dashboard.py` writes its sales: the per-machine order limit would
otherwise cap the run at 400 orders a minute. The client shares the machine's cores with the server, so
the rates are lower bounds; compare ratios within one run.
Usage: python3 bench/payments/webhooks.py [--name payments] [--duration 8] [--connections 16]
                                          [--pg-url postgres://postgres@127.0.0.1:5432/test]"""
import argparse
import base64
import csv
import datetime
import glob
import hashlib
import http.client
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import vendhub_bench as vb  # noqa: E402

EMAIL, PASSWORD = "bench@vendhub.local", "bench-password-123"
PAYME_KEY = "bench-payme-key"
CLICK_SECRET, CLICK_SERVICE = "bench-click-secret", "7001"
COLUMNS = ["id", "organization_id", "machine_id", "slot_code", "product_id", "product_name", "amount", "status",
           "language", "expires_at", "created_at", "updated_at"]


class Client:
    """One keep-alive connection; every call timed."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method, path, body=None, headers=None):
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers or {})
        res = self.conn.getresponse()
        data = res.read()
        return res.status, data, (time.perf_counter() - started) * 1000


def api(base, method, path, token=None, body=None):
    import urllib.request
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(len(s) * p / 100))], 2)


def summary(latencies, elapsed, units, statuses, errors):
    return {"units": units, "units_per_sec": round(units / elapsed, 1) if elapsed else None,
            "calls": len(latencies), "calls_per_sec": round(len(latencies) / elapsed, 1) if elapsed else None,
            "p50_ms": pct(latencies, 50), "p99_ms": pct(latencies, 99), "max_ms": pct(latencies, 100),
            "elapsed_s": round(elapsed, 2), "statuses": statuses, "errors": errors[:5], "error_count": len(errors)}


def threaded(port, connections, work):
    """Runs `work(client, record)` on `connections` threads; record(latency_ms, status, unit_done, error)."""
    lock = threading.Lock()
    latencies, statuses, errors, units = [], {}, [], [0]

    def record(ms, status, done=False, error=None):
        with lock:
            latencies.append(ms)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if done:
                units[0] += 1
            if error:
                errors.append(error)

    threads = [threading.Thread(target=work, args=(Client(port), record)) for _ in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summary(latencies, time.perf_counter() - started, units[0], statuses, errors)


def order_burst(server, org_slug, menus, connections):
    """Orders from distinct customers, round-robin over the machines, each machine up to the app's limit."""
    tasks = []
    for i in range(20):
        for number, items in menus.items():
            item = items[i % len(items)]
            tasks.append((number, item["slot"]))
    lock, n = threading.Lock(), [0]

    def work(c, record):
        while True:
            with lock:
                if n[0] >= len(tasks):
                    return
                i = n[0]
                n[0] += 1
            number, slot = tasks[i]
            status, data, ms = c.call("POST", f"/api/v1/public/machines/{number}/orders?org={org_slug}",
                                      json.dumps({"slot": slot}),
                                      {"Content-Type": "application/json",
                                       "X-Forwarded-For": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"})
            record(ms, status, status == 201, None if status in (201, 409, 429) else data[:200].decode())

    return threaded(server.port, connections, work)


def insert_orders(server, database_url, org, menus, machine_ids, n):
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    fmt = "%Y-%m-%d %H:%M:%S"
    rows, ids = [], []
    numbers = list(menus)
    for i in range(n):
        number = numbers[i % len(numbers)]
        item = menus[number][i % len(menus[number])]
        oid = str(uuid.uuid4())
        ids.append((oid, item["price"]))
        rows.append([oid, org, machine_ids[number], item["slot"], item["product_id"], item["name"], item["price"],
                     "created", "ru", (now + datetime.timedelta(hours=2)).strftime(fmt), now.strftime(fmt),
                     now.strftime(fmt)])
    if database_url is None:
        path = glob.glob(os.path.join(server.work, "**", "vendhub.db"), recursive=True)[0]
        db = sqlite3.connect(path, timeout=30)
        db.executemany(f"INSERT INTO orders ({','.join(COLUMNS)}) VALUES ({','.join('?' * len(COLUMNS))})", rows)
        db.commit()
        db.close()
    else:
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        subprocess.run(["psql", database_url, "-qc", f"\\copy orders ({','.join(COLUMNS)}) FROM STDIN CSV"],
                       input=buf.getvalue(), text=True, check=True)
        subprocess.run(["psql", database_url, "-qc", "ANALYZE"], check=True)
    return ids


def queue_runner(items, duration, pair):
    """A work function taking items off a shared list until it is empty or `duration` is over."""
    lock, n, until = threading.Lock(), [0], time.perf_counter() + duration

    def work(c, record):
        while time.perf_counter() < until:
            with lock:
                if n[0] >= len(items):
                    return
                i = n[0]
                n[0] += 1
            pair(c, record, i, items[i])

    return work


def payme_pair(c, record, i, order):
    oid, amount = order
    auth = "Basic " + base64.b64encode(f"Paycom:{PAYME_KEY}".encode()).decode()
    headers = {"Content-Type": "text/json; charset=UTF-8", "Authorization": auth}
    tx = f"{0x7a000000 + i:024x}"
    for method, params in (("CreateTransaction", {"id": tx, "time": int(time.time() * 1000), "amount": amount,
                                                  "account": {"order_id": oid}}),
                           ("PerformTransaction", {"id": tx})):
        status, data, ms = c.call("POST", "/api/v1/payments/payme",
                                  json.dumps({"method": method, "params": params, "id": i}), headers)
        try:
            answer = json.loads(data)
        except ValueError:
            answer = {}
        ok = status == 200 and "result" in answer
        done = ok and method == "PerformTransaction" and answer["result"].get("state") == 2
        record(ms, status, done, None if ok else f"{method}: {data[:200].decode(errors='replace')}")
        if not ok:
            return


def click_sign(*parts):
    return hashlib.md5("".join(parts).encode()).hexdigest()


def click_pair(c, record, i, order):
    oid, amount = order
    trans, paydoc = str(9_000_000_000 + i), str(8_000_000_000 + i)
    so_m = str(amount // 100) if amount % 100 == 0 else f"{amount / 100:.2f}"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    sign_time = time.strftime("%Y-%m-%d %H:%M:%S")
    prepare = {"click_trans_id": trans, "service_id": CLICK_SERVICE, "click_paydoc_id": paydoc,
               "merchant_trans_id": oid, "amount": so_m, "action": "0", "error": "0", "error_note": "Success",
               "sign_time": sign_time,
               "sign_string": click_sign(trans, CLICK_SERVICE, CLICK_SECRET, oid, so_m, "0", sign_time)}
    status, data, ms = c.call("POST", "/api/v1/payments/click/prepare", urllib.parse.urlencode(prepare), headers)
    try:
        answer = json.loads(data)
    except ValueError:
        answer = {}
    ok = status == 200 and answer.get("error") == 0
    record(ms, status, False, None if ok else f"prepare: {data[:200].decode(errors='replace')}")
    if not ok:
        return
    prepare_id = str(answer["merchant_prepare_id"])
    complete = {**prepare, "action": "1", "merchant_prepare_id": prepare_id,
                "sign_string": click_sign(trans, CLICK_SERVICE, CLICK_SECRET, oid, prepare_id, so_m, "1", sign_time)}
    status, data, ms = c.call("POST", "/api/v1/payments/click/complete", urllib.parse.urlencode(complete), headers)
    try:
        answer = json.loads(data)
    except ValueError:
        answer = {}
    ok = status == 200 and answer.get("error") == 0
    record(ms, status, ok, None if ok else f"complete: {data[:200].decode(errors='replace')}")


def run_backend(binary, args, database_url):
    env = {"RATE_LIMIT_LIMIT": "0", "JOB_POLL_INTERVAL": "5s", "APP_ENV": "development",
           "TRUSTED_PROXIES": "127.0.0.1",
           "PAYME_MERCHANT_ID": "bench-merchant", "PAYME_SECRET_KEY": PAYME_KEY,
           "CLICK_MERCHANT_ID": "7002", "CLICK_SECRET_KEY": CLICK_SECRET, "CLICK_SERVICE_ID": CLICK_SERVICE,
           # Nothing leaves the machine: the vends are never taken, and no refund reaches a provider.
           "VEND_COMMAND_TTL": "1h", "PAYME_API_URL": "http://127.0.0.1:9/api",
           "CLICK_API_URL": "http://127.0.0.1:9/v2/merchant", "UZUM_API_URL": "http://127.0.0.1:9"}
    if database_url:
        env["DATABASE_URL"] = database_url
    server = vb.Server(binary, env)
    try:
        seed_env = {"PATH": os.environ.get("PATH", ""), "LOG_LEVEL": "warn", **env}
        subprocess.run([binary, "seed", "--demo"], cwd=server.work, env=seed_env, check=True, capture_output=True)
        token = api(server.base, "POST", "/api/v1/auth/login",
                    body={"email": EMAIL, "password": PASSWORD})["access_token"]
        org = api(server.base, "GET", "/api/v1/organizations/current", token)
        machines = api(server.base, "GET", "/api/v1/machines?limit=100", token)["data"]
        menus, machine_ids = {}, {}
        for m in machines:
            key = api(server.base, "POST", f"/api/v1/machines/{m['id']}/api-keys", token, {"label": "bench"})["key"]
            import urllib.request
            req = urllib.request.Request(server.base + "/api/v1/gateway/events", method="POST",
                                         data=json.dumps({"machine_id": m["id"], "events": [
                                             {"type": "heartbeat", "id": str(uuid.uuid4())}]}).encode(),
                                         headers={"Content-Type": "application/json", "X-Api-Key": key})
            urllib.request.urlopen(req).read()
            menu = api(server.base, "GET", f"/api/v1/public/machines/{m['number']}?org={org['slug']}")
            items = [i for i in menu["items"] if i["available"] and i["price"] > 0]
            if items:
                menus[m["number"]], machine_ids[m["number"]] = items, m["id"]
        orders = order_burst(server, org["slug"], menus, args.connections)
        payme_orders = insert_orders(server, database_url, org["id"], menus, machine_ids, args.orders)
        payme = threaded(server.port, args.connections, queue_runner(payme_orders, args.duration, payme_pair))
        click_orders = insert_orders(server, database_url, org["id"], menus, machine_ids, args.orders)
        click = threaded(server.port, args.connections, queue_runner(click_orders, args.duration, click_pair))
        paid = api(server.base, "GET", "/api/v1/orders?status=paid&limit=1", token)["meta"]["total"]
    finally:
        server.stop()
    out = {"machines_taking_orders": len(menus), "order_creations": orders, "payme_pairs": payme,
           "click_pairs": click, "orders_paid_after": paid}
    out["p99_within_50ms"] = {k: (out[k]["p99_ms"] or 1e9) <= 50 for k in ("order_creations", "payme_pairs",
                                                                            "click_pairs")}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default="payments")
    ap.add_argument("--duration", type=int, default=8, help="seconds per webhook run at most")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--orders", type=int, default=20_000, help="orders written for each webhook run")
    ap.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()

    binary = vb.build()
    results = {"sqlite": run_backend(binary, args, None)}
    db = f"vh_bench_{uuid.uuid4().hex[:12]}"
    created = subprocess.run(["psql", args.pg_url, "-qc", f"CREATE DATABASE {db}"], capture_output=True)
    if created.returncode == 0:
        try:
            results["postgres"] = run_backend(binary, args, args.pg_url.rsplit("/", 1)[0] + "/" + db)
        finally:
            subprocess.run(["psql", args.pg_url, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"],
                           capture_output=True)
    else:
        results["postgres"] = {"skipped": created.stderr.decode().strip()}
    result = {
        "name": args.name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": vb.machine(),
        "build": "debug" if "/debug/" in binary else "release",
        "setup": {"tool": "python http.client, one keep-alive connection per thread",
                  "connections": args.connections, "duration_s": args.duration, "orders_written": args.orders,
                  "target": "p99 <= 50 ms at 16 connections",
                  "units": "order_creations: orders created; payme_pairs: Create+Perform pairs performed; "
                           "click_pairs: Prepare+Complete pairs completed; p50/p99 are per call"},
        "results": results,
    }
    path = vb.write(args.name, result)
    for backend, r in results.items():
        if "skipped" in r:
            print(f"{backend}: skipped ({r['skipped']})")
            continue
        for k in ("order_creations", "payme_pairs", "click_pairs"):
            s = r[k]
            print(f"{backend} {k}: {s['units_per_sec']} /s ({s['calls_per_sec']} calls/s), p50 {s['p50_ms']} ms, "
                  f"p99 {s['p99_ms']} ms, statuses {s['statuses']}, errors {s['error_count']} {s['errors'][:1]}")
    print(f"written: {path}")


if __name__ == "__main__":
    main()
