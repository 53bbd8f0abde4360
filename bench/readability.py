"""How well a folder source reads real article pages: Mozilla readability's test pages.

Each page directory in ../shared/realworld/articles/readability holds source.html (the page
as saved), expected.html (the article readability extracts) and expected-metadata.json.
Each source.html is copied into a folder of its own as `<name>.html` and read with
digest.collect.files.read_folder, exactly as a `type = "folder"` source reads it. A page
passes when both of these hold:

title
    The article title equals expected-metadata.json's "title" once both are normalised
    (see `normalise`). A site, section or author name joined on with a separator also
    passes ("Title | Site" against "Title", "Title_Section_Site" against "Title"): the
    longer title must start or end with the shorter one, the remainder must be set off
    by a separator (| - – — : _ · • / ») and the shorter must be at least 80% of the
    longer's length, so a title cut short or a bare site name does not count.

first sentence
    The first sentence of expected.html's text (tags stripped with
    digest.collect.clean.html_to_text) appears in the normalised title + text. Picture
    captions are not article text: <figure>, <figcaption>, elements whose class is
    "caption" and paragraphs holding an <img> (readability flattens some figures into
    <p><img><br><span>caption</span></p>) are dropped first; the pages where this moved
    the sentence past a caption are listed. The first sentence comes from the first paragraph of at
    least 30 characters (shorter ones are bylines, datelines, labels such as "Photo"),
    cut at the first sentence end (". ", "? ", "! ", "… ", "。", "！", "？") at or after
    its 30th character; a paragraph with no sentence end is used whole, up to 250
    characters (cut at a word).

normalise
    NFC, invisible format characters (soft hyphen, zero-width space...) removed, quotes,
    apostrophes and dashes unified, whitespace collapsed, casefolded.

Times are per page, and compared with a baseline measured in the same run: reading the
file, decoding it (digest.collect.files.decode) and parsing it with lxml.html.fromstring.

Run: .venv/bin/python bench/readability.py    (prints a row per page, shares, times)
tests/test_readability.py calls `measure()` and asserts the share of pages passing both.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402

from digest.collect import files  # noqa: E402
from digest.collect.clean import html_to_text  # noqa: E402

CORPUS = ROOT.parent / "shared" / "realworld" / "articles" / "readability"
TARGET = 0.90
MIN_SENTENCE = 30
MAX_SENTENCE = 250
TITLE_SHARE = 0.80
ROUNDS = 3

_QUOTES = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
    }
)
_SEPARATORS = "|-:_·•/»"
_SENTENCE_END = re.compile(r"[.!?…](?=\s)|[。！？]")


@dataclass(frozen=True, slots=True)
class PageResult:
    name: str
    title_ok: bool
    sentence_ok: bool
    past_caption: bool  # the first sentence is taken past a picture caption
    literal_ok: bool  # title right and the literal first sentence (captions counted) found
    reason: str  # why it failed, "" when both are OK
    seconds: float  # median time to read the page as a folder source
    baseline_seconds: float  # median time to read, decode and lxml-parse the file

    @property
    def ok(self) -> bool:
        return self.title_ok and self.sentence_ok


@dataclass(frozen=True, slots=True)
class Result:
    pages: tuple[PageResult, ...]

    def _share(self, flags: list[bool]) -> float:
        return sum(flags) / len(flags) if flags else 0.0

    @property
    def share(self) -> float:
        """Share of pages with both the title and the first sentence right."""
        return self._share([p.ok for p in self.pages])

    @property
    def literal_share(self) -> float:
        """Both right when picture captions count as the article's first sentence."""
        return self._share([p.literal_ok for p in self.pages])

    @property
    def title_share(self) -> float:
        return self._share([p.title_ok for p in self.pages])

    @property
    def sentence_share(self) -> float:
        return self._share([p.sentence_ok for p in self.pages])

    @property
    def seconds(self) -> float:
        return sum(p.seconds for p in self.pages)

    @property
    def baseline_seconds(self) -> float:
        return sum(p.baseline_seconds for p in self.pages)

    @property
    def failures(self) -> list[PageResult]:
        return [p for p in self.pages if not p.ok]

    def summary(self) -> str:
        n = len(self.pages)
        return (
            f"both OK {sum(p.ok for p in self.pages)}/{n} ({self.share:.0%}), "
            f"titles {sum(p.title_ok for p in self.pages)}/{n} ({self.title_share:.0%}), "
            f"first sentences {sum(p.sentence_ok for p in self.pages)}/{n} "
            f"({self.sentence_share:.0%})"
        )


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = text.translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip().casefold()


def title_matches(got: str, expected: str) -> bool:
    a, b = normalise(got), normalise(expected)
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if not short or len(short) < TITLE_SHARE * len(long_):
        return False
    if long_.startswith(short):
        rest = long_[len(short) :].lstrip()
        return rest[:1] in set(_SEPARATORS)
    if long_.endswith(short):
        rest = long_[: -len(short)].rstrip()
        return rest[-1:] in set(_SEPARATORS)
    return False


