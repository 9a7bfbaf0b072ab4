"""Apply one edit to every audio file in a folder (CLI `textsep batch` and the desktop batch dialog).

One bad file never stops the run: each failure is recorded with its reason and the rest go on. Nothing
is ever overwritten without overwrite=True, and an input file is never overwritten at all. Windows
running past a shorter file's end are clipped with a warning; a window wholly past the end fails that
file only.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from textsep import audio as audio_io
from textsep.edits import EditSource, WholeFile, regions_for
from textsep.errors import Cancelled, InputError, OutputError, TextSepError, user_message

__all__ = ["BatchError", "BatchInputError", "BatchOutputError", "BatchReport", "EditSource", "FileEvent",
           "FileResult", "WholeFile", "plan_outputs", "run_batch"]


class BatchError(TextSepError, ValueError):
    """The batch as a whole cannot run; the message is meant for the user. Raised as one of the two kinds
    below, so the CLI's exit code follows the kind (input 2, output 4)."""


class BatchInputError(BatchError, InputError):
    """The input folder is missing."""


class BatchOutputError(BatchError, OutputError):
    """The output folder cannot be used (not a folder, the input folder without a suffix, unwritable)."""


@dataclass
class FileResult:
    input: Path
    output: Path | None
    status: str  # "written", "skipped", "failed", "cancelled"
    reason: str = ""
    warnings: list[str] = field(default_factory=list)


FINAL_STATUSES = ("written", "skipped", "failed", "cancelled")


@dataclass(frozen=True)
class FileEvent:
    """One step of one file, for `run_batch(on_file=...)`: a file "started", made "progress", and ended
    with its final status (one of FINAL_STATUSES, carrying the FileResult)."""

    index: int  # 0-based position in the batch
    total: int  # number of files in the batch
    input: Path
    output: Path | None
    status: str  # "started", "progress", or a final status
    fraction: float = 0.0  # of this file, 0..1
    message: str = ""  # the engine's progress message, or the reason a file was skipped or failed
    result: FileResult | None = None  # on the final event

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def batch_fraction(self) -> float:
        """Of the whole batch, 0..1."""
        return min(1.0, (self.index + (1.0 if self.final else self.fraction)) / max(1, self.total))


@dataclass
class BatchReport:
    results: list[FileResult] = field(default_factory=list)
    cancelled: bool = False

    def _with(self, status):
        return [r for r in self.results if r.status == status]

    @property
    def written(self) -> list[FileResult]:
        return self._with("written")

    @property
    def skipped(self) -> list[FileResult]:
        return self._with("skipped")

    @property
    def failed(self) -> list[FileResult]:
        return self._with("failed")

    @property
    def ok(self) -> bool:
        return not self.failed and not self.cancelled

    def summary(self) -> str:
        """Human-readable account: counts, then every skip, failure and warning with its reason."""
        lines = [f"{len(self.written)} written, {len(self.skipped)} skipped, {len(self.failed)} failed"
                 + (", cancelled" if self.cancelled else "")]
        for r in self.skipped:
            lines.append(f"  skipped {r.input}: {r.reason}")
        for r in self.failed:
            lines.append(f"  FAILED  {r.input}: {r.reason}")
        for r in self.results:
            for w in r.warnings:
                lines.append(f"  warning {r.input.name}: {w}")
        return "\n".join(lines)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def plan_outputs(input_dir, output_dir, *, recursive: bool = False, suffix: str = "") -> list[tuple[Path, Path]]:
    """(input, output) pairs: output keeps the relative path and extension, with `suffix` before it.

    Raises BatchError for a missing input folder or when outputs would take the inputs' own names.
    """
    input_dir, output_dir = Path(input_dir), Path(output_dir)
    if not input_dir.is_dir():
        raise BatchInputError(f"Input folder not found: {input_dir}")
    if output_dir.exists() and not output_dir.is_dir():
        raise BatchOutputError(f"Output path {output_dir} exists and is not a folder")
    same = output_dir.exists() and os.path.samefile(input_dir, output_dir)
    if same and not suffix:
        raise BatchOutputError("The output folder is the input folder: the outputs would take the inputs' names. "
                         "Choose another output folder or give a suffix")
    files = audio_io.list_audio_files(input_dir, recursive)
    if recursive and not same and _inside(output_dir, input_dir):
        files = [f for f in files if not _inside(f, output_dir)]  # earlier outputs are not new inputs
    pairs = []
    for f in files:
        rel = f.relative_to(input_dir)
        pairs.append((f, output_dir / rel.parent / f"{rel.stem}{suffix}{rel.suffix}"))
    return pairs


