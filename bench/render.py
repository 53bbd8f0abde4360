"""How much MJML compilation and inlining cost on top of plain Jinja rendering.

Prints per-issue times and the ratio render/baseline, both measured in this run.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest import config, issue  # noqa: E402
from digest.models import Article  # noqa: E402
from digest.render import HTML_TEMPLATE, context, environment, render_issue, template_dirs  # noqa: E402
from digest.themes import classify  # noqa: E402

NOW = datetime(2026, 11, 23, 7, tzinfo=UTC)
ROUNDS = 15


def main() -> None:
    cfg = config.load(ROOT / "config.example.toml")
    lst = cfg.get_list("weekly-en")
    words = ["Russia", "Pyongyang", "Kremlin", "North Korea", "climate"]
    items = [
        Article(
            key=str(i),
            source="Wire",
            title=f"{words[i % 5]} story {i}",
            url=f"https://wire.example.org/{i}",
            published=NOW,
            excerpt="Lorem ipsum " * 25,
            text="Lorem ipsum " * 25,
            content_hash=str(i),
            site=f"Wire {i % 7}",
            id=i,
            image=f"https://img.example.org/{i}.jpg",
        )
        for i in range(35)
    ]
    # Worst case: a thumbnail on every article, and 5 stories told by 3 sources each
    # (25 shown, "also reported by" 2 others on 5 of them).
    stories = [(str(i), str(25 + 2 * i), str(26 + 2 * i)) for i in range(5)]
    plan = issue.build(
        lst,
        cfg.list_themes(lst),
        cfg.settings.title,
        items,
        {a.key: classify(a, cfg.themes) for a in items},
        1,
        NOW,
        stories,
    )
    assert len(plan.issue.articles) == 25, len(plan.issue.articles)
    dirs = template_dirs(None)
    env = environment(dirs, lst.locale)
    ctx = context(plan.issue, cfg.themes, cfg.settings.title, lst.title, cfg.settings.public_url)

    def baseline() -> None:
        env.get_template(HTML_TEMPLATE).render(ctx)

    def full() -> None:
        render_issue(
            plan.issue, cfg.themes, cfg.settings.title, lst.title, cfg.settings.public_url, dirs
        )

    base, real = timed(baseline), timed(full)
    html = render_issue(
        plan.issue, cfg.themes, cfg.settings.title, lst.title, cfg.settings.public_url, dirs
    ).html
    print(f"jinja only (baseline): {base * 1000:7.2f} ms per issue")
    print(f"full render:           {real * 1000:7.2f} ms per issue")
    print(f"ratio full/baseline:   {real / base:7.1f}x")
    print(
        f"HTML size, 25 articles with thumbnails: {len(html.encode()) / 1024:.1f} KB "
        "(Gmail clips at ~102 KB)"
    )


def timed(fn: object) -> float:
    assert callable(fn)
    fn()  # warm up
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


if __name__ == "__main__":
    main()
