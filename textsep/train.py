"""`textsep train`: train the text-conditioned UNet (or its text-agnostic twin) on on-the-fly mixtures.

CPU time is the budget, so the recipe is built for learning per CPU-minute: a 128-band mel front end
(mask mapped back to linear bins for the loss), a small UNet, class-balanced sampling, crops on the
active part of clips, prompts routed through their similarity to the known class prompts, and optional
two-process data parallelism (two 1-thread processes beat one 2-thread process on this CPU). Every
validation records the process CPU minutes spent so far, so variants can be compared as curves of
validation SI-SDRi against CPU minutes. A run resumes from `{name}_last.pth` at an epoch boundary and
reproduces the same data (each epoch's mixtures are seeded by (seed, rank, epoch)).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from textsep.data.corpus import Corpus, load_corpus
from textsep.data.mixtures import ClipBank, MixConfig, MixtureSampler
from textsep.model.checkpoint import read_checkpoint, save_checkpoint
from textsep.model.unet import ModelConfig, TextConditionedUNet, count_parameters
from textsep.spectral import SpecConfig, band_filterbank, band_to_freq_matrix, istft, stft

VAL_SEED = 1234


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="textsep train", description=__doc__.split("\n\n")[0])
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
    d.add_argument("--interferers", nargs=2, type=int, default=None, metavar=("MIN", "MAX"),
                   help="interferer count drawn uniformly (default: 1, or 2 with probability 0.3)")
    d.add_argument("--class-weighting", choices=("balanced", "sqrt"), default="balanced",
                   help="target classes equally often, or in proportion to sqrt(training seconds)")
    d.add_argument("--by-group", action="store_true",
                   help="draw a recording/speaker first, then one of its clips")
    d.add_argument("--eq-aug", type=float, default=0.0, help="probability of a random smooth EQ per source")
    o = p.add_argument_group("optimisation")
    o.add_argument("--epochs", type=int, default=100)
    o.add_argument("--steps-per-epoch", type=int, default=100)
    o.add_argument("--batch-size", type=int, default=8, help="per process")
    o.add_argument("--lr", type=float, default=1e-3)
    o.add_argument("--weight-decay", type=float, default=0.0, help="decoupled weight decay (AdamW) when > 0")
    o.add_argument("--loss", choices=["mag", "mask", "sisdr", "mag+sisdr"], default="mag")
    o.add_argument("--max-cpu-minutes", type=float, default=None, help="stop once this much CPU time is spent")
    o.add_argument("--seed", type=int, default=0)
    o.add_argument("--bf16", action="store_true", help="bf16 autocast for the network (CPU)")
    o.add_argument("--procs", type=int, default=1, help="data-parallel processes (gloo); 2 suits a 2-core CPU")
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
    m.add_argument("--no-routing", action="store_true", help="condition on the text embedding only")
    m.add_argument("--baseline", action="store_true", help="train the text-agnostic baseline")
    r = p.add_argument_group("output")
    r.add_argument("--output-dir", default="runs/textsep")
    r.add_argument("--name", default=None, help="file prefix (default textsep_unet[_agnostic])")
    r.add_argument("--save-every", type=int, default=10, help="epochs between {name}_epochN.pth")
    r.add_argument("--resume", nargs="?", const="auto", default=None,
                   help="resume from a {name}_last.pth (default: the one in --output-dir)")
    r.add_argument("--init-from", default=None,
                   help="start from this checkpoint's weights (same model settings) with a fresh optimiser; "
                        "ignored when resuming")
    r.add_argument("--cpu", action="store_true", help="train on the CPU even if a GPU is present")
    r.add_argument("--quiet", action="store_true")
    return p


# ---- data -----------------------------------------------------------------------------------------
def load_dataset(args) -> Corpus:
    if args.corpus:
        return load_corpus(args.corpus)
    if args.esc50_path:
        from textsep.data.esc50 import load_esc50

        return load_esc50(args.esc50_path, train_folds=args.train_folds, val_folds=args.val_folds)
    raise SystemExit("textsep train: give --corpus or --esc50-path")


def prompt_table(corpus: Corpus, labels: list[str]):
    """Embeddings of every paraphrase, and per-class anchors from the training paraphrases only."""
    from textsep.text import get_encoder

    enc = get_encoder()
    all_prompts = sorted({p for lab in labels for p in corpus.prompts[lab]})
    vecs = dict(zip(all_prompts, enc.encode(all_prompts)))
    anchors = np.stack([np.mean([vecs[p] for p in corpus.train_prompts(lab)], axis=0) for lab in labels])
    return vecs, torch.from_numpy(anchors), enc


class Frontend:
    """STFT, band features and the band->linear mask map, shared by training and validation."""

    def __init__(self, spec: SpecConfig):
        self.spec = spec
        self.fb = torch.from_numpy(band_filterbank(spec))
        self.b2f = torch.from_numpy(band_to_freq_matrix(spec, np.arange(spec.n_bins) * spec.sr / spec.n_fft))

    def analyse(self, t: torch.Tensor, i: torch.Tensor):
        T = stft(t, self.spec.n_fft, self.spec.hop)
        I = stft(i, self.spec.n_fft, self.spec.hop)
        X = T + I
        return X, T, I, self.fb @ X.abs()

    def linear_mask(self, band_mask: torch.Tensor) -> torch.Tensor:
        return self.b2f @ band_mask


def si_sdr(est: torch.Tensor, ref: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    ref = ref - ref.mean(-1, keepdim=True)
    est = est - est.mean(-1, keepdim=True)
    a = (est * ref).sum(-1, keepdim=True) / (ref.pow(2).sum(-1, keepdim=True) + eps)
    s = a * ref
    return 10 * torch.log10(s.pow(2).sum(-1) / ((est - s).pow(2).sum(-1) + eps) + eps)


def loss_fn(kind: str, M: torch.Tensor, X, T, I, fe: Frontend, length: int) -> torch.Tensor:
    Xm, Tm, Im = X.abs(), T.abs(), I.abs()
    losses = []
    if kind in ("mag", "mag+sisdr"):
        norm = Xm.mean(dim=(1, 2), keepdim=True) + 1e-8  # each example weighs the same
        losses.append(((M * Xm - Tm).abs() / norm).mean() + (((1 - M) * Xm - Im).abs() / norm).mean())
    if kind == "mask":
        irm = Tm / (Tm + Im + 1e-8)
        losses.append((M - irm).abs().mean())
    if kind in ("sisdr", "mag+sisdr"):
        n, h = fe.spec.n_fft, fe.spec.hop
        yk = istft(X * M, n, h, length)
        yr = istft(X * (1 - M), n, h, length)
        t = istft(T, n, h, length)
        i = istft(I, n, h, length)
        w = 0.05 if kind == "mag+sisdr" else 1.0
        losses.append(-w * 0.5 * (si_sdr(yk, t).clamp(max=40).mean() + si_sdr(yr, i).clamp(max=40).mean()))
    return sum(losses)


class Validator:
    """A fixed set of validation mixtures (val split, seeded), scored by SI-SDRi for keep and remove."""

    def __init__(self, corpus: Corpus, labels, vecs, fe: Frontend, mix: MixConfig, n: int):
        bank = ClipBank(corpus.split("val"), labels)
        if not bank.labels:  # tiny datasets may have no val clips: validate on train clips instead
            bank = ClipBank(corpus.split("train"), labels)
        sampler = MixtureSampler(bank, corpus, mix, seed=VAL_SEED)
        order = [bank.labels[k % len(bank.labels)] for k in range(n)]
        self.t, self.i, self.labels, self.prompts = sampler.batch(n, order)
        self.emb = torch.from_numpy(np.stack([vecs[p] for p in self.prompts]))
        self.fe, self.length = fe, self.t.shape[-1]
        with torch.no_grad():
            self.X, self.T, self.I, self.bands = fe.analyse(self.t, self.i)
            m = self.t + self.i
            self.base_k = si_sdr(m, self.t)
            self.base_r = si_sdr(m, self.i)

    @torch.no_grad()
    def run(self, model, loss_kind: str, bs: int = 16, autocast: bool = False) -> dict:
        model.eval()
        losses, sk, sr = [], [], []
        n, h = self.fe.spec.n_fft, self.fe.spec.hop
        for a in range(0, len(self.t), bs):
            sl = slice(a, a + bs)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
                Mb = model(self.bands[sl], None if model.cfg.text_agnostic else self.emb[sl])
            M = self.fe.linear_mask(Mb.float())
            X = self.X[sl]
            losses.append(float(loss_fn(loss_kind, M, X, self.T[sl], self.I[sl], self.fe, self.length)))
            sk.append(si_sdr(istft(X * M, n, h, self.length), self.t[sl]) - self.base_k[sl])
            sr.append(si_sdr(istft(X * (1 - M), n, h, self.length), self.i[sl]) - self.base_r[sl])
        model.train()
        sk, sr = torch.cat(sk), torch.cat(sr)
        return {"val_loss": float(np.mean(losses)), "val_sisdri_keep": float(sk.mean()),
                "val_sisdri_remove": float(sr.mean()), "val_sisdri_keep_median": float(sk.median())}


# ---- training -------------------------------------------------------------------------------------
def warm_start(model, blob: dict, labels: list[str]) -> str:
    """Load another checkpoint's weights into `model`, which may know a different set of classes.

    Tensors of the same name and shape are copied; the per-class table is copied row by row for the
    classes both know (by name), so a model trained on fewer classes starts a larger one. Anchors are
    not copied: they are the new class list's own prompt embeddings.
    """
    src = blob["state_dict"]
    old = list(blob.get("meta", {}).get("classes", []))
    own = model.state_dict()
    copied, rows = 0, 0
    for key, value in src.items():
        if key == "anchors" or key not in own:
            continue
        if key == "class_table" and value.shape != own[key].shape and old:
            for k, lab in enumerate(labels):
                if lab in old and value.shape[1] == own[key].shape[1]:
                    own[key][k] = value[old.index(lab)]
                    rows += 1
            continue
        if value.shape == own[key].shape:
            own[key] = value
            copied += 1
    model.load_state_dict(own)
    return f"warm start: {copied} of {len(own)} tensors copied, {rows} of {len(labels)} class rows carried by name"


def _setup_dist(rank: int, world: int, port: int):
    import torch.distributed as dist

    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    return dist


def _average_grads(model, dist, world: int):
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= world
    k = 0
    for g in grads:
        g.copy_(flat[k: k + g.numel()].view_as(g))
        k += g.numel()


def train_worker(rank: int, args, port: int = 29533) -> None:
    world = args.procs
    dist = _setup_dist(rank, world, port) if world > 1 else None
    threads = args.threads or max(1, (os.cpu_count() or 2) // world)
    torch.set_num_threads(threads)
    torch.manual_seed(args.seed)
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = args.name or ("textsep_unet_agnostic" if args.baseline else "textsep_unet")
    log = (lambda *a: print(*a, flush=True)) if rank == 0 else (lambda *a: None)

    corpus = load_dataset(args)
    labels = sorted({c.label for c in corpus.split("train")})
    vecs, anchors, enc = prompt_table(corpus, labels)
    spec = SpecConfig(n_bands=args.bands)
    mcfg = ModelConfig(n_bands=args.bands, base=args.base, text_dim=enc.dim, film=tuple(args.film),
                       routing=not args.no_routing, n_classes=0 if args.no_routing or args.baseline else len(labels),
                       text_agnostic=args.baseline, patch=tuple(args.patch))
    model = TextConditionedUNet(mcfg)
    if model.routes:
        model.set_anchors(anchors)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay) \
        if args.weight_decay > 0 else torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=5)
    history: list[dict] = []
    start_epoch, cpu_offset, wall_offset, best = 0, 0.0, 0.0, -math.inf

    resume = args.resume
    if resume == "auto":
        resume = out / f"{name}_last.pth"
    if resume and Path(resume).is_file():
        blob = read_checkpoint(resume)
        model.load_state_dict(blob["state_dict"])
        ts = blob.get("train_state", {})
        if ts:
            opt.load_state_dict(ts["optimizer"])
            sched.load_state_dict(ts["scheduler"])
            start_epoch = int(ts["epoch"])
            cpu_offset, wall_offset = float(ts["cpu_minutes"]), float(ts["wall_minutes"])
            best = float(ts.get("best", -math.inf))
        history = json.loads(blob["meta"].get("history_json", "[]"))
        log(f"resumed from {resume} at epoch {start_epoch} ({cpu_offset:.1f} CPU-min so far)")
    elif args.resume and args.resume != "auto":
        raise SystemExit(f"textsep train: resume file not found: {resume}")
    elif args.init_from:
        log(warm_start(model, read_checkpoint(args.init_from), labels))

    fe = Frontend(spec)
    mix = MixConfig(seconds=args.seconds, p_speed=args.speed_aug, p_eq=args.eq_aug, p_event=args.p_event,
                    p_fill=args.p_fill, pairs=tuple(map(tuple, args.pair)), p_pair=args.p_pair,
                    snr_db=tuple(args.snr), interferers=tuple(args.interferers) if args.interferers else None,
                    class_weighting=args.class_weighting, by_group=args.by_group)
    bank = ClipBank(corpus.split("train"), labels)
    # validation mixtures never change with the training distribution, so curves stay comparable
    validator = Validator(corpus, labels, vecs, fe, MixConfig(seconds=args.seconds), args.val_examples) \
        if rank == 0 else None
    if rank == 0:
        log(f"{name}: {count_parameters(model)/1e6:.2f} M params, {len(labels)} classes, "
            f"{len(bank.labels)} with training clips, {world} proc x {threads} thread(s)")
    length = mix.length
    model.train()
    if args.bf16:
        model = model.to(memory_format=torch.channels_last)
    cpu0, wall0 = time.process_time(), time.time()

    def cpu_minutes() -> float:
        mine = torch.tensor([time.process_time() - cpu0], dtype=torch.float64)
        if dist is not None:
            dist.all_reduce(mine)
        return cpu_offset + float(mine) / 60

    meta_base = {"encoder": {"name": enc.name, "dim": enc.dim}, "classes": labels,
                 "prompts": {lab: corpus.prompts[lab] for lab in labels},
                 "training": {"command": "textsep train " + " ".join(sys.argv[2:] if sys.argv[1:2] == ["train"]
                                                                      else sys.argv[1:]),
                              "seconds": args.seconds, "batch_size": args.batch_size * world,
                              "p_event": args.p_event, "p_fill": args.p_fill,
                              "speed_aug": args.speed_aug, "eq_aug": args.eq_aug, "pairs": args.pair,
                              "p_pair": args.p_pair, "snr_db": args.snr, "interferers": args.interferers,
                              "class_weighting": args.class_weighting, "by_group": args.by_group,
                              "weight_decay": args.weight_decay,
                              "loss": args.loss, "bf16": args.bf16}}
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover
        tqdm = None
    stop = False
    if args.max_cpu_minutes is not None and cpu_offset >= args.max_cpu_minutes:
        log(f"CPU budget of {args.max_cpu_minutes} min already spent ({cpu_offset:.1f}); nothing to do")
        start_epoch = args.epochs
    for epoch in range(start_epoch, args.epochs):
        sampler = MixtureSampler(bank, corpus, mix, seed=int(np.random.SeedSequence([args.seed, rank, epoch])
                                                             .generate_state(1)[0]))
        bar = tqdm(range(args.steps_per_epoch), desc=f"epoch {epoch + 1}/{args.epochs}", leave=False,
                   disable=rank != 0 or args.quiet or tqdm is None, file=sys.stderr) if tqdm else \
            range(args.steps_per_epoch)
        run_loss = 0.0
        for step in bar:
            t, i, labs, prompts = sampler.batch(args.batch_size)
            X, T, I, bands = fe.analyse(t, i)
            emb = None if args.baseline else torch.from_numpy(np.stack([vecs[p] for p in prompts]))
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
                Mb = model(bands, emb)
            M = fe.linear_mask(Mb.float())
            loss = loss_fn(args.loss, M, X, T, I, fe, length)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if dist is not None:
                _average_grads(model, dist, world)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            run_loss += float(loss.detach())
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{run_loss / (step + 1):.4f}")
        train_loss = run_loss / args.steps_per_epoch
        if dist is not None:
            tl = torch.tensor([train_loss])
            dist.all_reduce(tl)
            train_loss = float(tl) / world
        cpu_min = cpu_minutes()
        if rank == 0:  # rank 0 validates; the others take its val loss for the LR decision
            v = validator.run(model, args.loss, autocast=args.bf16)
            score = 0.5 * (v["val_sisdri_keep"] + v["val_sisdri_remove"])
            rec = {"epoch": epoch + 1, "step": (epoch + 1) * args.steps_per_epoch, "train_loss": train_loss,
                   **v, "lr": opt.param_groups[0]["lr"], "cpu_minutes": cpu_min,
                   "wall_minutes": wall_offset + (time.time() - wall0) / 60}
            history.append(rec)
            log(f"epoch {epoch + 1}: train {train_loss:.4f} val {v['val_loss']:.4f} keep {v['val_sisdri_keep']:+.2f} dB "
                f"remove {v['val_sisdri_remove']:+.2f} dB lr {rec['lr']:.2g} cpu {cpu_min:.1f} min")
            val_loss = torch.tensor([v["val_loss"]])
        else:
            val_loss = torch.zeros(1)
        if dist is not None:
            dist.broadcast(val_loss, 0)
        sched.step(float(val_loss))
        if rank == 0:
            rec = history[-1]
            meta = dict(meta_base, metrics={k: rec[k] for k in rec if k.startswith("val_")},
                        history_json=json.dumps(history))
            meta["training"] = dict(meta_base["training"], epochs=epoch + 1, steps=rec["step"],
                                    cpu_minutes=round(cpu_min, 2), wall_minutes=round(rec["wall_minutes"], 2))
            if score > best:
                best = score
                save_checkpoint(out / f"{name}_best.pth", model, spec, meta)
            if args.save_every and (epoch + 1) % args.save_every == 0:
                save_checkpoint(out / f"{name}_epoch{epoch + 1}.pth", model, spec, meta)
            train_state = {"optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "epoch": epoch + 1,
                           "cpu_minutes": cpu_min, "wall_minutes": rec["wall_minutes"], "best": best}
            save_checkpoint(out / f"{name}_last.pth", model, spec, meta, train_state)
            (out / f"{name}_history.json").write_text(json.dumps(history, indent=1))
        if args.max_cpu_minutes is not None and cpu_min >= args.max_cpu_minutes:
            stop = True
        if stop:
            break
    if rank == 0 and history:
        meta = dict(meta_base, metrics={k: v for k, v in history[-1].items() if k.startswith("val_")},
                    history_json=json.dumps(history))
        meta["training"] = dict(meta_base["training"], epochs=history[-1]["epoch"], steps=history[-1]["step"],
                                cpu_minutes=round(history[-1]["cpu_minutes"], 2))
        save_checkpoint(out / f"{name}_final.pth", model, spec, meta)
        log(f"done: {out / (name + '_final.pth')}")
    if dist is not None:
        dist.destroy_process_group()


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.procs > 1:
        import random

        import torch.multiprocessing as mp

        mp.spawn(train_worker, args=(args, random.randint(20000, 40000)), nprocs=args.procs, join=True)
    else:
        train_worker(0, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
