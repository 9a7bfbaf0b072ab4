"""What a prompt means to a model: the known sounds it maps to, how sure that is, and whether it is known.

A model knows the classes it was trained on, each with a few paraphrases (checkpoint metadata). A
prompt is *understood* as the classes its routing weights pick (the same weights the network mixes),
and it counts as *known* when it is close to some paraphrase of a known sound: cosine similarity of the
MiniLM embeddings at least UNKNOWN_BELOW, or it shares a distinctive word with one (a word of at least
four letters that belongs to one class's paraphrases only, matched on its stem: "footstep" ~
"footsteps", "hoovering" ~ "hoover"). UNKNOWN_BELOW was chosen on data by
benchmarks/prompt_threshold.py: held-out paraphrases and free wordings of known sounds against
unrelated words ("asdfgh", "spreadsheet") and sounds the corpus lacks ("siren", "helicopter").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

UNKNOWN_BELOW = 0.605
GENERIC = {"noise", "noises", "sound", "sounds", "music", "playing", "someone", "person", "people", "background",
           "something", "there", "their", "with", "from", "that", "this", "into", "some", "loud", "quiet",
           "annoying", "recording", "distance", "night", "ground", "running", "making"}


def _stems(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", text.lower())
    return {w[:5] for w in words if len(w) >= 4 and w not in GENERIC}


@dataclass(frozen=True)
class Match:
    label: str
    weight: float  # routing weight (0..1): how much of this class the network mixes in
    category: str = ""


@dataclass(frozen=True)
class Understanding:
    prompt: str
    matches: tuple[Match, ...]  # ranked, weight >= 5 % (at least one)
    similarity: float  # best cosine similarity to a paraphrase of a known sound
    nearest: str  # that paraphrase
    known: bool

    @property
    def top(self) -> Match:
        return self.matches[0]

    def describe(self) -> str:
        """'dog (92 %), crying baby (5 %)', as the CLI and the app show it."""
        return ", ".join(f"{m.label.replace('_', ' ')} ({m.weight * 100:.0f} %)" for m in self.matches)


def vocabulary_from_meta(meta: dict, encoder, route=None) -> Vocabulary:
    """The Vocabulary a checkpoint's metadata describes (classes, their paraphrases and categories)."""
    return Vocabulary(list(meta.get("classes", [])), meta.get("prompts", {}), meta.get("categories", {}), encoder,
                      route)


class Vocabulary:
    """The known sounds of a checkpoint: labels, categories, paraphrases and their embeddings."""

    def __init__(self, classes: list[str], prompts: dict[str, list[str]], categories: dict[str, str],
                 encoder, route=None):
        self.classes = list(classes)
        self.prompts = {c: list(prompts.get(c) or [c.replace("_", " ")]) for c in self.classes}
        self.categories = {c: categories.get(c, "") for c in self.classes}
        self.encoder, self.route = encoder, route  # route(emb [1, D]) -> weights [K]; None: nearest class
        self._flat = [(c, p) for c in self.classes for p in self.prompts[c]]
        self._vecs: np.ndarray | None = None
        owner: dict[str, set[str]] = {}
        for c, p in self._flat:
            for s in _stems(p) | _stems(c.replace("_", " ")):
                owner.setdefault(s, set()).add(c)
        self._distinctive = {s: next(iter(cs)) for s, cs in owner.items() if len(cs) == 1}

    def _paraphrase_vectors(self) -> np.ndarray:
        if self._vecs is None:
            self._vecs = self.encoder.encode([p for _, p in self._flat])
        return self._vecs

    def understand(self, prompt: str) -> Understanding:
        v = self.encoder.encode([prompt])
        sims = self._paraphrase_vectors() @ v[0]
        best = int(np.argmax(sims))
        if self.route is None:  # a method that picks one class (NMF): the nearest paraphrase's
            weights = np.zeros(len(self.classes))
            weights[self.classes.index(self._flat[best][0])] = 1.0
        else:
            weights = np.asarray(self.route(v), dtype=np.float64).reshape(-1)
        order = np.argsort(-weights)
        matches = tuple(Match(self.classes[k], float(weights[k]), self.categories[self.classes[k]])
                        for i, k in enumerate(order) if i == 0 or weights[k] >= 0.05)
        lexical = any(s in self._distinctive for s in _stems(prompt))
        similarity = float(sims[best])
        return Understanding(prompt, matches[:5], similarity, self._flat[best][1],
                             similarity >= UNKNOWN_BELOW or lexical)
