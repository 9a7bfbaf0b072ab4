"""The time selection, as in Audacity and RX: a drag on the view selects (nothing permanent, no undo step);
R ("Add region from selection") turns the selection into a region. A click sets the cursor and drops the
selection; selecting a region drops it too, so there is one current selection: the time selection, else the
selected region. Space plays it, Z zooms to it, the selection bar shows and edits it. Its edges can be
dragged (they snap like region edges; they sit above region edges, so a drag there resizes the selection
while a drag inside a region still moves the region), and Shift+click extends it to the clicked time.
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
        view.selectionEdgeDragged.connect(self._edge_dragged)
        view.shiftClicked.connect(self.extend_to)
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
        if finished:
            self._cursor_to_start()

    def _cursor_to_start(self) -> None:
        """The cursor goes to the selection's start (playback starts there) without dropping it."""
        if self.selection.span is None:
            return
        self.view.set_cursor(self.selection.span[0])
        self._moving_cursor = True
        try:
            self.view.cursorMoved.emit(self.view.cursor_s)
        finally:
            self._moving_cursor = False

    def _edge_dragged(self, edge: int, t: float, finished: bool) -> None:
        """An edge of the selection dragged on the view: it snaps (not to the cursor sitting on it)."""
        span = self.selection.span
        if span is None:
            return
        t = self.snapper.snap(t, with_selection=False, with_cursor=self.view.cursor_s not in span)
        a, b = (t, span[1]) if edge == 0 else (span[0], t)
        if b - a >= self.view.seconds_per_px():  # never narrower than a pixel (no vanishing mid-drag)
            self.selection.set(a, b)
        if finished:
            self.view.set_selection(self.selection.span)  # the edge back on the selection if it was refused
            self._cursor_to_start()

    def extend_to(self, t: float) -> None:
        """Shift+click (Audacity): the current selection (or, without one, the cursor) extends to `t`; a
        time inside it moves the nearer edge there."""
        if self.document.doc is None:
            return
        span = self.current_span()
        a, b = span if span is not None else (self.view.cursor_s, self.view.cursor_s)
        t = self.snapper.snap(t, with_selection=False, with_cursor=span is not None)
        if t < a or (t <= b and t - a < b - t):
            a = t
        else:
            b = t
        if self.panel.selected_id() is not None:
            self.panel.select(None)
        self.selection.set(a, b)
        self._cursor_to_start()

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
