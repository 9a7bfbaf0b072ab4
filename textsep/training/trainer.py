"""The Trainer: build the model and optimiser, resume or warm-start, run epochs, validate, checkpoint.

One instance per process. Every process draws its own mixtures (seeded by (seed, rank, epoch), so a
resumed run reproduces the same data) and averages gradients with the others (`Dist`); rank 0 alone
validates, logs and writes checkpoints and the history. Checkpoint files and their metadata are those of
`textsep.model.checkpoint` ({name}_best/_epochN/_last/_final.pth, {name}_history.json); `_last.pth` also
holds the optimiser, scheduler, epoch and CPU-minute counters that `--resume` continues from.
"""
from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

from textsep.atomic import write_text
from textsep.data.corpus import Corpus, load_corpus, move_val_groups
from textsep.data.mixtures import SPEED_RANGE, ClipBank, MixConfig, MixtureSampler
from textsep.errors import InputError
from textsep.model.checkpoint import read_checkpoint, save_checkpoint
from textsep.model.unet import ModelConfig, TextConditionedUNet, count_parameters
from textsep.prompts import embed_paraphrases
from textsep.spectral import SpecConfig
from textsep.training.distributed import Dist
from textsep.training.objective import Frontend, Validator, loss_fn

# the training options recorded in every checkpoint's meta["training"], as in earlier runs
RECORDED = ("lr_schedule", "seconds", "batch_size", "p_event", "p_fill", "speed_aug", "eq_aug", "pairs",
            "p_pair", "snr_db", "snr_over", "interferers", "class_weighting", "by_group", "hold_out",
            "weight_decay", "loss", "bf16", "val_to_train", "eq_db", "reverb_aug", "speed_range", "layer_aug",
            "absent_aug")


def load_dataset(args) -> Corpus:
    if args.corpus:
        return move_val_groups(load_corpus(args.corpus), args.val_to_train)
    if args.esc50_path:
        from textsep.data.esc50 import load_esc50

        if args.val_to_train:
            raise InputError("--val-to-train needs a TextSep corpus (--corpus); ESC-50 splits by --val-folds")
        return load_esc50(args.esc50_path, train_folds=args.train_folds, val_folds=args.val_folds)
    raise InputError("give --corpus or --esc50-path")


def prompt_table(corpus: Corpus, labels: list[str]):
    """Embeddings of every paraphrase, and per-class anchors from the training paraphrases only."""
    from textsep.text import get_encoder

    enc = get_encoder()
    all_prompts = sorted({p for lab in labels for p in corpus.prompts[lab]})
    vecs = dict(zip(all_prompts, enc.encode(all_prompts)))
    anchors = np.stack([np.mean([vecs[p] for p in corpus.train_prompts(lab)], axis=0) for lab in labels])
    return vecs, torch.from_numpy(anchors), enc


def warm_start(model, blob: dict, labels: list[str]) -> str:
    """Load another checkpoint's weights into `model`, which may know a different set of classes.

    Tensors of the same name and shape are copied; the per-class table is copied row by row for the
    classes both know (by name), so a model trained on fewer classes starts a larger one. A tensor that is
    larger in `model` (a wider --base) is grown so that the wider net computes what the old one did
    (textsep.training.grow); attention layers beyond the source's (a larger --context) start as the
    identity, for the same reason. Anchors are not copied: they are the new class list's own prompt embeddings.
    """
    from textsep.training.grow import grow_tensor

    src = blob["state_dict"]
    old = list(blob.get("meta", {}).get("classes", []))
    own = model.state_dict()
    concat = model.concat_dims()
    copied, rows, grown = 0, 0, 0
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
        elif value.dim() == own[key].dim() and all(o <= n for o, n in zip(value.shape, own[key].shape)):
            own[key] = grow_tensor(key, value, own[key], concat.get(key, {}))
            grown += 1
    model.load_state_dict(own)
    deeper = ""
    had = 1 + max((int(k.split(".")[3]) for k in src if k.startswith("context.layers.layers.")), default=-1)
    if had and getattr(model, "context", None) is not None and had < len(model.context.layers.layers):
        model.context.make_identity(had)  # more attention layers than the source: the new ones start as identity
        deeper = f", {len(model.context.layers.layers) - had} attention layers added as identity"
    return (f"warm start: {copied} of {len(own)} tensors copied, {grown} grown into a wider net, "
            f"{rows} of {len(labels)} class rows carried by name{deeper}")


