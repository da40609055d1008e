"""Helpdesk lists with 100 000 tickets on PostgreSQL: list pages, the JSON API, the dashboard,
queries per page and the Excel export of everything.

Creates a throw-away database on the local PostgreSQL (postgresql://postgres@127.0.0.1:5432, or
BENCH_PG_URL), migrates it and seeds the demo data (`flask db upgrade`, `flask seed --demo`), then
bulk-loads `--tickets` helpdesk tickets with COPY: categories, areas, priorities and locations from
the seeded catalogues, ~40% closed, ~10% unassigned, the demo user or anonymous requesters, a year of
creation dates, Spanish titles and descriptions (so full-text search finds something), replies and
notes on a fifth of the tickets and their audit rows. Then VACUUM ANALYZE.

It starts the real app (`python run.py`, eventlet by default) on a free port on 127.0.0.1, signs in
as admin through the login form (session cookie) and through POST /api/auth/login (Bearer token),
and times sequential requests on one keep-alive connection, after a warm-up:

- /tickets/admin searched and filtered (search word, statuses and priority vary), searched only,
  unfiltered first page (also on a new connection per request, as a reference for what keep-alive
  costs or saves) and a deep page (page 200);
- GET /api/tickets/tickets, unfiltered and searched + filtered;
- /tickets/dashboard.

It counts the SQL queries of a list page of 10 and of 100 rows in-process (list_tickets, the HTML
page and the API through the test client), and downloads /tickets/export.xlsx?scope=all from a fresh
server process: time to the first and the last byte, file size, the server's VmRSS before and its
VmHWM after (reset just before the export where Linux allows it), how long GET /healthz waits
meanwhile, and reads the file back with openpyxl read-only (N + 1 rows on the first sheet).

Timings are wall-clock on a shared machine: the load average is printed beside them.

    .venv/bin/python bench/helpdesk_list.py                       # 100 000 tickets, 50 requests each
    .venv/bin/python bench/helpdesk_list.py --tickets 20000 --requests 20 --keep

Goal (issue 4): p95 under 100 ms for each page. Exits non-zero on errors (5xx or other unexpected
statuses, broken connections, wrong contents or row count), never on a missed goal.
"""
import argparse
import http.client
import json
import os
import re
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from openpyxl import load_workbook
from sqlalchemy import event, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server as srv  # noqa: E402
from _helpdesk_data import ADMIN, SEARCH_WORDS, load  # noqa: E402

sys.path.insert(0, str(srv.ROOT))
from app import create_app  # noqa: E402
from config import normalise_database_url  # noqa: E402
from extensions import db  # noqa: E402
from models import User  # noqa: E402
from services.helpdesk.queries import TicketFilters, list_tickets  # noqa: E402

GOAL_MS = 100
STATUS_SETS = [("open", "in_progress"), ("open",), ("open", "in_progress", "on_hold")]

# --- data -----------------------------------------------------------------------------------

# --- HTTP -----------------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP/1.1 connection with a cookie jar and, optionally, a Bearer token."""

    def __init__(self, port, token=None, timeout=60.0, keep_alive=True):
        self.port, self.token, self.timeout, self.keep_alive = port, token, timeout, keep_alive
        self.cookies, self.conn, self.headers_at = {}, None, None

    def request(self, method, path, body=None, headers=None, sink=None):
        """(status, headers, body); with `sink` the body is streamed into it and its size returned."""
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        if not self.keep_alive:
            sent["Connection"] = "close"
        if self.conn is None:
            self.conn = http.client.HTTPConnection(srv.HOST, self.port, timeout=self.timeout)
        try:
            self.conn.request(method, path, body, sent)
            response = self.conn.getresponse()
            self.headers_at = time.perf_counter()
            self.keep_cookies(response.headers.get_all("Set-Cookie") or [])
            if sink is None:
                data = response.read()
            else:
                data = 0
                while chunk := response.read(1 << 16):
                    sink.write(chunk)
                    data += len(chunk)
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, response.headers, data

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def keep_cookies(self, values):
        for value in values:
            cookie = SimpleCookie()
            cookie.load(value)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')


def csrf_token(html):
    tag = CSRF_INPUT.search(html)
    value = VALUE.search(tag.group(0)) if tag else None
    if value is None:
        raise RuntimeError("no csrf_token input on the login page")
    return value.group(1)


