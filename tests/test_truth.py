"""The demand model recovers the demand the generator planted: events counted once despite their
duplicate traces, classified right, valued within tolerance."""

from __future__ import annotations

import pytest

from tools.truth import TruthScore, end_to_end

pytestmark = pytest.mark.slow  # a whole job on the sample


@pytest.fixture(scope="module")
def truth_score(tmp_path_factory) -> TruthScore:
    """Generated, run and scored by `end_to_end`, the function `make eval` prints."""
    return end_to_end(tmp_path_factory.mktemp("truth"), rows=2500, seed=23, weeks=3, stores=4)


def test_most_planted_events_are_recovered_exactly(truth_score):
    assert truth_score.recovery >= RECOVERY


def test_traces_of_different_moments_are_never_merged(truth_score):
    assert truth_score.merged <= 0.01 * truth_score.truth_events


def test_few_demand_traces_are_lost_and_few_events_come_from_noise(truth_score):
    assert truth_score.lost_traces <= LOST_TRACES * truth_score.truth_events
    assert truth_score.from_noise <= NOISE * truth_score.truth_events


def test_recovered_events_are_classified_right(truth_score):
    assert truth_score.classification_accuracy >= CLASSIFIED


def test_priced_revenue_of_every_event_is_within_two_percent_of_the_truth(truth_score):
    """Every event scored, not only the exactly recovered ones: lost revenue (priced from a sku or a
    sale, net of substitutes) against the truth's revenue of the events a trace prices."""
    assert truth_score.revenue_error <= 0.02


def test_estimates_are_reported_apart_from_lost_revenue(truth_score):
    """Events no trace prices are valued by estimate, beside lost revenue and never inside it;
    where the truth knows what such an event was worth, the estimate is of that order."""
    assert truth_score.estimated_revenue_eur > 0
    truth, estimate = truth_score.estimate_check_eur
    assert truth > 0
    assert 0.7 <= estimate / truth <= 1.3, (truth, estimate)


def test_event_count_is_close_to_the_truth(truth_score):
    assert (
        abs(truth_score.predicted_events - truth_score.truth_events)
        <= EVENT_COUNT * truth_score.truth_events
    )


# Measured on this dataset with extract-1.1.0: recovery 0.971, 5 lost traces, 0 events from noise,
# 1 merge, classification 0.989, revenue error 0.2%, 1317 events predicted for 1292 planted.
# With extract-1.2.0 and the generator's 13-family vocabulary (so not quite the same dataset):
# recovery 0.992 (1287 of 1298), 1 lost trace, 0 from noise, 0 merges, 1308 events predicted.
# Since the generator writes like people do (issue 13: 80% of its demand notes use words or
# constructions beyond the extractor's lexicons), this measures reading, not recall of the
# project's own words, and the figures dropped. With extract-2.0.0 (rules + the learned polarity
# model) on this dataset: recovery 0.913 (1180 of 1292), 18 lost traces, 0 merges, 94 split,
# classification 0.919, 1374 events predicted; the old extractor on the same kind of text: recovery
# 0.897, classification 0.923. With extract-2.1.0 (more context features, more seeds): recovery
# 0.919, 17 lost traces, classification 0.920, 1369 events predicted (measured again on the same
# commit later: recovery 0.909, 22 lost traces, classification 0.916). With extract-2.2.0 (training
# labels aligned on whole words, so "size s" is no longer labelled by the s of "resist"; no English
# word fuzzed into an attribute; C 0.5): recovery 0.908, 23 lost traces, classification 0.922.
# With extract-2.3.0 (sizes as reviewers write them: "buy m", "size eight", "0r", "the pm"):
# recovery 0.912 (1178 of 1292), 23 lost traces, classification 0.920 (2.2.0 measured alongside:
# 0.910, 23, 0.921).
# The bounds below keep those figures from falling further.
RECOVERY = 0.90
LOST_TRACES = 0.02
NOISE = 0.01
CLASSIFIED = 0.90
EVENT_COUNT = 0.08
