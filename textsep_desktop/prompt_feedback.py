"""What the model understood each prompt as (Separator.understand), and the known sounds for completion.

Both need the model, so nothing is asked before it is loaded (the table shows "…" meanwhile) and every question
runs on a worker of its own: the GUI thread only reads the cache. Prompts asked for while a question runs are
queued and answered together by the next one; answers fill in through `updated`. When the model changes
(Settings), the cache and the completion list start over.

`lookup(prompt)` gives an Understanding, or a str (why there is none: e.g. the baseline model reads no
prompts), or None (not known yet). The completion list (`completion_model`) holds the known sounds'
paraphrases and names ("dog bark", "dog", ...).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QStringListModel, QTimer, Signal

from textsep_desktop.worker import TaskRunner

PENDING_TEXT = "…"
UNKNOWN_TEXT = "unknown sound (closest: '{nearest}') — the edit may be wrong"
WARNING_COLOUR = (255, 176, 32)  # amber


class PromptFeedback(QObject):
    updated = Signal()  # answers arrived (or the cache was cleared)
    vocabularyChanged = Signal()  # noqa: N815 - the completion list changed

    def __init__(self, models, parent=None):
        super().__init__(parent)
        self.models = models
        self.runner = TaskRunner(self, max_threads=1)
        self.cache: dict[str, object] = {}  # prompt -> Understanding or str (no understanding: why)
        self.queue: set[str] = set()  # asked for, not answered yet
        self.asking: set[str] = set()  # being answered now
        self.completion_model = QStringListModel(self)
        self.words: list[str] = []
        self._key = None  # the model the cache belongs to
        self._vocab_asked = False

    # -- the GUI thread's side ------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return self.models.loaded

    def lookup(self, prompt: str):
        """The Understanding of `prompt` (or a str: why there is none), or None while not known yet."""
        prompt = " ".join(str(prompt).split())
        if not prompt:
            return None
        self._check_model()
        if prompt in self.cache:
            return self.cache[prompt]
        if prompt not in self.asking:
            self.queue.add(prompt)
        self.poll()
        return None

    def poll(self, *_) -> None:
        """Ask the model what is queued (and for the known sounds), if it is loaded and nothing is asking."""
        if not self.ready or self.runner.closed:
            return
        self._check_model()
        if not self._vocab_asked:
            self._vocab_asked = True
            self._ask_vocabulary()
        if self.queue and not self.asking:
            self.asking, self.queue = set(self.queue), set()
            prompts, models, key = sorted(self.asking), self.models, self._key
            self.runner.start(lambda progress, cancel: _understand_all(models, prompts), "understand prompts",
                              on_finished=lambda res, key=key: self._answered(key, res),
                              on_error=lambda e, tb, key=key: self._failed(key, prompts, e))

    def _check_model(self) -> None:
        key = self.models.settings.model_key() if self.ready else self._key
        if key != self._key:
            self._key = key
            self.cache, self.queue, self.asking = {}, set(), set()
            self._vocab_asked = False
            self.words = []
            self.completion_model.setStringList([])
            self.vocabularyChanged.emit()
            QTimer.singleShot(0, self.updated.emit)  # (asked from a table's data(): not while it paints)

    def _answered(self, key, answers: dict) -> None:
        if key != self._key:
            return
        self.cache.update(answers)
        self.asking = set()
        self.updated.emit()
        self.poll()

    def _failed(self, key, prompts, exc) -> None:
        if key == self._key:
            self._answered(key, {p: f"Not understood: {exc}" for p in prompts})

    def _ask_vocabulary(self) -> None:
        models, key = self.models, self._key
        self.runner.start(lambda progress, cancel: _known_sounds(models), "known sounds",
                          on_finished=lambda words, key=key: self._vocabulary(key, words))

    def _vocabulary(self, key, words: list[str]) -> None:
        if key != self._key:
            return
        self.words = words
        self.completion_model.setStringList(words)
        self.vocabularyChanged.emit()


# -- the worker's side ----------------------------------------------------------------------------
def _understand_all(models, prompts: list[str]) -> dict:
    from textsep.errors import TextSepError

    sep = models.get()
    out: dict[str, object] = {}
    for p in prompts:
        try:
            out[p] = sep.understand(p)
        except TextSepError as exc:  # a model that reads no prompts (baseline, NMF): say so, once per prompt
            out[p] = str(exc)
    return out


def _known_sounds(models) -> list[str]:
    from textsep.errors import TextSepError

    try:
        voc = models.get().vocabulary
    except TextSepError:
        return []
    words: list[str] = []
    for c in voc.classes:
        words.extend(voc.prompts.get(c, []))
        words.append(c.replace("_", " "))
    return sorted(dict.fromkeys(w for w in words if w), key=str.lower)


# -- how the table shows it ----------------------------------------------------------------------
def is_unknown(u) -> bool:
    return hasattr(u, "known") and not u.known


def understood_text(u) -> str:
    """The cell: '…' (not known yet), 'dog · 92 %' (the top match), the unknown-sound warning, or '—'."""
    if u is None:
        return PENDING_TEXT
    if isinstance(u, str):
        return "—"
    if not u.known:
        return UNKNOWN_TEXT.format(nearest=u.nearest)
    top = u.top
    more = f"  (+{len(u.matches) - 1})" if len(u.matches) > 1 else ""
    return f"{top.label.replace('_', ' ')} · {top.weight * 100:.0f} %{more}"


def understood_tooltip(u) -> str:
    if u is None:
        return "What the model understands this prompt as: shown once the model has loaded"
    if isinstance(u, str):
        return u
    head = ("The model knows no such sound: the edit may be wrong.\nClosest known wording: "
            f"'{u.nearest}' (similarity {u.similarity:.2f}).\n") if not u.known else ""
    return f"{head}Understood as: {u.describe()}\nClosest known wording: '{u.nearest}'"
