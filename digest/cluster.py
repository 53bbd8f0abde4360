"""Same-story clustering: pure functions from articles to clusters of article keys.

Two articles are the same story when they were published within `window` of each other and
their words are alike. Text is compared casefolded (title, then the first LEAD_CHARS of the
text), split into words:

within a language
    TF-IDF cosine; title words count TITLE_WEIGHT times, numbers (see below) NUMBER_WEIGHT
    times. Words are cut to their first STEM
    letters, so inflected forms meet (Russia and Russian, sanction and sanctions); Hangul
    and CJK words become pairs of characters, so 북한은 and 북한의 share 북한. IDF is computed
    per language over the articles given. A pair needs SAME_LANGUAGE.
across languages
    TF-IDF cosine over what survives translation: numbers (1,500 = 1 500 = 1500, 0,72 =
    0.72, 1만2천 = 12000) and the consonant skeletons of words, spelt alike in Latin,
    Cyrillic and Hangul letters (Putin, Путин, Poutine and 푸틴 all give PTN; Navalny,
    Навального and 나발니 start NBRN), cut to MARK consonants. A run of capitalised words is
    also taken as one word, so a name written in parts meets the same name written whole
    (Kim Jong Un, Ким Чен Ын, 김정은: KMSN). Names CLDR (through Babel) gives in the
    article's language become concepts: countries, currencies, cities of time zones,
    months and weekdays (North Korea, Corée du Nord, КНДР, Північної Кореї and 북한이 are
    all @KP; Pyongyang, Пхеньян and 평양에서 are @Asia/Pyongyang). So do the news terms of
    digest/data/news_terms.toml, words news in several languages use for one thing
    (martial law, loi martiale, военное положение, воєнний стан and 비상계엄 are all
    @martial_law; central bank, key rate, launch, missile...). A word that names a concept
    gives no skeleton. A Hangul word ending in a particle also gives its skeleton without
    it. A pair needs ACROSS_LANGUAGES and MIN_SHARED_MARKS numbers, skeletons or concepts
    in common. `across_languages=None` turns it off.

Clustering is agglomerative, strongest pair first, with two guards against chaining: the
mean similarity between the two groups must reach half the pair's threshold, and two
articles in one language may only end up together if they are alike enough on their own
(a story told twice in one language is told in similar words). A story spans at most
`window` from its first to its last dated article.

Every pair of articles within the window is compared (no blocking: a pair that shares
only body words is still found). Features are found for the whole batch at once, each
distinct word worked on once, into sparse TF-IDF matrices (scipy); articles are then taken
in time order, PAIR_BLOCK at a time, and one sparse product against the articles of the
window before them gives all their pairs' cosines, so the cost grows with the number of
articles times those in a window, not with its square (a batch all within one window is
the square). Weights are divided by the
article's norm once, and a feature no other article has is dropped after counting in the
norm. In the document frequencies behind IDF a title feature or a number counts twice (as
its weight).

Features get their matrix columns in the order they are first met, never in a set's order
(which changes with the process's hash seed), so the same articles in the same order
always give the same sums: a rounding difference must not decide a near-tie, or a preview
and the send would differ.

Dates are compared in whole microseconds (one without a time zone is taken as UTC).

`explain(articles, key)` clusters the same way and says, for each other member of the
article's story, the similarity and the words, numbers or names the two share.

Each cluster's lead is its earliest article (an undated one counts as latest); ties go to
the longest text, then to the smallest key. Articles with no date are compared with all
others.
"""

from __future__ import annotations

import functools
import gc
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import chain, compress, count, product
from math import fsum
from operator import itemgetter, mul
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse

from digest.models import Article
from digest.newsterms import news_table

WINDOW = timedelta(days=3)
SAME_LANGUAGE = 0.28  # cosine a same-language pair needs
ACROSS_LANGUAGES = 0.18  # cosine a pair in two languages needs
MIN_SHARED_MARKS = 3  # numbers or skeletons a pair in two languages must share
LEAD_CHARS = 300  # characters of text compared, after the title
TITLE_WEIGHT = 2.0
STEM = 6  # letters kept of each word
PAIR_BLOCK = 512  # articles whose pairs one sparse product finds
FLOOR = 0.1  # similarities below this are not kept (and count as 0 between groups)
NUMBER_WEIGHT = 2.0  # a number (1,500; 21%; 86) counts like a title word
MARK = 4  # consonants kept of a skeleton
PLAIN_WEIGHT = 1.0  # a skeleton of a word that is not a name, against a name or concept
COHESION = 0.5  # the groups' mean similarity must reach this share of the pair's threshold
KIN = 1.0  # two articles in one language in one story must be this share of SAME_LANGUAGE alike

_SPLIT = re.compile(r"\W+")
_WORDS = re.compile(r"\w+")
_CJK = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    r"\uac00-\ud7af\uf900-\ufaff]"
)
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f\u2009.,]\d+)*")
_GROUPED = re.compile(r"\d{1,3}(?:[ \u00a0\u202f\u2009.,]\d{3})+")
_SEPARATORS = re.compile(r"[ \u00a0\u202f\u2009.,]")
_KO_NUMBER = re.compile(r"(\d+)만(?:\s?(\d+)천)?")


@dataclass(frozen=True, slots=True)
class Cluster:
    """One story: its lead article's key first, then the others by date and key."""

    lead: str
    keys: tuple[str, ...]


# --- consonant skeletons -----------------------------------------------------------------
# Classes: B (b v w), P (p f), T, D, K (k g c q), S (s z j ch sh ts...), R (r l), M, N.
# Vowels separate letters (double letters collapse, but n-a-n stays two N) and then go.

_VOWEL = "."
_CLASSES: dict[str, str] = {}
for _c in "aeiouy" + "аеиоуыэюяіє":
    _CLASSES[_c] = _VOWEL
for _c, _k in {
    "b": "B", "v": "B", "w": "B", "p": "P", "f": "P", "t": "T", "d": "D",
    "k": "K", "g": "K", "q": "K", "c": "K", "s": "S", "z": "S", "j": "S",
    "r": "R", "l": "R", "m": "M", "n": "N", "h": "", "'": "", "ß": "S", "ł": "R",
    "б": "B", "в": "B", "п": "P", "ф": "P", "т": "T", "д": "D", "к": "K", "г": "K",
    "ґ": "K", "х": "", "ж": "S", "з": "S", "с": "S", "ш": "S", "щ": "S", "ц": "S",
    "ч": "S", "л": "R", "р": "R", "м": "M", "н": "N", "ь": "", "ъ": "", "й": "",
}.items():  # fmt: skip
    _CLASSES[_c] = _k
