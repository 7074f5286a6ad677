"""A bounded in-process LRU of serialised response bodies of published plans.

Rows of a published plan run never change, so the JSON of a page read from one run (same
location and query) is the same bytes every time: it is cached under its ETag. A new
version has another run id, hence another key; old entries simply age out. One cache per app.

`get_or_build` is single-flight: when a new version is published, the many clients asking
for the same page at once wait for one build instead of each querying the database.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable


class PageCache:
    """Thread-safe LRU of `bytes` bounded by total size in bytes."""

    def __init__(self, *, max_bytes: int = 64 * 1024 * 1024) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._building: dict[str, asyncio.Future[bytes]] = {}  # touched on the event loop only

    def get(self, key: str) -> bytes | None:
        """The cached body for `key` (marked recently used), or None."""
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        """Store `body` under `key`, evicting the least recently used entries to fit."""
        if len(body) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._entries[key] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    async def get_or_build(self, key: str, build: Callable[[], Awaitable[bytes]]) -> bytes:
        """The cached body for `key`, else the result of one `build()` shared by every
        concurrent caller of the same key (an exception from it reaches them all)."""
        body = self.get(key)
        if body is not None:
            return body
        pending = self._building.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._building[key] = future
        try:
            body = await build()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: no "never retrieved" warning without waiters
            raise
        finally:
            del self._building[key]
        self.put(key, body)
        future.set_result(body)
        return body
