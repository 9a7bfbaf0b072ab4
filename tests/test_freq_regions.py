"""Time-frequency regions: a region may carry a frequency band; its effect stays inside that band."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from textsep.edits import EditError, EditSpec, Region
from textsep.separate import Mask, Separator, band_weights


class Everything:
    """Keep-mask 0 everywhere: 'remove' keeps all, 'keep' removes all (so the band alone decides)."""

    name = "nothing"

    def predict(self, mono16, prompt):
        frames = len(mono16) // 256 + 1
        return Mask(torch.zeros(257, frames), np.linspace(0, 8000, 257), 256 / 16000)


def tones(sr, seconds, freqs):
    t = np.arange(int(sr * seconds)) / sr
    return np.stack([sum(0.2 * np.sin(2 * np.pi * f * t) for f in freqs)]).astype(np.float32)


def band_energy(x, sr, lo, hi):
    spec = np.abs(np.fft.rfft(x[0])) ** 2
    f = np.fft.rfftfreq(x.shape[1], 1 / sr)
    return spec[(f >= lo) & (f <= hi)].sum()


def test_region_band_validation_and_round_trip():
    assert Region(0, 1, "x").band is None
    assert Region(0, 1, "x", low_hz=1000, high_hz=3000).band == (1000.0, 3000.0)
    assert Region(0, 1, "x", high_hz=500).band == (0.0, 500.0)
    assert Region(0, 1, "x", low_hz=500).band == (500.0, None)
    for bad in ({"low_hz": 3000, "high_hz": 1000}, {"low_hz": -1}, {"high_hz": float("nan")}, {"low_hz": "a"}):
        with pytest.raises(EditError):
            Region(0, 1, "x", **bad)
    assert "low_hz" not in Region(0, 1, "x").to_dict()  # specs without bands stay as they were
    spec = EditSpec.from_json(json.dumps({"regions": [{"start_s": 1, "end_s": 4, "prompt": "dog bark",
                                                       "mode": "remove", "low_hz": 1000, "high_hz": 3000}]}))
    r = spec.regions[0]
    assert (r.low_hz, r.high_hz) == (1000.0, 3000.0)
    assert EditSpec.from_json(spec.to_json()).regions == spec.regions


def test_band_weights_are_one_inside_zero_outside_and_smooth():
    f = np.linspace(0, 24000, 4801)
    w = band_weights(f, (1000.0, 3000.0))
    assert np.all(w[(f >= 1000) & (f <= 3000)] == 1.0)
    assert np.all(w[(f <= 1000 - 400) | (f >= 3000 + 400)] == 0.0)  # edges at most 20 % of the width
    edge = w[(f > 3000) & (f < 3400)]
    assert np.all(np.diff(edge) <= 0) and 0 < edge.mean() < 1
    assert band_weights(f, None) is None
    low = band_weights(f, (50.0, 20000.0))
    assert low[0] == 0.0 and low[f == 50][0] == 1.0


@pytest.mark.parametrize("sr", [16000, 44100])
def test_the_edit_stays_inside_its_band_and_window(sr):
    x = tones(sr, 3.0, [200, 2000, 6000])
    region = Region(1.0, 2.0, "whistle", "keep", fade_ms=0, depth_db=120, low_hz=1000, high_hz=3000)
    y, _ = Separator(Everything()).separate(x, sr, [region])
    a, b = region.span(sr)
    assert np.array_equal(y[:, :a], x[:, :a]) and np.array_equal(y[:, b:], x[:, b:])  # bit-identical outside
    inside, orig = y[:, a:b], x[:, a:b]
    assert band_energy(inside, sr, 1500, 2500) < 1e-4 * band_energy(orig, sr, 1500, 2500)  # removed in band
    for lo, hi in ((100, 300), (5500, 6500)):  # outside the band: the input, to STFT round-trip error
        assert band_energy(inside, sr, lo, hi) == pytest.approx(band_energy(orig, sr, lo, hi), rel=1e-3)
    full = Region(1.0, 2.0, "whistle", "keep", fade_ms=0, depth_db=120)
    z, _ = Separator(Everything()).separate(x, sr, [full])
    assert band_energy(z[:, a:b], sr, 100, 300) < 1e-4 * band_energy(orig, sr, 100, 300)  # full band: all gone


def test_cli_freq_range(tmp_path, capsys):
    import soundfile as sf

    from textsep import cli

    x = tones(16000, 3.0, [200, 2000])
    sf.write(tmp_path / "in.wav", x[0], 16000, subtype="FLOAT")
    spec = tmp_path / "e.json"
    spec.write_text('{"regions": [{"start_s": 1, "end_s": 2, "prompt": "dog", "low_hz": 1000, "high_hz": 3000}]}')
    code = cli.main(["separate", "--audio-in", str(tmp_path / "in.wav"), "--audio-out", str(tmp_path / "o.wav"),
                     "--edits", str(spec), "--freq-range", "100", "200"])
    assert code == 2 and "--freq-range" in capsys.readouterr().err
    code = cli.main(["separate", "--audio-in", str(tmp_path / "in.wav"), "--audio-out", str(tmp_path / "o.wav"),
                     "--prompt", "dog", "--time-windows", "1", "2", "--freq-range", "3000", "1000"])
    assert code == 2 and "empty or inverted" in capsys.readouterr().err
