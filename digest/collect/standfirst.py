"""The standfirst (lead, chapô, perex, bajada) of a saved page.

trafilatura keeps to the article body's container; many sites set the standfirst just
outside it, beside the headline. This finds it from the page's own meta description.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from digest.collect.clean import clean_line

# Where a standfirst is looked for: text blocks (<p>, <div> with no block inside) after the
# headline, outside pictures, navigation, forms, lists and tables.
_LEAD_SKIP = frozenset(
    {
        "figure",
        "figcaption",
        "aside",
        "nav",
        "footer",
        "form",
        "button",
        "ul",
        "ol",
        "table",
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "svg",
    }
)
_LEAD_INNER = (
    "p",
    "div",
    "section",
    "article",
    "ul",
    "ol",
    "table",
    "figure",
    "h1",
    "h2",
    "h3",
    "img",
)
LEAD_WINDOW = 60  # text blocks looked at between the headline and the body
LEAD_SHARE = 0.6  # share of the description's words a standfirst holds
_WORD = re.compile(r"\w+")


def find(tree: Any, title: str, description: str, text: str) -> str:
    """The standfirst: the paragraph between the headline and the article body that the
    page's own description summarises (most of the description's words are in it).

    trafilatura keeps to the article body's container, and many sites set the standfirst
    (lead, chapô, perex, bajada) just outside it, next to the headline. Empty when the
    headline, the start of the body or such a paragraph is not found.
    """
    wanted = set(_WORD.findall(description.casefold()))
    if len(wanted) < 4 or not title or not text:
        return ""
    headline = _headline(tree, title)
    if headline is None:
        return ""
    body_start = _key(text.split("\n\n", 1)[0])[:40]
    lead = ""
    for i, block in enumerate(_blocks_after(headline)):
        if i >= LEAD_WINDOW:
            return ""
        line = clean_line(block.text_content())
        key = _key(line)
        if not key:
            continue
        if body_start in key:
            return lead if lead and _key(lead) not in _key(text) else ""
        words = set(_WORD.findall(key))
        if not lead and len(wanted & words) >= LEAD_SHARE * len(wanted):
            lead = line
    return ""


def _blocks_after(headline: Any) -> Iterator[Any]:
    """Text blocks after `headline`, in document order."""
    node = headline
    while node is not None:
        for sibling in node.itersiblings():
            yield from _text_blocks(sibling)
        node = node.getparent()


def _text_blocks(el: Any) -> Iterator[Any]:
    if not isinstance(el.tag, str) or el.tag in _LEAD_SKIP:
        return
    if el.tag in ("p", "div") and next(el.iterdescendants(*_LEAD_INNER), None) is None:
        yield el
        return
    for child in el:
        yield from _text_blocks(child)


def _headline(tree: Any, title: str) -> Any:
    """The <h1> holding the title (or held in it), else the page's only <h1>."""
    want = _key(title)
    h1s = [(h, _key(clean_line(h.text_content()))) for h in tree.iter("h1")]
    for h, key in h1s:
        if key and (key in want or want in key):
            return h
    return h1s[0][0] if len(h1s) == 1 and h1s[0][1] else None


def _key(text: str) -> str:
    return clean_line(text).casefold()
