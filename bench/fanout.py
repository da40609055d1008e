"""Fan-out latency with several server processes behind Redis, next to one process.

Creates a throw-away PostgreSQL database (BENCH_PG_URL), migrates and seeds it, files one helpdesk
ticket, then for each setup starts production servers (`python wsgi.py`, eventlet) sharing it:
  1 process            no Redis: the out-of-the-box installation;
  1 process + Redis    every event goes through Redis's publish/subscribe and back;
  2 processes + Redis  the clients split evenly over the two; requests go to the first.
and measures, with `--clients` raw websocket clients (a minimal Engine.IO reader on aiohttp, as
bench/call_latency.py --client raw, so the clients' own CPU stays small on a shared machine):
  ticket reply  viewers on "/" signed in as admin (one HTML sign-in per process, the cookie
                reused by every socket), each having sent `ticket:watch`; the ticket's agent
                posts a reply (POST /api/tickets/tickets/<id>/comments); timed until each viewer
                has its `ticket_changed` {change: "reply"};
  queue call    call screens on `/display`; a queue ticket is issued (untimed, until every
                screen has the new waiting count), then POST /api/queue/call-next is timed
                until each screen has its `call`.
Every (client, round) pair is one sample. Redis is BENCH_REDIS_URL (db 14 by default; Socket.IO
uses the `flask-socketio` channel, shared by every database number: run it where no other server
uses that Redis). Clients, servers, PostgreSQL and Redis share the machine.

    .venv/bin/python bench/fanout.py                              # 500 clients, 30 rounds
    .venv/bin/python bench/fanout.py --clients 200 --setups 2

Goal (issue 5): p99 < 150 ms across processes. Exits non-zero on errors or missed events, never
on a missed goal.
"""
import argparse
import asyncio
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server as srv  # noqa: E402

try:
    import aiohttp
except ImportError as missing:  # pragma: no cover - a set-up problem, said plainly
    sys.exit(f"fanout.py needs aiohttp in the venv ({missing}): .venv/bin/pip install aiohttp")

SETUPS = {"1": ("1 process", 1, False), "1r": ("1 process + Redis", 1, True), "2": ("2 processes + Redis", 2, True)}
GOAL_MS = 150


class Clients:
    """Raw Engine.IO 4 websocket clients on one namespace; `on_event(name, payload, when)` is
    called for every event whose name is in `events` (others are skipped unparsed)."""

    def __init__(self, namespace, events, on_event):
        self.prefix = "" if namespace == "/" else f"{namespace},"
        self.event_heads = tuple(f'42{self.prefix}["{name}"' for name in events)
        self.on_event = on_event
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        self.sockets, self.readers = [], []

    async def _receive(self, ws, head, timeout):
        """Read until a packet starting with one of `head` (acks may follow events)."""
        deadline = time.monotonic() + timeout
        while True:
            packet = await ws.receive_str(timeout=max(0.1, deadline - time.monotonic()))
            if packet.startswith(head):
                return packet

    async def connect_one(self, url, cookie, watch, timeout):
        headers = {"Cookie": cookie} if cookie else {}
        ws = await self.http.ws_connect(f"ws{url[4:]}/socket.io/?EIO=4&transport=websocket", headers=headers)
        self.sockets.append(ws)
        if not (await ws.receive_str(timeout=timeout)).startswith("0"):
            raise RuntimeError("no Engine.IO open packet")
        await ws.send_str(f"40{self.prefix}")
        reply = await self._receive(ws, (f"40{self.prefix}", f"44{self.prefix}"), timeout)
        if reply.startswith("44"):
            raise RuntimeError(f"connection refused: {reply[:120]}")
        if watch is not None:  # emit with ack id 1 and wait for the handler's answer
            await ws.send_str(f"42{self.prefix}1" + json.dumps(watch))
            answer = json.loads((await self._receive(ws, f"43{self.prefix}1", timeout))[len(self.prefix) + 3:])
            if not (answer and answer[0].get("ok")):
                raise RuntimeError(f"{watch[0]} refused: {answer}")
        self.readers.append(asyncio.create_task(self._read(ws)))

    async def _read(self, ws):
        skip = len(self.prefix) + 2
        async for message in ws:
            data = message.data
            if data == "2":
                await ws.send_str("3")
            elif data.startswith(self.event_heads):
                name, payload = json.loads(data[skip:])
                self.on_event(name, payload, time.perf_counter())

    async def connect(self, targets, batch, timeout):
        """`targets`: one (url, cookie, watch) per client, connected `batch` at a time."""
        for start in range(0, len(targets), batch):
            results = await asyncio.gather(*(asyncio.wait_for(self.connect_one(*target, timeout), timeout + 5)
                                             for target in targets[start:start + batch]), return_exceptions=True)
            failed = [r for r in results if isinstance(r, BaseException)]
            if failed:
                raise RuntimeError(f"{len(failed)} of {len(results)} clients failed to connect: {failed[0]!r}")

    async def close(self):
        await asyncio.gather(*(asyncio.wait_for(ws.close(), 5) for ws in self.sockets), return_exceptions=True)
        for reader in self.readers:
            reader.cancel()
        await self.http.close()