# Letters with diacritics (é, ç, š, ľ, ё, ї...) take their base letter's class.
for _i in list(range(0x00C0, 0x0250)) + list(range(0x0400, 0x0500)):
    _ch = chr(_i).casefold()
    if len(_ch) == 1 and _ch not in _CLASSES:
        _base = unicodedata.normalize("NFKD", _ch)[:1]
        if _base in _CLASSES:
            _CLASSES[_ch] = _CLASSES[_base]
_CLASSES["č"] = _CLASSES["ć"] = _CLASSES["ç"] = "S"
# Hangul jamo (a syllable decomposed): initial consonants, vowels, final consonants.
for _i, _k in enumerate("KKNDTRMBBSS_SSSKTP_"):
    _CLASSES[chr(0x1100 + _i)] = "" if _k == "_" else _k
for _i in range(0x1161, 0x1176):
    _CLASSES[chr(_i)] = _VOWEL
for _i in (0x116A, 0x116B, 0x116F, 0x1170, 0x1171):  # wa, wae, wo, we, wi
    _CLASSES[chr(_i)] = "B" + _VOWEL
for _i, _k in enumerate("KKKNNNDRKMBSTPRMBBSSNSSKTP_"):
    _CLASSES[chr(0x11A8 + _i)] = "" if _k == "_" else _k
_TABLE = str.maketrans(_CLASSES)
_DIGRAPHS = re.compile(r"tch|ch|sh|zh|ts|kh|ph|th|ng|ck|x|c(?=[eiyéèêëíìîïý])")
_DIGRAPH_CLASS = {
    "tch": "S", "ch": "S", "sh": "S", "zh": "S", "ts": "S", "kh": "", "ph": "P", "th": "T",
    "ng": "N", "ck": "K", "x": "KS", "c": "S",
}  # fmt: skip
_RUN = re.compile(r"([BPTDKSRMN])\1+")  # a run of one class is one
_NOT_CLASS = re.compile(r"[^BPTDKSRMN\n]")


def skeleton(word: str) -> str:
    """Consonant classes of a lowercase word, alike for its Latin, Cyrillic and Hangul forms."""
    return skeletons([word])[0]


def skeletons(words: list[str]) -> list[str]:
    """skeleton() of each word (no newline in them), the work done on all of them at once:
    each step runs once over the words joined by newlines, which no step crosses."""
    out = [""] * len(words)
    hangul = [_HANGUL.search(w) is not None for w in words]
    for kind in (True, False):
        at = [i for i, h in enumerate(hangul) if h is kind]
        if not at:
            continue
        joined = "\n".join([words[i] for i in at])
        if kind:
            joined = unicodedata.normalize("NFD", joined)
        else:
            joined = _DIGRAPHS.sub(lambda m: _DIGRAPH_CLASS[m.group(0)], joined)
        joined = joined.translate(_TABLE)
        joined = _RUN.sub(itemgetter(1), joined)
        joined = _NOT_CLASS.sub("", joined)
        for i, sk in zip(at, joined.split("\n"), strict=True):
            out[i] = sk
    return out


def numbers(text: str) -> set[str]:
    """Numbers of 10 and above, written alike whatever the language's separators."""
    return {n[1:] for n in _numbers_in([text], {})[0]}


def _numbers_in(texts: list[str], memo: dict[str, tuple[str, ...]]) -> list[list[str]]:
    """numbers() of each text, as "#" + number, each written form worked on once."""
    found = list(map(_NUMBER.findall, texts))
    for s in dict.fromkeys(chain.from_iterable(found)).keys() - memo.keys():
        memo[s] = tuple("#" + n for n in _number_forms(s))
    out = [list(chain.from_iterable(map(memo.__getitem__, f))) for f in found]
    for i in [i for i, t in enumerate(texts) if "만" in t]:
        for m in _KO_NUMBER.finditer(texts[i]):
            out[i].append(f"#{int(m.group(1)) * 10_000 + int(m.group(2) or 0) * 1_000}")
    return out


def _number_forms(s: str) -> list[str]:
    """The numbers of 10 and above in one written number ("1,500", "2024 12", "0,72")."""
    if _GROUPED.fullmatch(s):  # 1,500  1 500  1.500
        return [_SEPARATORS.sub("", s).lstrip("0") or "0"]
    # "2024 12" is two numbers
    return [n for part in s.split() for n in _separate(part) if len(n) > 1]


def _separate(s: str) -> list[str]:
    """'0,72' -> ['0.72']; '3.25' -> ['3.25']; '1.2.3' -> ['1', '2', '3']."""
    parts = re.split(r"[.,]", s)
    if len(parts) == 2:
        whole, frac = parts[0].lstrip("0") or "0", parts[1].rstrip("0")
        return [f"{whole}.{frac}" if frac else whole]
    return [p.lstrip("0") or "0" for p in parts]


# --- concepts: names CLDR gives in every language ---------------------------------------
# Babel's CLDR data names, per language, the countries (North Korea, Corée du Nord, КНДР,
# 북한), currencies, the cities of time zones (Pyongyang, Пхеньян, 평양), months and weekdays.
# A name found in a text becomes its concept (@KP, @RUB, @Asia/Pyongyang, @m10, @d3), a
# feature shared across languages. Names of several words match as phrases; a word matches
# a name's word when it is the same word, or (names of more than 4 letters) starts with the
# name's word less its last letter (cut to STEM) and differs in length by at most 2, so
# inflected forms meet (Россия, России; Корея, Кореї; Korea, Korean); a Hangul word matches
# when what follows the name is a particle (북한이, 북한의, 평양에서).

_PARTICLES = frozenset([
    "은", "는", "이", "가", "을", "를", "의", "에", "에서", "에게", "에는", "에도",
    "와", "과", "와의", "과의", "도", "로", "으로", "로는", "으로는", "만",
    "까지", "부터", "께서", "이다", "이며", "이라고", "라고", "과는", "와는",
])  # fmt: skip
_Phrase = tuple[tuple[str, ...], tuple[str, ...]]  # name's words, its concepts


def _name_key(w: str) -> str:
    return w if len(w) <= 4 or _HANGUL.match(w) else w[: max(4, min(STEM, len(w) - 1))]


def _word_matches(t: str, w: str) -> bool:
    if t == w:
        return True
    if w[-1] == "*":  # a news term: a prefix, or (*...*) a part of a Korean word
        return w[1:-1] in t if w[0] == "*" else t.startswith(w[:-1])
    if _HANGUL.match(w):
        return t.startswith(w) and t[len(w) :] in _PARTICLES
    return len(w) > 4 and t.startswith(_name_key(w)) and abs(len(t) - len(w)) <= 2


def _bases(t: str) -> list[str]:
    """The keys a text word may be found under: the word, its cuts, a Hangul word less a
    particle."""
    if _HANGUL.match(t):
        out = [t]
        for n in (1, 2, 3):
            if len(t) > n and t[-n:] in _PARTICLES:
                out.append(t[:-n])
        return out
    return [t, *(t[:k] for k in range(2, min(STEM, len(t) - 1) + 1))]


