"""Summaries of evaluation rows: the markdown report, the long-format summary table, and the result files.

`summarize(rows)` gives (markdown, long rows: method, by, group, metric, n, mean, median); every table of
the markdown adds the statistics it shows to the long rows. `write_results` writes per_case.csv,
summary.csv and summary.md atomically.
"""
from __future__ import annotations

import csv
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from textsep.atomic import atomic_path, write_text
from textsep.data.cases import SPEECH_PAIR
from textsep.evaluation.runner import ALL_METHODS, COLUMNS, UNAVAILABLE

METRICS = ("si_sdr", "si_sdri", "sdr", "sdri")
SUMMARY_COLUMNS = ("method", "by", "group", "metric", "n", "mean", "median", "note")


def _vals(rows, metric: str) -> np.ndarray:
    v = [r[metric] for r in rows if r.get("status") == "ok" and isinstance(r.get(metric), (int, float))]
    v = np.asarray(v, dtype=np.float64)
    return v[np.isfinite(v)]


def _stat(rows, metric: str) -> tuple[int, float, float]:
    v = _vals(rows, metric)
    if v.size == 0:
        return 0, math.nan, math.nan
    return int(v.size), float(v.mean()), float(np.median(v))


def method_means(rows, metric: str = "si_sdri") -> dict[str, float]:
    """Mean of `metric` per method (handy for a quick validation score during training)."""
    out = {}
    for m in _methods(rows):
        out[m] = _stat([r for r in rows if r["method"] == m], metric)[1]
    return out


def _methods(rows) -> list[str]:
    present = list(dict.fromkeys(r["method"] for r in rows))
    return [m for m in ALL_METHODS if m in present] + [m for m in present if m not in ALL_METHODS]


def _f(x: float, digits: int = 2) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _mm(rows, metric) -> str:
    n, mean, med = _stat(rows, metric)
    return f"{_f(mean)} / {_f(med)} ({n})" if n else "-"


def _table(header: list[str], body: list[list[str]]) -> str:
    align = "|".join("---" if i == 0 else "---:" for i in range(len(header)))
    lines = ["| " + " | ".join(header) + " |", f"|{align}|"]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n".join(lines)



def _is_speech_pair(r: dict) -> bool:
    """A female-vs-male speech case (either way round)."""
    return r["label"] in SPEECH_PAIR and r["interferer_label"] in SPEECH_PAIR and r["label"] != r["interferer_label"]


