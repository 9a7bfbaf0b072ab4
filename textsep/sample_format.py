"""Sample formats: which dtype moves each libsndfile subtype without rounding, and exact conversion
between raw blocks ([N, C] as soundfile reads and writes them) and [C, N] float samples."""
from __future__ import annotations

import numpy as np

_PCM_BITS = {"PCM_S8": 8, "PCM_U8": 8, "PCM_16": 16, "PCM_24": 24, "PCM_32": 32}
# Companded 8-bit codecs decode to 16-bit integers and re-encode those exactly: they move like PCM_16.
_INT_BITS = {**_PCM_BITS, "ULAW": 16, "ALAW": 16}
# Lossy codecs decoded to float by libsndfile. Their decoders are not sample-exact after a seek, so they
# are only ever read front to back (SequentialReader), and re-encoding them is never bit-exact.
LOSSY_SUBTYPES = ("VORBIS", "OPUS", "MPEG_LAYER_I", "MPEG_LAYER_II", "MPEG_LAYER_III")
_LOSSY_CONTAINER = {"VORBIS": "OGG", "OPUS": "OGG", "MPEG_LAYER_I": "MP3", "MPEG_LAYER_II": "MP3",
                    "MPEG_LAYER_III": "MP3"}


def is_pcm(subtype: str) -> bool:
    return subtype in _PCM_BITS


def is_lossy(subtype: str) -> bool:
    """MP3, Vorbis, Opus: decoded approximately, never sample-exact after a seek, never re-encoded exactly."""
    return subtype in LOSSY_SUBTYPES


def io_dtype(subtype: str) -> str:
    """The dtype that moves this subtype's samples through libsndfile without any rounding.

    Integer codecs (PCM, u-law, A-law, ADPCM, GSM, DWVW...) decode to integers: int32, left-justified.
    libsndfile's own float conversion is not symmetric for them (it reads with 1/32768 and writes with
    32767), so they never travel as float."""
    if subtype == "DOUBLE":
        return "float64"
    if subtype == "FLOAT" or is_lossy(subtype):
        return "float32"
    return "int32"


def copy_dtype(subtype: str) -> str:
    """The narrowest dtype that copies this subtype's samples unchanged into a file of the same subtype.

    16-bit (and 8-bit, which libsndfile widens to 16, and the companded codecs, which decode to 16)
    copy as int16: half the memory traffic of int32, about 4x faster for the untouched bulk of a long
    file."""
    if subtype in ("PCM_16", "PCM_S8", "PCM_U8", "ULAW", "ALAW"):
        return "int16"
    return io_dtype(subtype)


def float_dtype(subtype: str):
    return np.float64 if subtype in ("PCM_32", "DOUBLE") else np.float32


def raw_to_float(raw: np.ndarray, subtype: str) -> np.ndarray:
    """[N, C] raw block as read by soundfile -> [C, N] float."""
    if raw.dtype == np.int32:
        # <= 24 significant bits convert to float32 exactly, and the power-of-two scale is exact too;
        # one pass straight into a C-contiguous [C, N] array (no float64 temporary).
        dt = float_dtype(subtype)
        out = np.empty(raw.shape[::-1], dtype=dt)
        np.multiply(raw.T, dt(1.0 / 2**31), out=out, dtype=dt)
        return out
    return np.ascontiguousarray(raw.T, dtype=float_dtype(subtype))


def float_to_raw(x: np.ndarray, subtype: str) -> np.ndarray:
    """[C, N] float -> [N, C] raw block for soundfile, quantised to the subtype's resolution.

    Integer subtypes: round(x * 2**(bits-1)), clipped, left-justified in int32 (what io_dtype reads back).
    The product and the rounding are exact in float32 for float32 input and <= 24 bits (a power-of-two
    scale), so the block is converted in its own precision: no float64/int64 copies of it.
    """
    bits = _INT_BITS.get(subtype)
    if bits is not None:
        scale = 2.0 ** (bits - 1)
        work = np.float32 if (x.dtype == np.float32 and bits <= 24) else np.float64
        q = np.multiply(x, work(scale), dtype=work)
        np.round(q, out=q)
        np.clip(q, -scale, scale - 1, out=q)
        r = q.astype(np.int32)
        if bits < 32:
            np.left_shift(r, 32 - bits, out=r)
        return r.T
    return np.ascontiguousarray(x.T, dtype=np.dtype(io_dtype(subtype)))
