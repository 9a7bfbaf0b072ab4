"""Evaluation cases: the `cases.csv` format, its reader, and a deterministic case generator.

Format (ARCHITECTURE.md, "Evaluation case format"): a CSV with at least the columns

    case_id,mix,target,prompt,mode,start_s,end_s

`mix` and `target` are audio files (paths relative to the CSV) with the same rate, channel count and
length. The edit is the region [start_s, end_s) with `prompt` and `mode` (keep/remove). Reference inside
the window: `target` for keep, `mix - target` for remove. Outside the window the reference is the mix
itself: a correct edit leaves it bit-identical. Extra columns (label, interferer_label, wording, snr_db,
wrong_prompt, fade_ms, ...) are kept in `Case.extra`; `fade_ms`, when present, sets the region's fade;
`wrong_prompt` (a prompt naming the interferer) enables evaluate's wrong-prompt check.

`make_cases` builds such a set from the VALIDATION split of a corpus (TextSep corpus or ESC-50):
each case mixes a target clip of one class, present only inside a 2-4 s window, with an interferer of
another class spanning the whole 6-8 s mix, at an SNR drawn uniformly from -5..+5 dB. Everything is
drawn from one seeded generator, so the same corpus and seed give byte-identical files.
"""
from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from textsep import atomic
from textsep.data.corpus import SR, Corpus, read_clip
from textsep.edits import DEFAULT_DEPTH_DB, DEFAULT_FADE_MS, MODES, EditError, Region, raised_cosine_ramp
from textsep.errors import InputError

REQUIRED = ("case_id", "mix", "target", "prompt", "mode", "start_s", "end_s")
GENERATED_EXTRA = ("label", "interferer_label", "wording", "snr_db", "wrong_prompt", "target_start_s",
                   "target_end_s", "target_clip", "interferer_clips")
SPEECH_PAIR = ("female_speech", "male_speech")


class CaseError(InputError, ValueError):
    """A case file or case set is invalid; the message is meant for the user."""


@dataclass
class Case:
    case_id: str
    mix: Path
    target: Path
    prompt: str
    mode: str
    start_s: float
    end_s: float
    extra: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.extra.get("label", "")

    @property
    def interferer_label(self) -> str:
        return self.extra.get("interferer_label", "")

    @property
    def wording(self) -> str:
        return self.extra.get("wording", "")

    def _extra_float(self, name: str, default: float) -> float:
        v = self.extra.get(name, "")
        return float(v) if v not in ("", None) else default

    @property
    def fade_ms(self) -> float:
        return self._extra_float("fade_ms", DEFAULT_FADE_MS)

    @property
    def depth_db(self) -> float:
        return self._extra_float("depth_db", DEFAULT_DEPTH_DB)

    def region(self, prompt: str | None = None) -> Region:
        return Region(self.start_s, self.end_s, prompt or self.prompt, self.mode, self.fade_ms,
                      depth_db=self.depth_db)

    def load(self) -> tuple[np.ndarray, np.ndarray, int]:
        """(mix [C, N], target [C, N], sr) as float; checks they match."""
        mix, sr = _read(self.mix, self.case_id)
        target, sr_t = _read(self.target, self.case_id)
        if sr_t != sr:
            raise CaseError(f"case {self.case_id}: mix is {sr} Hz but target is {sr_t} Hz")
        if target.shape != mix.shape:
            raise CaseError(f"case {self.case_id}: mix {mix.shape} and target {target.shape} differ in "
                            "channels or length")
        n = mix.shape[1]
        if self.start_s >= n / sr:
            raise CaseError(f"case {self.case_id}: window {self.start_s:g}-{self.end_s:g} s starts after the "
                            f"end of the mix ({n / sr:.3f} s)")
        if self.end_s > n / sr + 1e-6:
            raise CaseError(f"case {self.case_id}: window {self.start_s:g}-{self.end_s:g} s runs past the "
                            f"end of the mix ({n / sr:.3f} s)")
        return mix, target, sr


def _read(path: Path, case_id: str) -> tuple[np.ndarray, int]:
    try:
        x, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as exc:
        reason = "not found" if not Path(path).exists() else f"unreadable ({exc})"
        raise CaseError(f"case {case_id}: audio file {path} is {reason}") from exc
    if x.shape[0] == 0:
        raise CaseError(f"case {case_id}: audio file {path} is empty")
    return np.ascontiguousarray(x.T), int(sr)


