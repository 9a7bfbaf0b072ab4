"""Audio I/O: read any soundfile-supported file, keep its rate/channels/subtype, write atomically.

Samples are float arrays shaped [channels, frames]. PCM files are read as left-justified int32 and
scaled by 2**-31, which is exact in float32 for 8/16/24-bit PCM; writing reverses that exactly, so
samples nobody touched come back bit for bit.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from textsep import atomic
from textsep.errors import InputError, OutputError
from textsep.sample_format import (  # noqa: F401 - re-exported: callers know them as textsep.audio.*
    _INT_BITS,
    _LOSSY_CONTAINER,
    LOSSY_SUBTYPES,
    copy_dtype,
    float_dtype,
    float_to_raw,
    io_dtype,
    is_lossy,
    is_pcm,
    raw_to_float,
)

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".mp3", ".aiff", ".aif", ".opus")
MIN_SR, MAX_SR = 8000, 192000

# Formats whose default subtype we pick when the source's subtype cannot be stored in them.
_DEFAULT_SUBTYPE = {"WAV": "PCM_16", "FLAC": "PCM_16", "AIFF": "PCM_16", "OGG": "VORBIS", "MP3": "MPEG_LAYER_III"}
_FORMAT_BY_EXT = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG", ".oga": "OGG", ".mp3": "MP3",
                  ".aiff": "AIFF", ".aif": "AIFF", ".opus": "OGG"}


class AudioError(InputError):
    """An input file cannot be read or used; the message is meant for the user."""


# OutputError (imported above from textsep.errors, and importable from here as textsep.audio.OutputError)
# is "your output is bad": exists, is the input, unwritable folder, bad extension, write failure.


@dataclass
class AudioInfo:
    path: Path
    sr: int
    channels: int
    frames: int
    format: str
    subtype: str

    @property
    def duration(self) -> float:
        return self.frames / self.sr


@dataclass
class Audio:
    samples: np.ndarray  # [C, N] float32 (float64 for 32-bit PCM and DOUBLE sources)
    sr: int
    subtype: str = "FLOAT"
    format: str = "WAV"
    path: Path | None = field(default=None, compare=False)

    @property
    def channels(self) -> int:
        return int(self.samples.shape[0])

    @property
    def frames(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration(self) -> float:
        return self.frames / self.sr


def _open_error(path: Path, exc: Exception) -> AudioError:
    if not path.exists():
        return AudioError(f"File not found: {path}")
    if path.is_dir():
        return AudioError(f"Not a file: {path}")
    return AudioError(f"Cannot read {path.name}: not a supported audio file ({exc})")


def info(path: str | os.PathLike) -> AudioInfo:
    path = Path(path)
    try:
        i = sf.info(str(path))
    except Exception as exc:  # soundfile raises several types (LibsndfileError, RuntimeError, TypeError)
        raise _open_error(path, exc) from exc
    result = AudioInfo(path, int(i.samplerate), int(i.channels), int(i.frames), i.format, i.subtype)
    _check_info(result)
    return result


def _check_info(i: AudioInfo) -> None:
    if not MIN_SR <= i.sr <= MAX_SR:
        raise AudioError(f"{i.path.name}: sample rate {i.sr} Hz is outside the supported {MIN_SR}-{MAX_SR} Hz")
    if i.channels < 1:
        raise AudioError(f"{i.path.name}: the file has no channels")
    if i.frames <= 0:
        raise AudioError(f"{i.path.name}: the file contains no audio (zero length)")


def load(path: str | os.PathLike) -> Audio:
    """Read a whole file. Raises AudioError with a user-facing message on any problem."""
    i = info(path)
    try:
        raw, _ = sf.read(str(i.path), dtype=io_dtype(i.subtype), always_2d=True)
    except Exception as exc:
        raise _open_error(i.path, exc) from exc
    if raw.shape[0] == 0:
        raise AudioError(f"{i.path.name}: the file contains no audio (zero length)")
    return Audio(raw_to_float(raw, i.subtype), i.sr, i.subtype, i.format, i.path)


def read_span(path: str | os.PathLike, start: int, stop: int, subtype: str | None = None) -> np.ndarray:
    """Frames [start, stop) of a file as [C, n] float, without reading the rest.

    Lossy files (MP3, Vorbis, Opus) are decoded from their start instead of seeking: libsndfile's seek in
    them is not sample-exact, and the samples must equal those of a plain front-to-back decode."""
    subtype = subtype or info(path).subtype
    try:
        with sf.SoundFile(str(path)) as f:
            if is_lossy(subtype):
                skip = start
                while skip > 0:
                    got = f.read(min(skip, 1 << 18), dtype="float32", always_2d=True).shape[0]
                    if got == 0:
                        break
                    skip -= got
            else:
                f.seek(start)
            raw = f.read(stop - start, dtype=io_dtype(subtype), always_2d=True)
    except Exception as exc:
        raise AudioError(f"Cannot read {Path(path).name} at frames {start}-{stop}: {exc}") from exc
    if raw.shape[0] != stop - start and is_lossy(subtype):
        # Lossy decoders may deliver a few frames fewer than the header promised: pad with silence.
        raw = np.concatenate([raw, np.zeros((stop - start - raw.shape[0], raw.shape[1]), raw.dtype)])
    if raw.shape[0] != stop - start:
        raise AudioError(f"{Path(path).name} ended early: asked for frames {start}-{stop}, got {raw.shape[0]} "
                         "(the file is truncated or its header is wrong)")
    return raw_to_float(raw, subtype)


class SequentialReader:
    """A file read front to back, never seeking (so lossy decoders give exactly a plain decode's samples).

    read(m, dtype) returns exactly m frames [m, C]: a lossy decoder that delivers fewer frames than its
    header announced is padded with silence at the end (`padded` counts them); any other file that ends
    early is an AudioError (truncated file or wrong header).
    """

    def __init__(self, i: AudioInfo):
        self.info = i
        self.pos = 0
        self.padded = 0
        try:
            self._f = sf.SoundFile(str(i.path))
        except Exception as exc:
            raise _open_error(i.path, exc) from exc

    def read(self, m: int, dtype: str) -> np.ndarray:
        try:
            raw = self._f.read(m, dtype=dtype, always_2d=True)
        except Exception as exc:
            raise AudioError(f"Cannot read {self.info.path.name} at frame {self.pos}: {exc}") from exc
        if raw.shape[0] < m:
            if not is_lossy(self.info.subtype):
                raise AudioError(f"{self.info.path.name} ended early: the header announces {self.info.frames} "
                                 f"frames, the file holds {self.pos + raw.shape[0]} (truncated or damaged)")
            self.padded += m - raw.shape[0]
            raw = np.concatenate([raw, np.zeros((m - raw.shape[0], raw.shape[1]), raw.dtype)])
        self.pos += m
        return raw

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> SequentialReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def output_format(path: str | os.PathLike, source_subtype: str) -> tuple[str, str]:
    """(format, subtype) for writing to `path`: the source's subtype when the format can hold it exactly.

    Lossy sources keep their codec only in their own container (MP3 -> .mp3, Vorbis/Opus -> .ogg): that
    re-encodes the whole file (see SeparationReport warnings). Into WAV, AIFF and FLAC a lossy source is
    written as PCM_16 (libsndfile's check_format accepts MPEG inside WAV, but cannot write it). Integer
    codecs that are not bit-exact to re-encode (ADPCM, GSM...) are written as PCM of their decoded width.
    """
    ext = Path(path).suffix.lower()
    fmt = _FORMAT_BY_EXT.get(ext)
    if fmt is None:
        raise OutputError(f"Unsupported output extension '{ext}' (use .wav, .flac, .ogg, .aiff or .mp3)")
    if ext == ".opus":
        return fmt, "OPUS"
    if is_lossy(source_subtype):
        if _LOSSY_CONTAINER[source_subtype] == fmt:
            return fmt, ("MPEG_LAYER_III" if fmt == "MP3" else source_subtype)
        return fmt, _DEFAULT_SUBTYPE[fmt]
    if source_subtype and source_subtype not in _INT_BITS and source_subtype not in ("FLOAT", "DOUBLE"):
        # ADPCM, GSM 6.10, G.72x, DWVW, NMS: decoded to integers; store the decode, not a re-encode
        wide = "PCM_24" if source_subtype.endswith("_24") else "PCM_16"
        return fmt, wide if sf.check_format(fmt, wide) else _DEFAULT_SUBTYPE[fmt]
    if source_subtype and sf.check_format(fmt, source_subtype):
        return fmt, source_subtype
    if source_subtype in ("PCM_S8", "PCM_U8"):  # 8-bit is signed in FLAC, unsigned in WAV: both exact
        for alt in ("PCM_U8", "PCM_S8"):
            if sf.check_format(fmt, alt):
                return fmt, alt
    if fmt == "FLAC" and source_subtype in ("FLOAT", "DOUBLE", "PCM_32"):
        return fmt, "PCM_24"
    return fmt, _DEFAULT_SUBTYPE[fmt]


def format_note(source_subtype: str, out_path, out_subtype: str) -> str | None:
    """What the user should know about writing a `source_subtype` file as `out_subtype`, or None when the
    samples outside the regions come through bit for bit."""
    ext = Path(out_path).suffix.lower() or "the output"
    if is_lossy(out_subtype):
        what = "an MP3" if out_subtype.startswith("MPEG") else f"an Ogg {out_subtype.title()}"
        return (f"{ext} is {what} file: the whole file is re-encoded, so the audio outside the regions is "
                f"close to, not sample for sample, the input's; write .wav or .flac for an exact copy outside "
                "the regions")
    if is_lossy(source_subtype):
        return (f"the {source_subtype} input is decoded once, front to back, and written as {out_subtype}: "
                "outside the regions the output is the input's decode rounded to that format")
    if out_subtype != source_subtype:
        exact = source_subtype in ("PCM_S8", "PCM_U8") and out_subtype in ("PCM_S8", "PCM_U8")
        if exact:
            return None
        if source_subtype not in _INT_BITS and source_subtype not in ("FLOAT", "DOUBLE"):
            return (f"the {source_subtype} input is written as {out_subtype}, its exact decode (re-encoding "
                    f"{source_subtype} would change the samples outside the regions)")
        return (f"{ext} cannot store {source_subtype}; wrote {out_subtype} (samples outside the regions are "
                "converted, not bit-identical)")
    return None


def check_output(path, *, overwrite: bool = False, protect: str | os.PathLike | None = None,
                 source: AudioInfo | None = None) -> Path:
    """Raise OutputError unless `path` can be written: call it before long work, so a bad output path
    fails in a second rather than after the processing.

    With `source` (the input's AudioInfo) the output's format is tried for real: a file of that format,
    rate and channel count is opened beside `path` and removed (MP3 above 48 kHz or with more than two
    channels, FLAC above 8 channels... fail here, not after the processing)."""
    path = Path(path)
    if protect is not None and _same_file(path, Path(protect)):
        raise OutputError(f"Refusing to write over the input file {path}; choose another output path")
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give an output file name")
    if path.exists() and not overwrite:
        raise OutputError(f"{path} already exists; refusing to overwrite it (use --overwrite to replace it)")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"Cannot write {path}: folder {parent} does not exist")
    output_format(path, "")  # unsupported extension
    if source is not None:
        fmt, subtype = output_format(path, source.subtype)
        try:
            tmp = atomic.temp_path_for(path)
        except OSError as exc:
            raise OutputError(f"Cannot write {path}: folder {parent} is not writable ({exc.strerror or exc})") from exc
        try:
            sf.SoundFile(str(tmp), "w", source.sr, source.channels, subtype, format=fmt).close()
        except Exception as exc:
            raise OutputError(_format_refused(path, fmt, subtype, source.sr, source.channels, exc)) from exc
        finally:
            atomic.discard(tmp)
        return path
    try:  # the real test of writability (permissions, read-only mounts, root on /proc): create a file
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: folder {parent} is not writable ({exc.strerror or exc})") from exc
    return path


def _format_refused(path: Path, fmt: str, subtype: str, sr: int, channels: int, exc: Exception) -> str:
    return (f"Cannot write {path.name} as {fmt} ({subtype}) at {sr} Hz with {channels} channel(s): this format "
            f"cannot hold that audio ({str(exc).splitlines()[0][:160]}); choose another output format, "
            "e.g. .wav or .flac")


class AtomicWriter:
    """A soundfile opened on a temporary file beside the target, moved into place on commit.

    Used as a context manager: on an exception (including a failure to finish the file) the temporary
    file is removed and the target is untouched. Refuses an existing target unless overwrite=True, and
    never writes over `protect` (the input file) at all. Without overwrite the commit never clobbers a
    file that appeared while we were working (textsep.atomic.commit(overwrite=False)).
    """

    def __init__(self, path, sr: int, channels: int, subtype: str | None = None, *, overwrite: bool = False,
                 protect: str | os.PathLike | None = None):
        self.path = check_output(path, overwrite=overwrite, protect=protect)
        self.overwrite = overwrite
        self.format, self.subtype = output_format(self.path, subtype or "")
        self.sr, self.channels = int(sr), int(channels)
        self._tmp: Path | None = None
        self._file: sf.SoundFile | None = None

    def __enter__(self) -> AtomicWriter:
        try:
            self._tmp = atomic.temp_path_for(self.path)
        except OSError as exc:
            raise OutputError(f"Cannot write {self.path}: {exc.strerror or exc}") from exc
        try:
            self._file = sf.SoundFile(str(self._tmp), "w", self.sr, self.channels, self.subtype, format=self.format)
        except Exception as exc:
            atomic.discard(self._tmp)
            raise OutputError(_format_refused(self.path, self.format, self.subtype, self.sr, self.channels,
                                              exc)) from exc
        return self

    def write_float(self, x: np.ndarray) -> None:
        """Write [C, n] float samples. Non-finite samples are refused (AudioError), never written: as NaN
        in a float file or as whatever a cast of NaN gives in a PCM one."""
        if not np.isfinite(x).all():
            raise AudioError(f"Refusing to write NaN or infinite samples to {self.path.name}")
        self.write_raw(float_to_raw(x, self.subtype))

    def write_raw(self, raw: np.ndarray) -> None:
        try:
            self._file.write(raw)
        except Exception as exc:
            raise OutputError(f"Writing {self.path} failed: {exc}") from exc

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            try:
                self._file.close()  # flushes: can fail (disk full) and must then not be committed
            except Exception as close_exc:
                if exc_type is None:
                    raise OutputError(f"Writing {self.path} failed: {close_exc}") from close_exc
            if exc_type is None:
                try:
                    atomic.commit(self._tmp, self.path, overwrite=self.overwrite)
                except FileExistsError:
                    raise OutputError(f"{self.path} appeared while processing; refusing to overwrite it") from None
        finally:
            atomic.discard(self._tmp)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def save(audio: Audio | np.ndarray, path, sr: int | None = None, subtype: str | None = None, *,
         overwrite: bool = False, protect=None) -> Path:
    """Write [C, N] samples atomically with the given (or the Audio's) rate and subtype."""
    if isinstance(audio, Audio):
        samples, sr, subtype = audio.samples, audio.sr, subtype or audio.subtype
    else:
        samples = np.atleast_2d(audio)
        if sr is None:
            raise ValueError("sr is required when saving a bare array")
    if samples.shape[1] == 0:
        raise AudioError("Nothing to write: the audio is empty")
    if not np.all(np.isfinite(samples)):
        raise AudioError("Refusing to write audio containing NaN or infinite samples")
    with AtomicWriter(path, sr, samples.shape[0], subtype or "FLOAT", overwrite=overwrite, protect=protect) as w:
        w.write_float(samples)
    return Path(path)


def resample(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """Resample [..., N] float audio with soxr (high quality). Identity when the rates match."""
    if sr_in == sr_out:
        return np.asarray(x, dtype=np.float32)
    import soxr

    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        return soxr.resample(x, sr_in, sr_out, quality="HQ").astype(np.float32)
    return np.stack([soxr.resample(c, sr_in, sr_out, quality="HQ") for c in x]).astype(np.float32)


def list_audio_files(folder: str | os.PathLike, recursive: bool = False) -> list[Path]:
    folder = Path(folder)
    pattern = "**/*" if recursive else "*"
    return sorted(p for p in folder.glob(pattern) if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS)
