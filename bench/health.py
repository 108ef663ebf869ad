#!/usr/bin/env python3
"""Health endpoints on the embedded default: time from start to ready, wrk on GET /health and
GET /health/ready (interleaved rounds), resident memory idle and at its peak under load.

Usage: python3 bench/health.py [--name health] [--duration 10] [--connections 32] [--threads 2] [--rounds 2]
Numbers, not assertions: compare ratios measured in the same run."""
import argparse
import threading
import time

import vendhub_bench as vb


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default="health")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()

    vb.ensure_wrk()
    server = vb.Server(vb.build())
    try:
        time.sleep(1.0)
        idle = server.rss_kib()
        peak = {"rss": 0}
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak["rss"] = max(peak["rss"], server.rss_kib() or 0)
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        runs = {"/health": [], "/health/ready": []}
        for _ in range(args.rounds):
            for path in runs:  # interleaved, so drift on a shared machine hits both alike
                runs[path].append(vb.wrk(server.base + path, args.threads, args.connections, args.duration))
        stop.set()
        sampler.join()
    finally:
        code = server.stop()

    best = {p: max(r, key=lambda x: x["requests_per_sec"] or 0) for p, r in runs.items()}
    result = {
        "name": args.name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": vb.machine(),
        "setup": {"backend": "sqlite (embedded default)", "tool": "wrk", "threads": args.threads,
                  "connections": args.connections, "duration_s": args.duration, "rounds": args.rounds},
        "start_to_ready_ms": server.start_to_ready_ms,
        "rss_idle_mib": round(idle / 1024, 1),
        "rss_under_load_peak_mib": round(peak["rss"] / 1024, 1),
        "endpoints": runs,
        "ratios": {
            "ready_vs_health_throughput": round(best["/health/ready"]["requests_per_sec"]
                                                / best["/health"]["requests_per_sec"], 3),
            "rss_load_vs_idle": round(peak["rss"] / idle, 2),
        },
        "exit_code_after_sigterm": code,
    }
    path = vb.write(args.name, result)
    print(f"start to ready:      {server.start_to_ready_ms} ms")
    print(f"RSS idle / peak:     {result['rss_idle_mib']} MiB / {result['rss_under_load_peak_mib']} MiB")
    for p, r in best.items():
        print(f"GET {p:<14} {r['requests_per_sec']:>10.0f} req/s   p50 {r['p50_ms']} ms   p99 {r['p99_ms']} ms"
              f"   non-2xx {r['non_2xx']}")
    print(f"ready/health throughput ratio: {result['ratios']['ready_vs_health_throughput']}")
    print(f"written: {path}")


if __name__ == "__main__":
    main()