def read_cases(csv_path, *, check_files: bool = True) -> list[Case]:
    """Read and validate cases.csv; paths are resolved relative to the CSV's folder."""
    csv_path = Path(csv_path)
    if not csv_path.is_file():
        raise CaseError(f"Case file not found: {csv_path}")
    base = csv_path.parent
    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise CaseError(f"{csv_path} lacks column(s) {', '.join(missing)} "
                            f"(needs {','.join(REQUIRED)})")
        rows = list(reader)
    if not rows:
        raise CaseError(f"{csv_path} lists no cases")
    cases, seen = [], set()
    for line, row in enumerate(rows, start=2):
        where = f"{csv_path.name} line {line}"
        cid = (row["case_id"] or "").strip()
        if not cid:
            raise CaseError(f"{where}: empty case_id")
        if cid in seen:
            raise CaseError(f"{where}: duplicate case_id {cid!r}")
        seen.add(cid)
        try:
            start, end = float(row["start_s"]), float(row["end_s"])
        except (TypeError, ValueError) as exc:
            raise CaseError(f"{where}: start_s and end_s must be numbers ({exc})") from exc
        mode = (row["mode"] or "").strip()
        if mode not in MODES:
            raise CaseError(f"{where}: mode must be keep or remove, got {mode!r}")
        extra = {k: v for k, v in row.items() if k not in REQUIRED and k is not None}
        case = Case(cid, base / row["mix"], base / row["target"], (row["prompt"] or "").strip(), mode, start,
                    end, extra)
        try:
            case.region()  # validates window, prompt and fade
        except (EditError, ValueError) as exc:
            raise CaseError(f"{where} (case {cid}): {exc}") from exc
        if check_files:
            for kind in ("mix", "target"):
                p = getattr(case, kind)
                if not p.is_file():
                    raise CaseError(f"{where} (case {cid}): {kind} file {p} not found")
        cases.append(case)
    return cases


