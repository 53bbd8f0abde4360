"""How well digest sorts articles into themes and groups same-story articles.

Data: tests/data/themes_eval (hand-labelled; see its README). items.jsonl and extra.jsonl are
turned into digest.models.Article objects (title; text as excerpt and text; lang) and
classified with digest.themes.classify against config.example.toml's themes.

Scoring
    Per theme: precision, recall and F1 over all 582 items. The overall macro-F1 is the mean
    of the themes' F1.
    Per language: the same per theme, within that language's items. A language's macro-F1 is
    the mean F1 over the themes that have positives in that language. A theme with no
    positives in a language has no recall (and so no F1): there only false positives count,
    and they are printed as "FP n". A language with no positives at all (de, it) gets no F1;
    its line shows its false-positive count, which should be 0.
    Empty denominators: precision is 1.0 when nothing was predicted, recall 1.0 when there
    was nothing to find.

Clustering
    Every item goes through digest.cluster.cluster in one batch. A real feed item is
    published when its feed says (`published` in items.jsonl, taken from the feed; 438 of the
    498 have one); the written extra items and the feed items without a date (heise's RSS
    0.90 feed has none) are undated, and an undated article is compared with every other, so
    the window separates only dated items. The same batch is also scored with every item
    "published together" (the figures before the dates were carried over), for comparison.
    A pair in pairs.jsonl is predicted "same" when both items land in one cluster.
    Precision and recall are over the labelled pairs, split into pairs within one language
    and across languages. Co-clustered pairs that pairs.jsonl does not label are counted and
    listed (they are neither right nor wrong by the labels, but show over-merging).

Held-out set
    heldout.jsonl / heldout_pairs.jsonl (written by tests/data/themes_eval/heldout_items.py)
    were written after the constants were tuned, without looking at the clustering or theme
    code, and are scored on their own in a last section: the same classification figures
    and the same pair figures, from the same functions, with the held-out items clustered
    in one batch of their own at their written dates (and, for comparison, all at one
    time). They are reported only, against the same targets; no constant may be chosen on
    them. `evaluate_heldout()` returns their Report (None when the files are absent).

Run: .venv/bin/python bench/themes_eval.py [-v]   (-v lists every error)
tests/test_themes.py calls `evaluate()` and asserts the targets below.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from digest import config  # noqa: E402
from digest.models import Article, Theme  # noqa: E402
from digest.themes import classify  # noqa: E402

DATA = ROOT / "tests" / "data" / "themes_eval"
CONFIG = ROOT / "config.example.toml"
MAIN_FILES = ("items.jsonl", "extra.jsonl")
MAIN_PAIRS = "pairs.jsonl"
HELDOUT_FILES = ("heldout.jsonl",)
HELDOUT_PAIRS = "heldout_pairs.jsonl"
BACKGROUND = ("items.jsonl",)  # other news in the held-out items' batch
HELDOUT_HEADING = "held-out set (written after tuning; no clustering constant chosen on it)"

TARGET_MACRO_F1 = 0.95
TARGET_LANG_F1 = 0.90
TARGET_PAIR_PRECISION = 0.95
TARGET_PAIR_RECALL = 0.80


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def positives(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, expected: bool, predicted: bool) -> None:
        if expected and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif expected:
            self.fn += 1


@dataclass(frozen=True)
class Item:
    id: str
    lang: str
    title: str
    text: str
    themes: frozenset[str]
    published: datetime | None = None  # from the feed; None for written and undated items


@dataclass(frozen=True)
class Miss:
    id: str
    lang: str
    expected: tuple[str, ...]
    got: tuple[str, ...]
    title: str


@dataclass
class Report:
    themes: tuple[str, ...]
    per_theme: dict[str, Score]
    per_lang: dict[str, dict[str, Score]]  # lang -> theme -> score
    items_per_lang: dict[str, int]
    misses: list[Miss]
    per_set: dict[str, dict[str, Score]] = field(default_factory=dict)  # feeds / written
    pairs: dict[str, Score] = field(default_factory=dict)  # "within", "across", "all"
    pairs_same_time: dict[str, Score] = field(default_factory=dict)  # all items at one time
    pairs_alone: dict[str, Score] = field(default_factory=dict)  # held-out items, no others
    pair_misses: list[tuple[str, str, bool, str]] = field(default_factory=list)
    unlabelled_pairs: list[tuple[str, str]] = field(default_factory=list)
    clusters: int = 0

    @property
    def macro_f1(self) -> float:
        return sum(s.f1 for s in self.per_theme.values()) / len(self.per_theme)

    def lang_f1(self, lang: str) -> float | None:
        """Mean F1 over the themes with positives in this language; None without any."""
        scored = [s.f1 for s in self.per_lang[lang].values() if s.positives]
        return sum(scored) / len(scored) if scored else None

    def lang_false_positives(self, lang: str) -> int:
        """False positives for themes that have no positives in this language."""
        return sum(s.fp for s in self.per_lang[lang].values() if not s.positives)

    def failures(self) -> list[str]:
        out = []
        if self.macro_f1 < TARGET_MACRO_F1:
            out.append(f"macro-F1 {self.macro_f1:.3f} < {TARGET_MACRO_F1}")
        for lang in self.per_lang:
            f1 = self.lang_f1(lang)
            if f1 is not None and f1 < TARGET_LANG_F1:
                out.append(f"{lang} macro-F1 {f1:.3f} < {TARGET_LANG_F1}")
        if self.pairs and self.pairs["all"].precision < TARGET_PAIR_PRECISION:
            out.append(
                f"pair precision {self.pairs['all'].precision:.3f} < {TARGET_PAIR_PRECISION}"
            )
        if self.pairs and self.pairs["all"].recall < TARGET_PAIR_RECALL:
            out.append(f"pair recall {self.pairs['all'].recall:.3f} < {TARGET_PAIR_RECALL}")
        return out


def load_items(data: Path = DATA, names: Sequence[str] = MAIN_FILES) -> list[Item]:
    items = []
    for name in names:
        with (data / name).open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    d = json.loads(line)
                    when = d.get("published")
                    items.append(
                        Item(
                            d["id"],
                            d["lang"],
                            d["title"],
                            d["text"],
                            frozenset(d["themes"]),
                            datetime.fromisoformat(when) if when else None,
                        )
                    )
    return items


def load_pairs(data: Path = DATA, name: str = MAIN_PAIRS) -> list[tuple[str, str, bool]]:
    with (data / name).open(encoding="utf-8") as fh:
        return [(d["a"], d["b"], bool(d["same"])) for d in map(json.loads, fh) if d]


def article(item: Item, same_time: datetime | None = None) -> Article:
    """The item as an Article, published when its feed says (or at `same_time` if given)."""
    return Article(
        key=item.id,
        source=item.id.split("#")[0],
        title=item.title,
        url=None,
        published=same_time or item.published,
        excerpt=item.text[:300],
        text=item.text,
        content_hash=item.id,
        lang=item.lang,
    )


def evaluate(
    themes: Sequence[Theme] | None = None, data: Path = DATA, with_clusters: bool = True
) -> Report:
    """The main set: items.jsonl + extra.jsonl, pairs.jsonl."""
    return evaluate_files(themes, data, MAIN_FILES, MAIN_PAIRS, with_clusters, split_sets=True)


def evaluate_heldout(
    themes: Sequence[Theme] | None = None, data: Path = DATA, with_clusters: bool = True
) -> Report | None:
    """The held-out set (heldout.jsonl, heldout_pairs.jsonl); None if absent. Its items are
    clustered in one batch with the real feed items (items.jsonl), as a real batch holds
    other news too: IDF over 88 items, six of them one story, would make that story's
    words common (`alone` also gives the pair scores without them)."""
    if not all((data / name).exists() for name in (*HELDOUT_FILES, HELDOUT_PAIRS)):
        return None
    report = evaluate_files(
        themes, data, HELDOUT_FILES, HELDOUT_PAIRS, with_clusters, background=BACKGROUND
    )
    if with_clusters:
        items = load_items(data, HELDOUT_FILES)
        where = cluster_ids([article(i) for i in items])
        report.pairs_alone = score_pairs(items, where, load_pairs(data, HELDOUT_PAIRS))
    return report


def evaluate_files(
    themes: Sequence[Theme] | None,
    data: Path,
    names: Sequence[str],
    pairs_name: str,
    with_clusters: bool = True,
    split_sets: bool = False,
    background: Sequence[str] = (),
) -> Report:
    """Classify and cluster the items of `names` (one batch) and score them.

    split_sets: also score the real feed items and the written extra items apart
    (Report.per_set; the main set only).
    background: items clustered in the same batch, neither classified nor scored.
    """
    if themes is None:
        themes = config.load(CONFIG).themes
    ids = tuple(t.id for t in themes)
    items = load_items(data, names)
    per_theme = {t: Score() for t in ids}
    per_lang: dict[str, dict[str, Score]] = defaultdict(lambda: {t: Score() for t in ids})
    counts: dict[str, int] = defaultdict(int)
    misses = []
    per_set: dict[str, dict[str, Score]] = (
        {"feeds": {t: Score() for t in ids}, "written": {t: Score() for t in ids}}
        if split_sets
        else {}
    )
    articles = [article(i) for i in items]
    for item, art in zip(items, articles, strict=True):
        got = {m.theme_id for m in classify(art, themes).matches}
        counts[item.lang] += 1
        for t in ids:
            per_theme[t].add(t in item.themes, t in got)
            per_lang[item.lang][t].add(t in item.themes, t in got)
            if split_sets:
                kind = "written" if item.id.startswith("extra#") else "feeds"
                per_set[kind][t].add(t in item.themes, t in got)
        if got != item.themes:
            misses.append(
                Miss(item.id, item.lang, tuple(sorted(item.themes)), tuple(sorted(got)), item.title)
            )
    report = Report(ids, per_theme, dict(sorted(per_lang.items())), dict(counts), misses, per_set)
    if with_clusters:
        pairs = load_pairs(data, pairs_name)
        others = load_items(data, background) if background else []
        batch = [*articles, *(article(i) for i in others)]
        score_clusters(report, [*items, *others], batch, pairs, {i.id for i in items})
        together = [article(i, SAME_TIME) for i in (*items, *others)]
        report.pairs_same_time = score_pairs(items, cluster_ids(together), pairs)
    return report


SAME_TIME = datetime.fromisoformat("2026-11-24T07:00:00+00:00")


def cluster_ids(articles: list[Article]) -> dict[str, int]:
    """Article key -> number of its cluster."""
    from digest.cluster import cluster

    return {key: n for n, c in enumerate(cluster(articles)) for key in c.keys}


def score_pairs(
    items: list[Item], where: dict[str, int], pairs: list[tuple[str, str, bool]]
) -> dict[str, Score]:
    lang = {i.id: i.lang for i in items}
    scores = {"within": Score(), "across": Score(), "all": Score()}
    for a, b, same in pairs:
        predicted = where[a] == where[b]
        scores["within" if lang[a] == lang[b] else "across"].add(same, predicted)
        scores["all"].add(same, predicted)
    return scores


def score_clusters(
    report: Report,
    items: list[Item],
    articles: list[Article],
    pairs: list[tuple[str, str, bool]],
    scored: set[str] | None = None,
) -> None:
    """Cluster `articles` and score the labelled pairs; co-clustered pairs not labelled are
    listed when one of them is in `scored` (default: all)."""
    from digest.cluster import cluster

    title = {i.id: i.title for i in items}
    clusters = cluster(articles)
    where = {key: n for n, c in enumerate(clusters) for key in c.keys}
    report.clusters = sum(1 for c in clusters if len(c.keys) > 1)
    report.pairs = score_pairs(items, where, pairs)
    labelled = {frozenset((a, b)) for a, b, _ in pairs}
    for a, b, same in pairs:
        if same != (where[a] == where[b]):
            report.pair_misses.append((a, b, same, f"{title[a][:50]!r} / {title[b][:50]!r}"))
    for c in clusters:
        keys = sorted(c.keys)
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                if frozenset((a, b)) not in labelled and (
                    scored is None or a in scored or b in scored
                ):
                    report.unlabelled_pairs.append((a, b))


def fmt(s: Score) -> str:
    return (
        f"P {s.precision:5.3f}  R {s.recall:5.3f}  F1 {s.f1:5.3f}  (tp {s.tp} fp {s.fp} fn {s.fn})"
    )


def macro(scores: dict[str, Score]) -> float:
    return sum(s.f1 for s in scores.values()) / len(scores)


def summary(report: Report, verbose: bool = False) -> str:
    """The main set's report (with -v: its classification and pair errors)."""
    out = [f"items: {sum(report.items_per_lang.values())}", ""]
    out += classification_lines(report)
    if report.pairs:
        out += ["", "clustering, labelled pairs (feed dates; written and undated items undated):"]
        out += pair_lines(report, MAIN_PAIRS)
    fails = report.failures()
    out += ["", "targets: " + ("met" if not fails else "NOT met: " + "; ".join(fails))]
    if verbose:
        out += error_lines(report, load_items())
    return "\n".join(out)


