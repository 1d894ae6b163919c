"""Service profiles: per-layer FLOPs/activations from the architectures and the split rule."""

import numpy as np
import pytest

from splitalloc import config
from splitalloc.profiles import (
    SERVICE_NAMES,
    ServiceProfile,
    choose_cuts,
    default_profiles,
    layer_table,
    make_profile,
)


def test_known_model_sizes():
    # Published multiply-accumulate counts: BVLC AlexNet ~0.72 G, VGG-16 ~15.5 G (2 FLOPs per MAC).
    alex = layer_table("AlexNet")
    vgg = layer_table("VGG16")
    assert 1.40e9 < alex.attrs["total_flops"] < 1.50e9
    assert 30.8e9 < vgg.attrs["total_flops"] < 31.1e9
    # shapes propagate as in the papers
    assert alex.set_index("layer").loc["pool5", "out_shape"] == "256x6x6"
    assert vgg.set_index("layer").loc["pool5", "out_shape"] == "512x7x7"
    face = layer_table("FACE").set_index("layer")
    assert face.loc["L6", "out_shape"] == "16x21x21"
    assert face.loc["F8", "out_elements"] == 4030


def test_layer_table_columns_consistent():
    for name in SERVICE_NAMES:
        t = layer_table(name)
        assert (t["flops"] > 0).all()
        assert np.isclose(t["cum_flops_fraction"].iloc[-1], 1.0)
        assert np.allclose(t["out_ratio"], t["out_elements"] / t.attrs["input_elements"])


def test_densities_follow_from_table_and_cuts():
    kappa = config.value("compute_density_total")
    for p in default_profiles():
        assert p.c.shape == (config.value("n_parts"),)
        assert p.b.shape == (p.n_parts - 1,)
        assert np.isclose(p.c.sum(), kappa)  # per-service normalisation
        t = p.table
        # c_j = kappa * FLOPs of part j / total FLOPs; b_j = activation ratio at cut j
        part_flops = t.groupby("part")["flops"].sum().to_numpy()
        assert np.allclose(p.c, kappa * part_flops / part_flops.sum())
        assert np.allclose(p.b, t["out_ratio"].to_numpy()[list(p.cuts)])
        assert list(t.index[t["cut_after"]]) == list(p.cuts)
        assert sum(len(x) for x in p.parts) == len(t)


def test_cuts_minimise_bottleneck_exhaustively():
    t = layer_table("AlexNet")
    flops, ratio = t["flops"].to_numpy(float), t["out_ratio"].to_numpy(float)
    scale = 3.0 / flops.sum()
    cuts = choose_cuts(t, 3, c_scale=scale)
    import itertools

    def bottleneck(cs):
        bounds = (0, *(j + 1 for j in cs), len(flops))
        c = [flops[a:b].sum() * scale for a, b in zip(bounds[:-1], bounds[1:])]
        return max(max(c), max(ratio[list(cs)]))

    best = min(bottleneck(cs) for cs in itertools.combinations(range(len(t) - 1), 2))
    assert np.isclose(bottleneck(cuts), best)


def test_one_part_and_global_normalisation():
    p = make_profile("VGG16", n_parts=1)
    assert p.b.size == 0 and np.isclose(p.c[0], config.value("compute_density_total"))
    g = default_profiles(normalisation="global")
    totals = np.array([x.c.sum() for x in g])
    assert np.isclose(totals.mean(), config.value("compute_density_total"))
    assert totals[1] > 5 * totals[0]  # VGG-16 is far heavier per input than AlexNet


def test_merged_profile():
    p = make_profile("AlexNet")
    m = p.merged()
    assert m.n_parts == 1 and m.b.size == 0 and np.isclose(m.c[0], p.c.sum())


@pytest.mark.parametrize("kw, msg", [
    ({"n_parts": 0}, "n_parts"),
    ({"n_parts": 99}, "exceeds"),
    ({"compute_density_total": -1.0}, "compute_density_total"),
    ({"bandwidth_density_scale": float("nan")}, "bandwidth_density_scale"),
    ({"normalisation": "weird"}, "normalisation"),
])
def test_bad_parameters(kw, msg):
    with pytest.raises(ValueError, match=msg):
        make_profile("AlexNet", **kw)


def test_unknown_architecture_and_bad_profile():
    with pytest.raises(KeyError, match="unknown architecture"):
        layer_table("ResNet")
    with pytest.raises(ValueError, match="b must have shape"):
        ServiceProfile("x", np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="finite"):
        ServiceProfile("x", np.array([1.0, -1.0]), np.ones(1))


def test_plot_profiles_and_frames():
    from splitalloc.plots import plot_profiles
    from splitalloc.profiles import density_frame, layer_frame

    profiles = default_profiles()
    frame = layer_frame(profiles)
    assert list(frame["service"].unique()) == list(SERVICE_NAMES)
    dens = density_frame(profiles)
    assert len(dens) == sum(2 * p.n_parts - 1 for p in profiles)
    fig = plot_profiles(frame)
    cut_traces = [t for t in fig.data if t.name == "chosen cut (b)"]
    assert len(cut_traces) == 3
    for t, p in zip(cut_traces, profiles):
        assert np.allclose(t.y, p.b)
    with pytest.raises(ValueError, match="missing columns"):
        plot_profiles(frame.drop(columns=["flops"]))


# ------------------------------------------------------- calibration knob: compute sharing (issue 17)
def test_compute_balance_default_is_todays_profile_bit_for_bit():
    for n_parts in (2, 4, 6):
        for name in SERVICE_NAMES:
            today = make_profile(name, n_parts=n_parts)
            explicit = make_profile(name, n_parts=n_parts, compute_balance=0.0)
            assert today.cuts == explicit.cuts
            assert np.array_equal(today.c, explicit.c) and np.array_equal(today.b, explicit.b)
    t = layer_table("VGG16")
    scale = 3.0 / t["flops"].sum()
    assert choose_cuts(t, 4, c_scale=scale) == choose_cuts(t, 4, c_scale=scale, compute_balance=0)


def test_compute_balance_mixes_towards_equal_parts_and_keeps_the_total():
    kappa = config.value("compute_density_total")
    flops_parts = make_profile("FACE", n_parts=5)
    balanced = make_profile("FACE", n_parts=5, compute_balance=1.0)
    assert np.allclose(balanced.c, kappa / 5) and np.isclose(balanced.c.sum(), kappa)
    half = make_profile("FACE", n_parts=5, compute_balance=0.5)
    assert np.isclose(half.c.sum(), kappa)
    # the densities are the mix of the FLOPs shares of half's own cuts and equal shares
    part_flops = half.table.groupby("part")["flops"].sum().to_numpy()
    assert np.allclose(half.c, 0.5 * kappa * part_flops / part_flops.sum() + 0.5 * kappa / 5)
    assert half.c.max() < flops_parts.c.max()      # the heavy first part is lighter


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "half", True])
def test_compute_balance_out_of_range_is_named(bad):
    with pytest.raises(ValueError, match="compute_balance"):
        make_profile("AlexNet", compute_balance=bad)
