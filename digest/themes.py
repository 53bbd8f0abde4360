"""Theme matching: pure functions from (theme rules, article) to a Classification.

Terms fold case and accents, match whole words in spaced scripts, take `*` as "any word
starting so", and match inside words for Hangul and CJK (북한 in 북한은, 북한의). The words of a
phrase may be separated by spaces, hyphens or apostrophes ("Kim Jong Un" matches Kim Jong-un,
"Ukraine" matches l'Ukraine and d’Ukraine); other punctuation must be as in the term
("N. Korea", "Moscow, Idaho").

A theme may also carry (read with getattr, so older Theme objects without them still work):

exclude
    Terms written like `terms` ("Korean barbecue", "Russian roulette", "러시아워"). A hit that
    lies wholly inside an exclude match does not count: "Korean barbecue at home" scores
    nothing for a Korea theme, while "Putin plays Russian roulette" still counts Putin and
    "North Korean restaurant workers defect" still counts North Korean.
patterns
    Regular expressions matched against the folded text (lowercase, no accents, hyphens as
    spaces, one kind of apostrophe). Each match counts like a term hit, under the pattern's
    own text.

Scoring: each distinct term in the title scores TITLE_WEIGHT, each hit in the body 1 (at most
MAX_TEXT_SCORE); a theme applies from its min_score.

Matching works on words, not one regular expression per theme: the folded text is split
into words once, and every theme's terms are looked up in one index (exact words, and
prefixes by their first letters), which keeps the cost close to that of folding the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import accumulate, compress, count, pairwise
from operator import itemgetter

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
        "′": "'",
        "‐": " ",
        "‑": " ",
        "‒": " ",
        "–": " ",
        "—": " ",
        "-": " ",
        "\u00a0": " ",
        "\u202f": " ",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
        "\u2060": None,  # word joiner
        "\ufeff": None,
    }
)
_SPLIT = re.compile(r"(\W+)")  # words at even indexes, what separates them at odd ones
_TERM_WORD = re.compile(r"(\w+)(\*?)")
_LOOSE = re.compile(r"[\s']+")  # separators a phrase may have between its words
_HEAD = 3  # prefix terms are indexed by their first letters
_head = itemgetter(slice(None, _HEAD))  # a word's first letters, for map() in C


def fold(text: str) -> str:
    """Case- and accent-insensitive form; hyphens become spaces, apostrophes one kind.

    Invisible characters (soft hyphen, zero-width space) are dropped, so a word split by
    one still matches.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).casefold().translate(_PUNCT)


@dataclass(frozen=True, slots=True)
class _Term:
    """One term of one theme, parsed into words."""

    theme: int  # position of the theme in the index
    index: int  # position in the theme's terms (config order decides between overlaps)
    label: str  # as written in the config
    words: tuple[str, ...]  # folded
    prefix: tuple[bool, ...]  # word i ends with `*`
    seps: tuple[str, ...]  # what must separate word i and i+1, spaces and apostrophes aside

    def match_at(self, tokens: Sequence[str], parts: Sequence[str], i: int) -> int:
        """Number of tokens this term covers from token i, or 0."""
        n = len(self.words)
        if i + n > len(tokens):
            return 0
        for k in range(n):
            tok, word = tokens[i + k], self.words[k]
            if not (tok.startswith(word) if self.prefix[k] else tok == word):
                return 0
            if k and _LOOSE.sub("", parts[2 * (i + k) - 1]) != self.seps[k - 1]:
                return 0
        return n


def _parse(term: str, theme: int, index: int) -> _Term | None:
    folded = fold(term).strip()
    found = list(_TERM_WORD.finditer(folded))
    if not found:
        return None
    seps = tuple(_LOOSE.sub("", folded[a.end() : b.start()]) for a, b in pairwise(found))
    return _Term(
        theme,
        index,
        term,
        tuple(m.group(1) for m in found),
        tuple(bool(m.group(2)) for m in found),
        seps,
    )


def _cjk_regex(terms: Sequence[str]) -> re.Pattern[str] | None:
    """Alternation of the CJK terms, in config order; group g<i> is terms[i].

    It starts by looking ahead for the terms' first characters: the re module tries every
    alternative (each in its own group) at every character otherwise, which made a CJK text
    cost more than folding it.
    """
    alts, firsts = [], set()
    for i, term in enumerate(terms):
        folded = fold(term).strip()
        if _CJK.search(folded):
            stem = folded.rstrip("*")
            body = re.escape(stem) + (r"\w*" if folded.endswith("*") else "")
            alts.append(f"(?P<g{i}>{body})")
            firsts.add(re.escape(stem[0]))
    if not alts:
        return None
    return re.compile(f"(?=[{''.join(sorted(firsts))}])(?:{'|'.join(alts)})")


