"""The bodies of the `textsep` subcommands separate, batch and suggest; textsep.cli parses their options.

Each command takes the parsed options and returns an exit code. Every problem is raised as one of the
kinds in textsep.errors (InputError, ModelError, OutputError, Cancelled); textsep.cli.main prints it as
one line and exits with its kind's code (textsep.cli.EXIT_CODES), so no command catches errors itself.
Heavy modules (torch, transformers) are imported inside the functions, so `textsep --help` stays instant.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager

from textsep.cli import EXIT_FAILED, EXIT_OK, warn
from textsep.errors import Cancelled, InputError, OutputError


# ---- options shared by the commands ------------------------------------------------------------
def edit_source(a):
    """The edit the options describe: an EditSpec (--edits), Regions (--time-windows) or a WholeFile.

    textsep.edits.regions_for turns it into each file's regions.
    """
    from textsep.edits import DEFAULT_DEPTH_DB, DEFAULT_FADE_MS, EditSpec, WholeFile, regions_from_windows

    if a.edits:
        clash = [name for name, v in (("--prompt-text", a.prompt), ("--time-windows", a.windows),
                                      ("--mode", a.mode), ("--fade-ms", a.fade_ms),
                                      ("--depth-db", a.depth_db), ("--freq-range", a.freq_range))
                 if v is not None]
        if clash:
            raise InputError(f"--edits carries its own regions; do not combine it with {', '.join(clash)}")
        spec = EditSpec.load(a.edits)
        if not spec.active():
            raise InputError(f"{a.edits} has no enabled regions")
        return spec
    if a.prompt is None:
        raise InputError("--prompt-text is required (or give --edits)")
    mode = (a.mode or "keep").strip().lower()
    fade = DEFAULT_FADE_MS if a.fade_ms is None else a.fade_ms
    depth = DEFAULT_DEPTH_DB if a.depth_db is None else a.depth_db
    low, high = a.freq_range if a.freq_range else (None, None)
    if a.windows is None:
        return WholeFile(a.prompt, mode, fade, depth, low, high)
    return regions_from_windows(a.prompt, mode, a.windows, fade, depth, (low, high))


def device_option(a) -> str:
    """cpu, cuda, cuda:N, mps or auto from --device / --cpu."""
    if a.cpu and a.device and a.device.lower() != "cpu":
        raise InputError(f"--cpu contradicts --device {a.device}")
    device = "cpu" if a.cpu else (a.device or "auto").lower()
    if device not in ("cpu", "cuda", "mps", "auto") and not device.startswith("cuda:"):
        raise InputError(f"Unknown device {device!r}: use cpu, cuda, mps or auto")
    return device


def _quiet_model_loading() -> None:
    # The optional CLAP encoder goes through transformers / huggingface_hub: offline, and no progress bars
    # on the CLI's stderr (set as environment only: importing transformers here would cost a second).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def prompts_of(source) -> list[str]:
    """The distinct prompts of an edit source (EditSpec, list of Regions or WholeFile), in order."""
    from textsep.edits import EditSpec, WholeFile

    if isinstance(source, WholeFile):
        regions = source.regions(1.0)
    elif isinstance(source, EditSpec):
        regions = source.active()
    else:
        regions = [r for r in source if r.enabled]
    return list(dict.fromkeys(r.prompt for r in regions))


def report_prompts(prog: str, sep, prompts: list[str], strict: bool) -> None:
    """Say on stderr what each prompt is understood as; warn (or with --strict, fail) when unknown."""
    if getattr(sep.estimator, "text_agnostic", False):
        return
    unknown = []
    for p in prompts:
        u = sep.understand(p)
        print(f"{prog}: prompt '{p}' understood as: {u.describe()}", file=sys.stderr)
        if not u.known:
            unknown.append(p)
            warn(prog, f"the model knows no sound like '{p}' (closest: '{u.nearest}', similarity "
                       f"{u.similarity:.2f}); the edit may be wrong. `textsep sounds` lists what it knows")
    if unknown and strict:
        raise InputError(f"unknown prompt(s) with --strict: {', '.join(repr(p) for p in unknown)}")


def load_model(prog: str, model_path, device: str, *, method: str = "unet", baseline: bool = False):
    """The Separator the options ask for (textsep.loading.load_separator), warning when the prompt will
    be ignored."""
    _quiet_model_loading()
    from textsep.loading import load_separator

    sep = load_separator(model_path, method=method, baseline=baseline, device=device)
    if getattr(sep.estimator, "text_agnostic", False) and not baseline:
        warn(prog, f"{sep.checkpoint_path.name} is the text-agnostic model: the prompt is ignored")
    return sep


@contextmanager
def _file_progress(quiet: bool, desc: str):
    """Yield a progress(fraction, message) callback drawing a tqdm bar; None when quiet or not a terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=1000, desc=desc, file=sys.stderr, bar_format="{desc} {percentage:3.0f}%|{bar}| {elapsed}")

    def update(frac, msg=""):
        bar.n = round(frac * 1000)
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


