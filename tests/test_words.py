import re
import string

import pytest

from tierkit import words
from tierkit.tiers.abc_tiers import ABC_TIERS
from tierkit.tiers.schemes import tier_schemes

CJK = re.compile(r"[\u4e00-\u9fff]")
ALL_TIERS = [(f"{column}[{abc}]", tiers) for abc in ABC_TIERS for column, tiers in tier_schemes(abc).items()]


def placeholders(text: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("scheme, tiers", ALL_TIERS, ids=[name for name, _ in ALL_TIERS])
def test_every_tier_has_both_languages_and_a_strategy_in_each(scheme, tiers):
    keys = [t.key for t in tiers]
    assert len(keys) == len(set(keys)), f"{scheme}: duplicate keys"
    for t in tiers:
        assert t.en.strip() and t.strategy_en.strip(), f"{scheme}.{t.key}: English missing"
        assert CJK.search(t.zh) and CJK.search(t.strategy_zh), f"{scheme}.{t.key}: Chinese missing"
        assert not CJK.search(t.en + t.strategy_en), f"{scheme}.{t.key}: Chinese in the English text"


@pytest.mark.parametrize("key", sorted(words.TERMS))
def test_every_term_has_both_languages_with_the_same_placeholders(key):
    en, zh = words.TERMS[key]
    assert en.strip() and zh.strip()
    assert not CJK.search(en), f"{key}: Chinese in the English text"
    assert placeholders(en) == placeholders(zh), f"{key}: placeholders differ"


def test_tier_tuples_live_only_in_the_vocabulary():
    """The estimator modules use the vocabulary's tuples, not copies of them."""
    from tierkit.tiers import clv_cs, lifecycle, rfm_classes, rfm_segments, value_potential

    assert rfm_classes.RFM_CLASSES is words.RFM_CLASSES
    assert rfm_segments.RFM_SEGMENTS is words.RFM_SEGMENTS
    assert lifecycle.LIFECYCLE_STAGES is words.LIFECYCLE_STAGES
    assert clv_cs.CLV_CS_CLASSES is words.CLV_CS_CLASSES
    assert value_potential.VALUE_POTENTIAL_TIERS is words.VALUE_POTENTIAL_TIERS
    assert ABC_TIERS is words.ABC_TIERS


def test_an_unknown_language_is_refused():
    with pytest.raises(Exception, match="lang: 'fr' is not supported"):
        words.term("customers", "fr")


@pytest.mark.parametrize("feature", sorted(words.CLUSTER_BANDS))
def test_cluster_band_words_in_both_languages_all_distinct(feature):
    bands = words.CLUSTER_BANDS[feature]
    comparatives = words.CLUSTER_COMPARATIVES[feature]
    assert len(bands) == 5 and len(comparatives) == 2
    for t in (*bands, *comparatives):
        assert "-" not in t.key and t.en.strip() and CJK.search(t.zh) and not CJK.search(t.en + t.strategy_en)
    for lang in ("en", "zh"):  # distinct words give distinct names and strategies
        assert len({t.label(lang) for t in (*bands, *comparatives)}) == 7
        if feature in ("recency", "frequency", "monetary"):
            assert len({t.strategy(lang) for t in bands}) == 5 and all(t.strategy(lang) for t in bands)


@pytest.mark.parametrize("key", sorted(words.HEADERS))
def test_every_header_has_an_english_and_a_chinese_label(key):
    en, zh = words.HEADERS[key]
    assert en.strip() and CJK.search(zh) and not CJK.search(en), key


def test_header_labels_read_back_to_exactly_one_key():
    labels = [label for pair in words.HEADERS.values() for label in pair]
    assert len(labels) == len(set(labels)) + sum(en == zh for en, zh in words.HEADERS.values())
    assert not set(labels) & set(words.HEADERS), "a label is also a column key"
    for lang in ("en", "zh"):
        named = words.header_labels(words.HEADERS, lang)
        assert words.header_keys(named.values()) == {v: k for k, v in named.items()}


def test_every_output_column_of_the_estimators_has_a_header():
    """The columns of Segmentation.get_feature_names_out (every step on) and of add_labels all have headers."""
    from tierkit.evaluation.summary import SUMMARY_SCHEMES
    from tierkit.features.definition import FEATURE_COLUMNS, HOLDOUT_COLUMNS
    from tierkit.segmentation.chain import SURVEY_COLUMNS

    columns = ["customer_id", *FEATURE_COLUMNS, *HOLDOUT_COLUMNS, "profit", *SURVEY_COLUMNS, "cs_imputed",
               "expected_purchases", "p_alive", "expected_spend", "clv", "net_clv", "expected_purchases_low",
               "expected_purchases_high", "clv_low", "clv_high", "net_clv_low", "net_clv_high",
               "r_score", "f_score", "m_score", "rfm_cell", "rfm_score", "r_high", "f_high", "m_high", "fm_score",
               "cs_level", "clv_level", "cluster", *SUMMARY_SCHEMES,
               *(f"{c}_{w}" for c in SUMMARY_SCHEMES for w in ("label", "strategy"))]
    assert set(columns) <= set(words.HEADERS), sorted(set(columns) - set(words.HEADERS))


def test_the_messages_of_errors_and_warnings_are_the_one_catalogue():
    """The catalogue of errors and warnings is named here too; tests/test_messages.py checks it."""
    from tierkit import messages

    assert words.MESSAGES is messages.MESSAGES and not hasattr(words, "translate")


def test_the_catalogue_still_answers_at_its_former_path():
    from tierkit.tiers import vocabulary

    assert vocabulary.HEADERS is words.HEADERS and vocabulary.term is words.term and vocabulary.Tier is words.Tier
    assert "HEADERS" in dir(vocabulary)
