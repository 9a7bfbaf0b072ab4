"""`textsep` command line: separate one file, batch a folder, fit the NMF baseline, train, evaluate.

Exit codes (documented in `textsep --help`):
    0    success
    1    some files of a batch failed, or an unexpected internal error
    2    usage or input problem (bad arguments, unreadable/empty audio, bad windows, mode or prompt)
    3    model problem (missing/corrupt checkpoint or dictionaries, text encoder, device)
    4    output problem (exists without --overwrite, same as the input, unwritable, bad extension)
    5    a subcommand's module is not available in this installation
    130  cancelled (Ctrl-C)

Heavy modules (torch, transformers) are imported inside the commands, so `textsep --help` is instant.
"""
from __future__ import annotations

import argparse
import os
import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_MODEL, EXIT_OUTPUT, EXIT_UNAVAILABLE, EXIT_CANCELLED = 0, 1, 2, 3, 4, 5, 130

EXIT_CODES_HELP = """exit codes:
  0    success
  1    some files of a batch failed (each is listed with its reason), or an internal error
  2    usage or input problem: bad arguments, unreadable or empty audio, bad windows, mode or prompt
  3    model problem: missing or corrupt checkpoint/dictionaries, text encoder, unavailable device
  4    output problem: output exists (without --overwrite), output is the input, unwritable, bad extension
  5    the subcommand's module is not available in this installation
  130  cancelled (Ctrl-C)
"""


class CliError(Exception):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (plus a pointer to --help), exit code 2."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _err(prog: str, message: str) -> None:
    print(f"{prog}: error: {message}", file=sys.stderr)


def _warn(prog: str, message: str) -> None:
    print(f"{prog}: warning: {message}", file=sys.stderr)


# ---- shared edit options -----------------------------------------------------------------------
def _add_edit_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("edit")
    g.add_argument("--prompt-text", "--prompt_text", "--prompt", dest="prompt",
                   help='what to keep or remove, e.g. "dog bark"')
    g.add_argument("--mode", help="keep (default) or remove")
    g.add_argument("--time-windows", "--time_windows", dest="windows", nargs="+", type=float, metavar="SEC",
                   help="start end [start end ...] in seconds (default: the whole file)")
    g.add_argument("--fade-ms", "--fade_ms", dest="fade_ms", type=float, default=None,
                   help="fade inside each window edge, ms (default 20)")
    g.add_argument("--depth-db", "--depth_db", dest="depth_db", type=float, default=None,
                   help="how far the edit may turn sound down, dB (default 20; up to 120 for the full mask)")
    g.add_argument("--edits", help="edit spec JSON (regions with their own prompts/modes); replaces the options "
                                   "above")
    m = p.add_argument_group("model")
    m.add_argument("--method", choices=("unet", "nmf"), default="unet",
                   help="unet: the TextSep model (default); nmf: the NMF baseline")
    m.add_argument("--model-path", "--model_path", dest="model_path",
                   help="checkpoint (.pth) for unet, dictionaries (.npz) for nmf (default: the shipped ones)")
    m.add_argument("--baseline", action="store_true",
                   help="use the text-agnostic model (ignores the prompt; for comparison)")
    m.add_argument("--device", default=None, help="cpu, cuda, mps or auto (default: auto)")
    m.add_argument("--cpu", action="store_true", help="force the CPU (same as --device cpu)")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files (never the input)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _edit_source(a, prog: str):
    """An EditSpec, a list of Regions, or a WholeFile from the options; CliError(2) on bad input."""
    from textsep.batch import WholeFile
    from textsep.edits import DEFAULT_DEPTH_DB, DEFAULT_FADE_MS, EditError, EditSpec, regions_from_windows

    try:
        if a.edits:
            clash = [name for name, v in (("--prompt-text", a.prompt), ("--time-windows", a.windows),
                                          ("--mode", a.mode), ("--fade-ms", a.fade_ms),
                                          ("--depth-db", a.depth_db)) if v is not None]
            if clash:
                raise CliError(f"--edits carries its own regions; do not combine it with {', '.join(clash)}",
                               EXIT_USAGE)
            spec = EditSpec.load(a.edits)
            if not spec.active():
                raise CliError(f"{a.edits} has no enabled regions", EXIT_USAGE)
            return spec
        if a.prompt is None:
            raise CliError("--prompt-text is required (or give --edits)", EXIT_USAGE)
        mode = (a.mode or "keep").strip().lower()
        fade = DEFAULT_FADE_MS if a.fade_ms is None else a.fade_ms
        depth = DEFAULT_DEPTH_DB if a.depth_db is None else a.depth_db
        if a.windows is None:
            return WholeFile(a.prompt, mode, fade, depth)
        return regions_from_windows(a.prompt, mode, a.windows, fade, depth)
    except EditError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc


