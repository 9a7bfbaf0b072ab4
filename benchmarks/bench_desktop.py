"""Desktop app figures, side by side for two start-ups: launch to visible window and to a ready engine, open+draw
of a 10-minute file, and the longest GUI-thread stall during the first (cold) and a later (warm) preview.

  lazy     the engine loads when the first preview needs it, on the preview's worker thread
           (MainWindow(prefetch_engine=False); the app's start-up before this change)
  preload  the app as launched (textsep_desktop.__main__.launch): torch's native library loads before the
           window shows, the model and text encoder load in the background with the garbage collector
           paused (textsep_desktop/engine.py explains why)

Run (real X server via Xvfb, as a user would see it):
    xvfb-run -a -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb .venv/bin/python benchmarks/bench_desktop.py
or headless with QT_QPA_PLATFORM=offscreen. Options: --checkpoint PATH (default: the shipped model if it exists,
else a randomly initialised base-16 UNet of the shipped architecture, saved as a real checkpoint),
--minutes N (file length, default 10), --runs N (launches per start-up, default 3), --json OUT.

Each start-up's session runs in a fresh process (torch can be imported only once per process), as a user
would: launch, open the long file at once, preview a 60 s region the moment the file is drawn (cold: in the
preload start-up the engine may still be warming up, and the preview waits for it), preview again (warm),
zoom, re-open the file with the engine idle.

Measured here (2026-11, Debian 12, 2 cores shared with two training processes, load ~5-6, shipped model,
offscreen; lazy -> preload): launch to visible 0.79-0.96 -> 1.05-1.60 s (medians 0.88 -> 1.24-1.38 s);
launch to ready 7.2-8.4 -> 5.8-7.9 s; first preview's longest GUI stall 261-391 -> 39-75 ms; later previews
14-57 ms either way; 10-minute file opened right after launch drawn (spectrogram) in 1.5-2.3 s, longest
stall while opening 71-94 -> 106-236 ms (the GUI's own paint work and waiting for a CPU; see engine.py).

Targets: open + draw a 10-minute file <= 1.5 s; longest GUI-thread stall during any preview <= 100 ms.
Stalls are measured with a 5 ms QTimer heartbeat on the GUI thread: the longest gap between two ticks, minus
the interval. On a machine shared with other work, gaps also include time the OS gave to other processes.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MODES = ("lazy", "preload")

LAUNCH_CHILD = r"""
import os, sys, time
t_launch = float(os.environ["BENCH_T0"])
mode = os.environ["BENCH_MODE"]
sys.path.insert(0, os.environ["BENCH_ROOT"])
if mode == "preload":
    from textsep_desktop.__main__ import launch
    app, w = launch(None, os.environ["BENCH_INI"])
else:
    from textsep_desktop.app import create_app
    app = create_app()
    from textsep_desktop.main_window import MainWindow
    from textsep_desktop.settings import Settings
    w = MainWindow(Settings(os.environ["BENCH_INI"]), confirm_discard=False, prefetch_engine=False)
    w.show()
from PySide6.QtCore import QTimer
def shown():
    heavy = [m for m in ("torch", "librosa", "transformers", "textsep.separate") if m in sys.modules]
    print(f"VISIBLE {time.time() - t_launch:.4f} {','.join(heavy) or '-'}", flush=True)
    if mode == "lazy":  # what the first preview pays before it can run: the same load, started now
        from textsep_desktop import engine
        w.engine.runner.start(lambda p, c: engine.warm_up(w.models), "load", on_finished=w.engine.set_state)
def state(s):
    if s in ("ready", "no model", "failed"):
        print(f"READY {time.time() - t_launch:.4f} {s}", flush=True)
        app.quit()
