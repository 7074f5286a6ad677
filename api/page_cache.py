"""A bounded in-process LRU of serialised response bodies of published plans.

Rows of a published plan run never change, so the JSON of a page read from one run (same
location and query) is the same bytes every time: it is cached under its ETag. A new
version has another run id, hence another key; old entries simply age out. One cache per app.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class PageCache:
    """Thread-safe LRU of `bytes` bounded by total size in bytes."""

    def __init__(self, *, max_bytes: int = 64 * 1024 * 1024) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

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
