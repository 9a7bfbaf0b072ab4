"""The labelled corpus (manifest.csv + classes.csv + audio/<label>/*.flac, 16 kHz mono).

Splits come from the manifest and are made by group; `check_splits` verifies that no group appears in
two splits. The last paraphrase of each class is held out of training ("unseen wording") so that
evaluation can tell seen from unseen prompts.
"""
from __future__ import annotations

import csv
import dataclasses
import math
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from textsep.errors import InputError

SR = 16000


@dataclass
class Clip:
    path: Path
    label: str
    group: str
    split: str
    duration_s: float
    orig_sr: int
    bandwidth_hz: float
    license: str = ""


@dataclass
class Corpus:
    root: Path
    clips: list[Clip]
    prompts: dict[str, list[str]]  # label -> paraphrases (first = canonical)
    categories: dict[str, str] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return sorted(self.prompts)

    def split(self, name: str) -> list[Clip]:
        return [c for c in self.clips if c.split == name]

    def train_prompts(self, label: str) -> list[str]:
        """Paraphrases used in training: all but the held-out last one (when a class has 2+)."""
        p = self.prompts[label]
        return p[:-1] if len(p) > 1 else p

    def unseen_prompt(self, label: str) -> str | None:
        p = self.prompts[label]
        return p[-1] if len(p) > 1 else None


class DatasetError(InputError):
    """A dataset folder does not have the expected layout; the message is meant for the user."""


def load_corpus(root) -> Corpus:
    root = Path(root)
    man, cls = root / "manifest.csv", root / "classes.csv"
    if not man.is_file() or not cls.is_file():
        raise DatasetError(f"{root} is not a TextSep corpus (needs manifest.csv and classes.csv)")
    prompts, cats = {}, {}
    with open(cls, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            prompts[row["label"]] = [p.strip() for p in row["prompts"].split("|") if p.strip()]
            cats[row["label"]] = row.get("category", "")
    clips = []
    with open(man, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["label"] not in prompts:
                prompts[row["label"]] = [row["label"].replace("_", " ")]
            clips.append(Clip(root / row["path"], row["label"], row["group"], row["split"],
                              float(row["duration_s"]), int(float(row["orig_sr"])),
                              float(row.get("bandwidth_hz") or row["orig_sr"]) if row.get("bandwidth_hz")
                              else float(row["orig_sr"]) / 2, row.get("license", "")))
    check_splits(clips)
    return Corpus(root, clips, prompts, cats)


def move_val_groups(corpus: Corpus, fraction: float, seed: int = 0) -> Corpus:
    """The corpus with `fraction` of each class's validation recordings (groups) moved into training.

    Why: most classes have two to five recordings, and the model fits its training recordings barely
    better than new ones (model card), so more recordings per class is the lever; the validation split holds
    15 % of them. Moving half of each class's validation groups lets the other half measure what the
    added recordings are worth (`textsep train` and `textsep evaluate --make-cases` take the same
    --val-to-train, so both see the same split); 1.0 is the final fit of a released model, which then has
    no validation recordings of its own. Per class, floor(fraction x groups) groups move, chosen by a
    generator seeded by (seed, label): a class's choice does not depend on the others.
    """
    if not 0.0 <= fraction <= 1.0:
        raise InputError(f"the fraction of validation groups moved to training must be in [0, 1], not {fraction}")
    if fraction == 0.0:
        return corpus
    groups: dict[str, set[str]] = {}
    for c in corpus.split("val"):
        groups.setdefault(c.label, set()).add(c.group)
    moved = set()
    for label, gs in groups.items():
        rng = np.random.default_rng([seed, zlib.crc32(label.encode())])
        n = math.floor(fraction * len(gs) + 1e-9)
        moved |= {(label, g) for g in rng.permutation(sorted(gs))[:n]}
    clips = [dataclasses.replace(c, split="train") if (c.label, c.group) in moved else c for c in corpus.clips]
    return dataclasses.replace(corpus, clips=clips)


def check_splits(clips) -> None:
    seen: dict[str, str] = {}
    for c in clips:
        key = f"{c.label}/{c.group}"
        if seen.setdefault(key, c.split) != c.split:
            raise DatasetError(f"group {key} appears in both {seen[key]} and {c.split} splits")


def read_clip(clip: Clip) -> np.ndarray:
    x, sr = sf.read(str(clip.path), dtype="float32", always_2d=True)
    if sr != SR:
        from textsep.audio import resample

        return resample(x.mean(axis=1), sr, SR)
    return x.mean(axis=1)
