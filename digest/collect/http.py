"""HTTP fetching for feeds: bounded size, timeouts, conditional GET, redirects."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from digest import __version__
from digest.errors import SourceError

MAX_BYTES = 10 * 1024 * 1024
TIMEOUT = httpx.Timeout(connect=10.0, read=20.0, write=10.0, pool=10.0)
TOTAL_SECONDS = 60.0


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


def client(contact: str = "") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=TIMEOUT,
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
            async with http.stream("GET", current, headers=headers) as resp:
                if resp.status_code in (301, 302, 303, 307, 308):
                    location = resp.headers.get("Location")
                    if not location:
                        raise SourceError(f"HTTP {resp.status_code} without a Location header")
                    all_permanent = all_permanent and resp.status_code in (301, 308)
                    current = str(resp.url.join(location))
                    continue
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
                if resp.status_code == 410:
                    raise SourceError(
                        "HTTP 410 Gone: the feed was removed; delete or replace this source"
                    )
                if resp.status_code >= 400:
                    raise SourceError(f"HTTP {resp.status_code} {resp.reason_phrase}")
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
