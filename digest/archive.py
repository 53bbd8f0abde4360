"""The public archive of sent issues: web versions, an index per list, an Atom feed.

`digest archive build OUT_DIR` writes these as static files; `digest serve` answers the same
pages at /issues/, /issues/LIST/, /issues/LIST/N and /issues/LIST/feed.atom. Both call the
functions here. Nothing personal is in any page: the per-recipient placeholders become
neutral text and no page carries an unsubscribe token.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from digest import store
from digest.config import Config, MailingList
from digest.errors import DigestError
from digest.i18n import gettext, medium_date
from digest.issue import variant_key
from digest.models import RenderedIssue
from digest.render import builtin_templates, environment, personalise

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_ENTRIES = 20  # the newest issues in a feed; the index lists them all
SENT = "done"  # an issue with no recipient left pending (see store.finish_issue_if_done)
HEADERS = {"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"}
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)


@dataclass(frozen=True, slots=True)
class ArchivedIssue:
    list_id: str
    number: int
    created: datetime
    subject: str


@dataclass(frozen=True, slots=True)
class PublicIssue:
    """A sent issue with its public web version: no address, no token."""

    issue: ArchivedIssue
    preheader: str
    html: str


@dataclass(frozen=True, slots=True)
class Written:
    list_id: str
    issues: int
    folder: Path


def public_html(rendered: RenderedIssue, locale: str) -> str:
    """The web version of a rendition: the unsubscribe link goes nowhere, the address
    becomes "your address"."""
    html, _ = personalise(rendered, "#", gettext(locale, "your address"))
    return html


def web_version(engine: Engine, list_id: str, number: int) -> str | None:
    """The public HTML of issue `number` of the list, or None when there is no such issue."""
    stored = store.find_issue(engine, list_id, number)
    return _public(engine, stored)[1] if stored else None


def sent_issues(engine: Engine, list_id: str) -> list[ArchivedIssue]:
    """The list's sent issues, newest first."""
    rows = [r for r in store.list_issues(engine, list_id) if r["status"] == SENT]
    found = [ArchivedIssue(list_id, r["number"], r["created"], r["subject"]) for r in rows]
    return sorted(found, key=lambda i: i.number, reverse=True)


def public(engine: Engine, issue: ArchivedIssue) -> PublicIssue:
    stored = store.find_issue(engine, issue.list_id, issue.number)
    assert stored is not None
    return PublicIssue(issue, *_public(engine, stored))


def _public(engine: Engine, stored: store.StoredIssue) -> tuple[str, str]:
    """(preheader, public HTML) of the rendition in the list's own language: the web
    version every subscriber's "view in your browser" link opens."""
    r = store.rendition(engine, stored.id, variant_key(stored.locale))
    rendered = RenderedIssue(r["subject"], r["preheader"], r["html"], r["text"])
    return r["preheader"], public_html(rendered, stored.locale)


def lists_page(config: Config, links: Sequence[tuple[MailingList, str]]) -> str:
    """The page that lists the lists: (list, link to its index)."""
    return _page(
        "archive_lists.html.j2",
        "en",
        title=config.settings.title,
        lists=[dict(id=lst.id, title=lst.title, href=href) for lst, href in links],
    )


def index_page(
    config: Config, lst: MailingList, issues: Sequence[ArchivedIssue], suffix: str
) -> str:
    """A list's issues, newest first; each links to "{number}{suffix}" beside the index."""
    return _page(
        "archive_index.html.j2",
        lst.locale,
        title=lst.title,
        digest_title=config.settings.title,
        feed="feed.atom",
        issues=[
            dict(
                number=i.number,
                date=medium_date(i.created, lst.locale),
                iso=i.created.date().isoformat(),
                subject=i.subject,
                href=f"{i.number}{suffix}",
            )
            for i in issues
        ],
    )


