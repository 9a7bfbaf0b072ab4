"""Optional text encoder: Microsoft CLAP (msclap), for users who have its weights locally.

msclap is an optional extra (`pip install textsep[clap]`) and is imported only when this encoder is
first used. Its own loader downloads weights from a model hub; TextSep never relies on that: pass the
path of a local weights file (or set TEXTSEP_CLAP_WEIGHTS), or get a clear error.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from textsep.text.base import TextEncoder, TextEncoderError

NAME = "msclap"
ENV_WEIGHTS = "TEXTSEP_CLAP_WEIGHTS"
_DIMS = {"2022": 1024, "2023": 1024, "clapcap": 1024}


def clap_available() -> bool:
    """True when msclap imports and a weights file is configured (cheap check for settings menus)."""
    import importlib.util

    weights = os.environ.get(ENV_WEIGHTS)
    return importlib.util.find_spec("msclap") is not None and bool(weights) and Path(weights).is_file()


class ClapEncoder(TextEncoder):
    name = NAME

    def __init__(self, weights: str | os.PathLike | None = None, version: str = "2023"):
        super().__init__()
        self.version = version
        self.dim = _DIMS.get(version, 1024)
        self.weights = Path(weights) if weights else (Path(os.environ[ENV_WEIGHTS]) if os.environ.get(ENV_WEIGHTS)
                                                      else None)
        self._clap = None

    def _load(self):
        try:
            from msclap import CLAP
        except ImportError as exc:
            raise TextEncoderError("The CLAP text encoder needs the optional package msclap: "
                                   "pip install 'textsep[clap]'") from exc
        if self.weights is None:
            raise TextEncoderError(f"CLAP weights are not configured: pass a local weights file or set {ENV_WEIGHTS} "
                                   "(TextSep does not download them)")
        if not self.weights.is_file():
            raise TextEncoderError(f"CLAP weights file not found: {self.weights}")
        try:
            self._clap = CLAP(model_fp=str(self.weights), version=self.version, use_cuda=False)
        except Exception as exc:
            raise TextEncoderError(f"Could not load CLAP from {self.weights}: {exc}") from exc

    def _encode(self, prompts: list[str]) -> np.ndarray:
        if self._clap is None:
            self._load()
        emb = self._clap.get_text_embeddings(prompts)
        emb = emb.detach().cpu().numpy() if hasattr(emb, "detach") else np.asarray(emb)
        return emb.reshape(len(prompts), -1)

    def audio_similarity(self, audio_16k: np.ndarray, prompts) -> np.ndarray:
        """CLAP text-audio similarity of mono clips (evaluation); needs the audio branch too."""
        if self._clap is None:
            self._load()
        import tempfile

        import soundfile as sf

        with tempfile.TemporaryDirectory() as d:
            files = []
            for i, clip in enumerate(np.atleast_2d(audio_16k)):
                p = os.path.join(d, f"{i}.wav")
                sf.write(p, clip, 16000)
                files.append(p)
            a = self._clap.get_audio_embeddings(files)
        t = self._clap.get_text_embeddings(list(prompts))
        a = a / a.norm(dim=-1, keepdim=True)
        t = t / t.norm(dim=-1, keepdim=True)
        return (a * t).sum(-1).detach().cpu().numpy()
