"""RSS, Atom and RDF feeds: bytes in, Articles out (feedparser does the parsing)."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser

from digest.collect.clean import (
    MAX_TEXT,
    content_hash,
    excerpt,
    html_to_text,
    safe_url,
    title_text,
)
from digest.errors import SourceError
from digest.models import Article

FUTURE_SLACK = timedelta(hours=1)
_IMG = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']([^"'>]+)""", re.I)


def parse_feed(
    body: bytes,
    source: str,
    base_url: str,
    content_type: str,
    now: datetime,
    max_items: int = 200,
) -> list[Article]:
    """Articles of a feed document. Raises SourceError when it is not a usable feed."""
    headers = {"content-location": base_url} if base_url.startswith("http") else {}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(
        body, response_headers=headers, sanitize_html=True, resolve_relative_uris=True
    )
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            reason = parsed.get("bozo_exception") or "unreadable"
            raise SourceError(f"not an RSS/Atom feed: {_one_line(reason)}")
        if not parsed.get("version") and not parsed.get("feed"):
            raise SourceError("not an RSS/Atom feed (no channel or entries found)")
        return []
    feed = parsed.get("feed", {})
    site = title_text(feed.get("title", "")) or None
    lang = _lang(feed.get("language"))
    return [
        _article(entry, source, site, lang, now)
        for entry in parsed.entries[:max_items]
        if entry.get("title") or entry.get("summary") or entry.get("link")
    ]


def _article(entry: Any, source: str, site: str | None, lang: str | None, now: datetime) -> Article:
    detail = entry.get("title_detail") or {}
    title = title_text(entry.get("title", ""), "html" in detail.get("type", ""))
    body_html = _longest_content(entry)
    text = html_to_text(body_html)[:MAX_TEXT]
    url = safe_url(entry.get("link"))
    guid = (entry.get("id") or "").strip()
    digest_ = content_hash(title, text)
    key = url or (f"guid:{source}:{guid}" if guid else f"hash:{digest_}")
    return Article(
        key=key,
        source=source,
        title=title or excerpt(text, 80) or "(untitled)",
        url=url,
        published=_date(entry, now),
        excerpt=excerpt(text),
        text=text,
        content_hash=digest_,
        site=site,
        author=title_text(entry.get("author", "")) or None,
        lang=_lang((entry.get("content") or [{}])[0].get("language")) or lang,
        image=_image(entry, body_html),
        tags=tuple(title_text(t.get("term", "")) for t in entry.get("tags", []) if t.get("term"))[
            :10
        ],
    )


def _longest_content(entry: Any) -> str:
    candidates = [c.get("value", "") for c in entry.get("content", [])]
    candidates.append(entry.get("summary", ""))
    return max(candidates, key=len)


def _date(entry: Any, now: datetime) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key) if key in entry else None  # .get() of an alias warns
        if value:
            when = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            return min(when, now) if when > now + FUTURE_SLACK else when
    return None


def _image(entry: Any, body_html: str) -> str | None:
    """media:thumbnail, media:content, an image enclosure, else the first <img> of the
    content: the first that is an absolute https URL (http images break on https mail)."""
    candidates = [t.get("url") for t in entry.get("media_thumbnail", [])]
    candidates += [
        m.get("url")
        for m in entry.get("media_content", [])
        if m.get("medium") == "image"
        or str(m.get("type", "")).startswith("image/")
        or (not m.get("medium") and not m.get("type"))
    ]
    candidates += [
        link.get("href")
        for link in entry.get("links", [])
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/")
    ]
    candidates += _IMG.findall(body_html[:100_000])[:1]
    for raw in candidates:
        url = safe_url(raw)
        if url and url.startswith("https://"):
            return url
    return None


def _lang(value: Any) -> str | None:
    if not value or not isinstance(value, str):
        return None
    return value.strip().lower().replace("_", "-").split("-")[0][:8] or None


def _one_line(value: object) -> str:
    return " ".join(str(value).split())[:200]
