"""The time selection's edges on the view (Audacity/RX): hovering one shows a resize cursor, dragging it moves
that edge (snapped, shown in the selection bar); a drag inside a region still moves the region; Shift+click
extends the selection to the clicked time."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from desktop.helpers import drag, modifier_drag, open_and_wait, seconds_per_pixel, view_point

SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def win(make_window, wav_file, qtbot):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=4.0, sr=44100, channels=2))
    return w


def _pt(win, t, y=0.3):
    return view_point(win.view, win.view.wave_vb, t, y)


def _edge_drag(qtbot, win, t0, t1, y=0.3):
    modifier_drag(qtbot, win.view.viewport(), _pt(win, t0, y), _pt(win, t1, y))


def _shift_click(qtbot, win, t, y=0.3):
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, SHIFT, _pt(win, t, y))


def _select(qtbot, win, t0, t1):
    drag(qtbot, win.view, win.view.wave_vb, t0, t1, y=0.3)
    assert win.selection.span is not None


def test_hovering_a_selection_edge_shows_a_resize_cursor(win, qtbot):
    _select(qtbot, win, 1.0, 2.5)
    vp = win.view.viewport()
    qtbot.mouseMove(vp, _pt(win, 1.8))  # inside: the ordinary cursor
    qtbot.wait(30)
    assert vp.cursor().shape() != Qt.CursorShape.SizeHorCursor
    a, b = win.selection.span
    qtbot.mouseMove(vp, _pt(win, b) + QPoint(2, 0))  # a couple of pixels off the end edge still grabs it
    qtbot.wait(30)
    assert vp.cursor().shape() == Qt.CursorShape.SizeHorCursor
    qtbot.mouseMove(vp, _pt(win, a) - QPoint(2, 0))
    qtbot.wait(30)
    assert vp.cursor().shape() == Qt.CursorShape.SizeHorCursor


def test_dragging_an_edge_moves_it_and_updates_the_bar(win, qtbot):
    _select(qtbot, win, 1.0, 2.5)
    a, b = win.selection.span
    tol = 3 * seconds_per_pixel(win)
    _edge_drag(qtbot, win, b, 3.2)
    assert win.selection.span == pytest.approx((a, 3.2), abs=tol)
    assert win.selection_bar.fields["end"].text() == win.time_format.text(win.selection.span[1])
    assert all(it.getRegion() == pytest.approx(win.selection.span) for it in win.view.selection_items)
    assert win.undo_stack.count() == 0 and len(win.regions) == 0
    # the start edge, on the spectrogram this time (both plots show the selection)
    s = win.view
    p0 = view_point(s, s.spec_vb, a, 40)
    p1 = view_point(s, s.spec_vb, 0.6, 40)
    modifier_drag(qtbot, s.viewport(), p0, p1)
    assert win.selection.span == pytest.approx((0.6, 3.2), abs=tol)
    assert win.view.cursor_s == pytest.approx(win.selection.span[0])  # playback starts at the new start
    assert win.selection_bar.fields["start"].text() == win.time_format.text(win.selection.span[0])


def test_a_dragged_edge_snaps_and_cannot_cross_the_other(win, qtbot):
    win.region_commands.add(0.5, 0.8, "rain")
    win.panel.select(None)
    _select(qtbot, win, 1.5, 2.5)
    px = seconds_per_pixel(win)
    _edge_drag(qtbot, win, win.selection.span[0], 0.8 + 4 * px)  # near the region's end: lands on it
    assert win.selection.span[0] == 0.8
    _edge_drag(qtbot, win, 0.8, 3.0)  # dragged past the end: stops short of it, the selection stays
    a, b = win.selection.span
    assert b == pytest.approx(2.5, abs=3 * px) and b - a >= px and a > 2.0


def test_edge_drag_over_a_region_resizes_the_selection_but_inside_the_region_moves_it(win, qtbot):
    win.region_commands.add(1.0, 2.0, "rain")
    win.panel.select(None)
    drag(qtbot, win.view, win.view.wave_vb, 2.6, 1.5, y=0.3)  # from empty space, right to left
    a, b = win.selection.span
    px = seconds_per_pixel(win)
    assert (a, b) == pytest.approx((1.5, 2.6), abs=3 * px)
    _edge_drag(qtbot, win, a, 1.3)  # the selection's start, inside the region: the selection changes
    assert win.selection.span[0] == pytest.approx(1.3, abs=3 * px)
    r = win.regions.regions()[0]
    assert (r.start_s, r.end_s) == (1.0, 2.0) and win.undo_stack.count() == 1
    _edge_drag(qtbot, win, 1.15, 1.65)  # inside the region, off the selection's edges: the region moves
    r = win.regions.regions()[0]
    assert r.start_s == pytest.approx(1.5, abs=3 * px) and r.end_s - r.start_s == pytest.approx(1.0)
    assert win.undo_stack.count() == 2


def test_shift_click_extends_the_selection(win, qtbot):
    _select(qtbot, win, 1.0, 2.0)
    a, b = win.selection.span
    px = seconds_per_pixel(win)
    _shift_click(qtbot, win, 3.0)
    assert win.selection.span == pytest.approx((a, 3.0), abs=3 * px)
    _shift_click(qtbot, win, 0.5)
    assert win.selection.span == pytest.approx((0.5, 3.0), abs=3 * px)
    assert win.view.cursor_s == pytest.approx(win.selection.span[0])
    _shift_click(qtbot, win, 2.6)  # inside: the nearer edge (the end) comes to it
    assert win.selection.span == pytest.approx((0.5, 2.6), abs=3 * px)
    assert win.selection_bar.fields["end"].text() == win.time_format.text(win.selection.span[1])
    assert win.undo_stack.count() == 0


def test_shift_click_from_the_cursor_and_over_a_region(win, qtbot):
    win.region_commands.add(2.5, 3.5, "rain")
    win.panel.select(None)
    px = seconds_per_pixel(win)
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=_pt(win, 1.0))
    assert win.selection.span is None and win.view.cursor_s == pytest.approx(1.0, abs=px)
    _shift_click(qtbot, win, 3.0)  # over the region: extends, does not select the region
    assert win.selection.span == pytest.approx((1.0, 3.0), abs=3 * px)
    assert win.panel.selected_id() is None
    # a selected region is the current selection: Shift+click extends from it
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=_pt(win, 3.2))
    assert win.panel.selected_id() is not None and win.selection.span is None
    _shift_click(qtbot, win, 3.8)
    assert win.selection.span == pytest.approx((2.5, 3.8), abs=3 * px)
    assert win.panel.selected_id() is None
