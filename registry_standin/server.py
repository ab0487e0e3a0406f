"""The stand-in registry's HTTP server (docs/registry-protocol.md), with injectable faults.

A ThreadingHTTPServer answers each connection in its own thread. Faults apply to the protocol's
``/api/v1/`` endpoints only (the admin endpoints and ``/healthz`` stay usable, so tests can watch
the damage), except ``refuse_seconds``, which closes the listening socket itself: clients then
get a real ECONNREFUSED until it listens again.

A held request (``timeout_rate``) has been processed before it is held: the delivery is stored
and only its answer is lost, the way a real timeout after a remote commit looks. The platform's
retry with the same idempotency key is then answered as a duplicate.

One log line per request: method, path, status, time taken and the fault applied. Record values
(names, phone numbers …) never reach the log; a 422 logs the names of the refused fields only.
"""
from __future__ import annotations

import hmac
import json
import logging
import random
import threading
import time
from dataclasses import asdict, dataclass, fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from registry_standin.store import OutOfOrder, Store
from registry_standin.validation import check_deadline, check_delivery, check_idempotency_key

log = logging.getLogger("registry_standin")
MAX_BODY_BYTES = 1024 * 1024


@dataclass
class Faults:
    latency_ms: int = 0
    latency_jitter_ms: int = 0
    fail_rate: float = 0.0  # share of API requests answered 503 (nothing stored)
    timeout_rate: float = 0.0  # share of API requests processed but never answered
    timeout_seconds: float = 30.0  # how long a held request keeps its connection open
    refuse_seconds: float = 0.0  # POST it to close the listening socket for that long

    def update(self, values: dict) -> dict[str, str]:
        known = {f.name: f.type for f in fields(self)}
        errors: dict[str, str] = {}
        for name, value in values.items():
            if name not in known:
                errors[name] = "未知参数"
            elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                errors[name] = "应为非负数"
            elif name.endswith("_rate") and value > 1:
                errors[name] = "比例应在 0 到 1 之间"
        if errors:
            return errors
        for name, value in values.items():
            setattr(self, name, int(value) if name.endswith("_ms") else float(value))
        return {}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a held connection must not delay shutdown or a refusal
    allow_reuse_address = True
    request_queue_size = 128
    app: StandIn


