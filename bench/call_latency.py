"""Call latency on the public call screen: from a call-next request to every screen showing it.

For each ASYNC_MODE (eventlet, threading) this starts the real app (`python run.py`, a fresh
SQLite database in a temp dir, a free port on 127.0.0.1, login limit raised) and, beside it,
bench/_bare_server.py: the same Flask-SocketIO in the same mode doing one bare
`socketio.emit("call", ..., namespace="/display")` per POST. Then, for each N, N Socket.IO clients
(python-socketio's AsyncClient over aiohttp, websocket transport, one asyncio loop) connect to
`/display` and, `--calls` times:
  app:  issue a ticket (POST /api/queue/tickets, untimed; wait until every screen has the new
        waiting count), then time POST /api/queue/call-next until EACH client got its `call`;
  bare: time POST /emit until each client got its `call`.
Every (client, call) pair is one sample; p50/p99/max are over all of them ("last-screen p50", the
median over calls of the time until the last screen had it, is steadier: with 30 calls, p99 hangs
on one or two hiccups). Clients and servers share the machine, so the bare figures carry the same
client-side cost as the app's. Each case also prints the CPU time the server and this client used
per round and the load average: all N screens live in one process, and python-socketio costs about
0.1 ms of client CPU per message; `--client raw` (a minimal Engine.IO websocket reader on aiohttp)
keeps that cost small.

    .venv/bin/python bench/call_latency.py                       # eventlet + threading, N=100,500
    .venv/bin/python bench/call_latency.py --modes eventlet --clients 500 --calls 50 --client raw

Needs aiohttp in the venv (python-socketio's asyncio client uses it). Goal (issue 3):
p99 < 100 ms at 500 clients and within 1.5x of bare.
"""
import argparse
import asyncio
import json
import os
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server as srv  # noqa: E402

try:
    import aiohttp
    import socketio
except ImportError as missing:  # pragma: no cover - a set-up problem, said plainly
    sys.exit(f"call_latency.py needs aiohttp in the venv ({missing}): .venv/bin/pip install aiohttp")


class Screens:
    """N `/display` clients; records when each `call` (by ticket code) and each `waiting` arrives."""

    def __init__(self, n, raw=False):
        self.n, self.raw = n, raw
        self.clients, self.readers, self.http = [], [], None
        self.arrivals = defaultdict(list)  # ticket code -> [perf_counter of each client's receipt]
        self.call_done = defaultdict(asyncio.Event)  # ticket code -> set when all n have it
        self.waiting_seen = 0
        self.waiting_target, self.waiting_done = None, asyncio.Event()

    def on_call(self, data):
        arrived = self.arrivals[data["ticket"]]
        arrived.append(time.perf_counter())
        if len(arrived) >= self.n:
            self.call_done[data["ticket"]].set()

    def on_waiting(self, data=None):
        self.waiting_seen += 1
        if self.waiting_target is not None and self.waiting_seen >= self.waiting_target:
            self.waiting_done.set()

    async def _connect_one(self, url, timeout):
        if not self.raw:
            sio = socketio.AsyncClient(reconnection=False)
            sio.on("call", self.on_call, namespace="/display")
            sio.on("waiting", self.on_waiting, namespace="/display")
            self.clients.append(sio)
            return await sio.connect(url, namespaces=["/display"], transports=["websocket"], wait_timeout=timeout)
        # Raw Engine.IO 4 over websocket: open packet, connect to /display, then read text frames.
        ws = await self.http.ws_connect(f"ws{url[4:]}/socket.io/?EIO=4&transport=websocket")
        self.clients.append(ws)
        if not (await ws.receive_str(timeout=timeout)).startswith("0"):
            raise RuntimeError("no Engine.IO open packet")
        await ws.send_str("40/display,")
        for _ in range(5):  # the ack, possibly after `state` sent by the connect handler
            reply = await ws.receive_str(timeout=timeout)
            if reply.startswith(("40/display,", "44/display,")):
                break
        if not reply.startswith("40/display,"):
            raise RuntimeError(f"/display refused the connection: {reply[:100]}")
        self.readers.append(asyncio.create_task(self._read(ws)))

    async def _read(self, ws):
        async for message in ws:
            data = message.data
            if data == "2":  # ping
                await ws.send_str("3")
            elif data.startswith('42/display,["call"'):
                self.on_call(json.loads(data[11:])[1])
            elif data.startswith('42/display,["waiting"'):
                self.on_waiting()

    async def connect(self, url, batch, timeout):
        """Connect in batches of `batch`; every client must be in within `timeout` seconds."""
        if self.raw:
            self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        for start in range(0, self.n, batch):
            results = await asyncio.gather(*(asyncio.wait_for(self._connect_one(url, timeout), timeout + 5)
                                             for _ in range(min(batch, self.n - start))), return_exceptions=True)
            failed = [r for r in results if isinstance(r, BaseException)]
            if failed:
                raise RuntimeError(f"{len(failed)} of {len(results)} clients failed to connect: {failed[0]!r}")

    async def disconnect(self):
        close = (c.close() if self.raw else c.disconnect() for c in self.clients)
        await asyncio.gather(*(asyncio.wait_for(c, 5) for c in close), return_exceptions=True)
        for reader in self.readers:
            reader.cancel()
        if self.http is not None:
            await self.http.close()
        self.clients, self.readers = [], []

    async def wait_call(self, ticket, timeout):
        """Arrival times of `ticket` once every client has it, or whatever came within `timeout`."""
        try:
            await asyncio.wait_for(self.call_done[ticket].wait(), timeout)
        except TimeoutError:
            pass
        return list(self.arrivals[ticket])

    def expect_waiting(self):
        """Arm: the next wait_waiting() returns once every client got one more `waiting` event."""
        self.waiting_target, self.waiting_done = self.waiting_seen + self.n, asyncio.Event()

    async def wait_waiting(self, timeout):
        try:
            await asyncio.wait_for(self.waiting_done.wait(), timeout)
        except TimeoutError:
            pass


