"""`textsep evaluate`: the argument parser and `main(argv)`; the work is in runner and report."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from textsep.data.cases import CaseError
from textsep.errors import TextSepError
from textsep.evaluation.runner import ALL_METHODS

ALIASES = {"oracle": "oracle-irm", "irm": "oracle-irm", "agnostic": "text-agnostic", "nogate": "no-gate",
           "mix": "mixture"}


def _parse_methods(text: list[str]) -> list[str]:
    items = [ALIASES.get(m.strip(), m.strip()) for part in text for m in part.split(",") if m.strip()]
    bad = [m for m in items if m not in ALL_METHODS]
    if bad:
        raise CaseError(f"Unknown method(s) {', '.join(bad)}; choose from {', '.join(ALL_METHODS)}")
    return list(dict.fromkeys(items))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="textsep evaluate", description="Score TextSep and its baselines on "
                                "evaluation cases (cases.csv) and write per-case and summary tables.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--cases", type=Path, help="cases.csv (case_id,mix,target,prompt,mode,start_s,end_s)")
    src.add_argument("--make-cases", type=Path, metavar="DIR",
                     help="generate a case set from --corpus's validation split into DIR, then evaluate it")
    p.add_argument("--corpus", type=Path, help="TextSep corpus folder or ESC-50 root (with --make-cases)")
    p.add_argument("--n", type=int, default=200, help="number of cases to generate (default 200)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated case set (default 0)")
    p.add_argument("--val-to-train", type=float, default=0.0, metavar="F",
                   help="with --make-cases: draw only from the validation recordings that `textsep train "
                        "--val-to-train F` leaves out of training")
    p.add_argument("--val-folds", default="5", help="ESC-50 only: validation folds, e.g. 5 or 4,5")
    p.add_argument("--overwrite", action="store_true", help="with --make-cases: replace an existing case set")
    p.add_argument("--model-path", type=Path, help="text-conditioned checkpoint (default: shipped model)")
    p.add_argument("--baseline-path", type=Path, help="text-agnostic checkpoint (default: shipped baseline)")
    p.add_argument("--nmf-path", type=Path, help="NMF dictionaries (default: shipped nmf_dictionaries.npz)")
    p.add_argument("--methods", nargs="+", default=[",".join(ALL_METHODS)], metavar="M",
                   help=f"methods to run, comma- or space-separated (default all: {','.join(ALL_METHODS)})")
    p.add_argument("--out", type=Path, help="results folder (default: <cases folder>/results)")
    p.add_argument("--limit", type=int, help="evaluate only the first N cases")
    p.add_argument("--device", default="cpu", help="cpu (default), cuda, mps or auto")
    p.add_argument("--no-clap", action="store_true", help="skip the CLAP similarity even if CLAP is set up")
    p.add_argument("--no-sdr", action="store_true", help="skip BSS Eval SDR (SI-SDR only; faster)")
    return p


def _make_cases(args) -> Path:
    from textsep.data.cases import make_cases
    from textsep.data.corpus import load_corpus, move_val_groups
    from textsep.data.esc50 import is_esc50, load_esc50

    if args.corpus is None:
        raise CaseError("--make-cases needs --corpus (a TextSep corpus folder or an ESC-50 root)")
    if is_esc50(args.corpus):
        if args.val_to_train:
            raise CaseError("--val-to-train needs a TextSep corpus; ESC-50 splits by --val-folds")
        folds = [int(f) for f in str(args.val_folds).replace(",", " ").split()]
        train = [f for f in range(1, 6) if f not in folds]
        corpus = load_esc50(args.corpus, train_folds=train, val_folds=folds)
    else:
        corpus = move_val_groups(load_corpus(args.corpus), args.val_to_train)
    make_cases(corpus, args.make_cases, n=args.n, seed=args.seed, overwrite=args.overwrite)
    return args.make_cases / "cases.csv"



def _load_cases(args):
    """(cases.csv path, its cases), generating the case set first with --make-cases."""
    from textsep.data.cases import read_cases

    if args.limit is not None and args.limit < 1:
        raise CaseError("--limit must be at least 1")
    if args.make_cases:
        cases_csv = _make_cases(args)
        print(f"Wrote {args.n} cases to {cases_csv}", file=sys.stderr)
    else:
        cases_csv = args.cases
    cases = read_cases(cases_csv)
    return cases_csv, cases[: args.limit] if args.limit else cases


def _run(args, methods: list[str], cases, separators: dict) -> list[dict]:
    from textsep.evaluation.runner import evaluate_cases

    def progress(i, n, case):
        print(f"\r[{i + 1}/{n}] {case.case_id}", end="", file=sys.stderr, flush=True)

    rows = evaluate_cases(separators, cases,
                          no_gate_of="textsep" if "no-gate" in methods else None,
                          wrong_prompt_of="textsep" if "wrong-prompt" in methods else None,
                          oracle="oracle-irm" in methods, mixture="mixture" in methods,
                          gated=[m for m in separators if m in methods],
                          clap=False if args.no_clap else None, with_sdr=not args.no_sdr,
                          progress=progress)
    print(file=sys.stderr)
    return rows


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help or a usage error: argparse has printed the message
        return int(exc.code or 0)
    from textsep.data.corpus import DatasetError
    from textsep.evaluation.report import summarize, write_results
    from textsep.evaluation.runner import clap_unavailable_reason, load_methods

    try:
        methods = _parse_methods(args.methods)
        cases_csv, cases = _load_cases(args)
        separators, unavailable, loaded = load_methods(methods, model_path=args.model_path,
                                                       baseline_path=args.baseline_path, nmf_path=args.nmf_path,
                                                       device=args.device)
    except (CaseError, DatasetError, TextSepError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - checkpoint / NMF files given explicitly that cannot be loaded
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2

    info = {"cases file": str(cases_csv), **loaded}
    clap_why = clap_unavailable_reason(False if args.no_clap else None)
    info["CLAP similarity"] = f"unavailable: {clap_why}" if clap_why else "msclap"
    for m, why in unavailable.items():
        print(f"note: {m} unavailable: {why}", file=sys.stderr)
    t0 = time.perf_counter()
    try:
        rows = _run(args, methods, cases, separators)
    except CaseError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 2
    info["elapsed"] = f"{time.perf_counter() - t0:.1f} s"
    md, long = summarize(rows, unavailable, info=info)
    out = args.out or Path(cases_csv).parent / "results"
    paths = write_results(out, rows, md, long)
    print(md)
    print(f"\nWrote {paths['per_case']}, {paths['summary_md']} and {paths['summary_csv']}", file=sys.stderr)
    return 1 if any(r["status"] == "error" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
