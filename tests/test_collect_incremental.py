"""Folder sources read only new and changed files (mtime and size, then the content hash)."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from digest import store
from digest.collect import collect
from digest.config import Source
from digest.models import SourceReport, StoreResult

NOW = datetime(2026, 11, 23, 7, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return store.open_engine(f"sqlite:///{tmp_path / 'd.db'}")


def page(folder: Path, name: str, title: str, body: str = "Body text of the page.") -> Path:
    path = folder / name
    path.write_text(f"{title} - Site\n\n{body}\n", encoding="utf-8")
    return path


def run(engine: Engine, source: Source) -> tuple[SourceReport, StoreResult]:
    urls = {source.name: str(source.path)}
    result = asyncio.run(collect((source,), NOW, store.feed_states(engine, urls)))
    stats = store.save_collect(engine, result, NOW, urls)
    (report,) = result.reports
    return report, stats[source.name]


def test_only_new_and_changed_files_are_read(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    a = page(folder, "a.txt", "First")
    page(folder, "b.txt", "Second")
    gone = page(folder, "c.txt", "Third")
    source = Source("Saved", "folder", path=folder)

    report, stats = run(engine, source)
    assert (stats.new, len(report.articles)) == (3, 3)

    report, stats = run(engine, source)
    assert report.articles == () and report.unchanged
    assert (stats.new, stats.updated, stats.unchanged) == (0, 0, 3)

    stamp = a.stat()
    os.utime(a, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 5_000_000_000))  # touched only
    report, stats = run(engine, source)
    assert [x.title for x in report.articles] == ["First"]  # read again...
    assert (stats.new, stats.updated, stats.unchanged) == (0, 0, 3)  # ...same content

    page(folder, "b.txt", "Second", "A corrected body, longer than before.")
    page(folder, "d.txt", "Fourth")
    gone.unlink()
    report, stats = run(engine, source)
    assert sorted(x.title for x in report.articles) == ["Fourth", "Second"]
    assert (stats.new, stats.updated, stats.unchanged) == (1, 1, 1)
    assert sorted(store.feed_states(engine)["Saved"].files or {}) == ["a.txt", "b.txt", "d.txt"]
    assert len(store.list_articles(engine)) == 4  # the deleted file's article is kept


def test_max_items_leaves_the_rest_for_the_next_collection(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(5):
        page(folder, f"{n}.txt", f"Page {n}")
    source = Source("Saved", "folder", path=folder, max_items=2)
    titles: list[str] = []
    waiting: list[tuple[str, ...]] = []
    for expected_new in (2, 2, 1, 0):
        report, stats = run(engine, source)
        titles += [x.title for x in report.articles]
        waiting.append(report.warnings)
        assert stats.new == expected_new
    assert sorted(titles) == [f"Page {n}" for n in range(5)]
    assert waiting[0] == (
        "3 more new or changed files wait for the next collection (max_items = 2)",
    )
    assert waiting[2] == waiting[3] == ()


def test_a_bad_file_warns_every_time(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    page(folder, "ok.txt", "Fine")
    (folder / "broken.txt").write_bytes(b"\x00\x01binary")
    source = Source("Saved", "folder", path=folder)
    for _ in range(2):
        report, _ = run(engine, source)
        assert any(w.startswith("broken.txt: skipped: binary") for w in report.warnings)
