"""`textsep train`: the argument parser and `main(argv)` (the work is in textsep.training.trainer).

One process by default; `--procs N` runs N data-parallel processes on this machine and is exactly
`torchrun --standalone --nproc_per_node N -m textsep train ...`; under torchrun (any number of machines)
each process is one worker of the run (see textsep.training.distributed).
"""
from __future__ import annotations

import argparse
import os
import sys

from textsep.training.objective import LOSSES

DESCRIPTION = "train the text-conditioned UNet (or its text-agnostic twin) on on-the-fly mixtures."


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="textsep train", description=f"`textsep train`: {DESCRIPTION}")
    d = p.add_argument_group("data")
    d.add_argument("--corpus", help="labelled corpus folder (manifest.csv + classes.csv)")
    d.add_argument("--esc50-path", help="ESC-50 root (meta/esc50.csv, audio/)")
    d.add_argument("--train-folds", type=int, nargs="+", default=[1, 2, 3, 4], help="ESC-50 folds to train on")
    d.add_argument("--val-folds", type=int, nargs="+", default=[5], help="ESC-50 folds to validate on")
    d.add_argument("--seconds", type=float, default=4.0, help="mixture length")
    d.add_argument("--val-examples", type=int, default=96)
    d.add_argument("--p-event", type=float, default=0.0,
                   help="probability that the target is a short event with silence around it")
    d.add_argument("--p-fill", type=float, default=0.0,
                   help="probability that an interferer spans the whole mixture (clips end to end)")
    d.add_argument("--speed-aug", type=float, default=0.0, help="probability of a small speed change per source")
    d.add_argument("--pair", nargs=2, action="append", default=[], metavar=("A", "B"),
                   help="two easily confused classes drawn against each other (repeatable), e.g. "
                        "female_speech male_speech")
    d.add_argument("--p-pair", type=float, default=0.0, help="probability an example comes from a --pair")
    d.add_argument("--snr", nargs=2, type=float, default=[-5.0, 5.0], metavar=("LO", "HI"),
                   help="target-to-interference ratio range in dB")
    d.add_argument("--snr-over", choices=("mix", "target"), default="mix",
                   help="measure the SNR over the whole mixture, or over the span where the target sounds "
                        "(as evaluation cases do: a short event is then as loud against its background as "
                        "--snr says)")
    d.add_argument("--interferers", nargs=2, type=int, default=None, metavar=("MIN", "MAX"),
                   help="interferer count drawn uniformly (default: 1, or 2 with probability 0.3)")
    d.add_argument("--class-weighting", choices=("balanced", "sqrt"), default="balanced",
                   help="target classes equally often, or in proportion to sqrt(training seconds)")
    d.add_argument("--hold-out", nargs="+", default=[], metavar="LABEL",
                   help="classes left out of training and validation (to measure never-heard sounds)")
    d.add_argument("--val-to-train", type=float, default=0.0, metavar="F",
                   help="move this fraction of each class's validation recordings into training (0.5: measure "
                        "on the rest what more recordings are worth, with `textsep evaluate --make-cases "
                        "--val-to-train 0.5`; 1: the final fit, validated on training recordings)")
    d.add_argument("--by-group", action="store_true",
                   help="draw a recording/speaker first, then one of its clips")
    d.add_argument("--eq-aug", type=float, default=0.0, help="probability of a random smooth EQ per source")
    d.add_argument("--eq-db", type=float, default=6.0, help="largest gain or cut of that EQ curve, in dB")
    d.add_argument("--reverb-aug", type=float, default=0.0,
                   help="probability that a source is put in a synthetic room (RT60 0.1-0.8 s)")
    d.add_argument("--speed-range", type=float, nargs=2, default=[0.92, 1.08], metavar=("LOW", "HIGH"),
                   help="speed factors of --speed-aug; sources holding a --pair class keep 0.92-1.08")
    d.add_argument("--layer-aug", type=float, default=0.0,
                   help="probability that a second clip of the target's class is layered under the target")
    d.add_argument("--absent-aug", type=float, default=0.0,
                   help="probability that the prompt names a sound the mixture lacks (keep then keeps nothing, "
                        "remove leaves the mixture as it is)")
    o = p.add_argument_group("optimisation")
    o.add_argument("--epochs", type=int, default=100)
    o.add_argument("--steps-per-epoch", type=int, default=100)
    o.add_argument("--batch-size", type=int, default=8, help="per process")
    o.add_argument("--lr", type=float, default=1e-3)
    o.add_argument("--plateau-patience", type=int, default=5,
                   help="validations without improvement before the learning rate halves (noisy validation "
                        "sets with short epochs want more)")
    o.add_argument("--lr-schedule", choices=("plateau", "cosine", "constant"), default="plateau",
                   help="halve the rate when validation stalls (plateau), a fixed half-cosine from --lr to "
                        "2 %% of it over --epochs (cosine; not fooled by a noisy validation set), or --lr "
                        "throughout (constant: for averaging the run's checkpoints, textsep.training.averaging)")
    o.add_argument("--restart-lr", action="store_true",
                   help="with --resume: continue the weights and Adam state but restart the learning rate at --lr")
    o.add_argument("--weight-decay", type=float, default=0.0, help="decoupled weight decay (AdamW) when > 0")
    o.add_argument("--loss", choices=list(LOSSES), default="mag")
    o.add_argument("--max-cpu-minutes", type=float, default=None, help="stop once this much CPU time is spent")
    o.add_argument("--seed", type=int, default=0)
    o.add_argument("--bf16", action="store_true", help="bf16 autocast for the network on the CPU (always on when training on a GPU)")
    o.add_argument("--procs", type=int, default=1, help="data-parallel processes on this machine, as torchrun --standalone "
                   "--nproc_per_node N (gloo on the CPU, NCCL on GPUs); 2 suits a 2-core CPU")
    o.add_argument("--threads", type=int, default=None, help="torch threads per process (default: cores/procs)")
    o.add_argument("--num-workers", type=int, default=0, help="accepted for compatibility; mixtures are made "
                   "in the training process(es), which is cheaper than worker processes here")
    m = p.add_argument_group("model")
    m.add_argument("--base", type=int, default=16, help="channels of the first UNet level")
    m.add_argument("--bands", type=int, default=128, help="mel bands of the model's input/mask")
    m.add_argument("--film", nargs="+", default=["bottleneck", "decoder"],
                   choices=["encoder", "bottleneck", "decoder"])
    m.add_argument("--patch", type=int, nargs=2, default=[4, 1], metavar=("F", "T"),
                   help="fold FxT neighbouring bins into channels before the first level (speed)")
    m.add_argument("--context", type=int, default=0, metavar="LAYERS",
                   help="self-attention layers across time at the bottleneck (0: none)")
    m.add_argument("--no-routing", action="store_true", help="condition on the text embedding only")
    m.add_argument("--baseline", action="store_true", help="train the text-agnostic baseline")
    r = p.add_argument_group("output")
    r.add_argument("--output-dir", default="runs/textsep")
    r.add_argument("--name", default=None, help="file prefix (default textsep_unet[_agnostic])")
    r.add_argument("--save-every", type=int, default=10, help="epochs between {name}_epochN.pth")
    r.add_argument("--val-every", type=int, default=1,
                   help="epochs between validations (and resume states); epochs that save a checkpoint and the "
                        "last one always validate. Validating 200 mixtures costs about a third of a 50-step epoch "
                        "on a CPU while the other processes wait; the plateau rule counts validations")
    r.add_argument("--resume", nargs="?", const="auto", default=None,
                   help="resume from a {name}_last.pth (default: the one in --output-dir)")
    r.add_argument("--init-from", default=None,
                   help="start from this checkpoint's weights (same model settings) with a fresh optimiser; "
                        "ignored when resuming")
    r.add_argument("--cpu", action="store_true", help="train on the CPU even if a GPU is present (default: "
                   "the GPU of each process's local rank when CUDA is available)")
    r.add_argument("--quiet", action="store_true")
    return p


