"""Time-frequency regions in the app: a box drawn on the spectrogram (Ctrl+drag, or a drag with the box tool),
resizable and movable in time and frequency, a time span on the waveform; undo, the table's Low/High columns,
sessions, and a preview of a box region through the real pipeline."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QAbstractItemView

from desktop.helpers import drag, modifier_drag, open_and_wait, view_point, wait_idle
from textsep_desktop import spectrogram as spec
from textsep_desktop.region_boxes import RegionBox
from textsep_desktop.region_panel import C_HIGH, C_LOW, COLUMNS

CTRL = Qt.KeyboardModifier.ControlModifier
SR = 22050


@pytest.fixture
def win(make_window, wav_file, qtbot):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=3.0, sr=SR, channels=1))
    qtbot.waitUntil(lambda: w.view.images["overview"] is not None, timeout=10000)
    return w


def row(hz: float) -> float:
    return spec.row_of_hz(hz, SR)


def spec_pos(win, t, hz):
    return view_point(win.view, win.view.spec_vb, t, row(hz))


def close_editor(win, qtbot):
    """The new region's prompt cell opened (as after R): type a prompt and press Enter."""
    t = win.panel.table
    qtbot.waitUntil(lambda: t.state() == QAbstractItemView.State.EditingState, timeout=3000)
    ed = t.focusWidget()
    ed.selectAll()
    qtbot.keyClicks(ed, "creaking door")  # (no completion popup: the tiny model knows no such sound)
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: t.state() != QAbstractItemView.State.EditingState, timeout=3000)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=3000)


def boxes(win):
    return [it for items in win.overlay.items.values() for it in items if isinstance(it, RegionBox)]


def test_ctrl_drag_on_the_spectrogram_draws_a_box_region(win, qtbot):
    vp = win.view.viewport()
    modifier_drag(qtbot, vp, spec_pos(win, 1.0, 500), spec_pos(win, 2.0, 3000), CTRL)
    assert len(win.regions) == 1
    r = win.regions.regions()[0]
    assert r.start_s == pytest.approx(1.0, abs=0.02) and r.end_s == pytest.approx(2.0, abs=0.02)
    assert r.low_hz == pytest.approx(500, rel=0.06) and r.high_hz == pytest.approx(3000, rel=0.06)
    close_editor(win, qtbot)
    assert win.regions.regions()[0].prompt == "creaking door"
    rid = win.regions.ids()[0]
    wave_item, spec_item = win.overlay.items[rid]
    assert isinstance(spec_item, RegionBox) and not isinstance(wave_item, RegionBox)  # a box; a span on the wave
    assert wave_item.getRegion() == pytest.approx((r.start_s, r.end_s))
    r0, r1 = spec_item.rows()
    assert (r0, r1) == pytest.approx((row(r.low_hz), row(r.high_hz)), abs=1e-6)
    assert "Hz" in win.overlay.label_texts[rid]  # the label names the band
    assert win.panel.model.data(win.panel.model.index(0, C_LOW)) == f"{r.low_hz:g}"
    # undo: the prompt, then the box; redo brings the box back
    win.undo_stack.undo()
    win.undo_stack.undo()
    assert len(win.regions) == 0 and not boxes(win)
    win.undo_stack.redo()
    assert win.regions.regions()[0].band == r.band and len(boxes(win)) == 1
    # Ctrl+drag on the waveform is still a time selection, not a box
    modifier_drag(qtbot, vp, view_point(win.view, win.view.wave_vb, 0.2, 0),
                  view_point(win.view, win.view.wave_vb, 0.6, 0), CTRL)
    assert len(win.regions) == 1 and win.selection.span == pytest.approx((0.2, 0.6), abs=0.02)


