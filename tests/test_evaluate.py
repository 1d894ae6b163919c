"""The DESIGN.md evaluation rule on hand-computed cases, and summarize()."""

import numpy as np
import pandas as pd
import pytest

from splitalloc.evaluate import serve, summarize


def test_no_overload_serves_min_of_reserved_and_arrived():
    c = np.array([[1.0, 1.0]])
    b = np.zeros((0, 2))
    out = serve([4.0, 3.0], [5.0, 1.0], [100.0], np.zeros(0), c, b)
    np.testing.assert_allclose(out, [4.0, 1.0])


def test_shared_server_overload_scales_in_proportion():
    # load = 1*4 + 2*4 = 12 > C = 10 -> every user of the server gets 10/12
    c = np.array([[1.0, 2.0]])
    b = np.zeros((0, 2))
    out = serve([4.0, 4.0], [5.0, 2.0], [10.0], np.zeros(0), c, b)
    np.testing.assert_allclose(out, [4.0 * 10 / 12, 2.0 * 10 / 12])


def test_worst_oversubscription_on_path_counts():
    c = np.array([[1.0, 0.0], [1.0, 1.0]])   # server 0: service 0 only; server 1: both
    b = np.array([[0.5, 0.0]])               # link 0: service 0 only
    C = np.array([3.0, 10.0])
    B = np.array([1.0])
    # loads: server0 4 (>3 -> .75), server1 6 (ok), link 2 (>1 -> .5)
    out = serve([4.0, 2.0], [10.0, 1.0], C, B, c, b)
    np.testing.assert_allclose(out, [4.0 * 0.5, 1.0])


def test_negative_capacity_is_zero_and_unused_resources_do_not_matter():
    c = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    b = np.zeros((0, 2))
    C = np.array([-5.0, 10.0, -1.0])         # server 2 unused: harmless
    out = serve([3.0, 3.0], [3.0, 3.0], C, np.zeros(0), c, b)
    np.testing.assert_allclose(out, [0.0, 3.0])


def test_vectorised_over_slots_with_per_slot_capacities():
    c = np.array([[1.0, 2.0]])
    b = np.zeros((0, 2))
    d = np.array([[4.0, 4.0], [1.0, 1.0]])
    D = np.array([[5.0, 2.0], [1.0, 0.5]])
    C = np.array([[10.0], [1.5]])            # slot 1: load 3 > 1.5 -> 0.5
    out = serve(d, D, C, np.zeros((2, 0)), c, b)
    np.testing.assert_allclose(out, [[4 * 10 / 12, 2 * 10 / 12], [0.5, 0.25]])


def test_bad_shapes_raise():
    c = np.array([[1.0, 2.0]])
    with pytest.raises(ValueError, match="D_true"):
        serve([1.0, 1.0], [1.0, 1.0, 1.0], [1.0], np.zeros(0), c, np.zeros((0, 2)))
    with pytest.raises(ValueError, match="non-finite"):
        serve([np.nan, 1.0], [1.0, 1.0], [1.0], np.zeros(0), c, np.zeros((0, 2)))


def _frame(served, D_true, D_pred):
    rows = []
    for t, (s, D, Dp) in enumerate(zip(served, D_true, D_pred)):
        for k, name in enumerate(["A", "B"]):
            rows.append({"time": t, "service": name, "D_true": D[k], "D_pred": Dp[k],
                         "d": s[k], "served": s[k]})
    return pd.DataFrame(rows)


def test_summarize_hand_computed():
    off = _frame([[2, 2], [4, 0]], [[2, 2], [4, 0]], [[2, 2], [4, 0]])
    run = _frame([[1, 2], [2, 0]], [[2, 2], [4, 0]], [[3, 2], [2, 1]])
    s = summarize(run, off, {"A": 2.0, "B": 1.0})
    assert s["n_slots"] == 2
    assert s["throughput"] == pytest.approx(5 / 2)
    assert s["offline_throughput"] == pytest.approx(8 / 2)
    assert s["utility"] == pytest.approx(100 * 5 / 8)
    assert s["revenue"] == pytest.approx((2 * 1 + 2 + 2 * 2) / 2)
    assert s["revenue_utility"] == pytest.approx(100 * 8 / 14)
    # WAPE = (1 + 0 + 2 + 1) / 8
    assert s["accuracy"] == pytest.approx(1 - 4 / 8)


