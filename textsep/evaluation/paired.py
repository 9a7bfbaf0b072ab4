"""Two results on the same cases, compared case by case.

A model change of a few tenths of a dB is invisible between two means of 400 cases whose spread is several dB,
but clear in the per-case differences: both results scored the same mixtures, so the case's own difficulty
cancels. Every "paired" figure in the model card is `paired_difference` over two per_case.csv files.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import numpy as np


class Paired(NamedTuple):
    mean: float  # mean of b - a, dB
    se: float  # its standard error
    better: float  # share of cases where b scored higher
    n: int


def paired_difference(a: dict, b: dict) -> Paired:
    """b - a over the keys both scored: mean, its standard error, share of cases where b is higher, count."""
    d = np.array([b[k] - a[k] for k in a if k in b], dtype=float)
    if not len(d):
        raise ValueError("the two results share no case")
    se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else float("nan")
    return Paired(float(d.mean()), se, float(np.mean(d > 0)), len(d))


def scored_rows(path: Path) -> list[dict]:
    """The rows of a per_case.csv (textsep evaluate) that have an SI-SDRi, as strings."""
    with open(path, newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r.get("status") == "ok" and r.get("si_sdri") not in ("", None)]


def read_scores(path: Path, method: str = "textsep") -> dict[str, dict]:
    """case_id -> {"si_sdri", "mode", "label"} for `method`'s scored rows of a per_case.csv."""
    rows = [r for r in scored_rows(path) if r["method"] == method]
    if not rows:
        raise ValueError(f"{path} has no scored rows of method {method!r}")
    return {r["case_id"]: {"si_sdri": float(r["si_sdri"]), "mode": r["mode"], "label": r["label"]} for r in rows}


def compare(a: dict[str, dict], b: dict[str, dict]) -> dict[str, dict]:
    """Paired differences by mode ("keep", "remove", "all") and by target class ("class:LABEL"), each with
    both sides' means over the shared cases: {group: {"a": mean, "b": mean, "paired": Paired}}."""
    groups: dict[str, list[str]] = defaultdict(list)
    for k in sorted(set(a) & set(b)):
        for g in (a[k]["mode"], "all", f"class:{a[k]['label']}"):
            groups[g].append(k)
    if not groups:
        raise ValueError("the two results share no case")
    out = {}
    for g, keys in groups.items():
        sa, sb = ({k: s[k]["si_sdri"] for k in keys} for s in (a, b))
        out[g] = {"a": float(np.mean(list(sa.values()))), "b": float(np.mean(list(sb.values()))),
                  "paired": paired_difference(sa, sb)}
    return out
