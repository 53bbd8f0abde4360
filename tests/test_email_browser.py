"""The email as a reader sees it: rendered HTML loaded in headless Chromium on a phone (375 px)
and a desktop client's reading pane (700 px).

Checked: nothing scrolls sideways, article text is 14 px or larger, what one taps (read more,
unsubscribe, web version, the table of contents) is 44 px tall or more, and text contrasts
with what lies behind it (WCAG AA) in light and in dark mode. Skips, saying why, without
Chromium (`make test` installs it when it can).
"""

from __future__ import annotations

from typing import Any

import pytest

from digest import config
from digest.render import personalise, render_issue, template_dirs
from tests.helpers import browser as browser_helper
from tests.helpers.example import EXAMPLE_CONFIG, example_html, hand_built_issue

browser = browser_helper.browser
WIDTHS = (375, 700)
MIN_TEXT_PX = 14
MIN_TAP_PX = 44

# Every visible piece of text under the elements matched by `sel` (decorative marks hidden from
# screen readers aside): its size, and the contrast of its colour with the first opaque
# background behind it.
TEXT_JS = """(sel) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const behind = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c;
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const root of document.querySelectorAll(sel)) {
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const text = n.textContent.trim();
      const el = n.parentElement, box = el.getBoundingClientRect(), cs = getComputedStyle(el);
      if (!text || !box.width || !box.height || cs.visibility === 'hidden') continue;
      if (el.closest('[aria-hidden="true"]')) continue;  // a decorative colour swatch
      const a = lum(rgb(cs.color)), b = lum(behind(el));
      out.push({text: text.slice(0, 40), size: parseFloat(cs.fontSize),
                bold: parseInt(cs.fontWeight) >= 700,
                contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)});
    }
  }
  return out;
}"""
TAPS_JS = """(sel) => [...document.querySelectorAll(sel)].map(a => {
  const box = a.getBoundingClientRect();
  return {text: a.textContent.trim(), height: box.height, width: box.width};
})"""


@pytest.fixture(scope="module")
def emails() -> dict[str, str]:
    cfg = config.load(EXAMPLE_CONFIG)
    hand = render_issue(
        hand_built_issue(),
        cfg.themes,
        cfg.settings.title,
        "The Monday Letter",
        cfg.settings.public_url,
        template_dirs(None),
    )
    hand_html, _ = personalise(hand, "https://news.example.org/u/1.x", "reader@example.org")
    return {
        "example-en": example_html("weekly-en"),
        "example-fr": example_html("weekly-fr"),
        "hand-built": hand_html,
    }


def texts(page: Any, sel: str = ".article") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(TEXT_JS, sel)
    assert found, f"no visible text under {sel}: did the template lose its classes?"
    return found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["example-en", "example-fr", "hand-built"])
def test_fits_reads_and_taps(browser: Any, emails: dict[str, str], name: str, width: int) -> None:
    html = emails[name]
    with browser_helper.open_html(browser, html, width) as page:
        assert browser_helper.scroll_width(page) <= width, "the email scrolls sideways"

        small = [t for t in texts(page) if t["size"] < MIN_TEXT_PX]
        assert not small, f"article text under {MIN_TEXT_PX}px: {small[:5]}"

        taps = page.evaluate(TAPS_JS, "a.button, a.footer-link, a.toc-link")
        short = [t for t in taps if t["height"] < MIN_TAP_PX]
        assert not short, f"tap targets under {MIN_TAP_PX}px tall: {short[:5]}"
        labels = [t["text"] for t in taps]
        read_more = "Lire la suite" if name.endswith("fr") else "Read more"
        assert sum(t.startswith(read_more) for t in labels) == html.count('class="button"')
        assert html.count('class="button"') >= 2
        footer = ("Se désabonner", "Voir dans le navigateur")
        assert set(footer if name.endswith("fr") else ("Unsubscribe", "View in your browser")) <= {
            *labels
        }

        images = page.evaluate("[...document.images].map(i => i.getBoundingClientRect().right)")
        assert all(right <= width for right in images)


def test_hand_built_issue_shows_thumbnail_hangul_and_also_reported_by(
    browser: Any, emails: dict[str, str]
) -> None:
    with browser_helper.open_html(browser, emails["hand-built"], 375) as page:
        thumbs = page.evaluate(
            "[...document.images].filter(i => i.complete && i.naturalWidth)"
            ".map(i => i.getBoundingClientRect().width)"
        )
        assert len(thumbs) == 2 and all(300 <= w <= 375 for w in thumbs)
        also = page.evaluate(TAPS_JS, ".also a")
        assert [a["text"] for a in also] == ["Le Fil d'exemple"]
        body = page.inner_text("body")
        assert "Also reported by Le Fil d'exemple, Пример: Мировые новости" in body
        assert "북한은 동해상으로" in body and "2 days ago" in body


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_in_light_and_dark_mode(
    browser: Any, emails: dict[str, str], scheme: str
) -> None:
    with browser_helper.open_html(browser, emails["example-en"], 375, color_scheme=scheme) as page:
        found = texts(page, ".article, .footer, .card")
        weak = [
            t
            for t in found
            if t["contrast"]
            < (3.0 if t["size"] >= 24 or (t["bold"] and t["size"] >= 18.66) else 4.5)
        ]
        assert not weak, f"{scheme} mode, text below WCAG AA contrast: {weak[:5]}"
        if scheme == "dark":
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert background != "rgb(238, 241, 245)", "dark mode kept the light page"
