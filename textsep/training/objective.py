"""What training optimises and how it is measured: the spectral front end, the loss and the validator.

All three run on the training device (CPU or GPU). SI-SDR comes from `textsep.metrics.si_sdr_batch`,
the same implementation evaluation scores with.
"""
from __future__ import annotations

import numpy as np
import torch

from textsep.data.corpus import Corpus
from textsep.data.mixtures import ClipBank, MixConfig, MixtureSampler
from textsep.edits import DEFAULT_DEPTH_DB
from textsep.metrics import si_sdr_batch
from textsep.spectral import SpecConfig, band_filterbank, band_to_freq_matrix

VAL_SEED = 1234
LOSSES = ("mag", "mask", "sisdr", "mag+sisdr")


class Frontend:
    """STFT, band features and the band->linear mask map on one device, shared by training and validation.

    Its STFT is textsep.spectral's (centred, Hann, complex) with the window kept on the front end's
    device, so batches never leave the GPU.
    """

    def __init__(self, spec: SpecConfig, device: torch.device | str = "cpu"):
        self.spec, self.device = spec, torch.device(device)
        self.fb = torch.from_numpy(band_filterbank(spec)).to(self.device)
        freqs = np.arange(spec.n_bins) * spec.sr / spec.n_fft
        self.b2f = torch.from_numpy(band_to_freq_matrix(spec, freqs)).to(self.device)
        self.window = torch.hann_window(spec.n_fft, device=self.device)

    def stft(self, x: torch.Tensor) -> torch.Tensor:
        """[B, N] -> [B, bins, frames] complex."""
        return torch.stft(x, self.spec.n_fft, self.spec.hop, window=self.window, center=True, return_complex=True)

    def istft(self, X: torch.Tensor, length: int) -> torch.Tensor:
        return torch.istft(X, self.spec.n_fft, self.spec.hop, window=self.window, center=True, length=length)

    def analyse(self, t: torch.Tensor, i: torch.Tensor):
        """(mixture, target and interference STFTs, band magnitudes of the mixture) of a batch."""
        T = self.stft(t.to(self.device))
        I = self.stft(i.to(self.device))
        X = T + I
        return X, T, I, self.fb @ X.abs()

    def linear_mask(self, band_mask: torch.Tensor) -> torch.Tensor:
        return self.b2f @ band_mask


def keep_score(t: torch.Tensor, i: torch.Tensor, yk: torch.Tensor) -> torch.Tensor:
    """Per example, the keep output's SI-SDR against target t, at most 40 dB; where t is silent (a prompt
    naming a sound not in the mixture) SI-SDR says nothing, so the score is how far below the mixture t + i
    the output stays, in dB, at most DEFAULT_DEPTH_DB: a region turns sound down no further than that, so a
    deeper cut earns nothing (with 40 dB, as for SI-SDR, the model learnt to keep too little of sounds that
    were there)."""
    score = si_sdr_batch(t, yk).clamp(max=40)
    absent = t.pow(2).sum(-1) == 0
    if absent.any():
        mix_energy = (t + i).pow(2).sum(-1) + 1e-8
        below = -10 * torch.log10(yk.pow(2).sum(-1) / mix_energy + 10 ** (-DEFAULT_DEPTH_DB / 10))
        score = torch.where(absent, below, score)
    return score


def loss_fn(kind: str, M: torch.Tensor, X, T, I, fe: Frontend, length: int) -> torch.Tensor:
    """The training loss of linear-bin keep-mask M for mixture X = T + I (see LOSSES)."""
    Xm, Tm, Im = X.abs(), T.abs(), I.abs()
    losses = []
    if kind in ("mag", "mag+sisdr"):
        norm = Xm.mean(dim=(1, 2), keepdim=True) + 1e-8  # each example weighs the same
        losses.append(((M * Xm - Tm).abs() / norm).mean() + (((1 - M) * Xm - Im).abs() / norm).mean())
    if kind == "mask":
        irm = Tm / (Tm + Im + 1e-8)
        losses.append((M - irm).abs().mean())
    if kind in ("sisdr", "mag+sisdr"):
        yk, yr = fe.istft(X * M, length), fe.istft(X * (1 - M), length)
        t, i = fe.istft(T, length), fe.istft(I, length)
        w = 0.05 if kind == "mag+sisdr" else 1.0
        losses.append(-w * 0.5 * (keep_score(t, i, yk).mean() + si_sdr_batch(i, yr).clamp(max=40).mean()))
    return sum(losses)


class Validator:
    """A fixed set of validation mixtures (val split, seeded), scored by SI-SDRi for keep and remove."""

    def __init__(self, corpus: Corpus, labels, vecs, fe: Frontend, mix: MixConfig, n: int):
        bank = ClipBank(corpus.split("val"), labels)
        # tiny datasets (or --val-to-train 1) may have no val clips: validate on train clips instead
        self.from_training = not bank.labels
        if self.from_training:
            bank = ClipBank(corpus.split("train"), labels)
        sampler = MixtureSampler(bank, corpus, mix, seed=VAL_SEED)
        order = [bank.labels[k % len(bank.labels)] for k in range(n)]
        t, i, self.labels, self.prompts = sampler.batch(n, order)
        self.t, self.i = t.to(fe.device), i.to(fe.device)
        self.emb = torch.from_numpy(np.stack([vecs[p] for p in self.prompts])).to(fe.device)
        self.fe, self.length = fe, self.t.shape[-1]
        with torch.no_grad():
            self.X, self.T, self.I, self.bands = fe.analyse(self.t, self.i)
            m = self.t + self.i
            self.base_k = si_sdr_batch(self.t, m)
            self.base_r = si_sdr_batch(self.i, m)

    @torch.no_grad()
    def run(self, model, loss_kind: str, bs: int = 16, autocast: bool = False) -> dict:
        """Validation loss and SI-SDRi (keep, remove, keep median) of `model`; bf16 autocast if asked."""
        model.eval()
        losses, sk, sr = [], [], []
        for a in range(0, len(self.t), bs):
            sl = slice(a, a + bs)
            with torch.autocast(self.fe.device.type, dtype=torch.bfloat16, enabled=autocast):
                Mb = model(self.bands[sl], None if model.cfg.text_agnostic else self.emb[sl])
            M = self.fe.linear_mask(Mb.float())
            X = self.X[sl]
            losses.append(float(loss_fn(loss_kind, M, X, self.T[sl], self.I[sl], self.fe, self.length)))
            sk.append(si_sdr_batch(self.t[sl], self.fe.istft(X * M, self.length)) - self.base_k[sl])
            sr.append(si_sdr_batch(self.i[sl], self.fe.istft(X * (1 - M), self.length)) - self.base_r[sl])
        model.train()
        sk, sr = torch.cat(sk), torch.cat(sr)
        return {"val_loss": float(np.mean(losses)), "val_sisdri_keep": float(sk.mean()),
                "val_sisdri_remove": float(sr.mean()), "val_sisdri_keep_median": float(sk.median())}
