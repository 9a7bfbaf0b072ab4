"""Running the methods over a case set: `evaluate_cases` (one row per case and method) and the loading
of the methods it compares (`load_methods`, with evaluation's rule for missing files)."""
from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import replace
from pathlib import Path

import numpy as np

from textsep.data.cases import Case
from textsep.edits import MAX_DEPTH_DB, Region
from textsep.evaluation.oracle import OracleIRM
from textsep.metrics import mix_metrics, window_metrics
from textsep.separate import MODEL_SR, Separator

ALL_METHODS = ("textsep", "wrong-prompt", "text-agnostic", "no-gate", "nmf", "oracle-irm", "mixture")
GATED = {"textsep", "wrong-prompt", "text-agnostic", "nmf", "oracle-irm"}
COLUMNS = ("case_id", "method", "status", "label", "interferer_label", "mode", "wording", "prompt", "gated",
           "si_sdr", "si_sdr_mix", "si_sdri", "sdr", "sdr_mix", "sdri", "outside_max_abs", "outside_l2",
           "clap_sim", "runtime_s", "note")
UNAVAILABLE = "unavailable"


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



# ---- loading the methods ------------------------------------------------------------------------

def _load_or_skip(load: Callable[[], Separator], explicit: bool, what: str) -> tuple[Separator | None, str]:
    """(Separator, "") or, for a default file that fails to load, (None, reason); explicit files must load."""
    try:
        return load(), ""
    except Exception as exc:  # noqa: BLE001 - a broken default file skips its method with the reason
        if explicit:
            raise
        return None, f"cannot load {what}: {exc}"


def load_model(path: Path | None, baseline: bool, device: str, encoder=None) -> tuple[Separator | None, str]:
    """The text-conditioned (or text-agnostic) model, or (None, reason) when the DEFAULT checkpoint is
    missing or broken; a checkpoint given explicitly must load."""
    from textsep.loading import load_separator
    from textsep.paths import default_checkpoint

    explicit = path is not None
    path = Path(path) if explicit else default_checkpoint(baseline)
    if not explicit and not path.is_file():
        return None, f"checkpoint not found: {path}"
    return _load_or_skip(lambda: load_separator(path, baseline=baseline, device=device, encoder=encoder),
                         explicit, str(path))


def load_nmf(path: Path | None) -> tuple[Separator | None, str]:
    """The NMF baseline, or (None, reason) when its DEFAULT dictionaries are missing or broken."""
    from textsep.loading import load_separator

    explicit = path is not None
    if not explicit:
        try:
            from textsep.nmf import DEFAULT_FILE
        except ImportError as exc:
            return None, f"textsep.nmf is not available ({exc})"
        from textsep.paths import find_asset

        path = find_asset("checkpoints", DEFAULT_FILE)
        if not path.is_file():
            return None, f"NMF dictionaries not found: {path}"
    return _load_or_skip(lambda: load_separator(path, method="nmf"), explicit, f"NMF dictionaries {path}")


def load_methods(methods: Collection[str], *, model_path: Path | None = None, baseline_path: Path | None = None,
                 nmf_path: Path | None = None, device: str = "cpu"
                 ) -> tuple[dict[str, Separator], dict[str, str], dict[str, str]]:
    """(separators to run, unavailable method -> reason, info lines) for the methods asked for.

    "textsep", "wrong-prompt" and "no-gate" share the text-conditioned model; oracle and mixture need none.
    """
    separators: dict[str, Separator] = {}
    unavailable: dict[str, str] = {}
    info: dict[str, str] = {}
    need_text = {"textsep", "wrong-prompt", "no-gate"} & set(methods)
    if need_text:
        sep, why = load_model(model_path, False, device)
        if sep is None:
            unavailable.update({m: why for m in ALL_METHODS if m in need_text})
        else:
            separators["textsep"] = sep
            info["model"] = str(sep.checkpoint_path)
    if "text-agnostic" in methods:
        sep, why = load_model(baseline_path, True, device)
        if sep is None:
            unavailable["text-agnostic"] = why
        else:
            separators["text-agnostic"] = sep
            info["baseline"] = str(sep.checkpoint_path)
    if "nmf" in methods:
        sep, why = load_nmf(nmf_path)
        if sep is None:
            unavailable["nmf"] = why
        else:
            separators["nmf"] = sep
    return separators, unavailable, info
