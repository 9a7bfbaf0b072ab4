"""ESC-50 (Piczak 2015) as a TextSep Corpus.

Layout of the real dataset (github.com/karolpiczak/ESC-50):

    <root>/meta/esc50.csv   filename,fold,target,category,esc10,src_file,take
    <root>/audio/<filename> 5 s, 44.1 kHz, mono WAV; 2000 clips, 50 classes, 5 folds

`load_esc50` returns a `textsep.data.corpus.Corpus` whose clips are `Clip` objects, so the training and
evaluation code treat ESC-50 and the TextSep corpus alike (`read_clip` resamples to 16 kHz):

* label    = the ESC-50 category ("dog", "chirping_birds", ...)
* group    = src_file (the Freesound recording the clip was cut from). ESC-50 keeps all clips of one
             recording in one fold; `check_splits` verifies that no recording spans train and val.
* split    = "train" for clips in `train_folds`, "val" for `val_folds`; other folds are left out.
* prompts  = the category name with "_" -> " " first, then a few paraphrases built from a natural noun
             phrase for the class ("a dog barking"): "the sound of ...", and last "a recording of ...",
             which `Corpus.unseen_prompt` holds out of training.
* categories = ESC-50's five major groups (target // 10), named like the TextSep corpus categories.

ESC-50 is licensed CC BY-NC 3.0 (its clips come from Freesound); the licence field says so.
"""
from __future__ import annotations

import csv
from pathlib import Path

import soundfile as sf

from textsep.data.corpus import Clip, Corpus, DatasetError, check_splits

META = Path("meta") / "esc50.csv"
COLUMNS = ("filename", "fold", "target", "category", "esc10", "src_file", "take")
FOLDS = (1, 2, 3, 4, 5)
LICENSE = "CC BY-NC 3.0 (ESC-50, Freesound clips)"
# ESC-50 orders its 50 targets in five blocks of ten.
MAJOR_CATEGORIES = ("animal", "nature", "human", "domestic", "urban")

# A natural noun phrase per ESC-50 class, used to build paraphrases ("the sound of a dog barking").
NOUN_PHRASES = {
    "dog": "a dog barking", "rooster": "a rooster crowing", "pig": "a pig oinking", "cow": "a cow mooing",
    "frog": "a frog croaking", "cat": "a cat meowing", "hen": "a hen clucking", "insects": "insects buzzing",
    "sheep": "a sheep bleating", "crow": "a crow cawing",
    "rain": "rain falling", "sea_waves": "ocean waves", "crackling_fire": "a crackling fire",
    "crickets": "crickets chirping", "chirping_birds": "birds chirping", "water_drops": "water dripping",
    "wind": "wind blowing", "pouring_water": "water being poured", "toilet_flush": "a toilet flushing",
    "thunderstorm": "a thunderstorm",
    "crying_baby": "a baby crying", "sneezing": "someone sneezing", "clapping": "hands clapping",
    "breathing": "someone breathing", "coughing": "someone coughing", "footsteps": "footsteps",
    "laughing": "someone laughing", "brushing_teeth": "someone brushing their teeth",
    "snoring": "someone snoring", "drinking_sipping": "someone sipping a drink",
    "door_wood_knock": "knocking on a wooden door", "mouse_click": "a computer mouse clicking",
    "keyboard_typing": "typing on a keyboard", "door_wood_creaks": "a wooden door creaking",
    "can_opening": "a can being opened", "washing_machine": "a washing machine running",
    "vacuum_cleaner": "a vacuum cleaner", "clock_alarm": "an alarm clock ringing",
    "clock_tick": "a clock ticking", "glass_breaking": "glass breaking",
    "helicopter": "a helicopter flying", "chainsaw": "a chainsaw", "siren": "a siren wailing",
    "car_horn": "a car horn honking", "engine": "an engine running", "train": "a train passing",
    "church_bells": "church bells ringing", "airplane": "an airplane flying over",
    "fireworks": "fireworks exploding", "hand_saw": "a hand saw cutting wood",
}


