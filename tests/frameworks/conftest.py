"""Fixtures of the framework tests: the hand-built scenario and one run of every framework on it
(computed once per session and shared by the test modules)."""

import pytest

from hand_scenario import TINY, hand_scenario
from splitalloc.frameworks import FRAMEWORKS, run_framework


@pytest.fixture(scope="session")
def scenario():
    return hand_scenario()


@pytest.fixture(scope="session")
def runs(scenario):
    return {name: run_framework(name, scenario, seed=3, settings=TINY) for name in FRAMEWORKS}
