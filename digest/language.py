"""Language of an article: lingua, limited to the languages the config names.

Feeds declare a language for the whole feed (`<language>`, `xml:lang`), and saved pages in
`<html lang>`; both are often wrong for single items (a Korean outlet's English edition
declaring "ko", a blog that never changed its template's "en-US"). So the text decides when
lingua is confident, and the declaration breaks ties: it is kept when it is one of the
detected candidates within MARGIN of the best.

Lingua runs in low-accuracy mode (trigrams only): about 16 MB for five languages instead of
about 150 MB, and as accurate on a title plus a paragraph, which is what it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

SAMPLE_CHARS = 600  # title, excerpt and the start of the text
MARGIN = 0.25  # a declared language this close to the best candidate is kept
MIN_CONFIDENCE = 0.5  # below this, with nothing declared, the language stays unknown


def supported(code: str) -> bool:
    """Whether lingua knows the ISO 639-1 code."""
    try:
        IsoCode639_1.from_str(code.lower())
    except ValueError:
        return False
    return True


@lru_cache(maxsize=8)
def _detector(codes: tuple[str, ...]) -> LanguageDetector:
    isos = [IsoCode639_1.from_str(c) for c in codes]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*isos).with_low_accuracy_mode().build()


def detect(
    title: str,
    text: str,
    languages: Sequence[str],
    declared: str | None = None,
) -> str | None:
    """The ISO 639-1 code of the article's language among `languages`, or None.

    With one language configured, or none, the declared language is kept as it is.
    """
    codes = tuple(sorted({c.lower() for c in languages if supported(c)}))
    declared = declared.lower() if declared else None
    if len(codes) < 2:
        return declared
    sample = f"{title}\n{text}"[:SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return declared
    ranked = _detector(codes).compute_language_confidence_values(sample)
    if not ranked:
        return declared
    best = ranked[0]
    code = best.language.iso_code_639_1.name.lower()
    if declared and declared != code:
        for c in ranked:
            if c.language.iso_code_639_1.name.lower() == declared:
                if best.value - c.value <= MARGIN:
                    return declared
                break
    if best.value >= MIN_CONFIDENCE:
        return code
    return declared
