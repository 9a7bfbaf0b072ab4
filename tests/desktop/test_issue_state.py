"""Region fill repaint on a mode change, and the 'out of date' flag (issue items 5)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

from desktop.helpers import open_and_wait, view_point, wait_idle


class PaintSpy(QObject):
    def __init__(self):
        super().__init__()
        self.regions = []

    def eventFilter(self, obj, ev):  # noqa: N802
        if ev.type() == QEvent.Type.Paint:
            self.regions.append(ev.region())
        return False


def test_region_fill_repaints_when_its_mode_changes(make_window, wav_file, qtbot):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=4.0))
    rid = w.region_commands.add(1.0, 3.0, "dog bark", "keep")
    w.panel.select(rid)
    qtbot.wait(50)
    spy = PaintSpy()
    w.view.viewport().installEventFilter(spy)
    centre = view_point(w.view, w.view.wave_vb, 2.0, 0.5)
    qtbot.keyClick(w, "M")  # toggle keep/remove from the keyboard
    assert w.regions.get(rid).mode == "remove"
    qtbot.waitUntil(lambda: any(r.contains(centre) for r in spy.regions), timeout=2000)
    fill = w.overlay.items[rid][0].currentBrush.color()
    assert fill.red() > fill.green()  # the fill itself is red now, not only the edges


def test_out_of_date_flag_does_not_carry_into_a_new_file(make_window, wav_file, qtbot):
    w = make_window()
    open_and_wait(qtbot, w, wav_file("a.wav", seconds=2.0))
    w.region_commands.add(0.5, 1.0, "dog bark", "remove")
    w.processing.preview()
    wait_idle(qtbot, w)
    w.region_commands.add(1.2, 1.5, "rain", "remove")
    assert "out of date" in w.processing.stale_label.text()
    open_and_wait(qtbot, w, wav_file("b.wav", seconds=2.0, seed=3))
    assert w.processing.stale_label.text() == ""


def test_regions_changed_during_preview_leave_it_out_of_date(make_window, wav_file, qtbot):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=2.0))
    rid = w.region_commands.add(0.5, 1.0, "dog bark", "remove")
    w.processing.preview()
    assert w.jobs.busy
    w.region_commands.toggle_selected_mode()  # the user changes the region while the preview runs
    assert w.regions.get(rid).mode == "keep"
    wait_idle(qtbot, w)
    assert w.document.doc.processed is not None
    assert "out of date" in w.processing.stale_label.text()
    assert "out of date" in w.statusBar().currentMessage()
