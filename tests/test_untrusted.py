"""Feeds, pages and subscriber names are untrusted: they are shown as text, never run.

A local feed and a saved page carry script tags, event handlers, javascript: links, MJML
tags, Jinja syntax and header-injection attempts. They go through the real CLI (collect,
preview, send to the outbox) and the rendered HTML, text and .eml files are inspected.
"""

from __future__ import annotations

import json
import re
import subprocess
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from tests.helpers.cli import run_digest

EVIL_TITLE = (
    "Korea SCRIPTT <script>alert(1)</script> IMGG <img src=x onerror=alert(1)> "
    "MJ <mj-section><mj-text>x</mj-text></mj-section> JINJA[{{ 7*7 }}] RAW[{% raw %}]"
)
EVIL_BODY = (
    "<p>Korea body <script>alert(1)</script> <img src=x onerror=alert(1)> "
    '<a href="javascript:alert(1)">click</a> '
    "<mj-section><mj-text>x</mj-text></mj-section> BODYJINJA[{{ 7*7 }}] {% raw %} end</p>"
)
PAGE_TITLE = 'Seoul PAGEE <mj-button href="https://evil.example/x">go</mj-button> PJ[{{ 7*7 }}]'
INJECTED_TITLE = "Hello\r\nBcc: evil@example.com\r\nX-Evil: 1 Korea"


def xml_text(value: str) -> str:
    """Escape for an XML text node, keeping CR and LF as character references."""
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#13;")
        .replace("\n", "&#10;")
    )


FEED = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Evil Wire</title>
    <link>https://evil.example/</link>
    <description>x</description>
    <item>
      <title>{xml_text(EVIL_TITLE)}</title>
      <link>javascript:alert(1)</link>
      <guid isPermaLink="false">evil-1</guid>
      <description>{xml_text(EVIL_BODY)}</description>
    </item>
    <item>
      <title>{xml_text(INJECTED_TITLE)}</title>
      <link>https://ok.example/injected</link>
      <guid isPermaLink="false">evil-2</guid>
      <description>Korea Seoul Pyongyang.</description>
    </item>
  </channel>
</rss>
"""

CONFIG = """\
[digest]
title = "World Digest"
database = "out/digest.db"
public_url = "https://news.example.org"
secret_env = "DIGEST_SECRET"

[[sources]]
name = "Evil Wire"
type = "rss"
url = "evil.xml"

[[sources]]
name = "Evil pages"
type = "folder"
path = "pages"

[[themes]]
id = "korean-peninsula"
title = { en = "Korean Peninsula", fr = "Péninsule coréenne" }
terms = ["korea*", "Seoul", "Pyongyang", "Corée*"]

[[lists]]
id = "weekly-fr"
title = "La lettre du lundi"
locale = "fr"
from = "Digest <digest@example.org>"
other = true

[delivery]
transport = "outbox"
outbox_dir = "out/outbox"
"""

# a name with CR/LF: the only untrusted text that reaches a header (To)
SUBSCRIBERS = "\n".join(
    [
        "email,name,locale",
        'eve@example.org,"Eve\r\nBcc: evil@example.com",fr',
        "ann@example.org,Ann,fr",
        "",
    ]
)


def digest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_digest(root, "-c", str(root / "digest.toml"), *args)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


class Markup(HTMLParser):
    """Every tag with its attributes, and the text inside each <a>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.links: list[tuple[str, str]] = []  # (href, text inside the <a>)
        self._open: list[list[str]] = []
        self._hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "a":
            self._hrefs.append(dict(attrs).get("href") or "")
            self._open.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            self.links.append((self._hrefs.pop(), "".join(self._open.pop())))

    def handle_data(self, data: str) -> None:
        for buf in self._open:
            buf.append(data)


def parse_html(html: str) -> Markup:
    m = Markup()
    m.feed(html)
    m.close()
    return m