def test_shift_click_over_a_box_extends_the_selection(win, qtbot):
    """As over a time region: Shift+click on a box extends the time selection and does not select the box."""
    vp = win.view.viewport()
    modifier_drag(qtbot, vp, spec_pos(win, 1.5, 500), spec_pos(win, 2.5, 3000), CTRL)
    close_editor(win, qtbot)
    win.panel.select(None)
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=spec_pos(win, 0.5, 1000))
    assert win.selection.span is None
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, spec_pos(win, 2.0, 1000))
    assert win.selection.span == pytest.approx((0.5, 2.0), abs=0.03)
    assert win.panel.selected_id() is None
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=spec_pos(win, 2.0, 1000))  # a plain click selects it
    assert win.panel.selected_id() == win.regions.ids()[0]


def test_box_tool_button_makes_a_plain_drag_draw_a_box(win, qtbot):
    act = win.action_table["box_tool"]
    button = win.action_table.toolbar.widgetForAction(act)
    assert button is not None and button.isVisible() and act.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert act.isChecked() and win.view.spec_vb.box_tool
    vp = win.view.viewport()
    drag(qtbot, win.view, win.view.spec_vb, 0.5, 1.5, y=row(1000))  # a flat drag: no box (no height)
    assert len(win.regions) == 0
    p0, p1 = spec_pos(win, 0.5, 200), spec_pos(win, 1.5, 1200)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=p0)
    for i in range(1, 9):
        qtbot.mouseMove(vp, p0 + (p1 - p0) * (i / 8))
        qtbot.wait(5)
    assert win.box_tool.rubber.isVisible()  # the rubber band while dragging
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=p1)
    assert not win.box_tool.rubber.isVisible()
    r = win.regions.regions()[0]
    assert r.low_hz == pytest.approx(200, rel=0.1) and r.high_hz == pytest.approx(1200, rel=0.06)
    close_editor(win, qtbot)
    qtbot.keyClick(win, "x")  # X turns the tool off: a drag on the spectrogram selects time again
    assert not act.isChecked() and not win.view.spec_vb.box_tool
    drag(qtbot, win.view, win.view.spec_vb, 2.0, 2.6, y=row(1000))
    assert len(win.regions) == 1 and win.selection.span == pytest.approx((2.0, 2.6), abs=0.02)


def _handle(box: RegionBox, pos):
    return next(h["item"] for h in box.handles if tuple(h["pos"]) == pos)


def _drag_scene(qtbot, win, scene_from, scene_to):
    vp = win.view.viewport()
    p0, p1 = win.view.mapFromScene(scene_from), win.view.mapFromScene(scene_to)
    modifier_drag(qtbot, vp, p0, p1)


def test_resize_and_move_the_box_in_time_and_frequency(win, qtbot):
    rid = win.region_commands.add(1.0, 2.0, "dog bark", "remove", low_hz=500, high_hz=2000)
    win.view.zoom_fit()
    qtbot.wait(20)
    box = win.overlay.items[rid][1]
    vb = win.view.spec_vb
    win.panel.select(None)
    inside = win.view.mapFromScene(vb.mapViewToScene(QPointF(1.5, row(1000))))
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=inside)  # a click selects its region
    assert win.panel.selected_id() == rid and win.overlay.selected == rid
    top = _handle(box, (0.5, 1))  # top edge: the high frequency only
    _drag_scene(qtbot, win, top.scenePos(), vb.mapViewToScene(QPointF(1.5, row(4000))))
    r = win.regions.get(rid)
    assert r.high_hz == pytest.approx(4000, rel=0.05) and r.low_hz == 500
    assert (r.start_s, r.end_s) == (1.0, 2.0)
    assert win.undo_stack.undoText() == "Change frequency band"
    right = _handle(box, (1, 0.5))  # right edge: the end time only
    _drag_scene(qtbot, win, right.scenePos(), vb.mapViewToScene(QPointF(2.5, row(1000))))
    r = win.regions.get(rid)
    assert r.end_s == pytest.approx(2.5, abs=0.02) and r.start_s == 1.0 and r.low_hz == 500
    assert win.overlay.items[rid][0].getRegion()[1] == pytest.approx(r.end_s)  # the waveform's span follows
    corner = _handle(box, (0, 0))  # bottom-left corner: start time and low frequency
    _drag_scene(qtbot, win, corner.scenePos(), vb.mapViewToScene(QPointF(0.8, row(300))))
    r = win.regions.get(rid)
    assert r.start_s == pytest.approx(0.8, abs=0.02) and r.low_hz == pytest.approx(300, rel=0.06)
    # move the whole box: time and band shift together, its length in time stays
    before = win.regions.get(rid)
    centre = box.mapToScene(QPointF(box.state["size"][0] / 2, box.state["size"][1] / 2))
    _drag_scene(qtbot, win, centre, centre + QPointF(40, -25))
    moved = win.regions.get(rid)
    assert moved.start_s > before.start_s and moved.duration == pytest.approx(before.duration, abs=1e-6)
    assert moved.low_hz > before.low_hz and moved.high_hz > before.high_hz
    assert win.undo_stack.undoText() == "Move box"
    for _ in range(4):
        win.undo_stack.undo()
    r = win.regions.get(rid)
    assert (r.start_s, r.end_s, r.low_hz, r.high_hz) == (1.0, 2.0, 500, 2000)
    assert box.rows() == pytest.approx((row(500), row(2000)))


