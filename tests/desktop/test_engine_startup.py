"""The engine starts without stalling the GUI: torch's native library loads before the window shows, the model
loads in the background with the garbage collector paused, and a preview started meanwhile waits for it."""
from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from desktop.helpers import open_and_wait, wait_idle

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import gc, json, os, sys, time
from textsep_desktop.main_window import MainWindow

seen = {}
orig_show = MainWindow.showEvent

def native_mapped():  # torch's native library is in the process (its static initialisers have run)
    if sys.platform.startswith("linux"):
        with open("/proc/self/maps") as f:
            return "libtorch_cpu" in f.read()
    from textsep_desktop import engine
    return engine.native_loaded()

def show_event(self, ev):  # what is loaded at the moment the window first shows
    seen.setdefault("torch_native_at_show", native_mapped())
    seen.setdefault("gc_enabled_at_show", gc.isenabled())
    return orig_show(self, ev)

MainWindow.showEvent = show_event
from textsep_desktop.__main__ import launch

freeze0 = gc.get_freeze_count()
app, win = launch(None, os.environ["TEXTSEP_TEST_INI"])
states = []
win.engine.stateChanged.connect(lambda s: states.append((s, gc.isenabled())))
end = time.monotonic() + 240
while win.engine.state not in ("ready", "failed", "no model") and time.monotonic() < end:
    app.processEvents()
    time.sleep(0.005)
seen.update(states=states, final=win.engine.state, gc_enabled_after=gc.isenabled(),
            frozen=gc.get_freeze_count() - freeze0, model_loaded=win.models.loaded,
            label_hidden=not win.engine.label.isVisible())
print("RESULT " + json.dumps(seen), flush=True)
win.close()
"""


def test_app_launch_loads_torch_before_showing_and_the_model_in_background(tmp_path, tiny_checkpoint):
    from textsep_desktop.settings import Settings

    ini = tmp_path / "s.ini"
    s = Settings(ini)
    s.checkpoint_path = str(tiny_checkpoint)
    s.sync()
    env = dict(os.environ, TEXTSEP_TEST_INI=str(ini), QT_QPA_PLATFORM="offscreen", HF_HUB_OFFLINE="1",
               PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, cwd=ROOT,
                         timeout=300, check=False)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line is not None, out.stderr[-3000:]
    r = json.loads(line[len("RESULT "):])
    # the one long GIL hold (loading torch's C extension) is over before anything is on screen ...
    assert r["torch_native_at_show"] is True
    # ... and the collector is paused while the engine loads, then resumes with the engine frozen
    assert r["gc_enabled_at_show"] is False
    assert r["states"][0] == ["loading", False]
    assert r["final"] == "ready" and r["model_loaded"] and r["label_hidden"]
    assert r["gc_enabled_after"] is True and r["frozen"] > 10_000


def test_preview_during_warm_up_waits_for_the_background_load(make_window, settings, wav_file, qtbot,
                                                                tiny_checkpoint):
    settings.checkpoint_path = str(tiny_checkpoint)
    w = make_window(separator=None)  # nothing loaded: the window's warm-up loads the checkpoint
    states = []
    w.engine.stateChanged.connect(states.append)
    open_and_wait(qtbot, w, wav_file(seconds=2.0))
    w.region_commands.add(0.5, 1.5, "dog bark", "remove")
    # the preview may start before the warm-up is done: it waits on the model's lock
    assert w.processing.preview() is not None
    wait_idle(qtbot, w)
    qtbot.waitUntil(lambda: w.engine.state == "ready" and not w.engine.runner.active(), timeout=60000)
    assert states[-1] == "ready" and w.jobs.last_error is None and w.document.doc.processed is not None
    assert w.models.loaded and gc.isenabled()


def test_gc_holds_nest_and_resume_with_a_freeze():
    from textsep_desktop import engine

    assert gc.isenabled() and not engine.gc_held()
    frozen = gc.get_freeze_count()
    with engine.gc_paused():
        assert not gc.isenabled()
        with engine.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled() and engine.gc_held()
        junk = [[] for _ in range(100)]
    assert gc.isenabled() and not engine.gc_held()
    assert gc.get_freeze_count() >= frozen + 100
    del junk
    gc.unfreeze()  # give the test process its collectable objects back
    engine.release_gc()  # unbalanced releases are ignored
    assert gc.isenabled()
