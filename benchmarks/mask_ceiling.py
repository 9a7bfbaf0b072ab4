"""How far the model's mask representation could go: the ideal mask on its 128 mel bands vs full resolution.

    python benchmarks/mask_ceiling.py CASES.csv

The UNet predicts one gain per mel band and frame (SpecConfig: 128 bands, hop 256 at 16 kHz), which the
Separator interpolates onto each channel's STFT. If that grid could not express a good mask, no training
would reach the targets. This runs two oracles through the one Separator on every case, at full depth and
at the case's own depth: the ideal ratio mask on the full 513-bin grid (the evaluation's ceiling), and the
ideal ratio mask of the band energies, |T|^2 / (|T|^2 + |I|^2) after the model's own filterbank. Prints
mean SI-SDRi per mode.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def band_oracle_class():
    import torch

    from textsep.audio import resample
    from textsep.evaluation.oracle import OracleIRM
    from textsep.separate import MODEL_SR, Mask
    from textsep.spectral import SpecConfig, band_centres, band_filterbank, stft

    cfg = SpecConfig()
    fb = torch.from_numpy(band_filterbank(cfg)).double()

    class BandOracle(OracleIRM):
        """The ideal ratio mask of the model's band energies, on the model's own grid."""
        name = "oracle-band"

        def predict(self, mono16, prompt):
            mono16 = np.asarray(mono16, dtype=np.float32)
            c, length = self._span(mono16)
            t16 = resample(self.target[c:c + length], self.sr, MODEL_SR).astype(np.float64)
            i16 = mono16.astype(np.float64) - t16
            pt, pi = (fb @ (stft(torch.from_numpy(v), cfg.n_fft, cfg.hop).abs() ** 2) for v in (t16, i16))
            den = pt + pi
            values = torch.where(den > 0, pt / den.clamp_min(1e-30), torch.full_like(den, 0.5))
            return Mask(values.float(), band_centres(cfg), cfg.hop / MODEL_SR)

    return BandOracle


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__)
        return 2
    from textsep.data.cases import read_cases
    from textsep.edits import MAX_DEPTH_DB
    from textsep.evaluation.oracle import OracleIRM
    from textsep.metrics import mix_metrics, window_metrics
    from textsep.separate import Separator

    cases = read_cases(Path(args[0]))
    oracles = {"ideal mask, 513 bins": OracleIRM, "ideal mask, 128 mel bands": band_oracle_class()}
    scores = defaultdict(list)
    for case in cases:
        mix, target, sr = case.load()
        region = case.region()
        a, b = region.span(sr)
        b = min(b, mix.shape[1])
        base = mix_metrics(mix, target, a, b, case.mode, with_sdr=False)
        for name, cls in oracles.items():
            sep = Separator(cls(mix.mean(axis=0), target.mean(axis=0), sr))
            for depth, reg in (("full", replace(region, depth_db=MAX_DEPTH_DB)), ("case", region)):
                out = sep.separate(mix, sr, [reg]).audio
                m = window_metrics(out, mix, target, a, b, case.mode, with_sdr=False, mix_scores=base)
                scores[(name, depth, case.mode)].append(m["si_sdri"])
    print(f"{len(cases)} cases; mean SI-SDRi inside the window, dB\n\n| oracle | depth | keep | remove |\n"
          "|---|---|---:|---:|")
    for name in oracles:
        for depth in ("full", "case"):
            k, r = (np.mean(scores[(name, depth, mode)]) for mode in ("keep", "remove"))
            print(f"| {name} | {depth} | {k:.2f} | {r:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
