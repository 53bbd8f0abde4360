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

Cost stays close to linear in the number of articles: articles are taken in time order and
only compared with articles inside the window that share a title word or a number (an
inverted index: each article looks through its BLOCK rarest such words, or MARK_BLOCK rarest
title marks and numbers across languages; one shared by more than MAX_POSTINGS articles of
the window is too common to find pairs with).

Weights are divided by the article's norm once, and a feature no other article has is
dropped after counting in the norm, so a pair costs one set intersection and one sum. In the
document frequencies behind IDF a title feature or a number counts twice (as its weight).
Cross-language candidates come from one index of marks for all languages (same-language
hits skipped).

Sums are exact (math.fsum): a set's order changes with the process's hash seed, and a
rounding difference must not decide a near-tie, or a preview and the send would differ.

`explain(articles, key)` clusters the same way and says, for each other member of the
article's story, the similarity and the words, numbers or names the two share.

Each cluster's lead is its earliest article (an undated one counts as latest); ties go to
the longest text, then to the smallest key. Articles with no date are compared with all
others.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import chain, compress, repeat
from math import fsum
from operator import add, lt, mul, neg, truediv
from pathlib import Path

from digest.models import Article
from digest.newsterms import news_table

WINDOW = timedelta(days=3)
SAME_LANGUAGE = 0.28  # cosine a same-language pair needs
ACROSS_LANGUAGES = 0.18  # cosine a pair in two languages needs
MIN_SHARED_MARKS = 3  # numbers or skeletons a pair in two languages must share
LEAD_CHARS = 300  # characters of text compared, after the title
TITLE_WEIGHT = 2.0
STEM = 6  # letters kept of each word
BLOCK = 3  # an article looks for pairs through its rarest title words and numbers...
MARK_BLOCK = 5  # ...or, across languages, its rarest title marks and numbers...
MAX_POSTINGS = 300  # ...that are in at most this many articles of the window
FLOOR = 0.1  # similarities below this are not kept (and count as 0 between groups)
NUMBER_WEIGHT = 2.0  # a number (1,500; 21%; 86) counts like a title word
MARK = 4  # consonants kept of a skeleton
PLAIN_WEIGHT = 1.0  # a skeleton of a word that is not a name, against a name or concept
COHESION = 0.5  # the groups' mean similarity must reach this share of the pair's threshold
KIN = 1.0  # two articles in one language in one story must be this share of SAME_LANGUAGE alike

_SPLIT = re.compile(r"\W+")
_CJK = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    r"\uac00-\ud7af\uf900-\ufaff]"
)
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_DIGIT = re.compile(r"\d")
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
_RUNS = re.compile(r"(.)\1+")
_NOT_CLASS = re.compile(r"[^BPTDKSRMN]")


def skeleton(word: str) -> str:
    """Consonant classes of a lowercase word, alike for its Latin, Cyrillic and Hangul forms."""
    if _HANGUL.search(word):
        word = unicodedata.normalize("NFD", word)
    else:
        word = _DIGRAPHS.sub(lambda m: _DIGRAPH_CLASS[m.group(0)], word)
    return _NOT_CLASS.sub("", _RUNS.sub(r"\1", word.translate(_TABLE)))


def numbers(text: str) -> set[str]:
    """Numbers of 10 and above, written alike whatever the language's separators."""
    out = set()
    if "만" in text:
        for m in _KO_NUMBER.finditer(text):
            out.add(str(int(m.group(1)) * 10_000 + int(m.group(2) or 0) * 1_000))
    for s in _NUMBER.findall(text):
        if _GROUPED.fullmatch(s):  # 1,500  1 500  1.500
            out.add(_SEPARATORS.sub("", s).lstrip("0") or "0")
            continue
        for part in s.split():  # "2024 12" is two numbers
            for n in _separate(part):
                if len(n) > 1:
                    out.add(n)
    return out


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
    index = _concept_index(lang, extra)
    found: set[str] = set()
    used: set[int] = set()
    if not index:
        return found, used
    infix, inside = _infixes(lang, extra)
    unique = set(tokens)
    for t in unique.difference(memo):
        found_t = [
            ph
            for base in dict.fromkeys(_bases(t))
            for ph in index.get(base, ())
            if _word_matches(t, ph[0][0])
        ]
        if infix is not None and _HANGUL.match(t):
            found_t += chain.from_iterable(map(inside.__getitem__, infix.findall(t)))
        memo[t] = tuple(found_t)
    hits = set(filter(memo.__getitem__, unique))
    if not hits:
        return found, used
    for i in [i for i, t in enumerate(tokens) if t in hits]:
        for words, ids in memo[tokens[i]]:
            if len(words) == 1 or all(
                i + k < len(tokens) and _word_matches(tokens[i + k], w)
                for k, w in enumerate(words[1:], 1)
            ):
                found.update(ids)
                used.update(range(i, i + len(words)))
    return found, used


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


