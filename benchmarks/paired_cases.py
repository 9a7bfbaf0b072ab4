"""Two evaluation results of the same case set, compared case by case (the model card's "paired" figures).

    python benchmarks/paired_cases.py A/per_case.csv B/per_case.csv [--method textsep] [--classes]

Prints B - A by mode and over all cases: both means, the mean difference +- its standard error, and the share
of cases where B scored higher; with --classes, the same per target class, worst first.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a", type=Path, help="per_case.csv of the reference")
    ap.add_argument("b", type=Path, help="per_case.csv of the result compared with it")
    ap.add_argument("--method", default="textsep", help="the method's rows to compare (default textsep)")
    ap.add_argument("--classes", action="store_true", help="also by target class")
    a = ap.parse_args(argv)
    from textsep.evaluation.paired import compare, read_scores

    try:
        groups = compare(read_scores(a.a, a.method), read_scores(a.b, a.method))
    except (OSError, KeyError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"B = {a.b}\nA = {a.a}\n\n| cases | n | A | B | B - A | B better |\n|---|---:|---:|---:|---:|---:|")
    names = [g for g in ("keep", "remove", "all") if g in groups]
    if a.classes:
        names += sorted((g for g in groups if g.startswith("class:")), key=lambda g: groups[g]["paired"].mean)
    for g in names:
        r = groups[g]
        p = r["paired"]
        se = "" if p.n < 2 else f" +- {p.se:.2f}"  # one case has no spread to estimate
        print(f"| {g.removeprefix('class:')} | {p.n} | {r['a']:.2f} | {r['b']:.2f} | {p.mean:+.2f}{se} "
              f"| {100 * p.better:.0f} % |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
