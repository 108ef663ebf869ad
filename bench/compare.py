#!/usr/bin/env python3
"""Two builds of VendHub, measured in one sitting: runs the benchmark scripts with each binary in turn
(alternating which goes first, so drift on a shared machine falls on both), and writes the ratio
new/base of every rate (requests or completions per second), the median over the rounds, to results/<name>.json.

Usage: python3 bench/compare.py --base /path/to/old/vendhub --new /path/to/new/vendhub
                                [--scripts fleet,tasks,auth] [--rounds 2] [--duration 6] [--name compare]"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import vendhub_bench as vb

HERE = os.path.dirname(os.path.abspath(__file__))


def rates(tree, prefix=""):
    """Every rate in a result (requests_per_sec, completions_per_sec, ...), keyed by its path."""
    out = {}
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k.endswith("_per_sec") and isinstance(v, (int, float)):
                out[prefix.rstrip("/") if k == "requests_per_sec" else prefix + k] = v
            else:
                out.update(rates(v, f"{prefix}{k}/"))
    return out


def run(script, binary, name, duration):
    env = {**os.environ, "VENDHUB_BENCH_BINARY": binary}
    subprocess.run([sys.executable, os.path.join(HERE, f"{script}.py"), "--name", name,
                    "--duration", str(duration)], check=True, env=env, stdout=subprocess.DEVNULL)
    path = os.path.join(HERE, "results", f"{name}.json")
    with open(path) as f:
        doc = json.load(f)
        found = rates(doc.get("results", doc))
    os.remove(path)
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--scripts", default="fleet,tasks,auth")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--duration", type=int, default=6)
    ap.add_argument("--name", default="compare")
    args = ap.parse_args()
    vb.ensure_wrk()
    measured = {}
    for script in args.scripts.split(","):
        for r in range(args.rounds):
            order = [("base", args.base), ("new", args.new)]
            if r % 2:
                order.reverse()
            for which, binary in order:
                for key, v in run(script, binary, f"_{args.name}-{script}-{which}-{r}", args.duration).items():
                    measured.setdefault(f"{script}/{key}", {"base": [], "new": []})[which].append(v)
                print(f"{script} round {r + 1}: {which} done", file=sys.stderr)
    ratios = {k: round(statistics.median(v["new"]) / statistics.median(v["base"]), 3)
              for k, v in measured.items() if v["base"] and v["new"]}
    result = {
        "name": args.name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": vb.machine(),
        "setup": {"rounds": args.rounds, "duration_s": args.duration, "base": args.base, "new": args.new},
        "requests_per_sec": measured,
        "ratio_new_over_base": ratios,
    }
    path = vb.write(args.name, result)
    for k, v in ratios.items():
        print(f"{k}: {v}")
    print(f"written: {path}")


if __name__ == "__main__":
    main()
