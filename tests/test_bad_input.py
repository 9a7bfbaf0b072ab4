"""A bad-input matrix for the `textsep` CLI, run in-process (textsep.cli.main) with the tiny model.

Every case asserts the exit code, the message, that there is no traceback or "internal error", that no
input or existing file was changed or lost and no hidden temporary file was left behind, and, where
the run succeeds, that the audio outside the windows is unchanged. A few cases run a real process, for
signals.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from textsep import audio as audio_io
from textsep import cli

ROOT = Path(__file__).resolve().parent.parent


# ---- helpers -----------------------------------------------------------------------------------
def noise(seconds, sr, channels, seed=0, level=0.2):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((round(seconds * sr), channels)) * level).clip(-0.9, 0.9).astype(np.float32)


def write(path, x, sr, subtype, fmt=None):
    sf.write(str(path), x, sr, subtype=subtype, format=fmt)
    return path


def digest(folder: Path) -> dict:
    """name -> (sha1, mode) of every file under folder (hidden ones too)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(folder))] = (hashlib.sha1(p.read_bytes()).hexdigest(), p.stat().st_mode)
    return out


@pytest.fixture
def run(capsys, tmp_path):
    """run(*argv) -> (code, stdout, stderr), asserting the invariants every case shares."""

    def go(*argv, changed=(), batch=False):
        before = digest(tmp_path)
        code = cli.main([str(a) for a in argv])
        out, err = capsys.readouterr()
        after = digest(tmp_path)
        assert "Traceback" not in err and "internal error" not in err, err
        for name, value in before.items():  # nothing existing was changed or lost (except what the case names)
            if name not in changed:
                assert after.get(name) == value, f"{name} was changed or lost"
        assert not [n for n in after if n.endswith(".part")], f"temporary file left: {after}"
        if code != 0 and not batch:  # a batch keeps the files it finished
            new = set(after) - set(before)
            assert not new, f"a failed run left {new}"
        return code, out, err

    return go


def sep(src, out, ckpt, *extra):
    return ["separate", "--audio-in", src, "--audio-out", out, "--model-path", ckpt, "-q", *extra]


def raw(path, dtype=None):
    info = sf.info(str(path))
    return sf.read(str(path), dtype=dtype or audio_io.io_dtype(info.subtype), always_2d=True)[0]


def assert_outside_equal(a, b, sr, windows, ctx=0):
    """Frames outside every [s, e) window equal, as arrays."""
    keep = np.ones(len(a), bool)
    for s, e in windows:
        keep[round(s * sr) - ctx: round(e * sr) + ctx] = False
    assert a.shape == b.shape
    assert np.array_equal(a[keep], b[keep])


# ---- formats, rates, channels, subtypes: each edits its window and copies the rest exactly ------------
SUBTYPE_CASES = [  # (ext, format, subtype, sr, channels)
    (".wav", "WAV", "PCM_U8", 8000, 1),
    (".wav", "WAV", "PCM_16", 44100, 2),
    (".wav", "WAV", "PCM_24", 48000, 3),
    (".wav", "WAV", "PCM_32", 96000, 2),
    (".wav", "WAV", "FLOAT", 16000, 8),
    (".wav", "WAV", "DOUBLE", 192000, 1),
    (".wav", "WAV", "ULAW", 8000, 1),
    (".wav", "WAV", "ALAW", 11025, 2),
    (".aiff", "AIFF", "PCM_S8", 22050, 2),
    (".aiff", "AIFF", "PCM_32", 32000, 1),
    (".flac", "FLAC", "PCM_16", 32000, 6),
    (".flac", "FLAC", "PCM_24", 88200, 2),
]


@pytest.mark.parametrize("ext,fmt,subtype,sr,channels", SUBTYPE_CASES, ids=[f"{c[2]}-{c[3]}-{c[4]}ch" for c in SUBTYPE_CASES])
def test_every_subtype_rate_and_channel_count(run, tmp_path, tiny_checkpoint, ext, fmt, subtype, sr, channels):
    src = write(tmp_path / f"in{ext}", noise(1.5, sr, channels), sr, subtype, fmt)
    out = tmp_path / f"out{ext}"
    code, _, err = run(*sep(src, out, tiny_checkpoint, "--prompt-text", "dog bark", "--time-windows", "0.5", "1.0"))
    assert code == 0, err
    assert "warning" not in err, err
    i = sf.info(str(out))
    assert (i.samplerate, i.channels, i.subtype, i.frames) == (sr, channels, subtype, sf.info(str(src)).frames)
    x, y = raw(src), raw(out)
    assert_outside_equal(x, y, sr, [(0.5, 1.0)])
    assert not np.array_equal(x, y)


