"""Print validation SI-SDRi against CPU minutes for training runs, side by side.

    python benchmarks/training_curves.py checkpoints/training/experiments/*.json checkpoints/training/*_history.json

Each history.json comes from `textsep train`; `cpu_minutes` is process CPU time summed over all training
processes, so runs made while the machine was shared compare fairly. Rows are CPU-minute marks; a cell
shows keep/remove SI-SDRi (dB) of the last validation at or before the mark (smoothed over the last 3
validations, since single validations of 96 mixtures are noisy).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def at(history, minute, key, smooth=3):
    past = [r for r in history if r["cpu_minutes"] <= minute + 1e-9]
    if not past:
        return None
    vals = [r[key] for r in past[-smooth:]]
    return sum(vals) / len(vals)


def main(paths) -> int:
    runs = {Path(p).stem.replace("_history", ""): json.loads(Path(p).read_text()) for p in paths}
    runs = {k: v for k, v in runs.items() if v}
    if not runs:
        print("no histories given")
        return 1
    top = max(r[-1]["cpu_minutes"] for r in runs.values())
    marks = [m for m in (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 360) if m <= top + 1]
    names = list(runs)
    print("validation SI-SDRi keep/remove (dB) vs CPU minutes, mean of the last 3 validations at each mark\n")
    print("| CPU min | " + " | ".join(names) + " |")
    print("|---:|" + "---|" * len(names))
    for m in marks:
        cells = []
        for n in names:
            k, r = at(runs[n], m, "val_sisdri_keep"), at(runs[n], m, "val_sisdri_remove")
            cells.append("" if k is None or runs[n][-1]["cpu_minutes"] < m - 1 else f"{k:+.1f} / {r:+.1f}")
        print(f"| {m} | " + " | ".join(cells) + " |")
    print("\n| run | steps | CPU min | last keep | last remove | best mean |")
    print("|---|---:|---:|---:|---:|---:|")
    for n, h in runs.items():
        best = max(0.5 * (r["val_sisdri_keep"] + r["val_sisdri_remove"]) for r in h)
        print(f"| {n} | {h[-1]['step']} | {h[-1]['cpu_minutes']:.1f} | {h[-1]['val_sisdri_keep']:+.2f} | "
              f"{h[-1]['val_sisdri_remove']:+.2f} | {best:+.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
