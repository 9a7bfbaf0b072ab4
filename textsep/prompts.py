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

import hashlib
import json
import os
import re
from pathlib import Path
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
    """The Vocabulary a checkpoint's metadata describes (classes, their paraphrases and categories).

    A checkpoint may carry its paraphrases' embeddings (meta["paraphrase_embeddings"]: {"encoder",
    "texts", "vectors"}, written by embed_paraphrases when the model ships): when they were made by this
    encoder for exactly these texts they are used as they are, so the first run encodes nothing but the
    user's prompt."""
    voc = Vocabulary(list(meta.get("classes", [])), meta.get("prompts", {}), meta.get("categories", {}), encoder,
                     route)
    stored = meta.get("paraphrase_embeddings")
    if isinstance(stored, dict) and stored.get("encoder") == getattr(encoder, "name", None) \
            and list(stored.get("texts", [])) == voc.paraphrases:
        vecs = np.asarray(stored["vectors"], dtype=np.float32)
        if vecs.shape == (len(voc.paraphrases), int(encoder.dim)) and np.isfinite(vecs).all():
            voc._vecs = vecs
    return voc


def embed_paraphrases(meta: dict, encoder, known: dict[str, np.ndarray] | None = None) -> dict:
    """meta["paraphrase_embeddings"] for a checkpoint: its known sounds' paraphrases encoded once.

    `known` (text -> vector by the same encoder, e.g. the trainer's prompt table) is used instead of
    encoding again when it holds every paraphrase."""
    import torch

    texts = vocabulary_from_meta({k: v for k, v in meta.items() if k != "paraphrase_embeddings"}, encoder).paraphrases
    if known is not None and all(t in known for t in texts):
        vectors = np.stack([np.asarray(known[t], dtype=np.float32) for t in texts])
    else:
        vectors = encoder.encode(texts)
    return {"encoder": encoder.name, "texts": texts, "vectors": torch.from_numpy(vectors)}


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
        self._distinctive = {s for s, cs in owner.items() if len(cs) == 1}  # stems of one class only

    @property
    def paraphrases(self) -> list[str]:
        """Every paraphrase of every known sound, in the order of their embeddings."""
        return [p for _, p in self._flat]

    def _paraphrase_vectors(self) -> np.ndarray:
        if self._vecs is None:
            self._vecs = self.encoder.encode(self.paraphrases)
        return self._vecs

    def _closest(self, prompt: str) -> tuple[np.ndarray, int, float, bool]:
        """(the prompt's embedding [1, D], index of its nearest paraphrase, that similarity, known)."""
        v = self.encoder.encode([prompt])
        sims = self._paraphrase_vectors() @ v[0]
        best = int(np.argmax(sims))
        similarity = float(sims[best])
        lexical = any(s in self._distinctive for s in _stems(prompt))
        return v, best, similarity, similarity >= UNKNOWN_BELOW or lexical

    def is_known(self, prompt: str) -> bool:
        """Whether the model knows a sound like `prompt` (understand(prompt).known, without the routing)."""
        return self._closest(prompt)[3]

    def understand(self, prompt: str) -> Understanding:
        v, best, similarity, known = self._closest(prompt)
        if self.route is None:  # a method that picks one class (NMF): the nearest paraphrase's
            weights = np.zeros(len(self.classes))
            weights[self.classes.index(self._flat[best][0])] = 1.0
        else:
            weights = np.asarray(self.route(v), dtype=np.float64).reshape(-1)
        order = np.argsort(-weights)
        matches = tuple(Match(self.classes[k], float(weights[k]), self.categories[self.classes[k]])
                        for i, k in enumerate(order) if i == 0 or weights[k] >= 0.05)
        return Understanding(prompt, matches[:5], similarity, self._flat[best][1], known)


def cache_dir() -> Path | None:
    """Where TextSep keeps derived data it can always recompute: $TEXTSEP_CACHE_DIR (empty or "off":
    nowhere), else $XDG_CACHE_HOME/textsep, else ~/.cache/textsep."""
    d = os.environ.get("TEXTSEP_CACHE_DIR")
    if d is not None:
        return Path(d) if d.strip() and d.strip().lower() not in ("0", "off", "none") else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "textsep"


class ParaphraseCache:
    """The text encoder as a Vocabulary sees it, with its one big call kept on disk.

    Saying what a prompt is understood as needs the embedding of every paraphrase of every known sound:
    about a second of MiniLM on two cores, the largest part of a CLI run on a short file after importing
    torch. The shipped checkpoint carries them (vocabulary_from_meta); this cache serves the checkpoints
    that do not (model v1, user-trained ones). Those embeddings depend only on the encoder's weights and
    the texts, so the first run stores them (cache_dir(), a .npy of float32, read back without pickle)
    and later runs read them in a millisecond. Small calls (the user's prompt) and encoders other than
    the default MiniLM go straight to the encoder. Any cache problem just means encoding again.
    """

    MIN_BATCH = 16

    def __init__(self, encoder, folder: Path | None = None):
        self._encoder = encoder
        self._folder = folder if folder is not None else cache_dir()

    def __getattr__(self, name):
        return getattr(self._encoder, name)

    def _key(self, texts: list[str]) -> str | None:
        enc = self._encoder
        try:
            from textsep.text.minilm import MiniLMEncoder, model_dir

            if not isinstance(enc, MiniLMEncoder):
                return None
            st = (Path(getattr(enc, "_path", None) or model_dir()) / "model.safetensors").stat()
        except Exception:  # noqa: BLE001 - no identity for the weights: no caching
            return None
        ident = json.dumps([enc.name, int(enc.dim), st.st_size, st.st_mtime_ns, texts])
        return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:24]

    def encode(self, texts) -> np.ndarray:
        texts = [texts] if isinstance(texts, str) else list(texts)
        key = self._key(texts) if self._folder is not None and len(texts) >= self.MIN_BATCH else None
        if key is None:
            return self._encoder.encode(texts)
        path = self._folder / f"paraphrases-{key}.npy"
        try:
            v = np.load(path, allow_pickle=False)
            if v.dtype == np.float32 and v.shape == (len(texts), int(self._encoder.dim)) and np.isfinite(v).all():
                return v
        except (OSError, ValueError, EOFError):
            pass
        v = np.asarray(self._encoder.encode(texts), dtype=np.float32)
        try:
            from textsep import atomic

            self._folder.mkdir(parents=True, exist_ok=True)
            with atomic.atomic_path(path) as tmp, open(tmp, "wb") as f:
                np.save(f, v)
        except OSError:
            pass
        return v