@lru_cache(maxsize=64)
def _concept_index(lang: str, extra: Path | None = None) -> dict[str, tuple[_Phrase, ...]]:
    """Name's or term's first word's key -> the names and news terms starting with it, for
    one language (`extra`: a file of more news terms)."""
    phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for name, concept in _cldr_names(lang):
        words = tuple(w for w in _SPLIT.split(_fold(name)) if w)
        if words:
            phrases[words].add(concept)
    for words, concept in _news_terms(lang, extra):
        phrases[words].add(concept)
    index: dict[str, list[_Phrase]] = defaultdict(list)
    for words, concepts in phrases.items():
        index[_term_key(words[0])].append((words, tuple(sorted(concepts))))
    return {k: tuple(v) for k, v in index.items()}


@lru_cache(maxsize=64)
def _cldr_names(lang: str) -> tuple[tuple[str, str], ...]:
    """(name, concept) of the countries, currencies, cities, months and weekdays CLDR names
    in one language (none for a language CLDR does not know)."""
    try:
        from babel import Locale
        from babel.core import get_global

        loc = Locale.parse(lang)
        names: list[tuple[str, str]] = []
        for code, name in loc.territories.items():
            if code.isalpha() and code != "ZZ":
                names.append((name, "@" + code))
        for code, name in loc.currencies.items():
            names.append((name, "@" + code))
        aliases = get_global("zone_aliases")
        cities: dict[str, str] = {}
        for zone, data in loc.time_zones.items():
            if city := data.get("city"):
                cities[aliases.get(zone, zone)] = city
        for zone in get_global("zone_territories"):
            if not zone.startswith("Etc/"):
                cities.setdefault(zone, zone.rsplit("/", 1)[-1].replace("_", " "))
        names += [(city, "@" + zone) for zone, city in cities.items()]
        for width in ("format", "stand-alone"):
            names += [(n, f"@m{i}") for i, n in loc.months[width]["wide"].items()]
            names += [(n, f"@d{i}") for i, n in loc.days[width]["wide"].items()]
    except Exception:  # an unknown or malformed language: no names
        return ()
    return tuple(names)


_TERM_SPLIT = re.compile(r"[^\w*]+")


def _news_terms(lang: str, extra: Path | None = None) -> list[tuple[tuple[str, ...], str]]:
    """The news terms (digest/data/news_terms.toml, and `extra`) of one language as (words,
    concept): "interest rate*" -> (("interest", "rate*"), "@interest_rate"); a Korean word
    of two or more syllables is marked to match inside a longer word ("*계엄*")."""
    out = []
    for concept, terms in news_table(extra).items():
        cid = concept if concept.startswith("@") else "@" + concept
        for term in terms.get(lang, ()):
            words = tuple(
                f"*{w}*" if len(w) > 1 and "*" not in w and _HANGUL.match(w) else w
                for w in _TERM_SPLIT.split(_fold(term))
                if w.strip("*")
            )
            if words:
                out.append((words, cid))
    return out


def _term_key(w: str) -> str:
    """The key a name's or term's first word is filed under in the concept index: one of
    the `_bases` of every word it matches ("*...*": found by `_infixes` instead)."""
    if w[-1] != "*":
        return _name_key(w)
    return w if w[0] == "*" else w[:-1][:STEM]


@lru_cache(maxsize=64)
def _infixes(
    lang: str, extra: Path | None = None
) -> tuple[re.Pattern[str] | None, dict[str, tuple[_Phrase, ...]]]:
    """For the Korean terms that match inside a word: one pattern finding any of them, and
    the term -> the phrases starting with it."""
    found = {
        w[1:-1]: phrases
        for w, phrases in _concept_index(lang, extra).items()
        if w[0] == "*" and w[-1] == "*"
    }
    if not found:
        return None, {}
    pattern = re.compile("|".join(map(re.escape, sorted(found, key=lambda w: (-len(w), w)))))
    return pattern, found


def concepts(
    tokens: list[str],
    lang: str,
    memo: dict[str, tuple[_Phrase, ...]],
    extra: Path | None = None,
) -> tuple[set[str], set[int]]:
    """The concepts (CLDR names, news terms; `extra`: a file of more news terms) named in
    these folded words (in order) of one language, and the positions of the words that
    named them. `memo` must be used with one language and one `extra` only."""
    found: set[str] = set()
    used: set[int] = set()
    if not _learn_phrases(tokens, lang, memo, extra):
        return found, used
    for i in [i for i, t in enumerate(tokens) if memo[t]]:
        for ids, n in _phrases_at(tokens, i, len(tokens), memo[tokens[i]]):
            found.update(ids)
            used.update(range(i, i + n))
    return found, used


def _learn_phrases(
    tokens: Iterable[str], lang: str, memo: dict[str, tuple[_Phrase, ...]], extra: Path | None
) -> bool:
    """Put in `memo`, for each word not yet there, the names and terms whose first word it
    matches. False when the language has none at all."""
    index = _concept_index(lang, extra)
    if not index:
        memo.update(dict.fromkeys(tokens, ()))
        return False
    infix, inside = _infixes(lang, extra)
    new = list(set(tokens).difference(memo))
    # Only a word one of whose _bases is a key can match: find those in bulk first.
    maybe = set(filter(index.__contains__, new))
    maybe.update(t for t in new if _HANGUL.match(t))
    for k in range(2, STEM + 1):
        maybe.update(compress(new, map(index.__contains__, [t[:k] for t in new])))
    memo.update(dict.fromkeys(new, ()))
    for t in maybe:
        found_t = [
            ph
            for base in dict.fromkeys(_bases(t))
            for ph in index.get(base, ())
            if _word_matches(t, ph[0][0])
        ]
        if infix is not None and _HANGUL.match(t):
            found_t += chain.from_iterable(map(inside.__getitem__, infix.findall(t)))
        memo[t] = tuple(found_t)
    return True


def _phrases_at(
    tokens: Sequence[str], i: int, end: int, phrases: tuple[_Phrase, ...]
) -> Iterator[tuple[tuple[str, ...], int]]:
    """(concepts, number of words) of each phrase starting with tokens[i] whose other words
    follow it before `end`."""
    for words, ids in phrases:
        if len(words) > 1:
            if i + len(words) > end:
                continue
            # a word matches only a word with its first letter (or a *part* of a Korean word):
            # most phrases fail here, at no call
            second = words[1]
            if second[0] != "*" and tokens[i + 1][:1] != second[:1]:
                continue
            if not all(_word_matches(tokens[i + k], w) for k, w in enumerate(words[1:], 1)):
                continue
        yield ids, len(words)


