"""The overview strip shows the file's regions: a thin span each, keep green / remove red as in the view,
following additions, moves, mode changes, undo and a new file."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from desktop.helpers import drag, modifier_drag, open_and_wait, seconds_per_pixel, view_point
from textsep_desktop.regions import MODE_COLOURS


@pytest.fixture
def win(make_window, wav_file, qtbot):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=4.0, sr=44100, channels=2))
    return w


def _spans(ov):
    return [(bar.rect().left(), bar.rect().right()) for _tint, bar in ov.region_items]


def _bar_colour(ov, t) -> QColor:
    """The strip's rendered colour at time t, in the bar along its bottom."""
    img = ov.grab().toImage()
    p = ov.mapFromScene(ov.box.mapViewToScene(QPointF(t, -0.9)))
    return img.pixelColor(p.x(), p.y())


def _like(c: QColor, ref: QColor) -> bool:
    return abs(c.red() - ref.red()) < 40 and abs(c.green() - ref.green()) < 40 and abs(c.blue() - ref.blue()) < 40


def test_overview_shows_regions_in_their_mode_colours(win, qtbot):
    ov = win.editor.overview
    assert ov.region_items == []
    drag(qtbot, win.view, win.view.wave_vb, 1.0, 2.0, y=0.3)
    a, b = win.selection.span
    qtbot.keyClick(win, "r")  # the selection becomes a region: it appears in the strip
    qtbot.waitUntil(lambda: len(ov.region_items) == 1, timeout=2000)
    assert _spans(ov) == [pytest.approx((a, b))]
    r = win.regions.regions()[0]
    qtbot.keyClick(win.panel.table.focusWidget() or win, Qt.Key.Key_Escape)
    assert _like(_bar_colour(ov, (a + b) / 2), MODE_COLOURS[r.mode])
    assert not _like(_bar_colour(ov, 3.5), MODE_COLOURS[r.mode])  # nothing drawn outside it
    # the mode flips (M on the selected region): the strip follows
    win.panel.select(win.regions.ids()[0])
    win.activateWindow()
    qtbot.keyClick(win, "m")
    other = win.regions.regions()[0].mode
    assert other != r.mode
    assert _like(_bar_colour(ov, (a + b) / 2), MODE_COLOURS[other])
    # a region dragged in the view moves in the strip too; undo puts it back, then removes it
    px = seconds_per_pixel(win)
    p0 = view_point(win.view, win.view.wave_vb, 1.5, 0.3)
    p1 = view_point(win.view, win.view.wave_vb, 2.5, 0.3)
    modifier_drag(qtbot, win.view.viewport(), p0, p1)
    r2 = win.regions.regions()[0]
    assert r2.start_s == pytest.approx(a + 1.0, abs=3 * px)
    assert _spans(ov) == [pytest.approx((r2.start_s, r2.end_s))]
    win.undo_stack.undo()
    assert _spans(ov) == [pytest.approx((a, b))]
    win.undo_stack.undo()
    win.undo_stack.undo()
    assert len(win.regions) == 0 and ov.region_items == []


def test_overview_regions_do_not_take_clicks_and_follow_a_new_file(win, qtbot, wav_file):
    ov, v = win.editor.overview, win.view
    win.region_commands.add(1.5, 2.5, "rain")
    win.region_commands.add(0.2, 0.4, "birds")
    assert sorted(_spans(ov)) == [pytest.approx((0.2, 0.4)), pytest.approx((1.5, 2.5))]
    v.zoom_to(0.0, 1.0, margin=0)
    p = ov.mapFromScene(ov.box.mapViewToScene(QPointF(2.0, -0.9)))
    qtbot.mouseClick(ov.viewport(), Qt.MouseButton.LeftButton, pos=p)  # on a region's bar: still centres
    a, b = v.visible_range()
    assert (a + b) / 2 == pytest.approx(2.0, abs=0.02)
    open_and_wait(qtbot, win, wav_file("other.wav", seconds=2.0, sr=44100, channels=1))
    assert len(win.regions) == 0 and ov.region_items == []
