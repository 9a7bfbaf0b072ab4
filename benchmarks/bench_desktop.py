"""Desktop app figures: launch to visible window, open+draw of a 10-minute file, GUI stalls during a preview.

Run (real X server via Xvfb, as a user would see it):
    xvfb-run -a -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb .venv/bin/python benchmarks/bench_desktop.py
or headless with QT_QPA_PLATFORM=offscreen. Options: --checkpoint PATH (default: the shipped model if it exists,
else a randomly initialised base-16 UNet of the shipped architecture, saved as a real checkpoint),
--minutes N (file length, default 10), --json OUT.

Targets: open + draw a 10-minute file <= 1.5 s; longest GUI-thread stall during a preview <= 100 ms.
The stall is measured with a 5 ms QTimer heartbeat: the longest gap between two ticks, minus the interval.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LAUNCH_CHILD = r"""
import os, sys, time
t_launch = float(os.environ["BENCH_T0"])
from textsep_desktop.app import create_app
app = create_app()
from textsep_desktop.main_window import MainWindow
from textsep_desktop.settings import Settings
from PySide6.QtCore import QTimer
w = MainWindow(Settings(os.environ["BENCH_INI"]), confirm_discard=False)
w.show()
def shown():
    heavy = [m for m in ("torch", "librosa", "transformers", "core.separate") if m in sys.modules]
    print(f"VISIBLE {time.time() - t_launch:.4f} {w.isVisible()} {','.join(heavy) or '-'}", flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""


def bench_launch(runs: int = 3) -> dict:
    times, heavy = [], ""
    with tempfile.TemporaryDirectory() as d:
        for _ in range(runs):
            env = dict(os.environ, BENCH_T0=repr(time.time()), BENCH_INI=str(Path(d) / "s.ini"))
            env["BENCH_T0"] = repr(time.time())
            out = subprocess.run([sys.executable, "-c", LAUNCH_CHILD], env=env, capture_output=True, text=True,
                                 cwd=ROOT, timeout=120)
            line = next((ln for ln in out.stdout.splitlines() if ln.startswith("VISIBLE")), None)
            if line is None:
                raise RuntimeError(f"launch child failed:\n{out.stderr[-2000:]}")
            _, t, visible, heavy = line.split()
            times.append(float(t))
    return {"launch_to_visible_s": {"min": min(times), "median": sorted(times)[len(times) // 2], "runs": times},
            "heavy_modules_at_startup": heavy}


def make_long_file(path: Path, minutes: float, sr: int = 44100) -> None:
    import numpy as np

    from core import audio as audio_io

    n = int(minutes * 60 * sr)
    rng = np.random.default_rng(0)
    t = np.arange(n, dtype=np.float32) / sr
    x = 0.1 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.05 * t))
    x = np.stack([x, x * 0.8]) + 0.02 * rng.standard_normal((2, n)).astype(np.float32)
    audio_io.save(x.astype(np.float32), path, sr, "PCM_16")


def random_checkpoint(path: Path) -> Path:
    """A randomly initialised model of the shipped architecture (speed only, not quality)."""
    import torch

    from core.model.checkpoint import save_checkpoint
    from core.model.unet import ModelConfig, TextConditionedUNet
    from core.spectral import SpecConfig

    torch.manual_seed(0)
    labels = ["dog", "rain", "female_speech"]
    model = TextConditionedUNet(ModelConfig(n_classes=len(labels)))
    if model.routes:
        from core.text import get_encoder

        model.set_anchors(torch.from_numpy(get_encoder().encode(["dog bark", "rain", "female speech"])))
    meta = {"encoder": {"name": "all-MiniLM-L6-v2", "dim": 384}, "classes": labels,
            "prompts": {"dog": ["dog bark"], "rain": ["rain"], "female_speech": ["female speech"]}}
    return save_checkpoint(path, model, SpecConfig(), meta)


class Heartbeat:
    def __init__(self, interval_ms: int = 5):
        from PySide6.QtCore import QTimer

        self.interval = interval_ms / 1000
        self.timer = QTimer(interval=interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last = None
        self.max_gap = 0.0
        self.gaps: list[float] = []

    def _tick(self):
        now = time.perf_counter()
        if self.last is not None:
            gap = now - self.last
            self.gaps.append(gap)
            self.max_gap = max(self.max_gap, gap)
        self.last = now

    def start(self):
        self.last, self.max_gap, self.gaps = None, 0.0, []
        self.timer.start()

    def stop(self) -> dict:
        self.timer.stop()
        g = sorted(self.gaps) or [0.0]
        return {"max_stall_ms": round(max(0.0, self.max_gap - self.interval) * 1000, 1),
                "p99_gap_ms": round(g[int(0.99 * (len(g) - 1))] * 1000, 1), "ticks": len(self.gaps)}


def pump_until(app, cond, timeout_s: float) -> bool:
    end = time.perf_counter() + timeout_s
    while time.perf_counter() < end:
        app.processEvents()
        if cond():
            return True
        time.sleep(0.001)
    return False


def bench_in_process(minutes: float, checkpoint: str | None, workdir: Path) -> dict:
    from textsep_desktop.app import create_app

    app = create_app()
    from textsep_desktop.main_window import MainWindow
    from textsep_desktop.settings import Settings

    res: dict = {}
    long_wav = workdir / f"long_{minutes:g}min.wav"
    t = time.perf_counter()
    make_long_file(long_wav, minutes)
    res["file"] = {"minutes": minutes, "sr": 44100, "channels": 2, "subtype": "PCM_16",
                   "bytes": long_wav.stat().st_size, "written_in_s": round(time.perf_counter() - t, 2)}

    settings = Settings(workdir / "s.ini")
    if checkpoint:
        settings.checkpoint_path = checkpoint
    # no engine prefetch: the first preview then pays the torch import (the worst case a user can hit)
    w = MainWindow(settings, confirm_discard=False, prefetch_engine=False)
    w.resize(1440, 900)
    w.show()
    pump_until(app, lambda: w.isVisible(), 5)
    for _ in range(3):
        app.processEvents()

    # ---- open and draw ------------------------------------------------------------------------
    hb = Heartbeat()
    hb.start()
    t0 = time.perf_counter()
    w.open_file(long_wav)
    pump_until(app, lambda: w.doc is not None and w.busy_task is None, 60)
    w.view.repaint()  # the waveform's first full paint, synchronously
    t_drawn = time.perf_counter() - t0
    pump_until(app, lambda: w.view.images["overview"] is not None, 60)
    w.view.repaint()
    t_spec = time.perf_counter() - t0
    res["open_and_draw"] = {"waveform_drawn_s": round(t_drawn, 3), "spectrogram_drawn_s": round(t_spec, 3),
                            **hb.stop()}

    # ---- navigation: wheel-zoom-like range changes -------------------------------------------
    hb.start()
    t0 = time.perf_counter()
    d = w.doc.duration
    for k in range(40):
        span = d / (1.25 ** k)
        c = d * 0.37
        w.view.wave_plot.setXRange(max(0, c - span / 2), min(d, c + span / 2), padding=0)
        w.view.redraw_waveform()
        w.view.repaint()
        app.processEvents()
    res["zoom_40_steps"] = {"total_s": round(time.perf_counter() - t0, 3),
                            "per_step_ms": round((time.perf_counter() - t0) / 40 * 1000, 1), **hb.stop()}
    w.view.zoom_fit()

    # ---- preview: cold (imports torch, loads model + encoder) and warm -------------------------
    w.add_region(120.0, 180.0, "dog bark", "remove")  # a 60 s region in the long file
    res["torch_imported_before_first_preview"] = "torch" in sys.modules
    for label in ("cold", "warm"):
        hb.start()
        t0 = time.perf_counter()
        task = w.preview()
        if task is None:
            res[f"preview_{label}"] = {"error": w.last_error}
            break
        pump_until(app, lambda: w.busy_task is None, 600)
        elapsed = time.perf_counter() - t0
        stats = hb.stop()
        res[f"preview_{label}"] = {"total_s": round(elapsed, 2), **stats,
                                   "ok": w.doc.processed is not None and w.last_error is None}
        w.doc.processed_for = None  # force a new run
    w.close()
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--json")
    ap.add_argument("--skip-launch", action="store_true")
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    out = {"platform": os.environ.get("QT_QPA_PLATFORM"), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-desktop-") as d:
        workdir = Path(d)
        ckpt = args.checkpoint
        if not ckpt:
            from core.paths import default_checkpoint

            if default_checkpoint().exists():
                ckpt = str(default_checkpoint())
                out["model"] = f"shipped {ckpt}"
            else:  # made in a subprocess so that torch is not yet imported here (honest cold preview)
                ckpt = str(workdir / "random_base16.pth")
                subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                                "from benchmarks.bench_desktop import random_checkpoint; "
                                "random_checkpoint(sys.argv[2])", str(ROOT), ckpt], check=True, cwd=ROOT,
                               capture_output=True)
                out["model"] = "random base-16 UNet (shipped architecture; no shipped checkpoint yet)"
        if not args.skip_launch:
            out.update(bench_launch())
        out.update(bench_in_process(args.minutes, ckpt, workdir))
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
