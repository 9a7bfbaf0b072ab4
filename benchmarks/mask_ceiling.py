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

    from textsep.evaluation.oracle import ORACLE_HOP, ORACLE_N_FFT, OracleIRM
    from textsep.spectral import SpecConfig, band_centres, band_filterbank

    cfg = SpecConfig()
    if (cfg.n_fft, cfg.hop) != (ORACLE_N_FFT, ORACLE_HOP):
        raise RuntimeError("the model's STFT grid is no longer the oracle's: pool on the model's own STFT")
    fb = torch.from_numpy(band_filterbank(cfg)).double()

    class BandOracle(OracleIRM):
        """The ideal ratio mask of the model's band energies (its own filterbank), on the model's grid."""
        name = "oracle-band"

        def __init__(self, *args):
            super().__init__(*args)
            self.freqs_hz = band_centres(cfg)

        def power(self, x16):
            return fb @ super().power(x16)

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