@dataclass(slots=True)
class _Words:
    """Index of the spaced-script terms of several themes: exact first words and heads."""

    exact: dict[str, list[_Term]] = field(default_factory=dict)
    heads: dict[str, list[_Term]] = field(default_factory=dict)
    short_heads: set[int] = field(default_factory=set)  # prefix stems shorter than _HEAD
    # The first letters of every first word, exact or prefix: a token whose own first letters
    # are not here starts no term, which set lookups in C can tell for a whole text at once.
    starts: set[str] = field(default_factory=set)

    def add(self, term: _Term) -> None:
        first = term.words[0]
        if term.prefix[0]:
            key = first[:_HEAD]
            if len(key) < _HEAD:
                self.short_heads.add(len(key))
            self.heads.setdefault(key, []).append(term)
        else:
            self.exact.setdefault(first, []).append(term)
        self.starts.add(first[:_HEAD])

    def __bool__(self) -> bool:
        return bool(self.exact or self.heads)

    def candidates(self, tok: str) -> Sequence[_Term]:
        """The terms whose first word tok is (or starts with, for a prefix); do not change it."""
        found: Sequence[_Term] = self.exact.get(tok, ())
        stems = self.heads.get(tok[:_HEAD])
        if stems:
            found = [*found, *[t for t in stems if tok.startswith(t.words[0])]]
        for n in self.short_heads:
            if len(tok) > n:
                short = self.heads.get(tok[:n], ())
                found = [*found, *[t for t in short if tok.startswith(t.words[0])]]
        return found

    def scan(self, tokens: Sequence[str], parts: Sequence[str], nthemes: int) -> list[_Span]:
        """Matches, per theme left to right without overlap; config order breaks ties."""
        if self.short_heads:  # a stem of one or two letters may start any token
            positions: Iterable[int] = range(len(tokens))
        else:
            heads = list(map(_head, tokens))
            if self.starts.isdisjoint(heads):  # many texts: nothing to look at
                return []
            positions = compress(count(), map(self.starts.__contains__, heads))
        free = [0] * nthemes  # first token each theme may still match from
        out = []
        for i in positions:
            found = self.candidates(tokens[i])
            if not found:
                continue
            best: dict[int, tuple[int, _Term, int]] = {}
            for term in found:
                theme = term.theme
                if free[theme] > i:
                    continue
                # a one-word term matches wherever it is a candidate
                n = term.match_at(tokens, parts, i) if len(term.words) > 1 else 1
                if n and (theme not in best or term.index < best[theme][0]):
                    best[theme] = (term.index, term, n)
            for theme, (_, term, n) in best.items():
                free[theme] = i + n
                out.append(_Span(theme, term.label, 2 * i, 2 * (i + n - 1)))
        return out


@dataclass(slots=True)
class _Span:
    """Where a term matched (not frozen: that triples the cost of making one)."""

    theme: int
    label: str
    first: int  # index in parts of the first word
    last: int  # index in parts of the last word


