"""The time selection, as in Audacity and RX: a drag on the view selects (nothing permanent, no undo step);
R ("Add region from selection") turns the selection into a region. A click sets the cursor and drops the
selection; selecting a region drops it too, so there is one current selection: the time selection, else the
selected region. Space plays it, Z zooms to it, the selection bar shows and edits it.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

MIN_DRAG_PX = 3  # a shorter drag is a click


class Selection(QObject):
    """The time selection: a (start, end) span in seconds with start < end, or None."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.span: tuple[float, float] | None = None

    def set(self, t0: float, t1: float) -> None:
        t0, t1 = float(min(t0, t1)), float(max(t0, t1))
        span = (t0, t1) if t1 > t0 else None
        if span != self.span:
            self.span = span
            self.changed.emit()

    def clear(self) -> None:
        if self.span is not None:
            self.span = None
            self.changed.emit()

    @property
    def length(self) -> float:
        return 0.0 if self.span is None else self.span[1] - self.span[0]


class SelectionController(QObject):
    """Drags on the view -> the (snapped) selection -> the view; and one current selection at a time."""

    def __init__(self, selection: Selection, view, snapper, panel, regions, document, parent=None):
        super().__init__(parent)
        self.selection, self.view, self.snapper = selection, view, snapper
        self.panel, self.regions, self.document = panel, regions, document
        view.selectionDragged.connect(self._dragged)
        self._moving_cursor = False  # the cursor follows a new selection's start without dropping it
        view.cursorMoved.connect(self._cursor_moved)
        panel.selection_changed.connect(self._region_selected)
        selection.changed.connect(lambda: view.set_selection(selection.span))
        document.documentChanged.connect(lambda _d: selection.clear())

    def _dragged(self, t0: float, t1: float, finished: bool) -> None:
        if finished and t1 - t0 < MIN_DRAG_PX * self.view.seconds_per_px():
            self.selection.clear()  # too short to mean a span: a click at its start
            self.view.set_cursor(t0)
            self.view.cursorMoved.emit(self.view.cursor_s)
            return
        a, b = self.snapper.snap_span(t0, t1, with_selection=False)
        if self.panel.selected_id() is not None:
            self.panel.select(None)  # a new selection replaces the selected region as "the" selection
        self.selection.set(a, b)
        if finished and self.selection.span is not None:
            self.view.set_cursor(self.selection.span[0])
            self._moving_cursor = True
            try:
                self.view.cursorMoved.emit(self.view.cursor_s)
            finally:
                self._moving_cursor = False

    def _cursor_moved(self, _t: float) -> None:
        if not self._moving_cursor:  # a click: the cursor moves, the selection goes
            self.selection.clear()

    def _region_selected(self, rid) -> None:
        if rid is not None:
            self.selection.clear()

    def set_span(self, t0: float, t1: float) -> None:
        """From the selection bar: clipped to the file."""
        doc = self.document.doc
        if doc is None:
            return
        self.selection.set(max(0.0, t0), min(doc.duration, t1))

    def current_span(self) -> tuple[float, float] | None:
        """The time selection, else the selected region's span, else None."""
        if self.selection.span is not None:
            return self.selection.span
        rid = self.panel.selected_id()
        if rid is not None and rid in self.regions:
            r = self.regions.get(rid)
            return (r.start_s, r.end_s)
        return None

    def select_all(self) -> None:
        doc = self.document.doc
        if doc is not None:
            self.panel.select(None)
            self.selection.set(0.0, doc.duration)

    def zoom_to_selection(self) -> None:
        span = self.current_span()
        if span is not None:
            self.view.zoom_to(*span)
