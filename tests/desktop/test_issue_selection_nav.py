"""The time selection (a drag selects, R adds a region, the selection bar shows and edits it in three
formats), snapping, and navigation (wheel scrolls, Ctrl+wheel zooms around the pointer, scrollbar, overview,
zoom to selection) -- issue items 2 and 3."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from desktop.helpers import drag, open_and_wait, seconds_per_pixel, view_point, wheel
from textsep_desktop.region_panel import C_START


@pytest.fixture
def win(make_window, wav_file, qtbot):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=4.0, sr=44100, channels=2))
    return w


def _type(qtbot, field, text):
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_drag_shows_the_selection_in_view_and_bar_without_an_undo_step(win, qtbot):
    v = win.view
    drag(qtbot, v, v.wave_vb, 1.0, 2.5, y=0.3)
    a, b = win.selection.span
    tol = 3 * seconds_per_pixel(win)
    assert (a, b) == pytest.approx((1.0, 2.5), abs=tol)
    assert len(win.regions) == 0 and win.undo_stack.count() == 0
    assert all(it.isVisible() and it.getRegion() == pytest.approx((a, b)) for it in v.selection_items)
    bar = win.selection_bar
    assert bar.fields["start"].text() == win.time_format.text(a)
    assert bar.fields["length"].text() == win.time_format.text(b - a)
    assert win.action_table["zoom_sel"].isEnabled()
    # R makes it a region, with one undo step, and the prompt editor opens for it
    qtbot.keyClick(win, "r")
    assert len(win.regions) == 1 and win.undo_stack.count() == 1
    r = win.regions.regions()[0]
    assert (r.start_s, r.end_s) == (a, b) and win.selection.span is None
    qtbot.waitUntil(lambda: win.panel.table.state() == win.panel.table.State.EditingState, timeout=2000)


def test_selection_bar_edits_and_formats(win, qtbot):
    bar = win.selection_bar
    _type(qtbot, bar.fields["start"], "0:01.250")
    assert win.selection.span is None and win.view.cursor_s == pytest.approx(1.25)  # no selection: the cursor
    _type(qtbot, bar.fields["end"], "0:02.000")
    assert win.selection.span == pytest.approx((1.25, 2.0))
    _type(qtbot, bar.fields["length"], "1.5")  # a bare number is seconds
    assert win.selection.span == pytest.approx((1.25, 2.75))
    _type(qtbot, bar.fields["end"], "abc")
    assert win.selection.span == pytest.approx((1.25, 2.75))
    assert "not a time" in win.statusBar().currentMessage()
    _type(qtbot, bar.fields["end"], "0:00.500")  # before the start: refused
    assert win.selection.span == pytest.approx((1.25, 2.75))
    assert "after the start" in win.statusBar().currentMessage()
    # samples: the bar, the ruler and the regions table all switch
    win.region_commands.add(0.5, 1.0, "rain")
    bar.format_combo.setCurrentIndex(bar.format_combo.findData("samples"))
    assert win.time_format.fmt == "samples" and win.settings.time_format == "samples"
    assert bar.fields["start"].text() == "55 125"  # 1.25 s at 44.1 kHz
    m = win.panel.model
    assert m.data(m.index(0, C_START)) == "22 050"
    axis = win.view.wave_plot.getAxis("bottom")
    assert axis.tickStrings([1.0], 1, 0.5) == ["44 100"]
    _type(qtbot, bar.fields["end"], "132300")
    assert win.selection.span == pytest.approx((1.25, 3.0))
    bar.format_combo.setCurrentIndex(bar.format_combo.findData("seconds"))
    assert bar.fields["end"].text() == "3.000" and m.data(m.index(0, C_START)) == "0.500"
    assert axis.tickStrings([1.0], 1, 1.0) == ["1"]


def test_selection_snaps_to_region_edges_cursor_and_file_ends(win, qtbot):
    win.region_commands.add(1.0, 2.0, "rain")
    win.panel.select(None)
    spp = seconds_per_pixel(win)
    v = win.view
    drag(qtbot, v, v.spec_vb, 2.0 + 4 * spp, 3.0, y=100)  # starts 4 px from the region's end
    assert win.selection.span[0] == 2.0
    drag(qtbot, v, v.spec_vb, 3.0, 4.0 - 3 * spp, y=100)  # ends 3 px from the end of the file
    assert win.selection.span[1] == pytest.approx(4.0)
    win.selection_bar.buttons["snap"].click()  # snapping off: the drag lands where it was
    assert win.snapper.edges is False and not win.action_table["snap"].isChecked()
    drag(qtbot, v, v.spec_vb, 2.0 + 4 * spp, 3.0, y=100)
    assert win.selection.span[0] != 2.0


def test_region_edge_drag_snaps_to_another_region(win, qtbot):
    win.region_commands.add(2.0, 3.0, "rain")
    b = win.region_commands.add(0.5, 1.5, "dog bark")
    spp = seconds_per_pixel(win)
    drag(qtbot, win.view, win.view.wave_vb, 1.5, 2.0 - 5 * spp, y=0.3)  # b's right edge to 5 px short of 2.0
    assert win.regions.get(b).end_s == 2.0


def test_snap_to_zero_crossings(make_window, tmp_path, qtbot):
    from textsep import audio as audio_io

    sr = 8000
    t = np.arange(2 * sr) / sr
    x = (0.5 * np.sin(2 * np.pi * 50 * t) + 0.01).astype(np.float32)[None]  # crossings near every 10 ms
    p = tmp_path / "sine.wav"
    audio_io.save(x, p, sr, "FLOAT")
    w = make_window()
    open_and_wait(qtbot, w, p)
    w.action_table["snap"].trigger()  # edges off
    w.action_table["snap_zero"].trigger()  # zero crossings on
    assert w.snapper.zero and not w.snapper.edges
    w.view.zoom_to(0.4, 0.6, margin=0)
    drag(qtbot, w.view, w.view.wave_vb, 0.4531, 0.5472, y=0.0)
    for edge in w.selection.span:
        i = int(round(edge * sr))
        assert abs(x[0, i]) < 0.5 * np.max(np.abs(np.diff(x[0]))) + 0.02, (edge, x[0, i])


def test_wheel_scrolls_and_ctrl_wheel_zooms_around_the_pointer(win, qtbot):
    v = win.view
    v.zoom_to(1.0, 2.0, margin=0)
    t0, t1 = v.visible_range()
    vp = v.viewport()
    wheel(vp, view_point(v, v.wave_vb, 1.5, 0.0), -1)  # wheel down: forward in time
    n0, n1 = v.visible_range()
    assert n0 > t0 and (n1 - n0) == pytest.approx(t1 - t0, rel=1e-6)
    wheel(vp, view_point(v, v.wave_vb, 1.5, 0.0), 1)  # and back
    assert v.visible_range() == pytest.approx((t0, t1), abs=1e-6)
    at = 1.25
    p = view_point(v, v.wave_vb, at, 0.0)
    frac = (at - t0) / (t1 - t0)
    wheel(vp, p, 2, Qt.KeyboardModifier.ControlModifier)  # zoom in around the pointer
    z0, z1 = v.visible_range()
    assert z1 - z0 < 0.7 * (t1 - t0)
    assert (at - z0) / (z1 - z0) == pytest.approx(frac, abs=0.01)  # the time under the pointer stays put
    # Shift+wheel over the spectrogram zooms frequency; zoom to fit undoes it
    wheel(vp, view_point(v, v.spec_vb, 1.25, 64), 2, Qt.KeyboardModifier.ShiftModifier)
    (_x, (y0, y1)) = v.spec_vb.viewRange()
    assert y1 - y0 < 200
    qtbot.keyClick(win, "f")
    assert v.visible_range() == pytest.approx((0.0, 4.0), abs=1e-6)
    assert v.spec_vb.viewRange()[1] == pytest.approx([0, 256], abs=1e-6)


def test_scrollbar_and_overview_follow_and_move_the_view(win, qtbot):
    v, sb, ov = win.view, win.editor.scrollbar, win.editor.overview
    v.zoom_to(0.0, 1.0, margin=0)
    assert sb.maximum() > 0 and sb.value() == 0
    assert ov.range_item.getRegion() == pytest.approx((0.0, 1.0), abs=1e-6)
    sb.setValue(sb.maximum())  # scrollbar to the end
    assert v.visible_range() == pytest.approx((3.0, 4.0), abs=1e-3)
    assert ov.range_item.getRegion() == pytest.approx((3.0, 4.0), abs=1e-3)
    p = ov.mapFromScene(ov.box.mapViewToScene(QPointF(2.0, 0)))
    qtbot.mouseClick(ov.viewport(), Qt.MouseButton.LeftButton, pos=p)  # click the overview: centre there
    a, b = v.visible_range()
    assert (a + b) / 2 == pytest.approx(2.0, abs=0.02) and b - a == pytest.approx(1.0, abs=1e-3)
    assert sb.value() == pytest.approx(a / 4.0 * 1_000_000, abs=2)


def test_zoom_to_selection_uses_the_time_selection(win, qtbot):
    win.selection_ctrl.set_span(2.0, 2.5)
    qtbot.keyClick(win, "z")
    t0, t1 = win.view.visible_range()
    assert t0 <= 2.0 and t1 >= 2.5 and t1 - t0 < 1.0
    qtbot.keyClick(win, "a", Qt.KeyboardModifier.ControlModifier)  # select all
    assert win.selection.span == (0.0, 4.0)