def write_cases(csv_path, cases: list[Case]) -> Path:
    """Write cases.csv (paths relative to its folder when possible), atomically."""
    csv_path = Path(csv_path)
    base = csv_path.parent.resolve()
    extra_cols: list[str] = []
    for c in cases:
        for k in c.extra:
            if k not in extra_cols:
                extra_cols.append(k)
    with atomic.atomic_path(csv_path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(list(REQUIRED) + extra_cols)
        for c in cases:
            paths = []
            for p in (c.mix, c.target):
                p = Path(p).resolve()
                paths.append(os.path.relpath(p, base) if p.is_relative_to(base) else str(p))
            w.writerow([c.case_id, *paths, c.prompt, c.mode, _fmt(c.start_s), _fmt(c.end_s)]
                       + [c.extra.get(k, "") for k in extra_cols])
    return csv_path


def _fmt(x: float) -> str:
    return f"{x:.9f}".rstrip("0").rstrip(".")


def _rel(p: Path, root: Path) -> str:
    return str(p.relative_to(root)) if p.is_relative_to(root) else str(p)


# ---- generation ---------------------------------------------------------------------------------

def _fill(clips: list[np.ndarray], n: int, rng: np.random.Generator,
          xfade: int) -> tuple[np.ndarray, list[int]]:
    """n samples made of clips laid end to end (random order, random start) with linear crossfades;
    also returns the indices of the clips used, in order."""
    order = rng.permutation(len(clips))
    out = np.zeros(0, dtype=np.float64)
    used: list[int] = []
    k = 0
    first = True
    while len(out) < n:
        used.append(int(order[k % len(order)]))
        c = clips[used[-1]].astype(np.float64)
        k += 1
        if k % len(order) == 0:
            order = rng.permutation(len(clips))
        if first:
            c = c[int(rng.integers(0, max(1, len(c) // 2))):]
            first = False
        if len(out) == 0:
            out = c.copy()
            continue
        f = min(xfade, len(c) // 2, len(out) // 2)
        if f > 0:
            ramp = np.linspace(0.0, 1.0, f + 2)[1:-1]
            out[-f:] = out[-f:] * (1 - ramp) + c[:f] * ramp
        out = np.concatenate([out, c[f:]])
    return out[:n], used


def _loud_crop(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """A random n-sample excerpt among those with at least half the energy of the loudest excerpt."""
    if len(x) <= n:
        return x
    c = np.concatenate([[0.0], np.cumsum(x.astype(np.float64) ** 2)])
    e = c[n:] - c[:-n]
    ok = np.flatnonzero(e >= 0.5 * e.max())
    a = int(ok[rng.integers(0, len(ok))])
    return x[a:a + n]


def _edge_fade(x: np.ndarray, n: int) -> np.ndarray:
    """Raised-cosine fade-in/out of n samples so a cut target clip has no clicks."""
    x = x.astype(np.float64, copy=True)
    n = min(n, len(x) // 2)
    if n > 0:
        ramp = raised_cosine_ramp(n)
        x[:n] *= ramp
        x[-n:] *= ramp[::-1]
    return x


def _plan(corpus: Corpus, n: int, rng: np.random.Generator, gender_pairs: int | None):
    val = corpus.split("val")
    by_label: dict[str, list] = {}
    for c in val:
        by_label.setdefault(c.label, []).append(c)
    labels = sorted(lbl for lbl in by_label if lbl in corpus.prompts)
    if len(labels) < 2:
        raise CaseError(f"The corpus at {corpus.root} has {len(labels)} class(es) with validation clips; "
                        "cases need at least 2 (a target and an interferer class)")
    speech_ok = all(s in by_label for s in SPEECH_PAIR)
    if gender_pairs is None:
        gender_pairs = max(2, round(0.1 * n)) if speech_ok else 0
    if gender_pairs and not speech_ok:
        raise CaseError("gender_pairs > 0 needs validation clips of both female_speech and male_speech")
    gender_pairs = min(gender_pairs, n)
    pairs: list[tuple[str, str]] = []
    for i in range(gender_pairs):
        t = SPEECH_PAIR[i % 2]
        pairs.append((t, SPEECH_PAIR[1 - i % 2]))
    order = list(rng.permutation(labels))
    for i in range(n - gender_pairs):
        t = order[i % len(order)]
        others = [lbl for lbl in labels if lbl != t]
        pairs.append((t, others[int(rng.integers(0, len(others)))]))
    perm = rng.permutation(len(pairs))
    return [pairs[i] for i in perm], by_label


def _make_case(cid: str, i: int, t_label: str, i_label: str, corpus: Corpus, by_label: dict, audio, rng,
               out_dir: Path, mix_s, window_s, snr_db) -> Case:
    """Case number i of make_cases (its audio written under out_dir/audio), drawing from rng in a fixed order."""
    mode = MODES[i % 2]
    unseen = corpus.unseen_prompt(t_label)
    wording = "unseen" if (i // 2) % 2 == 1 and unseen else "seen"
    seen = corpus.train_prompts(t_label)
    prompt = unseen if wording == "unseen" else seen[int(rng.integers(0, len(seen)))]
    # The interferer's class, worded the same way: prompting it should score clearly worse.
    i_seen, i_unseen = corpus.train_prompts(i_label), corpus.unseen_prompt(i_label)
    wrong = i_unseen if wording == "unseen" and i_unseen else i_seen[int(rng.integers(0, len(i_seen)))]

    n_mix = round(rng.uniform(*mix_s) * SR)
    n_win = round(rng.uniform(*window_s) * SR)
    a = int(rng.integers(0, n_mix - n_win + 1))
    t_clips = by_label[t_label]
    t_clip = t_clips[int(rng.integers(0, len(t_clips)))]
    margin = int(0.1 * SR)  # keeps the target clear of the gate's fades at the window edges
    t = _edge_fade(_loud_crop(audio(t_clip), n_win - 2 * margin, rng), int(0.01 * SR))
    t_off = a + margin + int(rng.integers(0, n_win - 2 * margin - len(t) + 1))
    i_clips = by_label[i_label]
    interferer, used_idx = _fill([audio(c) for c in i_clips], n_mix, rng, int(0.05 * SR))
    snr = float(rng.uniform(*snr_db))

    target = np.zeros(n_mix, dtype=np.float64)
    target[t_off:t_off + len(t)] = t
    e_t = float(np.sum(t ** 2))
    e_i = float(np.sum(interferer[t_off:t_off + len(t)] ** 2))
    if e_t <= 0:
        raise CaseError(f"Target clip {t_clip.path} is silent")
    if e_i <= 0:  # interferer silent under the target: measure over the whole mix instead
        e_i = float(np.mean(interferer ** 2)) * len(t)
    if e_i <= 0:
        raise CaseError(f"Interferer clips of {i_label} are silent")
    interferer *= math.sqrt(e_t / e_i) * 10 ** (-snr / 20)
    mix = target + interferer
    scale = 0.9 / max(np.max(np.abs(mix)), 1e-9)
    mix32 = (mix * scale).astype(np.float32)
    target32 = (target * scale).astype(np.float32)
    mix_p, tgt_p = out_dir / "audio" / f"{cid}_mix.wav", out_dir / "audio" / f"{cid}_target.wav"
    sf.write(str(mix_p), mix32, SR, subtype="FLOAT")
    sf.write(str(tgt_p), target32, SR, subtype="FLOAT")
    used = list(dict.fromkeys(_rel(i_clips[j].path, corpus.root) for j in used_idx))
    return Case(cid, mix_p, tgt_p, prompt, mode, a / SR, (a + n_win) / SR, {
        "label": t_label, "interferer_label": i_label, "wording": wording, "snr_db": f"{snr:.2f}",
        "wrong_prompt": wrong, "target_start_s": _fmt(t_off / SR),
        "target_end_s": _fmt((t_off + len(t)) / SR), "target_clip": _rel(t_clip.path, corpus.root),
        "interferer_clips": "|".join(used)})


def make_cases(corpus: Corpus, out_dir, n: int = 200, seed: int = 0, *, mix_s=(6.0, 8.0), window_s=(2.0, 4.0),
               snr_db=(-5.0, 5.0), gender_pairs: int | None = None, overwrite: bool = False) -> list[Case]:
    """Write n deterministic cases (WAV, 32-bit float, 16 kHz mono) and out_dir/cases.csv; return them.

    * Pairs: target class round-robin over the validation classes (a random order), interferer class drawn
      from the others; plus `gender_pairs` female_speech/male_speech cases (alternately female target with
      a male interferer and the reverse; default max(2, 10 % of n) when both classes have val clips).
      Classes without validation clips are skipped.
    * Mix length uniform in `mix_s`; window length uniform in `window_s` at a random place. The target
      clip (a loud excerpt if longer than the window, with 10 ms edge fades) sits inside the window, at
      least 0.1 s from its edges when it fits; it is zero outside the window. The interferer (clips of
      its class laid end to end with 50 ms crossfades) spans the whole mix.
    * SNR uniform in `snr_db`, measured over the samples where the target clip lies (target_start_s to
      target_end_s): 10 log10(sum t^2 / sum i^2) on that span. The mix is scaled (with the target) to a
      peak of 0.9.
    * Mode alternates keep/remove over the (shuffled) list; wording alternates every two cases between
      "seen" (a random paraphrase from corpus.train_prompts) and "unseen" (corpus.unseen_prompt; "seen"
      when the class has no held-out paraphrase).
    * wrong_prompt: a paraphrase of the INTERFERER's class (same seen/unseen kind), for the check that
      prompting the other source scores clearly worse.
    Extra columns: label, interferer_label, wording, snr_db, wrong_prompt, target_start_s, target_end_s,
    target_clip, interferer_clips.
    """
    if n < 1:
        raise CaseError("n must be at least 1")
    lo_w, hi_w = window_s
    if not 0 < lo_w <= hi_w < mix_s[0]:
        raise CaseError(f"window_s {window_s} must be positive and shorter than the mix {mix_s}")
    out_dir = Path(out_dir)
    csv_path = out_dir / "cases.csv"
    if csv_path.exists() and not overwrite:
        raise CaseError(f"{csv_path} already exists; choose another folder, evaluate it with --cases, or "
                        "replace it (--overwrite / overwrite=True)")
    (out_dir / "audio").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    pairs, by_label = _plan(corpus, n, rng, gender_pairs)
    cache: dict[Path, np.ndarray] = {}

    def audio(clip) -> np.ndarray:
        if clip.path not in cache:
            cache[clip.path] = read_clip(clip)
        return cache[clip.path]

    width = max(3, len(str(n - 1)))
    cases = [_make_case(f"case{i:0{width}d}", i, t_label, i_label, corpus, by_label, audio, rng, out_dir,
                        mix_s, window_s, snr_db)
             for i, (t_label, i_label) in enumerate(pairs)]
    write_cases(csv_path, cases)
    return read_cases(csv_path)
