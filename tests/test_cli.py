"""`textsep` CLI: every bad input gets its exit code and a one-line message; a good run writes the file."""
from __future__ import annotations

import subprocess
import sys
import types

import numpy as np
import pytest
import soundfile as sf

from textsep import cli
from textsep.edits import EditSpec, Region

SR = 22050


@pytest.fixture
def wav(tmp_path):
    path = tmp_path / "in.wav"
    x = np.random.default_rng(0).standard_normal((int(3 * SR), 2)) * 0.1
    sf.write(str(path), x, SR, subtype="PCM_16")
    return path


@pytest.fixture
def run(capsys):
    def go(*argv):
        code = cli.main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return go


def sep_args(wav, out, ckpt, *extra):
    return ["separate", "--audio-in", wav, "--audio-out", out, "--model-path", ckpt, "-q", *extra]


def test_good_run_writes_the_file(run, wav, tmp_path, tiny_checkpoint):
    out = tmp_path / "out.wav"
    code, _, err = run(*sep_args(wav, out, tiny_checkpoint, "--prompt-text", "dog bark", "--mode", "remove",
                                 "--time-windows", "0.5", "1.5", "2", "2.5"))
    assert code == 0, err
    x, y = sf.read(str(wav), dtype="int16")[0], sf.read(str(out), dtype="int16")[0]
    a, b = int(0.5 * SR), int(1.5 * SR)
    assert x.shape == y.shape and sf.info(str(out)).subtype == "PCM_16"
    assert np.array_equal(x[:a], y[:a]) and np.array_equal(x[int(2.5 * SR):], y[int(2.5 * SR):])
    assert not np.array_equal(x[a:b], y[a:b])


def test_whole_file_and_legacy_form(run, wav, tmp_path, tiny_checkpoint):
    out = tmp_path / "whole.flac"
    code, _, err = run("--audio-in", wav, "--audio-out", out, "--prompt-text", "rain", "--model-path",
                       tiny_checkpoint, "--cpu", "-q")
    assert code == 0, err
    assert sf.info(str(out)).frames == 3 * SR


def test_clipped_window_warns(run, wav, tmp_path, tiny_checkpoint):
    code, _, err = run(*sep_args(wav, tmp_path / "o.wav", tiny_checkpoint, "--prompt-text", "dog",
                                 "--time-windows", "2", "9"))
    assert code == 0 and "warning" in err and "clipped to 3.000 s" in err


def test_edits_file(run, wav, tmp_path, tiny_checkpoint):
    spec = tmp_path / "e.json"
    EditSpec([Region(0.2, 1.0, "dog bark", "remove"), Region(0.5, 2.0, "rain", "keep")]).save(spec)
    code, _, err = run(*sep_args(wav, tmp_path / "o.wav", tiny_checkpoint, "--edits", spec))
    assert code == 0, err
    code, _, err = run(*sep_args(wav, tmp_path / "o2.wav", tiny_checkpoint, "--edits", spec, "--time-windows",
                                 "0", "1"))
    assert code == 2 and "do not combine" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    code, _, err = run(*sep_args(wav, tmp_path / "o3.wav", tiny_checkpoint, "--edits", bad))
    assert code == 2 and "not valid JSON" in err


def test_depth_db_sets_how_far_sound_is_turned_down(run, wav, tmp_path, tiny_checkpoint):
    energy = {}
    for depth in (6, 60):
        out = tmp_path / f"d{depth}.wav"
        code, _, err = run(*sep_args(wav, out, tiny_checkpoint, "--prompt-text", "dog", "--mode", "remove",
                                     "--time-windows", "1", "2", "--depth-db", depth))
        assert code == 0, err
        y, _ = sf.read(str(out))
        energy[depth] = float(np.sum(y[int(1.1 * SR): int(1.9 * SR)] ** 2))
    assert energy[6] > energy[60]
    code, _, err = run(*sep_args(wav, tmp_path / "o4.wav", tiny_checkpoint, "--edits", tmp_path / "none.json",
                                 "--depth-db", "10"))
    assert code == 2 and "do not combine" in err


def _make_zero_length(path):
    sf.write(str(path), np.zeros((0, 1)), SR, subtype="PCM_16")


