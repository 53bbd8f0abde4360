from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest import config
from digest import issue as issue_stage
from digest.errors import RenderError
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
