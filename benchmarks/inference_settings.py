"""Inference settings that cost no training, measured side by side on a case set: depth, fade and context.

    python benchmarks/inference_settings.py CASES.csv [--model PATH] [--depth 20 30] [--fade 20 5]
                                            [--context 0.5 1.5]

Each setting runs the same model through the one Separator on every case (keep and remove); prints mean
SI-SDRi per mode. Depth is Region.depth_db (how far the edit may turn sound down); fade is Region.fade_ms
(the crossfade inside each end of a region, where the output is part original); context is
Separator.context_s (audio on each side of a region the model hears).
"""
from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", type=Path)
    ap.add_argument("--model", default=None)
    ap.add_argument("--depth", type=float, nargs="+", default=[20.0])
    ap.add_argument("--fade", type=float, nargs="+", default=None, help="ms (default: the product's)")
    ap.add_argument("--context", type=float, nargs="+", default=[0.5])
    a = ap.parse_args(argv)
    from textsep.data.cases import read_cases
    from textsep.edits import DEFAULT_FADE_MS
    from textsep.evaluation import evaluate_cases
    from textsep.evaluation.paired import paired_difference
    from textsep.loading import load_separator
    from textsep.separate import Separator

    cases = read_cases(a.cases)
    base = load_separator(a.model)
    print(f"{len(cases)} cases, model {a.model or 'shipped'}\n\n| depth dB | fade ms | context s | keep | remove | mean |\n"
          "|---:|---:|---:|---:|---:|---:|")
    first = None  # per-case SI-SDRi of the first setting: later ones are compared with it case by case
    paired = []
    for depth, fade, ctx in itertools.product(a.depth, a.fade or [DEFAULT_FADE_MS], a.context):
        sep = Separator(base.estimator, context_s=ctx)
        varied = [replace(c, extra={**c.extra, "depth_db": str(depth), "fade_ms": str(fade)}) for c in cases]
        rows = evaluate_cases({"textsep": sep}, varied, no_gate_of=None, wrong_prompt_of=None, oracle=False,
                              mixture=False, clap=False, with_sdr=False)
        k, r = ([x["si_sdri"] for x in rows if x["mode"] == m and x["status"] == "ok"] for m in ("keep", "remove"))
        print(f"| {depth:g} | {fade:g} | {ctx:g} | {np.mean(k):+.2f} | {np.mean(r):+.2f} | {np.mean(k + r):+.2f} |")
        scores = {x["case_id"]: x["si_sdri"] for x in rows if x["status"] == "ok"}
        if first is None:
            first = scores
        else:
            paired.append((depth, fade, ctx, paired_difference(first, scores)))
    if paired:
        print("\nPaired against the first setting, per case (mean +- standard error, share of cases better):")
        for depth, fade, ctx, (mean, se, better, n) in paired:
            print(f"  depth {depth:g} fade {fade:g} context {ctx:g}: {mean:+.3f} +- {se:.3f} dB, "
                  f"{100 * better:.0f} % of {n} better")
    return 0


if __name__ == "__main__":
    sys.exit(main())