@pytest.mark.parametrize("case,args,code,message", [
    ("not audio", ["--prompt-text", "dog"], 2, "not a supported audio file"),
    ("missing", ["--prompt-text", "dog"], 2, "File not found"),
    ("zero length", ["--prompt-text", "dog"], 2, "zero length"),
    ("window past end", ["--prompt-text", "dog", "--time-windows", "5", "6"], 2, "starts after the end"),
    ("inverted window", ["--prompt-text", "dog", "--time-windows", "2", "1"], 2, "empty or inverted"),
    ("negative window", ["--prompt-text", "dog", "--time-windows", "-1", "1"], 2, "negative"),
    ("odd windows", ["--prompt-text", "dog", "--time-windows", "0", "1", "2"], 2, "pairs"),
    ("non-numeric window", ["--prompt-text", "dog", "--time-windows", "a", "1"], 2, "invalid float"),
    ("unknown mode", ["--prompt-text", "dog", "--mode", "mute"], 2, "Unknown mode"),
    ("empty prompt", ["--prompt-text", "  "], 2, "prompt is empty"),
    ("zero depth", ["--prompt-text", "dog", "--depth-db", "0"], 2, "depth_db must be in"),
    ("depth with whole file", ["--prompt-text", "dog", "--depth-db", "500"], 2, "depth_db must be in"),
    ("no prompt", [], 2, "--prompt-text is required"),
    ("cpu vs cuda", ["--prompt-text", "dog", "--cpu", "--device", "cuda"], 2, "contradicts"),
    ("unknown option", ["--prompt-text", "dog", "--colour", "red"], 2, "unrecognized arguments"),
])
def test_bad_input(run, wav, tmp_path, tiny_checkpoint, case, args, code, message):
    src = wav
    if case == "not audio":
        src = tmp_path / "text.wav"
        src.write_text("hello")
    elif case == "missing":
        src = tmp_path / "missing.wav"
    elif case == "zero length":
        src = tmp_path / "zero.wav"
        _make_zero_length(src)
    out = tmp_path / "out.wav"
    got, _, err = run(*sep_args(src, out, tiny_checkpoint, *args))
    assert got == code, err
    assert message in err
    assert len(err.strip().splitlines()) == 1, f"one line expected, got: {err!r}"
    assert not out.exists()


def test_model_problems(run, wav, tmp_path, tiny_checkpoint):
    out = tmp_path / "out.wav"
    code, _, err = run(*sep_args(wav, out, tmp_path / "none.pth", "--prompt-text", "dog"))
    assert code == 3 and "not found" in err
    corrupt = tmp_path / "corrupt.pth"
    corrupt.write_bytes(b"\x00garbage" * 100)
    code, _, err = run(*sep_args(wav, out, corrupt, "--prompt-text", "dog"))
    assert code == 3 and "not a TextSep checkpoint" in err
    code, _, err = run(*sep_args(wav, out, tiny_checkpoint, "--prompt-text", "dog", "--baseline"))
    assert code == 3 and "not the text-agnostic baseline" in err
    code, _, err = run(*sep_args(wav, out, tiny_checkpoint, "--prompt-text", "dog", "--device", "cuda"))
    if code != 0:  # a machine with CUDA may legitimately succeed
        assert code == 3 and "CUDA" in err
    code, _, err = run(*sep_args(wav, out, tmp_path / "none.npz", "--prompt-text", "dog", "--method", "nmf"))
    assert code == 3 and "NMF dictionaries not found" in err
    assert not out.exists()


def test_text_agnostic_model_warns(run, wav, tmp_path, tiny_agnostic_checkpoint):
    code, _, err = run(*sep_args(wav, tmp_path / "o.wav", tiny_agnostic_checkpoint, "--prompt-text", "dog"))
    assert code == 0 and "prompt is ignored" in err
    code, _, err = run(*sep_args(wav, tmp_path / "o2.wav", tiny_agnostic_checkpoint, "--prompt-text", "dog",
                                 "--baseline"))
    assert code == 0 and "warning" not in err


def test_output_problems(run, wav, tmp_path, tiny_checkpoint):
    before = wav.read_bytes()
    code, _, err = run(*sep_args(wav, wav, tiny_checkpoint, "--prompt-text", "dog", "--overwrite"))
    assert code == 4 and "input file" in err
    existing = tmp_path / "exists.wav"
    existing.write_bytes(b"mine")
    code, _, err = run(*sep_args(wav, existing, tiny_checkpoint, "--prompt-text", "dog"))
    assert code == 4 and "already exists" in err and existing.read_bytes() == b"mine"
    code, _, err = run(*sep_args(wav, tmp_path / "no" / "such" / "dir.wav", tiny_checkpoint, "--prompt-text", "d"))
    assert code == 4 and "does not exist" in err
    code, _, err = run(*sep_args(wav, tmp_path / "out.txt", tiny_checkpoint, "--prompt-text", "dog"))
    assert code == 4 and "Unsupported output extension" in err
    assert wav.read_bytes() == before
    code, _, err = run(*sep_args(wav, existing, tiny_checkpoint, "--prompt-text", "dog", "--overwrite"))
    assert code == 0 and sf.info(str(existing)).frames == 3 * SR


