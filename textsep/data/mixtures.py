"""On-the-fly training mixtures: a target clip of one class plus interferers of other classes.

Everything a step needs is generated in memory from clips preloaded once: random crops biased towards
the active part of each clip, random placement, SNR uniform in [-5, 5] dB, random band-limiting (some
classes only exist as 8-11 kHz recordings, so bandwidth must not give the class away), random gain,
and a prompt drawn from the class's training paraphrases. Sampling is class-balanced. Optional
augmentations (MixConfig.p_speed, p_eq, p_reverb) change each source's speed, colour or room, and p_layer
layers two clips of the target's class, so that a class known from a few recordings is not learnt as those
recordings. p_absent draws examples whose prompt names a sound that is not in the mixture at all.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from textsep.data.corpus import SR, Clip, Corpus, read_clip
from textsep.edits import raised_cosine_ramp

FRAME = 320  # 20 ms activity frames
SPEED_RANGE = (0.92, 1.08)  # speed factors of --speed-aug by default, and always for the voices of `pairs`


@dataclass
class MixConfig:
    seconds: float = 4.0
    snr_db: tuple = (-5.0, 5.0)
    p_two_interferers: float = 0.3
    p_bandlimit: float = 0.3
    bandlimit_hz: tuple = (3800.0, 5500.0)
    gain_db: tuple = (-12.0, 0.0)
    p_active_crop: float = 0.9  # crops favour loud frames of the target (otherwise uniform)
    p_speed: float = 0.0  # small speed (pitch+time) changes of sources
    p_eq: float = 0.0  # a random smooth EQ curve (+-eq_db) per source: recordings differ in colour, not class
    eq_db: float = 6.0
    # a synthetic room per source (decaying noise tail, RT60 0.1-0.8 s, direct-to-reverberant 0-15 dB): a class
    # heard in a few recordings is also heard in their rooms; this keeps the room from naming the class
    p_reverb: float = 0.0
    # speed factors drawn for p_speed, (low, high); sources holding a class of `pairs` (voices told apart by
    # pitch) keep the narrow default, so a wide range never makes a male voice sound female
    speed_range: tuple = SPEED_RANGE
    # a second clip of the target's class layered under the target (-6..0 dB below it): a class is
    # whatever its recordings have in common, not one recording's texture
    p_layer: float = 0.0
    # the prompt names a class that is not in the mixture (the target is silence): a batch edit over a folder
    # asks for a sound many files lack, and removing it there must leave them as they are
    p_absent: float = 0.0
    p_fill: float = 0.0  # interferer made of clips laid end to end so it spans the whole mixture
    p_event: float = 0.0  # target cut to a short event (0.4 s .. 70 % of the mixture) with silence around it
    # Classes that are easy to confuse, e.g. (("female_speech", "male_speech"),): with probability p_pair an
    # example is drawn from one pair, target one class and interferer the other, so the model must learn
    # what tells them apart (pitch, for voices) rather than meeting the pair in 1 of ~700 draws.
    pairs: tuple = ()
    p_pair: float = 0.0
    # where the SNR is measured: "mix" over the whole example (earlier runs), or "target" over the span where
    # the target sounds, as the evaluation cases and a listener do: over the whole mix an event of 1 s in 4 s
    # would count 6 dB quieter than it sounds, so events would be learnt at SNRs well above snr_db
    snr_over: str = "mix"
    # (min, max) interferer count drawn uniformly; None keeps the p_two_interferers rule (1 or 2)
    interferers: tuple | None = None
    # how target classes are drawn: "balanced" (each class equally) or "sqrt" (in proportion to the square
    # root of its training seconds: large classes such as speech are seen more, small ones still often)
    class_weighting: str = "balanced"
    # clips drawn per group (recording / speaker) first, so one long recording or talkative speaker does
    # not dominate its class and small classes are not learnt from one recording's clips alone
    by_group: bool = False

    @property
    def length(self) -> int:
        return int(self.seconds * SR)


class ClipBank:
    """Preloaded clips of one split with per-frame activity, grouped by label."""

    def __init__(self, clips: list[Clip], labels: list[str] | None = None):
        self.labels = sorted({c.label for c in clips} if labels is None else set(labels) & {c.label for c in clips})
        self.audio: dict[str, list[np.ndarray]] = {lab: [] for lab in self.labels}
        self.activity: dict[str, list[np.ndarray]] = {lab: [] for lab in self.labels}
        self.groups: dict[str, list[str]] = {lab: [] for lab in self.labels}  # group of each clip
        self.by_group = False
        for c in clips:
            if c.label not in self.audio:
                continue
            x = read_clip(c).astype(np.float32)
            self.audio[c.label].append(x)
            self.groups[c.label].append(c.group)
            e = np.sqrt(frame_power(x) + 1e-12) if len(x) >= FRAME else np.ones(1)
            self.activity[c.label].append((e / e.max()).astype(np.float32))
        self.labels = [lab for lab in self.labels if self.audio[lab]]

    def seconds(self, label: str) -> float:
        return sum(len(x) for x in self.audio[label]) / SR

    def pick(self, rng: np.random.Generator, label: str) -> int:
        """Index of a random clip of `label`: uniform over clips, or over groups first when by_group."""
        if not self.by_group:
            return int(rng.integers(len(self.audio[label])))
        groups = self.groups[label]
        names = sorted(set(groups))
        g = names[rng.integers(len(names))]
        members = [k for k, name in enumerate(groups) if name == g]
        return members[rng.integers(len(members))]

    def fill(self, rng: np.random.Generator, label: str, length: int, xfade: int = 800) -> np.ndarray:
        """`length` samples of `label` made of random clips laid end to end with short crossfades."""
        out = np.zeros(0, dtype=np.float32)
        clips = self.audio[label]
        while len(out) < length:
            c = clips[self.pick(rng, label)]
            if not len(out):
                out = c[rng.integers(0, max(1, len(c) // 2)):].copy()
                continue
            f = min(xfade, len(c) // 2, len(out) // 2)
            ramp = np.linspace(0, 1, f + 2, dtype=np.float32)[1:-1]
            out[len(out) - f:] = out[len(out) - f:] * (1 - ramp) + c[:f] * ramp
            out = np.concatenate([out, c[f:]])
        return out[:length]

    def crop(self, rng: np.random.Generator, label: str, length: int, active: bool) -> np.ndarray:
        """A `length`-sample excerpt of a random clip of `label`, placed at a random offset."""
        i = self.pick(rng, label)
        x, act = self.audio[label][i], self.activity[label][i]
        out = np.zeros(length, dtype=np.float32)
        if len(x) > length:
            max_start = len(x) - length
            if active:
                # choose a frame with probability ~ its energy, then centre-ish the crop on it
                p = act ** 2
                f = rng.choice(len(p), p=p / p.sum())
                start = int(np.clip(f * FRAME - rng.integers(0, length), 0, max_start))
            else:
                start = int(rng.integers(0, max_start + 1))
            out[:] = x[start: start + length]
        else:
            off = int(rng.integers(0, length - len(x) + 1))
            out[off: off + len(x)] = x
        return out


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2) + 1e-12))


def frame_power(x: np.ndarray) -> np.ndarray:
    """Mean square of each whole 20 ms frame of x (in x's dtype); one frame of all of x when shorter."""
    n = len(x) // FRAME
    if n == 0:
        return np.mean(x ** 2, keepdims=True)
    return np.mean(x[: n * FRAME].reshape(n, FRAME) ** 2, axis=1)


def target_span(x: np.ndarray, floor_db: float = -40.0) -> slice:
    """From the first to the last 20 ms frame of x within floor_db of its loudest frame: where it sounds."""
    e = frame_power(x.astype(np.float64))
    on = np.flatnonzero(e >= e.max() * 10 ** (floor_db / 10)) if e.max() > 0 else np.arange(len(e))
    end = len(x) if on[-1] == len(e) - 1 else (on[-1] + 1) * FRAME
    return slice(int(on[0]) * FRAME, end)


def _lowpass(x: np.ndarray, cutoff: float) -> np.ndarray:
    X = np.fft.rfft(x)
    X[int(cutoff / (SR / 2) * (len(X) - 1)):] = 0
    return np.fft.irfft(X, n=len(x)).astype(np.float32)


def _event(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Keep one faded excerpt of x (the loudest-ish part) at a random place; silence elsewhere.

    Teaches the model that a region is mostly *not* the target: in real edits the described sound fills
    only part of the window and its context, and everything else must pass (keep) or stay (remove).
    """
    L = len(x)
    n = int(rng.uniform(0.4 * SR, 0.7 * L))
    c = np.concatenate([[0.0], np.cumsum(x.astype(np.float64) ** 2)])
    e = c[n:] - c[:-n]
    ok = np.flatnonzero(e >= 0.5 * e.max())
    a = int(ok[rng.integers(len(ok))])
    seg = x[a:a + n].copy()
    f = min(160, n // 2)
    ramp = raised_cosine_ramp(f)
    seg[:f] *= ramp
    seg[n - f:] *= ramp[::-1]
    out = np.zeros_like(x)
    b = int(rng.integers(0, L - n + 1))
    out[b:b + n] = seg
    return out


def _speed(x: np.ndarray, factor: float) -> np.ndarray:
    """Resample-based speed change (pitch and time together), cropped/padded back to len(x)."""
    import soxr

    y = soxr.resample(x, SR, SR / factor, quality="QQ")
    out = np.zeros_like(x)
    n = min(len(x), len(y))
    out[:n] = y[:n]
    return out


def _eq(x: np.ndarray, rng: np.random.Generator, max_db: float = 6.0, knots: int = 6) -> np.ndarray:
    """Multiply the spectrum by a smooth random gain curve (linear in log-frequency between knots)."""
    X = np.fft.rfft(x)
    f = np.maximum(np.arange(len(X)) * SR / (2 * (len(X) - 1)), 30.0)
    kf = np.geomspace(30.0, SR / 2, knots)
    gain_db = np.interp(np.log(f), np.log(kf), rng.uniform(-max_db, max_db, knots))
    return np.fft.irfft(X * 10 ** (gain_db / 20), n=len(x)).astype(np.float32)


def _reverb(x: np.ndarray, rng: np.random.Generator, rt60=(0.1, 0.8), drr_db=(0.0, 15.0)) -> np.ndarray:
    """x in a synthetic room: the dry path plus an exponentially decaying noise tail whose highs die out
    faster (as in real rooms), its energy drr_db below the direct path; cropped back to len(x)."""
    rt = rng.uniform(*rt60)
    n = max(2, int(rt * SR))
    t = np.arange(n) / SR
    tail = rng.standard_normal(n) * np.exp(-6.91 * t / rt)  # -60 dB after rt seconds
    # highs die out sooner, as in real rooms: the tail turns from white to low-passed (8-tap mean) with a
    # time constant of a third of the RT60
    k = np.ones(8) / 8
    smooth = np.convolve(tail, k, mode="same")
    w = np.exp(-t / (rt / 3))
    tail = w * tail + (1 - w) * smooth
    tail[: int(0.002 * SR)] = 0  # the first reflection arrives after the direct sound
    tail *= 10 ** (-rng.uniform(*drr_db) / 20) / max(np.sqrt(np.sum(tail ** 2)), 1e-12)
    h = np.concatenate([[1.0], tail[1:]])
    m = 1 << (len(x) + n - 2).bit_length()  # a power of two: 10x faster than numpy's FFT at len(x) + n - 1
    return np.fft.irfft(np.fft.rfft(x, m) * np.fft.rfft(h, m), m)[: len(x)].astype(np.float32)


class MixtureSampler:
    """Draws (mixture, target, interference, label, prompt) examples; deterministic per seed."""

    def __init__(self, bank: ClipBank, corpus: Corpus, cfg: MixConfig = MixConfig(), seed: int = 0,
                 prompts: str = "train"):
        self.bank, self.corpus, self.cfg = bank, corpus, cfg
        self.rng = np.random.default_rng(seed)
        self.prompts = prompts  # "train" paraphrases, "unseen" held-out one, or "all"
        self.pairs = [p for p in cfg.pairs if all(c in bank.audio for c in p)]  # pairs this bank can draw
        self.paired = {c for pair in cfg.pairs for c in pair}  # told apart by pitch: narrow speed changes
        bank.by_group = cfg.by_group
        if cfg.class_weighting == "sqrt":
            w = np.sqrt([bank.seconds(lab) for lab in bank.labels])
            self.class_p = w / w.sum()
        elif cfg.class_weighting == "balanced":
            self.class_p = None
        else:
            raise ValueError(f"class_weighting must be 'balanced' or 'sqrt', not {cfg.class_weighting!r}")
        if cfg.snr_over not in ("mix", "target"):
            raise ValueError(f"snr_over must be 'mix' or 'target', not {cfg.snr_over!r}")

    def prompt_for(self, label: str) -> str:
        if self.prompts == "train":
            options = self.corpus.train_prompts(label)
        elif self.prompts == "unseen":
            options = [self.corpus.unseen_prompt(label) or self.corpus.prompts[label][0]]
        else:
            options = self.corpus.prompts[label]
        return options[self.rng.integers(len(options))]

    def example(self, label: str | None = None):
        cfg, rng, bank = self.cfg, self.rng, self.bank
        L = cfg.length
        partner = None
        if label is None and self.pairs and rng.random() < cfg.p_pair:
            label, partner = (self.pairs[rng.integers(len(self.pairs))])[:: 1 if rng.random() < 0.5 else -1]
        if label is None:
            label = bank.labels[rng.integers(len(bank.labels)) if self.class_p is None
                                else rng.choice(len(bank.labels), p=self.class_p)]
        if cfg.p_absent > 0 and rng.random() < cfg.p_absent:  # no random draw at all when off
            target = np.zeros(L, dtype=np.float32)  # stays silent through every step below
        else:
            target = bank.crop(rng, label, L, rng.random() < cfg.p_active_crop)
            if cfg.p_layer > 0 and rng.random() < cfg.p_layer:  # no random draw at all when off
                extra = bank.crop(rng, label, L, rng.random() < cfg.p_active_crop)
                level = 10 ** (rng.uniform(-6, 0) / 20) * _rms(target) / _rms(extra)
                target = target + extra * np.float32(level)
            if rng.random() < cfg.p_event:
                target = _event(target, rng)
        others = [lab for lab in bank.labels if lab not in (label, partner)]
        if cfg.interferers is None:
            n_int = 2 if rng.random() < cfg.p_two_interferers else 1
        else:
            n_int = min(int(rng.integers(cfg.interferers[0], cfg.interferers[1] + 1)), len(others))
        inter = np.zeros(L, dtype=np.float32)
        chosen = list(rng.choice(others, size=n_int, replace=False))
        if partner is not None:
            chosen[0] = partner
        for lab in chosen:
            if rng.random() < cfg.p_fill:
                s = bank.fill(rng, lab, L)
            else:
                s = bank.crop(rng, lab, L, rng.random() < cfg.p_active_crop)
            inter += s * (10 ** (rng.uniform(-6, 0) / 20) / _rms(s))
        speeds = [cfg.speed_range if self.paired.isdisjoint(labels) else SPEED_RANGE
                  for labels in ([label], chosen)]
        for p, augment in ((cfg.p_speed, lambda s, k: _speed(s, rng.uniform(*speeds[k]))),
                           (cfg.p_eq, lambda s, k: _eq(s, rng, cfg.eq_db)),
                           (cfg.p_reverb, lambda s, k: _reverb(s, rng))):
            if p > 0:  # each source independently; no random draw at all when the augmentation is off
                target = augment(target, 0) if rng.random() < p else target
                inter = augment(inter, 1) if rng.random() < p else inter
        for sig in (target, inter):
            if rng.random() < cfg.p_bandlimit:
                sig[:] = _lowpass(sig, rng.uniform(*cfg.bandlimit_hz))
        snr = rng.uniform(*cfg.snr_db)
        span = slice(None)
        if cfg.snr_over == "target":
            span = target_span(target)
            if _rms(inter[span]) < 0.1 * _rms(inter):  # interferer (nearly) absent under the target: whole mix
                span = slice(None)
        target = target / _rms(target[span])
        inter = inter / _rms(inter[span]) * 10 ** (-snr / 20)
        gain = 10 ** (rng.uniform(*cfg.gain_db) / 20)
        peak = max(np.abs(target + inter).max(), 1e-6)
        scale = gain * 0.9 / peak
        return target * scale, inter * scale, label, self.prompt_for(label)

    def batch(self, n: int, labels=None):
        """Tensors target [n, L], interference [n, L], plus labels and prompts."""
        items = [self.example(None if labels is None else labels[i]) for i in range(n)]
        t = torch.from_numpy(np.stack([it[0] for it in items]))
        i = torch.from_numpy(np.stack([it[1] for it in items]))
        return t, i, [it[2] for it in items], [it[3] for it in items]
