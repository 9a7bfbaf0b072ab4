"""NMF baseline: per-class spectral dictionaries, the target chosen by the prompt.

Each class gets a small dictionary W_c of magnitude-spectrum atoms learned from its training clips
(KL-divergence NMF). The prompt picks the target class through the text encoder's similarity to each
class's prompts. To separate, the target's dictionary is held fixed and the activations are fitted to
the mixture together with a background: by default a few free atoms learned on the mixture itself
(semi-supervised NMF), or every other class's fixed dictionary (fully supervised; measured worse, see
NMFEstimator). The keep-mask is the target's share of the model, W_t H_t / (W_t H_t + background), a
Wiener-like ratio on the 16 kHz STFT grid (n_fft 1024, hop 256) -- the same MaskEstimator interface as
the UNet, so it runs through the same Separator, regions and gates.

It is a baseline: it knows only the classes it was fitted on and has no notion of context.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from textsep import atomic
from textsep.errors import ModelError

SR = 16000
N_FFT = 1024
HOP = 256
FORMAT = "textsep-nmf"
VERSION = 1
EPS = 1e-9
DEFAULT_FILE = "nmf_dictionaries.npz"


class NMFError(ModelError):
    """The NMF dictionaries cannot be fitted, loaded or used; the message is meant for the user."""


def magnitude(mono16: np.ndarray):
    """|STFT| [513, T] of 16 kHz mono audio on the model's grid (centred Hann frames, as the UNet)."""
    import torch

    from textsep.spectral import stft

    x = torch.from_numpy(np.ascontiguousarray(mono16, dtype=np.float32))
    if x.shape[0] < N_FFT:
        x = torch.nn.functional.pad(x, (0, N_FFT - x.shape[0]))
    return stft(x, N_FFT, HOP).abs()


def _normalise_columns(W, H=None):
    """Scale W's columns to sum 1 (and H's rows inversely, so W H is unchanged)."""
    s = W.sum(0).clamp_min(EPS)
    W = W / s
    if H is not None:
        H = H * s[:, None]
    return W, H


def kl_nmf(V, n_components: int, n_iter: int = 150, seed: int = 0):
    """Learn W [F, k] (columns summing to 1) and H [k, T] minimising KL(V || W H), multiplicative updates."""
    import torch

    g = torch.Generator().manual_seed(seed)
    F_, T = V.shape
    W = torch.rand(F_, n_components, generator=g) + 0.1
    H = torch.rand(n_components, T, generator=g) + 0.1
    W, H = _normalise_columns(W, H)
    H = H * (V.sum() / (W @ H).sum().clamp_min(EPS))
    for _ in range(n_iter):
        R = V / (W @ H + EPS)
        H = H * (W.t() @ R) / W.sum(0)[:, None].clamp_min(EPS)
        R = V / (W @ H + EPS)
        W = W * (R @ H.t()) / H.sum(1)[None, :].clamp_min(EPS)
        W, H = _normalise_columns(W, H)
    return W, H


def fit_activations(V, W, n_iter: int = 60):
    """H >= 0 minimising KL(V || W H) for a fixed W whose columns sum to 1 (so W^T 1 = 1)."""
    n_atoms = W.shape[1]
    H = (V.sum(0, keepdim=True) / n_atoms).expand(n_atoms, -1).clone() + EPS
    Wt = W.t().contiguous()
    for _ in range(n_iter):
        H = H * (Wt @ (V / (W @ H + EPS)))
    return H


