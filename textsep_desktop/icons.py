"""Toolbar icons drawn with QPainter (no image files to ship): simple, consistent, crisp at any DPI."""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap

FG = QColor(214, 218, 226)
ACCENT = QColor(86, 182, 255)
KEEP = QColor(64, 200, 120)
REMOVE = QColor(235, 84, 72)
S = 64  # drawing grid


def _pen(c=FG, w=5.0):
    p = QPen(c, w)
    p.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return p


def _draw(fn, colour=FG) -> QIcon:
    icon = QIcon()
    for mode, c in ((QIcon.Mode.Normal, colour), (QIcon.Mode.Disabled, QColor(95, 99, 110))):
        pm = QPixmap(S, S)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fn(p, c)
        p.end()
        icon.addPixmap(pm, mode)
    return icon


def _poly(*points, closed: bool = True) -> QPainterPath:
    """A path through straight segments between points (closed into a polygon unless closed=False)."""
    path = QPainterPath(QPointF(*points[0]))
    for pt in points[1:]:
        path.lineTo(*pt)
    if closed:
        path.closeSubpath()
    return path


def _play(p, c):
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    path = _poly((18, 12), (52, 32), (18, 52))
    p.drawPath(path)


def _pause(p, c):
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawRoundedRect(QRectF(16, 12, 11, 40), 2, 2)
    p.drawRoundedRect(QRectF(37, 12, 11, 40), 2, 2)


def _stop(p, c):
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawRoundedRect(QRectF(15, 15, 34, 34), 3, 3)


def _loop(p, c):
    p.setPen(_pen(c, 5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(10, 16, 44, 32), 30 * 16, 300 * 16)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    tip = _poly((50, 10), (56, 26), (40, 24))
    p.drawPath(tip)


def _to_start(p, c):
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    p.drawRect(QRectF(14, 14, 6, 36))
    path = _poly((50, 14), (22, 32), (50, 50))
    p.drawPath(path)


def _folder(p, c):
    p.setPen(_pen(c, 4))
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = _poly((8, 50), (8, 16), (24, 16), (30, 22), (54, 22), (54, 50))
    p.drawPath(path)
    p.drawLine(QPointF(8, 30), QPointF(54, 30))


def _save(p, c):
    p.setPen(_pen(c, 4))
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = _poly((12, 10), (44, 10), (54, 20), (54, 54), (12, 54))
    p.drawPath(path)
    p.drawRect(QRectF(22, 10, 18, 12))
    p.drawRect(QRectF(20, 34, 26, 20))


def _export(p, c):
    p.setPen(_pen(c, 4.5))
    p.drawLine(QPointF(32, 40), QPointF(32, 8))
    p.drawLine(QPointF(20, 20), QPointF(32, 8))
    p.drawLine(QPointF(44, 20), QPointF(32, 8))
    path = _poly((12, 34), (12, 54), (52, 54), (52, 34), closed=False)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)


