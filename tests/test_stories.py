"""Stories, caps, languages and source themes, from issue building to `digest explain`.

Unit tests build issues from hand-made articles; the others run the real pipeline on a real
SQLite file and the real CLI.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digest import config, issue, pipeline, store
from digest.errors import ConfigError
from digest.language import detect
from digest.models import Article, Classification, CollectResult, SourceReport, Theme, ThemeMatch
from tests.helpers.cli import run_digest

NOW = datetime.now(UTC).replace(microsecond=0)
THEMES = (
    Theme("korea", {"en": "Korea", "fr": "Corée"}, ("Korea*",)),
    Theme("russia", {"en": "Russia", "fr": "Russie"}, ("Russia*",)),
)


def art(key: str, source: str, hours_old: int, lang: str = "en", title: str = "") -> Article:
    return Article(
        key=key,
        source=source,
        title=title or key,
        url=f"https://{source.lower()}.example/{key}",
        published=NOW - timedelta(hours=hours_old),
        excerpt="",
        text="",
        content_hash=key,
        lang=lang,
        id=abs(hash(key)) % 10_000,
    )


def on(*themes: str) -> Classification:
    return Classification(tuple(ThemeMatch(t, 3, ()) for t in themes))


def a_list(**kw: object) -> config.MailingList:
    base = config.MailingList(
        "weekly", "Weekly", "en", "d@example.org", "0 7 * * mon", "UTC", None, True, 7
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_a_story_shows_once_led_in_the_lists_language_and_ranked_by_sources() -> None:
    fresh = art("fresh", "Wire", 1)
    told = [art("ru-fr", "Fil", 20, "fr"), art("ru-en", "Wire", 21), art("ru-ko", "KBS", 22, "ko")]
    classes = {a.key: on("russia") for a in (fresh, *told)}
    plan = issue.build(
        a_list(),
        THEMES,
        "D",
        [fresh, *told],
        classes,
        1,
        NOW,
        stories=[("ru-fr", "ru-en", "ru-ko")],
    )
    (section,) = plan.issue.sections
    # three sources beat one newer article; the English member leads an English list
    assert [i.article.key for i in section.items] == ["ru-en", "fresh"]
    assert [a.key for a in section.items[0].also] == ["ru-fr", "ru-ko"]
    assert [a.key for a in plan.issue.articles] == ["ru-en", "fresh"]
    assert {a.key for a in plan.issue.all_articles} == {"fresh", "ru-fr", "ru-en", "ru-ko"}
    folded = {x.article.key: x.reason for x in plan.left_out}
    assert folded.keys() == {"ru-fr", "ru-ko"}
    assert "same story as “ru-en” (Wire)" in folded["ru-fr"]
    assert plan.stories["ru-ko"] == "ru-en"
    # a French list is led by the French member
    fr = issue.build(
        a_list(locale="fr"), THEMES, "D", told, classes, 1, NOW, stories=[("ru-fr", "ru-en")]
    )
    assert fr.issue.sections[0].items[0].article.key == "ru-fr"


def test_a_story_goes_to_the_section_of_its_first_member_with_a_theme() -> None:
    lead, other = art("a", "Wire", 1), art("b", "Fil", 2)
    plan = issue.build(
        a_list(other=False),
        THEMES,
        "D",
        [lead, other],
        {"a": on(), "b": on("korea", "russia")},
        1,
        NOW,
        stories=[("a", "b")],
    )
    (section,) = plan.issue.sections
    assert section.theme_id == "korea"
    assert section.items[0].article.key == "a" and section.items[0].tags == ("russia",)


def test_max_per_theme_caps_each_section_and_says_so() -> None:
    items = [art(f"k{i}", "Wire", i) for i in range(4)] + [art("r0", "Wire", 1)]
    classes = {a.key: on("korea" if a.key.startswith("k") else "russia") for a in items}
    plan = issue.build(a_list(max_per_theme=2), THEMES, "D", items, classes, 1, NOW)
    counts = {s.theme_id: len(s.items) for s in plan.issue.sections}
    assert counts == {"korea": 2, "russia": 1}
    reasons = {x.article.key: x.reason for x in plan.left_out}
    assert reasons == {
        "k2": "over the list's max_per_theme (2) in korea",
        "k3": "over the list's max_per_theme (2) in korea",
    }


def test_a_list_keeps_only_its_languages() -> None:
    items = [art("en", "Wire", 1), art("ko", "KBS", 1, "ko"), art("none", "X", 1, lang="")]
    items[2] = replace(items[2], lang=None)
    classes = {a.key: on("korea") for a in items}
    plan = issue.build(a_list(languages=("en", "fr")), THEMES, "D", items, classes, 1, NOW)
    assert [a.key for a in plan.issue.articles] == ["en"]
    reasons = {x.article.key: x.reason for x in plan.left_out}
    assert reasons["ko"] == "in ko, not in the list's languages (en, fr)"
    assert reasons["none"] == "in an unknown language, not in the list's languages (en, fr)"


LANGS = ("en", "fr", "ko", "ru", "uk")


@pytest.mark.parametrize(
    ("title", "text", "declared", "expected"),
    [
        # the feed says English; the item is Korean
        (
            "북한, 신형 순항미사일 시험발사",
            "조선중앙통신은 24일 새로운 순항미사일을 시험했다고 밝혔다.",
            "en",
            "ko",
        ),
        # Ukrainian and Russian share the script; the words tell them apart
        ("Кремль оголосив новий бюджет", "Уряд Росії збільшує витрати на оборону.", None, "uk"),
        ("Кремль объявил новый бюджет", "Правительство России увеличивает расходы.", "uk", "ru"),
        (
            "La Russie et la Corée du Nord signent un accord",
            "Le texte prévoit une aide.",
            "en",
            "fr",
        ),
        # too little to go on: the declaration stands
        ("OK", "", "fr", "fr"),
        ("2024", "", "ko", "ko"),
    ],
)
def test_language_is_detected_among_the_configured_ones(
    title: str, text: str, declared: str | None, expected: str
) -> None:
    assert detect(title, text, LANGS, declared) == expected


def test_with_one_language_configured_the_declared_one_is_kept() -> None:
    assert detect("북한", "북한", ("en",), "en") == "en"
    assert detect("북한", "북한", (), None) is None


CONFIG = """
[digest]
database = "d.db"
public_url = "https://news.example.org"
languages = ["en", "fr", "ko"]
story_window = "2d"
[[sources]]
name = "KBS"
type = "rss"
url = "https://kbs.example/rss"
themes = ["korea"]
[[themes]]
id = "korea"
title = { en = "Korea" }
terms = ["Korea*"]
[[themes]]
id = "russia"
title = { en = "Russia" }
terms = ["Russia*", "Moscow", "Kremlin"]
[[lists]]
id = "weekly"
title = "Weekly"
from = "Digest <digest@example.org>"
other = false
max_age_days = 7
languages = ["en", "ko"]
[delivery]
transport = "outbox"
outbox_dir = "outbox"
"""

BUDGET = (
    "The Kremlin approved a draft budget that raises defence spending to a record 13.5 "
    "trillion roubles next year, the finance ministry in Moscow said on Monday, while "
    "social spending is cut for a second year."
)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, config.Config]:
    monkeypatch.setenv("DIGEST_SECRET", "stories-test")
    (tmp_path / "digest.toml").write_text(CONFIG, encoding="utf-8")
    cfg = config.load(tmp_path / "digest.toml")
    engine = store.open_engine(cfg.settings.database)

    def one(key: str, source: str, title: str, text: str, hours: int, lang: str) -> Article:
        a = art(key, source, hours, lang, title)
        return replace(a, text=text, excerpt=text[:200], id=None)

    wire = SourceReport(
        "Wire",
        (
            one(
                "w1",
                "Wire",
                "Kremlin raises defence spending to record in draft budget",
                BUDGET,
                5,
                "en",
            ),
            one(
                "w2", "Wire", "Moscow metro opens a new line", "The line has six stations.", 3, "en"
            ),
        ),
    )
    post = SourceReport(
        "Post",
        (
            one(
                "p1",
                "Post",
                "Russia's draft budget raises defence spending to a record",
                BUDGET.replace("said on Monday", "announced"),
                4,
                "en",
            ),
        ),
    )
    kbs = SourceReport(
        "KBS",
        (
            one(
                "k1",
                "KBS",
                "부산 해운대 불꽃축제 열려",
                "올해 불꽃축제에 많은 시민이 모였다.",
                2,
                "en",
            ),
        ),
    )
    result = pipeline.with_languages(CollectResult((wire, post, kbs)), cfg.settings.languages)
    store.save_collect(engine, result, NOW)
    return tmp_path, cfg


def test_next_issue_folds_the_story_uses_source_themes_and_detected_language(
    site: tuple[Path, config.Config],
) -> None:
    _, cfg = site
    engine = store.open_engine(cfg.settings.database)
    k1 = store.find_article(engine, "https://kbs.example/k1")
    assert k1 is not None and k1.lang == "ko"  # declared "en", written in Korean
    plan = pipeline.plan(cfg, engine, "weekly", NOW)
    items = {s.theme_id: s.items for s in plan.issue.sections}
    # the Korea-only source's article matches no term but lands in its source's theme
    assert [i.article.key for i in items["korea"]] == ["k1"]
    lead, single = items["russia"]
    assert {lead.article.source, *(a.source for a in lead.also)} == {"Wire", "Post"}
    assert single.article.title == "Moscow metro opens a new line"


def test_sent_story_members_do_not_come_back(site: tuple[Path, config.Config]) -> None:
    root, cfg = site
    engine = store.open_engine(cfg.settings.database)
    stored = pipeline._store_issue(cfg, engine, pipeline.plan(cfg, engine, "weekly", NOW).issue, [])
    assert stored.number == 1
    again = pipeline.plan(cfg, engine, "weekly", NOW)
    assert again.issue.all_articles == ()
    reasons = {x.article.key: x.reason for x in again.left_out}
    assert reasons == {k: "already in issue 1" for k in ("w1", "w2", "p1", "k1")}
    p1 = store.find_article(engine, "https://post.example/p1")
    assert p1 is not None and store.issue_number_of(engine, "weekly", p1.id or 0) == 1
    shown = run_digest(root, "issues", "show", str(stored.id))
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    lead = next(i for i, line in enumerate(lines) if "- Kremlin raises" in line)
    assert "also reported: Russia's draft budget" in lines[lead + 1]


def test_explain_and_articles_json_on_the_cli(site: tuple[Path, config.Config]) -> None:
    root, _ = site
    shown = run_digest(root, "explain", "https://post.example/p1")
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert "russia: score" in text and "applies" in text
    assert "in title" in text  # where the term matched
    assert "same story: Kremlin raises defence spending" in text
    assert "weekly: also: section Russia" in text
    k1 = run_digest(root, "explain", "https://kbs.example/k1")
    assert "the source's themes apply (korea)" in k1.stdout
    missing = run_digest(root, "explain", "https://nowhere.example/x")
    assert missing.returncode != 0
    assert "no stored article 'https://nowhere.example/x'" in missing.stderr
    listed = run_digest(root, "articles", "--json")
    rows = {r["url"]: r for r in json.loads(listed.stdout)}
    p1, w1 = rows["https://post.example/p1"], rows["https://wire.example/w1"]
    assert p1["language"] == "en" and p1["scores"]["russia"] >= 3 and p1["scores"]["korea"] == 0
    assert p1["story"] == w1["story"] is not None
    assert rows["https://wire.example/w2"]["story"] is None


@pytest.mark.parametrize(
    ("snippet", "key", "message"),
    [
        ('languages = ["en", "xx"]', "digest.languages", "ISO 639-1"),
        ('story_window = "soon"', "digest.story_window", "not a duration"),
    ],
)
def test_bad_settings_name_their_key(tmp_path: Path, snippet: str, key: str, message: str) -> None:
    text = CONFIG.replace('story_window = "2d"', snippet)
    if snippet.startswith("languages"):
        text = text.replace('languages = ["en", "fr", "ko"]\n', "")
    (tmp_path / "digest.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load(tmp_path / "digest.toml")
    assert any(p.startswith(key) and message in p for p in caught.value.problems), caught.value


def test_list_languages_and_source_themes_are_checked(tmp_path: Path) -> None:
    text = CONFIG.replace('languages = ["en", "ko"]', 'languages = ["en", "ru"]').replace(
        'themes = ["korea"]', 'themes = ["koera"]'
    )
    (tmp_path / "digest.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load(tmp_path / "digest.toml")
    problems = caught.value.problems
    assert any(
        p.startswith("lists[0].languages: 'ru' is not in digest.languages") for p in problems
    )
    assert any(p.startswith("sources[0].themes: unknown theme 'koera'") for p in problems)


def test_the_configured_news_terms_reach_the_stories(tmp_path: Path) -> None:
    from tests.test_cluster import HEAT_EN, HEAT_FR, HEAT_TERMS, ROADS, filler

    (tmp_path / "terms.toml").write_text(HEAT_TERMS, encoding="utf-8")
    (tmp_path / "digest.toml").write_text(CONFIG, encoding="utf-8")
    plain = config.load(tmp_path / "digest.toml")
    (tmp_path / "digest.toml").write_text(
        CONFIG.replace("[digest]\n", '[digest]\nnews_terms = "terms.toml"\n'), encoding="utf-8"
    )
    cfg = config.load(tmp_path / "digest.toml")
    assert cfg.settings.news_terms == tmp_path / "terms.toml"
    batch = [replace(a, published=NOW) for a in (HEAT_EN, HEAT_FR, ROADS, *filler())]
    assert pipeline.stories_of(plain, batch) == []
    assert [set(s) for s in pipeline.stories_of(cfg, batch)] == [{"wire/30", "lettre/30"}]


def test_story_window_zero_turns_stories_off(tmp_path: Path) -> None:
    (tmp_path / "digest.toml").write_text(
        CONFIG.replace('story_window = "2d"', 'story_window = "0"'), encoding="utf-8"
    )
    cfg = config.load(tmp_path / "digest.toml")
    assert cfg.settings.story_window == 0
    assert pipeline.stories_of(cfg, [art("a", "W", 1), art("b", "P", 1)]) == []


def test_preview_writes_html_text_and_a_summary_and_can_open_a_browser(
    site: tuple[Path, config.Config],
) -> None:
    root, _ = site
    opener = root / "browser.sh"
    opener.write_text('#!/bin/sh\necho "$1" > "$(dirname "$0")/opened.txt"\n', encoding="utf-8")
    opener.chmod(0o755)
    shown = run_digest(
        root, "preview", "weekly", "--out", "prev", "--open", env={"BROWSER": f"{opener} %s"}
    )
    assert shown.returncode == 0, shown.stderr
    assert "Russia: 2 (1 more as also reported by)" in shown.stdout
    summary = json.loads((root / "prev" / "weekly.json").read_text(encoding="utf-8"))
    assert summary["subject"] and summary["preheader"]
    assert {s["theme"]: s["stories"] for s in summary["sections"]} == {"korea": 1, "russia": 2}
    assert any("same story as" in x["reason"] for x in summary["left_out"])
    assert (root / "prev" / "weekly.txt").read_text(encoding="utf-8").strip()
    html = (root / "prev" / "weekly.html").read_text(encoding="utf-8")
    assert summary["html_bytes"] == len(html.encode())
    deadline = time.monotonic() + 10
    while not (root / "opened.txt").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    opened = (root / "opened.txt").read_text(encoding="utf-8").strip()
    assert opened == (root / "prev" / "weekly.html").resolve().as_uri()
    # nothing was stored
    engine = store.open_engine(config.load(root / "digest.toml").settings.database)
    assert store.list_issues(engine) == []
