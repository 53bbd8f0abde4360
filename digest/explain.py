"""`digest explain ARTICLE`: why an article lands where it does, from stored data only.

Reads; changes nothing. For each theme: its score against its threshold and every term
that matched, with where (title, text or the source's default). For the story: the other
articles it was grouped with. For each list: the section it goes to in the next issue, the
story it is folded into, or why it is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from digest import cluster as cluster_stage
from digest import issue as issue_stage
from digest import pipeline, store
from digest.config import Config
from digest.errors import DigestError
from digest.models import Article, Classification, ThemeMatch
from digest.themes import explain as theme_scores

NEIGHBOURS = 5_000  # articles compared at most when looking for the same story


@dataclass(frozen=True, slots=True)
class ThemeScore:
    theme_id: str
    score: int
    min_score: int
    match: ThemeMatch

    @property
    def applies(self) -> bool:
        return self.score >= self.min_score


@dataclass(frozen=True, slots=True)
class ListFate:
    list_id: str
    outcome: str  # "in", "also", "left out", "sent", "not a candidate"
    detail: str


@dataclass(frozen=True, slots=True)
class Explanation:
    article: Article
    themes: tuple[ThemeScore, ...]
    classification: Classification  # what the issue uses (source default included)
    story: tuple[Article, ...]  # the others told the same story, lead first
    story_why: tuple[str, ...]  # how the story was joined, pair by pair
    lists: tuple[ListFate, ...]


def explain(config: Config, engine: Engine, ref: str, now: datetime) -> Explanation:
    article = store.find_article(engine, ref)
    if article is None:
        raise DigestError(
            f"no stored article {ref!r}: give an id, a URL or a key from 'digest articles'"
        )
    by_id = {t.id: t for t in config.themes}
    scores = tuple(
        ThemeScore(m.theme_id, m.score, by_id[m.theme_id].min_score, m)
        for m in sorted(theme_scores(article, config.themes), key=lambda m: -m.score)
    )
    story, why = _story(config, engine, article)
    fates = tuple(_fate(config, engine, lst.id, article, now) for lst in config.lists)
    return Explanation(article, scores, pipeline.classify_for(config, article), story, why, fates)


def _story(
    config: Config, engine: Engine, article: Article
) -> tuple[tuple[Article, ...], tuple[str, ...]]:
    window = config.settings.story_window
    when = article.published or article.first_seen
    if not window or when is None:
        return (), ()
    span = timedelta(seconds=window)
    near = store.articles_between(engine, when - span, when + span, NEIGHBOURS)
    if all(a.key != article.key for a in near):
        near.append(article)
    why = cluster_stage.explain(near, article.key, window=span, terms=config.settings.news_terms)
    by_key = {a.key: a for a in near}
    others = tuple(by_key[k] for k in why.cluster.keys if k != article.key)
    return others, why.lines() if others else why.apart()


def _fate(
    config: Config, engine: Engine, list_id: str, article: Article, now: datetime
) -> ListFate:
    sent = store.issue_number_of(engine, list_id, article.id or 0)
    if sent is not None:
        return ListFate(list_id, "sent", f"already in issue {sent}")
    p = pipeline.plan(config, engine, list_id, now)
    for section in p.issue.sections:
        for pos, item in enumerate(section.items, 1):
            if item.article.key == article.key:
                return ListFate(list_id, "in", f"section {section.title}, story {pos}")
            if any(a.key == article.key for a in item.also):
                return ListFate(
                    list_id,
                    "also",
                    f"section {section.title}: also reported by, under “{item.article.title}”",
                )
    for left in p.left_out:
        if left.article.key == article.key:
            return ListFate(list_id, "left out", left.reason)
    lst = config.get_list(list_id)
    return ListFate(
        list_id,
        "not a candidate",
        f"dated before the list's window (max_age_days = {lst.max_age_days}, since "
        f"{issue_stage.since(lst, now):%Y-%m-%d})",
    )
