"""News terms: words news in several languages uses for one thing (martial law, loi
martiale, военное положение, 비상계엄), read from digest/data/news_terms.toml and from a
user's file of the same format (`digest.news_terms`). digest/cluster.py matches them.

This module only reads and checks the files (no numpy), so loading a config stays cheap.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

NEWS_TERMS = Path(__file__).parent / "data" / "news_terms.toml"
_LANG = re.compile(r"[a-z]{2,3}")
_WORD = re.compile(r"[^\W_]")


@lru_cache(maxsize=8)
def news_table(extra: Path | None = None) -> dict[str, dict[str, tuple[str, ...]]]:
    """Concept -> language -> terms: digest/data/news_terms.toml, with the terms of `extra`
    (a file in the same format) added to them. Raises ValueError for a malformed file."""
    table = _read_terms(NEWS_TERMS)
    if extra is not None:
        for concept, terms in _read_terms(extra).items():
            mine = table.setdefault(concept, {})
            for lang, words in terms.items():
                mine[lang] = (*mine.get(lang, ()), *words)
    return table


def _read_terms(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    data, problem = _load(path)
    if problem:
        raise ValueError(problem)
    return {c: {lang: tuple(t) for lang, t in terms.items()} for c, terms in data.items()}


def news_terms_problem(path: Path) -> str | None:
    """What is wrong with a file of news terms, in one line naming the file and the place
    (None when it is fine): a TOML table per concept, each key a language code and each
    value a list of terms."""
    return _load(path)[1]


def _load(path: Path) -> tuple[dict[str, Any], str | None]:
    """The file's tables, and what is wrong with it (see news_terms_problem)."""
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        return {}, f"{path}: cannot read it ({e.strerror or e})"
    except tomllib.TOMLDecodeError as e:
        return {}, f"{path}: not valid TOML ({e})"
    for concept, terms in data.items():
        if not isinstance(terms, dict):
            return data, f'{path}: [{concept}] must be a table of languages, like en = ["term"]'
        for lang, words in terms.items():
            if not _LANG.fullmatch(lang):
                return data, f"{path}: [{concept}] {lang!r} is not a language code (en, fr, ko...)"
            if not (isinstance(words, list) and all(isinstance(w, str) for w in words)):
                return data, f"{path}: [{concept}] {lang} must be a list of terms (strings)"
            for w in words:
                if not _WORD.search(w):
                    return data, f"{path}: [{concept}] {lang}: {w!r} has no word to match"
    return data, None