def mix_config(options: dict, augment: bool = True) -> MixConfig:
    """The training mixtures' recipe from a run's recorded options (Trainer.options, a checkpoint's
    meta["training"]; options older runs did not record take their defaults). augment=False leaves out the
    speed, EQ, room, layering and absent-target augmentation."""
    o = options
    aug = 1.0 if augment else 0.0
    return MixConfig(seconds=float(o.get("seconds", 4.0)), p_speed=aug * float(o.get("speed_aug") or 0.0),
                     p_eq=aug * float(o.get("eq_aug") or 0.0), eq_db=float(o.get("eq_db") or 6.0),
                     p_reverb=aug * float(o.get("reverb_aug") or 0.0),
                     speed_range=tuple(o.get("speed_range") or SPEED_RANGE),
                     p_layer=aug * float(o.get("layer_aug") or 0.0),
                     p_absent=aug * float(o.get("absent_aug") or 0.0), p_event=float(o.get("p_event") or 0.0),
                     p_fill=float(o.get("p_fill") or 0.0), pairs=tuple(map(tuple, o.get("pairs") or ())),
                     p_pair=float(o.get("p_pair") or 0.0), snr_db=tuple(o.get("snr_db") or (-5.0, 5.0)),
                     snr_over=o.get("snr_over") or "mix",
                     interferers=tuple(o["interferers"]) if o.get("interferers") else None,
                     class_weighting=o.get("class_weighting") or "balanced", by_group=bool(o.get("by_group")))


def epoch_seed(seed: int, rank: int, epoch: int) -> int:
    return int(np.random.SeedSequence([seed, rank, epoch]).generate_state(1)[0])


