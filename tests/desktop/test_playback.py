"""Playback through a fake sounddevice.OutputStream whose callback runs on its own thread, and the no-device case."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from desktop.helpers import open_and_wait, wait_idle


class FakeStream:
    """Calls the callback from a thread at (faster than) real time, like PortAudio would."""

    instances: list = []

    def __init__(self, samplerate, channels, dtype, blocksize, callback, finished_callback=None, **kw):
        import sounddevice as sd

        self.sd = sd
        self.sr, self.channels, self.block = samplerate, channels, blocksize
        self.callback, self.finished_callback = callback, finished_callback
        self.out: list[np.ndarray] = []
        self._stop = threading.Event()
        self.thread = None
        FakeStream.instances.append(self)

    def start(self):
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop.is_set():
            buf = np.full((self.block, self.channels), np.nan, dtype=np.float32)
            try:
                self.callback(buf, self.block, None, None)
            except self.sd.CallbackStop:
                self.out.append(buf.copy())
                break
            self.out.append(buf.copy())
            time.sleep(0.002)
        if self.finished_callback:
            self.finished_callback()

    def stop(self):
        self._stop.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(2)

    def close(self):
        pass

    def played(self) -> np.ndarray:
        return np.concatenate(self.out, axis=0) if self.out else np.zeros((0, self.channels), np.float32)


@pytest.fixture
def fake_device(monkeypatch):
    import sounddevice as sd

    FakeStream.instances = []
    monkeypatch.setattr(sd, "query_devices",
                        lambda *a, **k: {"name": "Fake output", "max_output_channels": 2, "default_samplerate": 44100})
    monkeypatch.setattr(sd, "OutputStream", FakeStream)
    return FakeStream


def test_plays_original_from_cursor_to_the_end(make_window, wav_file, qtbot, fake_device):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=1.0, sr=22050, channels=2))
    qtbot.waitUntil(lambda: w.player.available is not None)
    assert w.player.available and w.action_table["play"].isEnabled()
    w.view.set_cursor(0.5)
    positions = []
    w.player.positionChanged.connect(positions.append)
    w.transport.toggle_play()
    assert w.player.state == "playing"
    qtbot.waitUntil(lambda: w.player.state == "stopped", timeout=10000)
    s = fake_device.instances[-1]
    played = s.played()
    x = w.document.doc.audio.samples
    a = int(0.5 * 22050)
    n = x.shape[1] - a
    assert np.array_equal(played[:n].T, x[:, a:])  # exactly the audio from the cursor on
    assert np.all(played[n:] == 0)  # then silence padding, no garbage
    assert positions and max(positions) > 0.5  # the playhead moved
    assert w.view.playheads[0].isVisible() is False  # hidden once stopped


def test_pause_resume_loop_and_ab_switch(make_window, wav_file, qtbot, fake_device):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=2.0, sr=16000, channels=1))
    qtbot.waitUntil(lambda: w.player.available is not None)
    rid = w.region_commands.add(0.5, 1.0, "rain", "remove")
    w.panel.select(rid)
    w.processing.preview()
    wait_idle(qtbot, w)
    assert w.player.which == "B"
    w.action_table["loop"].setChecked(True)
    w.transport.toggle_play()
    qtbot.waitUntil(lambda: len(fake_device.instances[-1].out) > 30, timeout=10000)
    w.transport.toggle_play()  # pause
    assert w.player.state == "paused"
    played = fake_device.instances[-1].played()[:, 0]
    a, b = 8000, 16000
    proc = w.document.doc.processed[0]
    # looping the selected region of the processed audio: the region's samples, over and over
    loop = proc[a:b]
    assert len(played) > len(loop)
    assert np.array_equal(played[: len(loop)], loop)
    assert np.array_equal(played[len(loop): 2 * len(loop)][: len(played) - len(loop)],
                          loop[: min(len(loop), len(played) - len(loop))])
    pos = w.player.position
    assert 0.5 <= pos <= 1.0
    w.transport.toggle_play()  # resume from where it paused
    assert w.player.state == "playing"
    w.transport.stop()
    assert w.player.state == "stopped"


def test_no_device_runs_with_playback_disabled_and_says_why(make_window, wav_file, qtbot, monkeypatch):
    import sounddevice as sd

    def no_device(*a, **k):
        raise sd.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sd, "query_devices", no_device)
    w = make_window()
    qtbot.waitUntil(lambda: w.player.available is not None)
    assert w.player.available is False
    assert "no audio output device" in w.transport.playback_label.text()
    open_and_wait(qtbot, w, wav_file())
    assert not w.action_table["play"].isEnabled()
    w.transport.toggle_play()  # the shortcut still fires: it explains instead of crashing
    assert "no audio output device" in w.statusBar().currentMessage()
    assert w.player.state == "stopped"
