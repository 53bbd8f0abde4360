from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest import config
from digest import issue as issue_stage
from digest.errors import RenderError
from digest.i18n import translations
from digest.models import Article, RenderedIssue
from digest.render import (
    RECIPIENT,
    UNSUBSCRIBE,
    builtin_templates,
    check_templates,
    personalise,
    render_issue,
    template_dirs,
)
from digest.themes import classify
from tests.conftest import ROOT
from tests.helpers.example import hand_built_issue

EXAMPLE = config.load(ROOT / "config.example.toml")
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
GOLDEN = Path(__file__).parent / "golden"


def articles() -> list[Article]:
    rows = [
        (
            "Pourparlers de défense entre la Russie et la Corée du Nord",
            "Jade",
            "La Russie a tenu des discussions de haut niveau sur la défense avec la Corée du Nord.",
            None,
        ),
        (
            "Pyongyang fires two missiles",
            "Example Wire",
            "Seoul said the missiles fell into the sea.",
            "https://wire.example.org/a",
        ),
        (
            "Kremlin names new governors",
            "Example Wire",
            "Three regions get new heads.",
            "https://wire.example.org/b",
        ),
        (
            "Climate summit ends",
            "Example Wire",
            "A pledge on adaptation finance.",
            "https://wire.example.org/c",
        ),
    ]
    return [
        Article(
            key=f"k{i}",
            source=site,
            title=title,
            url=url,
            published=datetime(2026, 11, 20 - i, 9, 0, tzinfo=UTC),
            excerpt=text,
            text=text,
            content_hash=f"h{i}",
            site=site,
            id=i + 1,
        )
        for i, (title, site, text, url) in enumerate(rows)
    ]


def render(
    list_id: str, items: list[Article] | None = None, dirs: tuple[Path, ...] | None = None
) -> RenderedIssue:
    lst = EXAMPLE.get_list(list_id)
    items = articles() if items is None else items
    classes = {a.key: classify(a, EXAMPLE.themes) for a in items}
    plan = issue_stage.build(
        lst, EXAMPLE.list_themes(lst), EXAMPLE.settings.title, items, classes, 3, NOW
    )
    return render_issue(
        plan.issue,
        EXAMPLE.themes,
        EXAMPLE.settings.title,
        lst.title,
        EXAMPLE.settings.public_url,
        dirs or template_dirs(None),
    )


@pytest.mark.parametrize("list_id", ["weekly-en", "weekly-fr"])
def test_rendered_issue_matches_golden_files(list_id: str, update_golden: bool) -> None:
    """Golden files: run `pytest --update-golden` after an intended template change."""
    rendered = render(list_id)
    for suffix, body in (
        (".html", rendered.html),
        (".txt", rendered.text),
        (".subject", rendered.subject + "\n" + rendered.preheader + "\n"),
    ):
        path = GOLDEN / f"{list_id}{suffix}"
        if update_golden:
            GOLDEN.mkdir(exist_ok=True)
            path.write_text(body, encoding="utf-8")
        assert body == path.read_text(encoding="utf-8"), (
            f"{path.name} differs; if intended, run pytest --update-golden"
        )


def test_french_labels_dates_and_sections() -> None:
    r = render("weekly-fr")
    assert r.subject == "La lettre du lundi n°3 — 23 novembre 2026"
    assert "Lire la suite" in r.html and "Lire la suite" in r.text
    assert "Péninsule coréenne" in r.html and "Russie" in r.html and "Autres" in r.html
    assert "Numéro 3" in r.text and "Se désabonner" in r.text
    assert r.preheader == "4 articles : Péninsule coréenne (2), Russie (1), Autres (1)"


def test_english_sections_in_theme_order_with_counts() -> None:
    r = render("weekly-en")
    kp, ru, other = (r.text.index(s) for s in ("KOREAN PENINSULA (2)", "RUSSIA (1)", "OTHER (1)"))
    assert kp < ru < other
    assert "Read more: https://wire.example.org/a" in r.text
    assert (
        "Also tagged: Russia" in r.text and "Read more: https://wire" in r.text
    )  # the seed page's secondary theme


def test_placeholders_are_replaced_per_recipient_and_escaped() -> None:
    r = render("weekly-en")
    assert UNSUBSCRIBE in r.html and RECIPIENT in r.text
    html, text = personalise(r, "https://news.example.org/u/7.abc", "a&b@example.org")
    assert UNSUBSCRIBE not in html and RECIPIENT not in html
    assert 'href="https://news.example.org/u/7.abc"' in html
    assert "a&amp;b@example.org" in html and "a&b@example.org" in text


def test_untrusted_text_cannot_plant_a_placeholder() -> None:
    evil = articles()[1]
    evil = Article(
        **{**{f: getattr(evil, f) for f in evil.__slots__}, "title": f"Pyongyang {UNSUBSCRIBE}"}
    )
    r = render("weekly-en", [evil])
    assert r.html.count(UNSUBSCRIBE) == 1  # only the footer's own


