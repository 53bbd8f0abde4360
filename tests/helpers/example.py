"""The example digest: config.example.toml's sources collected through the real pipeline into
a throwaway SQLite file, planned and rendered as `make demo` previews it.

Used by the browser tests, docs/screenshots.py and bench/fidelity.py. The issue is planned at
the time of the run, as `make demo` does (the saved pages are dated by their files, which a
fixed date would put in the future); collection is five hours earlier, so undated feed items
read "5 hours ago".
"""

from __future__ import annotations

import asyncio
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest import config, pipeline, store
from digest.models import Article, Issue, IssueItem, Section
from digest.render import personalise

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CONFIG = ROOT / "config.example.toml"


def example_config(database: Path) -> config.Config:
    cfg = config.load(EXAMPLE_CONFIG)
    return replace(cfg, settings=replace(cfg.settings, database=f"sqlite:///{database}"))


def example_issue(list_id: str = "weekly-en") -> tuple[config.Config, Issue]:
    """The next issue of the example list, as `digest preview LIST` would show it."""
    issue_time = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    with tempfile.TemporaryDirectory(prefix="digest-example-") as tmp:
        cfg = example_config(Path(tmp) / "digest.db")
        engine = store.open_engine(cfg.settings.database)
        try:
            # In a thread of its own: Playwright's sync API keeps an event loop running here.
            with ThreadPoolExecutor(1) as pool:
                collected = pipeline.collect(cfg, engine, issue_time - timedelta(hours=5))
                pool.submit(asyncio.run, collected).result()
            _, issue, _ = pipeline.preview_for(cfg, engine, list_id, None, issue_time)
        finally:
            engine.dispose()
    return cfg, issue


def example_html(list_id: str = "weekly-en") -> str:
    """The example issue's HTML for one (preview) recipient: placeholders replaced."""
    cfg, issue = example_issue(list_id)
    rendered = pipeline.render(cfg, issue)
    html, _ = personalise(rendered, f"{cfg.settings.public_url}/u/preview", "reader@example.org")
    return html


def hand_built_issue(locale: str = "en") -> Issue:
    """An issue that is hard to lay out: long words and URLs, Hangul, a thumbnail, a long
    author, "also reported by" two outlets (one without a link), no URL on one item."""
    created = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)

    def art(n: int, title: str, site: str, excerpt: str, **more: object) -> Article:
        values: dict[str, object] = dict(
            key=f"h{n}",
            source=site,
            title=title,
            url=f"https://news.example.org/{n}",
            published=created - timedelta(days=n),
            excerpt=excerpt,
            text=excerpt,
            content_hash=f"h{n}",
            site=site,
            id=n,
        )
        values.update(more)
        return Article(**values)  # type: ignore[arg-type]

    long_word = "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung"
    lead = art(
        2,
        f"{long_word} and the {long_word}",
        "Example Wire",
        "See https://news.example.org/a/very/long/path/without/any/break/"
        + "x" * 90
        + " for the full statement.",
        image="https://img.example.org/thumb.png",
        author="Jean-Baptiste de La Rédaction-Internationale-Et-Européenne",
    )
    korean = art(
        1,
        "북한은 동해상으로 단거리 탄도미사일 발사했다고 합동참모본부가 밝혔다",
        "예시 한반도 뉴스",
        "합동참모본부는 북한이 오늘 오전 동해상으로 단거리 탄도미사일 두 발을 발사했다고 "
        "밝혔다. 군은 추가 발사에 대비해 감시와 경계를 강화하고 있다." * 2,
        image="https://img.example.org/korea.jpg",
    )
    no_url = art(3, "A note without a link", "Saved pages", "Short.", url=None)
    also = (
        art(4, "Same story", "Le Fil d'exemple", "x"),
        art(5, "Same story again", "Пример: Мировые новости", "x", url=None),
    )
    sections = (
        Section(
            "korean-peninsula",
            "Korean Peninsula",
            "#2b6cb0",
            (
                IssueItem(lead, ("russia",), also),
                IssueItem(korean),
            ),
        ),
        Section("other", "Other", "#4a5568", (IssueItem(no_url),)),
    )
    return Issue(
        list_id="weekly-en",
        number=7,
        created=created,
        subject="The Monday Letter #7",
        preheader="3 articles: Korean Peninsula (2), Other (1)",
        locale=locale,
        sections=sections,
    )
