"""`textsep evaluate`: score the model and its baselines on a case set (cases.csv, see textsep/data/cases.py).

Every method goes through the one Separator API (`Separator(estimator).separate(mix, sr, [region])`):

    textsep        the text-conditioned model, gated to the case's window
    wrong-prompt   the same model prompted with the INTERFERER's class (cases with a `wrong_prompt`
                   column); it should score clearly worse than the right prompt
    text-agnostic  the baseline UNet without text (same training data, no prompt)
    no-gate        the text model applied to the whole file (a region covering the whole mix, fade 0):
                   what you get without regions; its outside-window damage is reported
    nmf            supervised NMF dictionaries (textsep.nmf), if available
    oracle-irm     ceiling: a mask from the known target and interferer magnitudes on the 16 kHz STFT grid
                   (n_fft 1024, hop 256), power ratio |T|^2 / (|T|^2 + |I|^2): keep and remove masks sum to 1
    mixture        floor: the output is the unprocessed mix (SI-SDRi = 0 by definition)

Per case and method: SI-SDR and SDR of the output and of the mix inside the window against the reference
(target for keep, mix - target for remove), their differences (SI-SDRi, SDRi), the largest absolute and
the L2 difference from the mix outside the window (exactly 0 for every gated method), and a CLAP
text-audio similarity of the output inside the window when CLAP is set up (else "unavailable").

`evaluate_cases(separators, cases)` is the reusable core (training uses it for quick validation);
`summarize(rows)` makes the markdown and CSV summaries; `main(argv)` is the command line.
"""
from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from collections.abc import Callable, Collection
from dataclasses import replace
from pathlib import Path

import numpy as np

from textsep.data.cases import SPEECH_PAIR, Case, CaseError, read_cases
from textsep.edits import MAX_DEPTH_DB, Region
from textsep.metrics import mix_metrics, window_metrics
from textsep.separate import MODEL_SR, Mask, Separator

ORACLE_N_FFT, ORACLE_HOP = 1024, 256
ALL_METHODS = ("textsep", "wrong-prompt", "text-agnostic", "no-gate", "nmf", "oracle-irm", "mixture")
GATED = {"textsep", "wrong-prompt", "text-agnostic", "nmf", "oracle-irm"}
COLUMNS = ("case_id", "method", "status", "label", "interferer_label", "mode", "wording", "prompt", "gated",
           "si_sdr", "si_sdr_mix", "si_sdri", "sdr", "sdr_mix", "sdri", "outside_max_abs", "outside_l2",
           "clap_sim", "runtime_s", "note")
METRICS = ("si_sdr", "si_sdri", "sdr", "sdri")
UNAVAILABLE = "unavailable"


