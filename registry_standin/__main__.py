"""python -m registry_standin --host 127.0.0.1 --port 8770 --db var/registry-standin.sqlite3 --secret …

Runs the stand-in national registry (全国毕业去向登记系统) as its own process. Stops cleanly on
SIGTERM or Ctrl-C. Fault settings at start from the environment (REGISTRY_STANDIN_LATENCY_MS,
REGISTRY_STANDIN_LATENCY_JITTER_MS, REGISTRY_STANDIN_FAIL_RATE, REGISTRY_STANDIN_TIMEOUT_RATE,
REGISTRY_STANDIN_TIMEOUT_SECONDS); at run time through POST /admin/faults. Deliveries of a cohort
are refused after --changes-until (MM-DD of the cohort's year, default $REGISTRY_CHANGES_UNTIL or
08-31; "off" accepts them always).
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from registry_standin.server import Faults, StandIn
from registry_standin.store import Store
from registry_standin.validation import parse_changes_until


def _env_number(name: str, default: float, cast=float):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return cast(raw)
    except ValueError:
        sys.exit(f"{name} must be a number, got {raw!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m registry_standin",
                                     description="Stand-in national graduate registry (docs/registry-protocol.md)")
    parser.add_argument("--host", default=os.environ.get("REGISTRY_STANDIN_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("REGISTRY_STANDIN_PORT", "8770")))
    parser.add_argument("--db", default=os.environ.get("REGISTRY_STANDIN_DB", "var/registry-standin.sqlite3"))
    parser.add_argument("--secret", default=os.environ.get("REGISTRY_SECRET"),
                        help="shared secret (default: $REGISTRY_SECRET)")
    parser.add_argument("--changes-until", default=os.environ.get("REGISTRY_CHANGES_UNTIL", "08-31"),
                        help="MM-DD of the cohort's year after which its records are refused; off: never")
    parser.add_argument("--allow-reset", action="store_true", help="enable POST /admin/reset (tests)")
    args = parser.parse_args(argv)
    if not args.secret:
        parser.error("a shared secret is required: --secret or REGISTRY_SECRET")
    try:
        changes_until = parse_changes_until(args.changes_until)
    except ValueError:
        parser.error(f"--changes-until must look like 08-31 or be off, got {args.changes_until!r}")

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s registry-standin %(message)s")
    faults = Faults()
    update = {
        "latency_ms": _env_number("REGISTRY_STANDIN_LATENCY_MS", 0, int),
        "latency_jitter_ms": _env_number("REGISTRY_STANDIN_LATENCY_JITTER_MS", 0, int),
        "fail_rate": _env_number("REGISTRY_STANDIN_FAIL_RATE", 0.0),
        "timeout_rate": _env_number("REGISTRY_STANDIN_TIMEOUT_RATE", 0.0),
        "timeout_seconds": _env_number("REGISTRY_STANDIN_TIMEOUT_SECONDS", 30.0),
    }
    errors = faults.update(update)
    if errors:
        parser.error(f"bad fault settings: {errors}")

    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    app = StandIn(host=args.host, port=args.port, store=Store(args.db), secret=args.secret,
                  allow_reset=args.allow_reset, faults=faults, changes_until=changes_until)

    def on_signal(signum, frame):
        app.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
