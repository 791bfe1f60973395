"""Standards learned on features in one time unit refuse features in the other (issue: R = 5 for everyone)."""

import warnings

import pytest

import tierkit as tk
from tierkit.errors import DataError


@pytest.fixture(scope="module")
def daily_and_weekly():
    tx = tk.load_cdnow(sample=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the later transactions are left out, as intended
        return (tk.rfm_features(tx, as_of="1997-09-30", time_unit="D"),
                tk.rfm_features(tx, as_of="1997-09-30", time_unit="W"))


@pytest.mark.parametrize("make", [tk.RFMScorer, tk.LifecycleStager, tk.ABCClassifier,
                                  lambda: tk.Segmentation(clusters=False)])
def test_features_of_the_other_unit_are_refused_in_one_line(daily_and_weekly, make):
    daily, weekly = daily_and_weekly
    fitted = make().fit(daily)
    with pytest.raises(DataError, match=r"the features are in time unit 'W' but the standards were learned on "
                                        r"features in 'D'; compute them with rfm_features\(\.\.\., time_unit='D'\)"):
        fitted.transform(weekly)
    assert len(fitted.transform(daily)) == len(daily)
    # a table that does not say its unit is graded as before (a served model's JSON rows, say)
    plain = daily.copy()
    plain.attrs = {}
    assert fitted.transform(plain).equals(fitted.transform(daily))