@dataclass
class NMFDictionaries:
    """Stacked class dictionaries: W [513, n_atoms], the class index of each atom, and each class's prompts."""

    labels: list[str]
    prompts: dict[str, list[str]]
    W: np.ndarray
    atom_class: np.ndarray
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self.W = np.asarray(self.W, dtype=np.float32)
        self.atom_class = np.asarray(self.atom_class, dtype=np.int64)
        if self.W.ndim != 2 or self.W.shape[0] != N_FFT // 2 + 1:
            raise NMFError(f"NMF dictionaries must have {N_FFT // 2 + 1} frequency rows, got shape {self.W.shape}")
        if self.atom_class.shape != (self.W.shape[1],):
            raise NMFError("NMF dictionaries: one class index per atom is required")
        if not self.labels or set(np.unique(self.atom_class)) != set(range(len(self.labels))):
            raise NMFError("NMF dictionaries: every class needs at least one atom")
        if not np.all(np.isfinite(self.W)) or (self.W < 0).any():
            raise NMFError("NMF dictionaries contain negative or non-finite values")
        for label in self.labels:
            if not self.prompts.get(label):
                raise NMFError(f"NMF dictionaries: class {label!r} has no prompts")

    def save(self, path) -> Path:
        """Write a small compressed .npz (plain arrays + JSON text: loadable without pickle)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = json.dumps({"format": FORMAT, "version": VERSION, "labels": self.labels, "prompts": self.prompts,
                             "meta": self.meta})
        with atomic.atomic_path(path) as tmp, open(tmp, "wb") as f:  # a file object: numpy adds no ".npz"
            np.savez_compressed(f, W=self.W.astype(np.float32), atom_class=self.atom_class.astype(np.int16),
                                header=np.array(header))
        return path

    @classmethod
    def load(cls, path) -> NMFDictionaries:
        path = Path(path)
        if not path.is_file():
            raise NMFError(f"NMF dictionaries not found: {path} (fit them with: textsep fit-nmf)")
        try:
            with np.load(path, allow_pickle=False) as z:
                header = json.loads(str(z["header"]))
                W, atom_class = z["W"], z["atom_class"]
        except Exception as exc:  # numpy's text may advise allow_pickle: never passed on
            raise NMFError(f"{path.name} is not a TextSep NMF dictionary file (damaged, or another kind of file; "
                           "files holding pickled objects are refused without loading them)") from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise NMFError(f"{path.name} is not a TextSep NMF dictionary file")
        try:
            version = int(header.get("version", 0))
            labels, prompts = list(header["labels"]), dict(header["prompts"])
            meta = dict(header.get("meta", {}))
        except (KeyError, TypeError, ValueError) as exc:
            raise NMFError(f"{path.name} is a damaged NMF dictionary file: its header lacks or mangles {exc}") from exc
        if version > VERSION:
            raise NMFError(f"{path.name} was written by a newer TextSep")
        return cls(labels, prompts, W, atom_class, meta)

def _training_frames(clips, max_frames: int, floor_db: float, rng) -> np.ndarray:
    """Magnitude frames of a class's clips, without near-silent frames, at most max_frames of them."""
    import torch

    frames = []
    for clip in clips:
        M = magnitude(np.asarray(clip, dtype=np.float32))
        e = M.pow(2).sum(0)
        if float(e.max()) <= 0:
            continue
        keep = e > e.max() * 10 ** (floor_db / 10)
        frames.append(M[:, keep])
    if not frames:
        return torch.zeros(N_FFT // 2 + 1, 0)
    V = torch.cat(frames, dim=1)
    if V.shape[1] > max_frames:
        idx = np.sort(rng.choice(V.shape[1], max_frames, replace=False))
        V = V[:, torch.from_numpy(idx)]
    return V


def fit_dictionaries(clips_by_label: dict[str, list[np.ndarray]], prompts: dict[str, list[str]] | None = None, *,
                     n_components: int = 16, n_iter: int = 150, max_frames: int = 3000, floor_db: float = -50.0,
                     seed: int = 0, progress=None) -> NMFDictionaries:
    """Learn one KL-NMF dictionary per class from 16 kHz mono clips.

    prompts: label -> phrases the class answers to (default: the label with '_' as spaces).
    progress: optional callable(fraction, label).
    """
    if len(clips_by_label) < 2:
        raise NMFError("NMF needs at least two classes: the target must be explained against something else")
    prompts = dict(prompts or {})
    rng = np.random.default_rng(seed)
    labels = sorted(clips_by_label)
    Ws, owner = [], []
    t0 = time.perf_counter()
    for ci, label in enumerate(labels):
        V = _training_frames(clips_by_label[label], max_frames, floor_db, rng)
        if V.shape[1] < n_components:
            raise NMFError(f"Class {label!r} has too little non-silent audio to fit {n_components} atoms")
        W, _ = kl_nmf(V.float(), n_components, n_iter, seed + ci)
        Ws.append(W.numpy())
        owner += [ci] * n_components
        prompts.setdefault(label, [label.replace("_", " ")])
        if progress:
            progress((ci + 1) / len(labels), label)
    meta = {"n_components": n_components, "n_iter": n_iter, "max_frames": max_frames, "floor_db": floor_db,
            "seed": seed, "fit_seconds": round(time.perf_counter() - t0, 1)}
    return NMFDictionaries(labels, {k: list(prompts[k]) for k in labels}, np.concatenate(Ws, axis=1),
                           np.array(owner), meta)


def fit_semi_supervised(V, W_fixed, n_free: int, n_iter: int = 60, seed: int = 0):
    """Activations for [W_fixed, W_free] where the W_free atoms are learned on V itself.

    The free atoms absorb whatever the fixed (target) dictionary does not explain -- the unknown rest of
    the mixture. Returns (W_free, H) with H stacked as [fixed rows; free rows].
    """
    import torch

    g = torch.Generator().manual_seed(seed)
    n_fixed = W_fixed.shape[1]
    Wf = torch.rand(V.shape[0], n_free, generator=g) + 0.1
    Wf = Wf / Wf.sum(0)
    W = torch.cat([W_fixed, Wf], dim=1)
    H = (V.sum(0, keepdim=True) / W.shape[1]).expand(W.shape[1], -1).clone() + EPS
    for _ in range(n_iter):
        H = H * (W.t() @ (V / (W @ H + EPS)))  # columns of W sum to 1
        if n_free:
            R = V / (W @ H + EPS)
            Hf = H[n_fixed:]
            Wf = W[:, n_fixed:] * (R @ Hf.t()) / Hf.sum(1)[None, :].clamp_min(EPS)
            Wf = Wf / Wf.sum(0).clamp_min(EPS)
            W = torch.cat([W_fixed, Wf], dim=1)
    return W[:, n_fixed:], H


class NMFEstimator:
    """MaskEstimator over fixed class dictionaries; the prompt selects the target class.

    background="free" (default): the target class's dictionary is fixed and `n_free` extra atoms are
    learned on the mixture for everything else (semi-supervised NMF). background="classes": every other
    class's dictionary is fixed too (fully supervised). Measured through the Separator on 60 corpus val
    mixtures at 0 dB, 16 atoms per class: keep / remove SI-SDRi +0.6 / +0.9 dB (medians +1.4 / +1.4)
    with the free background, -4.4 / +0.6 dB with the class background -- the 38 other dictionaries
    explain much of the target too. A baseline, not a competitor.
    """

    name = "nmf"

    def __init__(self, dictionaries: NMFDictionaries, encoder=None, *, background: str = "free", n_free: int = 4,
                 n_iter: int = 60, seed: int = 0):
        import torch

        if background not in ("free", "classes"):
            raise NMFError(f"Unknown NMF background {background!r}: use 'free' or 'classes'")
        self.dicts = dictionaries
        self.background, self.n_free, self.n_iter, self.seed = background, n_free, n_iter, seed
        self._encoder = encoder
        self._W = torch.from_numpy(dictionaries.W)
        self._owner = torch.from_numpy(dictionaries.atom_class)
        self._anchors = None  # per-class prompt embeddings, computed on first use
        self.freqs_hz = np.linspace(0, SR / 2, N_FFT // 2 + 1)
        self.last_match: tuple[str, float] | None = None
        self._vocabulary = None

    @classmethod
    def load(cls, path=None, encoder=None, **kwargs) -> NMFEstimator:
        """Load dictionaries (default: the shipped checkpoints/nmf_dictionaries.npz)."""
        if path is None:
            from textsep.paths import find_asset

            path = find_asset("checkpoints", DEFAULT_FILE)
        return cls(NMFDictionaries.load(path), encoder, **kwargs)

    @property
    def encoder(self):
        if self._encoder is None:
            from textsep.text import get_encoder

            self._encoder = get_encoder()
        return self._encoder

    def scores(self, prompt: str) -> dict[str, float]:
        """Cosine similarity of the prompt to each class (best over the class's prompts)."""
        if self._anchors is None:
            self._anchors = [self.encoder.encode(self.dicts.prompts[label]) for label in self.dicts.labels]
        q = self.encoder.encode([prompt])[0]
        return {label: float((a @ q).max()) for label, a in zip(self.dicts.labels, self._anchors)}

    @property
    def vocabulary(self):
        """The known sounds: the dictionaries' classes; a prompt maps onto its nearest class only."""
        if self._vocabulary is None:
            from textsep.prompts import Vocabulary

            self._vocabulary = Vocabulary(self.dicts.labels, self.dicts.prompts, self.dicts.meta.get("categories", {}),
                                          self.encoder)
        return self._vocabulary

    def understand(self, prompt: str):
        return self.vocabulary.understand(prompt)

    def match(self, prompt: str) -> tuple[str, float]:
        """The class the prompt refers to, and its similarity."""
        s = self.scores(prompt)
        label = max(s, key=s.get)
        return label, s[label]

    def target_mask(self, V, label: str):
        """Keep-mask [513, T] for class `label` in the magnitude spectrogram V."""
        target = self._owner == self.dicts.labels.index(label)
        Wt = self._W[:, target]
        if self.background == "free":
            Wf, H = fit_semi_supervised(V, Wt, self.n_free, self.n_iter, self.seed)
            part = Wt @ H[: Wt.shape[1]]
            rest = Wf @ H[Wt.shape[1]:]
        else:
            H = fit_activations(V, self._W, self.n_iter)
            part = Wt @ H[target]
            rest = self._W[:, ~target] @ H[~target]
        return (part / (part + rest + EPS)).clamp(0, 1)

    def predict(self, mono16: np.ndarray, prompt: str):
        import torch

        from textsep.separate import Mask

        label, score = self.match(prompt)
        self.last_match = (label, score)
        values = self.target_mask(magnitude(mono16), label).to(torch.float32)
        return Mask(values, self.freqs_hz, HOP / SR)


# ---- fitting from the corpus -------------------------------------------------------------------
def fit_corpus(root, *, split: str = "train", n_components: int = 16, n_iter: int = 150, max_frames: int = 3000,
               seed: int = 0, progress=None) -> NMFDictionaries:
    """Dictionaries from a TextSep corpus split, with the class prompts used in training (held-out
    paraphrases stay unseen, as for the UNet)."""
    from textsep.data.corpus import load_corpus, read_clip

    corpus = load_corpus(root)
    clips = corpus.split(split)
    if not clips:
        raise NMFError(f"The corpus at {root} has no '{split}' clips")
    by_label: dict[str, list[np.ndarray]] = {}
    for c in clips:
        by_label.setdefault(c.label, []).append(read_clip(c))
    prompts = {label: corpus.train_prompts(label) for label in by_label}
    d = fit_dictionaries(by_label, prompts, n_components=n_components, n_iter=n_iter, max_frames=max_frames,
                         seed=seed, progress=progress)
    d.meta.update(corpus=str(root), split=split, clips=len(clips))
    return d


def main(argv=None) -> int:
    """`textsep fit-nmf`: fit the NMF baseline's dictionaries on a corpus and save them (.npz)."""
    from textsep.paths import find_asset

    p = argparse.ArgumentParser(prog="textsep fit-nmf", description=main.__doc__)
    p.add_argument("--corpus", default="/work/shared/corpus", help="corpus folder (manifest.csv, classes.csv)")
    p.add_argument("--split", default="train")
    p.add_argument("--out", default=str(find_asset("checkpoints", DEFAULT_FILE)), help="output .npz")
    p.add_argument("--components", type=int, default=16, help="atoms per class")
    p.add_argument("--iterations", type=int, default=150)
    p.add_argument("--max-frames", type=int, default=3000, help="training frames per class (subsampled)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--overwrite", action="store_true")
    a = p.parse_args(argv)
    out = Path(a.out)
    if out.exists() and not a.overwrite:
        print(f"textsep fit-nmf: error: {out} already exists (use --overwrite to replace it)", file=sys.stderr)
        return 4
    from tqdm import tqdm

    from textsep.data.corpus import DatasetError

    bar = tqdm(total=100, desc="fitting", unit="%", file=sys.stderr)

    def progress(frac, label):
        bar.n = int(frac * 100)
        bar.set_postfix_str(label)
        bar.refresh()

    try:
        d = fit_corpus(a.corpus, split=a.split, n_components=a.components, n_iter=a.iterations,
                       max_frames=a.max_frames, seed=a.seed, progress=progress)
    except (NMFError, DatasetError, OSError) as exc:
        bar.close()
        print(f"textsep fit-nmf: error: {exc}", file=sys.stderr)
        return 2
    bar.close()
    d.save(out)
    print(f"{out}: {len(d.labels)} classes x {a.components} atoms, {out.stat().st_size / 1e6:.2f} MB, "
          f"fitted in {d.meta['fit_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