@dataclass(slots=True)
class _Doc:
    key: str
    when: datetime | None
    lang: str
    size: int
    words: dict[str, float]  # stem or #number -> weight: raw, then TF-IDF over the norm
    block: list[str]  # title stems and numbers: what finds candidate pairs
    marks: dict[str, float]  # cross-language features, likewise
    mark_block: list[str]
    wkeys: frozenset[str] = frozenset()  # the features another article may share
    mkeys: frozenset[str] = frozenset()


_DROP = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))  # soft hyphen, zero-width space
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")
_UPPER = "".join(chr(i) for i in [*range(0x41, 0x250), *range(0x370, 0x500)] if chr(i).isupper())
_NAME = re.compile(rf"[{_UPPER}]\w*(?:(?: [{_UPPER}]|-)\w*)+")  # Kim Jong Un, Lee Jae-myung


def _fold(s: str) -> str:
    s = s.casefold()
    return s.translate(_DROP) if not s.isascii() and _INVISIBLE.search(s) else s


def _stems(tokens: list[str], cjk: bool, memo: dict[str, str | None]) -> set[str]:
    """Words cut to their first STEM letters (numbers and single letters left out); Hangul
    and CJK words become pairs of characters."""
    if not cjk:
        unique = set(tokens)
        for t in unique.difference(memo):
            memo[t] = t[:STEM] if len(t) > 1 and not t.isdigit() else None
        out = set(map(memo.__getitem__, unique))
        out.discard(None)
        return out  # type: ignore[return-value]
    found: set[str] = set()
    for t in tokens:
        if len(t) < 2 or t.isdigit():
            continue
        if _CJK.search(t):
            found.update(t[i : i + 2] for i in range(len(t) - 1))
        else:
            found.add(t[:STEM])
    return found


def _skeletons(tokens: Iterable[str], memo: dict[str, tuple[str, ...]]) -> set[str]:
    """Skeletons of the words, cut to MARK consonants; words of fewer than 3 letters (2
    Hangul syllables) or 3 consonants left out. A Hangul word ending in a particle gives
    its skeleton with and without it (김정은 is a name, 평양에서 is 평양 + 에서)."""
    unique = set(tokens)
    for t in unique.difference(memo):
        if _HANGUL.match(t):
            forms = [t, *(t[:-n] for n in (1, 2) if len(t) > n + 1 and t[-n:] in _PARTICLES)]
        else:
            forms = [t] if len(t) > 2 and not t.isdigit() else []
        memo[t] = tuple(sk[:MARK] for f in forms if len(sk := skeleton(f)) >= 3)
    return set(chain.from_iterable(map(memo.__getitem__, unique)))


def _marks(
    tokens: list[str],
    lang: str,
    memo: dict[str, tuple[str, ...]],
    named: dict[str, tuple[_Phrase, ...]],
    terms: Path | None = None,
) -> tuple[set[str], set[str]]:
    """The concepts the words name, and the skeletons of the other words."""
    tokens = list(filter(None, tokens))
    found, used = concepts(tokens, lang, named, terms)
    if used:
        tokens = [t for i, t in enumerate(tokens) if i not in used]
    return found, _skeletons(tokens, memo)


def _names(raw: str, memo: dict[str, tuple[str, ...]]) -> set[str]:
    """Skeletons of runs of capitalised words written as one: Kim Jong Un, Ким Чен Ын and
    김정은 all give KMSN; Yoon Suk Yeol, Юн Сок Ёль and 윤석열 give NSKR."""
    runs = _NAME.findall(raw)
    if not runs:
        return set()
    return _skeletons([_fold(r).replace(" ", "").replace("-", "") for r in runs], memo)