def heldout_summary(report: Report, verbose: bool = False) -> str:
    """The held-out set's report, headed as such (with -v: its errors)."""
    rule = "=" * len(HELDOUT_HEADING)
    out = [
        "",
        rule,
        HELDOUT_HEADING,
        rule,
        f"items: {sum(report.items_per_lang.values())} ({', '.join(HELDOUT_FILES)});"
        f" pairs: {HELDOUT_PAIRS}",
        "",
    ]
    out += classification_lines(report)
    if report.pairs:
        out += [
            "",
            "clustering, labelled pairs (held-out items at their written dates, in one batch with",
            f"the real feed items of {', '.join(BACKGROUND)}: a real batch holds other news too):",
        ]
        out += pair_lines(report, HELDOUT_PAIRS)
        alone = sum(report.items_per_lang.values())
        out.append(f"  the held-out items alone in a batch ({alone} items; IDF from them only):")
        out += score_lines(report.pairs_alone)
    fails = report.failures()
    out += [
        "",
        f"held-out targets (the same: macro-F1 >= {TARGET_MACRO_F1},"
        f" language macro-F1 >= {TARGET_LANG_F1}, pair P >= {TARGET_PAIR_PRECISION},"
        f" R >= {TARGET_PAIR_RECALL}): " + ("met" if not fails else "NOT met: " + "; ".join(fails)),
    ]
    if verbose:
        out += error_lines(report, load_items(DATA, (*HELDOUT_FILES, *BACKGROUND)))
    return "\n".join(out)