@functools.lru_cache(maxsize=512)
def concept_label(concept: str, lang: str = "en") -> str:
    """A concept as a reader says it: @KP -> North Korea, @Asia/Seoul -> Seoul, @d1 ->
    Tuesday, @m10 -> October, @RUB -> Russian Ruble, @martial_law -> martial law (the id
    itself if unknown)."""
    from babel import Locale

    code = concept.removeprefix("@")
    try:
        loc = Locale.parse(lang)
        if "/" in code:
            city = loc.time_zones.get(code, {}).get("city")
            return str(city or code.rsplit("/", 1)[-1].replace("_", " "))
        if code[:1] in "md" and code[1:].isdigit():
            table = loc.months if code[0] == "m" else loc.days
            return str(table["format"]["wide"][int(code[1:])])
        if code.islower():  # a news term's concept (martial_law)
            return code.replace("_", " ")
        names = loc.currencies if len(code) == 3 and code.isalpha() else loc.territories
        return str(names.get(code, concept))
    except (ValueError, LookupError):
        return concept


def concepts_in(text: str, lang: str, extra: Path | None = None) -> set[str]:
    """The concepts named in a text of one language: concepts_in("La Corée du Nord", "fr")
    == concepts_in("북한이", "ko") == {"@KP"}."""
    return concepts([t for t in _SPLIT.split(_fold(text)) if t], lang, {}, extra)[0]


# --- features ----------------------------------------------------------------------------
# Features are found for all the articles at once: each distinct word is cut, skeletonised
# and looked up once, and what the words give is gathered into sparse matrices (an article
# a row, a feature a column) with numpy, so the cost per article stays small.


@dataclass(slots=True)
class _Doc:
    key: str
    when: datetime | None
    lang: str
    size: int
    # what `explain` compares (feature -> weight), read from the batch's matrices
    words: dict[str, float]
    marks: dict[str, float]


@dataclass(slots=True)
class _Batch:
    """Articles and their features: TF-IDF weights over the norm, of the features another
    article of the batch also has. Word columns are (stem, language) pairs: column
    stem * len(langs) + language; mark columns are marks."""

    docs: list[_Doc]
    langs: list[str]  # language codes; lang_ids[i] indexes it
    lang_ids: npt.NDArray[np.int64]
    stamps: list[int | None]  # each article's date in microseconds since 1970 (UTC)
    words: sparse.csr_matrix
    word_names: list[str]  # stem or number of each stem id
    marks: sparse.csr_matrix | None  # None: not compared across languages
    mark_names: list[str]

    def view(self, i: int) -> _Doc:
        """Article i with its features as dicts (for `explain`)."""
        nl = len(self.langs)
        row = self.words[i]
        cols, weights = row.indices.tolist(), row.data.tolist()
        words = {self.word_names[c // nl]: w for c, w in zip(cols, weights, strict=True)}
        marks = {}
        if self.marks is not None:
            row = self.marks[i]
            cols, weights = row.indices.tolist(), row.data.tolist()
            marks = {self.mark_names[c]: w for c, w in zip(cols, weights, strict=True)}
        return replace(self.docs[i], words=words, marks=marks)


_DROP = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))  # soft hyphen, zero-width space
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")
_UPPER = "".join(chr(i) for i in [*range(0x41, 0x250), *range(0x370, 0x500)] if chr(i).isupper())
# Kim Jong Un, Lee Jae-myung; \w*+ (possessive): a failed try does not step back through the word
_NAME = re.compile(rf"[{_UPPER}]\w*+(?:(?: [{_UPPER}]|-)\w*+)+")


def _fold(s: str) -> str:
    s = s.casefold()
    return s.translate(_DROP) if not s.isascii() and _INVISIBLE.search(s) else s


def _stem(t: str) -> tuple[str, ...]:
    """A word cut to its first STEM letters (numbers and single letters give nothing); a
    Hangul or CJK word gives its pairs of characters."""
    if len(t) < 2 or t.isdigit():
        return ()
    if _CJK.search(t):
        return tuple(dict.fromkeys(t[i : i + 2] for i in range(len(t) - 1)))
    return (t[:STEM],)


def _skeletons_of(words: list[str]) -> list[tuple[str, ...]]:
    """Each word's skeleton cut to MARK consonants; words of fewer than 3 letters (2 Hangul
    syllables) or 3 consonants give none. A Hangul word ending in a particle gives its
    skeleton with and without it (김정은 is a name, 평양에서 is 평양 + 에서)."""
    forms = []
    for t in words:
        if _HANGUL.match(t):
            forms.append([t, *(t[:-n] for n in (1, 2) if len(t) > n + 1 and t[-n:] in _PARTICLES)])
        else:
            forms.append([t] if len(t) > 2 and not t.isdigit() else [])
    found = skeletons(list(chain.from_iterable(forms)))
    out: list[tuple[str, ...]] = []
    at = 0
    for f in forms:
        if len(f) == 1:  # most words
            sk = found[at]
            out.append((sk[:MARK],) if len(sk) >= 3 else ())
        else:
            forms_of = found[at : at + len(f)]
            out.append(tuple(dict.fromkeys(s[:MARK] for s in forms_of if len(s) >= 3)))
        at += len(f)
    return out


def _skeletons(tokens: Iterable[str], memo: dict[str, tuple[str, ...]]) -> set[str]:
    """Skeletons of the words (see _skeletons_of)."""
    return set(chain.from_iterable(_memo_map(_skeletons_of, list(tokens), memo)))


def _name_runs(runs: list[str]) -> list[tuple[str, ...]]:
    return _skeletons_of([_fold(r).replace(" ", "").replace("-", "") for r in runs])


def _names(raw: str, memo: dict[str, tuple[str, ...]]) -> set[str]:
    """Skeletons of runs of capitalised words written as one: Kim Jong Un, Ким Чен Ын and
    김정은 all give KMSN; Yoon Suk Yeol, Юн Сок Ёль and 윤석열 give NSKR."""
    return set(chain.from_iterable(_memo_map(_name_runs, _NAME.findall(raw), memo)))


def _memo_map(
    many: Callable[[list[str]], list[tuple[str, ...]]],
    items: list[str],
    memo: dict[str, tuple[str, ...]],
) -> list[tuple[str, ...]]:
    """What `many` gives for each item; `many` is called once, for the distinct items not
    yet in `memo` (which keeps them)."""
    if new := list(dict.fromkeys(items).keys() - memo.keys()):
        memo.update(zip(new, many(new), strict=True))
    return list(map(memo.__getitem__, items))


def _rows(per_article: list[list[str]]) -> npt.NDArray[np.int64]:
    """The article (row) of each item of the flattened lists."""
    lens = np.fromiter(map(len, per_article), np.int64, len(per_article))
    return np.repeat(np.arange(len(per_article), dtype=np.int64), lens)