def test_unwritable_folder(run, wav, tmp_path, tiny_checkpoint, monkeypatch):
    """A folder we may not write to is refused before the model loads (root included: /proc)."""
    import os

    from textsep.separate import Separator

    loaded = []
    monkeypatch.setattr(Separator, "from_checkpoint", classmethod(lambda cls, *a, **k: loaded.append(1)))
    if os.getuid() == 0:
        target = "/proc/textsep_out.wav"
    else:
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o555)
        target = ro / "o.wav"
    code, _, err = run(*sep_args(wav, target, tiny_checkpoint, "--prompt-text", "dog"))
    assert code == 4 and "not writable" in err and loaded == []


def test_ctrl_c_gives_130_and_no_output(run, wav, tmp_path, tiny_checkpoint, monkeypatch):
    from textsep.separate import Separator

    def interrupted(self, *a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(Separator, "separate_file", interrupted)
    out = tmp_path / "o.wav"
    code, _, err = run(*sep_args(wav, out, tiny_checkpoint, "--prompt-text", "dog"))
    assert code == 130 and "cancelled" in err and not out.exists()


def test_nmf_method(run, wav, tmp_path):
    from textsep.nmf import fit_dictionaries

    rng = np.random.default_rng(1)
    d = fit_dictionaries({"dog": [rng.standard_normal(16000).astype(np.float32)],
                          "rain": [np.sin(np.arange(16000) * 0.3).astype(np.float32)]},
                         {"dog": ["dog bark"], "rain": ["rain"]}, n_components=2, n_iter=10)
    npz = d.save(tmp_path / "d.npz")
    out = tmp_path / "o.wav"
    code, _, err = run(*sep_args(wav, out, npz, "--prompt-text", "dog barking", "--method", "nmf",
                                 "--time-windows", "1", "2"))
    assert code == 0, err
    assert "NMF used class 'dog'" in err and out.exists()


def test_dispatch_to_train_and_evaluate(run, monkeypatch):
    seen = {}
    fake = types.ModuleType("textsep.training.cli")
    fake.main = lambda argv: seen.setdefault("argv", argv) and 7
    monkeypatch.setitem(sys.modules, "textsep.training.cli", fake)
    code, _, _ = run("train", "--epochs", "1", "--help-me")
    assert code == 7 and seen["argv"] == ["--epochs", "1", "--help-me"]
    monkeypatch.setitem(sys.modules, "textsep.evaluation.cli", None)  # as if the module were absent
    code, _, err = run("evaluate", "--cases", "x.csv")
    assert code == 5 and "no working textsep.evaluation.cli module" in err


def test_help_is_fast_and_imports_no_torch():
    code = ("import sys, textsep.cli; "
            "rc = None\n"
            "try:\n    textsep.cli.main(['--help'])\nexcept SystemExit as e:\n    rc = e.code\n"
            "print('torch' in sys.modules, 'transformers' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert r.stdout.strip().splitlines()[-1] == "False False", r.stderr
    assert "exit codes" in r.stdout


def test_usage_errors(run):
    code, _, err = run()
    assert code == 2 and "usage" in err
    code, _, err = run("separate", "--audio-in", "x.wav")
    assert code == 2 and "--audio-out" in err


def test_suggest(run, wav, tiny_checkpoint):
    code, out, err = run("suggest", "--audio-in", wav, "--window", "0.5", "2", "--model-path", tiny_checkpoint)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 3 and any("dog bark" in line for line in lines)


def test_suggest_errors(run, wav, tmp_path, tiny_agnostic_checkpoint, tiny_checkpoint):
    code, _, err = run("suggest", "--audio-in", wav, "--model-path", tiny_agnostic_checkpoint)
    assert code == 3 and "text-agnostic" in err
    silent = tmp_path / "silent.wav"
    sf.write(str(silent), np.zeros(SR), SR, subtype="PCM_16")
    code, _, err = run("suggest", "--audio-in", silent, "--model-path", tiny_checkpoint)
    assert code == 2 and "silent" in err
