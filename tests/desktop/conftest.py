"""Fixtures for the desktop tests: an isolated settings file, a window wired to the tiny model, audio files."""
from __future__ import annotations

import pytest

from textsep import audio as audio_io


@pytest.fixture(autouse=True, scope="session")
def _pyside_refcount_guard():
    """PySide6 6.12.0 on Python 3.11 over-releases None/True/False; apply the app's guard to every test."""
    from textsep_desktop.app import guard_none_refcount

    guard_none_refcount()


@pytest.fixture(scope="session")
def qapp_cls():
    """The app's own QApplication subclass (it handles files the OS asks the running app to open)."""
    from textsep_desktop.app import TextSepApplication

    return TextSepApplication


@pytest.fixture
def settings(tmp_path):
    from textsep_desktop.settings import Settings

    return Settings(tmp_path / "settings.ini")


@pytest.fixture
def make_window(qtbot, settings, tiny_separator, monkeypatch):
    """Factory for a shown MainWindow using the tiny test model (no real checkpoint needed)."""
    from textsep_desktop.app import setup_app
    from textsep_desktop.main_window import MainWindow

    def make(separator=tiny_separator, **kw):
        from PySide6.QtWidgets import QApplication

        setup_app(QApplication.instance())
        w = MainWindow(settings, confirm_discard=False, **kw)
        qtbot.addWidget(w)
        if separator is not None:
            w.models.set_separator(separator)
            # the model is "loaded", so no checkpoint file is needed
            monkeypatch.setattr(w.models, "checkpoint_problem", lambda: None)
        w.resize(1280, 800)
        w.show()
        qtbot.waitExposed(w)
        # keys reach the window's shortcuts only once it is the active window, as for a user
        w.activateWindow()
        qtbot.waitUntil(w.isActiveWindow, timeout=3000)
        return w

    return make


@pytest.fixture
def fake_device(monkeypatch):
    """A fake output device: sounddevice.OutputStream replaced by helpers.FakeStream."""
    import sounddevice as sd

    from desktop.helpers import FakeStream

    FakeStream.instances = []
    monkeypatch.setattr(sd, "query_devices",
                        lambda *a, **k: {"name": "Fake output", "max_output_channels": 2,
                                         "default_samplerate": 44100})
    monkeypatch.setattr(sd, "OutputStream", FakeStream)
    return FakeStream


@pytest.fixture
def no_device(monkeypatch):
    """No output device: querying one fails as PortAudio does."""
    import sounddevice as sd

    def fail(*a, **k):
        raise sd.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sd, "query_devices", fail)


@pytest.fixture
def wav_file(tmp_path, noise_audio):
    """Factory: write a PCM_16 WAV of deterministic noise and return its path."""

    def make(name="clip.wav", seconds=3.0, sr=44100, channels=2, seed=0, subtype="PCM_16"):
        x = noise_audio(seconds, sr, channels, seed)
        p = tmp_path / name
        audio_io.save(x, p, sr, subtype)
        return p

    return make


