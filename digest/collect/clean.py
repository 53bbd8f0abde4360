"""Pure text cleaning: HTML to text, site chrome, excerpts, titles, URLs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit, urlunsplit

import nh3

MAX_TEXT = 20_000  # characters of body text kept per article
MAX_TITLE = 300
EXCERPT_TARGET = 300

# Lines that site builders (Wix, WordPress, Blogger...) put around the article, in English
# and French. Matched against a whole line, case-insensitively, after trimming.
CHROME_LINES = [
    r"(top|bottom) of (the )?page",
    r"(haut|bas) de (la )?page",
    r"(back to|retour en) (top|haut)",
    r"skip to (main )?content",
    r"aller au contenu( principal)?",
    r"\d+\s*(vues?|views?)\s*(\d+\s*(commentaires?|comments?))?",
    r"\d+\s*(commentaires?|comments?)",
    r"(comments?|commentaires?|r[ée]actions?)\s*:?",
    r"(commenting|comments) (has been|have been|are|is) (turned off|closed|disabled)\.?",
    r"les commentaires sont (d[ée]sactiv[ée]s|ferm[ée]s)\.?",
    r"(write|add|leave) a comment\.?",
    r"(écrire|ajouter|laisser) un commentaire\.?",
    r"(share|partager)( (this|cet) (post|article))?( (on|sur) \w+)?\s*:?",
    r"(like|j'aime|j’aime)",
    r"(recent posts|articles? r[ée]cents?|see all|voir tout|afficher tout)",
    r"(log in|sign in|se connecter|connexion)",
    r"(read more|lire la suite|en savoir plus)\s*[.…]*",
    r"(tags?|[ée]tiquettes?|mots-cl[ée]s)\s*:?",
]
_CHROME = re.compile(r"^(?:" + "|".join(f"(?:{p})" for p in CHROME_LINES) + r")$", re.I)

TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|xtor|xts|_ga|igshid|yclid|"
    r"ocid|cmpid|ref_src|ito|at_medium|at_campaign)$",
    re.I,
)

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "blockquote",
    "pre",
    "section",
    "article",
    "header",
    "footer",
    "figure",
    "figcaption",
    "hr",
    "dd",
    "dt",
    "dl",
}
_SKIP_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "svg", "head"}
_DROP_CONTENT = _SKIP_TAGS | {"title"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n" if tag != "br" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment, paragraphs separated by blank lines."""
    if "<" not in markup and "&" not in markup:
        return normalize_paragraphs(markup)
    parser = _TextParser()
    parser.feed(nh3.clean(markup[: MAX_TEXT * 5], clean_content_tags=_DROP_CONTENT))
    parser.close()
    return normalize_paragraphs("".join(parser.parts))


def normalize_paragraphs(text: str) -> str:
    """Collapse runs of spaces; keep paragraphs apart with one blank line."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    paras = []
    for block in re.split(r"\n\s*\n", text):
        line = re.sub(r"[ \t\f\v]+", " ", block.replace("\n", " ")).strip()
        if line:
            paras.append(line)
    return "\n\n".join(paras)


def clean_line(text: str) -> str:
    """One line of plain text: no control characters, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def is_chrome(line: str, extra: tuple[re.Pattern[str], ...] = ()) -> bool:
    stripped = line.strip()
    if _CHROME.match(stripped):
        return True
    return any(p.search(stripped) for p in extra)


def strip_chrome(lines: list[str], extra: tuple[re.Pattern[str], ...] = ()) -> list[str]:
    return [line for line in lines if not is_chrome(line, extra)]


def split_title(line: str) -> tuple[str, str | None]:
    """'Title - Site' or 'Title | Site' -> (title, site). A long tail is not a site."""
    for sep in (" | ", " - ", " – ", " — "):
        if sep in line:
            title, site = line.rsplit(sep, 1)
            site = site.strip()
            if title.strip() and site and len(site) <= 40 and len(site.split()) <= 5:
                return title.strip(), site
    return line.strip(), None


def excerpt(text: str, target: int = EXCERPT_TARGET) -> str:
    """About `target` characters of plain text, cut at a sentence, else a word boundary."""
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= target + 40:
        return flat
    window = flat[: target + 40]
    ends = [m.end() for m in re.finditer(r"[.!?…»\"”。](?=\s)", window)]
    good = [e for e in ends if target * 0.5 <= e <= target + 40]
    if good:
        return window[: good[-1]].strip()
    cut = window[:target]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"


def safe_url(raw: str | None) -> str | None:
    """An http(s) URL with tracking parameters dropped, or None for anything else."""
    if not raw:
        return None
    raw = raw.strip()
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(c.isspace() or ord(c) < 32 for c in raw) or len(raw) > 2048:
        return None
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and not TRACKING_PARAMS.match(unquote(pair.split("=", 1)[0]))
    )
    fragment = "" if parts.fragment.startswith(("xtor", "utm_")) else parts.fragment
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, fragment)
    )


def content_hash(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "replace"))
        h.update(b"\0")
    return h.hexdigest()


def title_text(raw: str, is_html: bool = False) -> str:
    """A title as one bounded line of text. Markup in an HTML title is reduced to its text;
    in a plain-text title it stays literal text (and is escaped when rendered)."""
    text = html_to_text(raw) if is_html else raw
    return clean_line(text)[:MAX_TITLE]