def _doc(
    article: Article,
    marks: bool,
    memo: dict[str, tuple[str, ...]],
    stems: dict[str, str | None],
    named: dict[str, dict[str, tuple[_Phrase, ...]]],
    terms: Path | None = None,
) -> _Doc:
    lead = article.text[:LEAD_CHARS] or article.excerpt[:LEAD_CHARS]
    title, text = _fold(article.title), _fold(lead)
    cjk = not (title.isascii() and text.isascii()) and (
        _CJK.search(title) is not None or _CJK.search(text) is not None
    )
    title_tokens, text_tokens = _SPLIT.split(title), _SPLIT.split(text)
    title_stems = _stems(title_tokens, cjk, stems)
    words = dict.fromkeys(_stems(text_tokens, cjk, stems), 1.0)
    words.update(dict.fromkeys(title_stems, TITLE_WEIGHT))
    nums = (
        []
        if _DIGIT.search(title) is None and _DIGIT.search(text) is None
        else ["#" + n for n in numbers(title) | numbers(text)]
    )
    words.update(dict.fromkeys(nums, NUMBER_WEIGHT))
    lang = (article.lang or "").split("-")[0].lower() or "und"
    doc = _Doc(
        key=article.key,
        when=article.published or article.first_seen,
        lang=lang,
        size=len(article.text or article.excerpt),
        words=words,
        block=[*title_stems, *nums],
        marks={},
        mark_block=[],
    )
    if marks:
        seen = named.setdefault(lang, {})
        t_named, t_plain = _marks(title_tokens, lang, memo, seen, terms)
        x_named, x_plain = _marks(text_tokens, lang, memo, seen, terms)
        t_named |= _names(article.title, memo)
        x_named |= _names(lead, memo)
        title_marks = t_named | t_plain
        doc.marks = dict.fromkeys(x_plain, PLAIN_WEIGHT)
        doc.marks.update(dict.fromkeys(x_named, 1.0))
        doc.marks.update(dict.fromkeys(t_plain, PLAIN_WEIGHT * TITLE_WEIGHT))
        doc.marks.update(dict.fromkeys(t_named, TITLE_WEIGHT))
        doc.marks.update(dict.fromkeys(nums, NUMBER_WEIGHT))
        doc.mark_block = [*title_marks, *nums]
    return doc


def _weigh(docs: list[_Doc]) -> None:
    """Raw weights -> TF-IDF weights divided by the article's norm (IDF per language for
    words, over all articles for marks). In the document frequency a title feature or a
    number counts twice, as its weight does. A feature no other article has still counts in
    the norm, but is then dropped: it can never be shared."""
    per_lang = Counter(d.lang for d in docs)
    df_words: dict[str, Counter[str]] = defaultdict(Counter)
    up_words: dict[str, Counter[str]] = defaultdict(Counter)
    df_marks: Counter[str] = Counter()
    up_marks: Counter[str] = Counter()
    for d in docs:  # Counter.update with keys (not a mapping) counts in C
        df_words[d.lang].update(d.words.keys())
        up_words[d.lang].update(d.block)
        df_marks.update(d.marks.keys())
        up_marks.update(d.mark_block)
    by_lang: dict[str, list[_Doc]] = defaultdict(list)
    for d in docs:
        by_lang[d.lang].append(d)
    for lang, df in df_words.items():
        n = per_lang[lang] + 1
        _normalise(by_lang[lang], "words", df, up_words[lang], n)
    _normalise([d for d in docs if d.marks], "marks", df_marks, up_marks, len(docs) + 1)


def _normalise(docs: list[_Doc], attr: str, df: Counter[str], up: Counter[str], n: int) -> None:
    shared = set(compress(df.keys(), map(lt, repeat(1), df.values())))  # count > 1
    df.update(up)
    # max(log(n / (c + 0.5)), 0.0) for each count c, computed in C
    ratios = map(truediv, repeat(float(n)), map(add, df.values(), repeat(0.5)))
    idf = dict(zip(df.keys(), map(max, map(math.log, ratios), repeat(0.0)), strict=True))
    weight = idf.__getitem__
    words = attr == "words"
    for d in docs:
        raw: dict[str, float] = d.words if words else d.marks
        norm = math.sqrt(fsum(map(pow, map(mul, raw.values(), map(weight, raw)), repeat(2))))
        keys = raw.keys() & shared
        if not norm or not keys:
            kept: dict[str, float] = {}
        else:
            scale = map(truediv, map(weight, keys), repeat(norm))
            kept = dict(zip(keys, map(mul, map(raw.__getitem__, keys), scale), strict=True))
            if words:
                d.wkeys = frozenset(keys)
            else:
                d.mkeys = frozenset(keys)
        if words:
            d.words = kept
        else:
            d.marks = kept