def _device(a) -> str:
    if a.cpu and a.device and a.device.lower() != "cpu":
        raise CliError(f"--cpu contradicts --device {a.device}", EXIT_USAGE)
    device = "cpu" if a.cpu else (a.device or "auto").lower()
    if device not in ("cpu", "cuda", "mps", "auto") and not device.startswith("cuda:"):
        raise CliError(f"Unknown device {device!r}: use cpu, cuda, mps or auto", EXIT_USAGE)
    return device


def _quiet_model_loading() -> None:
    # transformers draws a "Loading weights" bar on stderr; keep the CLI's stderr for our messages.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except Exception:  # noqa: BLE001, S110 - cosmetic only; a transformers without these APIs still works
        pass


def _load_separator(a, prog: str):
    """The Separator the options ask for; CliError(3) for any model problem."""
    _quiet_model_loading()
    from textsep.model.checkpoint import CheckpointError
    from textsep.separate import Separator
    from textsep.text import TextEncoderError

    device = _device(a)
    try:
        if a.method == "nmf":
            if a.baseline:
                raise CliError("--baseline selects the text-agnostic UNet; it does not apply to --method nmf",
                               EXIT_USAGE)
            from textsep.nmf import NMFError, NMFEstimator

            try:
                est = NMFEstimator.load(a.model_path)
            except NMFError as exc:
                raise CliError(str(exc), EXIT_MODEL) from exc
            return Separator(est)
        sep = Separator.from_checkpoint(a.model_path, device=device, baseline=a.baseline)
        if sep.estimator.text_agnostic and not a.baseline:
            _warn(prog, f"{sep.checkpoint_path.name} is the text-agnostic model: the prompt is ignored")
        return sep
    except (CheckpointError, TextEncoderError) as exc:
        raise CliError(str(exc), EXIT_MODEL) from exc
    except (RuntimeError, ValueError) as exc:  # device unavailable, encoder/model mismatch, baseline mismatch
        raise CliError(str(exc).splitlines()[0], EXIT_MODEL) from exc


def _progress_bar(quiet: bool, desc: str):
    """A tqdm bar driven by (fraction, message) callbacks; None when quiet or stderr is not a terminal."""
    if quiet or not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=1000, desc=desc, file=sys.stderr, bar_format="{desc} {percentage:3.0f}%|{bar}| {elapsed}")

    def update(frac, msg=""):
        bar.n = round(frac * 1000)
        bar.refresh()

    return bar, update


def _nmf_note(sep, prog: str) -> None:
    est = sep.estimator
    if getattr(est, "name", "") == "nmf" and getattr(est, "last_match", None):
        label, score = est.last_match
        print(f"{prog}: NMF used class '{label}' for the prompt (similarity {score:.2f})", file=sys.stderr)