def test_float_to_flac_converts_and_says_so(run, tmp_path, tiny_checkpoint):
    src = write(tmp_path / "in.wav", noise(1.0, 16000, 2), 16000, "FLOAT")
    code, _, err = run(*sep(src, tmp_path / "out.flac", tiny_checkpoint, "--prompt-text", "rain", "--time-windows",
                            "0.2", "0.4"))
    assert code == 0 and "cannot store FLOAT; wrote PCM_24" in err


def test_adpcm_input_is_written_as_its_exact_decode(run, tmp_path, tiny_checkpoint):
    src = write(tmp_path / "in.wav", noise(1.0, 8000, 1), 8000, "IMA_ADPCM")
    out = tmp_path / "out.wav"
    code, _, err = run(*sep(src, out, tiny_checkpoint, "--prompt-text", "rain", "--time-windows", "0.3", "0.6"))
    assert code == 0 and "its exact decode" in err
    assert sf.info(str(out)).subtype == "PCM_16"
    assert_outside_equal(raw(src, "int16"), raw(out, "int16"), 8000, [(0.3, 0.6)])


# ---- lossy inputs (defects 2, 3, 4) ------------------------------------------------------------------
@pytest.mark.parametrize("ext,fmt,subtype", [(".mp3", "MP3", "MPEG_LAYER_III"), (".ogg", "OGG", "VORBIS")])
@pytest.mark.parametrize("out_ext", [".wav", ".flac", ".aiff"])
def test_lossy_input_exports_to_lossless_and_matches_its_decode_outside(run, tmp_path, tiny_checkpoint, ext, fmt,
                                                                         subtype, out_ext):
    sr = 44100
    src = write(tmp_path / f"in{ext}", noise(4.0, sr, 2), sr, subtype, fmt)
    out = tmp_path / f"out{out_ext}"
    windows = [(1.0, 1.5), (2.2, 3.0)]
    code, _, err = run(*sep(src, out, tiny_checkpoint, "--prompt-text", "dog bark", "--time-windows",
                            *[v for w in windows for v in w]))
    assert code == 0, err
    assert "decoded once" in err  # says what the output holds
    decode = sf.read(str(src), dtype="float32", always_2d=True)[0]
    expected = audio_io.float_to_raw(decode.T, "PCM_16")
    assert sf.info(str(out)).subtype == "PCM_16"
    # no click after the windows: every sample outside them is the decode (rounded to 16 bits)
    assert_outside_equal(expected, raw(out, "int32"), sr, windows)


@pytest.mark.parametrize("ext,fmt,subtype", [(".mp3", "MP3", "MPEG_LAYER_III"), (".ogg", "OGG", "VORBIS")])
def test_lossy_to_same_lossy_warns_that_it_reencodes(run, tmp_path, tiny_checkpoint, ext, fmt, subtype):
    src = write(tmp_path / f"in{ext}", noise(2.0, 44100, 2), 44100, subtype, fmt)
    out = tmp_path / f"out{ext}"
    code, _, err = run(*sep(src, out, tiny_checkpoint, "--prompt-text", "rain", "--time-windows", "0.5", "1"))
    assert code == 0 and "re-encoded" in err and "not sample for sample" in err
    assert sf.info(str(out)).subtype == subtype


def test_output_format_that_cannot_hold_the_audio_fails_before_the_model(run, tmp_path, monkeypatch):
    src = write(tmp_path / "in.wav", noise(0.5, 96000, 2), 96000, "PCM_16")
    three = write(tmp_path / "in3.wav", noise(0.5, 16000, 3), 16000, "PCM_16")
    from textsep import loading

    monkeypatch.setattr(loading, "load_separator", lambda *a, **k: pytest.fail("the model must not load"))
    for path, out in ((src, "out.mp3"), (three, "out3.mp3")):
        code, _, err = run(*sep(path, tmp_path / out, "unused.pth", "--prompt-text", "rain"))
        assert code == 4 and "cannot hold that audio" in err, err