def _cosine(a: dict[str, float], b: dict[str, float], common: Iterable[str]) -> float:
    return fsum(map(mul, map(a.__getitem__, common), map(b.__getitem__, common)))


# --- pairs -------------------------------------------------------------------------------


def _pairs(docs: list[_Doc], window: timedelta, across: bool) -> dict[tuple[int, int], float]:
    """Similarities of the pairs inside the window that share uncommon title words or numbers
    (in one language) or uncommon marks (in two)."""
    stamp = [d.when.timestamp() if d.when is not None else None for d in docs]
    order = sorted(range(len(docs)), key=lambda i: (_when_key(docs[i].when), i))
    lang = [d.lang for d in docs]
    wget = [d.words.__getitem__ for d in docs]
    wkeys = [d.wkeys for d in docs]
    mget = [d.marks.__getitem__ for d in docs]
    mkeys = [d.mkeys for d in docs]
    span = window.total_seconds()
    words: dict[str, dict[str, deque[int]]] = defaultdict(dict)  # language -> feature -> ids
    marks: dict[str, deque[int]] = {}  # feature -> ids, all languages
    sims: dict[tuple[int, int], float] = {}
    for i in order:
        d = docs[i]
        when = stamp[i]
        oldest = when - span if when is not None else None
        index = words[d.lang]
        if dk := wkeys[i]:
            get = wget[i]
            for j in _candidates(stamp, index, d.block, oldest, BLOCK):
                common = dk & wkeys[j]
                s = fsum(map(mul, map(get, common), map(wget[j], common)))
                if s >= FLOOR:
                    sims[(j, i) if j < i else (i, j)] = s
        if across and (dk := mkeys[i]):
            get, me = mget[i], lang[i]
            for j in _candidates(stamp, marks, d.mark_block, oldest, MARK_BLOCK):
                if lang[j] == me:
                    continue
                common = dk & mkeys[j]
                if len(common) >= MIN_SHARED_MARKS:
                    s = fsum(map(mul, map(get, common), map(mget[j], common)))
                    if s >= FLOOR:
                        sims[(j, i) if j < i else (i, j)] = s
        for f in d.block:
            if (post := index.get(f)) is None:
                index[f] = deque((i,))
            else:
                post.append(i)
        if across:
            for f in d.mark_block:
                if (post := marks.get(f)) is None:
                    marks[f] = deque((i,))
                else:
                    post.append(i)
    return sims


def _candidates(
    stamp: list[float | None],
    index: dict[str, deque[int]],
    block: list[str],
    oldest: float | None,
    limit: int,
) -> set[int]:
    """Earlier articles in the window sharing one of the `limit` rarest of these features
    (one in more than MAX_POSTINGS articles of the window is too common to find pairs with)."""
    lists = []
    for f in block:
        post = index.get(f)
        if not post:
            continue
        if oldest is not None:
            while post and (when := stamp[post[0]]) is not None and when < oldest:
                post.popleft()
        if 0 < len(post) <= MAX_POSTINGS:
            lists.append((len(post), f, post))
    if len(lists) > limit:
        lists.sort(key=_rank_list)  # by size, then by name: the same choice on every run
        del lists[limit:]
    if len(lists) == 1:
        return set(lists[0][2])
    return set(chain.from_iterable(post for _, _, post in lists))


def _rank_list(entry: tuple[int, str, deque[int]]) -> tuple[int, str]:
    return entry[0], entry[1]


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
    docs = _prepare(articles, across_languages, terms)
    return _clusters(docs, window, same_language, across_languages) if docs else []


def _clusters(
    docs: list[_Doc], window: timedelta, same_language: float, across_languages: float | None
) -> list[Cluster]:
    sims = _pairs(docs, window, across_languages is not None and _mixed(docs))
    return _groups(docs, sims, same_language, across_languages or math.inf, window)


def _prepare(
    articles: Iterable[Article], across_languages: float | None, terms: Path | None = None
) -> list[_Doc]:
    seen: set[str] = set()
    items = []
    for a in articles:
        if a.key not in seen:
            seen.add(a.key)
            items.append(a)
    across = across_languages is not None and len({a.lang or "" for a in items}) > 1
    memo: dict[str, tuple[str, ...]] = {}
    stems: dict[str, str | None] = {}
    named: dict[str, dict[str, tuple[_Phrase, ...]]] = {}
    docs = [_doc(a, across, memo, stems, named, terms) for a in items]
    _weigh(docs)
    return docs


