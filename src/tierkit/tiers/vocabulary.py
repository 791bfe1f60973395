"""Names and strategies of tiers in English and Chinese.

Every scheme keeps a stable machine key per tier (``important_value``, ``high_end`` ...) in its
output column; labels and strategies are looked up from the key in the chosen language, so a
``--lang`` switch never changes a key.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tierkit.errors import TierkitError

LANGS = ("en", "zh")


@dataclass(frozen=True)
class Tier:
    """One tier of a scheme: its key, its names and the action it calls for."""

    key: str
    en: str
    zh: str
    strategy_en: str = ""
    strategy_zh: str = ""

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def strategy(self, lang: str) -> str:
        return self.strategy_zh if lang == "zh" else self.strategy_en


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise TierkitError(f"lang: {lang!r} is not supported; expected one of {', '.join(LANGS)}")
    return lang


def tier_table(tiers) -> pd.DataFrame:
    """A scheme's tiers as a table (key, English, Chinese, strategies), for docs and reports.

    Examples
    --------
    >>> tier_table([Tier("a", "A", "甲", "do x", "做x")]).loc["a", "zh"]
    '甲'
    """
    return pd.DataFrame([t.__dict__ for t in tiers]).set_index("key")


def labels_for(keys: pd.Series, tiers, lang: str, what: str = "label") -> pd.Series:
    """Map a column of keys to labels (``what="label"``) or strategies (``"strategy"``).

    Keys that are missing (``NaN``) stay missing.

    Examples
    --------
    >>> labels_for(pd.Series(["a"]), [Tier("a", "A", "甲")], "zh").tolist()
    ['甲']
    """
    check_lang(lang)
    lookup = {t.key: (t.label(lang) if what == "label" else t.strategy(lang)) for t in tiers}
    return keys.map(lookup)
