"""What a new user saw (issue item 6): combo arrows and radio buttons under the theme, region labels inside
their regions and apart, no empty axes before a file is open, and F1 listing every key (alternates too)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from desktop.helpers import open_and_wait
from textsep_desktop import theme


def _pixels(widget, x0, y0, x1, y1):
    img = widget.grab().toImage()
    return [QColor(img.pixel(x, y)) for x in range(max(0, x0), min(img.width(), x1))
            for y in range(max(0, y0), min(img.height(), y1))]


def test_combo_boxes_show_an_arrow(make_window, wav_file, qtbot):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=1.0))
    combo = w.selection_bar.format_combo
    qtbot.waitExposed(combo)
    h = combo.height()
    arrow = _pixels(combo, combo.width() - 18, 0, combo.width() - 2, h)
    bright = [c for c in arrow if c.lightness() > 150]
    assert len(bright) >= 8, "no visible drop-down arrow in the combo box"
    assert "down-arrow" in theme.stylesheet()


def test_batch_dialog_radio_buttons_are_visible(qtbot, make_window):
    from textsep.edits import Region
    from textsep_desktop.batch_dialog import BatchDialog

    w = make_window()
    dlg = BatchDialog(w.models, [Region(1, 2, "dog bark")], 20.0, w, input_dir="")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    radio = dlg.src_regions
    assert radio.isChecked()
    ring = _pixels(radio, 0, 0, 22, radio.height())
    accent = QColor(theme.ACCENT)
    near = [c for c in ring if abs(c.red() - accent.red()) + abs(c.green() - accent.green())
            + abs(c.blue() - accent.blue()) < 90]
    assert len(near) >= 20, "the checked radio button does not stand out"
    off = _pixels(dlg.src_whole, 0, 0, 22, dlg.src_whole.height())
    assert sum(c.lightness() > 110 for c in off) >= 10, "an unchecked radio button's ring is invisible"


@pytest.fixture
def win(make_window, wav_file, qtbot):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=6.0))
    return w


def _label_rect(win, rid):
    lab = win.overlay.labels[rid]
    return lab.mapRectToScene(lab.boundingRect())


def _span_in_scene(win, t0, t1):
    vb = win.view.wave_vb
    return vb.mapViewToScene(QPointF(t0, 0)).x(), vb.mapViewToScene(QPointF(t1, 0)).x()


def test_region_labels_stay_inside_their_regions_and_apart(win, qtbot):
    long = "a very long description of the sound that will never fit in here"
    a = win.region_commands.add(1.0, 2.0, long)
    b = win.region_commands.add(2.0, 2.6, long)
    c = win.region_commands.add(1.5, 3.0, "overlapping one")  # overlaps both in time
    qtbot.wait(20)
    rects = {}
    for rid in (a, b, c):
        r = win.regions.get(rid)
        lab = win.overlay.labels[rid]
        assert lab.isVisible()
        rect = _label_rect(win, rid)
        lo, hi = _span_in_scene(win, r.start_s, r.end_s)
        assert lo - 0.5 <= rect.left() and rect.right() <= hi + 0.5, (rid, rect, lo, hi)
        rects[rid] = rect
    assert "…" in win.overlay.labels[a].textItem.toPlainText()  # elided, not spilling over
    for x, y in ((a, b), (a, c), (b, c)):
        assert not rects[x].intersects(rects[y]), (x, y)
    # zoomed out far enough, a short region's label hides rather than overflowing
    win.view.wave_plot.setXRange(0, 6.0, padding=0)
    d = win.region_commands.add(4.0, 4.01, "tiny")
    assert not win.overlay.labels[d].isVisible()


def test_empty_window_shows_the_hint_not_axes(make_window, wav_file, qtbot):
    w = make_window()
    assert not w.view.isVisible() and w.editor.empty_label.isVisible()
    assert not w.selection_bar.isVisible()
    open_and_wait(qtbot, w, wav_file(seconds=1.0))
    assert w.view.isVisible() and not w.editor.empty_label.isVisible()
    assert w.selection_bar.isVisible() and w.editor.overview.isVisible()


def test_f1_lists_alternate_keys_and_mouse_gestures(make_window, qtbot):
    w = make_window()
    qtbot.keyClick(w, Qt.Key.Key_F1)
    box = w.app_dialogs.shortcuts_box
    assert box is not None and box.isVisible()
    text = box.text()
    for key in ("Ctrl+Y", "Backspace", "Ctrl+R", "Shift+Space", "Ctrl+Return", "Ctrl+Wheel"):
        assert key in text, key
    box.close()
