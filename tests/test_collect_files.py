"""Folder sources: saved pages as .txt, .md, .html and .json, through digest.collect.collect."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.collect import collect, files
from digest.config import Source
from digest.models import Article, SourceReport

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "jade-russie-coree-du-nord.txt"
NOW = datetime(2024, 6, 1, tzinfo=UTC)

CHROME = (
    "top of page",
    "bottom of page",
    "2 vues0 commentaire",
    "Comments",
    "Commenting has been turned off.",
)


def read(folder: Path, *strip_lines: str, max_items: int = 200) -> SourceReport:
    source = Source(
        name="Saved", type="folder", path=folder, strip_lines=strip_lines, max_items=max_items
    )
    result = asyncio.run(collect((source,), NOW))
    assert len(result.reports) == 1
    return result.reports[0]


def only(report: SourceReport) -> Article:
    assert report.failure is None, report.failure
    assert len(report.articles) == 1, [a.title for a in report.articles]
    return report.articles[0]


def by_key(report: SourceReport) -> dict[str, Article]:
    return {a.key: a for a in report.articles}


def lines_of(article: Article) -> list[str]:
    return [
        line.strip()
        for part in (article.title, article.text, article.excerpt)
        for line in part.splitlines()
    ]


# the seed page -------------------------------------------------------------------------


def test_seed_page(tmp_path: Path) -> None:
    if not SEED.is_file():
        pytest.skip(f"{SEED} not present: ../shared is only beside the project's own checkout")
    shutil.copy(SEED, tmp_path / SEED.name)
    article = only(read(tmp_path))
    assert article.title == "Pourparlers de défense entre la Russie et la Corée du Nord"
    assert article.site == "Jade"
    assert article.source == "Saved"
    assert article.key == f"file:Saved:{SEED.name}"
    assert article.excerpt.startswith("La Russie a tenu des discussions de haut niveau")
    assert 150 <= len(article.excerpt) <= 340
    assert article.excerpt.endswith(".")  # cut at a sentence end
    assert article.text.startswith(article.excerpt)
    assert article.text.rstrip().endswith("au gouvernement de Kim Jong-Un.")
    assert "Sergueï Choïgou" in article.text
    assert article.published is not None and article.published.tzinfo is not None
    for line in lines_of(article):
        for chrome in CHROME:
            assert line != chrome, f"chrome line kept: {line!r}"
    blob = "\n".join((article.title, article.text, article.excerpt))
    for chrome in ("top of page", "bottom of page", "2 vues0 commentaire", "Commenting has"):
        assert chrome not in blob
    assert "\nComments\n" not in f"\n{article.text}\n"


# markdown ------------------------------------------------------------------------------

YAML_MD = """---
title: "Le nucléaire civil en Corée"
url: https://example.org/nucleaire?utm_source=newsletter&utm_medium=email&id=42
date: 2024-03-01T09:30:00+02:00
lang: fr-FR
author: Jeanne Dupont
site: Exemple
tags: [corée, énergie]
---
Premier paragraphe du **texte** avec un [lien](https://example.org).

Deuxième paragraphe.
"""

TOML_MD = """+++
title = "Toml title"
url = "https://example.com/toml?fbclid=abc&page=2&utm_campaign=x"
date = 2024-04-02
lang = "en_US"
tags = ["a", "b"]
+++
Body of the toml page.

Second para.
"""


def test_markdown_with_yaml_front_matter(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(YAML_MD, encoding="utf-8")
    article = only(read(tmp_path))
    assert article.title == "Le nucléaire civil en Corée"
    assert article.url == "https://example.org/nucleaire?id=42"
    assert article.key == article.url
    assert article.published == datetime(2024, 3, 1, 7, 30, tzinfo=UTC)
    assert article.lang == "fr"
    assert article.author == "Jeanne Dupont"
    assert article.site == "Exemple"
    assert article.tags == ("corée", "énergie")
    assert article.text == "Premier paragraphe du texte avec un lien.\n\nDeuxième paragraphe."
    assert "**" not in article.text and "](" not in article.text


def test_markdown_with_toml_front_matter(tmp_path: Path) -> None:
    (tmp_path / "b.markdown").write_text(TOML_MD, encoding="utf-8")
    article = only(read(tmp_path))
    assert article.title == "Toml title"
    assert article.url == "https://example.com/toml?page=2"
    assert article.published == datetime(2024, 4, 2, tzinfo=UTC)
    assert article.lang == "en"
    assert article.tags == ("a", "b")
    assert article.text == "Body of the toml page.\n\nSecond para."


def test_markdown_without_front_matter_takes_the_heading(tmp_path: Path) -> None:
    (tmp_path / "c.md").write_text("# Heading title\n\nSome body text here.\n", encoding="utf-8")
    article = only(read(tmp_path))
    assert article.title == "Heading title"
    assert article.text == "Some body text here."
    assert article.url is None
    assert article.key == "file:Saved:c.md"


def test_markdown_heading_repeating_the_front_matter_title_is_not_kept(tmp_path: Path) -> None:
    text = YAML_MD.replace("---\nPremier", "---\n# Le nucléaire civil en Corée\n\nPremier")
    (tmp_path / "a.md").write_text(text, encoding="utf-8")
    article = only(read(tmp_path))
    assert article.title == "Le nucléaire civil en Corée"
    assert article.excerpt.startswith("Premier paragraphe")


def test_markdown_with_an_impossible_date_does_not_break_the_folder(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text(
        "---\ntitle: Bad date\ndate: 2024-02-30\n---\nBody.\n", encoding="utf-8"
    )
    (tmp_path / "good.txt").write_text("Good page\n\nBody text.\n", encoding="utf-8")
    report = read(tmp_path)
    assert report.failure is None
    titles = {a.title for a in report.articles}
    assert "Good page" in titles
    # either read without a date, or skipped with a warning naming the file
    assert "Bad date" in titles or any(w.startswith("bad.md") for w in report.warnings)


def test_markdown_with_broken_yaml_is_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("---\ntitle: [unclosed\n---\nBody.\n", encoding="utf-8")
    (tmp_path / "good.txt").write_text("Good page\n\nBody text.\n", encoding="utf-8")
    report = read(tmp_path)
    assert [a.title for a in report.articles] == ["Good page"]
    assert len(report.warnings) == 1
    assert report.warnings[0].startswith("bad.md: skipped: front matter is not valid YAML")


# html ----------------------------------------------------------------------------------

PAGE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Les abeilles reviennent en ville | Le Quotidien Vert</title>
<meta name="author" content="Claire Martin">
<link rel="canonical" href="https://quotidien-vert.example.fr/abeilles-ville?utm_source=twitter">
</head>
<body>
<header><nav><ul>
  <li><a href="/">Accueil</a></li><li><a href="/monde">Monde</a></li>
  <li><a href="/contact">Contactez-nous</a></li>
</ul></nav></header>
<main>
<article>
<h1>Les abeilles reviennent en ville</h1>
<p>Depuis cinq ans, les ruches installées sur les toits de Lyon se multiplient. Les apiculteurs
urbains comptent désormais plus de quatre cents colonies réparties dans toute la métropole, des
pentes de la Croix-Rousse jusqu'aux quais du Rhône.</p>
<p>Les chercheurs de l'université observent que les abeilles des villes produisent parfois
davantage de miel que celles des campagnes voisines, où les pesticides et les monocultures
réduisent la diversité des fleurs disponibles au fil des saisons.</p>
<p>La mairie prévoit d'installer cinquante nouvelles ruches l'an prochain, principalement dans
les parcs et les jardins partagés des quartiers est.</p>
</article>
</main>
<footer>
<p>© 2024 Le Quotidien Vert — Mentions légales — Politique de confidentialité</p>
<p>Abonnez-vous à notre lettre d'information</p>
</footer>
</body>
</html>
"""

PARAS = (
    "Depuis cinq ans, les ruches installées sur les toits de Lyon se multiplient.",
    "Les chercheurs de l'université observent",
    "La mairie prévoit d'installer cinquante nouvelles ruches",
)


def test_html_page_gives_title_and_main_text_without_nav_or_footer(tmp_path: Path) -> None:
    (tmp_path / "abeilles.html").write_text(PAGE, encoding="utf-8")
    article = only(read(tmp_path))
    assert article.title == "Les abeilles reviennent en ville"
    for para in PARAS:
        assert para in article.text
    for chrome in ("Accueil", "Contactez-nous", "Mentions légales", "Abonnez-vous", "©"):
        assert chrome not in article.text, chrome
    assert article.url == "https://quotidien-vert.example.fr/abeilles-ville"
    assert article.author == "Claire Martin"


def test_html_page_keeps_paragraph_breaks(tmp_path: Path) -> None:
    (tmp_path / "abeilles.htm").write_text(PAGE, encoding="utf-8")
    article = only(read(tmp_path))
    paras = article.text.split("\n\n")
    for para in PARAS:
        assert any(p.startswith(para) for p in paras), (para, paras)


def test_html_page_does_not_repeat_the_headline_in_the_text(tmp_path: Path) -> None:
    (tmp_path / "abeilles.html").write_text(PAGE, encoding="utf-8")
    article = only(read(tmp_path))
    assert article.excerpt.startswith("Depuis cinq ans"), article.excerpt[:80]


STANDFIRST_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Bees come back to the city | Green Daily</title>
<meta property="og:title" content="Bees come back to the city | Green Daily">
<meta property="og:site_name" content="Green Daily: news for a greener city">
<meta name="description"
  content="Urban hives have multiplied on the roofs of Lyon in five years, and the city wants more">
</head>
<body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<header>
<h1>Bees come back to the city</h1>
<div class="standfirst">Urban hives have multiplied on the roofs of Lyon in the last five years,
and the city now wants more of them.</div>
<div class="byline">By Claire Martin, environment correspondent, Friday 3 May 2024</div>
</header>
<div class="article-body" itemprop="articleBody">
<p>For five years now, the hives set on the roofs of Lyon have kept multiplying. Urban beekeepers
now count more than four hundred colonies spread across the whole metropolis, from the slopes of
the Croix-Rousse to the banks of the Rhône.</p>
<p>Researchers at the university observe that city bees sometimes produce more honey than those
of the nearby countryside, where pesticides and single crops reduce the variety of flowers.</p>
<p>The town hall plans to set up fifty new hives next year, mostly in the parks and shared
gardens of the eastern districts, and will train volunteers to look after them.</p>
</div>
</article>
<footer><p>© 2024 Green Daily</p></footer>
</body>
</html>
"""


def test_html_standfirst_outside_the_body_opens_the_text(tmp_path: Path) -> None:
    (tmp_path / "bees.html").write_text(STANDFIRST_PAGE, encoding="utf-8")
    article = only(read(tmp_path))
    paras = article.text.split("\n\n")
    assert paras[0].startswith("Urban hives have multiplied on the roofs of Lyon"), paras[:2]
    assert paras[1].startswith("For five years now"), paras[:2]
    assert "By Claire Martin" not in article.text  # a byline is not the standfirst
    assert article.text.count("Urban hives") == 1


def test_html_block_unlike_the_description_is_not_taken_as_a_standfirst(tmp_path: Path) -> None:
    page = STANDFIRST_PAGE.replace(
        "Urban hives have multiplied on the roofs of Lyon in five years, and the city wants more",
        "Weekly notes from our desk on cities, nature and the people who tend them.",
    )
    (tmp_path / "bees.html").write_text(page, encoding="utf-8")
    article = only(read(tmp_path))
    assert article.text.startswith("For five years now"), article.text[:80]


def test_html_title_loses_the_site_name_its_tail_repeats(tmp_path: Path) -> None:
    (tmp_path / "bees.html").write_text(STANDFIRST_PAGE, encoding="utf-8")
    article = only(read(tmp_path))
    assert article.title == "Bees come back to the city"
    assert article.site == "Green Daily: news for a greener city"


# json ----------------------------------------------------------------------------------


def test_json_page(tmp_path: Path) -> None:
    page = {
        "title": "Json title",
        "url": "https://example.net/j?xtor=RSS-3&p=1",
        "date": "2024-05-06T07:08:09Z",
        "text": "<p>Para one.</p><script>alert(1)</script><p>Para two.</p>",
        "lang": "de",
        "author": "A. Author",
        "site": "Example Net",
        "tags": ["x", "y"],
    }
    (tmp_path / "d.json").write_text(json.dumps(page), encoding="utf-8")
    article = only(read(tmp_path))
    assert article.title == "Json title"
    assert article.url == "https://example.net/j?p=1"
    assert article.published == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert article.text == "Para one.\n\nPara two."
    assert (article.lang, article.author, article.site, article.tags) == (
        "de",
        "A. Author",
        "Example Net",
        ("x", "y"),
    )


def test_json_that_is_not_a_page_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"title": ', encoding="utf-8")
    (tmp_path / "ok.txt").write_text("Fine\n\nText.", encoding="utf-8")
    report = read(tmp_path)
    assert [a.title for a in report.articles] == ["Fine"]
    assert sorted(w.split(":")[0] for w in report.warnings) == ["broken.json", "list.json"]


# encodings -----------------------------------------------------------------------------

BODY = "Un café – déjà servi, « naïveté » et coût de 5 €."


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("utf8.txt", f"Titre accentué\n\n{BODY}".encode()),
        ("utf8-bom.txt", f"\ufeffTitre accentué\n\n{BODY}".encode()),
        ("utf16-le.txt", f"Titre accentué\n\n{BODY}".encode("utf-16")),  # BOM, native order
        ("utf16-be.txt", b"\xfe\xff" + f"Titre accentué\n\n{BODY}".encode("utf-16-be")),
        ("cp1252.txt", f"Titre accentué\n\n{BODY}".encode("cp1252")),
        ("latin1.txt", "Titre accentué\n\nGarçon, crème brûlée à 5 ¤.".encode("latin-1")),
    ],
)
def test_text_encodings_decode_right(tmp_path: Path, name: str, raw: bytes) -> None:
    (tmp_path / name).write_bytes(raw)
    article = only(read(tmp_path))
    assert article.title == "Titre accentué"  # no BOM left at the start either
    assert article.text in (BODY, "Garçon, crème brûlée à 5 ¤.")


def test_cp1252_café_déjà(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_bytes("Notes\n\ncafé – déjà".encode("cp1252"))
    assert only(read(tmp_path)).text == "café – déjà"


def test_utf8_bom_before_front_matter(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"\xef\xbb\xbf" + TOML_MD.encode())
    assert only(read(tmp_path)).title == "Toml title"


def test_truncated_utf16_file_is_skipped_and_the_others_read(tmp_path: Path) -> None:
    (tmp_path / "cut.txt").write_bytes("Titre\n\nTexte".encode("utf-16") + b"\x00")  # odd length
    (tmp_path / "ok.txt").write_text("Fine\n\nText.", encoding="utf-8")
    report = read(tmp_path)
    assert report.failure is None
    assert "Fine" in [a.title for a in report.articles]
    assert "Titre" in [a.title for a in report.articles] or any(
        w.startswith("cut.txt") for w in report.warnings
    )


# skipped files -------------------------------------------------------------------------


def test_binary_empty_and_oversized_files_are_skipped_with_warnings(tmp_path: Path) -> None:
    (tmp_path / "a-good.txt").write_text("First page\n\nFirst text.", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"GIF89a\x01\x00\x01\x00\x00\xff\xff\xff,")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "huge.txt").write_bytes(b"word " * (files.MAX_FILE_BYTES // 5 + 1))
    (tmp_path / "z-good.md").write_text("# Last page\n\nLast text.", encoding="utf-8")
    report = read(tmp_path)
    assert report.failure is None
    assert [a.title for a in report.articles] == ["First page", "Last page"]
    warnings = {w.split(":", 1)[0]: w for w in report.warnings}
    assert set(warnings) == {"binary.txt", "empty.md", "huge.txt"}
    assert "binary" in warnings["binary.txt"]
    assert "empty" in warnings["empty.md"]
    assert f"{files.MAX_FILE_BYTES:,}" in warnings["huge.txt"]


def test_hidden_and_unknown_files_are_ignored_and_subfolders_read(tmp_path: Path) -> None:
    (tmp_path / ".hidden.txt").write_text("Hidden\n\nNo.", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("Git\n\nNo.", encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.txt").write_text("Deep page\n\nYes.", encoding="utf-8")
    report = read(tmp_path)
    assert [a.key for a in report.articles] == ["file:Saved:sub/deep.txt"]
    assert report.warnings == ()


def test_missing_folder_is_a_failure(tmp_path: Path) -> None:
    report = read(tmp_path / "nope")
    assert report.failure is not None
    assert "folder not found" in report.failure.reason


def test_max_items_caps_a_folder(tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"{i}.txt").write_text(f"Page {i}\n\nText {i}.", encoding="utf-8")
    assert [a.title for a in read(tmp_path, max_items=3).articles] == [
        "Page 0",
        "Page 1",
        "Page 2",
    ]


# txt details ---------------------------------------------------------------------------


def test_strip_lines_patterns_remove_custom_lines(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text(
        "Un titre | Mon Blog\n"
        "Publicité\n"
        "Premier paragraphe utile.\n"
        "Abonnez-vous à la newsletter du Blog !\n"
        "Second paragraphe utile.\n"
        "Partager sur Facebook\n",
        encoding="utf-8",
    )
    article = only(read(tmp_path, r"^publicit[ée]$", "abonnez-vous"))
    assert article.text == "Premier paragraphe utile.\n\nSecond paragraphe utile."
    # without the patterns, those lines stay (the built-in chrome line still goes)
    plain = only(read(tmp_path))
    assert "Publicité" in plain.text and "Abonnez-vous" in plain.text
    assert "Partager sur Facebook" not in plain.text


@pytest.mark.parametrize(
    ("first_line", "title", "site"),
    [
        ("Un titre | Mon Blog", "Un titre", "Mon Blog"),
        ("Un titre - Le Monde", "Un titre", "Le Monde"),
        ("Un titre – Le Monde", "Un titre", "Le Monde"),
        ("Pas de site ici", "Pas de site ici", None),
        (
            "Titre | une longue queue de phrase qui ne peut pas être un nom de site",
            "Titre | une longue queue de phrase qui ne peut pas être un nom de site",
            None,
        ),
    ],
)
def test_title_and_site_split(
    tmp_path: Path, first_line: str, title: str, site: str | None
) -> None:
    (tmp_path / "p.txt").write_text(f"{first_line}\n\nCorps du texte.", encoding="utf-8")
    article = only(read(tmp_path))
    assert (article.title, article.site) == (title, site)


def test_url_line_in_a_txt_page(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text(
        "Titre\nSource: https://Example.org/a?utm_source=x&b=2\n\nTexte.", encoding="utf-8"
    )
    article = only(read(tmp_path))
    assert article.url == "https://example.org/a?b=2"
    assert article.key == article.url
    assert article.text == "Texte."
