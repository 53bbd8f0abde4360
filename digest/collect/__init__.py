"""Collect stage: every source to a SourceReport, concurrently; failures are values."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from digest.collect import files, fulltext, http, rss
from digest.config import CollectSettings, Source
from digest.errors import SourceError
from digest.models import CollectResult, SourceFailure, SourceReport

MAX_CONCURRENCY = 8

# Is an article with this key and content hash already stored? Full text is fetched only
# for articles that are new or changed.
IsKnown = Callable[[str, str], bool]


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the store remembers of a feed between runs."""

    url: str | None = None  # where the feed lives now (after a permanent redirect)
    etag: str | None = None
    last_modified: str | None = None
    retry_after: datetime | None = None  # the server asked to wait until then
    disabled: str | None = None  # why digest stopped asking (HTTP 410)
    files: Mapping[str, tuple[int, int]] | None = None  # folder: what was read, and when


async def collect(
    sources: tuple[Source, ...],
    now: datetime,
    state: Mapping[str, FeedState] | None = None,
    contact: str = "",
    on_done: Callable[[SourceReport], None] | None = None,
    settings: CollectSettings | None = None,
    is_known: IsKnown | None = None,
) -> CollectResult:
    state = state or {}
    cfg = settings or CollectSettings()
    limit = asyncio.Semaphore(cfg.concurrency)
    gate = http.HostGate(cfg.per_host, cfg.politeness_seconds)
    async with http.client(contact, cfg.timeout_seconds) as client:

        async def one(source: Source) -> SourceReport:
            async with limit:
                report = await collect_source(
                    source, now, state.get(source.name), client, cfg, gate, is_known
                )
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
    settings: CollectSettings | None = None,
    gate: http.HostGate | None = None,
    is_known: IsKnown | None = None,
) -> SourceReport:
    cfg = settings or CollectSettings()
    state = state or FeedState()
    if state.disabled:
        return SourceReport(source.name, skipped=state.disabled)
    if state.retry_after and state.retry_after > now:
        until = f"{state.retry_after:%Y-%m-%d %H:%M}"
        return SourceReport(
            source.name, skipped=f"waiting until {until} UTC, as the server asked (Retry-After)"
        )
    try:
        if source.type == "folder":
            return await asyncio.to_thread(_folder, source, state.files)
        report = await _feed(source, now, state, client, cfg, gate)
        if source.fetch_full_text and report.articles:
            return await fulltext.enrich(report, client, cfg, gate, is_known)
        return report
    except http.RetryLater as exc:
        failure = SourceFailure(source.name, str(exc))
        return SourceReport(source.name, failure=failure, retry_after=exc.until)
    except http.Gone as exc:
        return SourceReport(source.name, failure=SourceFailure(source.name, str(exc)), gone=True)
    except SourceError as exc:
        return SourceReport(source.name, failure=SourceFailure(source.name, str(exc)))
    except Exception as exc:  # recorded as this source's failure; the others go on
        reason = f"unexpected error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
        return SourceReport(source.name, failure=SourceFailure(source.name, reason))


def _folder(source: Source, seen: Mapping[str, tuple[int, int]] | None) -> SourceReport:
    assert source.path is not None
    patterns = tuple(re.compile(p, re.I) for p in source.strip_lines)
    read = files.scan_folder(source.path, source.name, patterns, seen, source.max_items)
    return SourceReport(
        source.name,
        read.articles,
        warnings=read.warnings,
        unchanged=not read.articles and read.unchanged > 0,
        files=read.seen,
        unchanged_files=read.unchanged,
    )


async def _feed(
    source: Source,
    now: datetime,
    state: FeedState,
    client: httpx.AsyncClient,
    cfg: CollectSettings,
    gate: http.HostGate | None,
) -> SourceReport:
    assert source.url is not None
    url = state.url or source.url
    if not url.startswith(("http://", "https://")):
        body = await asyncio.to_thread(_read_local, Path(url), cfg.max_bytes)
        articles = rss.parse_feed(body, source.name, url, "", now, source.max_items)
        return SourceReport(source.name, tuple(articles))
    got = await http.fetch_within(
        client, url, cfg.total_seconds, state.etag, state.last_modified, cfg.max_bytes, gate, now
    )
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


def _read_local(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(f"cannot read feed file {path}: {exc.strerror}") from exc
    if size > max_bytes:
        raise SourceError(f"feed file is {size:,} bytes, over the {max_bytes:,}-byte cap")
    return path.read_bytes()