class _Summary:
    """Builds the markdown (`md`, a list of lines) and the long rows (`long`) section by section."""

    def __init__(self, rows: list[dict]):
        self.rows = rows
        self.methods = _methods(rows)
        self.by_m = {m: [r for r in rows if r["method"] == m] for m in self.methods}
        self.md: list[str] = []
        self.long: list[dict] = []

    def add(self, method: str, by: str, group: str, rs: list[dict]) -> None:
        """The long rows of one (method, grouping, group): every metric's n, mean and median."""
        for metric in (*METRICS, "outside_max_abs", "outside_l2"):
            n, mean, med = _stat(rs, metric)
            self.long.append({"method": method, "by": by, "group": group, "metric": metric, "n": n,
                              "mean": mean, "median": med})
        clap = _vals(rs, "clap_sim")
        self.long.append({"method": method, "by": by, "group": group, "metric": "clap_sim", "n": int(clap.size),
                          "mean": float(clap.mean()) if clap.size else math.nan,
                          "median": float(np.median(clap)) if clap.size else math.nan})

    def header(self, title: str, info: dict | None) -> None:
        self.md += [f"# {title}", ""]
        for k, v in (info or {}).items():
            self.md.append(f"- {k}: {v}")
        n_cases = len({r["case_id"] for r in self.rows})
        self.md += [f"- cases: {n_cases}; cells are mean / median (n) in dB unless noted", ""]

    def overall(self, unavailable: dict[str, str]) -> None:
        body = []
        for m in self.methods:
            rs = self.by_m[m]
            self.add(m, "all", "all", rs)
            n_err = sum(r["status"] == "error" for r in rs)
            out_max = _vals(rs, "outside_max_abs")
            l2 = _vals(rs, "outside_l2")
            clap = _vals(rs, "clap_sim")
            body.append([m, str(len(_vals(rs, "si_sdr"))), _mm(rs, "si_sdr"), _mm(rs, "si_sdri"), _mm(rs, "sdr"),
                         _mm(rs, "sdri"), _f(out_max.max(), 6) if out_max.size else "-",
                         _f(l2.mean(), 4) if l2.size else "-", _f(clap.mean(), 3) if clap.size else UNAVAILABLE,
                         str(n_err)])
        for m, why in unavailable.items():
            body.append([m] + [UNAVAILABLE] * 8 + [why])
            self.long.append({"method": m, "by": "all", "group": "all", "metric": UNAVAILABLE, "n": 0,
                              "mean": math.nan, "median": math.nan, "note": why})
        self.md += ["## All cases", "", _table(["method", "n", "SI-SDR", "SI-SDRi", "SDR", "SDRi", "outside max |Δ|",
                                                "outside L2 (mean)", "CLAP sim", "errors"], body), "",
                    ("Outside max |Δ| must be exactly 0 for every gated method (all but no-gate; the mixture is 0 "
                     "trivially). CLAP sim is the similarity of the output window to the case's prompt: higher is "
                     "better for keep, lower for remove."), ""]

    def split_table(self, by: str, key: Callable[[dict], str], groups: list[str], heading: str,
                    metric: str = "si_sdri") -> None:
        """One row per method, one column per group of `key`."""
        body = []
        for m in self.methods:
            cells = [m]
            for g in groups:
                rs = [r for r in self.by_m[m] if key(r) == g]
                self.add(m, by, g, rs)
                cells.append(_mm(rs, metric))
            body.append(cells)
        self.md.extend([f"## {heading}", "", _table(["method"] + groups, body), ""])

    def method_columns(self, by: str, groups: list[tuple[str, Callable[[dict], bool]]], heading: str,
                       first: str) -> None:
        """One row per group (selected from all rows by its predicate), one SI-SDRi column per method."""
        body = []
        for name, sel in groups:
            cells = [name]
            for m in self.methods:
                rs = [r for r in self.by_m[m] if sel(r)]
                self.add(m, by, name, rs)
                cells.append(_mm(rs, "si_sdri"))
            body.append(cells)
        self.md += [f"## {heading}", "", _table([first] + self.methods, body), ""]

    def by_class(self) -> None:
        labels = sorted({r["label"] for r in self.rows if r["label"]})
        if labels:
            self.method_columns("class", [(lbl, lambda r, lbl=lbl: r["label"] == lbl) for lbl in labels],
                                "SI-SDRi by target class", "class")

    def speech_pairs(self) -> None:
        if any(_is_speech_pair(r) for r in self.rows):
            groups = [(f"{t} target, {i} interferer", lambda r, t=t: _is_speech_pair(r) and r["label"] == t)
                      for t, i in (SPEECH_PAIR, SPEECH_PAIR[::-1])]
            self.method_columns("speech_pair", groups, "Female vs male speech (SI-SDRi)", "case")

    def wrong_prompt_check(self) -> None:
        """textsep against itself prompted with the interferer's class, case by case."""
        if "wrong-prompt" not in self.by_m or "textsep" not in self.by_m:
            return
        body = []
        right = {r["case_id"]: r for r in self.by_m["textsep"] if r["status"] == "ok"}
        groups = [("all cases with a wrong prompt", lambda r: True)]
        if any(_is_speech_pair(r) for r in self.rows):
            groups.append(("female/male speech pairs", _is_speech_pair))
        for name, sel in groups:
            pairs = [(right[w["case_id"]]["si_sdri"], w["si_sdri"]) for w in self.by_m["wrong-prompt"]
                     if w["status"] == "ok" and sel(w) and w["case_id"] in right
                     and isinstance(w["si_sdri"], float) and math.isfinite(w["si_sdri"])
                     and math.isfinite(right[w["case_id"]]["si_sdri"])]
            if not pairs:
                continue
            d = np.array([p[0] - p[1] for p in pairs])
            gap = float(d.mean())
            self.long.append({"method": "textsep-minus-wrong-prompt", "by": "prompt_check", "group": name,
                              "metric": "si_sdri", "n": len(d), "mean": gap, "median": float(np.median(d))})
            body.append([name, str(len(d)), _f(float(np.mean([p[0] for p in pairs]))),
                         _f(float(np.mean([p[1] for p in pairs]))), _f(gap), f"{100 * np.mean(d > 0):.0f} %",
                         "yes" if gap >= 3.0 else "no"])
        if body:
            self.md += ["## Wrong-prompt check (textsep prompted with the interferer's class)", "",
                        _table(["cases", "n", "right prompt SI-SDRi", "wrong prompt SI-SDRi", "right - wrong (dB)",
                                "cases right > wrong", "clearly worse (≥ 3 dB)?"], body), ""]

    def errors(self) -> None:
        errors = [r for r in self.rows if r["status"] == "error"]
        if errors:
            self.md += ["## Errors", ""] + [f"- {r['case_id']} / {r['method']}: {r['note']}" for r in errors[:20]]
            if len(errors) > 20:
                self.md.append(f"- ... and {len(errors) - 20} more (see per_case.csv)")
            self.md.append("")


def summarize(rows: list[dict], unavailable: dict[str, str] | None = None, *,
              title: str = "TextSep evaluation", info: dict | None = None) -> tuple[str, list[dict]]:
    """(markdown summary, long-format summary rows: method, by, group, metric, n, mean, median)."""
    s = _Summary(rows)
    s.header(title, info)
    s.overall(unavailable or {})
    s.split_table("mode", lambda r: r["mode"], ["keep", "remove"], "SI-SDRi by mode")
    s.split_table("mode", lambda r: r["mode"], ["keep", "remove"], "SDRi by mode", "sdri")
    wordings = [w for w in ("seen", "unseen") if any(r["wording"] == w for r in rows)]
    if wordings:
        s.split_table("wording", lambda r: r["wording"], wordings,
                      "SI-SDRi by prompt wording (seen in training or not)")
    s.by_class()
    s.speech_pairs()
    s.wrong_prompt_check()
    s.errors()
    return "\n".join(s.md), s.long


def _write_csv(path: Path, columns, rows: list[dict]) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})


def write_results(out_dir, rows: list[dict], md: str, long: list[dict]) -> dict[str, Path]:
    """per_case.csv, summary.csv and summary.md in `out_dir`, each written atomically."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"per_case": out_dir / "per_case.csv", "summary_csv": out_dir / "summary.csv",
             "summary_md": out_dir / "summary.md"}
    _write_csv(paths["per_case"], COLUMNS, rows)
    _write_csv(paths["summary_csv"], SUMMARY_COLUMNS, long)
    write_text(paths["summary_md"], md + "\n")
    return paths