def _threads(args, procs_here: int) -> int:
    """Torch threads per process: --threads, else this machine's cores shared by its processes."""
    return args.threads or max(1, (os.cpu_count() or 2) // procs_here)


def _run_worker(args, argv: list[str]) -> int:
    """This process's part of the run: join the process group (if any), train, leave it."""
    import torch

    from textsep.cli import warn
    from textsep.training.distributed import Dist, cpu_has_native_bf16
    from textsep.training.trainer import Trainer

    dist = Dist.start(force_cpu=args.cpu)
    if args.bf16 and dist.device.type == "cpu" and dist.is_main and not cpu_has_native_bf16():
        warn("textsep train", f"--bf16: this CPU ({torch.backends.cpu.get_cpu_capability()}) has no native bf16 "
             "instructions, so autocast emulates them: a training step ran 11x slower than in fp32 on such a "
             "CPU (AMD Zen 3). Leave --bf16 out here.")
    try:
        torch.set_num_threads(_threads(args, dist.local_world))
        Trainer(args, dist, command="textsep train " + " ".join(argv)).fit()
    finally:
        dist.close()
    return 0


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0 < args.speed_range[0] <= args.speed_range[1]:
        low, high = args.speed_range
        parser.error(f"--speed-range needs 0 < LOW <= HIGH, not {low:g} {high:g}")
    if args.absent_aug and args.baseline:
        parser.error("--absent-aug needs prompts; the text-agnostic --baseline has none")
    from textsep.data.corpus import DatasetError
    from textsep.errors import TextSepError
    from textsep.training.distributed import launch_local, under_torchrun

    try:
        if under_torchrun():
            if args.procs not in (1, int(os.environ.get("LOCAL_WORLD_SIZE", args.procs))):
                raise SystemExit("textsep train: under torchrun the process count is torchrun's "
                                 "--nproc_per_node; leave out --procs")
            return _run_worker(args, argv)
        if args.procs > 1:
            os.environ.setdefault("OMP_NUM_THREADS", str(_threads(args, args.procs)))  # torchrun's default is 1
            return launch_local(args.procs, argv)
        return _run_worker(args, argv)
    except (TextSepError, DatasetError) as exc:
        print(f"textsep train: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