@dataclass(slots=True)
class _Index:
    """Every theme's terms, compiled once for a sequence of themes.

    The CJK terms, exclude terms and patterns are kept per kind with the positions of the
    themes that have them, so a text costs nothing for the themes that have none.
    """

    themes: tuple[Theme, ...]
    words: _Words = field(default_factory=_Words)
    exclude: _Words = field(default_factory=_Words)
    cjk: list[tuple[int, re.Pattern[str], tuple[str, ...]]] = field(default_factory=list)
    cjk_exclude: list[tuple[int, re.Pattern[str]]] = field(default_factory=list)
    patterns: list[tuple[int, re.Pattern[str]]] = field(default_factory=list)
    excluding: set[int] = field(default_factory=set)  # themes with exclude terms

    def __post_init__(self) -> None:
        for pos, theme in enumerate(self.themes):
            exclude = tuple(getattr(theme, "exclude", ()) or ())
            patterns = tuple(getattr(theme, "patterns", ()) or ())
            for index, term in enumerate(theme.terms):
                parsed = _parse(term, pos, index)
                if parsed and not _CJK.search(term):
                    self.words.add(parsed)
            for index, term in enumerate(exclude):
                parsed = _parse(term, pos, index)
                if parsed and not _CJK.search(term):
                    self.exclude.add(parsed)
                    self.excluding.add(pos)
            if (cjk := _cjk_regex(theme.terms)) is not None:
                self.cjk.append((pos, cjk, theme.terms))
            if (cjk := _cjk_regex(exclude)) is not None:
                self.cjk_exclude.append((pos, cjk))
                self.excluding.add(pos)
            self.patterns += [(pos, re.compile(p, re.IGNORECASE)) for p in patterns]

    def hits(self, folded: str, where: str) -> dict[int, list[TermHit]]:
        """TermHits of the themes (by position) that have any, in text order.

        Excluded hits are left out, and so is a theme left with none. Most texts match no
        theme, so they get an empty dict, not a list per theme.
        """
        parts = _SPLIT.split(folded)
        tokens = parts[0::2]
        spans = self.words.scan(tokens, parts, len(self.themes)) if self.words else []
        # isascii() is free (CPython records it), and most folded texts are ASCII
        cjk = bool(self.cjk) and not folded.isascii() and _CJK.search(folded) is not None
        if not spans and not cjk and not self.patterns:
            return {}
        starts = list(accumulate(map(len, parts), initial=0))
        found: dict[int, list[tuple[int, int, str]]] = {}  # start, end, label
        for s in spans:
            found.setdefault(s.theme, []).append((starts[s.first], starts[s.last + 1], s.label))
        for pos, regex, terms in self.cjk if cjk else ():
            for m in regex.finditer(folded):
                label = terms[int((m.lastgroup or "g0")[1:])]
                found.setdefault(pos, []).append((m.start(), m.end(), label))
        for pos, pattern in self.patterns:
            for m in pattern.finditer(folded):
                found.setdefault(pos, []).append((m.start(), m.end(), pattern.pattern))
        excluded = {}
        if found.keys() & self.excluding:
            excluded = self._excluded(folded, tokens, parts, starts, cjk)
        out = {}
        for pos, hits in found.items():
            bad = excluded.get(pos, ())
            hits.sort()
            kept = [
                TermHit(label, where, folded[a:b])
                for a, b, label in hits
                if b > a and not (bad and any(s <= a and b <= e for s, e in bad))
            ]
            if kept:
                out[pos] = kept
        return out

    def _excluded(
        self,
        folded: str,
        tokens: Sequence[str],
        parts: Sequence[str],
        starts: Sequence[int],
        cjk: bool,
    ) -> dict[int, list[tuple[int, int]]]:
        out: dict[int, list[tuple[int, int]]] = {}
        if self.exclude:
            for s in self.exclude.scan(tokens, parts, len(self.themes)):
                out.setdefault(s.theme, []).append((starts[s.first], starts[s.last + 1]))
        for pos, regex in self.cjk_exclude if cjk else ():
            out.setdefault(pos, []).extend(m.span() for m in regex.finditer(folded))
        return out

    def matches(self, title: str, text: str, only_themes: bool = False) -> list[ThemeMatch]:
        """Each theme's match, in theme order; only those reaching min_score if asked."""
        title_hits = self.hits(title, "title")
        text_hits = self.hits(text, "text")
        if only_themes:  # themes without a hit are left out
            positions: Iterable[int] = sorted(title_hits.keys() | text_hits.keys())
        else:
            positions = range(len(self.themes))
        out = []
        for pos in positions:
            theme = self.themes[pos]
            th, xh = title_hits.get(pos, []), text_hits.get(pos, [])
            score = TITLE_WEIGHT * len({h.term for h in th}) + min(len(xh), MAX_TEXT_SCORE)
            if not only_themes or score >= theme.min_score:
                out.append(ThemeMatch(theme.id, score, tuple(th + xh)))
        return out


_CACHE: dict[tuple[int, ...], _Index] = {}
_CACHE_SIZE = 16


def _index(themes: Iterable[Theme]) -> _Index:
    """The compiled index for these theme objects (kept while they are, so ids stay theirs)."""
    themes = tuple(themes)
    key = tuple(map(id, themes))
    index = _CACHE.get(key)
    if index is None:
        index = _Index(themes)
        if len(_CACHE) >= _CACHE_SIZE:
            # another thread may have evicted it first
            with suppress(KeyError, RuntimeError, StopIteration):
                del _CACHE[next(iter(_CACHE))]
        _CACHE[key] = index
    return index


def match_theme(theme: Theme, title: str, text: str) -> ThemeMatch:
    """One theme's match against an already folded title and text."""
    return _index((theme,)).matches(title, text)[0]


def _folded(article: Article) -> tuple[str, str]:
    return fold(article.title), fold(article.text[:TEXT_WINDOW] or article.excerpt)


def classify(article: Article, themes: Iterable[Theme]) -> Classification:
    """Themes whose score reaches their threshold, best first (ties keep config order)."""
    title, text = _folded(article)
    found = _index(themes).matches(title, text, only_themes=True)
    # sorted() is stable: equal scores keep config order
    return Classification(tuple(sorted(found, key=lambda m: -m.score)))


def explain(article: Article, themes: Iterable[Theme]) -> list[ThemeMatch]:
    """Every theme's match, including those under threshold (for `digest explain`)."""
    title, text = _folded(article)
    return _index(themes).matches(title, text)
