"""Tests of ``splitalloc.experiments.artefacts``: the artefact record, the registry and
:func:`produce` (the figure functions)."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

from splitalloc import experiments as ex
from splitalloc.experiments import artefacts

from experiment_fakes import TINY, fake_run


FIGURE_FUNCTIONS = {"fig5": ex.fig5_splitting, "fig6": ex.fig6_admitted, "fig7": ex.fig7_prediction,
                    "fig8": ex.fig8_resource, "fig9": ex.fig9_deviation, "fig10": ex.fig10_kaggle,
                    "table4": ex.table4_utility, "capacities": ex.capacity_estimates,
                    "robustness": ex.robustness_grid, "admitted": ex.admitted_fractions}


def test_every_artefact_is_registered_once_with_its_own_files():
    names = list(ex.ARTEFACTS)
    assert len(names) == len(set(names))
    assert set(names) == set(FIGURE_FUNCTIONS) | {"comparison", "calibration", "heldout", "environments"}
    keys = [k for a in ex.ARTEFACTS.values() for k in a.files]
    stems = [s for a in ex.ARTEFACTS.values() for s in a.files.values()]
    assert len(keys) == len(set(keys)) and len(stems) == len(set(stems))
    for name, a in ex.ARTEFACTS.items():
        assert a.name == name and a.title
        for r in a.reads:   # an artefact is registered after every artefact it reads
            assert names.index(r) < names.index(name)


def test_register_refuses_a_second_artefact_of_a_name_or_file():
    fig5 = ex.ARTEFACTS["fig5"]
    with pytest.raises(ValueError, match="'fig5' is registered twice"):
        ex.register(fig5)
    with pytest.raises(ValueError, match="fig5_splitting.csv"):
        ex.register(ex.Artefact(name="other", title="t", files={"other": "fig5_splitting"},
                                assemble=lambda ctx: pd.DataFrame()))
    with pytest.raises(ValueError, match="reads \\['nope'\\]"):
        ex.register(ex.Artefact(name="other", title="t", files={"other": "other"}, reads=("nope",),
                                assemble=lambda ctx: pd.DataFrame()))
    assert "other" not in ex.ARTEFACTS
    with pytest.raises(ValueError, match="bare name"):
        ex.Artefact(name="x", title="t", files={"x": "x.csv"}, assemble=lambda ctx: pd.DataFrame())


def test_build_checks_the_tables_against_the_files(tmp_path):
    one = ex.Artefact(name="x", title="t", files={"x": "x"}, assemble=lambda ctx: pd.DataFrame({"a": [1]}))
    two = ex.Artefact(name="y", title="t", files={"y": "y", "z": "z"},
                      assemble=lambda ctx: {"y": pd.DataFrame({"a": [1]})})
    ctx = ex.Context(scale=TINY, seeds=(0,), out_dir=tmp_path)
    assert list(one.build(ctx)) == ["x"]
    with pytest.raises(ValueError, match="returned the tables \\['y'\\]; its files are \\['y', 'z'\\]"):
        two.build(ctx)
    one.write(one.build(ctx), tmp_path, TINY)
    assert (tmp_path / "tiny" / "x.csv").read_text() == "a\n1\n"


def test_resolve_seeds():
    assert ex.resolve_seeds(TINY, None) == TINY.seeds
    assert ex.resolve_seeds(TINY, 3) == (0, 1, 2)
    assert ex.resolve_seeds(TINY, [5, 2]) == (5, 2)
    with pytest.raises(ValueError, match="seeds must be >= 1, got 0"):
        ex.resolve_seeds(TINY, 0)
    with pytest.raises(ValueError, match="must not be empty"):
        ex.resolve_seeds(TINY, [])


def test_figure_functions_keep_their_signature_and_run_their_artefact(tmp_path, fake_lengths):
    expected = ["scale", "seeds", "out_dir", "workers", "scheduler", "progress", "run_fn"]
    for name, fn in FIGURE_FUNCTIONS.items():
        params = inspect.signature(fn).parameters
        assert list(params) == expected, name
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values()), name
        assert params["scale"].default == "quick" and params["workers"].default == 1, name
    # one figure function = produce() of its artefact: same table, same file
    df = ex.fig5_splitting(scale=TINY, seeds=2, out_dir=tmp_path / "a", progress=False, run_fn=fake_run)
    again = ex.produce(ex.ARTEFACTS["fig5"], scale=TINY, seeds=[0, 1], out_dir=tmp_path / "b",
                       progress=False, run_fn=fake_run)
    pd.testing.assert_frame_equal(df, again)
    assert sorted(p.name for p in (tmp_path / "a" / "tiny").iterdir()) == ["fig5_splitting.csv"]


def test_seed_rules():
    for name, a in ex.ARTEFACTS.items():
        if name != "robustness":
            assert a.seed_rule is artefacts.all_seeds, name
            seeds = {s.seed for s in a.specs(TINY, (3, 4))}
            assert seeds <= {3, 4} and (seeds or not a.work(TINY, (3, 4))), name