class OracleIRM:
    """MaskEstimator that knows the answer: the ideal ratio mask of one case (the evaluation ceiling).

    Holds the case's mono mix and target at the case's own rate. `predict` receives what the Separator
    gives every estimator -- the 16 kHz mono version of a span of the mix -- finds which span that is
    (an exact slice for 16 kHz cases; for other rates the span whose resampling reproduces it exactly),
    takes the target over the same span the same way, and returns |T|^2 / (|T|^2 + |I|^2) with
    I = span - T, on the 16 kHz grid (n_fft 1024, hop 256, bins k * 16000 / 1024 Hz).
    """

    name = "oracle-irm"

    def __init__(self, mix: np.ndarray, target: np.ndarray, sr: int = MODEL_SR):
        from textsep.audio import resample

        self.sr = int(sr)
        self.mix = np.asarray(mix, dtype=np.float32)
        self.target = np.asarray(target, dtype=np.float32)
        if self.mix.shape != self.target.shape or self.mix.ndim != 1:
            raise ValueError("OracleIRM needs mono mix and target of the same length")
        self.mix16 = resample(self.mix, self.sr, MODEL_SR)
        self.freqs_hz = np.arange(ORACLE_N_FFT // 2 + 1) * MODEL_SR / ORACLE_N_FFT

    def _span(self, mono16: np.ndarray) -> tuple[int, int]:
        """(start, length) in the case's samples of the span the Separator resampled into mono16."""
        from textsep.audio import resample

        n, m = len(self.mix), len(mono16)
        if self.sr == MODEL_SR:
            if m <= n:
                j = int(np.argmax(np.abs(mono16)))  # the loudest sample: few places in the mix share its value
                for k in np.flatnonzero(self.mix[j: n - m + 1 + j] == mono16[j])[:5000]:
                    if np.array_equal(self.mix[k:k + m], mono16):
                        return int(k), m
            raise RuntimeError("oracle: the span given by the Separator is not part of the case's mix")
        # Other rates: coarse position by cross-correlation at 16 kHz, then the exact span nearby.
        n16 = len(self.mix16)
        if m > n16:
            raise RuntimeError("oracle: the span given by the Separator is longer than the case's mix")
        size = 1 << math.ceil(math.log2(n16 + m))
        spec = np.fft.rfft(self.mix16, size) * np.conj(np.fft.rfft(mono16, size))
        xc = np.fft.irfft(spec, size)[: n16 - m + 1]
        r = math.ceil(self.sr / MODEL_SR) + 2
        length0 = round(m * self.sr / MODEL_SR)
        best, best_err = None, math.inf
        for k16 in np.argsort(xc)[::-1][:3]:
            c0 = round(int(k16) * self.sr / MODEL_SR)
            for c in range(max(0, c0 - r), c0 + r + 1):
                for length in range(max(1, length0 - r), length0 + r + 1):
                    if c + length > n:
                        continue
                    y = resample(self.mix[c:c + length], self.sr, MODEL_SR)
                    if len(y) != m:
                        continue
                    err = float(np.max(np.abs(y - mono16)))
                    if err == 0.0:
                        return c, length
                    if err < best_err:
                        best, best_err = (c, length), err
        if best is None or best_err > 1e-5:
            raise RuntimeError("oracle: could not find the Separator's span in the case's mix "
                               f"(closest resampled span differs by {best_err:.2g})")
        return best

    def predict(self, mono16: np.ndarray, prompt: str) -> Mask:
        import torch

        from textsep.audio import resample
        from textsep.spectral import stft

        mono16 = np.asarray(mono16, dtype=np.float32)
        c, length = self._span(mono16)
        t16 = resample(self.target[c:c + length], self.sr, MODEL_SR).astype(np.float64)
        i16 = mono16.astype(np.float64) - t16
        pt, pi = (stft(torch.from_numpy(v), ORACLE_N_FFT, ORACLE_HOP).abs() ** 2 for v in (t16, i16))
        den = pt + pi
        values = torch.where(den > 0, pt / den.clamp_min(1e-30), torch.full_like(den, 0.5))
        return Mask(values.float(), self.freqs_hz, ORACLE_HOP / MODEL_SR)


def _mono16(x: np.ndarray, sr: int) -> np.ndarray:
    from textsep.audio import resample

    return resample(np.atleast_2d(x).mean(axis=0), sr, MODEL_SR)


def clap_unavailable_reason(enabled: bool | None = None) -> str:
    """Why CLAP similarity cannot be computed ("" when it can)."""
    if enabled is False:
        return "disabled (--no-clap)"
    try:
        from textsep.text.clap import ENV_WEIGHTS, clap_available
    except ImportError as exc:
        return f"textsep.text.clap not importable ({exc})"
    if not clap_available():
        return f"needs the optional msclap package and a local weights file in ${ENV_WEIGHTS}"
    return ""


class _Clap:
    """CLAP similarity of output windows to prompts, if CLAP is set up; otherwise "unavailable"."""

    def __init__(self, enabled: bool | None):
        self.encoder = None
        self.reason = clap_unavailable_reason(enabled)
        if self.reason:
            return
        from textsep.text import get_encoder

        self.encoder = get_encoder("msclap")

    def __call__(self, audio16: np.ndarray, prompt: str):
        if self.encoder is None:
            return UNAVAILABLE
        try:
            return float(self.encoder.audio_similarity(audio16, [prompt])[0])
        except Exception as exc:  # noqa: BLE001 - CLAP is optional; report once and stop using it
            self.reason = f"CLAP failed: {exc}"
            self.encoder = None
            return UNAVAILABLE


class _CaseContext:
    """One loaded case; `run` scores one method's output on it."""

    def __init__(self, case: Case, mix: np.ndarray, target: np.ndarray, sr: int, clap_fn, with_sdr: bool):
        self.case, self.mix, self.target, self.sr = case, mix, target, sr
        self.clap_fn, self.with_sdr = clap_fn, with_sdr
        a, b = case.region().span(sr)
        self.a, self.b = a, min(b, mix.shape[1])
        self.mix_scores = mix_metrics(mix, target, self.a, self.b, case.mode, with_sdr=with_sdr)

    def run(self, method: str, sep: Separator | None, reg: Region, gated: bool) -> dict:
        c = self.case
        row = {"case_id": c.case_id, "method": method, "status": "ok", "label": c.label,
               "interferer_label": c.interferer_label, "mode": c.mode, "wording": c.wording,
               "prompt": reg.prompt, "gated": gated, "note": ""}
        t0 = time.perf_counter()
        try:
            out = self.mix if sep is None else sep.separate(self.mix, self.sr, [reg]).audio
            row["runtime_s"] = round(time.perf_counter() - t0, 4)
            row.update(window_metrics(out, self.mix, self.target, self.a, self.b, c.mode,
                                      with_sdr=self.with_sdr, mix_scores=self.mix_scores))
            row["clap_sim"] = self.clap_fn(_mono16(out[:, self.a:self.b], self.sr), c.prompt)
        except Exception as exc:  # noqa: BLE001 - recorded per row so one failure doesn't hide the rest
            row.update(status="error", note=f"{type(exc).__name__}: {exc}",
                       runtime_s=round(time.perf_counter() - t0, 4))
        return row


def evaluate_cases(separators: dict[str, Separator], cases: list[Case], *, no_gate_of: str | None = "textsep",
                   wrong_prompt_of: str | None = "textsep", oracle: bool = True, mixture: bool = True,
                   gated: Collection[str] | None = None, clap: bool | None = None, with_sdr: bool = True,
                   progress: Callable[[int, int, Case], None] | None = None) -> list[dict]:
    """Run every method on every case; one row (dict with COLUMNS) per case and method.

    separators: method name -> Separator, each run gated to the case's window (e.g. {"textsep": ...,
    "text-agnostic": ..., "nmf": ...}). `no_gate_of` names the separator also run over the whole file
    ("no-gate" rows); `wrong_prompt_of` the one also run with the case's `wrong_prompt` ("wrong-prompt" rows,
    only for cases that have that column). `gated`: the separators whose own gated rows are wanted
    (default all; leave one out to use it only for no-gate / wrong-prompt). `oracle` and `mixture` add the
    ceiling and floor rows.
    clap: None = use CLAP if available, False = never. A method that raises gives a row with
    status "error" and the message in `note`; the other rows are still computed.
    """
    clap_fn = _Clap(clap)
    rows: list[dict] = []
    for idx, case in enumerate(cases):
        if progress:
            progress(idx, len(cases), case)
        mix, target, sr = case.load()
        region = case.region()
        ctx = _CaseContext(case, mix, target, sr, clap_fn, with_sdr)
        for name, sep in separators.items():
            if gated is None or name in gated:
                rows.append(ctx.run(name, sep, region, True))
            if name == wrong_prompt_of and case.extra.get("wrong_prompt"):
                rows.append(ctx.run("wrong-prompt", sep, case.region(case.extra["wrong_prompt"]), True))
            if name == no_gate_of:
                whole = replace(region, start_s=0.0, end_s=mix.shape[1] / sr, fade_ms=0.0)
                rows.append(ctx.run("no-gate", sep, whole, False))
        if oracle:
            est = OracleIRM(mix.mean(axis=0), target.mean(axis=0), sr)  # channel means, as the Separator
            # the ceiling: the ideal mask at full depth (the other methods use the case's depth_db)
            rows.append(ctx.run("oracle-irm", Separator(est), replace(region, depth_db=MAX_DEPTH_DB), True))
        if mixture:
            rows.append(ctx.run("mixture", None, region, False))
    for r in rows:
        for c in COLUMNS:
            r.setdefault(c, "")
    return rows


# ---- summaries ----------------------------------------------------------------------------------

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


def summarize(rows: list[dict], unavailable: dict[str, str] | None = None, *,
              title: str = "TextSep evaluation", info: dict | None = None) -> tuple[str, list[dict]]:
    """(markdown summary, long-format summary rows: method, by, group, metric, n, mean, median)."""
    unavailable = unavailable or {}
    methods = _methods(rows)
    by_m = {m: [r for r in rows if r["method"] == m] for m in methods}
    long: list[dict] = []

    def add(method, by, group, rs):
        for metric in (*METRICS, "outside_max_abs", "outside_l2"):
            n, mean, med = _stat(rs, metric)
            long.append({"method": method, "by": by, "group": group, "metric": metric, "n": n,
                         "mean": mean, "median": med})
        clap = _vals(rs, "clap_sim")
        long.append({"method": method, "by": by, "group": group, "metric": "clap_sim", "n": int(clap.size),
                     "mean": float(clap.mean()) if clap.size else math.nan,
                     "median": float(np.median(clap)) if clap.size else math.nan})

    md = [f"# {title}", ""]
    for k, v in (info or {}).items():
        md.append(f"- {k}: {v}")
    n_cases = len({r["case_id"] for r in rows})
    md += [f"- cases: {n_cases}; cells are mean / median (n) in dB unless noted", ""]

    # Overall
    body = []
    for m in methods:
        rs = by_m[m]
        add(m, "all", "all", rs)
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
        long.append({"method": m, "by": "all", "group": "all", "metric": UNAVAILABLE, "n": 0,
                     "mean": math.nan, "median": math.nan, "note": why})
    md += ["## All cases", "", _table(["method", "n", "SI-SDR", "SI-SDRi", "SDR", "SDRi", "outside max |Δ|",
                                        "outside L2 (mean)", "CLAP sim", "errors"], body), "",
           ("Outside max |Δ| must be exactly 0 for every gated method (all but no-gate; the mixture is 0 "
            "trivially). CLAP sim is the similarity of the output window to the case's prompt: higher is "
            "better for keep, lower for remove."), ""]

    def split_table(by: str, key: Callable[[dict], str], groups: list[str], heading: str,
                    metric: str = "si_sdri"):
        body = []
        for m in methods:
            cells = [m]
            for g in groups:
                rs = [r for r in by_m[m] if key(r) == g]
                add(m, by, g, rs)
                cells.append(_mm(rs, metric))
            body.append(cells)
        md.extend([f"## {heading}", "", _table(["method"] + groups, body), ""])

    split_table("mode", lambda r: r["mode"], ["keep", "remove"], "SI-SDRi by mode")
    split_table("mode", lambda r: r["mode"], ["keep", "remove"], "SDRi by mode", "sdri")
    wordings = [w for w in ("seen", "unseen") if any(r["wording"] == w for r in rows)]
    if wordings:
        split_table("wording", lambda r: r["wording"], wordings,
                    "SI-SDRi by prompt wording (seen in training or not)")

    # By class: one row per class, one column per method
    labels = sorted({r["label"] for r in rows if r["label"]})
    if labels:
        body = []
        for lbl in labels:
            cells = [lbl]
            for m in methods:
                rs = [r for r in by_m[m] if r["label"] == lbl]
                add(m, "class", lbl, rs)
                cells.append(_mm(rs, "si_sdri"))
            body.append(cells)
        md += ["## SI-SDRi by target class", "", _table(["class"] + methods, body), ""]

    # Speech gender pairs and the wrong-prompt check
    gender = [r for r in rows if r["label"] in SPEECH_PAIR and r["interferer_label"] in SPEECH_PAIR
              and r["label"] != r["interferer_label"]]
    if gender:
        body = []
        for t, i in (SPEECH_PAIR, SPEECH_PAIR[::-1]):
            name = f"{t} target, {i} interferer"
            cells = [name]
            for m in methods:
                rs = [r for r in gender if r["method"] == m and r["label"] == t]
                add(m, "speech_pair", name, rs)
                cells.append(_mm(rs, "si_sdri"))
            body.append(cells)
        md += ["## Female vs male speech (SI-SDRi)", "", _table(["case"] + methods, body), ""]
    if "wrong-prompt" in by_m and "textsep" in by_m:
        body = []
        right = {r["case_id"]: r for r in by_m["textsep"] if r["status"] == "ok"}
        groups = [("all cases with a wrong prompt", lambda r: True)]
        if gender:
            groups.append(("female/male speech pairs", lambda r: r["label"] in SPEECH_PAIR
                           and r["interferer_label"] in SPEECH_PAIR and r["label"] != r["interferer_label"]))
        for name, sel in groups:
            pairs = [(right[w["case_id"]]["si_sdri"], w["si_sdri"]) for w in by_m["wrong-prompt"]
                     if w["status"] == "ok" and sel(w) and w["case_id"] in right
                     and isinstance(w["si_sdri"], float) and math.isfinite(w["si_sdri"])
                     and math.isfinite(right[w["case_id"]]["si_sdri"])]
            if not pairs:
                continue
            d = np.array([p[0] - p[1] for p in pairs])
            gap = float(d.mean())
            long.append({"method": "textsep-minus-wrong-prompt", "by": "prompt_check", "group": name,
                         "metric": "si_sdri", "n": len(d), "mean": gap, "median": float(np.median(d))})
            body.append([name, str(len(d)), _f(float(np.mean([p[0] for p in pairs]))),
                         _f(float(np.mean([p[1] for p in pairs]))), _f(gap), f"{100 * np.mean(d > 0):.0f} %",
                         "yes" if gap >= 3.0 else "no"])
        if body:
            md += ["## Wrong-prompt check (textsep prompted with the interferer's class)", "",
                   _table(["cases", "n", "right prompt SI-SDRi", "wrong prompt SI-SDRi", "right - wrong (dB)",
                           "cases right > wrong", "clearly worse (≥ 3 dB)?"], body), ""]
    errors = [r for r in rows if r["status"] == "error"]
    if errors:
        md += ["## Errors", ""] + [f"- {r['case_id']} / {r['method']}: {r['note']}" for r in errors[:20]]
        if len(errors) > 20:
            md.append(f"- ... and {len(errors) - 20} more (see per_case.csv)")
        md.append("")
    return "\n".join(md), long


def write_results(out_dir, rows: list[dict], md: str, long: list[dict]) -> dict[str, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"per_case": out_dir / "per_case.csv", "summary_csv": out_dir / "summary.csv",
             "summary_md": out_dir / "summary.md"}
    with open(paths["per_case"], "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(COLUMNS), extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})
    with open(paths["summary_csv"], "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["method", "by", "group", "metric", "n", "mean", "median", "note"],
                           extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in long:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})
    paths["summary_md"].write_text(md + "\n", encoding="utf-8")
    return paths


# ---- loading the methods ------------------------------------------------------------------------

def _load_model(path: Path | None, baseline: bool, device: str, encoder=None) -> tuple[Separator | None, str]:
    """(Separator, "") or (None, reason) when the DEFAULT checkpoint is missing; explicit paths must load."""
    from textsep.paths import default_checkpoint

    explicit = path is not None
    path = Path(path) if explicit else default_checkpoint(baseline)
    if not explicit and not path.is_file():
        return None, f"checkpoint not found: {path}"
    try:
        return Separator.from_checkpoint(path, baseline=baseline, device=device, encoder=encoder), ""
    except Exception as exc:
        if explicit:
            raise
        return None, f"cannot load {path}: {exc}"


def _load_nmf(path: Path | None) -> tuple[Separator | None, str]:
    explicit = path is not None
    try:
        from textsep.nmf import DEFAULT_FILE, NMFEstimator
    except ImportError as exc:
        if explicit:
            raise
        return None, f"textsep.nmf is not available ({exc})"
    if not explicit:
        from textsep.paths import find_asset

        path = find_asset("checkpoints", DEFAULT_FILE)
        if not path.is_file():
            return None, f"NMF dictionaries not found: {path}"
    try:
        return Separator(NMFEstimator.load(path)), ""
    except Exception as exc:
        if explicit:
            raise
        return None, f"cannot load NMF dictionaries {path}: {exc}"


def _parse_methods(text: str) -> list[str]:
    items = [m.strip() for part in text for m in part.split(",") if m.strip()]
    aliases = {"oracle": "oracle-irm", "irm": "oracle-irm", "agnostic": "text-agnostic", "nogate": "no-gate",
               "mix": "mixture"}
    items = [aliases.get(m, m) for m in items]
    bad = [m for m in items if m not in ALL_METHODS]
    if bad:
        raise CaseError(f"Unknown method(s) {', '.join(bad)}; choose from {', '.join(ALL_METHODS)}")
    return list(dict.fromkeys(items))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="textsep evaluate", description="Score TextSep and its baselines on "
                                "evaluation cases (cases.csv) and write per-case and summary tables.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--cases", type=Path, help="cases.csv (case_id,mix,target,prompt,mode,start_s,end_s)")
    src.add_argument("--make-cases", type=Path, metavar="DIR",
                     help="generate a case set from --corpus's validation split into DIR, then evaluate it")
    p.add_argument("--corpus", type=Path, help="TextSep corpus folder or ESC-50 root (with --make-cases)")
    p.add_argument("--n", type=int, default=200, help="number of cases to generate (default 200)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated case set (default 0)")
    p.add_argument("--val-folds", default="5", help="ESC-50 only: validation folds, e.g. 5 or 4,5")
    p.add_argument("--overwrite", action="store_true", help="with --make-cases: replace an existing case set")
    p.add_argument("--model-path", type=Path, help="text-conditioned checkpoint (default: shipped model)")
    p.add_argument("--baseline-path", type=Path, help="text-agnostic checkpoint (default: shipped baseline)")
    p.add_argument("--nmf-path", type=Path, help="NMF dictionaries (default: shipped nmf_dictionaries.npz)")
    p.add_argument("--methods", nargs="+", default=[",".join(ALL_METHODS)], metavar="M",
                   help=f"methods to run, comma- or space-separated (default all: {','.join(ALL_METHODS)})")
    p.add_argument("--out", type=Path, help="results folder (default: <cases folder>/results)")
    p.add_argument("--limit", type=int, help="evaluate only the first N cases")
    p.add_argument("--device", default="cpu", help="cpu (default), cuda, mps or auto")
    p.add_argument("--no-clap", action="store_true", help="skip the CLAP similarity even if CLAP is set up")
    p.add_argument("--no-sdr", action="store_true", help="skip BSS Eval SDR (SI-SDR only; faster)")
    return p


