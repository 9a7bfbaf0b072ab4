"""The README's Python example runs as written (the public API: from textsep import Separator, Region, EditSpec)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_example_runs(tmp_path):
    code = re.search(r"## From Python\n\n```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    shutil.copy(ROOT / "resources" / "sample.wav", tmp_path / "in.wav")
    x, sr = sf.read(ROOT / "resources" / "sample.wav")
    sf.write(tmp_path / "in.flac", x, sr)
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("dog (")
    a, _ = sf.read(tmp_path / "out.wav")
    b, _ = sf.read(tmp_path / "out.flac")
    assert a.shape == x.shape and b.shape == x.shape
    assert (a[: int(1.9 * sr)] == x[: int(1.9 * sr)]).all()  # before the first region: untouched


def test_python_m_textsep_is_the_cli():
    r = subprocess.run([sys.executable, "-m", "textsep", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "separate" in r.stdout and "sounds" in r.stdout
    assert not (ROOT / "core").exists(), "no top-level core package remains"
