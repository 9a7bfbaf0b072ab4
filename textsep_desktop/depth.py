"""A region's depth (textsep.edits.Region.depth_db) as the desktop explains and edits it, in one place for the
regions panel, the settings dialog and the batch dialog."""
from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox

from textsep.edits import MAX_DEPTH_DB

MIN_DEPTH_EDIT_DB = 1.0  # the editors' range; the engine accepts (0, MAX_DEPTH_DB]
DEPTH_WHAT = "How far the edit may turn sound down"
DEPTH_TIP = (f"{DEPTH_WHAT}: the gain never falls below −depth dB (like a noise reducer's reduction). "
             f"{MAX_DEPTH_DB:g} dB = as deep as the model's mask says")


def depth_spin_box(value: float, prefix: str = "") -> QDoubleSpinBox:
    """A whole-dB spin box over the editable depth range, with the explanation as its tooltip."""
    sb = QDoubleSpinBox()
    sb.setRange(MIN_DEPTH_EDIT_DB, MAX_DEPTH_DB)
    sb.setDecimals(0)
    sb.setPrefix(prefix)
    sb.setSuffix(" dB")
    sb.setValue(value)
    sb.setToolTip(DEPTH_TIP)
    return sb