def assert_inert(html: str) -> None:
    """Nothing from the feed is live markup in the HTML."""
    lowered = html.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered
    assert not re.search(r"<[^>]*\bonerror\s*=", lowered), "a live onerror attribute"
    assert "<mj-" not in lowered, "an MJML tag survived compilation"
    doc = parse_html(html)
    for tag, attrs in doc.tags:
        assert tag != "script"
        assert not tag.startswith("mj-")
        for name, value in attrs:
            assert not name.lower().startswith("on"), f"<{tag} {name}=...>"
            if name in ("href", "src") and value:
                assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
    # the articles whose link was javascript: are not links at all
    assert not [href for href, text in doc.links if "SCRIPTT" in text or "PAGEE" in text]
    # and the mj-button in a page title did not become a button
    assert not [href for href, _ in doc.links if "evil.example/x" in href]
    # onerror= only ever appears inside escaped text (the title shown literally)
    for m in re.finditer(r"onerror=", html):
        assert "&lt;img" in html[max(0, m.start() - 30) : m.start()]
    # Jinja syntax from a feed is never evaluated
    for evaluated in ("JINJA[49]", "BODYJINJA[49]", "PJ[49]"):
        assert evaluated not in html
    assert "JINJA[{{ 7*7 }}]" in html
    assert "RAW[{% raw %}]" in html


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "evil.xml").write_text(FEED, encoding="utf-8")
    (tmp_path / "pages").mkdir()
    page = {"title": PAGE_TITLE, "url": "javascript:alert(1)", "text": "Pyongyang Seoul Korea"}
    (tmp_path / "pages" / "evil.json").write_text(json.dumps(page), encoding="utf-8")
    (tmp_path / "subs.csv").write_bytes(SUBSCRIBERS.encode())
    (tmp_path / "digest.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def test_preview_shows_untrusted_text_inert(root: Path) -> None:
    digest(root, "collect")
    digest(root, "preview", "weekly-fr", "--out", str(root / "p.html"))
    html = (root / "p.html").read_text(encoding="utf-8")
    text = (root / "p.txt").read_text(encoding="utf-8")

    assert_inert(html)
    # shown, escaped, as text
    assert str(escape(EVIL_TITLE)) in html
    assert "&lt;mj-section&gt;" in html
    assert "&lt;script&gt;" in html
    # the text part holds the title as literal text, and nothing evaluated
    assert EVIL_TITLE in text
    assert "JINJA[49]" not in text and "PJ[49]" not in text
    assert "javascript:" not in text.lower()
    # the saved page's javascript: url was dropped, its title kept as text (MJML turns
    # &#34; back into a quote inside text, which is harmless there)
    assert PAGE_TITLE.replace("<", "&lt;").replace(">", "&gt;") in html
    assert PAGE_TITLE in text


def test_sent_mail_is_inert_and_has_no_injected_headers(root: Path) -> None:
    imported = digest(root, "subscribers", "import", "weekly-fr", str(root / "subs.csv"))
    assert "2 added" in imported.stdout, imported.stdout + imported.stderr
    digest(root, "run", "weekly-fr")
    files = sorted((root / "out" / "outbox").rglob("*.eml"))
    assert len(files) == 2, files

    for f in files:
        raw = f.read_bytes()
        head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
        header_names = [
            line.split(b":", 1)[0].strip().lower()
            for line in re.split(rb"\r?\n", head)
            if line and not line[:1].isspace()
        ]
        assert b"bcc" not in header_names, head.decode(errors="replace")
        assert b"x-evil" not in header_names
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(msg, EmailMessage)
        assert msg.get_all("Bcc") is None
        assert msg.get_all("X-Evil") is None
        to = msg["To"].addresses
        assert len(to) == 1 and to[0].addr_spec in ("eve@example.org", "ann@example.org")
        assert "\n" not in str(msg["Subject"]) and "\r" not in str(msg["Subject"])

        html_part = msg.get_body(preferencelist=("html",))
        plain = msg.get_body(preferencelist=("plain",))
        assert html_part is not None and plain is not None
        html = html_part.get_content()
        text = plain.get_content()
        assert_inert(html)
        assert EVIL_TITLE in text
        # the injected title is one line of text in the body, not a header
        assert "Hello Bcc: evil@example.com X-Evil: 1 Korea" in text
        assert not re.search(r"(?m)^Bcc:", text)
