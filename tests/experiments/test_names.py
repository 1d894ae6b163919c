"""Tests of ``splitalloc.experiments.names``."""

from __future__ import annotations

from splitalloc import config
from splitalloc.experiments import names


def test_every_framework_has_the_papers_label():
    for f in (*names.ALL_SPLITTING_FRAMEWORKS, *names.ABLATION_FRAMEWORKS, "non-splitting"):
        assert names.PAPER_NAMES[f]


def test_period_slots_is_a_day_on_geant_and_a_week_on_kaggle():
    day = 24 * 60 // int(config.value("geant_slot_minutes"))
    assert names.period_slots("geant") == names.period_slots("geant-may") == day == 96
    assert names.period_slots("kaggle") == 7