def _cpu(obj):
    """A state dict with every tensor on the CPU (checkpoints load anywhere)."""
    if isinstance(obj, torch.Tensor):
        return obj.cpu()
    if isinstance(obj, dict):
        return {k: _cpu(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_cpu(v) for v in obj]
    return obj


class Trainer:
    """One process's share of a training run (see the module docstring); `fit()` runs it to the end."""

    def __init__(self, args, dist: Dist, command: str = "textsep train"):
        self.args, self.dist = args, dist
        self.out = Path(args.output_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.name = args.name or ("textsep_unet_agnostic" if args.baseline else "textsep_unet")
        self.amp = args.bf16 or dist.device.type == "cuda"  # bf16 autocast: always on a GPU, --bf16 on the CPU
        torch.manual_seed(args.seed)
        self.corpus = load_dataset(args)
        held = set(getattr(args, "hold_out", None) or [])
        unknown = held - set(self.corpus.labels)
        if unknown:
            raise InputError(f"--hold-out names classes the corpus lacks: {', '.join(sorted(unknown))}")
        # held-out classes are never heard in training (as targets or interferers) nor validated: they
        # measure how the model treats sounds it was never taught
        self.labels = sorted({c.label for c in self.corpus.split("train")} - held)
        self.vecs, anchors, self.enc = prompt_table(self.corpus, self.labels)
        self.spec = SpecConfig(n_bands=args.bands)
        self.model = self.build_model(anchors).to(dist.device)
        self.opt, self.sched = self.build_optimizer()
        self.history: list[dict] = []
        self.start_epoch, self.cpu_offset, self.wall_offset, self.best = 0, 0.0, 0.0, -math.inf
        self.restore()
        self.fe = Frontend(self.spec, dist.device)
        self.options = self.training_options()
        self.mix = mix_config(self.options)
        self.bank = ClipBank(self.corpus.split("train"), self.labels)
        # validation mixtures never change with the training distribution, so curves stay comparable
        self.validator = Validator(self.corpus, self.labels, self.vecs, self.fe, MixConfig(seconds=args.seconds),
                                   args.val_examples) if dist.is_main else None
        if self.validator is not None and self.validator.from_training:
            self.log("no validation recordings (e.g. --val-to-train 1): validation mixtures come from training "
                     "recordings and measure fit, not generalisation")
        self.meta_base = self.base_meta(command)
        self.cpu0, self.wall0 = time.process_time(), time.time()

    def log(self, *parts) -> None:
        if self.dist.is_main:
            print(*parts, flush=True)

    # ---- setup ------------------------------------------------------------------------------------
    def build_model(self, anchors: torch.Tensor) -> TextConditionedUNet:
        a = self.args
        cfg = ModelConfig(n_bands=a.bands, base=a.base, text_dim=self.enc.dim, film=tuple(a.film),
                          routing=not a.no_routing, n_classes=0 if a.no_routing or a.baseline else len(self.labels),
                          text_agnostic=a.baseline, patch=tuple(a.patch), context=a.context)
        model = TextConditionedUNet(cfg)
        if model.routes:
            model.set_anchors(anchors)
        return model

    def build_optimizer(self):
        a, params = self.args, self.model.parameters()
        opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=a.weight_decay) if a.weight_decay > 0 \
            else torch.optim.Adam(params, lr=a.lr)
        if a.lr_schedule == "constant":  # weight averaging wants a steady rate (textsep.training.averaging)
            return opt, torch.optim.lr_scheduler.LambdaLR(opt, lambda e: 1.0)
        if a.lr_schedule == "cosine":
            # a fixed half-cosine from --lr down to 2 % of it over --epochs: unlike the plateau rule it
            # cannot be fooled by a noisy validation set into decaying early (model card, stage A)
            total = max(1, a.epochs)
            return opt, torch.optim.lr_scheduler.LambdaLR(
                opt, lambda e: 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(e, total) / total)))
        return opt, torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5,
                                                              patience=a.plateau_patience)

    @property
    def plateau(self) -> bool:
        return isinstance(self.sched, torch.optim.lr_scheduler.ReduceLROnPlateau)

    def restore(self) -> None:
        """Continue from a {name}_last.pth (--resume), or start from another run's weights (--init-from)."""
        resume = self.args.resume
        if resume == "auto":
            resume = self.out / f"{self.name}_last.pth"
        if resume and Path(resume).is_file():
            blob = read_checkpoint(resume)
            self.model.load_state_dict(blob["state_dict"])
            ts = blob.get("train_state", {})
            if ts:
                self.opt.load_state_dict(ts["optimizer"])
                for group in self.opt.param_groups:  # the option wins over the saved decay (often 0)
                    group["weight_decay"] = self.args.weight_decay
                saved_plateau = "patience" in ts["scheduler"]  # ReduceLROnPlateau's state, else a LambdaLR's
                if self.args.restart_lr:  # a new schedule from here: --lr and the scheduler's fresh state
                    for group in self.opt.param_groups:
                        group["lr"] = self.args.lr
                elif saved_plateau != self.plateau:
                    raise InputError(f"{resume} was trained with --lr-schedule "
                                     f"{'plateau' if saved_plateau else 'cosine or constant'}; resume with "
                                     "the same schedule, or add --restart-lr to start the new one here")
                else:
                    self.sched.load_state_dict(ts["scheduler"])
                    if self.plateau:
                        self.sched.patience = self.args.plateau_patience  # the option wins over the saved state
                self.start_epoch = int(ts["epoch"])
                self.cpu_offset, self.wall_offset = float(ts["cpu_minutes"]), float(ts["wall_minutes"])
                self.best = float(ts.get("best", -math.inf))
            self.history = json.loads(blob["meta"].get("history_json", "[]"))
            self.log(f"resumed from {resume} at epoch {self.start_epoch} ({self.cpu_offset:.1f} CPU-min so far)")
        elif self.args.resume and self.args.resume != "auto":
            raise InputError(f"resume file not found: {resume}")
        elif self.args.init_from:
            self.log(warm_start(self.model, read_checkpoint(self.args.init_from), self.labels))

    def training_options(self) -> dict:
        """The options recorded in every checkpoint's meta["training"] (RECORDED); mix_config reads them."""
        a = self.args
        values = {"lr_schedule": a.lr_schedule, "seconds": a.seconds, "batch_size": a.batch_size * self.dist.world,
                  "p_event": a.p_event, "p_fill": a.p_fill, "speed_aug": a.speed_aug, "eq_aug": a.eq_aug,
                  "pairs": a.pair, "p_pair": a.p_pair, "snr_db": a.snr, "snr_over": a.snr_over,
                  "interferers": a.interferers,
                  "class_weighting": a.class_weighting, "by_group": a.by_group, "hold_out": a.hold_out,
                  "weight_decay": a.weight_decay, "loss": a.loss, "bf16": self.amp,
                  "val_to_train": a.val_to_train, "eq_db": a.eq_db, "reverb_aug": a.reverb_aug,
                  "speed_range": a.speed_range, "layer_aug": a.layer_aug, "absent_aug": a.absent_aug}
        return {k: values[k] for k in RECORDED}

    def base_meta(self, command: str) -> dict:
        a = self.args
        meta = {"encoder": {"name": self.enc.name, "dim": self.enc.dim}, "classes": self.labels,
                "prompts": {lab: self.corpus.prompts[lab] for lab in self.labels},
                "categories": {lab: self.corpus.categories.get(lab, "") for lab in self.labels},
                "training": {"command": command, **self.options}}
        if not a.baseline:  # every checkpoint carries its known sounds' embeddings: a first run encodes the prompt only
            meta["paraphrase_embeddings"] = embed_paraphrases(meta, self.enc, known=self.vecs)
        return meta

    # ---- running ----------------------------------------------------------------------------------
    def fit(self) -> None:
        a = self.args
        self.log(f"{self.name}: {count_parameters(self.model) / 1e6:.2f} M params, {len(self.labels)} classes, "
                 f"{len(self.bank.labels)} with training clips, {self.dist.world} proc x "
                 f"{torch.get_num_threads()} thread(s) on {self.dist.device}")
        self.model.train()
        if a.bf16:
            self.model = self.model.to(memory_format=torch.channels_last)
        start = self.start_epoch
        if a.max_cpu_minutes is not None and self.cpu_offset >= a.max_cpu_minutes:
            self.log(f"CPU budget of {a.max_cpu_minutes} min already spent ({self.cpu_offset:.1f}); nothing to do")
            start = a.epochs
        for epoch in range(start, a.epochs):
            train_loss = self.train_epoch(epoch)
            cpu_min = self.cpu_minutes()
            over = a.max_cpu_minutes is not None and cpu_min >= a.max_cpu_minutes
            self.end_epoch(epoch, train_loss, cpu_min, validate=over or self.validates(epoch))
            if over:
                break
        self.save_final()

    def _steps(self, epoch: int):
        a = self.args
        try:
            from tqdm import tqdm
        except ImportError:  # pragma: no cover
            return range(a.steps_per_epoch)
        return tqdm(range(a.steps_per_epoch), desc=f"epoch {epoch + 1}/{a.epochs}", leave=False,
                    disable=not self.dist.is_main or a.quiet, file=sys.stderr)

    def train_epoch(self, epoch: int) -> float:
        """One epoch of this process's mixtures; the training loss averaged over all processes."""
        sampler = MixtureSampler(self.bank, self.corpus, self.mix, seed=epoch_seed(self.args.seed, self.dist.rank,
                                                                                  epoch))
        bar = self._steps(epoch)
        run_loss = 0.0
        for step in bar:
            run_loss += self.train_step(sampler)
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{run_loss / (step + 1):.4f}")
        train_loss = run_loss / self.args.steps_per_epoch
        if self.dist.world > 1:
            train_loss = self.dist.sum(train_loss, torch.float32) / self.dist.world
        return train_loss

    def train_step(self, sampler: MixtureSampler) -> float:
        a, fe = self.args, self.fe
        t, i, _, prompts = sampler.batch(a.batch_size)
        X, T, I, bands = fe.analyse(t, i)
        emb = None if a.baseline else torch.from_numpy(np.stack([self.vecs[p] for p in prompts])).to(fe.device)
        with torch.autocast(fe.device.type, dtype=torch.bfloat16, enabled=self.amp):
            Mb = self.model(bands, emb)
        M = fe.linear_mask(Mb.float())
        loss = loss_fn(a.loss, M, X, T, I, fe, self.mix.length)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.dist.average_gradients(self.model)
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 5.0)
        self.opt.step()
        return float(loss.detach())

    def cpu_minutes(self) -> float:
        """CPU minutes of the whole run so far, summed over all processes (a collective: every rank calls it)."""
        return self.cpu_offset + self.dist.sum(time.process_time() - self.cpu0) / 60

    def validates(self, epoch: int) -> bool:
        """Whether epoch (0-based) ends with a validation and a resume state: every --val-every epochs, every
        epoch that saves a checkpoint (its meta carries the scores), and the last. Same answer on every rank."""
        n, a = epoch + 1, self.args
        return (n % max(1, a.val_every) == 0 or n == a.epochs
                or bool(a.save_every and n % a.save_every == 0))

    def end_epoch(self, epoch: int, train_loss: float, cpu_min: float, validate: bool = True) -> None:
        """Step the LR schedule; when `validate`, first validate (rank 0) and checkpoint: the plateau rule
        steps on rank 0's validation loss, everywhere, so only on validated epochs."""
        if not validate:
            if not self.plateau:
                self.sched.step()
            return
        rec = None
        if self.dist.is_main:
            v = self.validator.run(self.model, self.args.loss, autocast=self.amp)
            rec = {"epoch": epoch + 1, "step": (epoch + 1) * self.args.steps_per_epoch, "train_loss": train_loss,
                   **v, "lr": self.opt.param_groups[0]["lr"], "cpu_minutes": cpu_min,
                   "wall_minutes": self.wall_offset + (time.time() - self.wall0) / 60}
            self.history.append(rec)
            self.log(f"epoch {epoch + 1}: train {train_loss:.4f} val {v['val_loss']:.4f} "
                     f"keep {v['val_sisdri_keep']:+.2f} dB remove {v['val_sisdri_remove']:+.2f} dB "
                     f"lr {rec['lr']:.2g} cpu {cpu_min:.1f} min")
        val_loss = self.dist.from_main(rec["val_loss"] if rec else 0.0)  # a collective: every rank joins
        if self.plateau:
            self.sched.step(val_loss)
        else:
            self.sched.step()
        if rec is not None:
            self.save_epoch(epoch, rec)

    # ---- checkpoints (rank 0) ---------------------------------------------------------------------
    def _meta(self, rec: dict, **training) -> dict:
        meta = dict(self.meta_base, metrics={k: rec[k] for k in rec if k.startswith("val_")},
                    history_json=json.dumps(self.history))
        meta["training"] = dict(self.meta_base["training"], epochs=rec["epoch"], steps=rec["step"], **training)
        return meta

    def save_epoch(self, epoch: int, rec: dict) -> None:
        """{name}_best (when the mean validation SI-SDRi improved), _epochN (every --save-every), _last, history."""
        meta = self._meta(rec, cpu_minutes=round(rec["cpu_minutes"], 2), wall_minutes=round(rec["wall_minutes"], 2))
        score = 0.5 * (rec["val_sisdri_keep"] + rec["val_sisdri_remove"])
        if score > self.best:
            self.best = score
            save_checkpoint(self.out / f"{self.name}_best.pth", self.model, self.spec, meta)
        if self.args.save_every and (epoch + 1) % self.args.save_every == 0:
            save_checkpoint(self.out / f"{self.name}_epoch{epoch + 1}.pth", self.model, self.spec, meta)
        train_state = {"optimizer": _cpu(self.opt.state_dict()), "scheduler": self.sched.state_dict(),
                       "epoch": epoch + 1, "cpu_minutes": rec["cpu_minutes"], "wall_minutes": rec["wall_minutes"],
                       "best": self.best}
        save_checkpoint(self.out / f"{self.name}_last.pth", self.model, self.spec, meta, train_state)
        write_text(self.out / f"{self.name}_history.json", json.dumps(self.history, indent=1))

    def save_final(self) -> None:
        if self.dist.is_main and self.history:
            rec = self.history[-1]
            meta = self._meta(rec, cpu_minutes=round(rec["cpu_minutes"], 2))
            save_checkpoint(self.out / f"{self.name}_final.pth", self.model, self.spec, meta)
            self.log(f"done: {self.out / (self.name + '_final.pth')}")
