"""Edits whose prompt names a sound that is not there, side by side with the case's own prompt.

    python benchmarks/absent_prompt.py CASES.csv [--model PATH ...] [--context S ...] [--seed 0]

A batch edit over a folder ("remove dog bark" in every file) meets many files without the sound; there
the edit should leave the window as it is (remove) or keep almost nothing of it (keep). For every case the
script draws one known sound of another category than the case's two (so "piano" is never asked of
background music, nor a voice of a voice), runs keep and remove with that prompt and with the case's, and
prints, per model, over the case windows:

- remove, absent: how much the window changes, 10 log10(|window|^2 / |output - window|^2) dB; higher is
  better (20 dB: the change is 1 % of the energy);
- keep, absent: how much passes, 10 log10(|output|^2 / |window|^2) dB; lower is better (the region's
  depth, 20 dB by default, is the floor);
- the same two figures with the case's own prompt, for scale (there the sound is present and should change);
- prompt suggestions (textsep.detect.suggest_prompts, which ranks the known sounds by how much of the window
  their keep masks take): how often the case's target is among the top 3, and the top one is one of the
  case's two sounds.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def measure(sep, cases, prompts) -> dict[str, np.ndarray]:
    from textsep.detect import suggest_prompts
    from textsep.evaluation.absent import edit_levels

    res: dict[str, list[float]] = {k: [] for k in ("remove_absent", "keep_absent", "remove_present",
                                                   "keep_present", "target_in_top3", "top1_present")}
    for c, absent in zip(cases, prompts):
        mix, _, sr = c.load()
        r = c.region()
        for kind, prompt in (("absent", absent), ("present", c.prompt)):
            remove, keep = edit_levels(sep, mix, sr, r, prompt)
            res[f"remove_{kind}"].append(-remove)  # printed as how far below the window: higher is better
            res[f"keep_{kind}"].append(keep)
        ranked = [label for label, _, _ in suggest_prompts(sep, mix, sr, r, top_k=3)]
        res["target_in_top3"].append(100.0 * (c.label in ranked))
        res["top1_present"].append(100.0 * (ranked[0] in (c.label, c.interferer_label)))
    return {k: np.array(v) for k, v in res.items()}


def spread(v: np.ndarray) -> str:
    """mean / median / 10th..90th percentile"""
    p10, p90 = np.percentile(v, [10, 90])
    return f"{v.mean():.1f} / {np.median(v):.1f} / {p10:.1f}..{p90:.1f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", type=Path)
    ap.add_argument("--model", nargs="+", default=[None], help="checkpoints (default: the shipped model)")
    ap.add_argument("--context", type=float, nargs="+", default=None,
                    help="seconds the model hears on each side of a region, each run side by side "
                         "(default: the product's)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the absent sounds drawn")
    a = ap.parse_args(argv)
    from textsep.data.cases import read_cases
    from textsep.evaluation.absent import absent_prompts
    from textsep.loading import load_separator
    from textsep.separate import Separator

    cases = read_cases(a.cases)
    seps, names = [], []
    for m in a.model:
        base = load_separator(m)
        for ctx in a.context or [base.context_s]:
            seps.append(base if ctx == base.context_s else Separator(base.estimator, context_s=ctx))
            names.append(f"{m or 'shipped'}" + (f", context {ctx:g} s" if a.context else ""))
    prompts = absent_prompts(cases, seps[0].vocabulary, a.seed)
    print(f"{len(cases)} cases; mean / median / 10th-90th percentile in dB\n\n"
          "| model | remove, absent (change, higher is better) | keep, absent (passes, lower is better) "
          "| remove, present (change) | keep, present (passes) | suggestions: target in top 3 "
          "| top 1 present |\n"
          "|---|---|---|---|---|---:|---:|")
    for name, sep in zip(names, seps):
        res = measure(sep, cases, prompts)
        cells = [spread(res[k]) for k in ("remove_absent", "keep_absent", "remove_present", "keep_present")]
        cells += [f"{res[k].mean():.0f} %" for k in ("target_in_top3", "top1_present")]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