class Arrivals:
    """perf_counter() of each client's receipt, per key; `wait(key, n)` until n have it."""

    def __init__(self):
        self.times, self.done, self.target = defaultdict(list), defaultdict(asyncio.Event), {}

    def add(self, key, when):
        self.times[key].append(when)
        if len(self.times[key]) >= self.target.get(key, float("inf")):
            self.done[key].set()

    async def wait(self, key, n, timeout):
        self.target[key] = n
        if len(self.times[key]) < n:
            try:
                await asyncio.wait_for(self.done[key].wait(), timeout)
            except TimeoutError:
                pass
        return list(self.times[key])


async def post(http, url, body, token):
    async with http.post(url, json=body, headers={"Authorization": f"Bearer {token}"}) as response:
        return response.status, await response.json(content_type=None)


def spread(servers, n, make_target):
    """n client targets, dealt over the servers in turn (250 + 250 for 500 over two)."""
    return [make_target(servers[i % len(servers)]) for i in range(n)]


async def measure_replies(servers, ticket, args):
    """Viewers watch the ticket; each round the agent replies through the first process."""
    arrivals, state = Arrivals(), {"round": None}

    def on_event(name, payload, when):
        if payload.get("ticket_id") == ticket["id"] and payload.get("change") == "reply":
            arrivals.add(state["round"], when)

    cookies = {s.url: await asyncio.to_thread(srv.html_login, s.url, "admin") for s in servers}
    watch = ["ticket:watch", {"ticket_id": ticket["id"]}]
    clients = Clients("/", ["ticket_changed"], on_event)
    url = f"{servers[0].url}/api/tickets/tickets/{ticket['id']}/comments"

    async def one_round(i, http):
        state["round"] = i
        started = time.perf_counter()
        status, body = await post(http, url, {"body": f"Reply {i}"}, ticket["token"])
        if status != 201:
            raise RuntimeError(f"reply failed: {status} {body}")
        return started, await arrivals.wait(i, args.clients, args.timeout)

    try:
        await clients.connect(spread(servers, args.clients, lambda s: (s.url, cookies[s.url], watch)),
                              args.batch, args.connect_timeout)
        return await run_rounds(one_round, servers, args)
    finally:
        await clients.close()


async def measure_calls(servers, tokens, args):
    """Call screens; each round a queue ticket is issued, then called, through the first process."""
    calls, waiting = Arrivals(), Arrivals()
    state = {"issued": 0, "at_counter": None}

    def on_event(name, payload, when):
        if name == "call":
            calls.add(payload["ticket"], when)
        else:
            waiting.add(state["issued"], when)

    clients = Clients("/display", ["call", "waiting"], on_event)
    base = servers[0].url

    async def one_round(i, http):
        state["issued"] += 1
        status, body = await post(http, f"{base}/api/queue/tickets", {"service_id": 1}, tokens["registrar1"])
        if status != 201:
            raise RuntimeError(f"issuing failed: {status} {body}")
        await waiting.wait(state["issued"], args.clients, args.timeout)  # every screen is up to date
        started = time.perf_counter()
        status, body = await post(http, f"{base}/api/queue/call-next", {"current_ticket_id": state["at_counter"]},
                                  tokens["staff1"])
        if status != 200:
            raise RuntimeError(f"call-next failed: {status} {body}")
        state["at_counter"] = body["id"]  # the next call finishes this one
        return started, await calls.wait(body["ticket"], args.clients, args.timeout)

    try:
        await clients.connect(spread(servers, args.clients, lambda s: (s.url, None, None)), args.batch,
                              args.connect_timeout)
        return await run_rounds(one_round, servers, args)
    finally:
        await clients.close()


async def run_rounds(one_round, servers, args):
    """Warm-up rounds first (untimed). Of the timed ones: latencies in ms, missed receipts, and
    the CPU milliseconds per round of all server processes together and of this client."""
    samples, missed = [], 0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=args.timeout)) as http:
        for i in range(args.warmup + args.rounds):
            if i == args.warmup:
                cpu = (sum(s.cpu_seconds() for s in servers), time.process_time())
            started, arrived = await one_round(i, http)
            if i >= args.warmup:
                samples += [(t - started) * 1000 for t in arrived[:args.clients]]
                missed += max(0, args.clients - len(arrived))
            await asyncio.sleep(args.pause)
    server_ms = (sum(s.cpu_seconds() for s in servers) - cpu[0]) / args.rounds * 1000
    return samples, missed, (server_ms, (time.process_time() - cpu[1]) / args.rounds * 1000)