async def post(http, url, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.post(url, json=body, headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def run_calls(kind, url, screens, args, http):
    """Time each call from its request to every client's `call`; an app round issues a ticket first."""
    if kind == "app":
        registrar = await asyncio.to_thread(srv.login, url, "registrar1")
        staff = await asyncio.to_thread(srv.login, url, "staff1")
    samples, responses, lasts, missed = [], [], [], 0
    at_counter = None  # the ticket staff1's counter shows, which each call-next finishes
    for i in range(args.warmup + args.calls):
        if kind == "app":
            screens.expect_waiting()
            status, body = await post(http, f"{url}/api/queue/tickets", {"service_id": 1}, registrar)
            if status != 201:
                raise RuntimeError(f"issuing failed: {status} {body}")
            await screens.wait_waiting(args.timeout)  # every screen has the new waiting count
            request, expected = (f"{url}/api/queue/call-next", {"current_ticket_id": at_counter}, staff), 200
        else:
            payload = {"ticket": f"X-{i:03d}", "service": "General", "service_prefix": "X", "counter": "Módulo 1",
                       "called_at": datetime.now(UTC).isoformat(), "recall": False}
            request, expected = (f"{url}/emit", payload), 204
        started = time.perf_counter()
        status, body = await post(http, *request)
        if kind == "app" and status == 409 and body.get("error") == "counter_moved_on":
            # An earlier case left a ticket open at the counter: finish that one, as a panel
            # shown the counter's state would, and time the call made with it.
            open_now = body["state"]["current"]
            request = (request[0], {"current_ticket_id": open_now[-1]["id"] if open_now else None}, staff)
            started = time.perf_counter()
            status, body = await post(http, *request)
        responded = time.perf_counter()
        if status != expected:
            raise RuntimeError(f"{kind} call failed: {status} {body}")
        if kind == "app":
            at_counter = body["id"]
        # The app's `call` carries the new waiting counts too: one message per screen.
        arrived = await screens.wait_call(body["ticket"] if kind == "app" else payload["ticket"], args.timeout)
        if i >= args.warmup:
            responses.append(responded - started)
            samples.extend(t - started for t in arrived)
            lasts.append(max(arrived, default=started + args.timeout) - started)
            missed += screens.n - len(arrived)
        await asyncio.sleep(args.pause)
    return samples, responses, lasts, missed


async def measure(kind, server, n, args):
    """Connect n screens, run the calls, disconnect; a dict of figures in milliseconds."""
    url, screens = server.url, Screens(n, raw=args.client == "raw")
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        try:
            started = time.perf_counter()
            await screens.connect(url, args.batch, args.connect_timeout)
            connect_s = time.perf_counter() - started
            cpu_client, cpu_server = time.process_time(), server.cpu_seconds()
            samples, responses, lasts, missed = await run_calls(kind, url, screens, args, http)
            rounds = args.warmup + args.calls
            cpu_client = (time.process_time() - cpu_client) / rounds * 1000
            cpu_server = (server.cpu_seconds() - cpu_server) / rounds * 1000
        finally:
            await screens.disconnect()
    await asyncio.sleep(1)  # let the server forget the sockets before the next case
    ms = [s * 1000 for s in samples] or [float("nan")]
    figures = {"p50": srv.percentile(ms, 50), "p99": srv.percentile(ms, 99), "max": max(ms),
               "http_p50": srv.percentile([r * 1000 for r in responses], 50), "missed": missed,
               "last_p50": srv.percentile([t * 1000 for t in lasts], 50),
               "samples": len(samples), "connect_s": connect_s}
    print(f"  {kind:<4} N={n:<4} connect {connect_s:4.1f}s  samples {len(samples):>5}  missed {missed:>3}  "
          f"p50 {figures['p50']:6.1f}  p99 {figures['p99']:6.1f}  max {figures['max']:6.1f}  "
          f"last-screen p50 {figures['last_p50']:6.1f} ms  "
          f"HTTP p50 {figures['http_p50']:5.1f} ms  CPU/round server {cpu_server:5.1f} ms, "
          f"client {cpu_client:5.1f} ms  load {os.getloadavg()[0]:.1f}", flush=True)
    return figures


def run_mode(mode, args):
    rows = []
    with srv.temp_dir(f"latency-{mode}") as tmp:
        app = bare = None
        try:
            app = srv.start_app(mode, tmp)
            bare = srv.start_bare(mode, tmp)
            print(f"{mode}: app on {app.url}, bare on {bare.url}, {args.client} clients, "
                  f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
            for n in args.clients:
                app_figures = asyncio.run(measure("app", app, n, args))
                bare_figures = asyncio.run(measure("bare", bare, n, args))
                rows.append((mode, n, app_figures, bare_figures))
        except Exception:
            for server in (app, bare):
                if server is not None:
                    print(f"--- last lines of {server.name} ---\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            for server in (bare, app):
                if server is not None:
                    server.stop()
    return rows


def print_table(rows):
    print("\nCall latency, call-next request -> each /display client's `call` (ms, all client x call samples)")
    header = (f"{'mode':<10}{'N':>5} | {'app p50':>8}{'app p99':>9}{'app max':>9} | {'bare p50':>9}{'bare p99':>9}"
              f"{'bare max':>9} | {'p99 app/bare':>12} | {'missed app/bare':>15}")
    print(header)
    print("-" * len(header))
    for mode, n, app, bare in rows:
        ratio = app["p99"] / bare["p99"] if bare["p99"] else float("nan")
        print(f"{mode:<10}{n:>5} | {app['p50']:8.1f}{app['p99']:9.1f}{app['max']:9.1f} | {bare['p50']:9.1f}"
              f"{bare['p99']:9.1f}{bare['max']:9.1f} | {ratio:11.2f}x | {app['missed']:>7}/{bare['missed']:<7}")
    print("Goal: app p99 < 100 ms at N=500 and p99 app/bare <= 1.5x.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", default=["eventlet", "threading"], choices=["eventlet", "threading"])
    parser.add_argument("--clients", "-n", nargs="+", type=int, default=[100, 500], help="N screens per case")
    parser.add_argument("--calls", type=int, default=30, help="timed calls per case")
    parser.add_argument("--warmup", type=int, default=2, help="untimed calls first")
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between calls")
    parser.add_argument("--batch", type=int, default=50, help="clients connecting at once")
    parser.add_argument("--connect-timeout", type=float, default=15, help="seconds per client connect")
    parser.add_argument("--timeout", type=float, default=10, help="seconds to wait for a request or an event")
    parser.add_argument("--client", choices=["socketio", "raw"], default="socketio",
                        help="python-socketio AsyncClient, or a minimal websocket reader with less client CPU")
    args = parser.parse_args()
    rows = []
    for mode in args.modes:
        rows += run_mode(mode, args)
    print_table(rows)
    if any(app["missed"] or bare["missed"] for _, _, app, bare in rows):
        print("WARNING: some clients did not receive a call within --timeout (counted as missed).")


if __name__ == "__main__":
    main()
