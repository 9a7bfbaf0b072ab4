"""Playback through a fake sounddevice.OutputStream whose callback runs on its own thread, and the no-device case."""
from __future__ import annotations

import numpy as np

from desktop.helpers import open_and_wait, wait_idle


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
    w.transport.toggle_play()  # Space with Loop on: the selected region, over and over
    qtbot.waitUntil(lambda: len(fake_device.instances[-1].out) > 30, timeout=10000)
    w.transport.pause()
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
    w.transport.pause()  # resume from where it paused
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
    assert w.action_table["play"].isEnabled()  # Space still answers: it explains instead of doing nothing
    w.transport.toggle_play()
    assert "no audio output device" in w.statusBar().currentMessage()
    assert w.player.state == "stopped"