def test_html_is_small_enough_not_to_be_clipped_by_gmail() -> None:
    many = [
        Article(
            key=f"k{i}",
            source="Wire",
            title=f"Russia story number {i} " * 3,
            url=f"https://wire.example.org/{i}",
            published=NOW,
            excerpt="Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 6,
            text="x",
            content_hash=str(i),
            site="Wire",
            id=i + 1,
        )
        for i in range(25)
    ]
    r = render("weekly-en", many)
    assert len(r.html.encode()) < 102 * 1024


def test_a_user_template_folder_overrides_one_file(tmp_path: Path) -> None:
    (tmp_path / "partials").mkdir()
    original = (builtin_templates() / "partials" / "footer.mjml.j2").read_text()
    (tmp_path / "partials" / "footer.mjml.j2").write_text(
        original.replace('{{ _("Unsubscribe") }}', "Leave this list")
    )
    r = render("weekly-en", dirs=template_dirs(tmp_path))
    assert "Leave this list" in r.html
    assert "Read more" in r.html  # the rest still comes from the built-in templates


def test_a_broken_template_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "digest.txt.j2").write_text("ok\n{% for x in %}\n")
    dirs = template_dirs(tmp_path)
    problems = check_templates(dirs)
    assert len(problems) == 1 and "digest.txt.j2, line 2" in problems[0]
    with pytest.raises(RenderError, match=r"digest.txt.j2, line 2"):
        render("weekly-en", dirs=dirs)


def test_invalid_mjml_is_a_render_error(tmp_path: Path) -> None:
    (tmp_path / "digest.mjml.j2").write_text("<mjml><mj-body><mj-section>")
    with pytest.raises(RenderError, match="MJML"):
        render("weekly-en", dirs=template_dirs(tmp_path))


def test_an_undated_item_shows_the_day_digest_first_saw_it() -> None:
    undated = Article(
        key="u",
        source="Wire",
        title="Kremlin talks",
        url="https://e.org/u",
        published=None,
        excerpt="x",
        text="x",
        content_hash="u",
        site="Wire",
        id=9,
        first_seen=datetime(2026, 11, 21, 8, tzinfo=UTC),
    )
    assert "Wire · 21 nov. 2026" in render("weekly-fr", [undated]).text


def render_hand_built(locale: str) -> RenderedIssue:
    lst = EXAMPLE.get_list("weekly-en")
    return render_issue(
        hand_built_issue(locale),
        EXAMPLE.themes,
        EXAMPLE.settings.title,
        lst.title,
        EXAMPLE.settings.public_url,
        template_dirs(None),
    )


def test_also_reported_by_links_each_other_source() -> None:
    en, fr = render_hand_built("en"), render_hand_built("fr")
    assert (
        'Also reported by <a href="https://news.example.org/4" style="color: #2b6cb0;">'
        "Le Fil d'exemple</a>, Пример: Мировые новости</div>"
    ) in en.html  # the second has no URL: its name, unlinked
    assert "Également rapporté par <a href" in fr.html
    assert "Also reported by Le Fil d'exemple, Пример: Мировые новости" in en.text
    assert "    Le Fil d'exemple: https://news.example.org/4" in en.text
    assert "Also reported by" not in render("weekly-en").html  # no story shared: no line


def test_dates_are_relative_to_the_issue_in_its_language() -> None:
    en, fr = render_hand_built("en"), render_hand_built("fr")
    assert '<span title="Nov 21, 2026">2 days ago</span>' in en.html
    assert '<span title="21 nov. 2026">il y a 2 jours</span>' in fr.html
    assert "Example Wire · by Jean-Baptiste" in en.text and "(2 days ago)" in en.text


def test_thumbnail_header_footer_and_dark_mode() -> None:
    r = render_hand_built("en")
    assert r.html.count('<img alt="" ') == 2 and 'src="https://img.example.org/thumb.png"' in r.html
    assert "Issue 7 · Nov 23, 2026 · 3 articles" in r.html
    assert '<meta name="supported-color-schemes" content="light dark"' in r.html
    assert '<meta name="color-scheme" content="light dark"' in r.html
    assert "@media (prefers-color-scheme: dark)" in r.html
    assert "3 articles: Korean Peninsula (2), Other (1)" in r.html  # the preheader
    assert "It gathers what World Digest found on its themes" in r.html


def test_every_label_of_the_templates_is_translated_to_french() -> None:
    """Each _() and ngettext() of the email templates has a French entry (English is the
    source language)."""
    labels: set[str] = set()
    for path in (ROOT / "templates" / "email").rglob("*.j2"):
        source = path.read_text(encoding="utf-8")
        labels |= set(re.findall(r'_\(\s*"([^"]+)"', source))
        labels |= set(re.findall(r'ngettext\(\s*"([^"]+)"', source))
    assert len(labels) >= 15
    french = translations("fr")
    missing = sorted(m for m in labels if french.gettext(m) == m and m != "%(num)s article")
    assert not missing, f"no French for: {missing}"
