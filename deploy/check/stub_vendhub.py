#!/usr/bin/env python3
"""A stand-in for `vendhub serve`'s health endpoints (CONTRACT section 3), to test
deploy/scripts/daily-check.sh without the binary. Listens on 127.0.0.1 only.

usage: stub_vendhub.py PORT_FILE healthy|degraded
Writes the chosen port to PORT_FILE and serves until killed.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

MODE = sys.argv[2]
UP = {"status": "up"}


def bodies():
    redis = UP if MODE == "healthy" else {"status": "down", "message": "connection refused"}
    ready_ok = MODE == "healthy"
    info = {"database": UP, "memory_heap": UP, "memory_rss": UP, "disk": UP, "storage": UP,
            "queue": UP}
    detailed = {"status": "ok", "info": dict(info, redis=UP), "error": {}, "details": {}}
    if not ready_ok:
        detailed = {"status": "error", "info": info, "error": {"redis": redis}, "details": {}}
    ready = {"status": "ok", "info": {"database": UP, "redis": UP}} if ready_ok else \
        {"status": "error", "info": {"database": UP}, "error": {"redis": redis}}
    return {
        "/health": (200, {"status": "ok", "timestamp": "2026-01-01T00:00:00Z", "uptime": 42}),
        "/health/live": (200, {"status": "ok", "info": {"memory_heap": UP}}),
        "/health/ready": (200 if ready_ok else 503, ready),
        "/health/detailed": (200 if ready_ok else 503, detailed),
        "/health/version": (200, {"version": "0.1.0", "environment": "test",
                                  "rust_version": "1.95.0", "git_commit": "abc1234",
                                  "build_time": "2026-01-01T00:00:00Z", "uptime": 42}),
    }


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        code, obj = bodies().get(self.path, (404, {"status": "error"}))
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1], "w") as f:
    f.write(str(server.server_port))
server.serve_forever()
