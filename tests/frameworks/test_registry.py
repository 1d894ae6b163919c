"""The framework registry: names defined once, one interface, the experiment tuples derived from it."""

import inspect
import subprocess
import sys

import pytest

from splitalloc.experiments import names
from splitalloc.frameworks import FRAMEWORKS, NAIVE_FRAMEWORKS, REGISTRY, framework, names_with
from splitalloc.frameworks.registry import Framework


def test_names_are_unique_and_every_runner_has_the_interface():
    assert len(set(FRAMEWORKS)) == len(FRAMEWORKS) == len(REGISTRY) == 12
    for record in REGISTRY:
        params = list(inspect.signature(record.runner).parameters)
        assert params == ["scenario", "data", "settings", "seed", "progress"], record.name
        assert record.runner.__module__ == f"splitalloc.frameworks.{record.family}"
        if record.check is not None:
            assert list(inspect.signature(record.checker).parameters) == ["scenario", "settings"]


def test_lookup_and_bad_records_name_the_bad_value():
    assert framework("non-splitting").non_splitting and not framework("offline").non_splitting
    with pytest.raises(ValueError, match="unknown framework 'arima'"):
        framework("arima")
    with pytest.raises(ValueError, match="unknown family 'lp'"):
        Framework("x", "lp", "run", "paper", "X", "x")
    with pytest.raises(ValueError, match="unknown role 'extra'"):
        Framework("x", "naive", "run", "extra", "X", "x")
    with pytest.raises(ValueError, match="unknown role"):
        names_with(role="extra")


def test_experiment_names_are_derived_from_the_registry():
    """The tuples the experiments use are the registry's, in the order they always had."""
    assert FRAMEWORKS == ("offline", "two-stage-lstm", "two-stage-bilstm", "objective-driven",
                          "non-splitting", "two-stage-persistence", "two-stage-seasonal",
                          "two-stage-quantile", "objective-driven-regret", "objective-driven-warm",
                          "objective-driven-frozen", "two-stage-fitted")
    assert names.PAPER_FRAMEWORKS == ("offline", "two-stage-lstm", "two-stage-bilstm", "objective-driven")
    assert names.NAIVE_FRAMEWORKS == NAIVE_FRAMEWORKS == ("two-stage-persistence", "two-stage-seasonal")
    assert names.ALL_SPLITTING_FRAMEWORKS == names.BASELINE_FRAMEWORKS + (
        "two-stage-quantile", "objective-driven-regret", "objective-driven-warm")
    assert names.ABLATION_FRAMEWORKS == ("objective-driven-frozen", "two-stage-fitted")
    assert names.LEARNS_CAPACITIES == ("objective-driven", "objective-driven-regret",
                                       "objective-driven-warm", "two-stage-fitted")
    assert set(names.PAPER_NAMES) == set(FRAMEWORKS)
    assert names.PAPER_NAMES["objective-driven"] == "Proposed" and names.PAPER_NAMES["two-stage-lstm"] == "LSTM"


def test_reading_the_names_imports_no_torch():
    code = ("import sys\nimport splitalloc.experiments\nfrom splitalloc.frameworks import FRAMEWORKS\n"
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