def test_low_and_high_columns_edit_the_band(win, qtbot):
    assert "Low Hz" in COLUMNS and "High Hz" in COLUMNS
    rid = win.region_commands.add(1.0, 2.0, "dog bark")
    m = win.panel.model
    assert m.data(m.index(0, C_LOW)) == "" and m.data(m.index(0, C_HIGH)) == ""  # empty: the full band
    assert not isinstance(win.overlay.items[rid][1], RegionBox)
    # as a user: click the Low cell, F2, type, Enter
    t = win.panel.table
    idx = m.index(0, C_LOW)
    qtbot.mouseClick(t.viewport(), Qt.MouseButton.LeftButton, pos=t.visualRect(idx).center())
    assert t.currentIndex() == idx
    qtbot.keyClick(t, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: t.state() == QAbstractItemView.State.EditingState, timeout=3000)
    ed = t.focusWidget()
    ed.selectAll()
    qtbot.keyClicks(ed, "300")
    qtbot.keyClick(ed, Qt.Key.Key_Return)  # (the editor commits from the event loop)
    qtbot.waitUntil(lambda: t.state() != QAbstractItemView.State.EditingState, timeout=3000)
    assert win.regions.get(rid).low_hz == 300 and win.regions.get(rid).high_hz is None
    assert isinstance(win.overlay.items[rid][1], RegionBox)  # now a box on the spectrogram
    assert m.setData(m.index(0, C_HIGH), "2.5k")
    assert win.regions.get(rid).band == (300, 2500)
    assert m.data(m.index(0, C_HIGH)) == "2.5k"
    failures = []
    m.edit_failed.connect(failures.append)
    assert not m.setData(m.index(0, C_LOW), "3000")  # above the high edge
    assert not m.setData(m.index(0, C_LOW), "loud")
    assert len(failures) == 2 and win.regions.get(rid).low_hz == 300
    assert m.setData(m.index(0, C_LOW), "") and m.setData(m.index(0, C_HIGH), "")
    assert win.regions.get(rid).band is None and not isinstance(win.overlay.items[rid][1], RegionBox)
    win.undo_stack.undo()
    assert win.regions.get(rid).band == (0.0, 2500)
    win.undo_stack.undo()
    assert win.regions.get(rid).band == (300, 2500) and isinstance(win.overlay.items[rid][1], RegionBox)


def test_session_round_trip_keeps_the_band(win, qtbot, tmp_path):
    win.region_commands.add(1.0, 2.0, "dog bark", "remove", low_hz=400, high_hz=2500)
    win.region_commands.add(0.2, 0.6, "rain", "keep")
    before = win.regions.regions()
    path = tmp_path / "s.textsep.json"
    assert win.document.save_session_to(path)
    assert '"low_hz": 400' in path.read_text() and path.read_text().count("low_hz") == 1
    win.document.install(win.document.doc.audio, win.document.doc.pyramid, regions=[])
    assert len(win.regions) == 0
    win.document.open_session(path)
    wait_idle(qtbot, win)
    qtbot.waitUntil(lambda: len(win.regions) == 2, timeout=10000)
    assert win.regions.regions() == before
    assert len(boxes(win)) == 1


