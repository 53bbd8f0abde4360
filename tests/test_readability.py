"""Mozilla readability's test pages, read as a folder source: title and first sentence.

The measurement lives in bench/readability.py (run it for a row per page and timings);
this test holds the share of pages with both right to the 90% target.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from tests.conftest import ROOT, SHARED, need_shared

CORPUS = SHARED / "realworld" / "articles" / "readability"


def bench() -> ModuleType:
    name = "bench_readability"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "readability.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def test_readability_pages_give_title_and_first_sentence() -> None:
    need_shared(CORPUS)
    readability = bench()
    result = readability.measure(CORPUS)
    assert result.pages, f"no page directories in {CORPUS}"
    failures = "\n".join(f"  {p.name}: {p.reason}" for p in result.failures)
    report = f"readability pages: {result.summary()}\n{failures}"
    print(report)
    assert result.share >= readability.TARGET, report
