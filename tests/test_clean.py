"""digest.collect.clean: excerpts, URLs, HTML to text, chrome lines, titles."""

from __future__ import annotations

import re

import pytest

from digest.collect.clean import (
    EXCERPT_TARGET,
    excerpt,
    html_to_text,
    is_chrome,
    normalize_paragraphs,
    safe_url,
    split_title,
    title_text,
)

FRENCH = (
    "La Russie a tenu des discussions de haut niveau sur la défense avec la Corée du Nord au "
    "moment où Pyongyang procède à une série d’essais de missiles balistiques visant à alerter "
    "les États-Unis, tandis qu’un sous-marin doté d’armes nucléaires est amarré dans un port "
    "sud-coréen. Les menaces et même les avertissements nucléaires se sont multipliés sur la "
    "péninsule, notamment après plusieurs exercices militaires provocateurs menés conjointement "
    "par les États-Unis et la Corée du Sud."
)

# No sentence end anywhere: the cut must fall between words.
RUN_ON = " ".join(
    ["extraordinairement", "de", "longs", "mots", "anticonstitutionnellement", "et", "puis"] * 30
)


def words_prefix(cut: str, text: str) -> None:
    """`cut` (without an ellipsis) is `text` up to a word boundary."""
    flat = re.sub(r"\s+", " ", text).strip()
    body = cut.removesuffix("…")
    assert flat.startswith(body), (body[-40:], flat[: len(body) + 10][-50:])
    nxt = flat[len(body) : len(body) + 1]
    assert nxt == "" or not nxt.isalnum(), f"cut mid-word: ...{body[-20:]!r} + {nxt!r}"
    assert body[-1:].strip(), "trailing space"


# excerpt -------------------------------------------------------------------------------


def test_excerpt_cuts_at_a_sentence_end() -> None:
    cut = excerpt(FRENCH)
    assert cut.endswith("amarré dans un port sud-coréen.")
    assert 150 <= len(cut) <= EXCERPT_TARGET + 40
    words_prefix(cut, FRENCH)


def test_excerpt_without_sentences_cuts_at_a_word_and_marks_it() -> None:
    cut = excerpt(RUN_ON)
    assert cut.endswith("…")
    assert EXCERPT_TARGET - 30 <= len(cut) <= EXCERPT_TARGET + 1
    words_prefix(cut, RUN_ON)


@pytest.mark.parametrize("target", [60, 80, 120, 200, 300, 301, 302, 303, 304, 305])
def test_excerpt_never_cuts_mid_word(target: int) -> None:
    for text in (RUN_ON, FRENCH * 3, ("mot " * 200).strip(), ("a bb ccc dddd " * 60).strip()):
        cut = excerpt(text, target)
        words_prefix(cut, text)
        assert len(cut) <= target + 41


def test_excerpt_of_short_text_is_the_whole_text_on_one_line() -> None:
    assert excerpt("Un  texte\n\ncourt.\n") == "Un texte court."
    assert excerpt("") == ""


def test_excerpt_of_text_just_over_the_slack() -> None:
    text = ("abc " * 120).strip()  # 479 chars, no sentence end
    cut = excerpt(text)
    assert cut.endswith("abc…")
    assert len(cut) <= EXCERPT_TARGET + 1


# safe_url ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("https://example.org/a?utm_source=rss&utm_medium=feed&id=3", "https://example.org/a?id=3"),
        ("https://example.org/a?UTM_Campaign=x", "https://example.org/a"),
        ("https://example.org/a?fbclid=IwAR0abc&gclid=1&p=2", "https://example.org/a?p=2"),
        ("https://www.lemonde.fr/x.html?xtor=RSS-3208", "https://www.lemonde.fr/x.html"),
        ("https://www.lemonde.fr/x.html#xtor=RSS-3208", "https://www.lemonde.fr/x.html"),
        ("https://example.org/a#section-2", "https://example.org/a#section-2"),
        ("HTTPS://Example.ORG/Path/Case?Q=Keep", "https://example.org/Path/Case?Q=Keep"),
        ("  http://example.org  ", "http://example.org/"),
        ("https://example.org/a?q=caf%C3%A9&utm_term=z", "https://example.org/a?q=caf%C3%A9"),
    ],
)
def test_safe_url_drops_tracking(raw: str, clean: str) -> None:
    assert safe_url(raw) == clean


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "  javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "ftp://ftp.example.org/file.txt",
        "mailto:someone@example.org",
        "file:///etc/passwd",
        "/relative/path.html",
        "relative.html",
        "//example.org/protocol-relative",
        "http://",
        "https://exa mple.org/",
        "https://example.org/\x00",
        "https://example.org/" + "a" * 2100,
        "",
        None,
    ],
)
def test_safe_url_rejects(raw: str | None) -> None:
    assert safe_url(raw) is None


