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


def test_concurrent_callers_share_one_build_and_its_error() -> None:
    import asyncio

    cache = PageCache(max_bytes=100)
    builds = []

    async def build() -> bytes:
        builds.append(1)
        await asyncio.sleep(0.01)
        return b"page"

    async def failing() -> bytes:
        builds.append(1)
        await asyncio.sleep(0.01)
        raise LookupError("unknown location")

    async def scenario() -> tuple[list[bytes], list[BaseException | bytes]]:
        pages = await asyncio.gather(*(cache.get_or_build("k", build) for _ in range(20)))
        errors = await asyncio.gather(
            *(cache.get_or_build("bad", failing) for _ in range(5)), return_exceptions=True
        )
        return list(pages), list(errors)

    pages, errors = asyncio.run(scenario())
    assert pages == [b"page"] * 20
    assert len(builds) == 2  # one build for "k", one for "bad"
    assert all(isinstance(e, LookupError) for e in errors)
    assert cache.get("k") == b"page" and cache.get("bad") is None
