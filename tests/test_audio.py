"""Audio I/O: bit-exact pass-through, rates and channels kept, atomic writes, refusal to clobber."""
from __future__ import annotations

import os
import stat

import numpy as np
import pytest
import soundfile as sf
from _fakes import LocalGate

from textsep import audio as audio_io
from textsep.audio import AtomicWriter, AudioError, OutputError
from textsep.edits import Region
from textsep.separate import Separator

FORMATS = [("wav", "PCM_16"), ("wav", "PCM_24"), ("wav", "FLOAT"), ("flac", "PCM_16"), ("flac", "PCM_24"),
           ("wav", "PCM_U8"), ("flac", "PCM_S8"), ("wav", "PCM_32"), ("wav", "DOUBLE"), ("aiff", "PCM_16")]


def write_test_file(path, sr, channels, subtype, seconds=1.0, seed=0):
    """Full-scale noise, quantised by libsndfile itself to the subtype's resolution."""
    rng = np.random.default_rng(seed)
    x = np.clip(rng.standard_normal((int(seconds * sr), channels)) * 0.3, -1, 1)
    sf.write(str(path), x, sr, subtype=subtype)
    return path


def raw(path):
    info = sf.info(str(path))
    dtype = "int32" if info.subtype.startswith("PCM") else "float64"
    return sf.read(str(path), dtype=dtype, always_2d=True)[0]


@pytest.mark.parametrize("ext,subtype", FORMATS)
def test_load_save_round_trip_is_bit_exact(tmp_path, ext, subtype):
    src = write_test_file(tmp_path / f"in.{ext}", 44100, 2, subtype)
    a = audio_io.load(src)
    assert a.subtype == subtype and a.samples.shape == (2, 44100)
    out = audio_io.save(a, tmp_path / f"out.{ext}")
    assert sf.info(str(out)).subtype == subtype
    assert np.array_equal(raw(src), raw(out))


@pytest.mark.parametrize("ext,subtype", FORMATS)
def test_separate_file_is_bit_exact_outside_the_region(tmp_path, ext, subtype):
    sr = 44100
    src = write_test_file(tmp_path / f"in.{ext}", sr, 2, subtype, seconds=2.0)
    out = tmp_path / f"out.{ext}"
    region = Region(0.6, 1.1, "tone", "remove")
    report = Separator(LocalGate()).separate_file(src, out, [region])
    assert report.warnings == []
    a, b = region.span(sr)
    x, y = raw(src), raw(out)
    assert x.shape == y.shape and sf.info(str(out)).subtype == subtype
    assert np.array_equal(x[:a], y[:a]) and np.array_equal(x[b:], y[b:])
    assert not np.array_equal(x[a:b], y[a:b])


@pytest.mark.parametrize("sr", [8000, 11025, 22050, 44100, 48000, 96000, 192000])
@pytest.mark.parametrize("channels", [1, 2, 6])
def test_rate_and_channels_preserved(tmp_path, sr, channels):
    src = write_test_file(tmp_path / "in.wav", sr, channels, "PCM_16", seconds=0.25)
    a = audio_io.load(src)
    assert (a.sr, a.channels, a.frames) == (sr, channels, int(0.25 * sr))
    out = tmp_path / "out.wav"
    Separator(LocalGate()).separate_file(src, out, [Region(0.05, 0.2, "tone")])
    i = sf.info(str(out))
    assert (i.samplerate, i.channels, i.frames, i.subtype) == (sr, channels, int(0.25 * sr), "PCM_16")


def test_read_span_matches_full_read(tmp_path):
    src = write_test_file(tmp_path / "in.flac", 22050, 2, "PCM_24")
    full = audio_io.load(src).samples
    assert np.array_equal(audio_io.read_span(src, 1000, 5000), full[:, 1000:5000])
    with pytest.raises(AudioError, match="ended early"):
        audio_io.read_span(src, 22000, 23000)


def test_format_conversion_is_reported(tmp_path):
    src = write_test_file(tmp_path / "in.wav", 16000, 1, "FLOAT")
    report = Separator(LocalGate()).separate_file(src, tmp_path / "out.flac", [Region(0.2, 0.4, "tone")])
    assert sf.info(str(tmp_path / "out.flac")).subtype == "PCM_24"
    assert any("cannot store FLOAT" in w for w in report.warnings)


