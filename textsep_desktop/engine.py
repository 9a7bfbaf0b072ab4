"""Start the engine (torch, model, text encoder) in the background without stalling the GUI thread.

What stalls the GUI during a cold engine start was measured, not guessed: a 5 ms QTimer heartbeat on the
GUI thread while a worker thread imported the engine, each module's create/exec timed, and every long
heartbeat gap set against what the worker was doing at the time (benchmarks/bench_desktop.py has the
resulting figures). The GIL is held for long only in two places:

1. Loading torch's C extension (``torch._C``: dlopen of libtorch_cpu and its static initialisers, then the
   extension's module init), one C call of 250-450 ms on this 2-core machine that never releases the GIL,
   whatever thread makes it (``ctypes.CDLL`` of libtorch_cpu holds it just as long).
2. Full (generation-2) garbage collections while torch, transformers and what transformers pulls in
   (torch._dynamo, torch.distributed) create hundreds of thousands of long-lived objects: six of them during
   a cold first preview, 40-250 ms each (gone with the collector paused).

Everything else -- Python module code, checkpoint and encoder loading, torch ops -- hands the GIL over every
few ms or runs without it. So:

* `start_import()` (called first thing at launch) imports the engine on a background thread, overlapping
  Qt's own start-up, and `wait_native()` holds the window back until ``torch._C`` is in: the one unsplittable
  stall happens before anything is on screen (it adds ~0.4 s to launch-to-visible, where importing all of
  torch on the GUI thread first would add ~1.5 s).
* While the engine loads, the cyclic garbage collector is paused (`gc_paused`); when loading ends, the
  engine's objects are frozen (`gc.freeze()`: never scanned again, so later full collections stay short)
  and collection resumes. The garbage cycles made during those seconds are kept, not freed -- a few
  hundred kB; collecting them would itself be a long stall.
* `warm_up()` then loads the model and text encoder and runs the pipeline once on a short silence, on a
  worker, so the first preview finds everything ready; a preview started earlier waits for it (the
  ModelManager's lock) and never loads anything itself.
"""
from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.abc
import sys
import threading
import time

NATIVE_MODULE = "torch._C"
ENGINE_MODULE = "textsep.separate"

_lock = threading.RLock()
_holds = 0
_reenable = False
_thread: threading.Thread | None = None
_done = threading.Event()
_error: BaseException | None = None
timings: dict[str, float] = {}  # perf_counter() stamps: import_started, native_loaded, import_done


# ---- the garbage collector ----------------------------------------------------------------------
def hold_gc() -> None:
    """Pause cyclic garbage collection (nested holds count; the last release resumes it)."""
    global _holds, _reenable
    with _lock:
        if _holds == 0:
            _reenable = gc.isenabled()
            gc.disable()
        _holds += 1


def release_gc() -> None:
    """End one hold; the last one freezes everything alive (the engine) and resumes collection."""
    global _holds
    with _lock:
        if _holds == 0:
            return
        _holds -= 1
        if _holds == 0 and _reenable:
            gc.freeze()
            gc.enable()


@contextlib.contextmanager
def gc_paused():
    hold_gc()
    try:
        yield
    finally:
        release_gc()


def gc_held() -> bool:
    return _holds > 0


# ---- the import --------------------------------------------------------------------------------
_native = threading.Event()  # torch._C is loaded (the import may be paused right after it)
_resume = threading.Event()  # the window is on screen: the rest of the import may compete for the GIL
PAUSE_MAX_S = 10.0


def native_loaded() -> bool:
    return _native.is_set() or NATIVE_MODULE in sys.modules


class _PauseAfterNative(importlib.abc.MetaPathFinder):
    """On the engine's import thread only: once torch._C has loaded, hold the rest of the import (1-2 s of
    Python that would take turns on the GIL with the window being built) until resume_import() -- called
    when the window shows -- and any foreground work (a file opened at launch) is done, each wait at most
    PAUSE_MAX_S. While it waits it holds no GIL; it holds the import locks of textsep.separate, torch and
    torch._C, which nothing on the GUI's start-up path or in foreground work imports."""

    searching = False  # another finder that asks the others in turn must not bring us back here

    def find_spec(self, name, path, target=None):
        if name != NATIVE_MODULE or threading.current_thread() is not _thread or self.searching:
            return None
        self.searching = True
        try:
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
            else:
                return None
        finally:
            self.searching = False
        create = spec.loader.create_module

        def create_then_pause(s):
            module = create(s)
            timings["native_loaded"] = time.perf_counter()
            _native.set()
            _resume.wait(PAUSE_MAX_S)
            # a file opened at launch is read and drawn first (neither imports torch, whose import lock
            # this thread holds; the wait is bounded anyway)
            wait_foreground_idle(timeout_s=PAUSE_MAX_S)
            return module

        spec.loader.create_module = create_then_pause  # this spec's own loader instance
        return spec


