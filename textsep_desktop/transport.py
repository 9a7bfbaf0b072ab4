"""The transport: between the `Player` and the view -- play/pause/stop, the cursor and playhead, looping the
selected region, A/B (original or processed), the time display and the playback status."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel

from textsep_desktop.icons import icon
from textsep_desktop.waveform_view import format_time

if TYPE_CHECKING:
    from textsep_desktop.player import Player
    from textsep_desktop.waveform_view import WaveformView


class Transport(QObject):
    availabilityChanged = Signal()  # noqa: N815 - the audio device was probed

    def __init__(self, player: Player, view: WaveformView, actions, document, loop_span, status, parent=None):
        """`actions`: the ActionTable (play, loop, ab); `loop_span()`: the span to loop or None;
        `status(msg, ms)`: the status bar."""
        super().__init__(parent)
        self.player, self.view, self.actions, self.document = player, view, actions, document
        self.loop_span, self.status = loop_span, status
        self.time_label = QLabel("0:00.000")
        self.time_label.setObjectName("timeDisplay")
        self.time_label.setMinimumWidth(120)
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.time_label.setToolTip("Playhead / cursor position")
        self.playback_label = QLabel("")
        view.cursorMoved.connect(self.cursor_moved)
        player.positionChanged.connect(self._play_position)
        player.stateChanged.connect(self._play_state)
        player.error.connect(lambda msg: self.status(msg, 8000))

    @property
    def can_play(self) -> bool:
        return self.player.available is not False

    def probe_device(self) -> None:
        """Ask the player whether there is an output device; without one, say why playback is off."""
        if not self.player.check():
            self.playback_label.setText(self.player.reason.split(" (")[0])
            self.playback_label.setToolTip(self.player.reason)
            self.status(self.player.reason, 15000)
        else:
            self.playback_label.setText("")
            self.playback_label.setToolTip(self.player.reason)
        self.availabilityChanged.emit()

    # ------------------------------------------------------------------ the document's audio
    def load(self, doc) -> None:
        """A new document: stop, listen to its original (A) from the start."""
        self.player.stop()
        self.view.set_ab("A")
        self.actions["ab"].setChecked(False)
        self.player.set_audio(doc.audio.samples, doc.audio.sr)
        self.player.set_processed(None)
        self._set_time(0.0)

    def set_processed(self, samples) -> None:
        self.player.set_processed(samples)

    def show_processed(self) -> None:
        """Switch to B (processed), as a new preview does."""
        self.actions["ab"].setChecked(True)
        self.set_ab(True)

    # ------------------------------------------------------------------ commands
    def toggle_play(self) -> None:
        if self.document.doc is None:
            return
        if self.player.available is False:
            self.status(self.player.reason, 6000)
            return
        if self.player.state == "playing":
            self.player.pause()
            return
        loop = self.loop_span() if self.actions["loop"].isChecked() else None
        start = None if self.player.state == "paused" else self.view.cursor_s
        self.player.play(start, loop)

    def set_loop(self, on: bool) -> None:
        if self.player.state == "playing":
            pos = self.player.position
            self.player.play(pos, self.loop_span() if on else None)

    def stop(self) -> None:
        self.player.stop()
        self.view.set_playhead(None)
        self._set_time(self.view.cursor_s)

    def go_to_start(self) -> None:
        self.view.set_cursor(0.0)
        self.cursor_moved(0.0)

    def cursor_moved(self, t: float) -> None:
        if self.player.state == "playing":
            self.player.seek(t)
        elif self.player.state == "paused":
            self.player.stop()
            self.view.set_playhead(None)
        self._set_time(t)

    def set_ab(self, on: bool) -> None:
        doc = self.document.doc
        which = "B" if on and doc is not None and doc.processed is not None else "A"
        self.view.set_ab(which)
        self.player.select(which)
        if self.player.state == "playing":
            self._play_state("playing")
        self.status("B: processed" if which == "B" else "A: original", 2000)

    # ------------------------------------------------------------------ from the player
    def _play_position(self, t: float) -> None:
        if self.player.state == "stopped":
            return
        self.view.set_playhead(t)
        self.view.scroll_to_show(t)
        self._set_time(t)

    def _play_state(self, state: str) -> None:
        self.actions["play"].setIcon(icon("pause" if state == "playing" else "play"))
        if state == "stopped":
            self.view.set_playhead(None)
            self._set_time(self.view.cursor_s)
        which = "processed (B)" if self.actions["ab"].isChecked() else "original (A)"
        self.playback_label.setText({"playing": f"▶ playing {which}", "paused": "❚❚ paused"}.get(state, ""))

    def _set_time(self, t: float) -> None:
        self.time_label.setText(format_time(t))