def html_login(client, username=ADMIN):
    """Sign in through the login form, as a browser does; the client keeps the session cookie."""
    status, _, body = client.get("/login")
    if status != 200:
        raise RuntimeError(f"GET /login answered {status}")
    form = urlencode({"csrf_token": csrf_token(body.decode()), "login": username, "password": srv.DEMO_PASSWORD})
    status, headers, _ = client.request("POST", "/login", form,
                                        {"Content-Type": "application/x-www-form-urlencoded"})
    if status != 302 or "/login" in (headers.get("Location") or ""):
        raise RuntimeError(f"signing in as {username} through the form failed: {status}")


# --- timing ---------------------------------------------------------------------------------


def html_has_tickets(data):
    return b"TKT-" in data


def json_has_tickets(data):
    body = json.loads(data)
    return body.get("total", 0) > 0 and len(body.get("items", [])) > 0


def measure(client, label, paths, count, warmup, check=None):
    """Sequential GETs cycling through `paths`; untimed warm-up first."""
    result = {"label": label, "ms": [], "errors": [], "example": paths[0]}
    for i in range(warmup + count):
        path = paths[i % len(paths)]
        began = time.perf_counter()
        try:
            status, _, data = client.get(path)
        except (OSError, http.client.HTTPException) as error:
            result["errors"].append(f"{path}: {error!r}")
            continue
        elapsed = (time.perf_counter() - began) * 1000
        if status != 200:
            result["errors"].append(f"{path}: {status} {data[:200]!r}")
        elif check is not None and not check(data):
            result["errors"].append(f"{path}: unexpected contents {data[:200]!r}")
        elif i >= warmup:
            result["ms"].append(elapsed)
    return result


def show(result):
    values = result["ms"]
    if not values:
        print(f"{result['label']:<40} no successful requests ({len(result['errors'])} errors)")
        return
    p95 = srv.percentile(values, 95)
    verdict = "met" if p95 < GOAL_MS else "NOT met"
    result["p95"], result["verdict"] = p95, verdict
    print(f"{result['label']:<40} p50 {srv.percentile(values, 50):6.1f}  p95 {p95:6.1f}  max {max(values):6.1f} ms"
          f"   goal p95 < {GOAL_MS} ms: {verdict}"
          + (f"   ({len(result['errors'])} errors)" if result["errors"] else ""))


def page_paths(priority_ids, count):
    searched, search_only = [], []
    for i in range(count):
        word = SEARCH_WORDS[i % len(SEARCH_WORDS)]
        args = [("q", word)] + [("status", s) for s in STATUS_SETS[i % len(STATUS_SETS)]]
        args += [("priority_id", priority_ids[i % len(priority_ids)]), ("sort", "created"), ("per_page", 25)]
        searched.append(urlencode(args))
        search_only.append(urlencode({"q": word, "per_page": 25}))
    return searched, search_only


def run_pages(server, token, priority_ids, args):
    deep = min(200, -(-args.tickets // 25))
    html = Client(server.port)
    html_login(html)
    api = Client(server.port, token=token)
    fresh = Client(server.port, keep_alive=False)  # a new TCP connection per request, same session
    fresh.cookies = html.cookies
    searched, search_only = page_paths(priority_ids, len(SEARCH_WORDS) * len(STATUS_SETS))
    api_searched = [urlencode([("q", SEARCH_WORDS[i % len(SEARCH_WORDS)]), ("status", "open"),
                               ("status", "in_progress"), ("per_page", 25)]) for i in range(len(SEARCH_WORDS))]
    plan = [
        (html, "list: searched + filtered", [f"/tickets/admin?{q}" for q in searched], html_has_tickets),
        (html, "list: searched only", [f"/tickets/admin?{q}" for q in search_only], html_has_tickets),
        (html, "list: first page, no filter", ["/tickets/admin?per_page=25"], html_has_tickets),
        (fresh, "  the same, new connection each", ["/tickets/admin?per_page=25"], html_has_tickets),
        (html, f"list: page {deep}", [f"/tickets/admin?per_page=25&page={deep}"], html_has_tickets),
        (api, "API: first page", ["/api/tickets/tickets?per_page=25"], json_has_tickets),
        (api, "API: searched + status", [f"/api/tickets/tickets?{q}" for q in api_searched], json_has_tickets),
        (html, "dashboard", ["/tickets/dashboard"], None),
    ]
    results = []
    for client, label, paths, check in plan:
        results.append(measure(client, label, paths, args.requests, args.warmup, check))
        show(results[-1])
    html.close()
    api.close()
    return results


# --- queries per page (in-process) ----------------------------------------------------------


def count_queries(database_url, instance_dir):
    """SQL statements for a list page of 10 and of 100 rows: the service, the HTML page, the API."""
    app = create_app({"INSTANCE_DIR": str(instance_dir), "JOBS_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
                      "LOGIN_RATE_LIMIT": "1000 per minute"})
    seen = []
    rows = {}
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: seen.append(1))

        def counted(call):
            before = len(seen)
            call()
            return len(seen) - before

        with app.test_request_context():
            admin = db.session.scalar(select(User).where(User.username == ADMIN))
            filters = TicketFilters(q="impresora")
            for per_page in (10, 100):
                rows[("list_tickets()", per_page)] = counted(
                    lambda per_page=per_page: list_tickets(admin, "all", filters, per_page=per_page))
        client = app.test_client()
        body = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"csrf_token": csrf_token(body), "login": ADMIN, "password": srv.DEMO_PASSWORD})
        response = client.post("/api/auth/login", json={"username": ADMIN, "password": srv.DEMO_PASSWORD})
        bearer = {"Authorization": f"Bearer {(response.get_json() or {}).get('access_token')}"}
        statuses = set()
        pages = (("HTML /tickets/admin", "/tickets/admin", {}),
                 ("API /api/tickets/tickets", "/api/tickets/tickets", bearer))
        for per_page in (10, 100):
            for label, path, headers in pages:
                url = f"{path}?q=impresora&per_page={per_page}"
                rows[(label, per_page)] = counted(
                    lambda url=url, headers=headers: statuses.add(client.get(url, headers=headers).status_code))
    return rows, statuses