def test_mp3_source_picks_pcm16_for_lossless_containers():
    for ext, fmt in ((".wav", "WAV"), (".aiff", "AIFF"), (".flac", "FLAC")):
        assert audio_io.output_format(f"x{ext}", "MPEG_LAYER_III") == (fmt, "PCM_16")
        assert audio_io.output_format(f"x{ext}", "VORBIS") == (fmt, "PCM_16")
    assert audio_io.output_format("x.ogg", "MPEG_LAYER_III") == ("OGG", "VORBIS")
    assert audio_io.output_format("x.mp3", "VORBIS") == ("MP3", "MPEG_LAYER_III")


# ---- non-finite samples, silence, tiny and broken files (defect 1) -----------------------------------
@pytest.mark.parametrize("where,value", [(0.75, np.nan), (0.75, np.inf), (0.3, -np.inf)],
                         ids=["nan-inside", "inf-inside", "inf-in-context"])
@pytest.mark.parametrize("out_ext", [".wav", ".flac"])
def test_non_finite_samples_near_a_window_are_an_input_error(run, tmp_path, tiny_checkpoint, where, value, out_ext):
    sr = 16000
    x = noise(2.0, sr, 2)
    x[int(where * sr), 1] = value
    src = write(tmp_path / "in.wav", x, sr, "FLOAT")
    code, _, err = run(*sep(src, tmp_path / f"out{out_ext}", tiny_checkpoint, "--prompt-text", "rain",
                            "--time-windows", "0.5", "1.0"))
    assert code == 2 and "NaN or infinite" in err and f"{where:.3f} s" in err, err


def test_non_finite_samples_far_from_windows_are_copied_with_a_warning(run, tmp_path, tiny_checkpoint):
    sr = 16000
    x = noise(6.0, sr, 1)
    x[int(5.8 * sr), 0] = np.nan  # beyond the 3 s the model hears after the window
    src = write(tmp_path / "in.wav", x, sr, "FLOAT")
    out = tmp_path / "out.wav"
    code, _, err = run(*sep(src, out, tiny_checkpoint, "--prompt-text", "rain", "--time-windows", "0.5", "1.0"))
    assert code == 0 and "1 NaN or infinite sample(s) outside the regions" in err
    y = raw(out)
    assert np.isfinite(y[: int(2 * sr)]).all()
    assert_outside_equal(raw(src).view(np.uint32), y.view(np.uint32), sr, [(0.5, 1.0)])
    # into FLAC they cannot go: an input error, not a silent zero
    code, _, err = run(*sep(src, tmp_path / "out.flac", tiny_checkpoint, "--prompt-text", "rain", "--time-windows",
                            "0.5", "1.0"))
    assert code == 2 and "cannot store them" in err


def test_digital_silence_is_fine(run, tmp_path, tiny_checkpoint):
    src = write(tmp_path / "in.wav", np.zeros((16000, 2), np.float32), 16000, "PCM_16")
    out = tmp_path / "out.wav"
    code, _, err = run(*sep(src, out, tiny_checkpoint, "--prompt-text", "rain", "--mode", "remove"))
    assert code == 0, err
    assert not raw(out).any()


@pytest.mark.parametrize("frames", [1, 7, 300])
def test_tiny_files(run, tmp_path, tiny_checkpoint, frames):
    src = write(tmp_path / "in.wav", noise(frames / 8000, 8000, 1), 8000, "PCM_16")
    out = tmp_path / "out.wav"
    code, _, err = run(*sep(src, out, tiny_checkpoint, "--prompt-text", "rain"))
    assert code == 0, err
    assert sf.info(str(out)).frames == frames


@pytest.mark.parametrize("make,message", [
    (lambda p: sf.write(str(p), np.zeros((0, 1)), 16000), "no audio"),
    (lambda p: p.write_bytes(b""), "not a supported audio file"),
    (lambda p: p.write_text("just some text"), "not a supported audio file"),
    (lambda p: sf.write(str(p), np.zeros((4000, 1)), 4000), "outside the supported"),
    (lambda p: p.mkdir(), "Not a file"),
    (lambda p: None, "File not found"),
], ids=["zero-length", "empty-file", "text-file", "rate-4k", "folder", "missing"])
def test_unreadable_inputs(run, tmp_path, tiny_checkpoint, make, message):
    src = tmp_path / "in.wav"
    make(src)
    code, _, err = run(*sep(src, tmp_path / "out.wav", tiny_checkpoint, "--prompt-text", "rain"))
    assert code == 2 and message in err, err


