from __future__ import annotations

import pytest

from digest import config
from digest.models import Article, Theme
from digest.themes import classify, explain, fold
from tests.conftest import ROOT, SEED, need_shared

EXAMPLE = config.load(ROOT / "config.example.toml")


def art(title: str, text: str = "") -> Article:
    return Article(
        key=title,
        source="s",
        title=title,
        url=None,
        published=None,
        excerpt="",
        text=text,
        content_hash="h",
    )


def themes_of(title: str, text: str = "") -> list[str]:
    return [m.theme_id for m in classify(art(title, text), EXAMPLE.themes).matches]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("North Korea tests a missile", ["korean-peninsula"]),
        ("Kim Jong-un visits a factory", ["korean-peninsula"]),  # hyphen vs space
        ("KIM JONG UN VISITS", ["korean-peninsula"]),  # case
        ("La Corée du Nord lance un satellite", ["korean-peninsula"]),
        ("la coree du nord", ["korean-peninsula"]),  # accents folded
        ("북한은 동해상으로 미사일 발사", ["korean-peninsula"]),  # Hangul inside a word
        ("북한의 식량 사정", ["korean-peninsula"]),
        ("КНДР провела испытание", ["korean-peninsula"]),
        ("Северной Кореи нет", ["korean-peninsula"]),  # prefix on each word of a phrase
        ("Экспорт зерна из России", ["russia"]),  # росси* matches an inflected form
        ("программа российской авиации", ["russia"]),
        ("Russian troops withdraw", ["russia"]),
        ("Le Kremlin dément", ["russia"]),
        ("러시아와 협력", ["russia"]),
        ("Climate summit ends", []),
    ],
)
def test_terms_in_titles(title: str, expected: list[str]) -> None:
    assert themes_of(title) == expected


def test_whole_words_only_in_spaced_scripts() -> None:
    moscow = Theme("m", {"en": "M"}, ("Moscow",))
    assert classify(art("Moscowitz wins the race"), [moscow]).matches == ()
    assert classify(art("Moscow wins"), [moscow]).primary == "m"
    korea = Theme("k", {"en": "K"}, ("Corée du Nord",))
    assert classify(art("Corée du Nordique"), [korea]).matches == ()


def test_one_body_mention_is_not_enough_but_title_is() -> None:
    assert themes_of("Markets today", "Shares fell. Russia was mentioned once.") == []
    assert themes_of("Markets today", "Russia and Moscow, Russia again.") == ["russia"]
    assert themes_of("Russia today", "") == ["russia"]


def test_primary_is_the_best_score_and_others_are_secondary() -> None:
    c = classify(
        art(
            "Russia and North Korea sign a pact",
            "Pyongyang and Pyongyang and Pyongyang. Kim Jong Un.",
        ),
        EXAMPLE.themes,
    )
    assert c.primary == "korean-peninsula"
    assert c.secondary == ("russia",)
    # a tie keeps config order
    tie = classify(art("Russia and North Korea"), EXAMPLE.themes)
    assert tie.primary == "korean-peninsula"


def test_explain_names_the_terms_and_where_they_matched() -> None:
    matches = {
        m.theme_id: m for m in explain(art("Kremlin talks", "In Pyongyang today."), EXAMPLE.themes)
    }
    assert matches["russia"].score == 3
    assert [(h.term, h.where) for h in matches["russia"].hits] == [("Kremlin", "title")]
    assert [(h.term, h.where) for h in matches["korean-peninsula"].hits] == [("Pyongyang", "text")]
    assert matches["korean-peninsula"].score == 1  # under min_score: not a theme


def test_fold_normalises_apostrophes_hyphens_case_and_accents() -> None:
    assert fold("L’Élysée-Matignon") == "l'elysee matignon"
    assert fold("ПХЕНЬЯН") == "пхеньян"


def test_the_seed_page_belongs_to_both_themes() -> None:
    from digest.collect.files import read_page

    page = read_page(need_shared(SEED))
    c = classify(art(page.title, page.text), EXAMPLE.themes)
    assert {m.theme_id for m in c.matches} == {"korean-peninsula", "russia"}
