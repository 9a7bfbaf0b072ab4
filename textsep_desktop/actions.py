"""The window's actions as data, and the one place that turns that data into QActions, menus and a toolbar.

Each `ActionSpec` says what an action is (id, text, shortcuts, icon, tooltip, checkable), when it is enabled
(a predicate on a `UiState` snapshot; None means always, or managed elsewhere -- undo/redo follow the undo
stack) and what it does (a dotted handler name resolved on the window, e.g. "processing.preview").
`MENUS` and `TOOLBAR` list action ids in order; "-" is a separator, "@name" a place the window fills
(a submenu or a widget). `ActionTable.refresh(state)` applies every enable rule at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import Callable, NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QSizePolicy, QToolBar, QToolButton, QWidget

from textsep_desktop.icons import icon

K = QKeySequence.StandardKey


class UiState(NamedTuple):
    """What the enable rules look at; the window builds one from its parts."""

    has_doc: bool = False
    busy: bool = False
    selected: bool = False  # a region is selected in the table
    can_play: bool = False  # a document is open and the audio device is not known to be missing
    regions: int = 0
    processed: bool = False  # the document has processed audio (a preview or an export)
    span: bool = False  # there is a current selection: a time selection or a selected region


def has_doc(s: UiState) -> bool:
    return s.has_doc


def can_play(s: UiState) -> bool:
    return s.can_play


def can_preview(s: UiState) -> bool:
    return s.has_doc and not s.busy and s.regions > 0


def doc_idle(s: UiState) -> bool:
    return s.has_doc and not s.busy


def busy(s: UiState) -> bool:
    return s.busy


def has_selection(s: UiState) -> bool:
    return s.has_doc and s.selected


def selection_idle(s: UiState) -> bool:
    return s.has_doc and s.selected and not s.busy


def has_processed(s: UiState) -> bool:
    return s.has_doc and s.processed


def has_span(s: UiState) -> bool:
    return s.has_doc and s.span


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    handler: str | None = None  # dotted name on the window; None: made by `factory`
    shortcuts: tuple = ()  # QKeySequence.StandardKey values or strings
    icon: str | None = None
    tip: str | None = None  # tooltip (the shortcut is appended); default: the text
    enabled: Callable[[UiState], bool] | None = None
    checkable: bool = False
    checked: bool = False
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    factory: str | None = None  # "undo" / "redo": made by the undo stack
    short: str | None = None  # the text on a button (QAction.iconText), when shorter than `text`


# The order here is the order of Help → Keyboard shortcuts.
ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("open", "&Open audio…", "document.open_dialog", (K.Open,), "open", "Open an audio file"),
    ActionSpec("open_session", "Open &session…", "document.open_session_dialog", ("Ctrl+Shift+O",)),
    ActionSpec("save_session", "&Save session", "document.save_session", (K.Save,), "save",
               "Save the regions and audio path as a session", has_doc),
    ActionSpec("save_session_as", "Save session &as…", "document.save_session", ("Ctrl+Shift+S",),
               enabled=has_doc, kwargs={"ask": True}),
    ActionSpec("export", "&Export audio…", "processing.export_dialog", ("Ctrl+E",), "export",
               "Export the edited audio (WAV or FLAC)", doc_idle),
    ActionSpec("export_png", "Export view as &PNG…", "processing.export_png_dialog", ("Ctrl+Shift+E",), "png",
               "Save the waveform, spectrogram and mask view as an image", has_doc),
    ActionSpec("save_spec", "Save edit spec (JSON)…", "document.save_spec_dialog", enabled=has_doc),
    ActionSpec("load_spec", "Load edit spec (JSON)…", "document.load_spec_dialog", enabled=has_doc),
    ActionSpec("batch", "&Batch process folder…", "processing.batch_dialog", ("Ctrl+B",), "batch",
               "Apply the edit to every file in a folder"),
    ActionSpec("quit", "&Quit", "close", (K.Quit,)),
    ActionSpec("undo", "&Undo", shortcuts=(K.Undo,), icon="undo", factory="undo"),
    ActionSpec("redo", "&Redo", shortcuts=(K.Redo, "Ctrl+Y"), icon="redo", factory="redo"),
    ActionSpec("add", "&Add region from selection", "region_commands.add_from_selection", ("R", "Ctrl+R"),
               "add_region", "Turn the selection into a region (without one: the middle of the view)",
               has_doc,
               short="Add region (R)"),
    ActionSpec("box_tool", "&Box tool (time × frequency)", "box_tool.set_active", ("X",), "box",
               "Drag on the spectrogram to draw a region with a frequency band (Ctrl+drag does it without the tool)",
               has_doc, checkable=True, short="Box"),
    ActionSpec("select_all", "Select &all", "selection_ctrl.select_all", (K.SelectAll,), enabled=has_doc),
    ActionSpec("snap", "Snap to edges", "snapper.set_edges", (), None,
               "Selection and region edges snap to region edges, the cursor and the file ends",
               checkable=True, checked=True, short="Snap"),
    ActionSpec("snap_zero", "Snap to zero crossings", "snapper.set_zero", (), None,
               "Selection and region edges move to the nearest zero crossing", checkable=True,
               short="Zero crossings"),
    ActionSpec("delete", "&Delete region", "region_commands.delete_selected", (K.Delete, "Backspace"),
               "delete", enabled=has_selection),
    ActionSpec("toggle_mode", "Toggle keep/remove", "region_commands.toggle_selected_mode", ("M",),
               enabled=has_selection),
    ActionSpec("toggle_enabled", "Enable/disable region", "region_commands.toggle_selected_enabled", ("E",),
               enabled=has_selection),
    ActionSpec("suggest", "Suggest &prompts", "processing.suggest_prompts", ("Ctrl+I",), "suggest",
               "Ask the model what it hears in the selected region", selection_idle),
    ActionSpec("settings", "Se&ttings…", "app_dialogs.show_settings", ("Ctrl+,",), "settings"),
    # Playback commands stay enabled without an audio device: they say why nothing plays (transport._refuse).
    ActionSpec("play", "Play / Stop", "transport.toggle_play", ("Space",), "play",
               "Play the selection (or from the cursor); again to stop", has_doc),
    ActionSpec("loop_play", "Loop play", "transport.loop_play", ("Shift+Space",), None,
               "Play the selection over and over (the whole file without one)", has_doc),
    ActionSpec("pause", "Pause / Resume", "transport.pause", ("Ctrl+Space", "Pause"), "pause",
               enabled=has_doc),
    ActionSpec("stop", "Stop", "transport.stop", (), "stop", enabled=has_doc),
    ActionSpec("to_start", "Go to start", "transport.go_to_start", ("Home",), "to_start", enabled=has_doc),
    ActionSpec("to_end", "Go to end", "transport.go_to_end", ("End",), enabled=has_doc),
    ActionSpec("loop", "Loop the selection", "transport.set_loop", ("L",), "loop",
               "Space loops the selection while this is on", has_doc, checkable=True),
    ActionSpec("ab", "A/B: hear processed", "transport.set_ab", ("B",), "ab",
               "Flip between original (A) and processed (B)", has_processed, checkable=True),
    ActionSpec("residual", "Hear what was removed", "transport.set_residual", ("D",), "residual",
               "Listen to what the edit removed (original − processed inside the regions)", has_processed,
               checkable=True),
    ActionSpec("mask", "Show the effect on the spectrogram", "view.set_show_mask", ("K",), "mask",
               "Dim what the edit removed on the spectrogram, by its gain in dB", has_processed,
               checkable=True, checked=True),
    ActionSpec("zoom_in", "Zoom in", "view.zoom_by", ("Ctrl+=", "Ctrl++", "="), "zoom_in", enabled=has_doc,
               args=(0.5,)),
    ActionSpec("zoom_out", "Zoom out", "view.zoom_by", ("Ctrl+-", "-"), "zoom_out", enabled=has_doc,
               args=(2.0,)),
    ActionSpec("zoom_fit", "Zoom to fit", "view.zoom_fit", ("Ctrl+0", "F"), "zoom_fit", enabled=has_doc),
    ActionSpec("zoom_sel", "Zoom to selection", "selection_ctrl.zoom_to_selection", ("Z",), "zoom_sel",
               "Zoom to the selection or the selected region", has_span),
    ActionSpec("preview", "&Preview", "processing.preview", ("Ctrl+Return", "P"), "preview",
               "Run the edit on the regions and listen to the result", can_preview),
    ActionSpec("cancel", "Cancel", "jobs.cancel", ("Esc",), "cancel", "Cancel the running job", busy),
    ActionSpec("shortcuts", "Keyboard shortcuts", "app_dialogs.show_shortcuts", ("F1",)),
    ActionSpec("about", "About TextSep", "app_dialogs.show_about"),
)

MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("&File", ("open", "open_session", "@recent", "-", "save_session", "save_session_as", "-", "export",
               "export_png", "save_spec", "load_spec", "-", "batch", "-", "quit")),
    ("&Edit", ("undo", "redo", "-", "select_all", "add", "box_tool", "delete", "toggle_mode", "toggle_enabled",
               "suggest", "-", "snap", "snap_zero", "-", "settings")),
    ("&View", ("zoom_in", "zoom_out", "zoom_fit", "zoom_sel", "-", "ab", "residual", "mask", "@spectrogram",
               "-", "@docks")),
    ("&Transport", ("play", "loop_play", "pause", "stop", "-", "to_start", "to_end", "loop")),
    ("&Process", ("preview", "cancel", "suggest", "batch")),
    ("&Help", ("shortcuts", "about")),
)
SUBMENUS = {"@recent": "Open &recent"}

TOOLBAR: tuple[str, ...] = ("open", "save_session", "export", "-", "undo", "redo", "-",
                            "to_start", "play", "stop", "loop", "@time", "-",
                            "box_tool", "-", "zoom_in", "zoom_out", "zoom_fit", "zoom_sel", "-",
                            "preview", "cancel", "ab", "residual", "mask", "-", "suggest", "batch", "@spacer",
                            "settings")
TEXT_BESIDE_ICON = ("preview",)


class ActionTable:
    """The QActions of ACTIONS, owned by the window (so shortcuts work wherever the focus is inside it)."""

    def __init__(self, window: QMainWindow, undo_stack, specs: tuple[ActionSpec, ...] = ACTIONS):
        self.window = window
        self.specs = {s.id: s for s in specs}
        self.actions: dict[str, QAction] = {s.id: self._make(s, undo_stack) for s in specs}
        self.menus: dict[str, QMenu] = {}
        self.submenus: dict[str, QMenu] = {}
        self.toolbar: QToolBar | None = None

    def __getitem__(self, action_id: str) -> QAction:
        return self.actions[action_id]

    def _make(self, s: ActionSpec, undo_stack) -> QAction:
        w = self.window
        if s.factory == "undo":
            a = undo_stack.createUndoAction(w, s.text)
        elif s.factory == "redo":
            a = undo_stack.createRedoAction(w, s.text)
        else:
            a = QAction(s.text, w)
        if s.icon:
            a.setIcon(icon(s.icon))
        if s.shortcuts:
            a.setShortcuts([QKeySequence(k) for k in s.shortcuts])
        if s.factory is None:
            sc = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            a.setToolTip(f"{s.tip or s.text.replace('&', '').replace('…', '')}" + (f"  ({sc})" if sc else ""))
            a.setCheckable(s.checkable)
            a.setChecked(s.checked)
        if s.short:
            a.setIconText(s.short)
        w.addAction(a)
        return a

    def bind(self, target) -> None:
        """Connect each action to its handler, looked up on `target` (the window) by its dotted name."""
        for s in self.specs.values():
            if s.handler is None:
                continue
            fn = attrgetter(s.handler)(target)
            if s.checkable:
                self.actions[s.id].triggered.connect(lambda on, fn=fn: fn(on))
            else:
                self.actions[s.id].triggered.connect(lambda _c=False, fn=fn, s=s: fn(*s.args, **s.kwargs))

    def refresh(self, state: UiState) -> None:
        for s in self.specs.values():
            if s.enabled is not None:
                self.actions[s.id].setEnabled(bool(s.enabled(state)))

    def build_menus(self, menubar, extra: dict[str, list] | None = None) -> None:
        """The menus of MENUS; "@docks" (and any other "@name" not a submenu) takes the actions in extra."""
        extra = extra or {}
        for title, items in MENUS:
            m = menubar.addMenu(title)
            self.menus[title] = m
            for it in items:
                if it == "-":
                    m.addSeparator()
                elif it in SUBMENUS:
                    self.submenus[it[1:]] = m.addMenu(SUBMENUS[it])
                elif it.startswith("@"):
                    m.addActions(extra.get(it[1:], []))
                else:
                    m.addAction(self.actions[it])

    def build_toolbar(self, widgets: dict[str, QWidget]) -> QToolBar:
        tb = self.window.addToolBar("Main")
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setIconSize(tb.iconSize().scaled(22, 22, Qt.AspectRatioMode.IgnoreAspectRatio))
        for it in TOOLBAR:
            if it == "-":
                tb.addSeparator()
            elif it == "@spacer":
                spacer = QWidget()
                spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
                tb.addWidget(spacer)
            elif it.startswith("@"):
                tb.addWidget(widgets[it[1:]])
            else:
                tb.addAction(self.actions[it])
                button = tb.widgetForAction(self.actions[it])
                if it in TEXT_BESIDE_ICON and isinstance(button, QToolButton):
                    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar = tb
        return tb
