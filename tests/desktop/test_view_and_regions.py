"""Regions: a drag selects and R makes the selection a region, two-way sync between the view and the table,
undo/redo."""
from __future__ import annotations

from dataclasses import replace

import pytest

from desktop.helpers import drag, open_and_wait, seconds_per_pixel
from textsep_desktop.region_panel import C_END, C_MODE, C_ON, C_PROMPT, C_START


@pytest.fixture
def win(make_window, wav_file, qtbot):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=4.0))
    assert w.document.doc is not None and abs(w.document.doc.duration - 4.0) < 1e-9
    return w


def test_drag_then_r_on_waveform_creates_region_with_right_times(win, qtbot):
    v = win.view
    drag(qtbot, v, v.wave_vb, 1.0, 2.5, y=0.3)
    assert len(win.regions) == 0 and win.undo_stack.count() == 0  # a drag only selects
    qtbot.keyClick(win, "r")
    assert len(win.regions) == 1
    r = win.regions.regions()[0]
    tol = 3 * seconds_per_pixel(win)
    assert r.start_s == pytest.approx(1.0, abs=tol)
    assert r.end_s == pytest.approx(2.5, abs=tol)
    # the new region appears in both plots and in the table, and is selected
    rid = win.regions.ids()[0]
    items = win.overlay.items[rid]
    assert len(items) == 2
    for it in items:
        lo, hi = it.getRegion()
        assert (lo, hi) == pytest.approx((r.start_s, r.end_s))
    assert win.panel.model.rowCount() == 1
    assert win.panel.selected_id() == rid


def test_drag_on_spectrogram_selects_and_backwards_drag_is_ordered(win, qtbot):
    v = win.view
    drag(qtbot, v, v.spec_vb, 3.2, 0.5, y=100)
    qtbot.keyClick(win, "r")
    r = win.regions.regions()[0]
    tol = 3 * seconds_per_pixel(win)
    assert (r.start_s, r.end_s) == pytest.approx((0.5, 3.2), abs=tol)


def test_click_without_drag_moves_cursor_not_region(win, qtbot):
    from PySide6.QtCore import Qt

    from desktop.helpers import view_point

    p = view_point(win.view, win.view.wave_vb, 1.5, 0.0)
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=p)
    assert len(win.regions) == 0
    assert win.view.cursor_s == pytest.approx(1.5, abs=3 * seconds_per_pixel(win))


def test_table_edit_updates_view(win):
    rid = win.region_commands.add(0.5, 1.5, "dog bark")
    m = win.panel.model
    assert m.setData(m.index(0, C_PROMPT), "  female   speech ")
    assert m.setData(m.index(0, C_START), 0.75)
    assert m.setData(m.index(0, C_END), 2.25)
    assert m.setData(m.index(0, C_MODE), "remove")
    r = win.regions.get(rid)
    assert (r.start_s, r.end_s, r.prompt, r.mode) == (0.75, 2.25, "female speech", "remove")
    for it in win.overlay.items[rid]:
        assert it.getRegion() == pytest.approx((0.75, 2.25))
    assert "female speech" in win.overlay.labels[rid].textItem.toPlainText()
    # colour follows the mode (remove is red)
    brush = win.overlay.items[rid][0].brush.color()
    assert brush.red() > brush.green()
    # disabling through the checkbox
    from PySide6.QtCore import Qt

    assert m.setData(m.index(0, C_ON), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert win.regions.get(rid).enabled is False


def test_invalid_table_edit_is_refused_with_message(win):
    rid = win.region_commands.add(0.5, 1.5, "dog bark")
    m = win.panel.model
    assert not m.setData(m.index(0, C_END), 0.2)  # end before start
    assert not m.setData(m.index(0, C_PROMPT), "   ")
    assert win.regions.get(rid).end_s == 1.5 and win.regions.get(rid).prompt == "dog bark"
    assert "Not applied" in win.statusBar().currentMessage()


def test_dragging_a_region_edge_updates_table(win, qtbot):
    rid = win.region_commands.add(1.0, 2.0, "rain")
    item = win.overlay.items[rid][0]
    # drag the right edge from 2.0 s to 3.0 s
    drag(qtbot, win.view, win.view.wave_vb, 2.0, 3.0, y=0.3)
    r = win.regions.get(rid)
    tol = 3 * seconds_per_pixel(win)
    assert r.start_s == pytest.approx(1.0, abs=1e-9)
    assert r.end_s == pytest.approx(3.0, abs=tol)
    assert len(win.regions) == 1  # no new region was drawn
    m = win.panel.model
    assert m.data(m.index(0, C_END)) == win.time_format.text(r.end_s)  # shown in the chosen time format
    assert win.overlay.items[rid][1].getRegion() == pytest.approx(item.getRegion())
    assert win.undo_stack.undoText() == "Resize region"


def test_moving_a_region_by_its_body(win, qtbot):
    rid = win.region_commands.add(1.0, 2.0, "rain")
    drag(qtbot, win.view, win.view.wave_vb, 1.5, 2.0, y=0.3)
    r = win.regions.get(rid)
    tol = 3 * seconds_per_pixel(win)
    assert r.duration == pytest.approx(1.0, abs=1e-6)
    assert r.start_s == pytest.approx(1.5, abs=tol)
    assert win.undo_stack.undoText() == "Move region"


def test_clicking_a_region_selects_it_in_the_table(win, qtbot):
    from PySide6.QtCore import Qt

    from desktop.helpers import view_point

    a = win.region_commands.add(0.2, 0.8, "rain")
    b = win.region_commands.add(2.0, 3.0, "dog bark")
    win.panel.select(a)
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=view_point(win.view, win.view.wave_vb, 2.5, 0.3))
    assert win.panel.selected_id() == b
    assert win.overlay.selected == b