def _arrow_curve(p, c, mirror: bool):
    p.save()
    if mirror:
        p.translate(S, 0)
        p.scale(-1, 1)
    p.setPen(_pen(c, 5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(QPointF(18, 26))
    path.cubicTo(QPointF(34, 12), QPointF(58, 18), QPointF(52, 40))
    path.cubicTo(QPointF(49, 50), QPointF(40, 54), QPointF(30, 54))
    p.drawPath(path)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    tip = _poly((8, 30), (22, 12), (28, 34))
    p.drawPath(tip)
    p.restore()


def _magnifier(p, c, sign: str):
    p.setPen(_pen(c, 5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QRectF(8, 8, 34, 34))
    p.drawLine(QPointF(38, 38), QPointF(55, 55))
    p.setPen(_pen(c, 4))
    if sign in "+-":
        p.drawLine(QPointF(17, 25), QPointF(33, 25))
    if sign == "+":
        p.drawLine(QPointF(25, 17), QPointF(25, 33))
    if sign == "sel":
        p.setPen(_pen(c, 3))
        p.drawRect(QRectF(17, 18, 16, 14))


def _fit(p, c):
    p.setPen(_pen(c, 4.5))
    for sx in (1, -1):
        p.save()
        p.translate(32, 32)
        p.scale(sx, 1)
        p.drawLine(QPointF(6, 0), QPointF(24, 0))
        p.drawLine(QPointF(16, -8), QPointF(24, 0))
        p.drawLine(QPointF(16, 8), QPointF(24, 0))
        p.restore()
    p.drawLine(QPointF(6, 14), QPointF(6, 50))
    p.drawLine(QPointF(58, 14), QPointF(58, 50))


def _wand(p, c):
    """Preview: a wave with a sparkle (run the edit)."""
    p.setPen(_pen(c, 4))
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(QPointF(6, 40))
    for i in range(1, 33):
        x = 6 + i * 1.3
        path.lineTo(x, 40 - 12 * math.sin(i / 32 * 3 * math.pi) * (1 - i / 40))
    p.drawPath(path)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(ACCENT if c == FG else c)
    star = QPainterPath()
    cx, cy, r1, r2 = 46, 20, 15, 4.5
    for k in range(8):
        r = r1 if k % 2 == 0 else r2
        a = k * math.pi / 4
        pt = QPointF(cx + r * math.cos(a), cy + r * math.sin(a))
        star.moveTo(pt) if k == 0 else star.lineTo(pt)
    star.closeSubpath()
    p.drawPath(star)


def _cancel(p, c):
    p.setPen(_pen(c, 5.5))
    p.drawLine(QPointF(18, 18), QPointF(46, 46))
    p.drawLine(QPointF(46, 18), QPointF(18, 46))


def _bulb(p, c):
    p.setPen(_pen(c, 4))
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(QPointF(24, 44))
    path.cubicTo(QPointF(22, 34), QPointF(12, 30), QPointF(14, 20))
    path.cubicTo(QPointF(16, 6), QPointF(48, 6), QPointF(50, 20))
    path.cubicTo(QPointF(52, 30), QPointF(42, 34), QPointF(40, 44))
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(25, 51), QPointF(39, 51))
    p.drawLine(QPointF(28, 57), QPointF(36, 57))


def _batch(p, c):
    p.setPen(_pen(c, 4))
    p.setBrush(QBrush(QColor(30, 33, 40)))
    for i in (2, 1, 0):
        p.drawRoundedRect(QRectF(10 + i * 6, 10 + i * 8, 34, 26), 3, 3)
    p.setPen(_pen(c, 3))
    path = QPainterPath(QPointF(14, 34))
    for k, y in enumerate((30, 40, 26, 38, 32)):
        path.lineTo(18 + k * 5, y)
    p.drawPath(path)


def _gear(p, c):
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    path = QPainterPath()
    n = 8
    for k in range(n * 2):
        a0 = k * math.pi / n
        r = 27 if k % 2 == 0 else 20
        for da in (-0.16, 0.16):
            pt = QPointF(32 + r * math.cos(a0 + da), 32 + r * math.sin(a0 + da))
            path.moveTo(pt) if (k == 0 and da < 0) else path.lineTo(pt)
    path.closeSubpath()
    hole = QPainterPath()
    hole.addEllipse(QPointF(32, 32), 9, 9)
    p.drawPath(path.subtracted(hole))


def _plus_region(p, c):
    p.setPen(_pen(c, 3.5))
    p.setBrush(QColor(c.red(), c.green(), c.blue(), 60))
    p.drawRect(QRectF(10, 12, 32, 40))
    p.setPen(_pen(c, 5))
    p.drawLine(QPointF(50, 20), QPointF(50, 44))
    p.drawLine(QPointF(38, 32), QPointF(62, 32))


def _trash(p, c):
    p.setPen(_pen(c, 4))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawLine(QPointF(10, 16), QPointF(54, 16))
    p.drawLine(QPointF(24, 16), QPointF(26, 9))
    p.drawLine(QPointF(26, 9), QPointF(38, 9))
    p.drawLine(QPointF(38, 9), QPointF(40, 16))
    path = _poly((16, 16), (19, 56), (45, 56), (48, 16), closed=False)
    p.drawPath(path)
    p.drawLine(QPointF(28, 26), QPointF(28, 46))
    p.drawLine(QPointF(36, 26), QPointF(36, 46))


def _text(label: str, size: int = 28):
    def fn(p, c):
        f = QFont("Sans", 1)
        f.setPixelSize(size)
        f.setBold(True)
        p.setFont(f)
        p.setPen(_pen(c, 3))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(QRectF(4, 12, 56, 40), 7, 7)
        p.drawText(QRectF(0, 10, 64, 44), Qt.AlignmentFlag.AlignCenter, label)

    return fn


def _image(p, c):
    p.setPen(_pen(c, 4))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRoundedRect(QRectF(8, 12, 48, 40), 4, 4)
    path = _poly((10, 46), (24, 30), (34, 40), (42, 32), (54, 46), closed=False)
    p.drawPath(path)
    p.drawEllipse(QPointF(42, 22), 3, 3)


def _mask(p, c):
    p.setPen(Qt.PenStyle.NoPen)
    for i in range(6):
        for j in range(5):
            a = 60 + ((i * 37 + j * 53) % 160)
            p.setBrush(QColor(40, 230, 255, a))
            p.drawRect(QRectF(8 + i * 8, 12 + j * 8, 7, 7))
    p.setPen(_pen(c, 3))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(QRectF(6, 10, 52, 44))


def _box(p, c):
    p.setPen(_pen(QColor(c.red(), c.green(), c.blue(), 110), 3))
    for y in (14, 24, 34, 44, 54):  # spectrogram rows
        p.drawLine(QPointF(6, y), QPointF(58, y))
    p.setPen(_pen(c, 4))
    p.setBrush(QColor(c.red(), c.green(), c.blue(), 70))
    p.drawRect(QRectF(16, 20, 32, 22))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(c)
    for x, y in ((16, 20), (48, 20), (16, 42), (48, 42)):
        p.drawRect(QRectF(x - 4, y - 4, 8, 8))


_ICONS = {
    "play": _play, "pause": _pause, "stop": _stop, "loop": _loop, "to_start": _to_start,
    "open": _folder, "save": _save, "export": _export,
    "undo": lambda p, c: _arrow_curve(p, c, False), "redo": lambda p, c: _arrow_curve(p, c, True),
    "zoom_in": lambda p, c: _magnifier(p, c, "+"), "zoom_out": lambda p, c: _magnifier(p, c, "-"),
    "zoom_sel": lambda p, c: _magnifier(p, c, "sel"), "zoom_fit": _fit,
    "preview": _wand, "cancel": _cancel, "suggest": _bulb, "batch": _batch, "settings": _gear,
    "add_region": _plus_region, "delete": _trash, "ab": _text("A/B", 22), "residual": _text("A−B", 19),
    "png": _image, "mask": _mask, "box": _box,
}
_CACHE: dict[str, QIcon] = {}


def icon(name: str) -> QIcon:
    if name not in _CACHE:
        _CACHE[name] = _draw(_ICONS[name])
    return _CACHE[name]


WARNING = QColor(255, 176, 32)  # amber


def warning_icon() -> QIcon:
    """An amber warning triangle (a prompt the model knows no sound for)."""
    if "warning" not in _CACHE:
        def fn(p, c):
            p.setPen(_pen(c, 4))
            p.setBrush(QColor(c.red(), c.green(), c.blue(), 60))
            p.drawPath(_poly((32, 6), (60, 56), (4, 56)))
            p.setPen(_pen(c, 6))
            p.drawLine(QPointF(32, 24), QPointF(32, 38))
            p.drawPoint(QPointF(32, 47))

        _CACHE["warning"] = _draw(fn, WARNING)
    return _CACHE["warning"]


def app_icon() -> QIcon:
    def fn(p, c):
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(26, 29, 36))
        p.drawRoundedRect(QRectF(2, 2, 60, 60), 12, 12)
        p.setPen(_pen(ACCENT, 4))
        for k, h in enumerate((10, 22, 34, 18, 28, 12, 6)):
            x = 11 + k * 7
            p.drawLine(QPointF(x, 32 - h / 2), QPointF(x, 32 + h / 2))
        p.setPen(_pen(KEEP, 3))
        p.drawLine(QPointF(25, 10), QPointF(25, 54))
        p.drawLine(QPointF(46, 10), QPointF(46, 54))

    return _draw(fn)