def file_ticket(url):
    """One ticket filed by user1, and the token of whoever works on it (its agent, or an admin)."""
    requester = srv.login(url, "user1")
    category = srv.get_json(f"{url}/api/tickets/categorias", requester)[0]
    status, ticket = srv.post_json(f"{url}/api/tickets/tickets", {
        "title": "Fan-out bench", "description": "Replies to this ticket are timed.",
        "category_id": category["id"]}, requester)
    if status != 201:
        raise RuntimeError(f"filing the ticket failed: {status} {ticket}")
    assignee_id = (ticket.get("assignee") or {}).get("id")
    for name in ("agent1", "agent2", "admin"):
        status, body = srv.post_json(f"{url}/api/auth/login", {"username": name, "password": srv.DEMO_PASSWORD})
        if status == 200 and (body["user"]["id"] == assignee_id or name == "admin"):
            return {"id": ticket["id"], "token": body["access_token"]}


def run_setup(key, env_base, tmp, args):
    label, count, redis = SETUPS[key]
    env = dict(env_base, REDIS_URL=srv.BENCH_REDIS_URL if redis else "")
    servers = srv.start_processes(count, env, tmp, label=f"setup{key}")
    rows = []
    try:
        print(f"{label}: {', '.join(s.url for s in servers)}; load average {os.getloadavg()[0]:.1f}", flush=True)
        base = servers[0].url
        ticket = file_ticket(base) if "ticket" in args.events else None
        tokens = {name: srv.login(base, name) for name in ("registrar1", "staff1")}
        for event in args.events:
            started = time.perf_counter()
            if event == "ticket":
                samples, missed, cpu = asyncio.run(measure_replies(servers, ticket, args))
            else:
                samples, missed, cpu = asyncio.run(measure_calls(servers, tokens, args))
            rows.append((label, count, event, samples, missed, cpu))
            print(f"  {event:<6} {len(samples)} samples, {missed} missed, {time.perf_counter() - started:.0f} s; "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
            time.sleep(1)  # let the servers forget the closed sockets
    except Exception:
        for server in servers:
            print(f"--- last lines of {server.name} ---\n{server.log_tail()}", file=sys.stderr)
        raise
    finally:
        for server in servers:
            server.stop()
    return rows


def print_table(rows, clients):
    names = {"ticket": "ticket reply -> viewers", "call": "queue call -> screens"}
    print(f"\nFan-out, request -> each client's event (ms, all client x round samples), {os.cpu_count()} CPUs")
    header = (f"{'setup':<22}{'event':<26}{'clients':>8}{'p50':>8}{'p99':>8}{'max':>8}{'missed':>8}"
              f"{'CPU/round server':>18}{'client':>8}")
    print(header)
    print("-" * len(header))
    for label, _, event, samples, missed, (server_cpu, client_cpu) in rows:
        ms = samples or [float("nan")]
        print(f"{label:<22}{names[event]:<26}{clients:>8}{srv.percentile(ms, 50):8.1f}{srv.percentile(ms, 99):8.1f}"
              f"{max(ms):8.1f}{missed:>8}{server_cpu:18.1f}{client_cpu:8.1f}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    across = [(row[2], srv.percentile(row[3], 99)) for row in rows if row[1] > 1 and row[3]]
    for event, p99 in across:
        print(f"Goal p99 < {GOAL_MS} ms across processes, {names[event]}: {p99:.1f} ms, "
              f"{'met' if p99 < GOAL_MS else 'NOT met'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", "-n", type=int, default=500, help="clients per event and setup")
    parser.add_argument("--setups", nargs="+", default=["1", "1r", "2"], choices=list(SETUPS),
                        help="1: one process; 1r: one process with Redis; 2: two processes with Redis")
    parser.add_argument("--events", nargs="+", default=["ticket", "call"], choices=["ticket", "call"])
    parser.add_argument("--rounds", type=int, default=30, help="timed rounds per event")
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds first")
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between rounds")
    parser.add_argument("--batch", type=int, default=50, help="clients connecting at once")
    parser.add_argument("--connect-timeout", type=float, default=15, help="seconds per client connect")
    parser.add_argument("--timeout", type=float, default=10, help="seconds to wait for a request or an event")
    args = parser.parse_args()

    db_name, db_url = srv.create_pg_database()
    rows = []
    try:
        with srv.temp_dir("fanout") as tmp:
            env = srv.processes_env(tmp, db_url)
            srv.prepare_database(env)
            print(f"database {db_name}, Redis {srv.BENCH_REDIS_URL}, {args.clients} clients, {args.rounds} rounds",
                  flush=True)
            for key in args.setups:
                rows += run_setup(key, env, tmp, args)
    finally:
        srv.drop_pg_database(db_name)
    print_table(rows, args.clients)
    missed = sum(row[4] for row in rows)
    if missed:
        print(f"FAILED: {missed} events never arrived within --timeout")
        sys.exit(1)


if __name__ == "__main__":
    main()