# ---- separate ----------------------------------------------------------------------------------
def cmd_separate(a) -> int:
    prog = "textsep separate"
    from textsep import audio as audio_io
    from textsep.batch import WholeFile
    from textsep.edits import EditError, EditSpec, clip_regions

    source = _edit_source(a, prog)
    _device(a)
    if os.path.abspath(a.audio_in) == os.path.abspath(a.audio_out):
        raise CliError(f"The output is the input file ({a.audio_in}); choose another output path", EXIT_OUTPUT)
    try:
        info = audio_io.info(a.audio_in)
    except audio_io.AudioError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    if isinstance(source, WholeFile):
        regions = source.regions(info.duration)
    elif isinstance(source, EditSpec):
        regions = source.active()
    else:
        regions = source
    try:
        regions, warnings = clip_regions(regions, info.duration)
    except EditError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    for w in warnings:
        _warn(prog, w)
    try:
        audio_io.check_output(a.audio_out, overwrite=a.overwrite, protect=a.audio_in)
    except audio_io.AudioError as exc:
        raise CliError(str(exc), EXIT_OUTPUT) from exc

    sep = _load_separator(a, prog)
    bar, update = _progress_bar(a.quiet, os.path.basename(a.audio_in))
    from textsep.separate import Cancelled

    try:
        report = sep.separate_file(a.audio_in, a.audio_out, regions, overwrite=a.overwrite, progress=update)
    except Cancelled as exc:
        raise CliError("cancelled; nothing was written", EXIT_CANCELLED) from exc
    except audio_io.OutputError as exc:
        raise CliError(str(exc), EXIT_OUTPUT) from exc
    except audio_io.AudioError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    except EditError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    finally:
        if bar is not None:
            bar.close()
    _nmf_note(sep, prog)
    for w in report.warnings:
        if w not in warnings:
            _warn(prog, w)
    if not a.quiet:
        print(f"{a.audio_out}: {len(regions)} region(s), {report.processed_seconds:.1f} s processed",
              file=sys.stderr)
    return EXIT_OK


# ---- batch -------------------------------------------------------------------------------------
def cmd_batch(a) -> int:
    prog = "textsep batch"
    from textsep.batch import BatchError, plan_outputs, run_batch

    source = _edit_source(a, prog)
    _device(a)
    try:
        pairs = plan_outputs(a.input_dir, a.output_dir, recursive=a.recursive, suffix=a.suffix)
    except BatchError as exc:
        raise CliError(str(exc), EXIT_USAGE if "not found" in str(exc) else EXIT_OUTPUT) from exc
    if not pairs:
        raise CliError(f"No audio files in {a.input_dir}" + ("" if a.recursive else " (try --recursive)"),
                       EXIT_USAGE)
    sep = _load_separator(a, prog)
    bar = None
    on_file = None
    if not a.quiet:
        from tqdm import tqdm

        bar = tqdm(total=len(pairs), desc="batch", unit="file", file=sys.stderr,
                   bar_format="{desc} {n:.1f}/{total} files |{bar}| {elapsed}<{remaining} {postfix}")

        def on_file(ev):  # textsep.batch.FileEvent: structured per-file progress, no message parsing
            bar.n = round(ev.batch_fraction * ev.total, 2)
            bar.set_postfix_str(f"{ev.input.name} ({ev.index + 1}/{ev.total})", refresh=False)
            if ev.status == "failed":
                bar.write(f"FAILED  {ev.input}: {ev.message}", file=sys.stderr)
            bar.refresh()

    try:
        report = run_batch(sep, a.input_dir, a.output_dir, source, overwrite=a.overwrite, on_file=on_file,
                           recursive=a.recursive, suffix=a.suffix)
    except BatchError as exc:
        raise CliError(str(exc), EXIT_OUTPUT) from exc
    finally:
        if bar is not None:
            bar.close()
    print(report.summary(), file=sys.stderr)
    if report.cancelled:
        return EXIT_CANCELLED
    return EXIT_OK if report.ok else EXIT_FAILED


# ---- suggest -----------------------------------------------------------------------------------
def cmd_suggest(a) -> int:
    prog = "textsep suggest"
    from textsep import audio as audio_io
    from textsep.detect import DetectError, suggest_prompts
    from textsep.edits import EditError, Region

    try:
        aud = audio_io.load(a.audio_in)
    except audio_io.AudioError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    start, end = (a.window if a.window else (0.0, aud.duration))
    try:
        region = Region(start, min(end, aud.duration), "?")
    except EditError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    a.method, a.baseline = "unet", False
    sep = _load_separator(a, prog)
    try:
        rows = suggest_prompts(sep, aud.samples, aud.sr, region, top_k=a.top_k)
    except DetectError as exc:
        raise CliError(str(exc), EXIT_MODEL if exc.kind == "model" else EXIT_USAGE) from exc
    for label, prompt, score in rows:
        print(f"{score:6.3f}  {prompt}  ({label})")
    return EXIT_OK


