"""Preview, cancel, export, prompt suggestions, sessions and error handling, through the real Separator."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from textsep import audio as audio_io
from desktop.helpers import open_and_wait, wait_idle


@pytest.fixture
def win(make_window, wav_file, qtbot):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=3.0, sr=44100, channels=2))
    return w


def test_preview_delivers_processed_audio_of_right_length(win, qtbot):
    win.region_commands.add(0.5, 1.25, "dog bark", "remove")
    task = win.processing.preview()
    assert task is not None
    wait_idle(qtbot, win)
    d = win.document.doc
    x = d.audio.samples
    assert d.processed is not None and d.processed.shape == x.shape
    a, b = int(round(0.5 * 44100)), int(round(1.25 * 44100))
    assert np.array_equal(d.processed[:, :a], x[:, :a]) and np.array_equal(d.processed[:, b:], x[:, b:])
    assert not np.array_equal(d.processed[:, a:b], x[:, a:b])
    # the processed layer is shown and selected for listening (B)
    assert win.action_table["ab"].isEnabled() and win.action_table["ab"].isChecked()
    assert win.view.processed is not None and all(c.isVisible() for c in win.view.curves_b)
    assert win.player.which == "B"
    # changing a region marks the preview stale
    win.region_commands.add(2.0, 2.5, "rain")
    assert "out of date" in win.processing.stale_label.text()


def test_preview_without_prompt_or_regions_explains(win):
    assert win.processing.preview() is None
    assert win.jobs.last_error[0] == "Nothing to process"
    win.region_commands.add(0.5, 1.0)  # placeholder prompt
    assert win.processing.preview() is None
    assert win.jobs.last_error[0] == "Region needs a prompt"


def test_preview_cancel(make_window, wav_file, qtbot, tiny_separator):
    from textsep.separate import Separator

    slow = Separator(tiny_separator.estimator, chunk_s=0.5, overlap_s=0.1)  # many chunks to cancel between
    w = make_window(separator=slow)
    open_and_wait(qtbot, w, wav_file(seconds=20.0, sr=16000, channels=1))
    w.region_commands.add(0.0, 20.0, "rain", "keep")
    # Persistent slots + waitUntil, not qtbot.waitSignal: progress is emitted many times from the worker, and
    # queued emissions reaching a SignalBlocker that pytest-qt has already released crash PySide.
    seen = {"progress": 0, "cancelled": 0}
    task = w.processing.preview()
    task.progress.connect(lambda *_: seen.__setitem__("progress", seen["progress"] + 1))
    task.cancelled.connect(lambda: seen.__setitem__("cancelled", 1))
    qtbot.waitUntil(lambda: seen["progress"] > 0, timeout=30000)
    w.jobs.cancel()
    qtbot.waitUntil(lambda: seen["cancelled"] == 1, timeout=30000)
    wait_idle(qtbot, w)
    assert w.document.doc.processed is None
    assert w.jobs.busy_task is None and w.action_table["preview"].isEnabled()
    assert w.jobs.last_error is None


def test_missing_model_shows_clear_dialog(make_window, wav_file, qtbot, tmp_path):
    w = make_window(separator=None)
    w.settings.checkpoint_path = str(tmp_path / "nope.pth")
    open_and_wait(qtbot, w, wav_file())
    w.region_commands.add(0.5, 1.0, "dog bark")
    assert w.processing.preview() is None
    title, msg = w.jobs.last_error
    assert title == "No model available" and "nope.pth" in msg


def test_corrupt_checkpoint_reports_model_load_failure(make_window, wav_file, qtbot, tmp_path):
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"not a checkpoint at all")
    w = make_window(separator=None)
    w.settings.checkpoint_path = str(bad)
    open_and_wait(qtbot, w, wav_file())
    w.region_commands.add(0.5, 1.0, "dog bark")
    w.processing.preview()
    wait_idle(qtbot, w)
    title, msg = w.jobs.last_error
    assert title == "Could not load the model" and "bad.pth" in msg
    assert w.document.doc.processed is None


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "FLOAT"])
def test_export_keeps_rate_channels_and_untouched_samples(win, qtbot, tmp_path, subtype):
    win.region_commands.add(1.0, 1.5, "dog bark", "remove")
    out = tmp_path / f"out_{subtype}.wav"
    win.processing.export_to(out, subtype)
    wait_idle(qtbot, win)
    assert win.jobs.last_error is None, win.jobs.last_error
    info = sf.info(str(out))
    assert info.samplerate == 44100 and info.channels == 2 and info.subtype == subtype
    y = audio_io.load(out).samples
    x = win.document.doc.audio.samples
    a, b = int(round(1.0 * 44100)), int(round(1.5 * 44100))
    assert np.array_equal(y[:, :a], x[:, :a]) and np.array_equal(y[:, b:], x[:, b:])
    assert not np.array_equal(y[:, a:b], x[:, a:b])
    # export also made the preview (reused for the next export)
    assert win.document.doc.processed is not None


def test_export_flac_and_never_overwrites_without_consent(win, qtbot, tmp_path):
    win.region_commands.add(1.0, 1.5, "dog bark", "keep")
    out = tmp_path / "out.flac"
    out.write_bytes(b"precious")
    win.processing.export_to(out, "PCM_16")  # no overwrite consent
    wait_idle(qtbot, win)
    assert win.jobs.last_error[0] == "Export failed" and "exists" in win.jobs.last_error[1]
    assert out.read_bytes() == b"precious"
    win.jobs.last_error = None
    win.processing.export_to(out, "PCM_16", overwrite=True)  # after the user confirmed replacing it
    wait_idle(qtbot, win)
    assert win.jobs.last_error is None
    assert sf.info(str(out)).format == "FLAC"
    # the input file is never written, even with consent
    src = win.document.doc.path
    before = src.read_bytes()
    win.processing.export_to(src, "PCM_16", overwrite=True)
    wait_idle(qtbot, win)
    assert win.jobs.last_error[0] == "Export failed"
    assert src.read_bytes() == before


def test_export_png_of_view(win, tmp_path):
    win.region_commands.add(1.0, 1.5, "dog bark")
    p = tmp_path / "view.png"
    assert win.processing.export_png(p)
    assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_suggest_prompts_lists_model_classes(win, qtbot):
    rid = win.region_commands.add(0.5, 2.0, "dog bark")
    win.panel.select(rid)
    assert win.processing.suggest_prompts() is not None
    wait_idle(qtbot, win)
    assert win.jobs.last_error is None, win.jobs.last_error
    prompts = [p for _label, p, _s in win.processing.last_suggestions]
    assert set(prompts) == {"dog bark", "rain", "female speech"}
    dlg = win.processing.suggest_dialog
    dlg.list.setCurrentRow(prompts.index("rain"))
    dlg._use()
    assert win.regions.get(rid).prompt == "rain"


def test_opening_bad_file_keeps_current_document(win, qtbot, tmp_path):
    rid = win.region_commands.add(0.5, 1.0, "dog bark")
    doc = win.document.doc
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk")
    open_and_wait(qtbot, win, bad)
    assert win.jobs.last_error[0] == "Cannot open file" and "broken.wav" in win.jobs.last_error[1]
    assert win.document.doc is doc and rid in win.regions and win.view.pyramid is doc.pyramid
    open_and_wait(qtbot, win, tmp_path / "missing.wav")
    assert "not found" in win.jobs.last_error[1]
    assert win.document.doc is doc


def test_session_round_trip(win, qtbot, tmp_path, make_window):
    win.region_commands.add(0.5, 1.0, "dog bark", "remove")
    win.region_commands.add(1.5, 2.75, "female speech", "keep")
    rid = win.regions.ids()[1]
    from dataclasses import replace

    win.region_commands.edit(rid, replace(win.regions.get(rid), fade_ms=20.0, enabled=False))
    win.view.zoom_to(0.5, 2.0, margin=0)
    sess = tmp_path / "my.textsep.json"
    assert win.document.save_session_to(sess)
    assert win.undo_stack.isClean()
    expected = win.regions.regions()
    win2 = make_window()
    win2.document.open_session(sess)
    wait_idle(qtbot, win2)
    assert win2.document.doc is not None and win2.document.doc.path == win.document.doc.path
    assert win2.regions.regions() == expected
    assert win2.view.visible_range() == pytest.approx((0.5, 2.0), abs=1e-3)
    assert win2.document.session_path == sess


def test_session_with_missing_audio_is_refused(win, tmp_path):
    import json

    doc = win.document.doc
    p = tmp_path / "gone.textsep.json"
    p.write_text(json.dumps({"format": "textsep-session", "version": 1, "audio": str(tmp_path / "gone.wav"),
                             "regions": []}))
    win.document.open_session(p)
    assert win.jobs.last_error[0] == "Cannot open session" and "not found" in win.jobs.last_error[1]
    assert win.document.doc is doc


def test_drop_opens_file_and_recent_menu_lists_it(make_window, wav_file, qtbot):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    w = make_window()
    p = wav_file("dropped.wav", seconds=1.0)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p))])
    ev = QDropEvent(QPointF(100, 100), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    w.dropEvent(ev)
    wait_idle(qtbot, w)
    assert w.document.doc is not None and w.document.doc.path == p
    assert w.settings.recent_files[0] == str(p.resolve())
    w.document.fill_recent_menu()
    texts = [a.text() for a in w.document.recent_menu.actions()]
    assert str(p.resolve()) in texts
    # the browser follows the opened file's folder and highlights it
    assert w.browser.folder == p.parent
    assert w.info.labels["Sample rate"].text() == "44,100 Hz" and "stereo" in w.info.labels["Channels"].text()