def classification_lines(report: Report) -> list[str]:
    out = ["per theme (all languages):"]
    for t, s in report.per_theme.items():
        out.append(f"  {t:18} {fmt(s)}")
    out.append(f"  {'macro-F1':18} {report.macro_f1:5.3f}  (target {TARGET_MACRO_F1})")
    for kind, scores in report.per_set.items():
        label = "items.jsonl (real feeds)" if kind == "feeds" else "extra.jsonl (written)"
        out.append(f"  macro-F1 on {label}: {macro(scores):5.3f}")
    out += [
        "",
        "per language (macro-F1 over the themes with positives there; FP = false positives",
        "for themes without positives in that language):",
    ]
    for lang, scores in report.per_lang.items():
        f1 = report.lang_f1(lang)
        head = f"macro-F1 {f1:5.3f}" if f1 is not None else "no positives  "
        out.append(
            f"  {lang} ({report.items_per_lang[lang]:3} items)  {head}"
            f"   FP without positives: {report.lang_false_positives(lang)}"
        )
        for t, s in scores.items():
            if s.positives:
                out.append(f"      {t:18} {fmt(s)}")
            elif s.fp:
                out.append(f"      {t:18} FP {s.fp}")
    return out


def pair_lines(report: Report, pairs_name: str) -> list[str]:
    """Pair precision/recall within / across languages / all, dated and at one time."""
    out = []
    for kind, s in report.pairs.items():
        out.append(
            f"  {kind:7} P {s.precision:5.3f}  R {s.recall:5.3f}"
            f"  (tp {s.tp} fp {s.fp} fn {s.fn}; {s.positives} same pairs)"
        )
    out.append("  the same, every item published at one time:")
    out += score_lines(report.pairs_same_time)
    out.append(
        f"  clusters of 2+ items: {report.clusters};"
        f" co-clustered pairs not in {pairs_name}: {len(report.unlabelled_pairs)}"
    )
    return out


