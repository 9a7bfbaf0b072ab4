"""Batch dialog over a folder with a corrupt file; the browser's label sources; the peak pyramid."""
from __future__ import annotations

import numpy as np
import pytest

from textsep import audio as audio_io


def _folder(tmp_path, noise_audio, n=3):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(n):
        audio_io.save(noise_audio(1.0 + 0.5 * i, 22050, 1 + i % 2, seed=i), d / f"f{i}.wav", 22050, "PCM_16")
    (d / "zz_corrupt.wav").write_bytes(b"RIFF....WAVEfmt garbage")
    return d


def test_batch_dialog_processes_folder_and_reports_corrupt_file(qtbot, tmp_path, noise_audio, tiny_separator):
    from textsep_desktop.batch_dialog import BatchDialog
    from textsep_desktop.model_manager import ModelManager
    from textsep_desktop.settings import Settings

    inp = _folder(tmp_path, noise_audio)
    out = tmp_path / "out"
    mm = ModelManager(Settings(tmp_path / "s.ini"))
    mm.set_separator(tiny_separator)
    mm.checkpoint_problem = lambda: None
    dlg = BatchDialog(mm, [], 50.0, input_dir=str(inp))
    qtbot.addWidget(dlg)
    assert not dlg.src_regions.isEnabled() and dlg.src_whole.isChecked()
    dlg.output.setText(str(out))
    dlg.prompt.setText("dog bark")
    dlg.mode.setCurrentText("remove")
    dlg.start()
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=60000)
    rep = dlg.report
    assert len(rep.written) == 3 and len(rep.failed) == 1
    assert rep.failed[0].input.name == "zz_corrupt.wav"
    statuses = {dlg.table.item(r, 0).text(): dlg.table.item(r, 1).text() for r in range(dlg.table.rowCount())}
    assert statuses == {"f0.wav": "written", "f1.wav": "written", "f2.wav": "written", "zz_corrupt.wav": "failed"}
    assert "1 failed" in dlg.summary.text() and "zz_corrupt.wav" in dlg.summary.text()
    for i in range(3):
        src, dst = audio_io.load(inp / f"f{i}.wav"), audio_io.load(out / f"f{i}.wav")
        assert dst.sr == src.sr and dst.channels == src.channels and dst.frames == src.frames
    # run again: existing outputs are skipped, never overwritten
    before = (out / "f0.wav").read_bytes()
    dlg.start()
    qtbot.waitUntil(lambda: dlg.report is not None and dlg.run_btn.isEnabled(), timeout=60000)
    assert len(dlg.report.skipped) == 3 and (out / "f0.wav").read_bytes() == before