def test_summarize_rejects_misaligned_frames():
    off = _frame([[2, 2]], [[2, 2]], [[2, 2]])
    run = _frame([[1, 2], [2, 0]], [[2, 2], [4, 0]], [[3, 2], [2, 1]])
    with pytest.raises(ValueError, match="same"):
        summarize(run, off, [1.0, 1.0])
    with pytest.raises(ValueError, match="entries"):
        summarize(off, off, [1.0])


from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(data=st.data(), T=st.integers(1, 4), N=st.integers(1, 4), E=st.integers(0, 3),
       K=st.integers(1, 3))
def test_served_respects_every_true_capacity_and_never_exceeds_demand(data, T, N, E, K):
    pos = st.floats(0, 100, allow_nan=False)
    dens = st.one_of(st.just(0.0), st.floats(0.01, 3))
    d = data.draw(arrays(float, (T, K), elements=pos))
    D = data.draw(arrays(float, (T, K), elements=pos))
    C = data.draw(arrays(float, (N,), elements=st.floats(-10, 100)))
    B = data.draw(arrays(float, (E,), elements=st.floats(-10, 100)))
    c = data.draw(arrays(float, (N, K), elements=dens))
    b = data.draw(arrays(float, (E, K), elements=dens))
    s = serve(d, D, C, B, c, b)
    assert np.all(s >= 0) and np.all(s <= np.minimum(d, D) + 1e-9)
    # the served traffic fits every resource (the proportional share never over-serves)
    cap = np.maximum(np.concatenate([C, B]), 0)
    load = s @ np.vstack([c, b]).T
    assert np.all(load <= cap * (1 + 1e-9) + 1e-9)
    # where nothing is over-subscribed, everything reserved and arrived is served
    ok = np.all(d @ np.vstack([c, b]).T <= cap, axis=1)
    np.testing.assert_allclose(s[ok], np.minimum(d, D)[ok])


def _random_case(rng, T, K, N, E):
    c = rng.uniform(0, 2, (N, K)) * (rng.random((N, K)) < 0.6)
    b = rng.uniform(0, 2, (E, K)) * (rng.random((E, K)) < 0.6)
    d = rng.uniform(0, 100, (T, K))
    D = rng.uniform(0, 100, (T, K))
    C = rng.uniform(-20, 150, N)
    B = rng.uniform(-20, 150, E)
    return d, D, C, B, c, b


def test_numpy_evaluation_and_torch_training_path_share_one_rule():
    """serve (numpy, every framework's evaluation) and served_traffic on torch tensors (the regret
    loss and its gradient) give the same served traffic; the matrix product's summation order
    (numpy's and torch's BLAS) is the only difference, a few ulps."""
    import torch

    from splitalloc.evaluate import reserved_load, served_traffic

    rng = np.random.default_rng(0)
    for _ in range(200):
        T, K, N, E = rng.integers(1, 30), rng.integers(1, 5), rng.integers(1, 8), rng.integers(0, 8)
        d, D, C, B, c, b = _random_case(rng, T, K, N, E)
        out = serve(d, D, C, B, c, b)
        cap = torch.tensor(np.maximum(np.concatenate([C, B]), 0.0))
        dens = torch.tensor(np.vstack([c, b]))
        d_t = torch.tensor(d, requires_grad=True)
        served_t = served_traffic(d_t, torch.tensor(D), cap, dens)
        np.testing.assert_allclose(served_t.detach().numpy(), out, rtol=1e-12, atol=1e-12)
        served_t.sum().backward()                                   # differentiable in torch
        assert torch.isfinite(d_t.grad).all()
        np.testing.assert_allclose(reserved_load(d, np.vstack([c, b])), d @ np.vstack([c, b]).T)