w.engine.stateChanged.connect(state)
QTimer.singleShot(0, shown)
app.exec()
"""


def bench_launch(mode: str, ini: Path, runs: int) -> dict:
    visible, ready, heavy, state = [], [], "", ""
    for _ in range(runs):
        env = dict(os.environ, BENCH_T0=repr(time.time()), BENCH_INI=str(ini), BENCH_MODE=mode,
                   BENCH_ROOT=str(ROOT))
        out = subprocess.run([sys.executable, "-c", LAUNCH_CHILD], env=env, capture_output=True, text=True,
                             cwd=ROOT, timeout=600, check=False)
        lines = {ln.split()[0]: ln.split()[1:] for ln in out.stdout.splitlines() if ln.startswith(("VISIBLE", "READY"))}
        if "VISIBLE" not in lines or "READY" not in lines:
            raise RuntimeError(f"launch child ({mode}) failed:\n{out.stderr[-2000:]}")
        visible.append(float(lines["VISIBLE"][0]))
        heavy = lines["VISIBLE"][1]
        ready.append(float(lines["READY"][0]))
        state = lines["READY"][1]
    return {"launch_to_visible_s": {"median": statistics.median(visible), "runs": visible},
            "launch_to_ready_s": {"median": statistics.median(ready), "runs": ready, "state": state},
            "heavy_modules_when_visible": heavy}


def make_long_file(path: Path, minutes: float, sr: int = 44100) -> None:
    import numpy as np

    from textsep import audio as audio_io

    n = int(minutes * 60 * sr)
    rng = np.random.default_rng(0)
    t = np.arange(n, dtype=np.float32) / sr
    x = 0.1 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.05 * t))
    x = np.stack([x, x * 0.8]) + 0.02 * rng.standard_normal((2, n)).astype(np.float32)
    audio_io.save(x.astype(np.float32), path, sr, "PCM_16")


def random_checkpoint(path: Path) -> Path:
    """A randomly initialised model of the shipped architecture (speed only, not quality)."""
    import torch

    from textsep.model.checkpoint import save_checkpoint
    from textsep.model.unet import ModelConfig, TextConditionedUNet
    from textsep.spectral import SpecConfig

    torch.manual_seed(0)
    labels = ["dog", "rain", "female_speech"]
    model = TextConditionedUNet(ModelConfig(n_classes=len(labels)))
    if model.routes:
        from textsep.text import get_encoder

        model.set_anchors(torch.from_numpy(get_encoder().encode(["dog bark", "rain", "female speech"])))
    meta = {"encoder": {"name": "all-MiniLM-L6-v2", "dim": 384}, "classes": labels,
            "prompts": {"dog": ["dog bark"], "rain": ["rain"], "female_speech": ["female speech"]}}
    return save_checkpoint(path, model, SpecConfig(), meta)


class Heartbeat:
    """A 5 ms QTimer on the GUI thread; every tick's time is kept, so any span of the run can be asked for
    its longest stall afterwards."""

    def __init__(self, interval_ms: int = 5):
        from PySide6.QtCore import QTimer

        self.interval = interval_ms / 1000
        self.timer = QTimer(interval=interval_ms)
        self.timer.timeout.connect(self._tick)
        self.ticks: list[float] = []

    def _tick(self):
        self.ticks.append(time.perf_counter())

    def start(self):
        self.timer.start()

    def stop(self):
        self.timer.stop()

    def stats(self, t0: float, t1: float) -> dict:
        """Gaps that end within [t0, t1] (a gap running over t0 counts: it was a stall in the span)."""
        gaps = [b - a for a, b in zip(self.ticks, self.ticks[1:]) if t0 <= b and a <= t1]
        g = sorted(gaps) or [0.0]
        return {"max_stall_ms": round(max(0.0, g[-1] - self.interval) * 1000, 1),
                "p99_gap_ms": round(g[int(0.99 * (len(g) - 1))] * 1000, 1), "ticks": len(gaps)}


def pump_until(app, cond, timeout_s: float) -> bool:
    end = time.perf_counter() + timeout_s
    while time.perf_counter() < end:
        app.processEvents()
        if cond():
            return True
        time.sleep(0.001)
    return False


def session(mode: str, long_wav: Path, ini: Path) -> dict:
    """One start-up's user session in this (fresh) process."""
    t_launch = time.perf_counter()
    if mode == "preload":
        from textsep_desktop.__main__ import launch

        app, w = launch(None, str(ini))
    else:
        from textsep_desktop.app import create_app

        app = create_app()
        from textsep_desktop.main_window import MainWindow
        from textsep_desktop.settings import Settings

        w = MainWindow(Settings(ini), confirm_discard=False, prefetch_engine=False)
        w.show()
    w.document.confirm = False
    hb = Heartbeat()
    hb.start()
    pump_until(app, lambda: w.isVisible(), 10)
    t_visible = time.perf_counter()
    ready_at = []
    w.engine.stateChanged.connect(lambda s: s == "ready" and ready_at.append(time.perf_counter()))
    res: dict = {"visible_s": round(t_visible - t_launch, 3)}

    # ---- open and draw, at once -----------------------------------------------------------------
    t0 = time.perf_counter()
    w.document.open(long_wav)
    pump_until(app, lambda: w.document.doc is not None and w.jobs.busy_task is None, 120)
    w.view.repaint()  # the waveform's first full paint, synchronously
    t_drawn = time.perf_counter()
    pump_until(app, lambda: w.view.images["overview"] is not None, 120)
    w.view.repaint()
    t_spec = time.perf_counter()
    res["open_and_draw"] = {"waveform_drawn_s": round(t_drawn - t0, 3), "spectrogram_drawn_s": round(t_spec - t0, 3),
                            "engine_loading_meanwhile": w.engine.state == "loading", **hb.stats(t0, t_spec)}

    # ---- previews: the first as soon as the file is drawn (cold), then again (warm) ---------------
    w.region_commands.add(120.0, 180.0, "dog bark", "remove")  # a 60 s region in the long file
    res["torch_imported_before_first_preview"] = "torch" in sys.modules
    res["engine_state_at_first_preview"] = w.engine.state
    for label in ("cold", "warm"):
        t0 = time.perf_counter()
        task = w.processing.preview()
        if task is None:
            res[f"preview_{label}"] = {"error": w.jobs.last_error}
            break
        pump_until(app, lambda: w.jobs.busy_task is None, 900)
        t1 = time.perf_counter()
        res[f"preview_{label}"] = {"total_s": round(t1 - t0, 2), **hb.stats(t0, t1),
                                   "ok": w.document.doc.processed is not None and w.jobs.last_error is None}
        if label == "cold":
            res["max_stall_visible_to_first_preview_done"] = hb.stats(t_visible, t1)
        w.document.doc.processed_for = None  # force a new run
    pump_until(app, lambda: w.engine.state != "loading", 300)
    res["engine_ready_s"] = round(ready_at[0] - t_launch, 3) if ready_at else None  # preload only

    # ---- navigation: wheel-zoom-like range changes ----------------------------------------------
    t0 = time.perf_counter()
    d = w.document.doc.duration
    for k in range(40):
        span = d / (1.25 ** k)
        c = d * 0.37
        w.view.wave_plot.setXRange(max(0, c - span / 2), min(d, c + span / 2), padding=0)
        w.view.redraw_waveform()
        w.view.repaint()
        app.processEvents()
    t1 = time.perf_counter()
    res["zoom_40_steps"] = {"per_step_ms": round((t1 - t0) / 40 * 1000, 1), **hb.stats(t0, t1)}
    w.view.zoom_fit()

    # ---- open again with nothing else running -----------------------------------------------------
    w.wait_idle(60000)
    t0 = time.perf_counter()
    w.document.open(long_wav)
    pump_until(app, lambda: w.document.doc is not None and w.jobs.busy_task is None, 120)
    w.view.repaint()
    t_drawn = time.perf_counter()
    pump_until(app, lambda: w.view.images["overview"] is not None, 120)
    w.view.repaint()
    t_spec = time.perf_counter()
    res["open_and_draw_idle"] = {"waveform_drawn_s": round(t_drawn - t0, 3),
                                 "spectrogram_drawn_s": round(t_spec - t0, 3), **hb.stats(t0, t_spec)}
    hb.stop()
    w.close()
    return res


