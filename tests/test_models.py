"""TrafficPredictor and chronological windowing."""

import numpy as np
import pytest
import torch

from splitalloc.models import TrafficPredictor, make_windows, split_bounds


@pytest.mark.parametrize("bidirectional", [False, True])
def test_predictor_shape_linear_head_and_seeded(bidirectional):
    x = torch.randn(5, 7, 3, generator=torch.Generator().manual_seed(1))
    m1 = TrafficPredictor(3, 8, bidirectional=bidirectional, seed=4)
    m2 = TrafficPredictor(3, 8, bidirectional=bidirectional, seed=4)
    m3 = TrafficPredictor(3, 8, bidirectional=bidirectional, seed=5)
    y1 = m1(x)
    assert y1.shape == (5, 3)
    # a linear head on standardised units: outputs of both signs are possible
    last = m1.lstm(x)[1][0]
    feat = torch.cat([last[-2], last[-1]], -1) if bidirectional else last[-1]
    torch.testing.assert_close(y1, m1.head(feat))
    assert torch.equal(y1, m2(x))
    assert not torch.equal(y1, m3(x))


def test_predictor_leaves_global_rng_alone():
    torch.manual_seed(123)
    a = torch.rand(3)
    torch.manual_seed(123)
    TrafficPredictor(3, 4, seed=9)
    b = torch.rand(3)
    assert torch.equal(a, b)


def test_bilstm_reads_the_whole_window_backwards():
    # the backward direction's final state depends on the first slot of the window
    m = TrafficPredictor(2, 4, bidirectional=True, seed=0)
    x = torch.zeros(1, 6, 2)
    x2 = x.clone()
    x2[0, 0, 0] = 5.0
    assert not torch.allclose(m(x), m(x2))


def test_predictor_rejects_bad_input():
    with pytest.raises(ValueError, match="hidden_size"):
        TrafficPredictor(3, 0)
    m = TrafficPredictor(3, 4)
    with pytest.raises(ValueError, match=r"\(B, L, 3\)"):
        m(torch.zeros(2, 5, 2))


def test_windows_are_chronological_and_targets_stay_in_their_period():
    T, K, L = 20, 2, 3
    series = np.arange(T * K, dtype=float).reshape(T, K)
    train_end, val_end = split_bounds(T, 0.6, 0.2)
    assert (train_end, val_end) == (12, 16)
    X, y = make_windows(series, L, 0, train_end)
    assert X.shape == (train_end - L, L, K) and y.shape == (train_end - L, K)
    # every input slot precedes its target; no training sample touches val/test values
    assert X.max() < series[train_end].min()
    np.testing.assert_array_equal(X[0], series[0:3])
    np.testing.assert_array_equal(y[0], series[3])
    Xt, yt = make_windows(series, L, val_end, T)
    np.testing.assert_array_equal(yt, series[val_end:T])
    np.testing.assert_array_equal(Xt[0], series[val_end - L:val_end])


def test_windows_and_split_errors():
    series = np.zeros((10, 2))
    with pytest.raises(ValueError, match="window L=10"):
        make_windows(series, 10, 0, 10)
    with pytest.raises(ValueError, match="too short"):
        split_bounds(2, 0.6, 0.2)
    with pytest.raises(ValueError, match="fractions"):
        split_bounds(100, 0.9, 0.2)


def test_window_level_normalisation_is_reversible():
    x = torch.randn(4, 6, 3, generator=torch.Generator().manual_seed(2))
    m = TrafficPredictor(3, 5, window_level=True, seed=1)
    plain = TrafficPredictor(3, 5, seed=1)                 # same weights, no normalisation
    level = x.mean(1)
    torch.testing.assert_close(m(x), plain(x - level[:, None, :]) + level)
    # shifting a whole window shifts the forecast by the same amount
    torch.testing.assert_close(m(x + 2.5), m(x) + 2.5)
    assert not torch.allclose(plain(x + 2.5), plain(x) + 2.5)
