"""Theme matching: pure functions from (theme rules, article) to a Classification.

Terms fold case and accents, match whole words in spaced scripts, take `*` as "any word
starting so", and match inside words for Hangul and CJK (북한 in 북한은, 북한의).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from digest.models import Article, Classification, TermHit, Theme, ThemeMatch

TITLE_WEIGHT = 3
MAX_TEXT_SCORE = 6  # many body mentions count, but never outweigh two title hits
TEXT_WINDOW = 8_000  # characters of body text considered

_CJK = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    r"\uac00-\ud7af\uf900-\ufaff]"
)
_PUNCT = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
        "ʼ": "'",
        "‐": " ",
        "‑": " ",
        "‒": " ",
        "–": " ",
        "—": " ",
        "-": " ",
        "\u00a0": " ",
    }
)


def fold(text: str) -> str:
    """Case- and accent-insensitive form; hyphens become spaces, apostrophes one kind."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).casefold().translate(_PUNCT)


def term_pattern(term: str) -> str:
    """A regex for one folded term. `*` after a word matches any word that starts so."""
    folded = fold(term).strip()
    if _CJK.search(folded):
        return re.escape(folded.rstrip("*")) + (r"\w*" if folded.endswith("*") else "")
    words = [w for w in re.split(r"[\s']+", folded) if w.strip("*")]
    body = r"[\s']+".join(
        re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "") for w in words
    )
    return r"(?<!\w)" + body + r"(?!\w)"


@dataclass(frozen=True, slots=True)
class CompiledTheme:
    theme: Theme
    regex: re.Pattern[str]


@lru_cache(maxsize=256)
def _terms_regex(terms: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<t{i}>{term_pattern(t)})" for i, t in enumerate(terms)))


def compile_theme(theme: Theme) -> CompiledTheme:
    return CompiledTheme(theme, _terms_regex(theme.terms))


def _hits(ct: CompiledTheme, folded: str, where: str) -> list[TermHit]:
    out = []
    for m in ct.regex.finditer(folded):
        index = int((m.lastgroup or "t0")[1:])
        out.append(TermHit(ct.theme.terms[index], where, m.group(0)))
    return out


def match_theme(ct: CompiledTheme, title: str, text: str) -> ThemeMatch:
    title_hits = _hits(ct, title, "title")
    text_hits = _hits(ct, text, "text")
    score = TITLE_WEIGHT * len({h.term for h in title_hits}) + min(len(text_hits), MAX_TEXT_SCORE)
    return ThemeMatch(ct.theme.id, score, tuple(title_hits + text_hits))


def classify(article: Article, themes: Iterable[Theme]) -> Classification:
    """Themes whose score reaches their threshold, best first (ties keep config order)."""
    title = fold(article.title)
    text = fold(article.text[:TEXT_WINDOW] or article.excerpt)
    scored = []
    for order, theme in enumerate(themes):
        m = match_theme(compile_theme(theme), title, text)
        if m.score >= theme.min_score:
            scored.append((-m.score, order, m))
    return Classification(tuple(m for _, _, m in sorted(scored, key=lambda x: x[:2])))


def explain(article: Article, themes: Iterable[Theme]) -> list[ThemeMatch]:
    """Every theme's match, including those under threshold (for `digest explain`)."""
    title = fold(article.title)
    text = fold(article.text[:TEXT_WINDOW] or article.excerpt)
    return [match_theme(compile_theme(t), title, text) for t in themes]