def category_prompts(category: str) -> list[str]:
    """Paraphrases for an ESC-50 category; the first is the plain name, the last is held out of training."""
    name = " ".join(category.replace("_", " ").split())
    phrase = NOUN_PHRASES.get(category, name)
    prompts = [name, phrase, f"the sound of {phrase}", f"a recording of {phrase}"]
    out: list[str] = []
    for p in prompts:
        if p not in out:
            out.append(p)
    return out


def _folds(value, what: str) -> tuple[int, ...]:
    if isinstance(value, int):
        value = (value,)
    try:
        folds = tuple(sorted({int(v) for v in value}))
    except (TypeError, ValueError) as exc:
        raise DatasetError(f"{what} must be fold numbers 1-5, got {value!r}") from exc
    bad = [f for f in folds if f not in FOLDS]
    if bad:
        raise DatasetError(f"{what}: ESC-50 has folds 1-5, not {', '.join(map(str, bad))}")
    return folds


def load_esc50(root, train_folds=(1, 2, 3, 4), val_folds=(5,), *, probe: bool = True) -> Corpus:
    """Load ESC-50 from `root` as a Corpus (see the module docstring).

    probe=True reads each selected file's header (duration, sample rate) and fails clearly on a missing
    or unreadable file; probe=False trusts the metadata (5 s, 44.1 kHz) and only checks existence.
    """
    root = Path(root)
    meta = root / META
    if not meta.is_file():
        hint = ""
        if root.is_dir():  # the usual slip: pointing at the folder the archive was unpacked into
            inner = sorted(d for d in root.iterdir() if d.is_dir() and (d / META).is_file())
            if inner:
                hint = f" (did you mean {inner[0]}?)"
        raise DatasetError(f"{root} is not an ESC-50 folder: {META} not found{hint}")
    if not (root / "audio").is_dir():
        raise DatasetError(f"{root} is not an ESC-50 folder: no audio/ directory beside meta/")
    train, val = _folds(train_folds, "train_folds"), _folds(val_folds, "val_folds")
    if not train and not val:
        raise DatasetError("Select at least one fold (train_folds and val_folds are both empty)")
    overlap = set(train) & set(val)
    if overlap:
        folds = ", ".join(map(str, sorted(overlap)))
        raise DatasetError(f"Fold(s) {folds} are in both train_folds and val_folds")

    with open(meta, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DatasetError(f"{meta} lacks column(s) {', '.join(missing)}; "
                               "is this the ESC-50 metadata file?")
        rows = list(reader)
    if not rows:
        raise DatasetError(f"{meta} lists no clips")

    clips: list[Clip] = []
    prompts: dict[str, list[str]] = {}
    categories: dict[str, str] = {}
    for i, row in enumerate(rows, start=2):
        try:
            fold, target = int(row["fold"]), int(row["target"])
        except ValueError as exc:
            raise DatasetError(f"{meta} line {i}: fold and target must be integers ({exc})") from exc
        label = row["category"].strip()
        if not label:
            raise DatasetError(f"{meta} line {i}: empty category")
        if label not in prompts:
            prompts[label] = category_prompts(label)
            categories[label] = MAJOR_CATEGORIES[target // 10] if 0 <= target < 50 else ""
        split = "train" if fold in train else "val" if fold in val else None
        if split is None:
            continue
        path = root / "audio" / row["filename"]
        if probe:
            try:
                info = sf.info(str(path))
            except Exception as exc:
                reason = "not found" if not path.exists() else f"unreadable ({exc})"
                raise DatasetError(f"ESC-50 clip {path} listed in {meta} is {reason}") from exc
            duration, sr = info.frames / info.samplerate, int(info.samplerate)
        else:
            if not path.is_file():
                raise DatasetError(f"ESC-50 clip {path} listed in {meta} is not found")
            duration, sr = 5.0, 44100
        clips.append(Clip(path, label, row["src_file"].strip() or row["filename"], split, duration, sr,
                          sr / 2, LICENSE))
    check_splits(clips)
    return Corpus(root, clips, prompts, categories)


def is_esc50(root) -> bool:
    return (Path(root) / META).is_file()