class StandIn:
    """The process: the store, the faults and the (re)listening socket."""

    def __init__(self, *, host: str, port: int, store: Store, secret: str, allow_reset: bool,
                 faults: Faults | None = None, changes_until: tuple[int, int] | None = (8, 31)):
        self.host, self.port = host, port
        self.changes_until = changes_until
        self.store = store
        self.secret = secret.encode()
        self.allow_reset = allow_reset
        self.initial_faults = faults or Faults()
        self.faults = Faults(**asdict(self.initial_faults))
        self.lock = threading.Lock()  # guards faults and refusal state
        self.stopping = threading.Event()
        self.listening = threading.Event()
        self.httpd: _HTTPServer | None = None
        self.refuse_until = 0.0

    def run(self) -> None:
        while not self.stopping.is_set():
            httpd = self._bind()
            with self.lock:
                self.httpd = httpd
                self.port = httpd.server_address[1]
            self.listening.set()
            log.info("listening on http://%s:%s", self.host, self.port)
            httpd.serve_forever(poll_interval=0.2)
            self.listening.clear()
            httpd.server_close()  # the listening socket is gone: new connections are refused
            if self.stopping.is_set():
                break
            pause = self.refuse_until - time.monotonic()
            log.info("refusing connections for %.1f s", max(pause, 0))
            self.stopping.wait(max(pause, 0))
        log.info("stopped")

    def _bind(self) -> _HTTPServer:
        for attempt in range(50):
            try:
                httpd = _HTTPServer((self.host, self.port), Handler)
            except OSError:
                if attempt == 49 or self.stopping.is_set():
                    raise
                time.sleep(0.1)
                continue
            httpd.app = self
            return httpd
        raise AssertionError("unreachable")

    def refuse(self, seconds: float) -> None:
        with self.lock:
            self.refuse_until = time.monotonic() + seconds
            httpd = self.httpd
        if httpd is not None:
            # shutdown() waits for serve_forever to return: never from the serving thread
            threading.Thread(target=httpd.shutdown, daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()
        with self.lock:
            httpd = self.httpd
        if httpd is not None:
            threading.Thread(target=httpd.shutdown, daemon=True).start()

    def reset_faults(self) -> None:
        with self.lock:
            self.faults = Faults()

    def authorised(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        return hmac.compare_digest(header[len("Bearer "):].strip().encode(), self.secret)


class Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "RegistryStandIn/1"
    timeout = 120  # a client that stops sending mid-request does not keep a thread for ever
    sys_version = ""

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._handle("GET")

    def do_POST(self):  # noqa: N802
        self._handle("POST")

    def do_PUT(self):  # noqa: N802
        self._handle("PUT")

    def do_DELETE(self):  # noqa: N802
        self._handle("DELETE")

    def log_message(self, format, *args):  # noqa: A002 - our own line in _handle instead
        pass

    # --- dispatch ------------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        started = time.monotonic()
        self._status, self._note = 0, "-"
        path = urlsplit(self.path).path
        try:
            # Read the body before any answer: closing a socket with unread data sends a reset,
            # and the client would see "connection reset" instead of our 401/503.
            self._body, self._body_error = self._read_body()
            self._route(method, path)
        except (BrokenPipeError, ConnectionResetError):
            self._note = "client-gone"
        except Exception:  # a bug must still answer (500) and be visible in the log
            log.exception("error in %s %s", method, path)
            self._safe_json(500, {"error": "internal"})
        finally:
            log.info("%s %s %s %dms %s", method, path, self._status or "-",
                     (time.monotonic() - started) * 1000, self._note)

    def _route(self, method: str, path: str) -> None:
        app = self.server.app
        if path == "/healthz" and method == "GET":
            self._send(200, b"ok", "text/plain; charset=utf-8")
            return
        if not app.authorised(self.headers.get("Authorization")):
            self._json(401, {"error": "unauthorised"})
            return
        if path.startswith("/admin/"):
            self._admin(method, path)
            return
        if path.startswith("/api/v1/"):
            with app.lock:
                faults = Faults(**asdict(app.faults))
            delay = faults.latency_ms + (random.uniform(0, faults.latency_jitter_ms)  # noqa: S311
                                         if faults.latency_jitter_ms else 0)
            if delay:
                time.sleep(delay / 1000)
            if faults.fail_rate and random.random() < faults.fail_rate:  # noqa: S311
                app.store.count("faults_503")
                self._note = "fault=503"
                self._json(503, {"error": "unavailable"})
                return
            hold = bool(faults.timeout_rate) and random.random() < faults.timeout_rate  # noqa: S311
            self._api(method, path, hold=hold, hold_seconds=faults.timeout_seconds)
            return
        self._json(404, {"error": "not_found"})

    def _api(self, method: str, path: str, *, hold: bool, hold_seconds: float) -> None:
        app = self.server.app
        if path == "/api/v1/records" and method == "POST":
            status, answer = self._deliver()
        elif path.startswith("/api/v1/records/") and method == "GET":
            key = unquote(path[len("/api/v1/records/"):])
            found = app.store.record(key)
            status, answer = (200, found) if found is not None else (404, {"error": "not_found"})
        else:
            status, answer = 404, {"error": "not_found"}
        if hold:
            # processed, but the answer never comes: the client's timeout decides
            app.store.count("faults_timeout")
            self._status, self._note = status, "fault=timeout"
            app.stopping.wait(hold_seconds)
            self.close_connection = True
            return
        self._json(status, answer)

    def _deliver(self) -> tuple[int, dict]:
        app = self.server.app
        body, error = self._read_json()
        if error:
            app.store.count("rejected")
            return error
        key = self.headers.get("Idempotency-Key")
        errors = check_idempotency_key(key) | check_delivery(body)
        if not errors:
            errors = check_deadline(body["cohort"], app.changes_until)
        if errors:
            app.store.count("rejected")
            self._note = "rejected:" + ",".join(sorted(errors))[:200]
            return 422, {"errors": errors}
        try:
            accepted = app.store.deliver(
                idempotency_key=key, graduate_key=body["graduate_key"], school_code=body["school_code"],
                cohort=body["cohort"], sequence=body["sequence"], record=body["record"])
        except OutOfOrder as exc:
            self._note = "out-of-order"
            return 409, {"errors": {"sequence": f"序号应大于已登记的序号 {exc.stored_sequence}"}}
        if accepted.answer["duplicate"]:
            self._note = "duplicate"
        return 200, accepted.answer

    # --- administration (tests, demo) ---------------------------------------------------------

    def _admin(self, method: str, path: str) -> None:
        app = self.server.app
        query = parse_qs(urlsplit(self.path).query)
        if path == "/admin/faults" and method == "GET":
            with app.lock:
                self._json(200, asdict(app.faults))
        elif path == "/admin/faults" and method == "POST":
            body, error = self._read_json()
            if error:
                self._json(*error)
                return
            if not isinstance(body, dict):
                self._json(422, {"errors": {"body": "请求内容应为对象"}})
                return
            with app.lock:
                errors = app.faults.update(body)
                current = asdict(app.faults)
            if errors:
                self._json(422, {"errors": errors})
                return
            self._note = "faults=" + ",".join(f"{k}:{v}" for k, v in sorted(body.items()))
            self._json(200, current)
            refuse = body.get("refuse_seconds", 0)
            if refuse:
                with app.lock:
                    app.faults.refuse_seconds = 0.0  # a one-off action, not a lasting setting
                app.refuse(float(refuse))
        elif path == "/admin/stats" and method == "GET":
            self._json(200, app.store.stats())
        elif path == "/admin/deliveries" and method == "GET":
            try:
                after = int(query.get("after", ["0"])[0])
                limit = min(int(query.get("limit", ["100000"])[0]), 100_000)
            except ValueError:
                self._json(422, {"errors": {"after": "应为整数"}})
                return
            key = query.get("graduate_key", [None])[0]
            self._json(200, {"deliveries": app.store.deliveries(key, after_id=after, limit=limit)})
        elif path == "/admin/reset" and method == "POST":
            if not app.allow_reset:
                self._json(403, {"error": "reset_disabled"})
                return
            app.store.reset()
            app.reset_faults()
            self._json(200, {"reset": True})
        else:
            self._json(404, {"error": "not_found"})

    # --- plumbing ------------------------------------------------------------------------------

    def _read_body(self) -> tuple[bytes, tuple[int, dict] | None]:
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            return b"", None
        try:
            length = int(raw_length)
        except ValueError:
            return b"", (411, {"errors": {"body": "缺少内容长度"}})
        if length > MAX_BODY_BYTES or length < 0:
            return b"", (413, {"errors": {"body": "请求内容过大"}})
        return self.rfile.read(length), None

    def _read_json(self):
        if self._body_error:
            return None, self._body_error
        if not self._body:
            return None, (422, {"errors": {"body": "缺少请求内容"}})
        try:
            return json.loads(self._body.decode("utf-8")), None
        except (UnicodeDecodeError, ValueError):
            return None, (422, {"errors": {"body": "请求内容不是有效的 JSON"}})

    def _json(self, status: int, body: dict) -> None:
        self._send(status, json.dumps(body, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def _safe_json(self, status: int, body: dict) -> None:
        try:
            self._json(status, body)
        except OSError:
            pass

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        self._status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(payload)
