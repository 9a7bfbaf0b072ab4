"""Sounds never trained on: how a model does on them, and whether prompt snapping (routing) helps or hurts.

    python benchmarks/open_vocabulary.py CASES.csv --unseen keyboard_typing dishwasher crickets duck \
        [--model A.pth] [--model B.pth ...]

For each model: mean SI-SDRi (keep and remove) on the cases whose TARGET class is in --unseen, and on the
others, with prompt snapping for all prompts (the prompt's embedding becomes the routing mix of
the known class anchors), off (the raw MiniLM embedding reaches the text MLP) and for known prompts only
(the product's default: a prompt Separator.understand reports unknown keeps its raw embedding), plus the
share of unseen prompts the model reports as unknown. One run, side by side.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", type=Path)
    ap.add_argument("--unseen", nargs="+", required=True, help="target classes the model never trained on")
    ap.add_argument("--model", action="append", default=None, help="checkpoint(s) (default: the shipped one)")
    ap.add_argument("--limit-seen", type=int, default=60, help="at most this many cases of trained classes")
    a = ap.parse_args(argv)
    from textsep.data.cases import read_cases
    from textsep.evaluation import evaluate_cases
    from textsep.loading import load_separator

    cases = read_cases(a.cases)
    unseen = [c for c in cases if c.label in a.unseen]
    seen = [c for c in cases if c.label not in a.unseen and c.interferer_label not in a.unseen][: a.limit_seen]
    print(f"{len(unseen)} cases with unseen targets ({', '.join(a.unseen)}), {len(seen)} with trained ones\n")
    print("| model | snapping | unseen keep | unseen remove | trained keep | trained remove | unseen prompts "
          "reported unknown |\n|---|---|---:|---:|---:|---:|---:|")
    for path in a.model or [None]:
        sep = load_separator(path)
        known = set(sep.estimator.bundle.meta.get("classes", []))
        leak = sorted(set(a.unseen) & known)
        unknown = np.mean([not sep.understand(c.prompt).known for c in unseen]) if unseen else float("nan")
        for snap, snap_unknown in ((True, True), (False, False), (True, False)):
            sep.estimator.snap_prompts, sep.estimator.snap_unknown = snap, snap_unknown
            cells = []
            for group in (unseen, seen):
                rows = evaluate_cases({"textsep": sep}, group, no_gate_of=None, wrong_prompt_of=None, oracle=False,
                                      mixture=False, clap=False, with_sdr=False)
                for mode in ("keep", "remove"):
                    v = [r["si_sdri"] for r in rows if r["mode"] == mode and r["status"] == "ok"]
                    cells.append(f"{np.mean(v):+.2f} ({len(v)})" if v else "-")
            name = Path(path).name if path else "shipped"
            mode = "known prompts only (default)" if snap and not snap_unknown else ("all" if snap else "off")
            print(f"| {name}{' (trained on ' + ', '.join(leak) + '!)' if leak else ''} | {mode} | "
                  + " | ".join(cells) + f" | {100 * unknown:.0f} % |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