def test_serve_is_unchanged_from_the_rule_it_replaced():
    """The numpy rule as it was written before served_traffic existed, operation by operation:
    serve must give the same bits."""
    rng = np.random.default_rng(1)
    for _ in range(200):
        d, D, C, B, c, b = _random_case(rng, rng.integers(1, 20), rng.integers(1, 4), rng.integers(1, 6),
                                        rng.integers(0, 6))
        cap = np.maximum(np.concatenate([np.broadcast_to(C, (1, C.size)), np.broadcast_to(B, (1, B.size))], 1), 0)
        dens = np.concatenate([c, b], axis=0)
        load = d @ dens.T
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ratio = np.where(load > cap, cap / np.where(load > 0, load, 1.0), 1.0)
        factor = np.min(np.where((dens > 0)[None, :, :], ratio[:, :, None], 1.0), axis=1)
        np.testing.assert_array_equal(serve(d, D, C, B, c, b), np.minimum(d, D) * factor)


# --------------------------------------------------------------- the rule's family parameter
def _worst_path_case(gamma):
    c = np.array([[1.0, 0.0], [1.0, 1.0]])
    b = np.array([[0.5, 0.0]])
    # factors: service 0 min(.75, 1, .5) = .5, service 1 1 (no overload on its path)
    return serve([4.0, 2.0], [10.0, 1.0], np.array([3.0, 10.0]), np.array([1.0]), c, b, gamma=gamma)


@pytest.mark.parametrize("gamma, expected", [
    (1.0, [4.0 * 0.5, 1.0]),            # proportional (today's rule)
    (2.0, [4.0 * 0.25, 1.0]),           # f ** 2
    (float("inf"), [0.0, 1.0]),         # all-or-nothing: an overloaded path serves nothing
])
def test_gamma_spans_proportional_to_all_or_nothing(gamma, expected):
    np.testing.assert_allclose(_worst_path_case(gamma), expected)


def test_gamma_one_is_bit_identical_to_the_default_rule():
    rng = np.random.default_rng(3)
    d, D = rng.uniform(0, 10, (50, 3)), rng.uniform(0, 10, (50, 3))
    c, b = rng.uniform(0, 2, (4, 3)) * (rng.random((4, 3)) < .6), rng.uniform(0, 1, (5, 3))
    C, B = rng.uniform(0, 20, 4), rng.uniform(0, 10, 5)
    assert np.array_equal(serve(d, D, C, B, c, b), serve(d, D, C, B, c, b, gamma=1))
    # more punishing as gamma grows, never above the proportional rule
    s1, s3, sinf = (serve(d, D, C, B, c, b, gamma=g) for g in (1.0, 3.0, float("inf")))
    assert np.all(s3 <= s1 + 1e-15) and np.all(sinf <= s3 + 1e-15)


@pytest.mark.parametrize("bad", [0.5, 0, -1, float("nan"), "two", None, True])
def test_bad_gamma_names_itself(bad):
    with pytest.raises(ValueError, match="gamma must be a number >= 1 or inf"):
        _worst_path_case(bad)


def test_all_or_nothing_forgives_rounding_only():
    """A path loaded to its capacity up to rounding (the offline optimum fills resources exactly) is
    served in full under all-or-nothing; one overloaded by more than the tolerance serves nothing."""
    from splitalloc.evaluate import ALL_OR_NOTHING_TOLERANCE

    c, b = np.array([[1.0]]), np.array([[0.0]])
    inf = float("inf")
    at = serve([10.0 * (1 + 1e-13)], [20.0], np.array([10.0]), np.array([1.0]), c, b, gamma=inf)
    over = serve([10.0 * (1 + 100 * ALL_OR_NOTHING_TOLERANCE)], [20.0], np.array([10.0]), np.array([1.0]), c, b,
                 gamma=inf)
    assert at[0] == pytest.approx(10.0, rel=1e-12) and over[0] == 0.0