def test_preview_of_a_box_region_changes_only_its_band(win, qtbot):
    rid = win.region_commands.add(1.0, 2.0, "dog bark", "remove", low_hz=2000, high_hz=5000)
    win.processing.preview()
    wait_idle(qtbot, win)
    doc = win.document.doc
    assert doc.processed is not None and doc.processed_for == (win.regions.get(rid),)
    x, y = doc.audio.samples[0], doc.processed[0]
    a, b = int(1.0 * SR), int(2.0 * SR)
    assert np.array_equal(x[:a], y[:a]) and np.array_equal(x[b:], y[b:])  # outside the window: untouched
    seg = slice(int(1.2 * SR), int(1.8 * SR))
    n = 1024
    win_fn = np.hanning(n)
    frames = range(seg.start, seg.stop - n, n // 2)
    X = np.array([np.fft.rfft(x[i:i + n] * win_fn) for i in frames])
    D = np.array([np.fft.rfft((y[i:i + n] - x[i:i + n]) * win_fn) for i in frames])
    f = np.fft.rfftfreq(n, 1 / SR)

    def rel(mask):  # energy of the change relative to the input's, in these bins
        return float((np.abs(D[:, mask]) ** 2).sum() / (np.abs(X[:, mask]) ** 2).sum())

    outside = (f < 1200) | (f > 7000)
    inside = (f > 2600) & (f < 4400)
    assert rel(outside) < 1e-3, rel(outside)  # outside the band: the input, within the STFT round trip
    assert rel(inside) > 20 * rel(outside)  # inside it the edit acted


def test_batch_whole_file_edit_takes_an_optional_band(qtbot, tmp_path, noise_audio, tiny_separator):
    from textsep import audio as audio_io
    from textsep.edits import WholeFile
    from textsep_desktop.batch_dialog import BatchDialog
    from textsep_desktop.model_manager import ModelManager
    from textsep_desktop.settings import Settings

    inp = tmp_path / "in"
    inp.mkdir()
    audio_io.save(noise_audio(1.0, SR, 1, seed=3), inp / "a.wav", SR, "FLOAT")
    mm = ModelManager(Settings(tmp_path / "s.ini"))
    mm.set_separator(tiny_separator)
    mm.checkpoint_problem = lambda: None
    dlg = BatchDialog(mm, [], input_dir=str(inp))
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.src_whole.isChecked() and dlg.low_hz.isVisible() and dlg.high_hz.isVisible()
    qtbot.keyClicks(dlg.prompt, "dog bark")
    dlg.mode.setCurrentText("remove")
    assert dlg.edit_source().low_hz is None and dlg.edit_source().high_hz is None  # empty: the full band
    qtbot.keyClicks(dlg.low_hz, "2k")
    qtbot.keyClicks(dlg.high_hz, "5000")
    src = dlg.edit_source()
    assert isinstance(src, WholeFile) and (src.low_hz, src.high_hz) == (2000, 5000)
    dlg.high_hz.setText("1000")  # below the low edge: said, not run
    dlg.output.setText(str(tmp_path / "o"))
    dlg.start()
    assert "empty or inverted" in dlg.summary.text() and dlg.report is None
    dlg.high_hz.setText("5k")
    dlg.start()
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=60000)
    assert len(dlg.report.written) == 1
    x = audio_io.load(inp / "a.wav").samples[0]
    y = audio_io.load(tmp_path / "o" / "a.wav").samples[0]
    X, Y = np.fft.rfft(x), np.fft.rfft(y)
    f = np.fft.rfftfreq(len(x), 1 / SR)
    out, ins = (f < 1200) | (f > 7000), (f > 2600) & (f < 4400)
    change = np.abs(Y - X) ** 2
    assert change[out].sum() / (np.abs(X[out]) ** 2).sum() < 1e-3  # outside the band: as it was
    assert change[ins].sum() / (np.abs(X[ins]) ** 2).sum() > 1e-2  # inside it the edit acted
