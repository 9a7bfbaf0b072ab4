"""Entry point: `textsep-desktop [FILE]`, `--screenshot PATH [FILE]`, `--self-test`."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

T0 = time.perf_counter()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="textsep-desktop",
                                description="TextSep: edit sound with words (text-conditioned source separation).")
    p.add_argument("file", nargs="?", help="audio file or session (.textsep.json) to open")
    p.add_argument("--screenshot", metavar="PATH",
                   help="render the main window with FILE (or the bundled sample) and example regions to PATH, then exit")
    p.add_argument("--self-test", action="store_true",
                   help="check that the model, text encoder and audio I/O work (no display needed), then exit")
    p.add_argument("--settings", metavar="INI", help="use this settings file instead of the user's settings")
    return p


def demo_audio():
    """A short generated signal for screenshots when no sample file is installed."""
    import numpy as np

    from textsep.audio import Audio

    sr = 44100
    t = np.arange(int(8.0 * sr)) / sr
    rng = np.random.default_rng(1)
    bed = 0.18 * np.sin(2 * np.pi * 220 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.25 * t))
    bed += 0.08 * np.sin(2 * np.pi * 330 * t + 0.5) + 0.02 * rng.standard_normal(t.size)
    bursts = np.zeros_like(t)
    for start in (2.0, 2.6, 3.3, 5.5, 6.1):
        a, b = int(start * sr), int((start + 0.25) * sr)
        env = np.hanning(b - a)
        bursts[a:b] += 0.6 * env * np.sin(2 * np.pi * 700 * t[a:b] * (1 + 0.3 * env)) + 0.15 * env * rng.standard_normal(b - a)
    left, right = bed + bursts, bed * 0.9 + 0.7 * bursts
    return Audio(np.stack([left, right]).astype(np.float32), sr, "FLOAT", "WAV", None)


def screenshot(win, out: Path, file: str | None) -> int:
    from PySide6.QtWidgets import QApplication

    from textsep.paths import resource
    from textsep_desktop.peaks import PeakPyramid

    win.resize(1440, 900)
    win.show()
    QApplication.processEvents()
    sample = Path(file) if file else resource("sample.wav")
    if file or sample.exists():
        win.document.open(sample)
        win.wait_idle(60000)
        if win.document.doc is None:
            print(f"Could not open {sample}: {win.jobs.last_error}", file=sys.stderr)
            return 1
    else:
        a = demo_audio()
        win.document.install(a, PeakPyramid(a.samples, a.sr))
    d = win.document.doc.duration
    is_sample = sample.exists() and (not file or sample.resolve() == resource("sample.wav").resolve())
    if is_sample:  # the bundled sample: dog 2-4 s, cow 6.4-7.65 s (its moo below 1.2 kHz: a box)
        spans = [(2.0, 4.0, "dog bark", "remove", None), (6.4, 7.65, "cow mooing", "keep", (60.0, 1200.0))]
    else:
        spans = [(0.22 * d, 0.42 * d, "dog bark", "remove", None),
                 (0.6 * d, 0.76 * d, "female speech", "keep", (200.0, 4000.0))]
    for t0, t1, prompt, mode, band in spans:
        low, high = band or (None, None)
        win.region_commands.add(t0, t1, prompt, mode, low_hz=low, high_hz=high)
    win.panel.select(win.regions.ids()[0])
    win.view.set_cursor(spans[0][0] - 0.08 * d)
    win.transport.cursor_moved(win.view.cursor_s)
    win.wait_idle(30000)
    if win.models.checkpoint_problem() is None:
        win.processing.preview()
        win.wait_idle(300000)
        if win.action_table["ab"].isChecked():  # show the original with the effect overlay and its colour bar
            win.action_table["ab"].trigger()
    win.selection_ctrl.set_span(0.03 * d, 0.12 * d)  # and a selection in the selection bar
    win.wait_idle(30000)
    for _ in range(5):
        QApplication.processEvents()
        time.sleep(0.02)
    pm = win.grab()
    if pm.width() < 1280 or pm.height() < 800:
        print(f"window rendered at {pm.width()}x{pm.height()}, below 1280x800", file=sys.stderr)
    if not pm.save(str(out), "PNG"):
        print(f"Cannot write {out}", file=sys.stderr)
        return 1
    print(f"screenshot {pm.width()}x{pm.height()} written to {out}")
    return 0


def launch(file: str | None = None, settings_ini: str | None = None):
    """Start the app as `textsep-desktop [FILE]` does and return (app, window), the window shown.

    The engine import starts first, on a background thread, so that it overlaps Qt's start-up; the window
    waits for torch's native library before it shows (textsep_desktop/engine.py says why)."""
    from textsep_desktop import engine

    engine.start_import()
    from textsep_desktop.app import create_app

    app = create_app(sys.argv[:1])
    from textsep_desktop.main_window import MainWindow
    from textsep_desktop.settings import Settings

    win = MainWindow(Settings(settings_ini) if settings_ini else Settings())
    win.show()
    if file:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: win.document.open(file))
    return app, win


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:
        from textsep_desktop import selftest  # written by packaging; imported only for this flag

        return int(selftest.run())

    from textsep_desktop import engine

    if args.screenshot:
        import tempfile

        engine.start_import()
        from textsep_desktop.app import create_app
        from textsep_desktop.main_window import MainWindow
        from textsep_desktop.settings import Settings

        create_app(sys.argv[:1])
        ini = args.settings or str(Path(tempfile.mkdtemp(prefix="textsep-shot-")) / "settings.ini")
        win = MainWindow(Settings(ini), confirm_discard=False)
        rc = screenshot(win, Path(args.screenshot), args.file)
        win.close()
        return rc

    app, _win = launch(args.file, args.settings)
    rc = app.exec()
    engine.join()
    return rc


if __name__ == "__main__":
    sys.exit(main())
