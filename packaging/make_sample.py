"""Build resources/sample.wav: a 10 s, 44.1 kHz stereo PCM_16 demo mix made only of CC0 clips.

A guitar bed (three Sonic Pi guitar samples, left of centre) with a soft piano (right of centre), a dog
barking at 2-4 s and a cow mooing at about 6.4-7.7 s. The clips come from the project's corpus
(/work/shared/corpus, 16 kHz mono FLAC, so the mix has no content above 8 kHz); every clip's licence is
read from the corpus manifest and the script refuses anything that is not CC0. The result is committed,
so the app never needs the corpus at run time. Provenance: resources/README.md.

Run: python packaging/make_sample.py [--corpus /work/shared/corpus] [--out resources/sample.wav]
"""
from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SR = 44100
DURATION_S = 10.0
PEAK_DBFS = -1.0


@dataclass(frozen=True)
class Clip:
    path: str          # relative to the corpus root
    at_s: float        # where it starts in the mix
    src_from_s: float  # excerpt of the source clip
    src_to_s: float | None
    gain_db: float
    pan: float         # -1 left .. +1 right (constant-power)
    fade_ms: float = 20.0


CLIPS = (
    Clip("audio/guitar/sonicpi-guit-e-fifths_f29517_0.flac", 0.0, 0.0, None, -6.0, -0.35, 5.0),
    Clip("audio/guitar/sonicpi-guit-em9_2c735e_0.flac", 4.4, 0.0, None, -10.0, -0.35, 300.0),
    Clip("audio/guitar/sonicpi-guit-harmonics_d81af2_0.flac", 7.6, 0.3, None, -12.0, -0.5, 30.0),
    Clip("audio/piano/sonicpi-ambi-piano_965e5d_0.flac", 0.6, 0.0, None, -15.0, 0.4, 5.0),
    Clip("audio/piano/sonicpi-ambi-piano_965e5d_0.flac", 5.6, 0.0, None, -15.0, 0.4, 5.0),
    Clip("audio/dog/ovos-dog_f79e3c_0.flac", 2.0, 0.25, 2.25, -3.0, 0.15),
    Clip("audio/cow/ovos-cow_d18628_0.flac", 6.4, 0.9, 2.15, -4.0, -0.1),
)


def _read_manifest(corpus: Path) -> dict[str, dict]:
    with open(corpus / "manifest.csv", newline="") as f:
        return {row["path"]: row for row in csv.DictReader(f)}


def _fade(x: np.ndarray, n: int) -> np.ndarray:
    n = min(n, len(x) // 2)
    if n > 0:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n))
        ramp = ramp.reshape((n,) + (1,) * (x.ndim - 1))
        x[:n] *= ramp
        x[-n:] *= ramp[::-1]
    return x


def build(corpus: Path) -> tuple[np.ndarray, list[dict]]:
    import soundfile as sf
    import soxr

    manifest = _read_manifest(corpus)
    mix = np.zeros((2, int(DURATION_S * SR)), dtype=np.float64)
    used = []
    for c in CLIPS:
        row = manifest.get(c.path)
        if row is None:
            raise SystemExit(f"{c.path} is not in {corpus / 'manifest.csv'}")
        if not row["license"].startswith("CC0"):
            raise SystemExit(f"{c.path} is licensed {row['license']!r}, not CC0: refusing to put it in the sample")
        x, sr = sf.read(str(corpus / c.path), dtype="float64", always_2d=True)
        x = x.mean(axis=1)
        x = x[int(c.src_from_s * sr): None if c.src_to_s is None else int(c.src_to_s * sr)]
        x = soxr.resample(x, sr, SR, quality="VHQ")
        x = _fade(x * 10 ** (c.gain_db / 20), int(c.fade_ms * SR / 1000))
        theta = (c.pan + 1) * np.pi / 4
        a = round(c.at_s * SR)
        x = x[: mix.shape[1] - a]
        mix[0, a: a + len(x)] += np.cos(theta) * x
        mix[1, a: a + len(x)] += np.sin(theta) * x
        used.append({**row, "at_s": c.at_s, "end_s": round(c.at_s + len(x) / SR, 3),
                     "excerpt": f"{c.src_from_s:g}-{c.src_to_s if c.src_to_s is not None else float(row['duration_s']):g} s"})
    mix *= 10 ** (PEAK_DBFS / 20) / np.max(np.abs(mix))
    _fade(mix.T, int(0.01 * SR))  # no click at either end
    return mix.astype(np.float32), used


def main(argv=None) -> int:
    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="/work/shared/corpus")
    ap.add_argument("--out", default=str(root / "resources" / "sample.wav"))
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    if not (corpus / "manifest.csv").is_file():
        print(f"error: no corpus at {corpus} (manifest.csv missing); pass --corpus", file=sys.stderr)
        return 2
    import soundfile as sf

    mix, used = build(corpus)
    sf.write(args.out, mix.T, SR, subtype="PCM_16")
    print(f"wrote {args.out}: {mix.shape[1] / SR:.2f} s, {SR} Hz, {mix.shape[0]} ch, PCM_16, "
          f"{Path(args.out).stat().st_size / 1e6:.2f} MB")
    print("| at (s) | clip | excerpt | label | licence |")
    print("|---|---|---|---|---|")
    for u in used:
        print(f"| {u['at_s']:g}-{u['end_s']:g} | `{u['path']}` ({u['group']}) | {u['excerpt']} | {u['label']} | "
              f"{u['license']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
