"""Pictures of the example digest for the README, taken with headless Chromium.

Renders the example digest (config.example.toml's sources, as `make demo` previews them) and
writes the top of it, as a reader first sees it:

    docs/email-desktop.png      700 px wide (a desktop client's reading pane)
    docs/email-phone.png        375 px wide (a phone)
    docs/email-phone-dark.png   375 px wide, the reader's system in dark mode

Heights are capped so the files stay small. Run after a template change:

    .venv/bin/python docs/screenshots.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import browser as browser_helper  # noqa: E402
from tests.helpers.example import example_html  # noqa: E402

DOCS = ROOT / "docs"
SHOTS = (
    ("email-desktop.png", 700, 1500, "light"),
    ("email-phone.png", 375, 1300, "light"),
    ("email-phone-dark.png", 375, 1300, "dark"),
)


def main() -> int:
    reason = browser_helper.missing()
    if reason:
        print(f"screenshots: not taken: {reason}", file=sys.stderr)
        return 2
    html = example_html("weekly-en")
    with browser_helper.launched() as browser:
        for name, width, height, scheme in SHOTS:
            with browser_helper.open_html(
                browser, html, width, height, color_scheme=scheme
            ) as page:
                page.screenshot(path=DOCS / name)  # the viewport: the top `height` px
            size = (DOCS / name).stat().st_size
            print(f"{DOCS.relative_to(ROOT) / name}: {width} x {height} px, {size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
