"""HTTP fetching for feeds: bounded size, timeouts, conditional GET, redirects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx

from digest import __version__
from digest.errors import SourceError

MAX_BYTES = 10 * 1024 * 1024
TIMEOUT = httpx.Timeout(connect=10.0, read=20.0, write=10.0, pool=10.0)
TOTAL_SECONDS = 60.0


class RetryLater(SourceError):
    """429 or 503 with Retry-After: do not ask again before `until`."""

    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until


class Gone(SourceError):
    """410: the feed was removed for good."""


@dataclass
class HostGate:
    """At most `per_host` requests in flight to one host, and request starts spaced by
    `interval` seconds, so a digest never hammers one server however many feeds it has."""

    per_host: int = 2
    interval: float = 1.0
    _slots: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _next: dict[str, float] = field(default_factory=dict)

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        host = httpx.URL(url).host
        loop = asyncio.get_running_loop()
        async with self._slots.setdefault(host, asyncio.Semaphore(self.per_host)):
            async with self._locks.setdefault(host, asyncio.Lock()):
                wait = self._next.get(host, 0.0) - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next[host] = loop.time() + self.interval
            yield


def retry_after(value: str | None, now: datetime) -> datetime | None:
    """Retry-After as seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=min(int(value), 7 * 86400))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # final URL after redirects
    status: int  # 200, or 304 for unchanged
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    permanent_redirect: str | None  # new URL to remember after 301/308


def user_agent(contact: str = "") -> str:
    return f"digest/{__version__}" + (f" (+{contact})" if contact else "")


def client(contact: str = "", timeout: float | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout) if timeout else TIMEOUT,
        follow_redirects=False,
        headers={
            "User-Agent": user_agent(contact),
            "Accept-Encoding": "gzip, deflate",
            "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
            "text/xml;q=0.9, */*;q=0.5",
        },
    )


async def fetch(
    http: httpx.AsyncClient,
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = 5,
    gate: HostGate | None = None,
    now: datetime | None = None,
) -> Fetched:
    """GET `url`, following up to `max_redirects`; raise SourceError with a reason."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    all_permanent = True
    current = url
    for _ in range(max_redirects + 1):
        try:
            async with (
                gate.slot(current) if gate else nullcontext(),
                http.stream("GET", current, headers=headers) as resp,
            ):
                if resp.status_code in (301, 302, 303, 307, 308):
                    location = resp.headers.get("Location")
                    if not location:
                        raise SourceError(f"HTTP {resp.status_code} without a Location header")
                    all_permanent = all_permanent and resp.status_code in (301, 308)
                    current = str(resp.url.join(location))
                    continue
                _refuse(resp, now or datetime.now(UTC))
                permanent = current if all_permanent and current != url else None
                if resp.status_code == 304:
                    return Fetched(
                        current,
                        304,
                        b"",
                        "",
                        resp.headers.get("ETag") or etag,
                        resp.headers.get("Last-Modified") or last_modified,
                        permanent,
                    )
                body = await _read_capped(resp, max_bytes)
                return Fetched(
                    current,
                    resp.status_code,
                    body,
                    resp.headers.get("Content-Type", ""),
                    resp.headers.get("ETag"),
                    resp.headers.get("Last-Modified"),
                    permanent,
                )
        except httpx.TimeoutException as exc:
            raise SourceError(f"timed out ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise SourceError(f"{type(exc).__name__}: {exc}") from exc
    raise SourceError(f"more than {max_redirects} redirects")


async def fetch_within(
    http: httpx.AsyncClient,
    url: str,
    total_seconds: float = TOTAL_SECONDS,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BYTES,
    gate: HostGate | None = None,
    now: datetime | None = None,
) -> Fetched:
    """fetch(), bounded in total time (redirects, waiting for the host and body included)."""
    try:
        return await asyncio.wait_for(
            fetch(http, url, etag, last_modified, max_bytes, gate=gate, now=now), total_seconds
        )
    except TimeoutError as exc:
        raise SourceError(f"gave up after {total_seconds:.0f} s in total") from exc


def _refuse(resp: httpx.Response, now: datetime) -> None:
    """Raise the right SourceError for an error status."""
    status = resp.status_code
    if status == 410:
        raise Gone(
            "HTTP 410 Gone: the feed was removed; digest stops asking. Replace or "
            "delete this source (a changed url in the config is tried again)"
        )
    if status in (429, 503):
        until = retry_after(resp.headers.get("Retry-After"), now)
        if until:
            raise RetryLater(
                f"HTTP {status} {resp.reason_phrase}: the server asked to wait "
                f"until {until:%Y-%m-%d %H:%M} UTC",
                until,
            )
    if status >= 400:
        raise SourceError(f"HTTP {status} {resp.reason_phrase}")


async def _read_capped(resp: httpx.Response, max_bytes: int) -> bytes:
    declared = resp.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise SourceError(f"response is {int(declared):,} bytes, over the {max_bytes:,}-byte cap")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise SourceError(f"response is over the {max_bytes:,}-byte cap")
        chunks.append(chunk)
    return b"".join(chunks)