def test_batch_dialog_shows_each_files_progress_and_the_failures(qtbot, tmp_path, noise_audio, tiny_separator,
                                                                 monkeypatch):
    """Rows follow textsep.batch's per-file events: pending -> processing (own progress bar) -> final status,
    with the reason on failed rows, and the failures summed up at the end.

    The dialog drops progress events that come within PROGRESS_INTERVAL_S of the previous one (a flood of
    queued signals would stall the GUI); the tiny model can finish a file inside that interval, so the
    interval is zero here: this test is about what the rows show, not about the throttle.
    """
    from textsep.separate import Separator
    from textsep_desktop import batch_dialog

    monkeypatch.setattr(batch_dialog, "PROGRESS_INTERVAL_S", 0.0)
    from textsep_desktop.batch_dialog import C_DETAILS, C_PROGRESS, C_STATUS, PROGRESS_ROLE, BatchDialog
    from textsep_desktop.model_manager import ModelManager
    from textsep_desktop.settings import Settings

    inp = tmp_path / "in"
    inp.mkdir()
    for i in range(2):
        audio_io.save(noise_audio(4.0, 22050, 1, seed=i), inp / f"a{i}.wav", 22050, "PCM_16")
    (inp / "b_corrupt.wav").write_bytes(b"RIFF....WAVEfmt garbage")
    (inp / "c_short.wav").write_bytes(b"")  # empty file: fails too
    mm = ModelManager(Settings(tmp_path / "s.ini"))
    mm.set_separator(Separator(tiny_separator.estimator, chunk_s=0.6, overlap_s=0.1))  # many chunks per file
    mm.checkpoint_problem = lambda: None
    dlg = BatchDialog(mm, [], input_dir=str(inp))
    qtbot.addWidget(dlg)
    dlg.output.setText(str(tmp_path / "out"))
    dlg.prompt.setText("rain")
    seen = []  # (file row, status shown, progress shown, overall bar) right after the dialog handled an event

    def snapshot(ev):
        row = dlg._row_of_index[ev.index]
        seen.append((ev.status, row, dlg.table.item(row, C_STATUS).text(),
                     dlg.table.item(row, C_PROGRESS).data(PROGRESS_ROLE), dlg.progress.value()))

    dlg.file_events.event.connect(snapshot)  # connected after the dialog's own slot, so it sees the result
    dlg.start()
    assert [dlg.table.item(r, C_STATUS).text() for r in range(4)] == ["pending"] * 4
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=60000)
    started = [s for s in seen if s[0] == "started"]
    assert [s[1] for s in started] == [0, 1, 2, 3]
    assert all(s[2] == "processing" and s[3] == 0.0 for s in started)
    mid = [s for s in seen if s[0] == "progress" and s[1] == 0]
    assert mid and all(s[2] == "processing" and 0.0 <= s[3] <= 1.0 for s in mid)
    assert any(s[3] > 0.0 for s in mid)  # the row's own bar moves
    overall = [s[4] for s in seen]
    assert overall == sorted(overall) and overall[-1] == 1000
    statuses = [dlg.table.item(r, C_STATUS).text() for r in range(4)]
    assert statuses == ["written", "written", "failed", "failed"]
    assert [dlg.table.item(r, C_PROGRESS).data(PROGRESS_ROLE) for r in range(4)] == [1.0, 1.0, None, None]
    reasons = {r.input.name: r.reason for r in dlg.report.failed}
    assert set(reasons) == {"b_corrupt.wav", "c_short.wav"}
    assert dlg.table.item(2, C_DETAILS).text() == reasons["b_corrupt.wav"]
    summary = dlg.summary.text()
    assert "2 written, 0 skipped, 2 failed" in summary
    assert "b_corrupt.wav" in summary and "c_short.wav" in summary
    # rows are painted by the progress delegate without errors
    dlg.show()
    dlg.table.viewport().repaint()


def test_batch_dialog_uses_editor_regions_and_validates_inputs(qtbot, tmp_path, noise_audio, tiny_separator):
    from textsep.edits import Region
    from textsep_desktop.batch_dialog import BatchDialog
    from textsep_desktop.model_manager import ModelManager
    from textsep_desktop.settings import Settings

    inp = _folder(tmp_path, noise_audio, n=2)
    mm = ModelManager(Settings(tmp_path / "s.ini"))
    mm.set_separator(tiny_separator)
    mm.checkpoint_problem = lambda: None
    regions = [Region(0.2, 0.6, "rain", "keep"), Region(0.1, 0.3, "x", enabled=False)]
    dlg = BatchDialog(mm, regions, input_dir=str(inp))
    qtbot.addWidget(dlg)
    assert dlg.src_regions.isChecked() and dlg.edit_source() == [regions[0]]
    dlg.start()  # no output folder
    assert "output folder" in dlg.summary.text() and dlg.report is None
    dlg.output.setText(str(inp))  # same as input: refused by textsep.batch
    dlg.start()
    assert "input folder" in dlg.summary.text() and dlg.report is None
    dlg.output.setText(str(tmp_path / "o"))
    dlg.start()
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=60000)
    assert len(dlg.report.written) == 2
    x = audio_io.load(inp / "f0.wav").samples
    y = audio_io.load(tmp_path / "o" / "f0.wav").samples
    a, b = int(round(0.2 * 22050)), int(round(0.6 * 22050))
    assert np.array_equal(y[:, :a], x[:, :a]) and np.array_equal(y[:, b:], x[:, b:])