def test_truncated_wav(run, tmp_path, tiny_checkpoint):
    src = write(tmp_path / "in.wav", noise(1.0, 16000, 2), 16000, "PCM_16")
    data = src.read_bytes()
    src.write_bytes(data[: len(data) // 2])
    out = tmp_path / "out.wav"
    code, _, err = run(*sep(src, out, tiny_checkpoint, "--prompt-text", "rain", "--time-windows", "0.1", "0.2"),
                       changed=())
    assert code in (0, 2), err
    if code == 0:  # libsndfile counts the frames that are there: the output is the half that exists
        assert sf.info(str(out)).frames == sf.info(str(src)).frames


# ---- window and prompt mistakes (defect 5) ------------------------------------------------------------
@pytest.fixture
def wav3(tmp_path):
    return write(tmp_path / "in.wav", noise(3.0, 22050, 2), 22050, "PCM_16")


@pytest.mark.parametrize("args,message", [
    (["--time-windows", "1"], "pairs"),
    (["--time-windows", "2", "1"], "empty or inverted"),
    (["--time-windows", "-1", "1"], "negative"),
    (["--time-windows", "4", "5"], "starts after the end"),
    (["--time-windows", "2.99999999", "3"], "covers no whole sample"),
    (["--time-windows", "1.00000001", "1.00000002"], "covers no whole sample"),
    (["--time-windows", "nan", "1"], "finite number"),
    (["--time-windows", "0", "inf"], "finite number"),
    (["--time-windows", "a", "b"], "invalid float"),
    (["--prompt-text", ""], "prompt is empty"),
    (["--prompt-text", "   "], "prompt is empty"),
    (["--mode", "keep"], "--prompt-text is required"),
    (["--prompt-text", "rain", "--mode", "delete"], "Unknown mode"),
    (["--prompt-text", "rain", "--depth-db", "0"], "depth_db"),
    (["--prompt-text", "rain", "--fade-ms", "-5"], "fade_ms"),
    (["--prompt-text", "rain", "--device", "tpu"], "Unknown device"),
], ids=lambda v: "_".join(v) if isinstance(v, list) else None)
def test_window_and_prompt_mistakes(run, tmp_path, wav3, tiny_checkpoint, args, message):
    if "--prompt-text" not in args and "--mode" not in args:
        args = ["--prompt-text", "rain", *args]
    code, _, err = run(*sep(wav3, tmp_path / "out.wav", tiny_checkpoint, *args))
    assert code == 2 and message in err, err


def test_window_past_the_end_is_clipped(run, tmp_path, wav3, tiny_checkpoint):
    out = tmp_path / "out.wav"
    code, _, err = run(*sep(wav3, out, tiny_checkpoint, "--prompt-text", "rain", "--time-windows", "2", "9"))
    assert code == 0 and "clipped to 3.000 s" in err
    assert_outside_equal(raw(wav3), raw(out), 22050, [(2, 3)])


def test_unknown_prompt_with_strict(run, tmp_path, wav3, tiny_checkpoint):
    code, _, err = run(*sep(wav3, tmp_path / "out.wav", tiny_checkpoint, "--prompt-text", "quantum entanglement",
                            "--strict"))
    assert code == 2 and "--strict" in err


@pytest.mark.parametrize("content,message", [
    (b"\xff\xfe{\x00\"\x00", "not UTF-8"),
    (b"{oops", "not valid JSON"),
    (b'{"regions": [{"start_s": 0, "end_s": 1, "prompt": "rain", "colour": "red"}]}', "Unknown region field"),
    (b'{"regions": [{"start_s": 0, "end_s": 1, "prompt": "rain", "enabled": false}]}', "no enabled regions"),
    (b'{"regions": "all"}', "must be"),
    (None, "Cannot read edit spec"),
], ids=["latin", "json", "field", "disabled", "shape", "missing"])
def test_edit_spec_mistakes(run, tmp_path, wav3, tiny_checkpoint, content, message):
    spec = tmp_path / "edits.json"
    if content is not None:
        spec.write_bytes(content)
    code, _, err = run(*sep(wav3, tmp_path / "out.wav", tiny_checkpoint, "--edits", spec))
    assert code == 2 and message in err, err
    code, _, err = run("batch", "--input-dir", tmp_path, "--output-dir", tmp_path / "o", "--edits", spec,
                       "--model-path", tiny_checkpoint, "-q")
    assert code == 2 and message in err, err


# ---- model files (defect 6: no unsafe advice, no leaked warnings) --------------------------------------
class _Hostile:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _checkpoints(tmp_path):
    import pickle

    import torch

    marker = tmp_path / "PWNED"
    files = {}
    files["hostile.pth"] = tmp_path / "hostile.pth"
    torch.save({"format": "textsep-checkpoint", "x": _Hostile(str(marker))}, files["hostile.pth"])
    files["pickle.pth"] = tmp_path / "pickle.pth"
    files["pickle.pth"].write_bytes(pickle.dumps(_Hostile(str(marker))))
    files["garbage.pth"] = tmp_path / "garbage.pth"
    files["garbage.pth"].write_bytes(b"\x00garbage" * 64)
    files["empty.pth"] = tmp_path / "empty.pth"
    files["empty.pth"].write_bytes(b"")
    files["list.pth"] = tmp_path / "list.pth"
    torch.save([1, 2], files["list.pth"])
    files["truncated.pth"] = tmp_path / "truncated.pth"
    data = (ROOT / "checkpoints" / "textsep_unet_agnostic.pth").read_bytes()
    files["truncated.pth"].write_bytes(data[: len(data) // 3])
    files["wrong.pth"] = tmp_path / "wrong.pth"
    torch.save({"format": "textsep-checkpoint", "version": 1, "model_config": {"n_bands": 4}, "spec": {},
                "state_dict": {}}, files["wrong.pth"])
    return files, marker


@pytest.mark.parametrize("name", ["hostile.pth", "pickle.pth", "garbage.pth", "empty.pth", "list.pth",
                                  "truncated.pth", "wrong.pth", "missing.pth"])
def test_bad_checkpoints(run, tmp_path, wav3, name):
    files, marker = _checkpoints(tmp_path)
    ckpt = files.get(name, tmp_path / name)
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("error")  # torch's pickle-protocol UserWarning must not leak
        code, _, err = run(*sep(wav3, tmp_path / "out.wav", ckpt, "--prompt-text", "rain"))
    assert code == 3, err
    assert name in err and ("not a TextSep checkpoint" in err or "empty" in err or "not found" in err
                            or "does not match" in err), err
    assert "weights_only" not in err and "trust" not in err
    assert not marker.exists(), "a hostile checkpoint ran code"


@pytest.mark.parametrize("kind", ["pickle", "object-array", "no-header", "no-labels"])
def test_bad_nmf_dictionaries(run, tmp_path, wav3, kind):
    import pickle

    marker = tmp_path / "PWNED"
    path = tmp_path / "d.npz"
    if kind == "pickle":
        path.write_bytes(pickle.dumps(_Hostile(str(marker))))
    elif kind == "object-array":
        np.savez(path, header=np.array([{"a": 1}], dtype=object))
    elif kind == "no-header":
        np.savez(path, W=np.zeros((513, 2)))
    else:
        np.savez(path, header=np.array('{"format": "textsep-nmf", "version": 1}'), W=np.zeros((513, 2), np.float32),
                 atom_class=np.zeros(2, np.int16))
    code, _, err = run(*sep(wav3, tmp_path / "out.wav", path, "--prompt-text", "rain", "--method", "nmf"))
    assert code == 3 and "NMF dictionary file" in err, err
    assert "allow_pickle" not in err and not marker.exists()


# ---- output problems ---------------------------------------------------------------------------------
@pytest.mark.parametrize("target,message", [
    ("exists", "already exists"),
    ("input", "is the input"),
    ("nofolder/out.wav", "does not exist"),
    ("out.xyz", "Unsupported output extension"),
    ("folder", "is a folder"),
    ("/proc/out.wav", "not writable"),
], ids=["exists", "input", "no-folder", "extension", "folder", "unwritable"])
def test_output_problems(run, tmp_path, wav3, tiny_checkpoint, target, message):
    if target == "exists":
        out = tmp_path / "exists.wav"
        out.write_bytes(b"precious")
    elif target == "input":
        out = wav3
    elif target == "folder":
        out = tmp_path / "folder"
        out.mkdir()
    else:
        out = tmp_path / target if not target.startswith("/") else Path(target)
    code, _, err = run(*sep(wav3, out, tiny_checkpoint, "--prompt-text", "rain"))
    assert code == 4 and message in err, err


def test_overwrite_keeps_the_replaced_files_mode(run, tmp_path, wav3, tiny_checkpoint):
    out = tmp_path / "out.wav"
    out.write_bytes(b"old")
    os.chmod(out, 0o600)
    code, _, err = run(*sep(wav3, out, tiny_checkpoint, "--prompt-text", "rain", "--overwrite"), changed=("out.wav",))
    assert code == 0, err
    assert (out.stat().st_mode & 0o777) == 0o600 and sf.info(str(out)).frames == 3 * 22050


def test_nothing_sets_the_umask():
    """_umask() used to set the process umask to 0 for a moment (a race for other threads): gone."""
    for path in (ROOT / "textsep").rglob("*.py"):
        assert "os.umask" not in path.read_text(), path


# ---- suggest and batch ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,message", [("nan", "NaN or infinite"), ("silence", "silent")])
def test_suggest_refuses_what_it_cannot_score(run, tmp_path, tiny_checkpoint, kind, message):
    x = noise(1.0, 16000, 1) if kind == "nan" else np.zeros((16000, 1), np.float32)
    if kind == "nan":
        x[8000, 0] = np.nan
    src = write(tmp_path / "in.wav", x, 16000, "FLOAT")
    code, out, err = run("suggest", "--audio-in", src, "--model-path", tiny_checkpoint)
    assert code == 2 and message in err and "nan" not in out, (out, err)


def test_batch_progress_in_a_log_is_plain_lines(run, tmp_path, tiny_checkpoint):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(2):
        write(d / f"f{i}.wav", noise(0.5, 16000, 1, seed=i), 16000, "PCM_16")
    (d / "bad.wav").write_text("not audio")
    code, _, err = run("batch", "--input-dir", d, "--output-dir", tmp_path / "out", "--prompt-text", "rain",
                       "--model-path", tiny_checkpoint, batch=True)
    assert code == 1
    assert "\r" not in err and "|" not in err, err  # no bar drawn into a file
    assert "[1/3] failed" in err and "[3/3] written" in err and "2 written, 0 skipped, 1 failed" in err


def test_batch_ctrl_c_says_what_was_kept(run, tmp_path, tiny_checkpoint, monkeypatch):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(3):
        write(d / f"f{i}.wav", noise(0.5, 16000, 1, seed=i), 16000, "PCM_16")
    from textsep.separate import Separator

    real, calls = Separator.separate_file, []

    def interrupted_on_the_second(self, *a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, *a, **k)

    monkeypatch.setattr(Separator, "separate_file", interrupted_on_the_second)
    code, _, err = run("batch", "--input-dir", d, "--output-dir", tmp_path / "out", "--prompt-text", "rain",
                       "--model-path", tiny_checkpoint, "-q", batch=True)
    assert code == 130
    assert "nothing was written" not in err and "the 1 written before it are kept" in err, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["f0.wav"]


# ---- signals, in a real process -----------------------------------------------------------------------
def _wait_for(predicate, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_while_writing_removes_the_temporary_file(tmp_path, tiny_checkpoint, sig):
    sr = 48000
    src = tmp_path / "in.wav"
    with sf.SoundFile(str(src), "w", sr, 2, "PCM_16") as f:
        for i in range(12):
            f.write(noise(10.0, sr, 2, seed=i))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "textsep", "separate", "--audio-in", str(src), "--audio-out",
                             str(out_dir / "out.wav"), "--prompt-text", "rain", "--model-path", str(tiny_checkpoint),
                             "-q"], stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509 - a background
    # shell starts children with SIGINT ignored, and Python then installs no KeyboardInterrupt handler
    try:
        assert _wait_for(lambda: any(out_dir.iterdir()), 120), "the output was never opened"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "cancelled" in err and "Traceback" not in err
    assert list(out_dir.iterdir()) == []