def _only(tmp_path, *names):
    return sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.wav"
    with pytest.raises(RuntimeError, match="boom"), AtomicWriter(target, 16000, 1, "PCM_16") as w:
        w.write_float(np.zeros((1, 1000)))
        assert len(list(tmp_path.iterdir())) == 1  # only the hidden temporary file
        raise RuntimeError("boom")
    assert _only(tmp_path)


def test_atomic_write_failing_flush_is_not_committed(tmp_path, monkeypatch):
    target = tmp_path / "out.wav"
    with pytest.raises(OutputError, match="Writing"), AtomicWriter(target, 16000, 1, "PCM_16") as w:
        w.write_float(np.zeros((1, 1000)))

        def failing_close():
            raise OSError("No space left on device")

        monkeypatch.setattr(w._file, "close", failing_close)
    assert _only(tmp_path)


def test_atomic_write_never_clobbers_a_file_that_appears_meanwhile(tmp_path):
    target = tmp_path / "out.wav"
    with pytest.raises(OutputError, match="appeared"), AtomicWriter(target, 16000, 1, "PCM_16") as w:
        w.write_float(np.zeros((1, 100)))
        target.write_bytes(b"someone else's file")
    assert target.read_bytes() == b"someone else's file"
    assert _only(tmp_path, "out.wav")


def test_saved_file_has_the_usual_mode(tmp_path):
    old = os.umask(0o022)
    try:
        out = audio_io.save(np.zeros((1, 100), np.float32), tmp_path / "o.wav", 16000)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_refuses_to_overwrite_existing_or_input(tmp_path):
    src = write_test_file(tmp_path / "in.wav", 16000, 1, "PCM_16")
    before = src.read_bytes()
    a = audio_io.load(src)
    with pytest.raises(OutputError, match="input file"):
        audio_io.save(a, src, overwrite=True, protect=src)
    with pytest.raises(OutputError, match="already exists"):
        audio_io.save(a, src)
    other = tmp_path / "other.wav"
    other.write_bytes(b"x")
    with pytest.raises(OutputError, match="already exists"):
        Separator(LocalGate()).separate_file(src, other, [Region(0, 0.5, "tone")])
    assert other.read_bytes() == b"x" and src.read_bytes() == before
    audio_io.save(a, other, overwrite=True)  # only when told
    assert np.array_equal(raw(other), raw(src))


@pytest.mark.parametrize("name,problem", [
    ("nofolder/out.wav", "does not exist"),
    ("out.xyz", "Unsupported output extension"),
    (".", "folder"),
])
def test_unwritable_outputs(tmp_path, name, problem):
    with pytest.raises(OutputError, match=problem):
        audio_io.check_output(tmp_path / name)


def test_unreadable_inputs(tmp_path):
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio")
    with pytest.raises(AudioError, match="not a supported audio file"):
        audio_io.load(text)
    empty_bytes = tmp_path / "empty.flac"
    empty_bytes.write_bytes(b"")
    with pytest.raises(AudioError, match="not a supported audio file"):
        audio_io.info(empty_bytes)
    with pytest.raises(AudioError, match="File not found"):
        audio_io.load(tmp_path / "missing.wav")
    with pytest.raises(AudioError, match="Not a file"):
        audio_io.info(tmp_path)


def test_zero_length_file(tmp_path):
    path = tmp_path / "zero.wav"
    sf.write(str(path), np.zeros((0, 2)), 44100, subtype="PCM_16")
    with pytest.raises(AudioError, match="zero length"):
        audio_io.load(path)
    with pytest.raises(AudioError, match="zero length"):
        Separator(LocalGate()).separate_file(path, tmp_path / "o.wav", [Region(0, 1, "x")])
    assert not (tmp_path / "o.wav").exists()


def test_sample_rate_out_of_range(tmp_path):
    path = tmp_path / "slow.wav"
    sf.write(str(path), np.zeros(400), 4000)
    with pytest.raises(AudioError, match="outside the supported"):
        audio_io.info(path)