def bench_sessions(long_wav: Path, ini: Path) -> dict:
    out = {}
    for mode in MODES:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        p = subprocess.run([sys.executable, __file__, "--child", mode, str(long_wav), str(ini)], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=1800, check=False)
        line = next((ln for ln in p.stdout.splitlines() if ln.startswith("SESSION ")), None)
        if line is None:
            raise RuntimeError(f"session child ({mode}) failed:\n{p.stderr[-3000:]}")
        out[mode] = json.loads(line[len("SESSION "):])
    return out


def table(out: dict) -> str:
    def g(mode, *keys, fmt="{:.2f} s"):
        v = out
        for k in (mode, *keys):
            if not isinstance(v, dict) or k not in v:
                return "—"
            v = v[k]
        return fmt.format(v)

    ms = "{:.0f} ms"
    rows = [
        ("launch → visible window (median)", ("launch", "launch_to_visible_s", "median"), "{:.2f} s"),
        ("launch → engine ready (median)", ("launch", "launch_to_ready_s", "median"), "{:.2f} s"),
        ("open 10-min file → waveform drawn", ("session", "open_and_draw", "waveform_drawn_s"), "{:.2f} s"),
        ("open 10-min file → spectrogram drawn", ("session", "open_and_draw", "spectrogram_drawn_s"), "{:.2f} s"),
        ("  same, engine idle → spectrogram", ("session", "open_and_draw_idle", "spectrogram_drawn_s"), "{:.2f} s"),
        ("  max GUI stall while opening", ("session", "open_and_draw", "max_stall_ms"), ms),
        ("first (cold) preview: total", ("session", "preview_cold", "total_s"), "{:.2f} s"),
        ("first (cold) preview: max GUI stall", ("session", "preview_cold", "max_stall_ms"), ms),
        ("visible → first preview done: max stall", ("session", "max_stall_visible_to_first_preview_done",
                                                      "max_stall_ms"), ms),
        ("later (warm) preview: total", ("session", "preview_warm", "total_s"), "{:.2f} s"),
        ("later (warm) preview: max GUI stall", ("session", "preview_warm", "max_stall_ms"), ms),
        ("zoom step (40 steps): mean", ("session", "zoom_40_steps", "per_step_ms"), ms),
    ]
    lines = [f"{'':44s}{'lazy (before)':>16s}{'preload (after)':>18s}"]
    for name, keys, fmt in rows:
        kind, rest = keys[0], keys[1:]
        vals = [g(kind, m, *rest, fmt=fmt) for m in MODES]
        lines.append(f"{name:44s}{vals[0]:>16s}{vals[1]:>18s}")
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if argv[:1] == ["--child"]:
        mode, long_wav, ini = argv[1], Path(argv[2]), Path(argv[3])
        print("SESSION " + json.dumps(session(mode, long_wav, ini)), flush=True)
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json")
    ap.add_argument("--skip-launch", action="store_true")
    args = ap.parse_args(argv)
    out = {"platform": os.environ.get("QT_QPA_PLATFORM"), "cpus": os.cpu_count(),
           "loadavg_at_start": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="bench-desktop-") as d:
        workdir = Path(d)
        ckpt = args.checkpoint
        if not ckpt:
            from textsep.paths import default_checkpoint

            if default_checkpoint().exists():
                ckpt = str(default_checkpoint())
                out["model"] = f"shipped {ckpt}"
            else:  # made in a subprocess: this process stays free of torch
                ckpt = str(workdir / "random_base16.pth")
                subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                                "from benchmarks.bench_desktop import random_checkpoint; "
                                "random_checkpoint(sys.argv[2])", str(ROOT), ckpt], check=True, cwd=ROOT,
                               capture_output=True)
                out["model"] = "random base-16 UNet (shipped architecture; no shipped checkpoint yet)"
        from textsep_desktop.settings import Settings

        ini = workdir / "s.ini"
        s = Settings(ini)
        s.checkpoint_path = ckpt
        s.sync()
        long_wav = workdir / f"long_{args.minutes:g}min.wav"
        t = time.perf_counter()
        make_long_file(long_wav, args.minutes)
        out["file"] = {"minutes": args.minutes, "sr": 44100, "channels": 2, "subtype": "PCM_16",
                       "bytes": long_wav.stat().st_size, "written_in_s": round(time.perf_counter() - t, 2)}
        if not args.skip_launch:
            out["launch"] = {m: bench_launch(m, ini, args.runs) for m in MODES}
        out["session"] = bench_sessions(long_wav, ini)
        out["loadavg_at_end"] = os.getloadavg()
    text = json.dumps(out, indent=2)
    print(text)
    print()
    print(table(out))
    if args.json:
        Path(args.json).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
