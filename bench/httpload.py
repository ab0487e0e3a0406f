"""A small HTTP/1.1 load client for the load benchmark (bench/load.py): asyncio and raw
sockets on loopback, keep-alive connections, no dependencies.

Two ways of sending:
- `saturate`: closed loop, a fixed number of connections each sending its next request as
  soon as the previous answer is read, for a fixed time: the server's throughput.
- `open_loop`: requests on a fixed schedule (rate × duration of them, no more), each on a
  free connection; latency is measured from the SCHEDULED send time, so time spent waiting
  for the server (or for a connection) shows up instead of slowing the client down
  ("coordinated omission").

Every loop is bounded in count and time, and the client's own CPU time is recorded so the
report can say whether the client, not the server, was the limit.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CONNECT_TIMEOUT = 5.0
REQUEST_TIMEOUT = 30.0  # one request; the phase has its own bound on top


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    ok_status: tuple[int, ...] = (200,)

    def encode(self, host: str) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive",
                 "Accept-Encoding: identity"]
        lines += [f"{k}: {v}" for k, v in self.headers]
        if self.body or self.method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


@dataclass
class PhaseResult:
    """What one phase measured. Latencies in seconds."""

    completed: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    error_kinds: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    client_cpu: float = 0.0  # seconds of this process's CPU during the phase

    @property
    def throughput(self) -> float:
        return self.completed / self.wall if self.wall else 0.0

    @property
    def client_cpu_share(self) -> float:
        """The client's CPU as a share of one core (asyncio runs on one)."""
        return self.client_cpu / self.wall if self.wall else 0.0

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def percentile(self, q: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), CONNECT_TIMEOUT)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        """One request/response; reconnects once when a kept-alive socket was closed."""
        for attempt in (1, 2):
            fresh = self.writer is None
            if fresh:
                await self._open()
            try:
                self.writer.write(raw)
                return await asyncio.wait_for(self._read(), REQUEST_TIMEOUT)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if fresh or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _read(self) -> tuple[int, bytes]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(parts)
        else:
            body = await self.reader.read()
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, body


def _record(result: PhaseResult, request: Request, status: int) -> bool:
    result.statuses[status] = result.statuses.get(status, 0) + 1
    if status in request.ok_status:
        result.completed += 1
        return True
    result.error(f"HTTP {status}")
    return False


async def saturate(host: str, port: int, requests: Callable[[], Request], *, connections: int,
                   seconds: float, max_requests: int = 1_000_000) -> PhaseResult:
    """Closed loop: `connections` senders for `seconds` (and at most max_requests in all)."""
    result = PhaseResult()
    deadline = time.perf_counter() + seconds
    budget = itertools.count()
    hostname = f"{host}:{port}"

    async def sender():
        conn = Connection(host, port)
        try:
            while time.perf_counter() < deadline and next(budget) < max_requests:
                request = requests()
                began = time.perf_counter()
                try:
                    status, _ = await conn.send(request.encode(hostname))
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    result.error(type(exc).__name__)
                    conn.close()
                    continue
                if _record(result, request, status):
                    result.latencies.append(time.perf_counter() - began)
        finally:
            conn.close()

    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(sender() for _ in range(connections))), seconds + REQUEST_TIMEOUT + 5)
    result.wall = time.perf_counter() - wall0
    result.client_cpu = time.process_time() - cpu0
    return result


async def open_loop(host: str, port: int, requests: Callable[[], Request], *, rate: float, seconds: float,
                    max_connections: int = 64) -> PhaseResult:
    """round(rate × seconds) requests, the i-th scheduled at start + i / rate. Latency is
    measured from the scheduled time. Connections are reused from a pool and opened on
    demand up to max_connections; a request waiting for one is still on the clock."""
    result = PhaseResult()
    total = max(1, round(rate * seconds))
    hostname = f"{host}:{port}"
    idle: list[Connection] = []
    opened = 0
    freed = asyncio.Condition()

    async def acquire() -> Connection:
        nonlocal opened
        async with freed:
            while not idle and opened >= max_connections:
                await freed.wait()
            if idle:
                return idle.pop()
            opened += 1
            return Connection(host, port)

    async def release(conn: Connection) -> None:
        async with freed:
            idle.append(conn)
            freed.notify()

    async def one(scheduled: float, request: Request):
        conn = await acquire()
        try:
            status, _ = await conn.send(request.encode(hostname))
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            result.error(type(exc).__name__)
            conn.close()
        else:
            if _record(result, request, status):
                result.latencies.append(time.perf_counter() - scheduled)
        finally:
            await release(conn)

    cpu0 = time.process_time()
    start = time.perf_counter() + 0.05
    tasks = []
    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(scheduled, requests())))
    # every request gets REQUEST_TIMEOUT after the last send at most
    done, pending = await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT + 5) if tasks else (set(), set())
    for task in pending:
        task.cancel()
        result.error("unfinished")
    result.wall = time.perf_counter() - start
    result.client_cpu = time.process_time() - cpu0
    for conn in idle:
        conn.close()
    return result


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg() -> tuple[float, float, float]:
    return os.getloadavg()
