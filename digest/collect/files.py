"""Folder sources: saved pages as .txt, .md/.markdown, .html/.htm and .json files."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt

from digest.collect import standfirst
from digest.collect.clean import (
    MAX_TEXT,
    clean_line,
    content_hash,
    excerpt,
    html_to_text,
    is_chrome,
    normalize_paragraphs,
    safe_url,
    split_title,
    title_text,
)
from digest.errors import SourceError
from digest.models import Article

MAX_FILE_BYTES = 5 * 1024 * 1024
SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".json"}
URL_LINE = re.compile(r"^(?:(?:source|url|lien|link)\s*:\s*)?(https?://\S+)$", re.I)


@dataclass(frozen=True, slots=True)
class Page:
    """What a file says, before it becomes an Article."""

    title: str
    text: str
    site: str | None = None
    url: str | None = None
    published: datetime | None = None
    lang: str | None = None
    author: str | None = None
    tags: tuple[str, ...] = ()


Stamp = tuple[int, int]  # (mtime in ns, size): a file not touched since it was read


@dataclass(frozen=True, slots=True)
class FolderRead:
    articles: tuple[Article, ...]
    warnings: tuple[str, ...]
    seen: dict[str, Stamp]  # every file read now or unchanged since: relative path -> stamp
    unchanged: int  # files skipped because their stamp had not changed


def scan_folder(
    folder: Path,
    source: str,
    strip: tuple[re.Pattern[str], ...] = (),
    seen: Mapping[str, Stamp] | None = None,
    limit: int | None = None,
) -> FolderRead:
    """Read the files below `folder` that are new or changed since `seen`, at most `limit`
    of them; the rest wait for the next collection. A skipped file is tried again next
    time (so its warning is not lost)."""
    if not folder.is_dir():
        raise SourceError(f"folder not found: {folder}")
    seen = seen or {}
    articles: list[Article] = []
    warnings: list[str] = []
    now_seen: dict[str, Stamp] = {}
    unchanged = waiting = 0
    for path in _files(folder):
        rel = path.relative_to(folder).as_posix()
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        if seen.get(rel) == stamp:
            now_seen[rel] = stamp
            unchanged += 1
            continue
        if limit is not None and len(articles) >= limit:
            waiting += 1
            continue
        try:
            page = read_page(path, strip)
        except SourceError as exc:
            warnings.append(f"{rel}: skipped: {exc}")
            continue
        mtime = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
        articles.append(_article(page, source, rel, mtime))
        now_seen[rel] = stamp
    if waiting:
        warnings.append(
            f"{waiting} more new or changed files wait for the next collection "
            f"(max_items = {limit})"
        )
    return FolderRead(tuple(articles), tuple(warnings), now_seen, unchanged)


def read_folder(
    folder: Path,
    source: str,
    strip: tuple[re.Pattern[str], ...] = (),
) -> tuple[list[Article], list[str]]:
    """Articles from every readable file below `folder`, and a warning per skipped file."""
    read = scan_folder(folder, source, strip)
    return list(read.articles), list(read.warnings)


def _files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        rel_parts = path.relative_to(folder).parts
        if any(p.startswith(".") for p in rel_parts) or not path.is_file():
            continue
        if path.suffix.lower() in SUFFIXES:
            yield path


def read_page(path: Path, strip: tuple[re.Pattern[str], ...] = ()) -> Page:
    size = path.stat().st_size
    if size == 0:
        raise SourceError("empty file")
    if size > MAX_FILE_BYTES:
        raise SourceError(f"{size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit")
    raw = path.read_bytes()
    text = decode(raw)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        page = parse_txt(text, strip)
    elif suffix in (".md", ".markdown"):
        page = parse_markdown(text)
    elif suffix in (".html", ".htm"):
        page = parse_html(text)
    else:
        page = parse_json(text)
    if not page.title and not page.text:
        raise SourceError("no title or text found")
    return page


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252 / latin-1."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"UTF-16 byte order mark, but not valid UTF-16: {exc.reason}"
            ) from exc
    if b"\0" in raw[:8192]:
        raise SourceError("binary file (NUL bytes), not a text page")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_txt(text: str, strip: tuple[re.Pattern[str], ...] = ()) -> Page:
    """A page saved as text: chrome lines dropped, first line the title, URL lines noted."""
    lines = [clean_line(line) for line in text.splitlines()]
    lines = [line for line in lines if line and not is_chrome(line, strip)]
    url = None
    body: list[str] = []
    for line in lines:
        m = URL_LINE.match(line)
        if m and url is None:
            url = safe_url(m.group(1))
        else:
            body.append(line)
    if not body:
        return Page("", "")
    title, site = split_title(body[0])
    return Page(title_text(title), "\n\n".join(body[1:])[:MAX_TEXT], site, url)


_md = MarkdownIt("commonmark")


def parse_markdown(text: str) -> Page:
    meta, body = front_matter(text)
    plain = html_to_text(_md.render(body))
    title = str(meta.get("title") or "")
    if not title:
        first = re.search(r"^#\s+(.+)$", body, re.M)
        title = first.group(1) if first else ""
    return _page_from_meta(meta, title, _drop_leading_title(plain, title))


def _drop_leading_title(text: str, title: str) -> str:
    """Pages often repeat their title as the first heading; keep it out of the text."""
    first, _, rest = text.partition("\n\n")
    if title and clean_line(first).casefold() == title_text(title).casefold():
        return rest
    return text


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    """YAML between '---' lines or TOML between '+++' lines at the top."""
    for fence, loader in (("---", _yaml), ("+++", _toml)):
        if text.startswith(fence + "\n") or text.startswith(fence + "\r\n"):
            end = re.search(rf"^{re.escape(fence)}\s*$", text[len(fence) + 1 :], re.M)
            if end:
                head = text[len(fence) + 1 : len(fence) + 1 + end.start()]
                meta = loader(head)
                return meta, text[len(fence) + 1 + end.end() :]
    return {}, text


def _yaml(head: str) -> dict[str, Any]:
    try:
        meta = yaml.safe_load(head)
    except (yaml.YAMLError, ValueError) as exc:
        raise SourceError(f"front matter is not valid YAML: {' '.join(str(exc).split())}") from exc
    if not isinstance(meta, dict):
        raise SourceError("front matter is not a mapping of keys to values")
    return meta


def _toml(head: str) -> dict[str, Any]:
    try:
        return tomllib.loads(head)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"front matter is not valid TOML: {exc}") from exc


def parse_html(markup: str) -> Page:
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(markup)
    doc = None
    if tree is not None:
        # bare_extraction works on a copy of the tree; the tree itself serves standfirst.find below
        doc = trafilatura.bare_extraction(
            tree,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
        )
    meta: dict[str, Any] = {}
    if isinstance(doc, dict):
        meta = doc
    elif doc is not None:
        meta = doc.as_dict()
    # trafilatura separates paragraphs with one newline
    text = normalize_paragraphs((meta.get("text") or "").replace("\n", "\n\n"))
    raw_title = clean_line(meta.get("title") or "")
    site = clean_line(meta.get("sitename") or "") or None
    title, tail = split_title(raw_title)
    if tail and (site is None or _same_site(tail, site)):
        site = site or tail  # "Title | Site": the site is not part of the title
    else:
        title = raw_title
    for repeated in dict.fromkeys((raw_title, title)):
        text = _drop_leading_title(text, repeated)
    if tree is not None:
        lead = standfirst.find(tree, title, meta.get("description") or "", text)
        if lead:
            text = f"{lead}\n\n{text}"
    return Page(
        title=title_text(title),
        text=text[:MAX_TEXT],
        site=site,
        url=safe_url(meta.get("url")),
        published=_parse_date(meta.get("date")),
        lang=_lang(meta.get("language")) or _html_lang(markup),
        author=clean_line(meta["author"]) if meta.get("author") else None,
        tags=tuple(t.strip() for t in (meta.get("tags") or []) if isinstance(t, str))[:10],
    )


def _same_site(tail: str, site: str) -> bool:
    """Whether a title's tail ("... | Le Monde.fr") names the page's site ("Le Monde")."""
    a, b = tail.casefold(), site.casefold()
    return a in b or b in a


def parse_json(text: str) -> Page:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"not valid JSON: line {exc.lineno}: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise SourceError("expected a JSON object with title, url, date, text")
    body = data.get("text") or data.get("content") or data.get("summary") or ""
    plain = html_to_text(body) if isinstance(body, str) else ""
    return _page_from_meta(data, str(data.get("title") or ""), plain)


def _page_from_meta(meta: dict[str, Any], title: str, text: str) -> Page:
    tags = meta.get("tags") or []
    return Page(
        title=title_text(title),
        text=text[:MAX_TEXT],
        site=clean_line(str(meta["site"])) if meta.get("site") else None,
        url=safe_url(str(meta.get("url") or "")),
        published=_parse_date(meta.get("date")),
        lang=_lang(meta.get("lang")),
        author=clean_line(str(meta["author"])) if meta.get("author") else None,
        tags=tuple(str(t) for t in tags)[:10] if isinstance(tags, list) else (),
    )


def _parse_date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _html_lang(markup: str) -> str | None:
    m = re.search(r"<html\b[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,8})", markup[:4096], re.I)
    return m.group(1).lower() if m else None


def _lang(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower().replace("_", "-").split("-")[0][:8]


def _article(page: Page, source: str, rel: str, mtime: datetime) -> Article:
    digest_ = content_hash(page.title, page.text)
    return Article(
        key=page.url or f"file:{source}:{rel}",
        source=source,
        title=page.title or excerpt(page.text, 80),
        url=page.url,
        published=page.published or mtime,
        excerpt=excerpt(page.text),
        text=page.text,
        content_hash=digest_,
        site=page.site,
        author=page.author,
        lang=page.lang,
        tags=page.tags,
    )