@dataclass(slots=True)
class _Table:
    """Features of each distinct word, as column ids: word t has cols[ptr[t]:ptr[t + 1]]."""

    ptr: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]

    def at(
        self, words: npt.NDArray[np.int64], rows: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """For words at some positions (and their rows): (row, column, position index) of
        every feature they give."""
        start, counts = self.ptr[words], self.ptr[words + 1] - self.ptr[words]
        which = np.repeat(np.arange(len(words)), counts)
        return rows[which], self.cols[_ranges(start, counts)], which


def _ranges(starts: npt.NDArray[np.int64], counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """starts[0], starts[0] + 1, ... counts[0] of them, then the same from starts[1]..."""
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())


class _Parts:
    """(article, column, weight) triples, gathered part by part; features get columns in
    the order they are first seen, so a batch gives the same sums on every run."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.columns: dict[str, int] = {}
        self.rows: list[npt.NDArray[np.int64]] = []
        self.cols: list[npt.NDArray[np.int64]] = []
        self.weights: list[npt.NDArray[np.float64]] = []
        self.block: list[npt.NDArray[np.bool_]] = []

    def column_ids(self, features: list[str]) -> npt.NDArray[np.int64]:
        columns = self.columns
        for f in [f for f in dict.fromkeys(features) if f not in columns]:  # in order
            columns[f] = len(columns)
        return np.fromiter(map(columns.__getitem__, features), np.int64, len(features))

    def table(self, found: list[tuple[str, ...]]) -> _Table:
        """The columns of what each distinct word gives (`found`, in word order)."""
        ptr = np.zeros(len(found) + 1, np.int64)
        np.cumsum(np.fromiter(map(len, found), np.int64, len(found)), out=ptr[1:])
        return _Table(ptr, self.column_ids(list(chain.from_iterable(found))))

    def add(
        self,
        rows: npt.NDArray[np.int64],
        cols: npt.NDArray[np.int64],
        weights: npt.NDArray[np.float64],
        block: npt.NDArray[np.bool_],
    ) -> None:
        """Features (columns) of the articles `rows`, repeats counting once, at `weights`;
        `block`: they count twice in the document frequency (title features, numbers)."""
        self.rows.append(rows)
        self.cols.append(cols)
        self.weights.append(weights)
        self.block.append(block)

    def add_named(self, per_article: list[list[str]], weight: float, block: bool) -> None:
        """Each article's features, by name."""
        flat = list(chain.from_iterable(per_article))
        size = len(flat)
        self.add(
            _rows(per_article), self.column_ids(flat), np.full(size, weight), np.full(size, block)
        )

    def names(self) -> list[str]:
        return list(self.columns)

    def matrix(
        self, lang_ids: npt.NDArray[np.int64] | None = None, nlangs: int = 1
    ) -> sparse.csr_matrix:
        """The TF-IDF matrix, with a column per feature, or with `lang_ids` (each article's
        language) per feature and language: column * nlangs + language. A feature's raw
        weight is the highest it has in the article. IDF is log(n / (df + 0.5)), at least
        0, with n the articles (in the column's language) plus one and df counting block
        features twice. Rows are divided by their norm, then the features only one article
        has, and those of weight 0, are dropped."""
        rows = np.concatenate([np.zeros(0, np.int64), *self.rows])
        cols = np.concatenate([np.zeros(0, np.int64), *self.cols])
        weights = np.concatenate([np.zeros(0), *self.weights])
        block = np.concatenate([np.zeros(0, np.bool_), *self.block])
        width = max(len(self.columns), 1)
        if lang_ids is not None:
            cols = cols * nlangs + lang_ids[rows]
            width *= nlangs
            docs_in = np.bincount(lang_ids, minlength=nlangs)[np.arange(width) % nlangs] + 1.0
        else:
            docs_in = np.full(width, self.n + 1.0)
        code = rows * width + cols
        order = np.argsort(code, kind="stable")
        code = code[order]
        first = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
        if len(code):
            weights = np.maximum.reduceat(weights[order], first)
            block = np.logical_or.reduceat(block[order], first)
        code = code[first[: len(code)]]
        rows, cols = code // width, code % width
        df = np.bincount(cols, minlength=width)
        idf = np.maximum(
            np.log(docs_in / (df + np.bincount(cols[block], minlength=width) + 0.5)), 0.0
        )
        w = weights * idf[cols]
        norm = np.sqrt(np.bincount(rows, weights=w * w, minlength=self.n))
        keep = (df[cols] > 1) & (w > 0)  # a weight of 0 (IDF 0: in most articles) adds nothing
        rows, cols = rows[keep], cols[keep]
        w = w[keep] / norm[rows]
        indptr = np.zeros(self.n + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=self.n), out=indptr[1:])
        return sparse.csr_matrix((w, cols, indptr), shape=(self.n, width))


@dataclass(slots=True)
class _Words:
    """Every article's title words, then its text words, in one list, each distinct word
    numbered once."""

    distinct: list[str]  # the distinct words, in the order first met
    ids: npt.NDArray[np.int64]  # the word at each position
    rows: npt.NDArray[np.int64]  # its article
    title: npt.NDArray[np.bool_]  # whether it is in the title
    end: npt.NDArray[np.int64]  # where its title or text ends (a phrase stops there)

    @classmethod
    def of(cls, titles: list[list[str]], texts: list[list[str]]) -> _Words:
        n = len(titles)
        parts = titles + texts
        lens = np.fromiter(map(len, parts), np.int64, len(parts))
        flat = list(chain.from_iterable(parts))
        number = dict(zip(dict.fromkeys(flat), count()))
        ends = np.cumsum(lens)
        return cls(
            list(number),
            np.fromiter(map(number.__getitem__, flat), np.int64, len(flat)),
            np.repeat(np.tile(np.arange(n, dtype=np.int64), 2), lens),
            np.repeat(np.arange(len(parts)) < n, lens),
            np.repeat(ends, lens),
        )

    def weights(self, at: npt.NDArray[np.int64], title: float) -> npt.NDArray[np.float64]:
        """`title` for the words at `at` in a title, 1 for the others."""
        return np.where(self.title[at], title, 1.0)