def test_undo_redo_of_add_edit_delete(win):
    s = win.undo_stack
    rid = win.region_commands.add(0.5, 1.0, "dog bark")
    win.region_commands.edit(rid, replace(win.regions.get(rid), start_s=0.25))
    win.region_commands.edit(rid, replace(win.regions.get(rid), prompt="rain"))
    win.panel.select(rid)
    win.region_commands.delete_selected()
    assert len(win.regions) == 0 and win.panel.model.rowCount() == 0 and not win.overlay.items
    s.undo()  # delete
    assert win.regions.get(rid).prompt == "rain" and win.panel.model.rowCount() == 1
    assert rid in win.overlay.items
    s.undo()  # prompt
    assert win.regions.get(rid).prompt == "dog bark"
    s.undo()  # move
    assert win.regions.get(rid).start_s == 0.5
    assert win.overlay.items[rid][0].getRegion() == pytest.approx((0.5, 1.0))
    s.undo()  # add
    assert len(win.regions) == 0 and not win.overlay.items
    for _ in range(4):
        s.redo()
    assert len(win.regions) == 0
    s.undo()
    assert win.regions.get(rid) .prompt == "rain" and win.regions.get(rid).start_s == 0.25
    assert win.windowTitle().endswith("— TextSep") and "•" in win.windowTitle()


def test_zoom_to_selection_and_fit(win):
    rid = win.region_commands.add(1.0, 1.5, "rain")
    win.panel.select(rid)
    win.region_commands.zoom_to_selection()
    t0, t1 = win.view.visible_range()
    assert t0 <= 1.0 and t1 >= 1.5 and (t1 - t0) < 1.0
    win.view.zoom_fit()
    assert win.view.visible_range() == pytest.approx((0.0, 4.0), abs=1e-6)


def test_replacing_all_regions_rebuilds_the_overlay(win):
    """Loading an edit spec (or a session) over existing regions: the view shows exactly the new ones."""
    from textsep.edits import Region
    from textsep_desktop.undo import ReplaceAll

    win.region_commands.add(0.5, 1.0, "dog bark")
    win.region_commands.add(1.5, 2.0, "rain")
    win.undo_stack.push(ReplaceAll(win.regions, [Region(2.5, 3.5, "female speech")], "Load edit spec"))
    assert list(win.overlay.items) == win.regions.ids() and len(win.overlay.labels) == 1
    (rid,) = win.regions.ids()
    assert all(it.getRegion() == pytest.approx((2.5, 3.5)) for it in win.overlay.items[rid])
    assert sum(isinstance(i, type(win.overlay.items[rid][0])) for i in win.view.wave_plot.items) == 1
    win.undo_stack.undo()
    assert len(win.overlay.items) == 2 and len(win.overlay.labels) == 2
