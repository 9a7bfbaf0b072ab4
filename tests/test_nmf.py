"""NMF baseline: dictionaries fitted on synthetic classes must separate them with a clear margin."""
from __future__ import annotations

import numpy as np
import pytest

from textsep.edits import Region
from textsep.nmf import N_FFT, NMFDictionaries, NMFError, NMFEstimator, fit_dictionaries
from textsep.separate import Separator

SR = 16000


class KeywordEncoder:
    """A deterministic stand-in for the text encoder: one axis per keyword group."""

    name, dim = "keywords", 3
    groups = (("tone", "beep", "whistle"), ("noise", "hiss", "static"), ("click",))

    def encode(self, prompts):
        if isinstance(prompts, str):
            prompts = [prompts]
        out = np.zeros((len(prompts), 3), np.float32)
        for i, p in enumerate(prompts):
            for j, words in enumerate(self.groups):
                out[i, j] = sum(w in p.lower() for w in words)
            out[i] += 1e-3
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def tones(seconds, seed):
    """Harmonic tones with gliding pitch between 300 and 900 Hz (a 'tone' class)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    f0 = rng.uniform(300, 900) * (1 + 0.1 * np.sin(2 * np.pi * rng.uniform(0.2, 1) * t))
    phase = 2 * np.pi * np.cumsum(f0) / SR
    return (sum(np.sin(k * phase) / k for k in range(1, 5)) * 0.2).astype(np.float32)


def hiss(seconds, seed):
    """High-pass-ish noise: first difference of white noise (a 'noise' class)."""
    w = np.random.default_rng(seed).standard_normal(int(seconds * SR) + 1)
    return (np.diff(w) * 0.1).astype(np.float32)


@pytest.fixture(scope="module")
def dicts():
    clips = {"tone": [tones(2, s) for s in range(6)], "noise": [hiss(2, s) for s in range(6)]}
    prompts = {"tone": ["a pure tone", "beep"], "noise": ["white noise", "hiss"]}
    return fit_dictionaries(clips, prompts, n_components=24, n_iter=80, seed=0)


def si_sdr(est, ref):
    ref = ref - ref.mean()
    est = est - est.mean()
    a = est @ ref / (ref @ ref)
    e = est - a * ref
    return 10 * np.log10((a * ref) @ (a * ref) / (e @ e))


@pytest.mark.parametrize("background", ["free", "classes"])
def test_separates_tones_from_noise(dicts, background):
    est = NMFEstimator(dicts, KeywordEncoder(), background=background)
    sep = Separator(est)
    target, other = tones(3, 100), hiss(3, 100)  # unseen seeds
    mix = target + other
    region = [Region(0, 3, "beep", "keep", fade_ms=0)]
    kept = sep.separate(mix, SR, region).audio
    assert est.last_match[0] == "tone"
    removed = sep.separate(mix, SR, [Region(0, 3, "hiss", "remove", fade_ms=0)]).audio
    assert est.last_match[0] == "noise"
    gain_keep = si_sdr(kept, target) - si_sdr(mix, target)
    gain_remove = si_sdr(removed, target) - si_sdr(mix, target)
    assert gain_keep > 8, f"keep 'tone' improved SI-SDR by only {gain_keep:.1f} dB"
    assert gain_remove > 8, f"remove 'noise' improved SI-SDR by only {gain_remove:.1f} dB"
    wrong = sep.separate(mix, SR, [Region(0, 3, "static hiss", "keep", fade_ms=0)]).audio
    assert si_sdr(wrong, target) < si_sdr(mix, target) - 5, "asking for the other class must lose the tone"


def test_mask_grid_and_range(dicts):
    est = NMFEstimator(dicts, KeywordEncoder())
    m = est.predict(tones(1, 1) + hiss(1, 1), "tone")
    assert tuple(m.values.shape) == (N_FFT // 2 + 1, SR // 256 + 1)
    assert float(m.values.min()) >= 0 and float(m.values.max()) <= 1
    assert m.hop_s == 256 / SR and m.freqs_hz[-1] == SR / 2


def test_region_api_leaves_outside_untouched(dicts):
    sep = Separator(NMFEstimator(dicts, KeywordEncoder()))
    x = np.stack([tones(2, 7) + hiss(2, 8)] * 2)
    y = sep.separate(x, SR, [Region(0.5, 1.5, "beep", "remove")]).audio
    assert np.array_equal(y[:, :8000], x[:, :8000]) and np.array_equal(y[:, 24000:], x[:, 24000:])
    assert not np.array_equal(y[:, 8000:24000], x[:, 8000:24000])


def test_save_load_round_trip(dicts, tmp_path):
    path = dicts.save(tmp_path / "d.npz")
    assert path.stat().st_size < 200_000
    back = NMFDictionaries.load(path)
    assert back.labels == dicts.labels and back.prompts == dicts.prompts
    np.testing.assert_array_equal(back.W, dicts.W)
    np.testing.assert_array_equal(back.atom_class, dicts.atom_class)
    np.testing.assert_allclose(back.W.sum(0), 1, rtol=1e-4)


def test_bad_files(tmp_path):
    with pytest.raises(NMFError, match="not found"):
        NMFDictionaries.load(tmp_path / "none.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(NMFError, match="not a TextSep NMF dictionary file"):
        NMFDictionaries.load(junk)
    pickled = tmp_path / "obj.npz"
    np.savez(pickled, W=np.zeros((513, 2)), atom_class=np.array([0, 1]), header=np.array([{"a": 1}], dtype=object))
    with pytest.raises(NMFError, match="not a TextSep NMF dictionary file"):
        NMFDictionaries.load(pickled)  # object arrays need pickle: refused
    other = tmp_path / "other.npz"
    np.savez(other, W=np.zeros((513, 2)), atom_class=np.array([0, 1]), header=np.array('{"format": "x"}'))
    with pytest.raises(NMFError, match="not a TextSep NMF"):
        NMFDictionaries.load(other)


def test_fit_errors():
    with pytest.raises(NMFError, match="at least two classes"):
        fit_dictionaries({"tone": [tones(1, 0)]})
    with pytest.raises(NMFError, match="too little"):
        fit_dictionaries({"tone": [tones(1, 0)], "silence": [np.zeros(SR, np.float32)]}, n_components=4)
    with pytest.raises(NMFError, match="background"):
        NMFEstimator(fit_dictionaries({"a": [tones(1, 0)], "b": [hiss(1, 0)]}, n_components=2, n_iter=5),
                     KeywordEncoder(), background="magic")


def test_shipped_dictionaries_are_small_and_valid():
    from textsep.paths import find_asset

    path = find_asset("checkpoints", "nmf_dictionaries.npz")
    if not path.exists():
        pytest.skip("checkpoints/nmf_dictionaries.npz not fitted yet (textsep fit-nmf)")
    assert path.stat().st_size < 2_000_000
    d = NMFDictionaries.load(path)
    assert len(d.labels) >= 2 and d.W.shape[0] == 513
    assert all(d.prompts[label] for label in d.labels)


def test_free_wording_reaches_the_right_class_with_minilm():
    """With the real text encoder, paraphrases not among a class's prompts still pick that class."""
    clips = {"dog": [hiss(0.5, 1)], "rain": [tones(0.5, 2)], "female_speech": [hiss(0.5, 3) * 0.5]}
    d = fit_dictionaries(clips, {"dog": ["dog bark"], "rain": ["rain"], "female_speech": ["female speech"]},
                         n_components=2, n_iter=5)
    est = NMFEstimator(d)  # default encoder: MiniLM
    assert est.match("a dog barking loudly")[0] == "dog"
    assert est.match("heavy rainfall on a roof")[0] == "rain"
    assert est.match("a woman talking")[0] == "female_speech"