def test_browser_labels_from_esc50_tree_and_manifest(qtbot, tmp_path, noise_audio):
    from textsep_desktop.browser import BrowserPanel

    root = tmp_path / "ESC-50"
    (root / "audio").mkdir(parents=True)
    (root / "meta").mkdir()
    for name in ("1-100-A-0.wav", "1-200-A-1.wav"):
        audio_io.save(noise_audio(0.2, 16000, 1), root / "audio" / name, 16000, "PCM_16")
    (root / "meta" / "esc50.csv").write_text("filename,fold,target,category\n1-100-A-0.wav,1,0,dog\n"
                                             "1-200-A-1.wav,1,1,rooster\n")
    b = BrowserPanel()
    qtbot.addWidget(b)
    for folder in (root, root / "audio"):
        b.set_folder(folder)
        assert sorted(lbl for _p, lbl in b.entries()) == ["dog", "rooster"]
        assert "ESC-50" in b.status.text()
    other = tmp_path / "clips"
    (other / "sub").mkdir(parents=True)
    audio_io.save(noise_audio(0.2, 16000, 1), other / "a.wav", 16000, "PCM_16")
    audio_io.save(noise_audio(0.2, 16000, 1), other / "b.flac", 16000, "PCM_16")
    (other / "notes.txt").write_text("x")
    (other / "manifest.csv").write_text("path,label\na.wav,siren\n")
    b.set_folder(other)
    assert sorted(b.entries()) == [(str(other / "a.wav"), "siren"), (str(other / "b.flac"), "")]
    opened = []
    b.fileActivated.connect(opened.append)
    b.filter.setText("siren")
    assert b.proxy.rowCount() == 1
    b._activated(b.proxy.index(0, 0))
    assert opened == [str(other / "a.wav")]


@pytest.mark.parametrize("n", [1, 63, 64, 1000, 100_003, 1_234_567])
def test_peak_envelope_matches_brute_force(n):
    from textsep_desktop.peaks import PeakPyramid

    rng = np.random.default_rng(n)
    x = rng.standard_normal((2, n)).astype(np.float32)
    p = PeakPyramid(x, 1000)
    for t0, t1, width in ((0, n / 1000, 800), (n / 4000, n / 2000, 300), (0, min(n, 50) / 1000, 900)):
        xs, ys, raw = p.envelope(t0, t1, width)
        a, b = int(np.floor(t0 * 1000)), min(n, int(np.ceil(t1 * 1000)) + 1)
        if raw:
            assert np.array_equal(ys, x[:, a:b])
            continue
        # bounded point count; the envelope covers the span's true extremes; only real sample values drawn
        assert ys.shape[1] <= 4 * width + 32  # about two min/max pairs per pixel
        seg = x[:, a:b]
        assert np.all(ys.max(axis=1) >= seg.max(axis=1)) and np.all(ys.min(axis=1) <= seg.min(axis=1))
        assert np.all(np.isin(ys, x))
        assert np.all(np.diff(xs) >= 0) and xs[0] >= t0 - 1 and xs[-1] <= t1 + 1


def test_none_refcount_guard_keeps_long_sessions_alive(qapp):
    """PySide6 6.12.0 on Python 3.11 drops a None reference per void call; the app must survive many repaints."""
    import sys

    from textsep_desktop.app import guard_none_refcount
    from textsep_desktop.peaks import PeakPyramid
    from textsep_desktop.waveform_view import WaveformView

    guard_none_refcount()
    v = WaveformView()
    v.resize(600, 300)
    v.show()
    v.set_audio(PeakPyramid(np.random.default_rng(0).standard_normal((2, 50_000)).astype(np.float32), 8000))
    start = sys.getrefcount(None)
    for k in range(400):  # about what crashed a bare PlotWidget without the guard
        v.wave_plot.setXRange(0, 6.0 - k * 0.01, padding=0)
        v.redraw_waveform()
        v.repaint()
    lost = start - sys.getrefcount(None)
    if guard_none_refcount():  # the binding bug is present: the guard must keep the singletons far from zero
        for singleton in (None, True, False):
            assert sys.getrefcount(singleton) > 1 << 20, f"{singleton}'s reference count is low: abort ahead"
    else:  # a PySide6 without the bug: nothing may leak at all
        assert lost <= 0
    v.close()