def show_queries(rows, statuses):
    problems = []
    if statuses != {200}:
        problems.append(f"in-process pages answered {sorted(statuses)}")
    for label in dict.fromkeys(label for label, _ in rows):
        small, large = rows[(label, 10)], rows[(label, 100)]
        fixed = "fixed" if small == large else "GROWS WITH THE PAGE SIZE"
        print(f"queries per page ({label}): 10 rows → {small}, 100 rows → {large}   {fixed}")
    return problems


# --- the Excel export -----------------------------------------------------------------------


def memory_kb(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_memory(pid):
    """Linux 4.0+: writing 5 to clear_refs resets VmHWM to the current VmRSS. False if refused."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def sample_memory(pid, done, samples):
    while not done.wait(0.05):
        samples.append(memory_kb(pid, "VmRSS"))


def probe_health(port, done, probes):
    """GET /healthz every 0.5 s on its own connection: how long other requests wait meanwhile."""
    client = Client(port, timeout=900)
    while not done.wait(0.5):
        began = time.perf_counter()
        try:
            status = client.get("/healthz")[0]
        except (OSError, http.client.HTTPException) as error:
            status = repr(error)
        probes.append((status, time.perf_counter() - began))
    client.close()


def export_all(args, database_url, instance_dir, n):
    """In a fresh server: sign in, load one page, then stream the export of every ticket to disk."""
    server = srv.start_app(args.mode, instance_dir, database_url=database_url, prepare=False)
    result = {"errors": []}
    try:
        client = Client(server.port, timeout=args.export_timeout)
        html_login(client)
        client.get("/tickets/admin?per_page=25")
        pid = server.proc.pid
        result["hwm_reset"] = reset_peak_memory(pid)
        result["rss_before"], result["hwm_before"] = memory_kb(pid, "VmRSS"), memory_kb(pid, "VmHWM")
        samples, probes, done = [result["rss_before"]], [], threading.Event()
        watchers = [threading.Thread(target=sample_memory, args=(pid, done, samples), daemon=True),
                    threading.Thread(target=probe_health, args=(server.port, done, probes), daemon=True)]
        for watcher in watchers:
            watcher.start()
        path = Path(instance_dir) / "export.xlsx"
        began = time.perf_counter()
        try:
            with open(path, "wb") as sink:
                status, headers, size = client.get("/tickets/export.xlsx?scope=all", sink=sink)
        finally:
            done.set()
            for watcher in watchers:
                watcher.join(timeout=args.export_timeout)
        result["seconds"] = time.perf_counter() - began
        result.update(status=status, size=size, first_byte=client.headers_at - began, hwm_after=memory_kb(pid, "VmHWM"),
                      rss_peak=max(samples), probes=probes)
        if any(s != 200 for s, _ in probes):
            result["errors"].append(f"/healthz failed during the export: {[s for s, _ in probes if s != 200][:3]}")
        if status == 404:
            result["skipped"] = "GET /tickets/export.xlsx answered 404 (no such route yet)"
            return result
        if status != 200:
            result["errors"].append(f"export answered {status}: {path.read_bytes()[:300]!r}")
            return result
        began = time.perf_counter()
        result["rows"] = count_rows(path)
        result["read_seconds"] = time.perf_counter() - began
        if result["rows"] != n + 1:
            result["errors"].append(f"the export has {result['rows']} rows on its first sheet, expected {n + 1}")
    except (OSError, http.client.HTTPException, RuntimeError) as error:
        result["errors"].append(f"export: {error!r}")
    finally:
        if server.proc.poll() is not None:
            result["errors"].append(f"the export server exited by itself; its log ends:\n{server.log_tail()}")
        server.stop()
    return result


def count_rows(path):
    workbook = load_workbook(path, read_only=True)
    try:
        return sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def show_export(result, n):
    if "skipped" in result:
        print(f"export: skipped: {result['skipped']}")
        return
    if "seconds" not in result:
        return
    mb = 1024
    print(f"Excel export of all {n} tickets: {result['status']}, {result['size'] / 1e6:.1f} MB, "
          f"first byte after {result['first_byte']:.1f} s, last byte after {result['seconds']:.1f} s")
    reset = ("VmHWM reset before the export" if result["hwm_reset"]
             else f"VmHWM could not be reset: {result['hwm_before'] / mb:.0f} MB before, from start-up")
    print(f"  server memory: VmRSS before {result['rss_before'] / mb:.0f} MB, VmHWM after "
          f"{result['hwm_after'] / mb:.0f} MB (+{(result['hwm_after'] - result['rss_before']) / mb:.0f} MB; {reset}); "
          f"highest VmRSS sampled {result['rss_peak'] / mb:.0f} MB")
    waits = [seconds for _, seconds in result["probes"]] or [0.0]
    print(f"  meanwhile GET /healthz every 0.5 s: {len(result['probes'])} answered, slowest after {max(waits):.2f} s")
    if "rows" in result:
        print(f"  read back with openpyxl (read-only) in {result['read_seconds']:.1f} s: {result['rows']} rows "
              f"on the first sheet (expected {n + 1})")


# --- main -----------------------------------------------------------------------------------


def load_average():
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets to load (100 000)")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first (5)")
    parser.add_argument("--mode", choices=["eventlet", "threading"], default="eventlet")
    parser.add_argument("--export-timeout", type=float, default=900, help="seconds for the export (900)")
    parser.add_argument("--no-export", action="store_true", help="skip the Excel export")
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    args = parser.parse_args()

    failures, results, export = [], [], None
    db_name, db_url = srv.create_pg_database()
    print(f"database {db_name}, {args.tickets} tickets, mode {args.mode}, {args.requests} requests per page, "
          f"{os.cpu_count()} CPUs, load average {load_average()}")
    try:
        with srv.temp_dir("helpdesk") as tmp:
            srv.prepare_database(srv.app_env(args.mode, 0, tmp, db_url))
            load(db_url, args.tickets)
            with srv.PgConnection(db_url) as conn:
                priority_ids = [row[0] for row in conn.execute("SELECT id FROM priorities ORDER BY level")]

            server = srv.start_app(args.mode, tmp, database_url=db_url, prepare=False)
            try:
                token = srv.login(server.url, ADMIN)
                print(f"\nsequential requests on one keep-alive connection, after {args.warmup} warm-up each "
                      f"(load average {load_average()}):")
                results = run_pages(server, token, priority_ids, args)
                print(f"(load average afterwards {load_average()}; other work on the machine inflates the figures)")
            finally:
                if server.proc.poll() is not None:
                    failures.append(f"the server exited by itself (code {server.proc.returncode})")
                    print(f"{failures[-1]}; its log ends:\n{server.log_tail()}", file=sys.stderr)
                server.stop()
            for result in results:
                failures += result["errors"]

            print()
            failures += show_queries(*count_queries(db_url, tmp))

            if not args.no_export:
                print()
                export = export_all(args, db_url, tmp, args.tickets)
                show_export(export, args.tickets)
                failures += export["errors"]
    finally:
        if args.keep:
            print(f"kept database {db_name}: {db_url}")
        else:
            srv.drop_pg_database(db_name)

    print(f"\nsummary ({args.tickets} tickets, goal p95 < {GOAL_MS} ms):")
    for result in results:
        if "p95" in result:
            print(f"  {result['label']:<38} p95 {result['p95']:6.1f} ms  {result['verdict']}")
    if export and "seconds" in export and export.get("status") == 200:
        print(f"  {'Excel export, all tickets':<38} {export['seconds']:6.1f} s, peak server memory "
              f"+{(export['hwm_after'] - export['rss_before']) / 1024:.0f} MB")
    if failures:
        print("FAILED: " + "; ".join(str(f) for f in failures[:10]))
        sys.exit(1)


if __name__ == "__main__":
    main()