def resume_import() -> None:
    """The window is on screen: let the engine import go on."""
    _resume.set()


def _import() -> None:
    global _error
    gate = _PauseAfterNative()
    sys.meta_path.insert(0, gate)
    try:
        importlib.import_module(ENGINE_MODULE)  # torch, the model and the pipeline; no Qt
        timings["import_done"] = time.perf_counter()
    except BaseException as exc:  # noqa: BLE001 - reported by warm_up() / the first preview
        _error = exc
    finally:
        sys.meta_path.remove(gate)
        _native.set()
        _done.set()
        release_gc()


def start_import() -> bool:
    """Import the engine on a background thread (once per process); True if this call started it."""
    global _thread
    with _lock:
        if _thread is not None or ENGINE_MODULE in sys.modules:
            return False
        timings["import_started"] = time.perf_counter()
        hold_gc()
        _thread = threading.Thread(target=_import, name="textsep-engine-import", daemon=True)
        _thread.start()
        return True


def wait_native(timeout_s: float = 20.0) -> bool:
    """Block until torch's C extension is loaded (or the import ended or never started); False on timeout."""
    end = time.monotonic() + timeout_s
    while not native_loaded():
        if _thread is None or _done.is_set():
            break
        if time.monotonic() > end:
            return False
        _native.wait(0.003)
    return True


def wait_import(timeout_s: float | None = None) -> None:
    """Block until the background import has finished; re-raise its error. Starts it if nobody did."""
    start_import()
    resume_import()
    if _thread is not None and not _done.wait(timeout_s):
        raise TimeoutError("the engine is still loading")
    if _error is not None:
        raise _error


def join(timeout_s: float = 10.0) -> None:
    """Let a running import finish before the interpreter shuts down (a daemon thread killed mid-import
    of torch can crash the exit)."""
    if _thread is not None:
        _thread.join(timeout_s)


# ---- foreground work ---------------------------------------------------------------------------
_fg_lock = threading.Lock()
_fg_count = 0
_fg_idle_since = time.monotonic()
_fg_idle = threading.Event()
_fg_idle.set()


@contextlib.contextmanager
def foreground():
    """Mark work the user is waiting to see (opening a file, drawing its spectrogram): the background
    model load holds back until it is done (see warm_up)."""
    global _fg_count, _fg_idle_since
    with _fg_lock:
        _fg_count += 1
        _fg_idle.clear()
    try:
        yield
    finally:
        with _fg_lock:
            _fg_count -= 1
            if _fg_count == 0:
                _fg_idle_since = time.monotonic()
                _fg_idle.set()


def wait_foreground_idle(settle_s: float = 0.3, timeout_s: float = 15.0, cancel=None) -> bool:
    """Block until no foreground work has run for settle_s, counting from this call at the earliest (a file
    opened at launch starts a moment after the warm-up; the drawing starts a moment after the reading
    ends). False on timeout: the caller goes ahead anyway."""
    start = time.monotonic()
    end = start + timeout_s
    while time.monotonic() < end:
        if cancel is not None and cancel.is_set():
            return False
        if _fg_idle.wait(0.05):
            quiet = time.monotonic() - max(_fg_idle_since, start)
            if _fg_idle.is_set() and quiet >= settle_s:
                return True
            time.sleep(min(0.05, max(0.0, settle_s - quiet)))
    return False


# ---- the model ---------------------------------------------------------------------------------
def warm_up(models, progress=None, cancel=None) -> str:
    """Import the engine, load the model and its text encoder, and run the pipeline once on 0.25 s of
    silence, so that the first preview loads nothing. Returns "ready", or "no model" when no checkpoint
    is configured (the preview explains that to the user). Model errors propagate.

    The model and encoder load (a second or two of Python: transformers' imports, unpickling) waits while
    a file is being opened and drawn: on a busy 2-core machine the two together stalled the GUI for up to
    0.4 s, mostly the GUI thread waiting for the GIL and for a CPU. Nothing is locked while it waits."""
    with gc_paused():
        wait_import()
        wait_foreground_idle(cancel=cancel)
        if models.checkpoint_problem() is not None and not models.loaded:
            return "no model"
        sep = models.get(progress)
        import numpy as np

        from textsep.edits import Region

        sr = 16000
        sep.separate(np.zeros((1, sr // 4), np.float32), sr, [Region(0.0, 0.25, "warm up")], cancel=cancel)
        return "ready"
