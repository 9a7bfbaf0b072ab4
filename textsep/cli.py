"""`textsep` command line: separate one file, batch a folder, fit the NMF baseline, train, evaluate.

Exit codes (documented in `textsep --help`):
    0    success
    1    some files of a batch failed, or an unexpected internal error
    2    usage or input problem (bad arguments, unreadable/empty audio, bad windows, mode or prompt)
    3    model problem (missing/corrupt checkpoint or dictionaries, text encoder, device)
    4    output problem (exists without --overwrite, same as the input, unwritable, bad extension)
    5    a subcommand's module is not available in this installation
    130  cancelled (Ctrl-C or SIGTERM)

This module parses the arguments and turns errors into exit codes (EXIT_CODES, in main); the command
bodies are in textsep.commands. Heavy modules (torch, transformers) are imported inside the commands,
so `textsep --help` is instant.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from contextlib import contextmanager

from textsep.errors import Cancelled, InputError, ModelError, OutputError, TextSepError, user_message

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_MODEL, EXIT_OUTPUT, EXIT_UNAVAILABLE, EXIT_CANCELLED = 0, 1, 2, 3, 4, 5, 130

EXIT_CODES_HELP = """exit codes:
  0    success
  1    some files of a batch failed (each is listed with its reason), or an internal error
  2    usage or input problem: bad arguments, unreadable or empty audio, bad windows, mode or prompt
  3    model problem: missing or corrupt checkpoint/dictionaries, text encoder, unavailable device
  4    output problem: output exists (without --overwrite), output is the input, unwritable, bad extension
  5    the subcommand's module is not available in this installation
  130  cancelled (Ctrl-C or SIGTERM; a file being written is removed)
"""


# One table from error kind to exit code, applied in one place (main). The first class of an error's MRO
# found here decides; an error of no kind here is an internal error (1).
EXIT_CODES: dict[type, int] = {InputError: EXIT_USAGE, ModelError: EXIT_MODEL, OutputError: EXIT_OUTPUT,
                               Cancelled: EXIT_CANCELLED, KeyboardInterrupt: EXIT_CANCELLED}
CANCELLED_MESSAGE = "cancelled; nothing was written"


def exit_code(exc: BaseException) -> int:
    """The exit code for `exc` according to EXIT_CODES (EXIT_FAILED for anything else)."""
    return next((EXIT_CODES[cls] for cls in type(exc).__mro__ if cls in EXIT_CODES), EXIT_FAILED)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (plus a pointer to --help), exit code 2."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _err(prog: str, message: str) -> None:
    print(f"{prog}: error: {message}", file=sys.stderr)


def warn(prog: str, message: str) -> None:
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
    g.add_argument("--freq-range", "--freq_range", dest="freq_range", nargs=2, type=float, metavar=("LOW", "HIGH"),
                   help="apply the edit only between LOW and HIGH Hz (smooth band edges); default: all frequencies")
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
    p.add_argument("--strict", action="store_true",
                   help="refuse (exit 2) a prompt the model does not know, instead of warning")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files (never the input)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


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
    from textsep import commands

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
    s.set_defaults(func=commands.cmd_separate)

    b = sub.add_parser("batch", help="apply one edit to every file in a folder", epilog=EXIT_CODES_HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Apply the same edit to every audio file in a folder. Bad files are reported "
                                   "and skipped; existing outputs are never overwritten without --overwrite.")
    b.add_argument("--input-dir", "--input_dir", dest="input_dir", required=True)
    b.add_argument("--output-dir", "--output_dir", dest="output_dir", required=True)
    b.add_argument("--recursive", action="store_true", help="include subfolders (mirrored in the output)")
    b.add_argument("--suffix", default="", help="added to each output name before the extension, e.g. _clean")
    _add_edit_options(b)
    b.set_defaults(func=commands.cmd_batch)

    g = sub.add_parser("suggest", help="list the known prompts that best describe a window",
                       description="Rank the model's known classes by how much of the window each would keep.")
    g.add_argument("--audio-in", "--audio_in", dest="audio_in", required=True)
    g.add_argument("--window", nargs=2, type=float, metavar=("START", "END"), help="seconds (default: whole file)")
    g.add_argument("--top-k", type=int, default=5)
    g.add_argument("--model-path", "--model_path", dest="model_path")
    g.add_argument("--device", default=None)
    g.add_argument("--cpu", action="store_true")
    g.set_defaults(func=commands.cmd_suggest)

    k = sub.add_parser("sounds", help="list the sounds the model knows, with example prompts",
                       description="The known sounds of the model, their category and example prompts.")
    k.add_argument("--model-path", "--model_path", dest="model_path")
    k.add_argument("--method", choices=("unet", "nmf"), default="unet")
    k.add_argument("--device", default=None)
    k.add_argument("--cpu", action="store_true")
    k.set_defaults(func=commands.cmd_sounds)

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


def _terminate(signum, frame):
    """SIGTERM ends the run as Ctrl+C does: the KeyboardInterrupt unwinds through the atomic writers,
    which remove their hidden temporary files (the default action would kill the process and leave them)."""
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def _sigterm_as_interrupt():
    """Within the block, SIGTERM raises KeyboardInterrupt (main thread only; the old handler comes back)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def main(argv=None) -> int:
    with _sigterm_as_interrupt():
        return _main(argv)


def _cancelled() -> None:
    """After an interrupt: remove any temporary file still pending (each writer removes its own as the
    interrupt unwinds it; this covers one interrupted between creating its file and its `with`)."""
    from textsep import atomic

    atomic.remove_pending()


def _main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The original inference script took its options without a subcommand: `textsep --audio-in ...`.
    if argv and argv[0].startswith("--audio") and argv[0] != "--help":
        argv = ["separate"] + argv
    if argv and argv[0] in DISPATCHED:
        try:
            return _dispatch(DISPATCHED[argv[0]], argv[1:], f"textsep {argv[0]}")
        except KeyboardInterrupt:
            _cancelled()
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
    except BrokenPipeError:  # `textsep sounds | head`: the reader left; not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so the interpreter's final flush stays quiet
        return EXIT_OK
    except (TextSepError, KeyboardInterrupt) as exc:  # the one place errors become messages and exit codes
        code = exit_code(exc)
        if code == EXIT_CANCELLED:
            _cancelled()
        # A Cancelled error says what was kept (batch); a bare interrupt stopped one file before its commit.
        _err(prog, user_message(exc) if isinstance(exc, TextSepError) else CANCELLED_MESSAGE)
        return code
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("TEXTSEP_DEBUG"):
            raise
        _err(prog, f"internal error: {user_message(exc)} (set TEXTSEP_DEBUG=1 for the traceback)")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