def _make_cases(args) -> Path:
    from textsep.data.cases import make_cases
    from textsep.data.corpus import load_corpus
    from textsep.data.esc50 import is_esc50, load_esc50

    if args.corpus is None:
        raise CaseError("--make-cases needs --corpus (a TextSep corpus folder or an ESC-50 root)")
    if is_esc50(args.corpus):
        folds = [int(f) for f in str(args.val_folds).replace(",", " ").split()]
        train = [f for f in range(1, 6) if f not in folds]
        corpus = load_esc50(args.corpus, train_folds=train, val_folds=folds)
    else:
        corpus = load_corpus(args.corpus)
    make_cases(corpus, args.make_cases, n=args.n, seed=args.seed, overwrite=args.overwrite)
    return args.make_cases / "cases.csv"


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help or a usage error: argparse has printed the message
        return int(exc.code or 0)
    from textsep.data.corpus import DatasetError

    try:
        methods = _parse_methods(args.methods)
        if args.limit is not None and args.limit < 1:
            raise CaseError("--limit must be at least 1")
        if args.make_cases:
            cases_csv = _make_cases(args)
            print(f"Wrote {args.n} cases to {cases_csv}", file=sys.stderr)
        else:
            cases_csv = args.cases
        cases = read_cases(cases_csv)
        if args.limit:
            cases = cases[: args.limit]
        separators: dict[str, Separator] = {}
        unavailable: dict[str, str] = {}
        info = {"cases file": str(cases_csv)}
        need_text = {"textsep", "wrong-prompt", "no-gate"} & set(methods)
        if need_text:
            sep, why = _load_model(args.model_path, False, args.device)
            if sep is None:
                unavailable.update({m: why for m in ALL_METHODS if m in need_text})
            else:
                separators["textsep"] = sep
                info["model"] = str(sep.checkpoint_path)
        if "text-agnostic" in methods:
            sep, why = _load_model(args.baseline_path, True, args.device)
            if sep is None:
                unavailable["text-agnostic"] = why
            else:
                separators["text-agnostic"] = sep
                info["baseline"] = str(sep.checkpoint_path)
        if "nmf" in methods:
            sep, why = _load_nmf(args.nmf_path)
            if sep is None:
                unavailable["nmf"] = why
            else:
                separators["nmf"] = sep
    except (CaseError, DatasetError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - checkpoint / NMF files given explicitly that cannot be loaded
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2

    clap_why = clap_unavailable_reason(False if args.no_clap else None)
    info["CLAP similarity"] = f"unavailable: {clap_why}" if clap_why else "msclap"
    for m, why in unavailable.items():
        print(f"note: {m} unavailable: {why}", file=sys.stderr)
    t0 = time.perf_counter()

    def progress(i, n, case):
        print(f"\r[{i + 1}/{n}] {case.case_id}", end="", file=sys.stderr, flush=True)

    try:
        rows = evaluate_cases(separators, cases,
                              no_gate_of="textsep" if "no-gate" in methods else None,
                              wrong_prompt_of="textsep" if "wrong-prompt" in methods else None,
                              oracle="oracle-irm" in methods, mixture="mixture" in methods,
                              gated=[m for m in separators if m in methods],
                              clap=False if args.no_clap else None, with_sdr=not args.no_sdr,
                              progress=progress)
    except CaseError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 2
    print(file=sys.stderr)
    info["elapsed"] = f"{time.perf_counter() - t0:.1f} s"
    md, long = summarize(rows, unavailable, info=info)
    out = args.out or Path(cases_csv).parent / "results"
    paths = write_results(out, rows, md, long)
    print(md)
    print(f"\nWrote {paths['per_case']}, {paths['summary_md']} and {paths['summary_csv']}", file=sys.stderr)
    return 1 if any(r["status"] == "error" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