def article_text(expected_html: str) -> str:
    """expected.html's text, without picture captions."""
    root = lxml.html.fromstring(expected_html)
    for el in root.xpath(
        "//figure | //figcaption | //p[.//img]"
        " | //*[contains(concat(' ', normalize-space(@class), ' '), ' caption ')]"
    ):
        if el.getparent() is not None:
            el.drop_tree()
    return html_to_text(lxml.html.tostring(root, encoding="unicode"))


def first_sentence(text: str) -> str:
    for para in text.split("\n\n"):
        para = normalise(para)
        if len(para) < MIN_SENTENCE:
            continue
        end = _SENTENCE_END.search(para, MIN_SENTENCE - 1)
        if end:
            return para[: end.end()]
        if len(para) <= MAX_SENTENCE:
            return para
        return para[:MAX_SENTENCE].rsplit(" ", 1)[0]
    return ""


def check_page(page_dir: Path, rounds: int = 1) -> PageResult:
    name = page_dir.name
    meta = json.loads((page_dir / "expected-metadata.json").read_text(encoding="utf-8"))
    expected_title = str(meta.get("title") or "")
    expected_html = (page_dir / "expected.html").read_text("utf-8")
    sentence = first_sentence(article_text(expected_html))
    literal = first_sentence(html_to_text(expected_html))
    past_caption = sentence != literal
    source = page_dir / "source.html"

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copyfile(source, folder / f"{name}.html")
        times = []
        for _ in range(max(1, rounds)):
            start = time.perf_counter()
            articles, warnings = files.read_folder(folder, "readability")
            times.append(time.perf_counter() - start)
    base_times = []
    for _ in range(max(1, rounds)):
        start = time.perf_counter()
        lxml.html.fromstring(files.decode(source.read_bytes()))
        base_times.append(time.perf_counter() - start)
    seconds, baseline = statistics.median(times), statistics.median(base_times)

    if not articles:
        reason = "; ".join(warnings) or "no article"
        return PageResult(name, False, False, past_caption, False, reason, seconds, baseline)
    article = articles[0]
    reasons = []
    title_ok = title_matches(article.title, expected_title)
    if not title_ok:
        reasons.append(f"title {article.title[:60]!r} != {expected_title[:60]!r}")
    haystack = normalise(f"{article.title}\n\n{article.text}")
    sentence_ok = bool(sentence) and sentence in haystack
    if not sentence:
        reasons.append("no first sentence in expected.html")
    elif not sentence_ok:
        reasons.append(f"text lacks {sentence[:60]!r}")
    literal_ok = title_ok and bool(literal) and literal in haystack
    return PageResult(
        name,
        title_ok,
        sentence_ok,
        past_caption,
        literal_ok,
        "; ".join(reasons),
        seconds,
        baseline,
    )


def page_dirs(corpus: Path | None = None) -> list[Path]:
    corpus = CORPUS if corpus is None else corpus
    if not corpus.is_dir():
        return []
    return sorted(p for p in corpus.iterdir() if (p / "source.html").is_file())


def measure(corpus: Path | None = None, rounds: int = 1) -> Result:
    """Read every page of the corpus; an empty Result when the corpus is missing."""
    return Result(tuple(check_page(d, rounds) for d in page_dirs(corpus)))


def main() -> None:
    if not page_dirs():
        print(f"{CORPUS} not present: ../shared is only beside the project's own checkout")
        return
    result = measure(rounds=ROUNDS)
    width = max(len(p.name) for p in result.pages)
    print(f"{'page':<{width}}  title  sentence  ms/page  lxml ms  reason")
    for p in result.pages:
        print(
            f"{p.name:<{width}}  {'ok' if p.title_ok else 'FAIL':<5}  "
            f"{'ok' if p.sentence_ok else 'FAIL':<8}  {p.seconds * 1000:7.1f}  "
            f"{p.baseline_seconds * 1000:7.1f}  {p.reason}"
        )
    n = len(result.pages)
    print()
    print(f"pages:                       {n}")
    print(f"both OK:                     {result.share:6.1%}  (target {TARGET:.0%})")
    print(f"titles OK:                   {result.title_share:6.1%}")
    print(f"first sentences OK:          {result.sentence_share:6.1%}")
    skipped = [p.name for p in result.pages if p.past_caption]
    print(f"sentence past a caption:     {len(skipped)} ({', '.join(skipped) or '-'})")
    print(f"both OK, captions counted:   {result.literal_share:6.1%}  (the literal reading)")
    print(f"lxml parse only (baseline):  {result.baseline_seconds / n * 1000:7.1f} ms per page")
    print(f"read as a folder source:     {result.seconds / n * 1000:7.1f} ms per page")
    print(f"ratio folder/baseline:       {result.seconds / result.baseline_seconds:7.1f}x")


if __name__ == "__main__":
    main()