def run_batch(separator, input_dir, output_dir, regions_or_spec: EditSource, *, overwrite: bool = False,
              progress: Callable[[float, str], None] | None = None,
              cancel: threading.Event | Callable[[], bool] | None = None,
              recursive: bool = False, suffix: str = "",
              on_file: Callable[[FileEvent], None] | None = None) -> BatchReport:
    """Apply the same edit to every audio file in input_dir, writing to output_dir.

    regions_or_spec: a list of Regions, an EditSpec, a WholeFile, or a callable(AudioInfo) -> regions.
    progress(fraction, message) covers the whole batch. on_file(FileEvent) follows each file by structure,
    not text: "started", "progress" (its own fraction and the engine's message), then exactly one final
    event (written / skipped / failed / cancelled, with the FileResult); files after a cancel get none.
    Both are called on the thread running the batch. Setting `cancel` stops after the current chunk;
    the file in progress is not written and the report says cancelled=True; a KeyboardInterrupt (Ctrl+C)
    does the same (the files written before it stay, and the report lists them). Per-file problems are
    recorded in the report, never raised; BatchError is raised only when the batch cannot start.
    """
    pairs = plan_outputs(input_dir, output_dir, recursive=recursive, suffix=suffix)
    output_dir = Path(output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchOutputError(f"Cannot create the output folder {output_dir}: {exc.strerror or exc}") from exc
    if not os.access(output_dir, os.W_OK):
        raise BatchOutputError(f"The output folder {output_dir} is not writable")
    inputs = {p.resolve() for p, _ in pairs}
    report = BatchReport()
    total = len(pairs)
    n = max(1, total)
    planned: set[Path] = set()

    def event(i, src, dst, status, frac=0.0, msg="", res=None):
        if on_file:
            on_file(FileEvent(i, total, src, dst, status, float(frac), msg, res))

    for i, (src, dst) in enumerate(pairs):
        def sub(frac, msg, i=i, src=src, dst=dst):
            if progress:
                progress(min(1.0, (i + frac) / n), f"{src.name} ({i + 1}/{total}): {msg}")
            event(i, src, dst, "progress", min(1.0, max(0.0, frac)), msg)

        if progress:
            progress(i / n, f"{src.name} ({i + 1}/{total})")
        event(i, src, dst, "started")
        res = FileResult(src, dst, "failed")
        report.results.append(res)
        try:
            _run_one(separator, regions_or_spec, src, dst, res, inputs, planned, overwrite, sub, cancel)
        except KeyboardInterrupt:  # Ctrl+C (or SIGTERM in the CLI): a cancel, with the files so far kept
            res.status, res.reason = "cancelled", "interrupted before it was written"
        event(i, src, dst, res.status, 1.0, res.reason, res)
        if res.status == "cancelled":
            report.cancelled = True
            break
    if progress and not report.cancelled:
        progress(1.0, f"Done: {len(report.written)} written, {len(report.failed)} failed")
    return report


def _run_one(separator, regions_or_spec, src: Path, dst: Path, res: FileResult, inputs: set, planned: set,
             overwrite: bool, sub, cancel) -> None:
    """Process one file of run_batch, recording the outcome in `res` (never raising for the file's own
    problems)."""
    if dst.resolve() in inputs:
        res.status, res.reason = "skipped", f"the output {dst} is one of the input files"
        return
    if dst.resolve() in planned:
        res.reason = f"another input already writes {dst}"
        return
    planned.add(dst.resolve())
    if dst.exists() and not overwrite:
        res.status, res.reason = "skipped", f"{dst} already exists"
        return
    try:
        regions = regions_for(regions_or_spec, audio_io.info(src))
        dst.parent.mkdir(parents=True, exist_ok=True)
        res.warnings = separator.separate_file(src, dst, regions, overwrite=overwrite, progress=sub,
                                               cancel=cancel).warnings
        res.status = "written"
    except Cancelled:
        res.status, res.reason = "cancelled", "cancelled before it was written"
    except (InputError, OutputError) as exc:  # the file's own problem, told in the user's words
        res.reason = str(exc)
    except Exception as exc:  # noqa: BLE001 - a bug or resource problem with one file must not lose the rest
        res.reason = user_message(exc)
