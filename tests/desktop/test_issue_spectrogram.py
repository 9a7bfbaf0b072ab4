"""The effect on the spectrogram (issue item 4): what the edit removed is dimmed by its attenuation in dB on
the original, with a colour bar and a kept/removed legend; the processed spectrogram has nothing over it; a
level colour bar on screen and in the PNG export; colour map, dB range and FFT size."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage

from desktop.helpers import open_and_wait, wait_idle
from textsep_desktop import spectrogram as spec


@pytest.fixture
def win(make_window, wav_file, qtbot):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=3.0, sr=22050, channels=1))
    qtbot.waitUntil(lambda: w.view.images["overview"] is not None, timeout=10000)
    return w


def _previewed(win, qtbot):
    win.region_commands.add(1.0, 2.0, "dog bark", "remove")
    win.processing.preview()
    wait_idle(qtbot, win)
    qtbot.waitUntil(lambda: win.view.images["overview"] is not None
                    and win.view.images["overview"].effect_rgba is not None, timeout=10000)
    return win.view.spec_display


def test_effect_dims_what_was_removed_by_its_gain_in_db(win, qtbot):
    d = _previewed(win, qtbot)
    assert win.action_table["ab"].isChecked()  # a preview shows B: the processed spectrogram ...
    assert d.effect_overview.image is None and not d.effect_bar.isVisible()  # ... with nothing over it
    qtbot.keyClick(win, "b")  # A: the original, the effect dimmed on it
    img = d.images["overview"]
    assert np.array_equal(d.effect_overview.image, img.effect_rgba) and d.effect_bar.isVisible()
    alpha = img.effect_rgba[..., 3].astype(float) / 255
    expected = spec.effect_alpha(spec.attenuation_db(img.mask))
    assert np.allclose(alpha, expected, atol=1 / 255 + 1e-6)
    cols = (np.arange(img.mask.shape[1]) + 0.5) * (img.t1 - img.t0) / img.mask.shape[1] + img.t0
    outside = (cols < 0.9) | (cols > 2.1)
    assert np.all(alpha[:, outside] < 0.02)  # kept (untouched) audio is not dimmed at all
    assert alpha[:, (cols > 1.1) & (cols < 1.9)].min() > 0.05  # removed sound is (the tiny model: ~6 dB)
    assert alpha.max() <= spec.EFFECT_MAX_ALPHA + 1e-6  # never blacked out: the spectrogram stays readable
    rgb = img.effect_rgba[..., :3].reshape(-1, 3)
    assert np.all(rgb == spec.EFFECT_RGB)  # dimming, not a saturated colour laid over it
    # the legend: the effect bar's ends say kept and removed
    ticks = [t for level in d.effect_bar.axis._tickLevels for (_v, t) in level]
    assert "kept" in ticks and "removed" in ticks
    qtbot.keyClick(win, "k")  # K hides the effect
    assert d.effect_overview.image is None and not d.effect_bar.isVisible()


def test_level_colour_bar_is_in_the_png_export(win, qtbot, tmp_path):
    d = win.view.spec_display
    assert d.level_bar.isVisible()
    lo, hi = d.level_bar.levels()
    assert (lo, hi) == pytest.approx(d.levels)
    p = tmp_path / "view.png"
    assert win.processing.export_png(p)
    img = QImage(str(p))
    bar = d.level_bar.bar
    top = win.view.mapFromScene(bar.mapToScene(QPointF(0.5, 255)))  # the loudest end of the bar
    bottom = win.view.mapFromScene(bar.mapToScene(QPointF(0.5, 1)))
    hot, cold = QColor(img.pixel(top)), QColor(img.pixel(bottom))
    assert hot.lightness() > 150 and cold.lightness() < 60, (hot.name(), cold.name())


def test_colour_map_db_range_and_fft_size(win, qtbot):
    d, menu = win.view.spec_display, win.spec_settings
    peak = d.peak_db
    menu.choose("spec_db_range", 50)
    assert d.levels == pytest.approx((peak + 3 - 50, peak + 3))
    assert d.spec_overview.levels is not None and tuple(d.spec_overview.levels) == pytest.approx(d.levels)
    menu.choose("spec_colour_map", "viridis")
    lut = np.asarray(d.spec_overview.lut)
    assert np.array_equal(lut, spec_lut("viridis"))
    assert win.settings.spec_colour_map == "viridis" and win.settings.spec_db_range == 50
    before = d.images["overview"]
    menu.choose("spec_fft_size", 512)
    qtbot.waitUntil(lambda: d.images["overview"] is not before and d.images["overview"].n_fft == 512,
                    timeout=10000)
    assert win.settings.spec_fft_size == 512
    # the menu is also under View
    view_menu = win.action_table.menus["&View"]
    assert menu.menu_.menuAction() in view_menu.actions()


def spec_lut(name):
    from textsep_desktop.spectrogram_display import colour_map

    return colour_map(name).getLookupTable(0.0, 1.0, 256, alpha=False)


def test_frequency_zoom_keeps_time_and_k_does_not_touch_processed(win, qtbot):
    from desktop.helpers import view_point, wheel

    v = win.view
    before = v.visible_range()
    wheel(v.viewport(), view_point(v, v.spec_vb, 1.5, 32), 3, Qt.KeyboardModifier.ShiftModifier)
    (_x, (y0, y1)) = v.spec_vb.viewRange()
    assert y1 - y0 < 150 and y0 < 32 < y1  # zoomed around the pointer's frequency
    assert v.visible_range() == pytest.approx(before)
