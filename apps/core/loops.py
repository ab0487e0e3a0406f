"""Calling libraries whose synchronous API runs its own asyncio loop (pyHanko's signing and
validation call ``asyncio.run`` inside): from a thread that already runs a loop (an ASGI
server, or a test session where Playwright's sync API has started one) ``asyncio.run``
refuses, so there the call goes to a short-lived thread of its own."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def outside_event_loop(function: Callable[..., T], *args, **kwargs) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()
