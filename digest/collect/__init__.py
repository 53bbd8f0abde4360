"""Collect stage: every source to a SourceReport, concurrently; failures are values."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from digest.collect import files, http, rss
from digest.config import Source
from digest.errors import SourceError
from digest.models import CollectResult, SourceFailure, SourceReport

MAX_CONCURRENCY = 8


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the store remembers of a feed between runs."""

    url: str | None = None  # where the feed lives now (after a permanent redirect)
    etag: str | None = None
    last_modified: str | None = None


async def collect(
    sources: tuple[Source, ...],
    now: datetime,
    state: Mapping[str, FeedState] | None = None,
    contact: str = "",
    on_done: Callable[[SourceReport], None] | None = None,
) -> CollectResult:
    state = state or {}
    limit = asyncio.Semaphore(MAX_CONCURRENCY)
    async with http.client(contact) as client:

        async def one(source: Source) -> SourceReport:
            async with limit:
                report = await collect_source(source, now, state.get(source.name), client)
            if on_done:
                on_done(report)
            return report

        reports = await asyncio.gather(*(one(s) for s in sources))
    return CollectResult(tuple(reports))


async def collect_source(
    source: Source,
    now: datetime,
    state: FeedState | None,
    client: httpx.AsyncClient,
) -> SourceReport:
    try:
        if source.type == "folder":
            return await asyncio.to_thread(_folder, source)
        return await _feed(source, now, state or FeedState(), client)
    except SourceError as exc:
        return SourceReport(source.name, failure=SourceFailure(source.name, str(exc)))
    except Exception as exc:  # recorded as this source's failure; the others go on
        reason = f"unexpected error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
        return SourceReport(source.name, failure=SourceFailure(source.name, reason))


def _folder(source: Source) -> SourceReport:
    assert source.path is not None
    patterns = tuple(re.compile(p, re.I) for p in source.strip_lines)
    articles, warnings = files.read_folder(source.path, source.name, patterns)
    return SourceReport(source.name, tuple(articles[: source.max_items]), warnings=tuple(warnings))


async def _feed(
    source: Source,
    now: datetime,
    state: FeedState,
    client: httpx.AsyncClient,
) -> SourceReport:
    assert source.url is not None
    url = state.url or source.url
    if not url.startswith(("http://", "https://")):
        body = await asyncio.to_thread(_read_local, Path(url))
        articles = rss.parse_feed(body, source.name, url, "", now, source.max_items)
        return SourceReport(source.name, tuple(articles))
    got = await _fetch_bounded(client, url, state)
    if got.status == 304:
        return SourceReport(
            source.name,
            unchanged=True,
            etag=got.etag,
            last_modified=got.last_modified,
            moved_to=got.permanent_redirect,
        )
    articles = rss.parse_feed(
        got.body, source.name, got.url, got.content_type, now, source.max_items
    )
    return SourceReport(
        source.name,
        tuple(articles),
        etag=got.etag,
        last_modified=got.last_modified,
        moved_to=got.permanent_redirect,
    )


async def _fetch_bounded(client: httpx.AsyncClient, url: str, state: FeedState) -> http.Fetched:
    try:
        return await asyncio.wait_for(
            http.fetch(client, url, state.etag, state.last_modified), http.TOTAL_SECONDS
        )
    except TimeoutError as exc:
        raise SourceError(f"gave up after {http.TOTAL_SECONDS:.0f} s in total") from exc


def _read_local(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(f"cannot read feed file {path}: {exc.strerror}") from exc
    if size > http.MAX_BYTES:
        raise SourceError(f"feed file is {size:,} bytes, over the {http.MAX_BYTES:,}-byte cap")
    return path.read_bytes()