def atom_feed(
    config: Config, lst: MailingList, issues: Sequence[PublicIssue], now: datetime
) -> bytes:
    """An Atom 1.0 feed of the given issues (newest first); links point at public_url."""
    base = f"{config.settings.public_url.rstrip('/')}/issues/{lst.id}"
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: lst.locale})
    _text(feed, "id", f"{base}/")
    _text(feed, "title", lst.title)
    _text(feed, "subtitle", config.settings.title)
    _text(feed, "updated", (issues[0].issue.created if issues else now).isoformat())
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{base}/feed.atom")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=f"{base}/")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", config.settings.title)
    _text(feed, "generator", "digest")
    for p in issues:
        url = f"{base}/{p.issue.number}"
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", url)
        _text(entry, "title", p.issue.subject)
        _text(entry, "updated", p.issue.created.isoformat())
        _text(entry, "published", p.issue.created.isoformat())
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=url)
        _text(entry, "summary", p.preheader)
        body = _BODY.search(p.html)
        _text(entry, "content", body.group(1) if body else p.html).set("type", "html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def feed_for(config: Config, engine: Engine, lst: MailingList, now: datetime) -> bytes:
    """The list's feed: its FEED_ENTRIES newest sent issues."""
    newest = [public(engine, i) for i in sent_issues(engine, lst.id)[:FEED_ENTRIES]]
    return atom_feed(config, lst, newest, now)


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = value
    return element


def build(
    config: Config, engine: Engine, out_dir: Path, list_id: str | None, now: datetime
) -> list[Written]:
    """Write OUT_DIR/index.html and, per list, OUT_DIR/LIST/{index.html, N.html, feed.atom}."""
    chosen = [config.get_list(list_id)] if list_id else list(config.lists)
    written = []
    try:
        for lst in chosen:
            folder = out_dir / lst.id
            folder.mkdir(parents=True, exist_ok=True)
            issues = sent_issues(engine, lst.id)
            pages = [public(engine, i) for i in issues]
            for p in pages:
                (folder / f"{p.issue.number}.html").write_text(p.html, encoding="utf-8")
            page = index_page(config, lst, issues, ".html")
            (folder / "index.html").write_text(page, encoding="utf-8")
            feed = atom_feed(config, lst, pages[:FEED_ENTRIES], now)
            (folder / "feed.atom").write_bytes(feed)
            written.append(Written(lst.id, len(issues), folder))
        links = [
            (lst, f"{lst.id}/index.html")
            for lst in config.lists
            if (out_dir / lst.id / "index.html").is_file()
        ]
        (out_dir / "index.html").write_text(lists_page(config, links), encoding="utf-8")
    except OSError as exc:
        raise DigestError(f"cannot write the archive to {out_dir}: {exc.strerror}") from exc
    return written


def routes(config: Config, engine: Engine) -> list[Route]:
    """/issues/, /issues/LIST/ and /issues/LIST/feed.atom for `digest serve` (the web
    version /issues/LIST/N is digest.web's)."""

    def known(list_id: str) -> MailingList | None:
        return next((x for x in config.lists if x.id == list_id), None)

    def lists(request: Request) -> Response:
        links = [(lst, f"{lst.id}/") for lst in config.lists]
        return HTMLResponse(lists_page(config, links), headers=HEADERS)

    def index(request: Request) -> Response:
        lst = known(request.path_params["list_id"])
        if lst is None:
            return Response("not found\n", status_code=404, media_type="text/plain")
        page = index_page(config, lst, sent_issues(engine, lst.id), "")
        return HTMLResponse(page, headers=HEADERS)

    def feed(request: Request) -> Response:
        lst = known(request.path_params["list_id"])
        if lst is None:
            return Response("not found\n", status_code=404, media_type="text/plain")
        body = feed_for(config, engine, lst, datetime.now(UTC))
        return Response(body, media_type="application/atom+xml", headers=HEADERS)

    return [
        Route("/issues/", lists, methods=["GET"]),
        Route("/issues/{list_id}/", index, methods=["GET"]),
        Route("/issues/{list_id}/feed.atom", feed, methods=["GET"]),
    ]


def _page(template: str, locale: str, **values: object) -> str:
    env = environment((builtin_templates("web"),), locale)
    return env.get_template(template).render(locale=locale, **values)
