import numpy as np
import pandas as pd
import pytest

from tierkit.data.surveys import (
    cs_index,
    customer_satisfaction,
    nps,
    nps_by_tier,
    nps_group,
    read_survey,
    survey_scale,
)
from tierkit.datasets import synthetic_survey
from tierkit.errors import DataError, TierkitError


def write(tmp_path, text, name="survey.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_read_survey_keeps_text_ids_and_float_scores(tmp_path):
    path = write(tmp_path, "customer_id,date,score\n007,2021-03-01,9\n008,2021-03-02,0\n")
    survey = read_survey(path)
    assert survey["customer_id"].tolist() == ["007", "008"]
    assert survey["score"].tolist() == [9.0, 0.0]
    assert survey.attrs["scale"] == survey_scale("nps")


@pytest.mark.parametrize("scale, text, message", [
    ("nps", "a,2021-01-01,11\n", "line 2: value '11' is outside the nps 0-10 scale"),
    ("nps", "a,2021-01-01,5\nb,2021-01-01,-1\n", "line 3: value '-1' is outside the nps 0-10 scale"),
    ("csat", "a,2021-01-01,0\n", "line 2: value '0' is outside the csat 1-5 scale"),
    ("1-7", "a,2021-01-01,8\n", "line 2: value '8' is outside the 1-7 scale"),
    ("nps", "a,2021-01-01,great\n", "line 2: value 'great' is not a number"),
    ("nps", "a,2021-01-01,\n", "line 2: value empty is not a number"),
    ("nps", "a,someday,5\n", "column 'date': no value such as 'someday' is a date in a known format"),
    ("nps", ",2021-01-01,5\n", "line 2: empty customer id"),
])
def test_bad_scores_are_one_line_errors_naming_row_and_value(tmp_path, scale, text, message):
    path = write(tmp_path, "customer_id,date,score\n" + text)
    with pytest.raises(DataError) as err:
        read_survey(path, scale=scale)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_column_and_missing_file(tmp_path):
    with pytest.raises(DataError, match="missing column 'score'; .* columns present: customer_id, date, nps"):
        read_survey(write(tmp_path, "customer_id,date,nps\na,2021-01-01,3\n"))
    with pytest.raises(DataError, match="no such file"):
        read_survey(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="no survey answers"):
        read_survey(write(tmp_path, "customer_id,date,score\n"))


def test_custom_column_names(tmp_path):
    path = write(tmp_path, "cust,when,rating\nx,2021-01-01,4\n")
    survey = read_survey(path, scale="csat", customer_id="cust", date="when", score="rating")
    assert survey.columns.tolist() == ["customer_id", "date", "score"]


@pytest.mark.parametrize("given, low, high", [("nps", 0, 10), ("CSAT", 1, 5), ("1-7", 1, 7), ((0, 100), 0, 100),
                                               ("0-10", 0, 10)])
def test_scales(given, low, high):
    scale = survey_scale(given)
    assert (scale.low, scale.high) == (low, high)


@pytest.mark.parametrize("bad", ["stars", "5-1", (3, 3), "1-", None])
def test_bad_scale_is_rejected(bad):
    with pytest.raises(TierkitError, match="scale"):
        survey_scale(bad)


def test_cs_index_is_linear_on_the_scale():
    # NPS 7 and CSAT 4 are the default "high satisfaction" cut-offs of the CLV-CS grid.
    assert cs_index([0, 7, 10], "nps").tolist() == [0.0, 70.0, 100.0]
    assert cs_index([1, 4, 5], "csat").tolist() == [0.0, 75.0, 100.0]
    assert cs_index([1, 4, 7], "1-7").tolist() == [0.0, 50.0, 100.0]


def test_nps_by_hand():
    # 2 promoters (10, 9), 2 passives (8, 7), 2 detractors (6, 0) -> 0
    assert nps([10, 9, 8, 7, 6, 0]) == 0.0
    # 3 promoters of 4, 1 detractor -> 75 - 25
    assert nps([10, 10, 10, 0]) == 50.0
    assert nps([6, 5]) == -100.0
    assert np.isnan(nps([]))
    with pytest.raises(TierkitError):
        nps([11])


def test_nps_group_boundaries():
    assert nps_group([9, 8.99, 7, 6.99, 0]).tolist() == ["promoter", "passive", "passive", "detractor", "detractor"]


def test_nps_by_tier_counts_one_voice_per_rated_customer():
    table = pd.DataFrame({"tier": ["a", "a", "a", "a", "b", "b"], "cs_score": [10, 9, 7, 2, 3, np.nan]})
    out = nps_by_tier(table, "tier")
    assert out.loc["a", "respondents"] == 4 and out.loc["a", "nps"] == 25.0
    assert out.loc["b", "respondents"] == 1 and out.loc["b", "nps"] == -100.0


def survey_frame():
    return pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "c"],
        "date": pd.to_datetime(["2020-01-10", "2021-02-01", "2021-03-01", "2021-03-15", "2021-05-01"]),
        "score": [2, 8, 10, 6, 9],
    })


def test_latest_answer_per_customer():
    out = customer_satisfaction(survey_frame())
    assert out["cs_score"].to_dict() == {"a": 10.0, "b": 6.0, "c": 9.0}
    assert out["cs_answers"].to_dict() == {"a": 3, "b": 1, "c": 1}
    assert out["nps_group"].to_dict() == {"a": "promoter", "b": "detractor", "c": "promoter"}


def test_mean_within_a_window_up_to_as_of():
    # as_of 2021-04-01 leaves c out; a 365-day window leaves a's 2020 answer out: mean(8, 10) = 9.
    out = customer_satisfaction(survey_frame(), how="mean", window=365, as_of="2021-04-01")
    assert out["cs_score"].to_dict() == {"a": 9.0, "b": 6.0}
    assert out.loc["a", "cs_index"] == 90.0
    # without a window the 2020 answer counts: mean(2, 8, 10)
    assert customer_satisfaction(survey_frame(), how="mean", as_of="2021-04-01").loc["a", "cs_score"] == 20 / 3


def test_csat_has_no_nps_group():
    out = customer_satisfaction(survey_frame().assign(score=[1, 2, 3, 4, 5]), scale="csat")
    assert "nps_group" not in out.columns
    assert out.loc["b", "cs_index"] == 75.0


@pytest.mark.parametrize("kwargs, message", [({"how": "median"}, "how"), ({"window": 0}, "window"),
                                             ({"window": 1.5}, "window"), ({"as_of": "soon"}, "as_of")])
def test_customer_satisfaction_bad_parameters(kwargs, message):
    with pytest.raises(TierkitError, match=message):
        customer_satisfaction(survey_frame(), **kwargs)


def test_synthetic_survey_is_seeded_labelled_and_on_scale():
    ids = [f"{i:05d}" for i in range(2000)]
    a = synthetic_survey(ids, seed=3)
    assert a.equals(synthetic_survey(ids, seed=3))
    assert not a.equals(synthetic_survey(ids, seed=4))
    assert a.attrs["synthetic"] is True
    assert a["score"].between(0, 10).all() and (a["score"] == a["score"].round()).all()
    share = a["customer_id"].nunique() / len(ids)
    assert 0.55 < share < 0.65  # response_rate 0.6
    csat = synthetic_survey(ids, seed=3, scale="csat")
    assert csat["score"].between(1, 5).all()
    # It reads back through the same checks as a real survey.
    assert len(customer_satisfaction(a)) == a["customer_id"].nunique()
