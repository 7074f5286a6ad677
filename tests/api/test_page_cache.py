"""The LRU of serialised pages: bounded by bytes, least recently used evicted first."""

from __future__ import annotations

import pytest

from api.page_cache import PageCache


def test_evicts_least_recently_used_to_stay_within_the_byte_budget() -> None:
    cache = PageCache(max_bytes=10)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    assert cache.get("a") == b"1234"  # a is now more recent than b
    cache.put("c", b"1234")  # 12 bytes > 10: evict b
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == (b"1234", b"1234")
    cache.put("huge", b"x" * 11)  # larger than the whole budget: not stored
    assert cache.get("huge") is None and len(cache) == 2
    cache.put("a", b"123456")  # replacing counts the new size only: 6 + 4 = 10
    assert len(cache) == 2


def test_rejects_a_non_positive_budget() -> None:
    with pytest.raises(ValueError, match="max_bytes must be positive"):
        PageCache(max_bytes=0)
