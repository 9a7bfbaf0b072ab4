"""Audio playback through a sounddevice OutputStream callback.

sounddevice (and PortAudio) are imported lazily on first use. Without a usable output device the
player reports `available == False` and a `reason` for the status bar, and the rest of the app
runs normally. The callback reads from whichever buffer is current (original or processed), so A/B
can flip during playback without a gap; "R" is what the edit removed (original - processed). Position is
polled by a QTimer on the GUI thread.
"""
from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

BLOCK = 1024


class Player(QObject):
    positionChanged = Signal(float)  # seconds
    stateChanged = Signal(str)  # 'playing', 'paused', 'stopped'
    error = Signal(str)

    def __init__(self, parent=None, poll_ms: int = 30):
        super().__init__(parent)
        self._sd = None
        self.available: bool | None = None
        self.reason = ""
        self._buffers: dict[str, np.ndarray] = {}
        self.which = "A"
        self.sr = 0
        self._pos = 0  # frames; written by the audio thread, read by the GUI thread
        self._loop: tuple[int, int] | None = None
        self._end_frame: int | None = None  # playing a selection stops here
        self._stream = None
        self._lock = threading.Lock()
        self._ended = False
        self.state = "stopped"
        self._timer = QTimer(self, interval=poll_ms)
        self._timer.timeout.connect(self._poll)

    # -- device ---------------------------------------------------------------------------------
    def check(self) -> bool:
        """Probe for sounddevice and an output device (once); sets `available` and `reason`."""
        if self.available is not None:
            return self.available
        try:
            import sounddevice as sd
        except (ImportError, OSError) as exc:
            self.available, self.reason = False, f"Playback disabled: PortAudio/sounddevice unavailable ({exc})"
            return False
        try:
            dev = sd.query_devices(kind="output")
        except Exception as exc:  # PortAudioError or ValueError when there is no default output
            self.available = False
            self.reason = f"Playback disabled: no audio output device ({str(exc).splitlines()[0][:120]})"
            return False
        if not dev or int(dev.get("max_output_channels", 0)) < 1:
            self.available, self.reason = False, "Playback disabled: no audio output device"
            return False
        self._sd = sd
        self._max_channels = int(dev.get("max_output_channels", 2))
        self.available, self.reason = True, f"Output: {dev.get('name', 'default device')}"
        return True

    # -- buffers --------------------------------------------------------------------------------
    def set_audio(self, samples: np.ndarray | None, sr: int) -> None:
        self.stop()
        self._buffers = {} if samples is None else {"A": np.atleast_2d(samples)}
        self.sr = int(sr)
        self._pos = 0

    def set_processed(self, samples: np.ndarray | None, residual: np.ndarray | None = None) -> None:
        """The processed audio (B) and what the edit removed (R); None drops both."""
        with self._lock:
            for key, buf in (("B", samples), ("R", residual if samples is not None else None)):
                if buf is None:
                    self._buffers.pop(key, None)
                else:
                    self._buffers[key] = np.atleast_2d(buf)
            if self.which not in self._buffers:
                self.which = "A"

    def select(self, which: str) -> None:
        with self._lock:
            if which not in self._buffers:
                which = "A"
            self.which = which

    @property
    def frames(self) -> int:
        buf = self._buffers.get("A")
        return 0 if buf is None else buf.shape[1]

    @property
    def position(self) -> float:
        return self._pos / self.sr if self.sr else 0.0

    # -- transport ------------------------------------------------------------------------------
    def play(self, start_s: float | None = None, loop: tuple[float, float] | None = None,
             end_s: float | None = None) -> bool:
        """From `start_s` (None: where it paused) to the end, to `end_s`, or around `loop` (start, end)."""
        if not self._buffers:
            return False
        if not self.check():
            self.error.emit(self.reason)
            return False
        self.stop(keep_position=start_s is None)
        if start_s is not None:
            self._pos = int(max(0.0, start_s) * self.sr)
        if loop is not None:
            a, b = int(loop[0] * self.sr), min(self.frames, int(loop[1] * self.sr))
            self._loop = (a, b) if b > a else None
            if self._loop and not a <= self._pos < b:
                self._pos = a
        else:
            self._loop = None
        if end_s is not None and self._loop is None:
            self._end_frame = min(self.frames, int(round(end_s * self.sr)))
        elif start_s is not None or loop is not None:
            self._end_frame = None
        if self._pos >= (self._end_frame or self.frames):
            self._pos = 0
        C = self._buffers["A"].shape[0]
        self._out_channels = C if C <= min(2, self._max_channels) else min(2, self._max_channels)
        self._ended = False
        try:
            self._stream = self._sd.OutputStream(samplerate=self.sr, channels=self._out_channels, dtype="float32",
                                                 blocksize=BLOCK, callback=self._callback,
                                                 finished_callback=self._on_finished)
            self._stream.start()
        except Exception as exc:
            self._stream = None
            self.error.emit(f"Cannot start playback: {str(exc).splitlines()[0][:200]}")
            return False
        self._set_state("playing")
        self._timer.start()
        return True

    def pause(self) -> None:
        if self.state == "playing":
            self._close_stream()
            self._set_state("paused")
            self.positionChanged.emit(self.position)

    def toggle(self, start_s: float | None = None, loop=None) -> bool:
        if self.state == "playing":
            self.pause()
            return True
        return self.play(start_s if self.state == "stopped" else None, loop)

    def stop(self, keep_position: bool = False) -> None:
        self._close_stream()
        if not keep_position:
            self._pos = 0
        if self.state != "stopped":
            self._set_state("stopped")

    def seek(self, t: float) -> None:
        self._pos = int(max(0.0, min(t * self.sr, self.frames)))
        self.positionChanged.emit(self.position)

    def _close_stream(self) -> None:
        self._timer.stop()
        s, self._stream = self._stream, None
        if s is not None:
            try:
                s.stop()
                s.close()
            except Exception:  # noqa: BLE001 - closing a dead stream must not raise into the GUI
                pass

    def _set_state(self, state: str) -> None:
        self.state = state
        self.stateChanged.emit(state)

    # -- audio thread ---------------------------------------------------------------------------
    def _callback(self, outdata, frames, time_info, status) -> None:
        with self._lock:
            buf = self._buffers.get(self.which, self._buffers.get("A"))
        pos = self._pos
        end = self._loop[1] if self._loop else min(buf.shape[1], self._end_frame or buf.shape[1])
        written = 0
        while written < frames:
            n = min(frames - written, end - pos)
            if n <= 0:
                if self._loop:
                    pos = self._loop[0]
                    continue
                break
            chunk = buf[:, pos: pos + n]
            if self._out_channels == chunk.shape[0]:
                outdata[written: written + n] = chunk.T
            else:  # more channels than the device takes: downmix to mono/stereo
                outdata[written: written + n] = chunk.mean(axis=0)[:, None]
            written += n
            pos += n
        if written < frames:
            outdata[written:] = 0
        self._pos = pos
        if written < frames:
            self._ended = True
            raise self._sd.CallbackStop

    def _on_finished(self) -> None:
        self._ended = True

    def _poll(self) -> None:
        self.positionChanged.emit(self.position)
        if self._ended and self.state == "playing":
            self._close_stream()
            self._pos = 0
            self._set_state("stopped")
            self.positionChanged.emit(0.0)