def _mixed(docs: list[_Doc]) -> bool:
    return len({d.lang for d in docs}) > 1


def _groups(
    docs: list[_Doc],
    sims: dict[tuple[int, int], float],
    same: float,
    across: float,
    window: timedelta,
) -> list[Cluster]:
    where = list(range(len(docs)))
    lang = [d.lang for d in docs]
    members: dict[int, list[int]] = {i: [i] for i in range(len(docs))}
    # first and last date of each group's dated articles (None: no dated article)
    dates: list[tuple[datetime, datetime] | None] = [
        (d.when, d.when) if d.when is not None else None for d in docs
    ]
    for neg_s, (i, j) in sorted(zip(map(neg, sims.values()), sims, strict=True)):
        s = -neg_s
        need = same if lang[i] == lang[j] else across
        a, b = where[i], where[j]
        if s < need or a == b:
            continue
        da, db = dates[a], dates[b]
        span = da if db is None else db if da is None else (min(da[0], db[0]), max(da[1], db[1]))
        if span is not None and span[1] - span[0] > window:
            continue  # a story spans at most `window` from its first to its last dated article
        group_a, group_b = members[a], members[b]
        if not _cohesive(lang, sims, group_a, group_b, need * COHESION, same * KIN):
            continue
        if len(group_b) > len(group_a):
            a, b, group_a, group_b = b, a, group_b, group_a
        for x in group_b:
            where[x] = a
        group_a.extend(group_b)
        dates[a] = span
        del members[b]
    out = [_cluster(docs, m) for m in members.values()]
    by_key = {d.key: d for d in docs}
    return sorted(out, key=lambda c: (_when_key(by_key[c.lead].when), c.lead))


def _cohesive(
    lang: list[str],
    sims: dict[tuple[int, int], float],
    group_a: list[int],
    group_b: list[int],
    mean: float,
    kin: float,
) -> bool:
    """The mean similarity between the groups reaches `mean`, and no two articles in one
    language that would end up together are less alike than `kin`."""
    total = 0.0
    get = sims.get
    for x in group_a:
        lx = lang[x]
        for y in group_b:
            s = get((x, y) if x < y else (y, x), 0.0)
            if s < kin and lx == lang[y]:
                return False
            total += s
    return total / (len(group_a) * len(group_b)) >= mean


def _when_key(when: datetime | None) -> tuple[bool, float]:
    return (when is None, when.timestamp() if when else 0.0)


def _rank(d: _Doc) -> tuple[tuple[bool, float], int, str]:
    return (_when_key(d.when), -d.size, d.key)


def _cluster(docs: list[_Doc], group: list[int]) -> Cluster:
    ordered = sorted((docs[i] for i in group), key=_rank)
    lead = ordered[0]
    rest = sorted(ordered[1:], key=lambda d: (_when_key(d.when), d.key))
    return Cluster(lead.key, (lead.key, *(d.key for d in rest)))


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
    docs = _prepare(items, across_languages, terms)
    by_key = {d.key: d for d in docs}
    if key not in by_key:
        raise KeyError(key)
    clusters = _clusters(docs, window, same_language, across_languages)
    found = next(c for c in clusters if key in c.keys)
    me = by_key[key]
    needs = {False: same_language, True: across_languages or math.inf}
    near = []
    for d in docs:
        if d.key in found.keys or not _in_window(me.when, d.when, window):
            continue
        if d.lang != me.lang and across_languages is None:
            continue
        x, y = _features(me, d)
        if (s := _cosine(x, y, x.keys() & y.keys())) > 0:
            near.append((s, d.key))
    near = sorted(near, key=lambda n: (-n[0], n[1]))[:closest]
    shown = set(found.keys) | {k for _, k in near}
    spelled = _spellings([a for a in items if a.key in shown])
    links = tuple(_link(me, by_key[k], spelled, limit, needs) for k in found.keys if k != key)
    outside = tuple(_link(me, by_key[k], spelled, limit, needs) for _, k in near)
    return ClusterWhy(key, found, links, outside)


def _in_window(a: datetime | None, b: datetime | None, window: timedelta) -> bool:
    return a is None or b is None or abs(a - b) <= window


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
            if (mark := _skeletons([raw], memo)) and (m := next(iter(mark))) not in seen:
                seen[m] = raw
        for run in _NAME.findall(a.title + " " + lead):
            for m in _names(run, memo):
                seen.setdefault(m, run)
        out[a.key] = seen
    return out
