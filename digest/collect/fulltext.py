"""`fetch_full_text`: for a summary-only feed, fetch each new article's page and keep its
main text. Same client, same per-host politeness, bounded like a feed."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

import httpx

from digest.collect import files, http
from digest.collect.clean import MAX_TEXT, excerpt
from digest.config import CollectSettings
from digest.errors import SourceError
from digest.models import Article, SourceReport

PAGE_MAX_BYTES = 5 * 1024 * 1024


async def enrich(
    report: SourceReport,
    client: httpx.AsyncClient,
    cfg: CollectSettings,
    gate: http.HostGate | None,
    is_known: Callable[[str, str], bool] | None,
) -> SourceReport:
    """The report with each new or changed article's text taken from its page.

    The content hash stays the feed item's, so an unchanged item is not fetched again."""
    warnings: list[str] = []

    async def one(article: Article) -> Article:
        if not article.url or (is_known and is_known(article.key, article.content_hash)):
            return article
        try:
            got = await http.fetch_within(
                client,
                article.url,
                cfg.total_seconds,
                max_bytes=min(cfg.max_bytes, PAGE_MAX_BYTES),
                gate=gate,
            )
            page = await asyncio.to_thread(files.parse_html, files.decode(got.body))
        except SourceError as exc:
            warnings.append(f"{article.url}: full text not fetched: {exc}")
            return article
        if len(page.text) <= len(article.text):
            return article
        text = page.text[:MAX_TEXT]
        return dataclasses.replace(article, text=text, excerpt=excerpt(text))

    articles = await asyncio.gather(*(one(a) for a in report.articles))
    return dataclasses.replace(
        report, articles=tuple(articles), warnings=report.warnings + tuple(warnings)
    )