def score_lines(scores: dict[str, Score]) -> list[str]:
    """Pair precision/recall per kind (within, across, all), a line each."""
    return [
        f"  {kind:7} P {s.precision:5.3f}  R {s.recall:5.3f}  (tp {s.tp} fp {s.fp} fn {s.fn})"
        for kind, s in scores.items()
    ]


def error_lines(report: Report, items: list[Item]) -> list[str]:
    """The -v lists: classification errors, pair errors, co-clustered unlabelled pairs."""
    out = ["", "classification errors:"]
    for m in report.misses:
        out.append(f"  {m.id} [{m.lang}] expected {m.expected} got {m.got}: {m.title[:70]!r}")
    if report.pairs:
        out += ["", "pair errors (same=True missed, same=False merged):"]
        for a, b, same, titles in report.pair_misses:
            out.append(f"  {'MISSED' if same else 'MERGED'} {a} ~ {b}: {titles}")
        out += ["", "co-clustered, unlabelled:"]
        title = {i.id: i.title for i in items}
        for a, b in report.unlabelled_pairs:
            out.append(f"  {a} ~ {b}: {title[a][:50]!r} / {title[b][:50]!r}")
    return out


def main() -> None:
    if not DATA.exists():
        print(f"{DATA} not present; nothing to measure")
        return
    verbose = "-v" in sys.argv[1:]
    try:
        import digest.cluster  # noqa: F401

        with_clusters = True
    except ImportError:
        with_clusters = False
    print(summary(evaluate(with_clusters=with_clusters), verbose))
    heldout = evaluate_heldout(with_clusters=with_clusters)
    if heldout is not None:
        print(heldout_summary(heldout, verbose))


if __name__ == "__main__":
    main()