def _prepare(
    articles: Iterable[Article], across_languages: float | None, terms: Path | None = None
) -> _Batch:
    seen: set[str] = set()
    items = []
    for a in articles:
        if a.key not in seen:
            seen.add(a.key)
            items.append(a)
    n = len(items)
    docs = [
        _Doc(
            a.key,
            a.published or a.first_seen,
            (a.lang or "").split("-")[0].lower() or "und",
            len(a.text or a.excerpt),
            {},
            {},
        )
        for a in items
    ]
    langs = list(dict.fromkeys(d.lang for d in docs))
    lang_of = {g: k for k, g in enumerate(langs)}
    lang_ids = np.fromiter((lang_of[d.lang] for d in docs), np.int64, n)
    leads = [a.text[:LEAD_CHARS] or a.excerpt[:LEAD_CHARS] for a in items]
    titles = [_fold(a.title) for a in items]
    texts = list(map(_fold, leads))
    words = _Words.of(list(map(_WORDS.findall, titles)), list(map(_WORDS.findall, texts)))
    # two newlines: no number runs across them, not even 3만 (title) + 2천 (text)
    nums = _numbers_in([t + "\n\n" + x for t, x in zip(titles, texts, strict=True)], {})
    parts = _Parts(n)
    rows, cols, at = parts.table(list(map(_stem, words.distinct))).at(words.ids, words.rows)
    parts.add(rows, cols, words.weights(at, TITLE_WEIGHT), words.title[at])
    parts.add_named(nums, NUMBER_WEIGHT, True)
    stamps = [None if d.when is None else _micros(d.when) for d in docs]
    batch = _Batch(
        docs, langs, lang_ids, stamps, parts.matrix(lang_ids, len(langs)), parts.names(), None, []
    )
    if across_languages is None or len(langs) < 2:
        return batch
    marks = _Parts(n)
    used = np.zeros(len(words.ids), np.bool_)  # words that named a concept give no skeleton
    for k, lang in enumerate(langs):
        _concepts_of(words, np.flatnonzero(lang_ids[words.rows] == k), lang, terms, marks, used)
    plain = np.flatnonzero(~used)
    table = marks.table(_skeletons_of(words.distinct))
    rows, cols, at = table.at(words.ids[plain], words.rows[plain])
    weights = PLAIN_WEIGHT * words.weights(plain[at], TITLE_WEIGHT)
    marks.add(rows, cols, weights, words.title[plain[at]])
    memo: dict[str, tuple[str, ...]] = {}
    for raw, title in (([a.title for a in items], True), (leads, False)):
        runs = list(map(_NAME.findall, raw))  # names written in parts: Kim Jong Un
        found = _memo_map(_name_runs, list(chain.from_iterable(runs)), memo)
        rows = np.repeat(_rows(runs), np.fromiter(map(len, found), np.int64, len(found)))
        cols = marks.column_ids(list(chain.from_iterable(found)))
        weight = TITLE_WEIGHT if title else 1.0
        marks.add(rows, cols, np.full(len(rows), weight), np.full(len(rows), title))
    marks.add_named(nums, NUMBER_WEIGHT, True)
    batch.marks, batch.mark_names = marks.matrix(), marks.names()
    return batch


def _concepts_of(
    words: _Words,
    at: npt.NDArray[np.int64],
    lang: str,
    terms: Path | None,
    marks: _Parts,
    used: npt.NDArray[np.bool_],
) -> None:
    """Add to `marks` the concepts that the words at positions `at` (all in `lang`) name,
    and mark those words `used`."""
    if not len(at):
        return
    here = np.zeros(len(words.distinct), np.bool_)
    here[words.ids[at]] = True
    present = np.flatnonzero(here)  # the words used in this language, in word order
    memo: dict[str, tuple[_Phrase, ...]] = {}
    distinct = [words.distinct[i] for i in present.tolist()]
    if not _learn_phrases(distinct, lang, memo, terms):
        return
    one: list[tuple[str, ...]] = [()] * len(distinct)  # per present word: what it names alone
    longest = np.zeros(len(words.distinct), np.int64)  # per word: its longest phrase
    more: dict[int, tuple[_Phrase, ...]] = {}  # word -> the phrases of 2+ words it starts
    for k in compress(range(len(distinct)), map(memo.__getitem__, distinct)):
        phrases = memo[distinct[k]]
        one[k] = tuple(chain.from_iterable(ids for w, ids in phrases if len(w) == 1))
        if longer := tuple(p for p in phrases if len(p[0]) > 1):
            i = int(present[k])
            more[i] = longer
            longest[i] = max(len(p[0]) for p in longer)
    place = np.zeros(len(words.distinct), np.int64)
    place[present] = np.arange(len(present))
    local = place[words.ids[at]]  # the word's place in `present`
    table = marks.table(one)
    rows, cols, which = table.at(local, words.rows[at])
    marks.add(rows, cols, words.weights(at[which], TITLE_WEIGHT), words.title[at[which]])
    used[at[table.ptr[local + 1] > table.ptr[local]]] = True
    starts = at[longest[words.ids[at]] > 0].tolist()
    if not starts:
        return
    where = np.array(starts, np.int64)
    # each start's next words, up to its longest phrase and the end of its title or text
    most, end = longest[words.ids[where]], words.end[where]
    following = [
        np.where(
            where + k < np.minimum(where + most, end),
            words.ids[np.minimum(where + k, len(words.ids) - 1)],
            -1,
        ).tolist()
        for k in range(int(most.max()))
    ]
    # each distinct run of words is looked at once: its concepts, and how many words they use
    keys = list(zip(*following, strict=True))
    number = dict(zip(dict.fromkeys(keys), count()))
    concepts: list[tuple[str, ...]] = []
    spans = np.zeros(len(number), np.int64)
    for k, key in enumerate(number):
        text = [words.distinct[i] for i in key if i >= 0]
        hits = list(_phrases_at(text, 0, len(text), more[key[0]]))
        concepts.append(tuple(chain.from_iterable(ids for ids, _ in hits)))
        spans[k] = max((span for _, span in hits), default=0)
    ids = np.fromiter(map(number.__getitem__, keys), np.int64, len(keys))
    span = spans[ids]  # the words from each start that a concept used
    used[_ranges(where, span)] = True
    per_start = [concepts[k] for k in ids.tolist()]
    pos = np.repeat(where, np.fromiter(map(len, per_start), np.int64, len(per_start)))
    if len(pos):
        marks.add(
            words.rows[pos],
            marks.column_ids(list(chain.from_iterable(per_start))),
            words.weights(pos, TITLE_WEIGHT),
            words.title[pos],
        )


# --- pairs -------------------------------------------------------------------------------


