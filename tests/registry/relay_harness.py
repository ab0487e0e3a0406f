"""REAL ``manage.py run_registry_relay`` subprocesses against the test database and the stand-in
registry, for tests of parallel relays and of a relay killed mid-delivery.

Use from a transactional test (``@pytest.mark.django_db(transaction=True)``: the relay is another
process and sees only committed rows) together with the ``registry_standin`` fixture:

    with relay_process(registry_standin, pause="registry.delivered:120") as relay:
        relay.wait_paused()     # it sits after a delivery whose answer it has not recorded yet
        relay.kill()            # SIGKILL

Settings changed in the test do not reach the relay: pass them as ``env`` (REGISTRY_* names).
"""
from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from apps.registry.models import OutboxEntry, OutboxState
from tests.worker_harness import ROOT, KillableProcess, prepare_database, worker_environment

# fast retry policy for tests; the lease is short so a killed relay's claims come back quickly
FAST = {"REGISTRY_BACKOFF_BASE_SECONDS": "0.05", "REGISTRY_BACKOFF_MAX_SECONDS": "0.5",
        "REGISTRY_LEASE_SECONDS": "4", "REGISTRY_TIMEOUT_SECONDS": "2", "REGISTRY_MAX_ATTEMPTS": "50"}


class RelayProcess(KillableProcess):
    stop_timeout = 15

    def __init__(self, standin, *, pause: str = "", batch: int = 20, env: dict[str, str] | None = None,
                 timeout: float = 120):
        prepare_database()
        self.timeout = timeout
        self._dir = Path(tempfile.mkdtemp(prefix="relay-harness-"))
        self.signal_file = self._dir / "paused"
        self.log_file = self._dir / "relay.log"
        extra = {**FAST, "REGISTRY_URL": standin.url, "REGISTRY_SECRET": standin.secret, **(env or {})}
        if pause:
            extra.update(PLATFORM_JOB_PAUSE=pause, PLATFORM_JOB_PAUSE_SIGNAL=str(self.signal_file))
        self.env = worker_environment(**extra)
        self.env.pop("REGISTRY_CLIENT", None)
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "run_registry_relay", "--batch", str(batch), "--idle-sleep", "0.1",
                 "-v", "2"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def wait_paused(self) -> None:
        deadline = time.monotonic() + self.timeout
        while not self.signal_file.exists():
            if self.process.poll() is not None:
                raise AssertionError(f"relay exited ({self.process.returncode}):\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"relay never reached its checkpoint:\n{self.log()}")
            time.sleep(0.05)

    def cleanup(self) -> None:
        for path in (self.signal_file, self.log_file):
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self._dir.rmdir()


@contextlib.contextmanager
def relay_process(standin, **kwargs):
    relay = RelayProcess(standin, **kwargs)
    try:
        yield relay
    finally:
        relay.stop()
        relay.cleanup()


def wait_drained(*, timeout: float, relays=(), poll: float = 0.25) -> float:
    """Until no entry is pending (dead ones do not count); returns the seconds it took."""
    started = time.monotonic()
    while OutboxEntry.objects.filter(state=OutboxState.PENDING).exists():
        for relay in relays:
            if relay.process.poll() is not None:
                raise AssertionError(f"relay exited ({relay.process.returncode}):\n{relay.log()}")
        if time.monotonic() - started > timeout:
            left = OutboxEntry.objects.filter(state=OutboxState.PENDING).count()
            logs = "\n---\n".join(r.log() for r in relays)
            raise AssertionError(f"{left} entries still pending after {timeout}s:\n{logs}")
        time.sleep(poll)
    return time.monotonic() - started
