"""Per-class and per-question figures from an evaluation's per_case.csv, several results side by side.

    python benchmarks/per_class.py runs/cases300/results/per_case.csv [NAME=OTHER/per_case.csv ...]

Prints, for each method of each file: mean SI-SDRi by target class (keep and remove together), the share
of cases where the right prompt beats the interferer's prompt (all cases, and female vs male speech),
and the classes below 3 dB. Classes are those of the case set (corpus v2's validation split).
"""
from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def table(rows: list[dict], method: str) -> dict:
    by_case = {r["case_id"]: r for r in rows if r["method"] == method}
    wrong = {r["case_id"]: r for r in rows if r["method"] == "wrong-prompt"}
    per_class = defaultdict(list)
    for r in by_case.values():
        per_class[r["label"]].append(float(r["si_sdri"]))
    wins = [float(r["si_sdri"]) > float(wrong[c]["si_sdri"]) for c, r in by_case.items() if c in wrong]
    speech = [float(r["si_sdri"]) > float(wrong[c]["si_sdri"]) for c, r in by_case.items()
              if c in wrong and {r["label"], r["interferer_label"]} == {"female_speech", "male_speech"}]
    return {"per_class": {k: sum(v) / len(v) for k, v in per_class.items()}, "n": {k: len(v) for k, v in
            per_class.items()}, "wins": sum(wins) / len(wins) if wins else None,
            "speech_wins": sum(speech) / len(speech) if speech else None, "n_speech": len(speech)}


def main(argv) -> int:
    if not argv:
        print(__doc__)
        return 2
    from textsep.evaluation.paired import scored_rows

    runs = {}
    for a in argv:
        name, _, path = a.rpartition("=")
        runs[name or Path(a).parent.parent.name] = scored_rows(Path(path))
    cols = []
    for name, rows in runs.items():
        for m in ("textsep",):
            if any(r["method"] == m for r in rows):
                cols.append((f"{name}:{m}", table(rows, m)))
    labels = sorted({k for _, t in cols for k in t["per_class"]})
    print("| class | n | " + " | ".join(c for c, _ in cols) + " |\n|---|---:|" + "---:|" * len(cols))
    for lab in labels:
        n = max(t["n"].get(lab, 0) for _, t in cols)
        print(f"| {lab} | {n} | " + " | ".join(f"{t['per_class'][lab]:+.1f}" if lab in t["per_class"] else ""
                                              for _, t in cols) + " |")
    for c, t in cols:
        low = sorted(k for k, v in t["per_class"].items() if v < 3.0)
        if t["wins"] is None:
            prompts = "no wrong-prompt rows (evaluate with --methods textsep,wrong-prompt for those)"
        else:
            prompts = (f"right prompt beats the interferer's in {100 * t['wins']:.0f} % of cases; female vs male "
                       f"speech {100 * (t['speech_wins'] or 0):.0f} % of {t['n_speech']}")
        print(f"\n{c}: {prompts}; {len(low)} of {len(t['per_class'])} classes below 3 dB: {', '.join(low)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
