"""Tests of ``splitalloc.experiments.runs``: run specs and their cache keys, validation, the
executors (in process, process pool, dask) and the run cache."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pandas as pd
import pytest

from splitalloc import experiments as ex

from experiment_fakes import TINY, fake_len, fake_run, run_fake, tiny_specs


def test_runspec_key_normalises_numbers_and_changes_with_settings():
    a = ex.make_spec(TINY, dataset="geant", framework="offline", seed=0, M=100, Sigma=30)
    b = ex.make_spec(TINY, dataset="geant", framework="offline", seed=0, M=100.0, Sigma=30.0)
    assert a == b and a.key() == b.key()
    c = ex.make_spec(TINY.with_training(max_steps=8), dataset="geant", framework="offline", seed=0)
    assert c.key() != a.key()
    assert a.key("salt") != a.key()


def test_runspec_environment_keys_and_a_run_in_it(tmp_path, data_dir):
    """Today's environment leaves the spec's plain values (and so its key) as they were before
    environments existed; another environment is another run, and run_one builds its scenario in it."""
    from splitalloc.scenario import INDEPENDENT, Environment

    a = ex.make_spec(TINY, dataset="geant", framework="offline", seed=0)
    assert a.environment == INDEPENDENT and "environment" not in a.as_dict()
    aon = dataclasses.replace(a, environment=Environment(name="aon", gamma=float("inf")))
    assert aon.key() != a.key() and aon.as_dict()["environment"]["gamma"] == float("inf")
    assert dataclasses.replace(a, environment=aon.as_dict()["environment"]) == aon   # a mapping is accepted
    with pytest.raises(ValueError, match="RunSpec.environment must be an Environment"):
        dataclasses.replace(a, environment="calibrated")
    # the offline optimum fills resources exactly: under all-or-nothing it still serves in full
    today = ex.run_one(dataclasses.replace(a, framework="two-stage-lstm"))
    strict = ex.run_one(dataclasses.replace(aon, framework="two-stage-lstm"))
    off = ex.run_one(aon)
    assert off["served"].sum() == pytest.approx(off["d"].clip(upper=off["D_true"]).sum(), rel=1e-12)
    pd.testing.assert_series_equal(today["d"], strict["d"])            # the same reservations ...
    assert strict["served"].sum() < today["served"].sum()             # ... served under a stricter rule


def test_runspec_key_changes_with_code_and_run_parameters(monkeypatch):
    from splitalloc import config

    a = ex.make_spec(TINY, dataset="geant", framework="offline", seed=0)
    k0 = a.key()
    monkeypatch.setattr(ex.runs, "code_fingerprint", lambda: "other code")
    k_code = a.key()
    monkeypatch.undo()
    mu = config.PARAMETERS["mu_C"]
    monkeypatch.setitem(config.PARAMETERS, "mu_C", config.Parameter(**{**mu.__dict__, "value": 1.0}))
    k_param = a.key()
    assert len({k0, k_code, k_param}) == 3


def test_same_numbers_with_one_or_two_workers(tmp_path):
    specs = tiny_specs(2)
    one = run_fake(specs, tmp_path / "a", workers=1)
    two = run_fake(specs, tmp_path / "b", workers=2)
    assert list(one) == list(two) == specs
    for s in specs:
        pd.testing.assert_frame_equal(one[s], two[s])


def test_cache_hit_skips_the_run_and_returns_identical_frames(tmp_path):
    specs = tiny_specs(2)
    first = run_fake(specs, tmp_path)
    files = sorted((tmp_path / "runs").glob("*.csv"))
    assert len(files) == len(specs)
    calls = []

    def must_not_run(spec):  # a cache hit never calls the run function
        calls.append(spec)
        raise AssertionError("cache miss")
    must_not_run.__module__, must_not_run.__qualname__ = fake_run.__module__, fake_run.__qualname__
    again = ex.run_specs(specs, out_dir=tmp_path, run_fn=must_not_run, progress=False,
                         series_length=fake_len)
    assert calls == []
    for s in specs:
        pd.testing.assert_frame_equal(first[s], again[s])
    # a new spec is a miss
    with pytest.raises(AssertionError, match="cache miss"):
        ex.run_specs(tiny_specs(3), out_dir=tmp_path, run_fn=must_not_run, progress=False,
                     series_length=fake_len)


def test_dask_local_cluster_gives_the_same_numbers(tmp_path):
    import distributed  # a dependency: a broken install fails here instead of skipping
    specs = tiny_specs(2)
    local = run_fake(specs, tmp_path / "local")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = run_fake(specs, tmp_path / "dask", scheduler=client)
        remote_addr = run_fake(specs[:1] + [ex.make_spec(TINY, dataset="kaggle", framework="offline", seed=0)],
                               tmp_path / "dask2", scheduler=cluster.scheduler_address)
    for s in specs:
        pd.testing.assert_frame_equal(local[s], remote[s])
    pd.testing.assert_frame_equal(local[specs[0]], remote_addr[specs[0]])


@pytest.mark.parametrize("change, match", [
    (dict(dataset="nope"), "unknown dataset 'nope'"),
    (dict(framework="lstm"), "unknown framework 'lstm'"),
    (dict(Sigma=-1.0), "Sigma"),
    (dict(M=0.0), "M \\(eq. 14\\)"),
    (dict(training=dataclasses.replace(TINY.training, window=99)), "window L=99"),
    (dict(data="fake"), "unknown data kind"),
])
def test_bad_specs_raise_before_any_run(tmp_path, change, match):
    good = ex.make_spec(TINY, dataset="geant", framework="offline", seed=0)
    bad = ex.RunSpec(**{**good.as_dict(), **change})
    calls = []

    def never(spec):
        calls.append(spec)
        return fake_run(spec)
    with pytest.raises(ValueError, match=match):
        ex.run_specs([good, bad], out_dir=tmp_path, run_fn=never, progress=False,
                     series_length=fake_len)
    assert calls == [] and not (tmp_path / "runs").exists()


def test_window_longer_than_real_series_names_the_limit():
    spec = ex.make_spec(TINY.with_training(window=80), dataset="kaggle", framework="offline", seed=0)
    with pytest.raises(ValueError, match=r"window L=80 .*kaggle.*92 slots"):
        ex.validate_specs([spec], series_length=lambda s: 92)


def test_real_frameworks_tiny_end_to_end(tmp_path, data_dir):
    """The real run function on Kaggle (92 slots), one seed, one epoch: utility <= 100 %, same
    numbers in-process and from a 2-worker pool. Without the data directory it fails (the
    ``data_dir`` fixture says how to set it), never skips."""
    sc = TINY.replace(seeds=(0,), datasets=("kaggle",), sigma_sweep=(30.0,))
    specs = [ex.make_spec(sc, dataset="kaggle", framework=f, seed=0)
             for f in ("offline", "two-stage-lstm", "objective-driven")]
    one = ex.run_specs(specs, out_dir=tmp_path / "a", workers=1, progress=False)
    two = ex.run_specs(specs, out_dir=tmp_path / "b", workers=2, progress=False)
    for s in specs:
        pd.testing.assert_frame_equal(one[s], two[s])
    summ = ex.summaries(one)
    assert (summ["utility"] <= 100.0 + 1e-6).all()
    assert summ.loc[summ.framework == "offline", "utility"].iloc[0] == pytest.approx(100.0)


def test_kaggle_run_scores_every_origin_once_in_order(monkeypatch, data_dir):
    """A Kaggle run (fast framework: persistence) goes through the rolling origin: 8 trainings
    on the same network draw, each seeded with the spec's seed, windows as the protocol says, and
    one frame covering every scored day (42..91) once and in order, with its origin."""
    import torch

    from splitalloc import scenario as sc
    from splitalloc.frameworks import run as run_module

    seen = []
    real = run_module.run_framework

    def spy(name, scenario, **kw):
        seen.append((scenario.window, scenario.network.C.tobytes(), torch.initial_seed()))
        torch.manual_seed(12345)     # a later origin must not inherit this state
        return real(name, scenario, **kw)

    monkeypatch.setattr(run_module, "run_framework", spy)
    spec = ex.make_spec(TINY, dataset="kaggle", framework="two-stage-persistence", seed=4)
    out = ex.run_one(spec)
    windows = sc.evaluation_windows("kaggle", 92)
    assert [w for w, _, _ in seen] == windows
    assert len({c for _, c, _ in seen}) == 1 and {s for _, _, s in seen} == {4}
    days = sc.scenario_arrivals("kaggle").index
    times = pd.to_datetime(out["time"]).drop_duplicates()
    assert list(times) == list(days[42:]) and len(times) == 50
    assert out.groupby("time")["origin"].first().tolist() == [v for _, v, e in windows for _ in range(v, e)]
    assert len(out) == 50 * 3


def test_run_cache_key_covers_every_module_a_run_executes():
    """A change to any module a run executes (the compiled LP kernel included) must change
    the run cache key: every splitalloc module loaded by a tiny LP solve, by the run path
    (scenario, run_framework) and by every framework's runner is in RUN_MODULES (config is
    fingerprinted by its parameters)."""
    code = (
        "import sys, torch\n"
        "import splitalloc.scenario\n"
        "from splitalloc.frameworks import REGISTRY, run_framework\n"
        "runners = [f.runner for f in REGISTRY]\n"
        "from splitalloc.layer import lp_solve\n"
        "p = torch.ones(1, 2, dtype=torch.float64)\n"
        "G = torch.tensor([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]],"
        " dtype=torch.float64)\n"
        "h = torch.tensor([[1.0, 0.7, 0.7, 0.0, 0.0]], dtype=torch.float64)\n"
        "lp_solve(p, G, h)\n"
        "print(' '.join(sorted(m.split('.')[1] for m in sys.modules"
        " if m.startswith('splitalloc.'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(out.stdout.split())
    assert {"layer", "_dual_kernel", "frameworks", "scenario", "evaluate"} <= loaded
    assert loaded - {"config"} <= set(ex.RUN_MODULES), loaded - set(ex.RUN_MODULES)


def test_run_cache_key_hashes_every_file_of_a_package(tmp_path, monkeypatch):
    """A package in RUN_MODULES (frameworks) is fingerprinted file by file: every .py file of it,
    sorted by relative path, and a change to any one of them changes the fingerprint."""
    import splitalloc.frameworks as fw_pkg
    from pathlib import Path

    root = Path(fw_pkg.__file__).parent
    files = ex.runs.source_files("frameworks")
    assert [name for name, _ in files] == sorted(f"frameworks/{p.relative_to(root).as_posix()}"
                                                 for p in root.rglob("*.py"))
    assert {"frameworks/registry.py", "frameworks/objective_driven.py"} <= {n for n, _ in files}
    assert ex.runs.source_files("scenario")[0][1].name == "scenario.py"
    before = ex.runs.code_fingerprint()
    changed = tmp_path / "registry.py"
    changed.write_text(Path(root / "registry.py").read_text() + "\n# changed\n")
    real = ex.runs.source_files
    monkeypatch.setattr(ex.runs, "source_files", lambda mod: [
        (n, changed if n == "frameworks/registry.py" else p) for n, p in real(mod)])
    ex.runs.code_fingerprint.cache_clear()
    try:
        assert ex.runs.code_fingerprint() != before
    finally:
        monkeypatch.undo()
        ex.runs.code_fingerprint.cache_clear()
    assert ex.runs.code_fingerprint() == before