@contextmanager
def _batch_progress(quiet: bool, total: int):
    """Yield an on_file(FileEvent) callback: a files bar on a terminal; elsewhere (a log, a pipe) one plain
    line per finished file. None when quiet (the summary at the end still lists every failure)."""
    if quiet:
        yield None
        return
    if not sys.stderr.isatty():
        def on_line(ev):
            if ev.final:
                reason = f": {ev.message}" if ev.message and ev.status != "written" else ""
                print(f"[{ev.index + 1}/{ev.total}] {ev.status} {ev.input}{reason}", file=sys.stderr)

        yield on_line
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc="batch", unit="file", file=sys.stderr,
               bar_format="{desc} {n:.1f}/{total} files |{bar}| {elapsed}<{remaining} {postfix}")

    def on_file(ev):  # textsep.batch.FileEvent: structured per-file progress, no message parsing
        bar.n = round(ev.batch_fraction * ev.total, 2)
        bar.set_postfix_str(f"{ev.input.name} ({ev.index + 1}/{ev.total})", refresh=False)
        if ev.status == "failed":
            bar.write(f"FAILED  {ev.input}: {ev.message}", file=sys.stderr)
        bar.refresh()

    try:
        yield on_file
    finally:
        bar.close()


# ---- the commands ------------------------------------------------------------------------------
def cmd_separate(a) -> int:
    """`textsep separate`: one file. Inputs and the output are checked before the model loads."""
    prog = "textsep separate"
    from textsep import audio as audio_io
    from textsep.chunks import region_spans
    from textsep.edits import regions_for

    source = edit_source(a)
    device = device_option(a)
    if os.path.abspath(a.audio_in) == os.path.abspath(a.audio_out):
        raise OutputError(f"The output is the input file ({a.audio_in}); choose another output path")
    info = audio_io.info(a.audio_in)
    regions = regions_for(source, info)
    region_spans(regions, info.sr, info.frames)  # a window covering no whole sample: before the model loads
    audio_io.check_output(a.audio_out, overwrite=a.overwrite, protect=a.audio_in, source=info)
    sep = load_model(prog, a.model_path, device, method=a.method, baseline=a.baseline)
    report_prompts(prog, sep, prompts_of(regions), a.strict)
    with _file_progress(a.quiet, os.path.basename(a.audio_in)) as progress:
        report = sep.separate_file(a.audio_in, a.audio_out, regions, overwrite=a.overwrite, progress=progress)
    for w in report.warnings:  # regions clipped at the end of the file, a sample format the output lacks
        warn(prog, w)
    match = getattr(sep.estimator, "last_match", None) if getattr(sep.estimator, "name", "") == "nmf" else None
    if match:
        print(f"{prog}: NMF used class '{match[0]}' for the prompt (similarity {match[1]:.2f})", file=sys.stderr)
    if not a.quiet:
        print(f"{a.audio_out}: {len(regions)} region(s), {report.processed_seconds:.1f} s processed",
              file=sys.stderr)
    return EXIT_OK


def cmd_batch(a) -> int:
    """`textsep batch`: one edit over a folder; exit 1 when some file failed, 130 when cancelled."""
    prog = "textsep batch"
    from textsep.batch import plan_outputs, run_batch

    source = edit_source(a)
    device = device_option(a)
    pairs = plan_outputs(a.input_dir, a.output_dir, recursive=a.recursive, suffix=a.suffix)
    if not pairs:
        raise InputError(f"No audio files in {a.input_dir}" + ("" if a.recursive else " (try --recursive)"))
    sep = load_model(prog, a.model_path, device, method=a.method, baseline=a.baseline)
    report_prompts(prog, sep, prompts_of(source), a.strict)
    with _batch_progress(a.quiet, len(pairs)) as on_file:
        report = run_batch(sep, a.input_dir, a.output_dir, source, overwrite=a.overwrite, on_file=on_file,
                           recursive=a.recursive, suffix=a.suffix)
    print(report.summary(), file=sys.stderr)
    if report.cancelled:
        kept = len(report.written)
        raise Cancelled("cancelled; the file in progress was not written" +
                        (f", the {kept} written before it are kept (listed above)" if kept else
                         ", and no file had been written"))
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_suggest(a) -> int:
    """`textsep suggest`: the model's known prompts that best describe a window, best first."""
    prog = "textsep suggest"
    from textsep import audio as audio_io
    from textsep.detect import suggest_prompts
    from textsep.edits import Region

    aud = audio_io.load(a.audio_in)
    start, end = (a.window if a.window else (0.0, aud.duration))
    region = Region(start, min(end, aud.duration), "?")
    sep = load_model(prog, a.model_path, device_option(a))
    for label, prompt, score in suggest_prompts(sep, aud.samples, aud.sr, region, top_k=a.top_k):
        print(f"{score:6.3f}  {prompt}  ({label})")
    return EXIT_OK


def cmd_sounds(a) -> int:
    """`textsep sounds`: the sounds the model knows, with their category and example prompts."""
    prog = "textsep sounds"
    sep = load_model(prog, a.model_path, device_option(a), method=a.method)
    voc = sep.vocabulary
    width = max(len(c) for c in voc.classes)
    for cat, label in sorted((voc.categories[c] or "-", c) for c in voc.classes):
        examples = "; ".join(voc.prompts[label][:4])
        print(f"{label.replace('_', ' '):<{width}}  {cat:<9}  {examples}")
    print(f"\n{len(voc.classes)} known sounds. Prompts are free text: a wording close to one of these is "
          "understood; `separate --strict` refuses prompts the model does not know.", file=sys.stderr)
    return EXIT_OK