# html_to_text --------------------------------------------------------------------------


def test_html_to_text_drops_script_and_style_content() -> None:
    markup = (
        "<style>p { color: red }</style><p>Visible one.</p>"
        "<script>var secret = 'hidden';</script><p>Visible two.</p>"
        '<script type=\'application/ld+json\'>{"@type": "NewsArticle"}</script>'
    )
    text = html_to_text(markup)
    assert text == "Visible one.\n\nVisible two."


def test_html_to_text_drops_noscript_and_iframe_fallback_text() -> None:
    markup = (
        "<p>Story.</p><noscript>Please enable JavaScript to view the comments.</noscript>"
        "<iframe src='https://video.example'>Your browser does not support iframes.</iframe>"
    )
    assert html_to_text(markup) == "Story."


def test_html_to_text_keeps_paragraph_breaks() -> None:
    markup = (
        "<h2>Heading</h2><p>First  paragraph,\n spread over\tlines.</p>"
        "<div>Second block</div><ul><li>item a</li><li>item b</li></ul>"
        "<blockquote>Quote</blockquote>"
    )
    assert html_to_text(markup).split("\n\n") == [
        "Heading",
        "First paragraph, spread over lines.",
        "Second block",
        "item a",
        "item b",
        "Quote",
    ]


def test_html_to_text_decodes_entities_and_inline_tags() -> None:
    text = html_to_text(
        "<p>AT&amp;T &lt;b&gt; caf&eacute;&nbsp;<b>gras</b> <a href='x'>lien</a></p>"
    )
    assert text == "AT&T <b> café gras lien"


def test_plain_text_goes_through_unchanged_but_normalized() -> None:
    assert html_to_text("Line one\n\n\n  Line   two ") == "Line one\n\nLine two"
    assert html_to_text("3 < 5 and 6 > 2") == "3 < 5 and 6 > 2"


def test_normalize_paragraphs() -> None:
    assert normalize_paragraphs("a\r\nb\r\n\r\nc\u00a0d\u200be") == "a b\n\nc de"


# chrome, titles ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "top of page",
        "Bottom of Page",
        "2 vues0 commentaire",
        "12 views 3 comments",
        "Comments",
        "Commentaires :",
        "Commenting has been turned off.",
        "Les commentaires sont fermés.",
        "Haut de page",
        "Partager sur Facebook",
        "Lire la suite…",
        "Skip to main content",
    ],
)
def test_chrome_lines(line: str) -> None:
    assert is_chrome(line)


@pytest.mark.parametrize(
    "line",
    [
        "Comments from the minister were not expected.",
        "La page d'accueil du ministère a été modifiée.",
        "Top of the page rankings in 2023 went to Seoul.",
        "2 vues divergentes sur la question",
    ],
)
def test_sentences_are_not_chrome(line: str) -> None:
    assert not is_chrome(line)


def test_extra_chrome_patterns() -> None:
    extra = (re.compile(r"^publicité$", re.I),)
    assert is_chrome("Publicité", extra)
    assert not is_chrome("Publicité", ())


def test_split_title() -> None:
    assert split_title("Title | Site") == ("Title", "Site")
    assert split_title("A - B - Site") == ("A - B", "Site")
    assert split_title("No site") == ("No site", None)
    assert split_title("| Site") == ("| Site", None)


def test_title_text() -> None:
    assert title_text("  A <b>bold</b>\n title ", is_html=True) == "A bold title"
    assert title_text("A <b>literal</b> tag") == "A <b>literal</b> tag"
    assert len(title_text("x" * 1000)) == 300
