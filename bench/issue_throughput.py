"""Issuing throughput: queue tickets per second through the JSON API on PostgreSQL.

Creates a throw-away database on the local PostgreSQL (postgresql://postgres@127.0.0.1:5432,
or BENCH_PG_URL), migrates and seeds it, starts the real app (`python run.py`, eventlet by default)
on a free port on 127.0.0.1, logs in as registrar1 once, and lets `--clients` threads (16), each with
its own keep-alive HTTP/1.1 connection (http.client), POST /api/queue/tickets as fast as they can
for `--duration` seconds (or until `--count` tickets). Prints tickets/s and the latency of each
request (p50/p99/max), then checks in the database that every service's numbers for the day are
exactly 1..N: no duplicates and no gaps. The database is dropped at the end.

    .venv/bin/python bench/issue_throughput.py                     # eventlet, 16 clients, 10 s
    .venv/bin/python bench/issue_throughput.py --mode threading --duration 5 --services 1 2

Goal (issue 3): 300 tickets/s or more with 16 clients. Exits non-zero on errors (server failing,
5xx or broken connections, duplicates or gaps), never on a missed goal.
"""
import argparse
import http.client
import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server as srv  # noqa: E402


class ApiConnection:
    """One keep-alive connection, reopened when the server closes it."""

    def __init__(self, port, token, timeout):
        self.port, self.timeout, self.conn = port, timeout, None
        self.headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    def post(self, path, body):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(srv.HOST, self.port, timeout=self.timeout)
        try:
            self.conn.request("POST", path, json.dumps(body), self.headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, data

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def worker(index, conn, args, start, clock, results, budget):
    """Warm up, wait for everyone, then issue until the deadline or the shared budget runs out."""
    services = args.services
    try:
        for i in range(args.warmup):
            body = {"service_id": services[(index + i) % len(services)]}
            results["warmup"].append(conn.post("/api/queue/tickets", body))
        start.wait(timeout=60)
    except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as error:
        results["errors"].append(f"before the start: {error!r}")
        start.abort()
        return
    i = index
    while time.monotonic() < clock["deadline"] and next(budget, None) is not None:
        body = {"service_id": services[i % len(services)]}
        i += 1
        began = time.perf_counter()
        try:
            status, data = conn.post("/api/queue/tickets", body)
        except (OSError, http.client.HTTPException) as error:
            results["errors"].append(repr(error))
            if len(results["errors"]) > 100:  # the server is gone or broken: stop hammering it
                break
            time.sleep(0.05)
            continue
        results["timed"].append((status, time.perf_counter() - began, data))
    conn.close()


def run_load(server, token, args):
    """Start the clients; the timed part begins when all have warmed up. Returns (results, seconds)."""
    results = {"warmup": [], "timed": [], "errors": []}
    budget = iter(range(args.count)) if args.count else iter(int, 1)  # endless without --count
    clock = {}

    def open_gate():  # runs once, in the last thread to reach the barrier, before any is released
        clock["began"] = time.perf_counter()
        clock["deadline"] = time.monotonic() + args.duration

    start = threading.Barrier(args.clients, action=open_gate)
    threads = [threading.Thread(target=worker, daemon=True, args=(
        index, ApiConnection(server.port, token, args.timeout), args, start, clock, results, budget))
        for index in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60 + args.warmup * args.timeout + args.duration + args.timeout)
    if any(thread.is_alive() for thread in threads) or "began" not in clock:
        results["errors"].append("a client thread did not finish in time")
    return results, time.perf_counter() - clock.get("began", time.perf_counter())


def check_numbers(database_url):
    """Per service and day: count, distinct numbers, min and max; plus ticket rows issued."""
    with srv.PgConnection(database_url) as conn:
        rows = conn.execute(
            "SELECT s.prefix, t.issue_date, count(*), count(DISTINCT t.number), min(t.number), max(t.number),"
            " (SELECT q.last_number FROM queue_sequences q WHERE q.service_id = t.issued_service_id"
            "  AND q.day = t.issue_date)"
            " FROM queue_tickets t JOIN services s ON s.id = t.issued_service_id"
            " GROUP BY s.prefix, t.issued_service_id, t.issue_date ORDER BY s.prefix").fetchall()
    problems = []
    for prefix, day, count, distinct, low, high, last in rows:
        print(f"  service {prefix} {day}: {count} tickets, numbers {low}..{high}, {distinct} distinct, "
              f"sequence at {last}")
        if not (count == distinct == high == last and low == 1):
            problems.append(f"service {prefix} on {day}: duplicates or gaps")
    return sum(row[2] for row in rows), problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["eventlet", "threading"], default="eventlet")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10, help="seconds of timed issuing")
    parser.add_argument("--count", type=int, default=0, help="stop after this many timed tickets (0: no limit)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed tickets per client first")
    parser.add_argument("--services", type=int, nargs="+", default=[1], help="service ids, used in turn")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per request")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    args = parser.parse_args()

    failures = []
    db_name, db_url = srv.create_pg_database()
    print(f"database {db_name}, mode {args.mode}, {args.clients} clients, {args.duration:g} s")
    server = None
    try:
        with srv.temp_dir("throughput") as tmp:
            try:
                server = srv.start_app(args.mode, tmp, database_url=db_url)
                token = srv.login(server.url, "registrar1")
                results, elapsed = run_load(server, token, args)
            finally:
                if server is not None:
                    if server.proc.poll() is not None:  # it died under load: show why
                        failures.append(f"the server exited by itself (code {server.proc.returncode})")
                        print(f"{failures[-1]}; its log ends:\n{server.log_tail()}", file=sys.stderr)
                    server.stop()
            issued = [(s, lat, d) for s, lat, d in results["timed"] if s == 201]
            statuses = Counter(s for s, _, _ in results["timed"])
            latencies = [lat * 1000 for _, lat, _ in results["timed"]] or [float("nan")]
            codes = [json.loads(d)["ticket"] for _, _, d in issued]
            print(f"\nissued {len(issued)} tickets in {elapsed:.2f} s: {len(issued) / elapsed:.1f} tickets/s "
                  f"({args.clients} clients, {args.mode}, PostgreSQL)")
            print(f"latency per request: p50 {srv.percentile(latencies, 50):.1f} ms, "
                  f"p99 {srv.percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms")
            print(f"responses: {dict(statuses)}; connection errors: {len(results['errors'])}")
            for status, _, data in [r for r in results["timed"] if r[0] != 201][:3]:
                print(f"  e.g. {status}: {data[:200]!r}")
            for error in results["errors"][:3]:
                print(f"  e.g. {error}")
            if any(s >= 500 for s in statuses) or results["errors"]:
                failures.append("server errors or broken connections")
            if len(set(codes)) != len(codes):
                failures.append("the API handed out the same number twice")
            print("database check:")
            rows, problems = check_numbers(db_url)
            expected = len(issued) + sum(1 for s, _ in results["warmup"] if s == 201)
            if rows != expected:
                problems.append(f"{rows} tickets in the database, {expected} answered 201")
            failures += problems
            print("  OK: no duplicates, no gaps" if not problems else "  " + "; ".join(problems))
    finally:
        if args.keep_db:
            print(f"kept database {db_name}")
        else:
            srv.drop_pg_database(db_name)
    print("Goal: >= 300 tickets/s with 16 clients.")
    if failures:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
