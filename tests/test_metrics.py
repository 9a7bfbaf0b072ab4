import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from textsep.metrics import CLAMP_DB, outside_diff, sdr, si_sdr, window_metrics


def _noise(n=16000, seed=0):
    return np.random.default_rng(seed).standard_normal(n)


def test_si_sdr_of_a_signal_with_itself_is_huge():
    x = _noise()
    assert si_sdr(x, x) >= 99.0
    assert si_sdr(x, x) == si_sdr(x, 0.5 * x)  # scaling the estimate changes nothing
    assert si_sdr(x, x) == CLAMP_DB


def test_si_sdr_matches_the_energy_ratio_of_orthogonal_noise():
    x, n = _noise(seed=1), _noise(seed=2)
    n -= n.mean()
    x -= x.mean()
    n -= np.dot(n, x) / np.dot(x, x) * x  # exactly orthogonal to x
    for snr in (-5.0, 0.0, 10.0, 30.0):
        noise = n * np.sqrt(np.sum(x ** 2) / np.sum(n ** 2) * 10 ** (-snr / 10))
        assert si_sdr(x, x + noise) == pytest.approx(snr, abs=1e-6)
        assert si_sdr(x, 3.0 * (x + noise)) == pytest.approx(snr, abs=1e-6)


def test_silent_signals_are_handled():
    x = _noise()
    assert math.isnan(si_sdr(np.zeros_like(x), x))  # undefined without a reference
    assert math.isnan(sdr(np.zeros_like(x), x))
    assert si_sdr(x, np.zeros_like(x)) == -CLAMP_DB
    assert sdr(x, np.zeros_like(x)) == -CLAMP_DB


def test_sdr_accepts_short_filters_but_not_noise():
    x = _noise(seed=3)
    n = _noise(seed=4)
    filtered = np.convolve(x, [1.0, 0.5, -0.25])[: len(x)]  # a short filter is allowed distortion
    assert sdr(x, filtered) > 40.0
    assert si_sdr(x, filtered) < 10.0  # ... but not for SI-SDR
    assert sdr(x, x + 0.1 * n) == pytest.approx(20.0, abs=0.5)
    assert sdr(x, x) >= 99.0


def test_multichannel_is_the_mean_over_channels():
    x = np.stack([_noise(seed=5), _noise(seed=6)])
    y = x.copy()
    y[1] += 0.1 * _noise(seed=7)
    assert si_sdr(x, y) == pytest.approx((si_sdr(x[0], y[0]) + si_sdr(x[1], y[1])) / 2)
    with pytest.raises(ValueError):
        si_sdr(x, y[:, :100])


@settings(max_examples=60, deadline=None)
@given(ref=arrays(np.float64, 64, elements=st.floats(-1, 1, allow_subnormal=False)),
       est=arrays(np.float64, 64, elements=st.floats(-1, 1, allow_subnormal=False)),
       scale=st.floats(1e-3, 1e3), sign=st.sampled_from([-1.0, 1.0]))
def test_si_sdr_is_scale_invariant(ref, est, scale, sign):
    r0, e0 = ref - ref.mean(), est - est.mean()
    assume(np.dot(r0, r0) > 1e-6 and np.dot(e0, e0) > 1e-6)
    base = si_sdr(ref, est)
    assert si_sdr(ref, sign * scale * est) == pytest.approx(base, abs=1e-6)
    assert si_sdr(scale * ref, est) == pytest.approx(base, abs=1e-6)
    assert -CLAMP_DB <= base <= CLAMP_DB


def test_window_metrics_inside_and_outside():
    sr = 16000
    rng = np.random.default_rng(0)
    n, a, b = 3 * sr, sr, 2 * sr
    target = np.zeros(n)
    target[a:b] = rng.standard_normal(b - a)
    interferer = 0.5 * rng.standard_normal(n)
    mix = target + interferer

    floor = window_metrics(mix, mix, target, a, b, "keep")
    assert floor["si_sdri"] == 0.0 and floor["sdri"] == 0.0
    assert floor["outside_max_abs"] == 0.0 and floor["outside_l2"] == 0.0
    snr = 10 * np.log10(np.sum(target ** 2) / np.sum(interferer[a:b] ** 2))
    assert floor["si_sdr_mix"] == pytest.approx(snr, abs=0.2)

    perfect_keep = mix.copy()
    perfect_keep[a:b] = target[a:b]
    m = window_metrics(perfect_keep, mix, target, a, b, "keep")
    assert m["si_sdr"] >= 99 and m["si_sdri"] > 90 and m["outside_max_abs"] == 0.0

    perfect_remove = mix.copy()
    perfect_remove[a:b] = interferer[a:b]
    m = window_metrics(perfect_remove, mix, target, a, b, "remove")
    assert m["si_sdr"] >= 99 and m["si_sdr_mix"] < 0  # reference is mix - target = the interferer

    damaged = perfect_keep.copy()
    damaged[10] += 0.25
    damaged[-1] -= 0.5
    m = window_metrics(damaged, mix, target, a, b, "keep")
    assert m["outside_max_abs"] == pytest.approx(0.5)
    assert m["outside_l2"] == pytest.approx(np.hypot(0.25, 0.5))
    assert outside_diff(damaged, mix, a, b) == (m["outside_max_abs"], m["outside_l2"])
    with pytest.raises(ValueError):
        window_metrics(mix, mix, target, b, a, "keep")
