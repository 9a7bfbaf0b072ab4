"""Evaluation: score the model and its baselines on a case set (cases.csv, see textsep/data/cases.py).

Every method goes through the one Separator API (`Separator(estimator).separate(mix, sr, [region])`):

    textsep        the text-conditioned model, gated to the case's window
    wrong-prompt   the same model prompted with the INTERFERER's class (cases with a `wrong_prompt`
                   column); it should score clearly worse than the right prompt
    text-agnostic  the baseline UNet without text (same training data, no prompt)
    no-gate        the text model applied to the whole file (a region covering the whole mix, fade 0):
                   what you get without regions; its outside-window damage is reported
    nmf            supervised NMF dictionaries (textsep.nmf), if available
    oracle-irm     ceiling: a mask from the known target and interferer magnitudes on the 16 kHz STFT grid
                   (n_fft 1024, hop 256), power ratio |T|^2 / (|T|^2 + |I|^2): keep and remove masks sum to 1
    mixture        floor: the output is the unprocessed mix (SI-SDRi = 0 by definition)

Per case and method: SI-SDR and SDR of the output and of the mix inside the window against the reference
(target for keep, mix - target for remove), their differences (SI-SDRi, SDRi), the largest absolute and
the L2 difference from the mix outside the window (exactly 0 for every gated method), and a CLAP
text-audio similarity of the output inside the window when CLAP is set up (else "unavailable").

Modules: `runner` (`evaluate_cases(separators, cases)`, the reusable core, and `load_methods`), `oracle`
(`OracleIRM`), `report` (`summarize(rows)`, `write_results`), `cli` (`textsep evaluate`, `main(argv)`),
`paired` (`compare`, `paired_difference`: two results on the same cases, case by case).
The names below are importable from the package itself (lazily, so `textsep evaluate --help` stays fast).
"""
from __future__ import annotations

import importlib

_EXPORTS = {"evaluate_cases": "runner", "load_methods": "runner", "ALL_METHODS": "runner", "COLUMNS": "runner",
            "OracleIRM": "oracle", "summarize": "report", "method_means": "report", "write_results": "report",
            "main": "cli", "paired_difference": "paired", "compare": "paired"}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"textsep.evaluation.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'textsep.evaluation' has no attribute {name!r}")