# ---- dispatch to other modules -----------------------------------------------------------------
def _dispatch(module: str, argv: list[str], prog: str) -> int:
    """Run textsep.<module>.main(argv); a clear message when that module is not installed or broken."""
    import importlib

    try:
        mod = importlib.import_module(f"textsep.{module}")
    except ImportError as exc:
        _err(prog, f"this installation has no working textsep.{module} module ({exc})")
        return EXIT_UNAVAILABLE
    if not hasattr(mod, "main"):
        _err(prog, f"textsep.{module} has no main(argv) entry point")
        return EXIT_UNAVAILABLE
    rc = mod.main(argv)
    return EXIT_OK if rc is None else int(rc)


DISPATCHED = {"train": "training.cli", "evaluate": "evaluation.cli", "fit-nmf": "nmf"}


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="textsep", description="Edit sound with words: keep or remove what a text prompt describes, "
                                            "inside time windows, leaving everything else bit-identical.",
                epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"textsep {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    s = sub.add_parser("separate", help="edit one file", epilog=EXIT_CODES_HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Keep or remove a described sound inside time windows of one file. "
                                   "Only the windows (plus a little context) are read and processed.")
    s.add_argument("--audio-in", "--audio_in", dest="audio_in", required=True, help="input audio file")
    s.add_argument("--audio-out", "--audio_out", dest="audio_out", required=True,
                   help="output file (same rate, channels and sample format as the input)")
    _add_edit_options(s)
    s.set_defaults(func=cmd_separate)

    b = sub.add_parser("batch", help="apply one edit to every file in a folder", epilog=EXIT_CODES_HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Apply the same edit to every audio file in a folder. Bad files are reported "
                                   "and skipped; existing outputs are never overwritten without --overwrite.")
    b.add_argument("--input-dir", "--input_dir", dest="input_dir", required=True)
    b.add_argument("--output-dir", "--output_dir", dest="output_dir", required=True)
    b.add_argument("--recursive", action="store_true", help="include subfolders (mirrored in the output)")
    b.add_argument("--suffix", default="", help="added to each output name before the extension, e.g. _clean")
    _add_edit_options(b)
    b.set_defaults(func=cmd_batch)

    g = sub.add_parser("suggest", help="list the known prompts that best describe a window",
                       description="Rank the model's known classes by how much of the window each would keep.")
    g.add_argument("--audio-in", "--audio_in", dest="audio_in", required=True)
    g.add_argument("--window", nargs=2, type=float, metavar=("START", "END"), help="seconds (default: whole file)")
    g.add_argument("--top-k", type=int, default=5)
    g.add_argument("--model-path", "--model_path", dest="model_path")
    g.add_argument("--device", default=None)
    g.add_argument("--cpu", action="store_true")
    g.set_defaults(func=cmd_suggest)

    for name in DISPATCHED:
        sub.add_parser(name, help={"train": "train a model (see textsep train --help)",
                                   "evaluate": "evaluate models on a case list (see textsep evaluate --help)",
                                   "fit-nmf": "fit the NMF baseline's class dictionaries on a corpus"}[name],
                       add_help=False)
    return p


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("textsep")
    except Exception:  # noqa: BLE001 - not installed as a distribution (frozen app, bare source tree)
        return "unknown"


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The original inference script took its options without a subcommand: `textsep --audio-in ...`.
    if argv and argv[0].startswith("--audio") and argv[0] != "--help":
        argv = ["separate"] + argv
    if argv and argv[0] in DISPATCHED:
        try:
            return _dispatch(DISPATCHED[argv[0]], argv[1:], f"textsep {argv[0]}")
        except KeyboardInterrupt:
            _err(f"textsep {argv[0]}", "cancelled")
            return EXIT_CANCELLED
    parser = build_parser()
    try:
        a = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not getattr(a, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    prog = f"textsep {a.command}"
    try:
        return a.func(a)
    except CliError as exc:
        _err(prog, str(exc))
        return exc.code
    except KeyboardInterrupt:
        _err(prog, "cancelled; nothing was written")
        return EXIT_CANCELLED
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("TEXTSEP_DEBUG"):
            raise
        _err(prog, f"internal error: {type(exc).__name__}: {exc} (set TEXTSEP_DEBUG=1 for the traceback)")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
