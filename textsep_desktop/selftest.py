"""`TextSep --self-test`: prove that an installed or frozen app can do one real edit, without a display.

Steps (each timed and printed; the first failure stops the test with a clear message and exit code 1):
  1. load the model: $TEXTSEP_CHECKPOINT if set, else the shipped checkpoint (textsep.paths.default_checkpoint());
  2. load the text encoder the checkpoint was trained with (MiniLM by default) and embed a prompt;
  3. load the bundled sample (resources/sample.wav);
  4. separate it with one region (keep "dog bark" at 2-4 s);
  5. check the result: same shape, rate and channel count, finite, samples outside the region
     bit-identical, samples inside changed; then save it as the source's format and read it back,
     checking that the untouched samples survive the round trip bit for bit.
No Qt is imported, so it runs on machines without a display (CI, a server, a broken GPU driver).
Set TEXTSEP_DEBUG=1 for the traceback of a failure, TEXTSEP_SELFTEST_LOG=FILE to copy the report to a file.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

ENV_CHECKPOINT = "TEXTSEP_CHECKPOINT"
ENV_LOG = "TEXTSEP_SELFTEST_LOG"
PROMPT = "dog bark"
REGION = (2.0, 4.0)


class SelfTestError(Exception):
    """One check failed; the message says which and why."""


def _step(name: str, fn, log):
    t0 = time.perf_counter()
    try:
        out = fn()
    except SelfTestError:
        raise
    except Exception as exc:  # any error from a step becomes a one-line failure with its cause
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SelfTestError(f"{name}: {detail}") from exc
    log(f"  ok   {name} ({time.perf_counter() - t0:.2f} s)")
    return out


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise SelfTestError(message)


def _default_log(log_file: str | None):
    def log(msg: str) -> None:
        if sys.stdout is not None:
            print(msg, flush=True)
        if log_file:
            with open(log_file, "a", encoding="utf-8") as f:
                f.write(msg + "\n")

    return log


def checkpoint_path() -> Path:
    from textsep.paths import default_checkpoint

    env = os.environ.get(ENV_CHECKPOINT)
    return Path(env) if env else default_checkpoint()


def run(log=None) -> int:
    """Run the self-test; 0 if every check passed, 1 otherwise.

    Messages go to `log` (default: print, and also appended to the file named by $TEXTSEP_SELFTEST_LOG:
    a windowed Windows executable has no stdout when a CI shell runs it, so CI reads that file)."""
    if log is None:
        log = _default_log(os.environ.get(ENV_LOG))
    t_start = time.perf_counter()
    frozen = bool(getattr(sys, "frozen", False))
    log(f"TextSep self-test ({'frozen app' if frozen else 'source'}; Python {sys.version.split()[0]}, "
        f"{sys.platform})")
    try:
        _run_checks(log)
    except SelfTestError as exc:
        log(f"  FAIL {exc}")
        if os.environ.get("TEXTSEP_DEBUG") and exc.__cause__ is not None:
            log("".join(traceback.format_exception(exc.__cause__)).rstrip())
        log("SELF-TEST FAILED")
        return 1
    except Exception as exc:  # a bug or a broken bundle (e.g. a module left out): say so, with the traceback
        log(f"  FAIL unexpected {type(exc).__name__}: {exc}")
        log("".join(traceback.format_exception(exc)).rstrip())
        log("SELF-TEST FAILED")
        return 1
    log(f"SELF-TEST PASSED in {time.perf_counter() - t_start:.1f} s")
    return 0


def _run_checks(log) -> None:
    """The self-test's steps in the order a user's launch meets them (imports, model, encoder, audio I/O,
    one edit). Longer than most functions on purpose: each step is a small closure timed by _step, and
    reading them top to bottom is the checklist the frozen app runs."""
    def imports():
        from textsep import audio as audio_io
        from textsep.edits import Region
        from textsep.loading import load_separator
        from textsep.paths import resource
        from textsep.separate import Separator  # noqa: F401 - the engine (torch) imports here, timed

        return audio_io, Region, resource, load_separator

    # A module missing from a frozen bundle shows up here, named, instead of as a crash.
    audio_io, Region, resource, load_separator = _step("import engine (torch, soundfile, soxr)", imports, log)

    ckpt = checkpoint_path()
    source = f"${ENV_CHECKPOINT}" if os.environ.get(ENV_CHECKPOINT) else "shipped"
    log(f"  checkpoint ({source}): {ckpt}")
    if not ckpt.is_file():
        raise SelfTestError(f"load model: checkpoint not found: {ckpt}"
                            + ("" if os.environ.get(ENV_CHECKPOINT) else
                               f" (the app ships without its model; set {ENV_CHECKPOINT} to a .pth file)"))
    sep = _step("load model", lambda: load_separator(ckpt), log)
    est = sep.estimator
    cfg = est.model.cfg
    log(f"       {est.name} model, {sum(p.numel() for p in est.model.parameters()) / 1e6:.2f} M parameters, "
        f"{est.spec.sr} Hz analysis")

    def encode():
        from textsep.text import get_encoder
        from textsep.text.minilm import model_dir

        enc = est.encoder if est.encoder is not None else get_encoder()
        v = enc.encode([PROMPT])
        _check(v.shape == (1, enc.dim) and np.all(np.isfinite(v)) and abs(float(np.linalg.norm(v)) - 1) < 1e-3,
               f"text encoder {enc.name}: bad embedding for {PROMPT!r} (shape {v.shape})")
        if enc.name == "all-MiniLM-L6-v2":
            where = model_dir()
            if frozen := getattr(sys, "_MEIPASS", None):
                _check(Path(frozen) in where.parents,
                       f"text encoder weights come from {where}, outside the bundle {frozen}")
            log(f"       {enc.name} ({enc.dim}-d) from {where}")
        return enc

    _step("load text encoder", encode, log)
    _check(cfg.text_agnostic or est.encoder is not None, "the text-conditioned model has no text encoder")

    sample_path = resource("sample.wav")
    a = _step("load sample", lambda: audio_io.load(sample_path), log)
    log(f"       {sample_path}: {a.duration:.2f} s, {a.sr} Hz, {a.channels} ch, {a.subtype}")
    _check(a.duration >= REGION[1], f"the sample is only {a.duration:.2f} s long; the test region ends at {REGION[1]} s")

    region = Region(REGION[0], REGION[1], PROMPT, "keep")
    out = _step(f"separate (keep {PROMPT!r}, {REGION[0]:g}-{REGION[1]:g} s)", lambda: sep.separate_audio(a, [region]).audio,
                log)

    def verify():
        x, y = a.samples, out.samples
        _check(y.shape == x.shape, f"output shape {y.shape} differs from input {x.shape}")
        _check(out.sr == a.sr, f"output rate {out.sr} Hz differs from input {a.sr} Hz")
        _check(out.channels == a.channels, f"output has {out.channels} channels, input {a.channels}")
        _check(bool(np.all(np.isfinite(y))), "output contains NaN or infinite samples")
        lo, hi = region.span(a.sr)
        _check(np.array_equal(y[:, :lo], x[:, :lo]) and np.array_equal(y[:, hi:], x[:, hi:]),
               "samples outside the region changed (they must be bit-identical)")
        diff = float(np.max(np.abs(y[:, lo:hi].astype(np.float64) - x[:, lo:hi])))
        _check(diff > 0, "samples inside the region did not change")
        log(f"       outside the region: bit-identical; inside: max |change| {diff:.4f}")
        return lo, hi

    lo, hi = _step("check result", verify, log)

    def round_trip():
        with tempfile.TemporaryDirectory(prefix="textsep-selftest-") as d:
            p = Path(d) / f"edited{sample_path.suffix}"
            audio_io.save(out, p)
            b = audio_io.load(p)
        _check((b.sr, b.channels, b.subtype) == (a.sr, a.channels, a.subtype),
               f"saved file is {b.sr} Hz/{b.channels} ch/{b.subtype}, expected {a.sr} Hz/{a.channels} ch/{a.subtype}")
        _check(np.array_equal(b.samples[:, :lo], a.samples[:, :lo])
               and np.array_equal(b.samples[:, hi:], a.samples[:, hi:]),
               "after saving, samples outside the region are no longer bit-identical")

    _step("save and reload", round_trip, log)


if __name__ == "__main__":
    sys.exit(run())