def _pairs(
    batch: _Batch, window: timedelta, across: bool
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Similarities of at least FLOOR of every pair in the window: in one language by words,
    in two (if `across`) by marks, with MIN_SHARED_MARKS in common. Articles are taken in
    time order, PAIR_BLOCK at a time, against those of the window before them, as one
    sparse product each (marks: two, so that the commonest language's articles do not meet
    each other). Pair (i, j), i < j, comes as the code i * n + j."""
    n = len(batch.docs)
    never = np.iinfo(np.int64).max
    stamps = np.array([never if t is None else t for t in batch.stamps], np.int64)
    order = np.argsort(stamps, kind="stable")  # undated last
    when = stamps[order]
    lang = batch.lang_ids[order]
    span = window // _MICRO
    dated = int(np.searchsorted(when, never))
    starts = np.searchsorted(when[:dated], when[:dated] - span)
    blocks = [(s, min(s + PAIR_BLOCK, dated)) for s in range(0, dated, PAIR_BLOCK)]
    blocks += [(s, min(s + PAIR_BLOCK, n)) for s in range(dated, n, PAIR_BLOCK)]
    found: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = []
    kinds = [(batch.words, False)]
    if across and batch.marks is not None:
        kinds.append((batch.marks, True))
    for matrix, cross in kinds:
        x = matrix[order]
        products = [(x, x)]
        if cross:
            # only pairs in two languages count: the commonest language's articles go against
            # the others', and the others against all (rows of one language meet no rows)
            top = lang == np.bincount(lang).argmax()
            mine, others = _only_rows(x, top), _only_rows(x, ~top)
            products = [(mine, others), (others, x)]
            # the same marks, each 1: a pair's product has one entry per shared mark
            ones = sparse.csr_matrix((np.ones_like(x.data), x.indices, x.indptr), shape=x.shape)
        for (s, e), (left, right) in product(blocks, products):
            lo = int(starts[s]) if s < dated else 0  # an undated article meets all
            cosines = left[s:e] @ right[lo:e].T
            at = np.flatnonzero(cosines.data >= FLOOR)  # few: the rest is cheaper from here
            r = np.searchsorted(cosines.indptr, at, side="right") - 1 + s
            c, sim = cosines.indices[at] + lo, cosines.data[at]
            keep = c < r
            if s < dated:
                keep &= when[r] - when[c] <= span
            if cross:
                keep &= lang[r] != lang[c]
            r, c, sim = r[keep], c[keep], sim[keep]
            if cross and len(r):  # the marks each pair shares, counted row by row
                enough = ones[r].multiply(ones[c]).getnnz(axis=1) >= MIN_SHARED_MARKS
                r, c, sim = r[enough], c[enough], sim[enough]
            i, j = order[r], order[c]
            found.append((np.minimum(i, j) * n + np.maximum(i, j), sim))
    codes = np.concatenate([np.zeros(0, np.int64), *(f[0] for f in found)])
    return codes, np.concatenate([np.zeros(0), *(f[1] for f in found)])


def _only_rows(x: sparse.csr_matrix, keep: npt.NDArray[np.bool_]) -> sparse.csr_matrix:
    """`x` with the rows not in `keep` emptied (an empty row costs a product nothing)."""
    counts = np.diff(x.indptr)
    indptr = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts * keep, out=indptr[1:])
    entries = np.repeat(keep, counts)
    return sparse.csr_matrix((x.data[entries], x.indices[entries], indptr), shape=x.shape)


# --- clustering --------------------------------------------------------------------------


def cluster(
    articles: Iterable[Article],
    window: timedelta = WINDOW,
    same_language: float = SAME_LANGUAGE,
    across_languages: float | None = ACROSS_LANGUAGES,
    terms: Path | None = None,
) -> list[Cluster]:
    """Group the same story from several sources; every article is in exactly one cluster.

    Clusters come out in the order of their leads (date, then key); a story told once is a
    cluster of one. An article key given twice counts once. `terms`: a file of more news
    terms (the `digest.news_terms` setting), compared across languages like the built-in
    ones.
    """
    with _no_gc():
        batch = _prepare(articles, across_languages, terms)
        return _clusters(batch, window, same_language, across_languages) if batch.docs else []


@contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused. Clustering makes no reference cycles, but it
    makes hundreds of thousands of lists, tuples and dicts that live until it returns; every
    700 of them start a collection, which walks the young objects and now and then all of
    them, to free nothing (about 14% of clustering's time for 10k articles in
    bench/cluster_speed.py). Mercurial does the same (util.nogc) when it builds large
    containers. Other threads' collections wait too; reference counting frees as usual."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _clusters(
    batch: _Batch, window: timedelta, same_language: float, across_languages: float | None
) -> list[Cluster]:
    codes, sims = _pairs(batch, window, across_languages is not None)
    across = math.inf if across_languages is None else across_languages
    return _groups(batch, codes, sims, same_language, across, window)


def _groups(
    batch: _Batch,
    codes: npt.NDArray[np.int64],
    sims: npt.NDArray[np.float64],
    same: float,
    across: float,
    window: timedelta,
) -> list[Cluster]:
    docs = batch.docs
    where = list(range(len(docs)))
    lang = [d.lang for d in docs]
    members: dict[int, list[int]] = {i: [i] for i in range(len(docs))}
    # first and last date (microseconds) of each group's dated articles; a group with none
    # has first > last, so min() and max() with another group's give the other group's
    never = 1 << 62
    first = [never if t is None else t for t in batch.stamps]
    last = [-never if t is None else t for t in batch.stamps]
    longest = window // _MICRO
    apart: set[tuple[int, int, int, float]] = set()
    whens = [(t is None, t or 0) for t in batch.stamps]
    n = len(docs)
    get = dict(zip(codes.tolist(), sims.tolist(), strict=True)).get
    one_language = batch.lang_ids[codes // n] == batch.lang_ids[codes % n]
    strong = np.flatnonzero(sims >= np.where(one_language, same, across))  # the rest join nothing
    strong = strong[np.lexsort((codes[strong], -sims[strong]))]  # strongest first
    for i, j in zip((codes[strong] // n).tolist(), (codes[strong] % n).tolist(), strict=True):
        a, b = where[i], where[j]
        if a == b:
            continue
        start, end = min(first[a], first[b]), max(last[a], last[b])
        if end - start > longest:
            continue  # a story spans at most `window` from its first to its last dated article
        need = same if lang[i] == lang[j] else across
        group_a, group_b = members[a], members[b]
        # groups only grow, so a group's first member and size say which it is: two groups
        # found not cohesive stay so until one of them grows
        state = (min(a, b), max(a, b), len(group_a) + len(group_b), need)
        if state in apart:
            continue
        if not _cohesive(lang, get, n, group_a, group_b, need * COHESION, same * KIN):
            apart.add(state)
            continue
        if len(group_b) > len(group_a):
            a, b, group_a, group_b = b, a, group_b, group_a
        for x in group_b:
            where[x] = a
        group_a.extend(group_b)
        first[a], last[a] = start, end
        del members[b]
    out = []
    for group in members.values():
        if len(group) == 1:  # most stories are told once
            out.append((whens[group[0]], Cluster(docs[group[0]].key, (docs[group[0]].key,))))
        else:
            ranked = sorted(group, key=lambda i: (whens[i], -docs[i].size, docs[i].key))
            rest = sorted(ranked[1:], key=lambda i: (whens[i], docs[i].key))
            lead = docs[ranked[0]].key
            out.append((whens[ranked[0]], Cluster(lead, (lead, *(docs[i].key for i in rest)))))
    out.sort(key=lambda c: (c[0], c[1].lead))
    return [c for _, c in out]


def _cohesive(
    lang: list[str],
    get: Callable[[int, float], float],
    n: int,
    group_a: list[int],
    group_b: list[int],
    mean: float,
    kin: float,
) -> bool:
    """The mean similarity between the groups reaches `mean`, and no two articles in one
    language that would end up together are less alike than `kin`."""
    total = 0.0
    for x in group_a:
        lx = lang[x]
        for y in group_b:
            s = get(x * n + y if x < y else y * n + x, 0.0)
            if s < kin and lx == lang[y]:
                return False
            total += s
    return total / (len(group_a) * len(group_b)) >= mean


# --- explain -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """Why one member of a story sits with the article asked about."""

    key: str
    similarity: float  # cosine with the article asked about (0.0: nothing in common)
    across: bool  # compared across languages (numbers and name skeletons), not by words
    shared: tuple[str, ...]  # the words, numbers or marks both have, weightiest first
    needs: float = 0.0  # the similarity a pair of this kind needs to be one story

    def line(self) -> str:
        how = "across languages" if self.across else "words"
        shared = ", ".join(self.shared) or "nothing directly (joined through another member)"
        return f"{self.key}: {how} {self.similarity:.2f}: {shared}"


@dataclass(frozen=True, slots=True)
class ClusterWhy:
    """An article's story: its cluster, its lead, and for every other member what joins them."""

    key: str
    cluster: Cluster
    links: tuple[Link, ...]
    closest: tuple[Link, ...] = ()  # the most alike articles outside the story, in the window

    @property
    def lead(self) -> str:
        return self.cluster.lead

    def lines(self) -> tuple[str, ...]:
        if len(self.cluster.keys) == 1:
            out = [f"{self.key}: a story of its own (nothing alike enough in the window)"]
        else:
            out = [f"story led by {self.lead}, {len(self.cluster.keys)} articles"]
            out += [link.line() for link in self.links]
        return (*out, *self.apart())

    def apart(self) -> tuple[str, ...]:
        """The closest articles kept out of the story, a line each."""
        return tuple(
            f"not the same story: {link.line()} (a pair needs {link.needs:.2f})"
            for link in self.closest
        )


def explain(
    articles: Iterable[Article],
    key: str,
    window: timedelta = WINDOW,
    same_language: float = SAME_LANGUAGE,
    across_languages: float | None = ACROSS_LANGUAGES,
    limit: int = 8,
    closest: int = 3,
    terms: Path | None = None,
) -> ClusterWhy:
    """The cluster `key` lands in among `articles` (clustered exactly as `cluster` does), and
    for each other member its similarity with `key` and up to `limit` shared features:
    words (cut to their stems), numbers (#1500) or, across languages, the words behind
    shared consonant skeletons (putin/путин). Also the `closest` most alike articles in the
    window that are not in the story, with the similarity their pair would need: why two
    articles an editor takes for one story were kept apart. Raises KeyError if no article
    has `key`."""
    items = list(articles)
    with _no_gc():
        batch = _prepare(items, across_languages, terms)
        index = {d.key: i for i, d in enumerate(batch.docs)}
        if key not in index:
            raise KeyError(key)
        clusters = _clusters(batch, window, same_language, across_languages)
    found = next(c for c in clusters if key in c.keys)
    me = batch.view(index[key])
    needs = {False: same_language, True: math.inf if across_languages is None else across_languages}
    near = []
    for i, d in enumerate(batch.docs):
        if d.key in found.keys or not _in_window(me.when, d.when, window):
            continue
        if d.lang != me.lang and across_languages is None:
            continue
        x, y = _features(me, batch.view(i))
        if (s := _cosine(x, y, x.keys() & y.keys())) > 0:
            near.append((s, d.key))
    near = sorted(near, key=lambda n: (-n[0], n[1]))[:closest]
    shown = set(found.keys) | {k for _, k in near}
    spelled = _spellings([a for a in items if a.key in shown])
    links = tuple(
        _link(me, batch.view(index[k]), spelled, limit, needs) for k in found.keys if k != key
    )
    outside = tuple(_link(me, batch.view(index[k]), spelled, limit, needs) for _, k in near)
    return ClusterWhy(key, found, links, outside)


def _in_window(a: datetime | None, b: datetime | None, window: timedelta) -> bool:
    return a is None or b is None or abs(_micros(a) - _micros(b)) <= window // _MICRO


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def _micros(when: datetime) -> int:
    """Microseconds since 1970, exactly (a float timestamp can miss a window's edge by a
    rounding); a date without a time zone is taken as UTC."""
    return ((when if when.tzinfo else when.replace(tzinfo=UTC)) - _EPOCH) // _MICRO


def _cosine(a: dict[str, float], b: dict[str, float], common: Iterable[str]) -> float:
    return fsum(map(mul, map(a.__getitem__, common), map(b.__getitem__, common)))


def _features(a: _Doc, b: _Doc) -> tuple[dict[str, float], dict[str, float]]:
    """What a pair is compared on: words in one language, marks across two."""
    return (a.marks, b.marks) if a.lang != b.lang else (a.words, b.words)


def _link(
    a: _Doc,
    b: _Doc,
    spelled: dict[str, dict[str, str]],
    limit: int,
    needs: dict[bool, float],
) -> Link:
    across = a.lang != b.lang
    x, y = _features(a, b)
    common = sorted(x.keys() & y.keys(), key=lambda f: (-x[f] * y[f], f))
    sim = _cosine(x, y, common)

    def word(f: str) -> str:
        if f.startswith("#"):
            return f
        if f.startswith("@"):
            return concept_label(f)
        forms = dict.fromkeys(s for k in (a.key, b.key) if (s := spelled[k].get(f)))
        return "/".join(forms) or f

    shared = tuple(word(f) for f in common[:limit])
    return Link(b.key, round(sim, 3), across, shared, needs[across])


def _spellings(articles: list[Article]) -> dict[str, dict[str, str]]:
    """For each article, feature -> the first word in its title or text that gave it."""
    out: dict[str, dict[str, str]] = {}
    memo: dict[str, tuple[str, ...]] = {}
    for a in articles:
        seen: dict[str, str] = {}
        lead = a.text[:LEAD_CHARS] or a.excerpt[:LEAD_CHARS]
        for raw in _SPLIT.split(_fold(a.title) + " " + _fold(lead)):
            if len(raw) < 2 or raw.isdigit():
                continue
            seen.setdefault(raw[:STEM], raw)
            for m in _skeletons([raw], memo):
                seen.setdefault(m, raw)
        for run in _NAME.findall(a.title + " " + lead):
            for m in _names(run, memo):
                seen.setdefault(m, run)
        out[a.key] = seen
    return out
