"""The background model load (engine.warm_up on its own runner) and its state in the status bar.

States: "idle", "loading", "ready", "no model", "failed". A preview started while the model loads waits
for it on the model manager's lock (engine.py explains the start-up).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from textsep_desktop import user_errors
from textsep_desktop.model_manager import ModelManager
from textsep_desktop.worker import TaskRunner

LABELS = {"loading": "Loading model…", "failed": "Model not loaded"}
TIPS = {"loading": "The model and text encoder are loading in the background; "
                   "a preview started now waits for them"}


class EngineStatus(QObject):
    stateChanged = Signal(str)  # noqa: N815 - the state after a change

    def __init__(self, models: ModelManager, parent=None):
        super().__init__(parent)
        self.models = models
        self.state = "idle"
        self.runner = TaskRunner(self, max_threads=1)  # the start-up model load; opening never waits for it
        self.label = QLabel("")
        self.label.setObjectName("hint")
        self.label.hide()

    def warm(self) -> None:
        """Load the model and text encoder on a worker (engine.warm_up) unless they are loaded already."""
        if self.models.loaded:
            self.set_state("ready")
            return
        from textsep_desktop import engine

        models = self.models
        self.set_state("loading")
        self.runner.start(lambda progress, cancel: engine.warm_up(models, None, cancel), "warm up engine",
                          on_finished=self.set_state,
                          on_error=lambda e, tb: self.set_state("failed", user_errors.message(e)),
                          on_cancelled=lambda: self.set_state("idle"))

    def warm_if_needed(self) -> None:
        """After the settings changed: load the chosen model in the background, unless one is loading."""
        if not self.models.loaded and not self.runner.active():
            self.warm()

    def model_loaded(self) -> None:
        """A job loaded the model: a failed start-up load is over."""
        if self.state == "failed" and self.models.loaded:
            self.set_state("ready")

    def set_state(self, state: str, detail: str = "") -> None:
        self.state = state
        self.label.setText(LABELS.get(state, ""))
        self.label.setToolTip(detail or TIPS.get(state, ""))
        self.label.setVisible(state in ("loading", "failed"))
        self.stateChanged.emit(state)
