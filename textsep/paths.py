"""Where the shipped model and resources live: frozen app, source tree, or installed wheel."""
from __future__ import annotations

import sys
from pathlib import Path

DEFAULT_CHECKPOINT = "textsep_unet.pth"
BASELINE_CHECKPOINT = "textsep_unet_agnostic.pth"
SAMPLE = "sample.wav"


def _roots() -> list[Path]:
    roots = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        roots.append(Path(frozen))
    roots.append(Path(__file__).resolve().parent.parent)  # source tree / editable install
    roots.append(Path(sys.prefix) / "share" / "textsep")  # wheel data-files
    return roots


def find_asset(kind: str, name: str) -> Path:
    """The first existing <root>/<kind>/<name>; the source-tree path if none exists (for messages)."""
    for root in _roots():
        p = root / kind / name
        if p.exists():
            return p
    return Path(__file__).resolve().parent.parent / kind / name


def default_checkpoint(baseline: bool = False) -> Path:
    return find_asset("checkpoints", BASELINE_CHECKPOINT if baseline else DEFAULT_CHECKPOINT)


def resource(name: str) -> Path:
    return find_asset("resources", name)
