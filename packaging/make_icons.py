"""Draw the TextSep app icon with QPainter and write resources/icon_<size>.png, icon.ico and icon.icns.

Design: a dark rounded square holding a symmetric waveform; a highlighted selection in the middle
(the region being edited, drawn in a second colour) and a text cursor (I-beam) at its right edge:
"edit sound with words". Small sizes draw fewer, thicker bars so the shape survives at 16 px.

The .ico and .icns containers are written here from the PNGs (no Pillow, no iconutil):
  * ICO: ICONDIR + ICONDIRENTRY per image, PNG-compressed images (Windows Vista and later).
  * ICNS: 'icns' + big-endian length, then (OSType, length, PNG data) per image.

Run: python packaging/make_icons.py [--out resources]   (deterministic; re-run after changing the design)
"""
from __future__ import annotations

import argparse
import math
import os
import struct
import sys
from pathlib import Path

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# OSType -> pixel size. PNG payloads are valid for all of these (macOS 10.7+).
ICNS_TYPES = (("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256), ("ic09", 512),
              ("ic10", 1024), ("ic11", 32), ("ic12", 64), ("ic13", 256), ("ic14", 512))

BG_TOP, BG_BOTTOM = "#2b3142", "#161a24"
WAVE = "#5b6b8c"
SELECTION_FILL = "#2f8f9d"
WAVE_SELECTED = "#7ff0ff"
CURSOR = "#ffb347"


def _envelope(t: float) -> float:
    """Amplitude of the waveform at t in [0, 1]: a few bursts, loud in the middle."""
    return (0.25 + 0.55 * math.exp(-((t - 0.5) / 0.16) ** 2) + 0.2 * math.exp(-((t - 0.15) / 0.07) ** 2)
            + 0.18 * math.exp(-((t - 0.85) / 0.08) ** 2)) * (0.75 + 0.25 * math.sin(37 * t) ** 2)


def draw_icon(size: int):
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QBrush, QColor, QImage, QLinearGradient, QPainter, QPainterPath, QPen

    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    s = float(size)

    # Rounded-square plate (macOS-style proportions: ~10% margin at large sizes, less when tiny).
    margin = 0.0 if size <= 32 else s * 0.08
    plate = QRectF(margin, margin, s - 2 * margin, s - 2 * margin)
    radius = plate.width() * 0.22
    grad = QLinearGradient(plate.topLeft(), plate.bottomLeft())
    grad.setColorAt(0.0, QColor(BG_TOP))
    grad.setColorAt(1.0, QColor(BG_BOTTOM))
    path = QPainterPath()
    path.addRoundedRect(plate, radius, radius)
    p.fillPath(path, QBrush(grad))
    if size >= 64:
        p.setPen(QPen(QColor(255, 255, 255, 28), max(1.0, s / 256)))
        p.drawPath(path)

    inner = plate.adjusted(plate.width() * 0.12, plate.height() * 0.16, -plate.width() * 0.12,
                           -plate.height() * 0.16)
    cy = inner.center().y()
    n_bars = 5 if size <= 16 else 7 if size <= 24 else 9 if size <= 48 else 13
    step = inner.width() / n_bars
    bar_w = step * (0.62 if size <= 48 else 0.55)
    sel_lo, sel_hi = round(n_bars * 0.34), round(n_bars * 0.66)  # bars [sel_lo, sel_hi) are selected

    # Selection band behind the selected bars.
    sel = QRectF(inner.left() + sel_lo * step, inner.top() - inner.height() * 0.04,
                 (sel_hi - sel_lo) * step, inner.height() * 1.08)
    sel_color = QColor(SELECTION_FILL)
    sel_color.setAlpha(110)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(sel_color)
    p.drawRoundedRect(sel, step * 0.2, step * 0.2)

    for i in range(n_bars):
        t = (i + 0.5) / n_bars
        h = max(bar_w, inner.height() * min(1.0, _envelope(t)))
        x = inner.left() + i * step + (step - bar_w) / 2
        p.setBrush(QColor(WAVE_SELECTED if sel_lo <= i < sel_hi else WAVE))
        p.drawRoundedRect(QRectF(x, cy - h / 2, bar_w, h), bar_w / 2, bar_w / 2)

    # Text cursor (I-beam) at the selection's right edge (mid-gap between two bars).
    cx = sel.right()
    top, bottom = plate.top() + plate.height() * 0.1, plate.bottom() - plate.height() * 0.1
    pen_w = max(1.0, s * (0.045 if size <= 32 else 0.032))
    pen = QPen(QColor(CURSOR), pen_w)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.drawLine(QPointF(cx, top), QPointF(cx, bottom))
    if size >= 24:
        serif = s * 0.06
        p.drawLine(QPointF(cx - serif, top), QPointF(cx + serif, top))
        p.drawLine(QPointF(cx - serif, bottom), QPointF(cx + serif, bottom))
    p.end()
    return img


def png_bytes(img) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not img.save(buf, "PNG"):
        raise RuntimeError("Qt could not encode PNG")
    buf.close()
    return bytes(data.data())


def build_ico(pngs: dict[int, bytes], sizes=ICO_SIZES) -> bytes:
    """An ICO file holding PNG-compressed images (one per size)."""
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for sz in sizes:
        data = pngs[sz]
        dim = 0 if sz >= 256 else sz  # 0 means 256
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def build_icns(pngs: dict[int, bytes], types=ICNS_TYPES) -> bytes:
    body = b"".join(ostype.encode("ascii") + struct.pack(">I", 8 + len(pngs[sz])) + pngs[sz] for ostype, sz in types)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "resources"))
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (kept alive while drawing)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pngs = {sz: png_bytes(draw_icon(sz)) for sz in PNG_SIZES}
    for sz, data in pngs.items():
        (out / f"icon_{sz}.png").write_bytes(data)
    (out / "icon.png").write_bytes(pngs[256])  # the window icon the app sets at run time
    (out / "icon.ico").write_bytes(build_ico(pngs))
    (out / "icon.icns").write_bytes(build_icns(pngs))
    total = sum((out / n).stat().st_size for n in ("icon.ico", "icon.icns"))
    print(f"wrote {len(pngs)} PNGs, icon.png, icon.ico, icon.icns to {out} ({total / 1024:.0f} KiB for ico+icns)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
