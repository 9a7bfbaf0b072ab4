"""The transport: between the `Player` and the view -- play/stop, pause, loop, the cursor and playhead, what
to listen to (A original, B processed, R what the edit removed), the time display and the playback status.

As in Audacity and RX, Space plays the current selection (the time selection, else the selected region) and
stops there, or from the cursor to the end when nothing is selected; Space again stops. Shift+Space loops the
selection (the whole file without one). Without an output device every command says why instead of nothing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel

from textsep_desktop.icons import icon
from textsep_desktop.timefmt import format_clock as format_time

if TYPE_CHECKING:
    from textsep_desktop.player import Player
    from textsep_desktop.waveform_view import WaveformView


LISTEN_NAMES = {"A": "original (A)", "B": "processed (B)", "R": "what was removed (R)"}


class Transport(QObject):
    availabilityChanged = Signal()  # noqa: N815 - the audio device was probed

    def __init__(self, player: Player, view: WaveformView, actions, document, play_span, status, parent=None):
        """`actions`: the ActionTable (play, loop, ab, residual); `play_span()`: the selection to play, or
        None; `status(msg, ms)`: the status bar."""
        super().__init__(parent)
        self.player, self.view, self.actions, self.document = player, view, actions, document
        self.play_span, self.status = play_span, status
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

    def why_not(self) -> str:
        """Why there is no playback, short ("no audio output device")."""
        return self.player.reason.split(" (")[0].removeprefix("Playback disabled: ")

    def listen_hint(self) -> str:
        if self.can_play:
            return "Press B to flip A/B, D for what was removed, Space to listen."
        return f"Press B to flip A/B (playback is off: {self.why_not()})."

    def probe_device(self) -> None:
        """Ask the player whether there is an output device; without one, the status bar's permanent label
        says why (once: not again as a message beside it)."""
        if not self.player.check():
            self.playback_label.setText(f"Playback off: {self.why_not()}")
            self.playback_label.setToolTip(self.player.reason)
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
        self.actions["residual"].setChecked(False)
        self.player.set_audio(doc.audio.samples, doc.audio.sr)
        self.player.set_processed(None)
        self._set_time(0.0)

    def set_processed(self, samples, residual=None) -> None:
        self.player.set_processed(samples, residual)

    def show_processed(self) -> None:
        """Switch to B (processed), as a new preview does."""
        self.actions["ab"].setChecked(True)
        self.set_ab(True)

    # ------------------------------------------------------------------ commands
    def _refuse(self) -> bool:
        """True (after saying why) when there is nothing to play or nothing to play it through."""
        if self.document.doc is None:
            return True
        if self.player.available is False:
            self.status(f"Cannot play: {self.why_not()}. Preview, A/B and export still work.", 6000)
            return True
        return False

    def toggle_play(self) -> None:
        """Space: play the selection (or from the cursor), or stop."""
        if self._refuse():
            return
        if self.player.state == "playing":
            self.stop()
            return
        if self.player.state == "paused":
            self.player.play(None)
            return
        self._play(loop=self.actions["loop"].isChecked())

    def loop_play(self) -> None:
        """Shift+Space: loop the selection (the whole file without one)."""
        if self._refuse():
            return
        self._play(loop=True)

    def _play(self, loop: bool) -> None:
        span = self.play_span()
        if span is None:
            if loop:
                self.player.play(self.view.cursor_s, (0.0, self.document.doc.duration))
            else:
                self.player.play(self.view.cursor_s)
        elif loop:
            self.player.play(span[0], span)
        else:
            self.player.play(span[0], end_s=span[1])

    def pause(self) -> None:
        if self._refuse():
            return
        if self.player.state == "playing":
            self.player.pause()
        elif self.player.state == "paused":
            self.player.play(None)

    def set_loop(self, on: bool) -> None:
        span = self.play_span()
        if self.player.state == "playing" and span is not None:
            pos = self.player.position
            self.player.play(pos, span if on else None)

    def stop(self) -> None:
        self.player.stop()
        self.view.set_playhead(None)
        self._set_time(self.view.cursor_s)

    def go_to_start(self) -> None:
        """Home: the cursor to the start (works without a device too)."""
        if self.document.doc is None:
            return
        self.view.set_cursor(0.0)
        self.view.scroll_to_show(0.0)
        self.cursor_moved(0.0)
        if self.player.available is False:
            self.status(f"Cursor at the start (playback is off: {self.why_not()})", 4000)

    def go_to_end(self) -> None:
        doc = self.document.doc
        if doc is None:
            return
        self.view.set_cursor(doc.duration)
        self.view.scroll_to_show(doc.duration)
        self.cursor_moved(doc.duration)

    def cursor_moved(self, t: float) -> None:
        if self.player.state == "playing":
            self.player.seek(t)
        elif self.player.state == "paused":
            self.player.stop()
            self.view.set_playhead(None)
        self._set_time(t)

    def set_ab(self, on: bool) -> None:
        """B (processed) or A (original); choosing B ends listening to the residual."""
        if on:
            self.actions["residual"].setChecked(False)
        self._listen("B" if on else "A")

    def set_residual(self, on: bool) -> None:
        """R: what the edit removed (original - processed inside the regions), RX's "output noise only"."""
        if on:
            self.actions["ab"].setChecked(False)
        self._listen("R" if on else ("B" if self.actions["ab"].isChecked() else "A"))

    @property
    def listening(self) -> str:
        return self.player.which

    def _listen(self, which: str) -> None:
        doc = self.document.doc
        if doc is None or doc.processed is None:
            which = "A"
        self.view.set_ab(which)
        self.player.select(which)
        if self.player.state == "playing":
            self._play_state("playing")
        name = LISTEN_NAMES[which]
        self.status(name[0].upper() + name[1:], 2000)

    # ------------------------------------------------------------------ from the player
    def _play_position(self, t: float) -> None:
        if self.player.state == "stopped":
            return
        self.view.set_playhead(t)
        self.view.scroll_to_show(t)
        self._set_time(t)

    def _play_state(self, state: str) -> None:
        self.actions["play"].setIcon(icon("stop" if state == "playing" else "play"))
        if state == "stopped":
            self.view.set_playhead(None)
            self._set_time(self.view.cursor_s)
        which = LISTEN_NAMES[self.player.which]
        self.playback_label.setText({"playing": f"▶ playing {which}", "paused": "❚❚ paused"}.get(state, ""))

    def _set_time(self, t: float) -> None:
        self.time_label.setText(format_time(t))
