"""Same-story clustering: pure functions from articles to clusters of article keys.

Two articles are the same story when they were published within `window` of each other and
their words are alike. Text is compared casefolded (title, then the first LEAD_CHARS of the
text), split into words:

within a language
    TF-IDF cosine; title words count TITLE_WEIGHT times. Words are cut to their first STEM
    letters, so inflected forms meet (Russia and Russian, sanction and sanctions); Hangul
    and CJK words become pairs of characters, so 북한은 and 북한의 share 북한. IDF is computed
    per language over the articles given. A pair needs SAME_LANGUAGE.
across languages
    TF-IDF cosine over what survives translation: numbers (1,500 = 1 500 = 1500, 0,72 =
    0.72, 1만2천 = 12000) and the consonant skeletons of words, spelt alike in Latin,
    Cyrillic and Hangul letters (Putin, Путин, Poutine and 푸틴 all give PTN; Navalny,
    Навального and 나발니 start NBRN), cut to 4 consonants. A pair needs ACROSS_LANGUAGES and
    MIN_SHARED_MARKS numbers or skeletons in common. `across_languages=None` turns it off.

Clustering is agglomerative, strongest pair first, with two guards against chaining: the
mean similarity between the two groups must reach half the pair's threshold, and two
articles in one language may only end up together if they are alike enough on their own
(a story told twice in one language is told in similar words). A story spans at most
`window` from its first to its last dated article.

Cost stays close to linear in the number of articles: articles are taken in time order and
only compared with articles inside the window that share a title word or a number (an
inverted index: each article looks through its BLOCK rarest such words; one shared by more
than MAX_POSTINGS articles of the window is too common to find pairs with).

Each cluster's lead is its earliest article (an undated one counts as latest); ties go to
the longest text, then to the smallest key. Articles with no date are compared with all
others.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from digest.models import Article

WINDOW = timedelta(days=3)
SAME_LANGUAGE = 0.35  # cosine a same-language pair needs
ACROSS_LANGUAGES = 0.25  # cosine a pair in two languages needs
MIN_SHARED_MARKS = 3  # numbers or skeletons a pair in two languages must share
LEAD_CHARS = 500  # characters of text compared, after the title
TITLE_WEIGHT = 2.0
STEM = 6  # letters kept of each word
BLOCK = 3  # an article looks for pairs through its rarest title words and numbers...
MAX_POSTINGS = 300  # ...that are in at most this many articles of the window
FLOOR = 0.1  # similarities below this are not kept (and count as 0 between groups)

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
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")  # soft hyphen, zero-width space...


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


# --- features ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Doc:
    key: str
    when: datetime | None
    lang: str
    size: int
    words: dict[str, float]  # stem -> weight (raw, then TF-IDF)
    block: list[str]  # title words and numbers: what finds candidate pairs
    marks: dict[str, float] = field(default_factory=dict)  # cross-language features
    mark_block: list[str] = field(default_factory=list)
    wnorm: float = 0.0
    mnorm: float = 0.0
    wkeys: frozenset[str] = frozenset()
    mkeys: frozenset[str] = frozenset()


def _stems(tokens: list[str], cjk: bool) -> set[str]:
    if not cjk:
        return {t[:STEM] for t in tokens if len(t) > 1 and not t.isdigit()}
    out: set[str] = set()
    for t in tokens:
        if len(t) < 2 or t.isdigit():
            continue
        if _CJK.search(t):
            out.update(t[i : i + 2] for i in range(len(t) - 1))
        else:
            out.add(t[:STEM])
    return out


def _skeletons(tokens: list[str], memo: dict[str, str | None]) -> set[str]:
    for t in [t for t in set(tokens) if t not in memo]:
        sk = skeleton(t) if len(t) > 2 and not t.isdigit() else ""
        memo[t] = sk[:4] if len(sk) >= 3 else None
    return {key for t in tokens if (key := memo[t])}


def _doc(article: Article, marks: bool, memo: dict[str, str | None]) -> _Doc:
    title = _INVISIBLE.sub("", article.title.casefold())
    text = _INVISIBLE.sub(
        "", (article.text[:LEAD_CHARS] or article.excerpt[:LEAD_CHARS]).casefold()
    )
    cjk = _CJK.search(title) is not None or _CJK.search(text) is not None
    title_tokens, text_tokens = _SPLIT.split(title), _SPLIT.split(text)
    title_stems = _stems(title_tokens, cjk)
    words = dict.fromkeys(_stems(text_tokens, cjk), 1.0)
    words.update(dict.fromkeys(title_stems, TITLE_WEIGHT))
    nums = (numbers(title) | numbers(text)) if _DIGIT.search(title + text) else set()
    block = [*title_stems, *("#" + n for n in nums)]
    doc = _Doc(
        key=article.key,
        when=article.published or article.first_seen,
        lang=(article.lang or "").split("-")[0].lower() or "und",
        size=len(article.text or article.excerpt),
        words=words,
        block=block,
    )
    if marks:
        title_marks = _skeletons(title_tokens, memo)
        doc.marks = dict.fromkeys(_skeletons(text_tokens, memo), 1.0)
        doc.marks.update(dict.fromkeys(title_marks, TITLE_WEIGHT))
        doc.marks.update(dict.fromkeys(("#" + n for n in nums), TITLE_WEIGHT))
        doc.mark_block = [*title_marks, *("#" + n for n in nums)]
    return doc


def _idf(docs: list[_Doc]) -> None:
    """Turn raw weights into TF-IDF weights (per language for words), and compute norms."""
    per_lang = Counter(d.lang for d in docs)
    df_words: dict[str, Counter[str]] = defaultdict(Counter)
    df_marks: Counter[str] = Counter()
    for d in docs:
        df_words[d.lang].update(d.words.keys())
        df_marks.update(d.marks.keys())
    idf_words = {
        lang: {f: math.log((per_lang[lang] + 1) / (n + 0.5)) for f, n in df.items()}
        for lang, df in df_words.items()
    }
    total = len(docs) + 1
    idf_marks = {f: math.log(total / (n + 0.5)) for f, n in df_marks.items()}
    for d in docs:
        idf = idf_words[d.lang]
        d.words = {f: w * idf[f] for f, w in d.words.items() if idf[f] > 0}
        d.wnorm = math.hypot(*d.words.values())
        d.wkeys = frozenset(d.words)
        if d.marks:
            d.marks = {f: w * idf_marks[f] for f, w in d.marks.items() if idf_marks[f] > 0}
            d.mnorm = math.hypot(*d.marks.values())
            d.mkeys = frozenset(d.marks)


# --- pairs -------------------------------------------------------------------------------


def _pairs(docs: list[_Doc], window: timedelta, across: bool) -> dict[tuple[int, int], float]:
    """Similarities of the pairs inside the window that share uncommon title words or numbers."""
    order = sorted(range(len(docs)), key=lambda i: (_when_key(docs[i].when), i))
    words: dict[str, dict[str, deque[int]]] = defaultdict(dict)  # per language
    marks: dict[str, deque[int]] = {}
    sims: dict[tuple[int, int], float] = {}
    for i in order:
        d = docs[i]
        oldest = d.when - window if d.when is not None else None
        index = words[d.lang]
        if d.wnorm:
            dw, dk = d.words, d.wkeys
            for j in _candidates(docs, index, d.block, oldest):
                e = docs[j]
                common = dk & e.wkeys
                if common:
                    s = sum([dw[f] * e.words[f] for f in common]) / (d.wnorm * e.wnorm)
                    if s >= FLOOR:
                        sims[(j, i) if j < i else (i, j)] = s
        if across and d.mnorm:
            dm, dk = d.marks, d.mkeys
            for j in _candidates(docs, marks, d.mark_block, oldest):
                e = docs[j]
                if e.lang == d.lang or not e.mnorm:
                    continue
                common = dk & e.mkeys
                if len(common) >= MIN_SHARED_MARKS:
                    s = sum([dm[f] * e.marks[f] for f in common]) / (d.mnorm * e.mnorm)
                    if s >= FLOOR:
                        sims[(j, i) if j < i else (i, j)] = s
        for f in d.block:
            index.setdefault(f, deque()).append(i)
        for f in d.mark_block:
            marks.setdefault(f, deque()).append(i)
    return sims


def _candidates(
    docs: list[_Doc], index: dict[str, deque[int]], block: list[str], oldest: datetime | None
) -> set[int]:
    """Earlier articles in the window sharing one of the BLOCK rarest of these features."""
    lists = []
    for f in block:
        post = index.get(f)
        if not post:
            continue
        if oldest is not None:
            while post and (when := docs[post[0]].when) is not None and when < oldest:
                post.popleft()
        if 0 < len(post) <= MAX_POSTINGS:
            lists.append((len(post), f, post))
    found: set[int] = set()
    for _, _, post in sorted(lists)[:BLOCK]:
        found.update(post)
    return found


# --- clustering --------------------------------------------------------------------------


def cluster(
    articles: Iterable[Article],
    window: timedelta = WINDOW,
    same_language: float = SAME_LANGUAGE,
    across_languages: float | None = ACROSS_LANGUAGES,
) -> list[Cluster]:
    """Group the same story from several sources; every article is in exactly one cluster.

    Clusters come out in the order of their leads (date, then key); a story told once is a
    cluster of one. An article key given twice counts once.
    """
    seen: set[str] = set()
    items = []
    for a in articles:
        if a.key not in seen:
            seen.add(a.key)
            items.append(a)
    if not items:
        return []
    across = across_languages is not None and len({a.lang or "" for a in items}) > 1
    memo: dict[str, str | None] = {}
    docs = [_doc(a, across, memo) for a in items]
    _idf(docs)
    sims = _pairs(docs, window, across)
    return _groups(docs, sims, same_language, across_languages or math.inf, window)


def _groups(
    docs: list[_Doc],
    sims: dict[tuple[int, int], float],
    same: float,
    across: float,
    window: timedelta,
) -> list[Cluster]:
    where = list(range(len(docs)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(docs))}
    for (i, j), s in sorted(sims.items(), key=lambda kv: (-kv[1], kv[0])):
        need = same if docs[i].lang == docs[j].lang else across
        a, b = where[i], where[j]
        if s < need or a == b:
            continue
        group_a, group_b = members[a], members[b]
        if not _within(docs, group_a + group_b, window):
            continue
        if not _cohesive(docs, sims, group_a, group_b, need / 2, same):
            continue
        if len(group_b) > len(group_a):
            a, b, group_a, group_b = b, a, group_b, group_a
        for x in group_b:
            where[x] = a
        group_a.extend(group_b)
        del members[b]
    out = [_cluster(docs, m) for m in members.values()]
    by_key = {d.key: d for d in docs}
    return sorted(out, key=lambda c: (_when_key(by_key[c.lead].when), c.lead))


def _cohesive(
    docs: list[_Doc],
    sims: dict[tuple[int, int], float],
    group_a: list[int],
    group_b: list[int],
    mean: float,
    same_language: float,
) -> bool:
    """The mean similarity between the groups reaches `mean`, and no two articles in one
    language that would end up together are less alike than `same_language`."""
    total = 0.0
    for x in group_a:
        for y in group_b:
            s = sims.get((x, y) if x < y else (y, x), 0.0)
            if s < same_language and docs[x].lang == docs[y].lang:
                return False
            total += s
    return total / (len(group_a) * len(group_b)) >= mean


def _within(docs: list[_Doc], group: list[int], window: timedelta) -> bool:
    """A story spans at most `window` from its first to its last dated article."""
    dates = [when for i in group if (when := docs[i].when) is not None]
    return not dates or max(dates) - min(dates) <= window


def _when_key(when: datetime | None) -> tuple[bool, float]:
    return (when is None, when.timestamp() if when else 0.0)


def _rank(d: _Doc) -> tuple[tuple[bool, float], int, str]:
    return (_when_key(d.when), -d.size, d.key)


def _cluster(docs: list[_Doc], group: list[int]) -> Cluster:
    ordered = sorted((docs[i] for i in group), key=_rank)
    lead = ordered[0]
    rest = sorted(ordered[1:], key=lambda d: (_when_key(d.when), d.key))
    return Cluster(lead.key, (lead.key, *(d.key for d in rest)))
