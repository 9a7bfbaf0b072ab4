"""Text-conditioned UNet mask estimator with FiLM, and its text-agnostic twin.

Input: band magnitudes [B, F, T] of the 16 kHz mixture. Output: a mask in [0, 1] of the same shape.
The prompt embedding is turned into one conditioning vector, which FiLM layers (per-channel gamma and
beta) inject into the chosen blocks. Optionally the prompt is also routed through its similarity to the
prompts of the classes seen in training ("class routing"): a softmax over those similarities mixes a
learned per-class vector into the condition. That gives the network a direct handle on each class early
in training, while free wording still lands on the nearest classes.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class ModelConfig:
    n_bands: int = 128
    base: int = 16
    depth: int = 4
    text_dim: int = 384
    cond_dim: int = 128
    film: tuple = ("bottleneck", "decoder")  # any of "encoder", "bottleneck", "decoder"
    routing: bool = True
    n_classes: int = 0  # number of routing anchors; 0 disables routing
    text_agnostic: bool = False
    patch: tuple = (1, 1)  # (freq, time) folding of neighbouring bins into channels before the first level
    context: int = 0  # self-attention layers across time at the bottleneck (0: none; see TimeContext)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["film"] = list(self.film)
        d["patch"] = list(self.patch)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        d = dict(d)
        d["film"] = tuple(d.get("film", ()))
        d["patch"] = tuple(d.get("patch", (1, 1)))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})


class FiLM(nn.Module):
    def __init__(self, cond_dim: int, channels: int):
        super().__init__()
        self.proj = nn.Linear(cond_dim, 2 * channels)
        nn.init.zeros_(self.proj.weight)  # start as identity: gamma = 0, beta = 0
        nn.init.zeros_(self.proj.bias)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        gamma, beta = self.proj(cond).unsqueeze(-1).unsqueeze(-1).chunk(2, dim=1)
        return x * (1 + gamma) + beta


class Block(nn.Module):
    """Two 3x3 conv + BN + ReLU, with an optional FiLM after the first."""

    def __init__(self, cin: int, cout: int, cond_dim: int | None):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.n1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.n2 = nn.BatchNorm2d(cout)
        self.film = FiLM(cond_dim, cout) if cond_dim else None

    def forward(self, x, cond):
        x = self.n1(self.c1(x))
        if self.film is not None:
            x = self.film(x, cond)
        x = F.relu(x)
        return F.relu(self.n2(self.c2(x)))


class TimeContext(nn.Module):
    """Self-attention across the bottleneck's frames, told the prompt, added as a residual.

    The convolutions see about +-2 s; a voice is followed through a sentence and a steady noise is told
    apart from what comes and goes only by comparing frames further apart. Each frame (all channels and
    band rows) becomes one token; the prompt's condition is added to every token, so attention can look
    for the described sound. The output projection starts at zero: added to a trained net, it first
    computes exactly what that net did (a function-preserving warm start, like training/grow.py).
    No positional encoding: order within reach is the convolutions' business.
    """

    def __init__(self, channels: int, rows: int, cond_dim: int, layers: int, dim: int = 128, heads: int = 4):
        super().__init__()
        self.inp = nn.Linear(channels * rows, dim)
        self.cond = nn.Linear(cond_dim, dim)
        layer = nn.TransformerEncoderLayer(dim, heads, 2 * dim, dropout=0.0, batch_first=True, norm_first=True)
        self.layers = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.out = nn.Linear(dim, channels * rows)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def make_identity(self, first: int) -> None:
        """Layers first.. pass their input through unchanged (each residual branch's last projection set to
        zero), so a net given more layers than its checkpoint starts computing what the checkpoint did."""
        for layer in self.layers.layers[first:]:
            for last in (layer.self_attn.out_proj, layer.linear2):
                nn.init.zeros_(last.weight)
                nn.init.zeros_(last.bias)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        B, C, Fr, T = x.shape
        tokens = x.permute(0, 3, 1, 2).reshape(B, T, C * Fr)
        h = self.layers(self.inp(tokens) + self.cond(cond).unsqueeze(1))
        return x + self.out(h).reshape(B, T, C, Fr).permute(0, 2, 3, 1).to(x.dtype)


class TextConditionedUNet(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        widths = [cfg.base * 2**i for i in range(cfg.depth)]
        cd = cfg.cond_dim
        use = set(cfg.film)
        if cfg.text_agnostic:
            self.cond_const = nn.Parameter(torch.zeros(cd))
        else:
            self.text_mlp = nn.Sequential(nn.Linear(cfg.text_dim, cd), nn.GELU(), nn.Linear(cd, cd))
            if cfg.routing and cfg.n_classes > 0:
                self.register_buffer("anchors", torch.zeros(cfg.n_classes, cfg.text_dim))
                self.class_table = nn.Parameter(torch.randn(cfg.n_classes, cd) * 0.5)
                self.route_scale = nn.Parameter(torch.tensor(20.0))
        self.enc = nn.ModuleList()
        pf, pt = cfg.patch
        if cfg.n_bands % (pf * 2 ** cfg.depth):
            raise ValueError(f"n_bands {cfg.n_bands} must be divisible by patch*2**depth = {pf * 2 ** cfg.depth}")
        cin = pf * pt
        for w in widths:
            self.enc.append(Block(cin, w, cd if "encoder" in use else None))
            cin = w
        self.mid = Block(widths[-1], widths[-1] * 2, cd if "bottleneck" in use else None)
        if cfg.context:
            rows = cfg.n_bands // (pf * 2 ** cfg.depth)
            self.context = TimeContext(widths[-1] * 2, rows, cd, cfg.context)
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        cin = widths[-1] * 2
        for w in reversed(widths):
            self.up.append(nn.ConvTranspose2d(cin, w, 2, stride=2))
            self.dec.append(Block(2 * w, w, cd if "decoder" in use else None))
            cin = w
        self.head = nn.Conv2d(widths[0], pf * pt, 1)
        self.in_norm = nn.BatchNorm2d(1)

    def concat_dims(self) -> dict[str, dict[int, int]]:
        """Tensor name -> {dim: parts} for dimensions made of equal concatenated parts (not one prefix):
        decoder inputs cat([upsampled, skip]) and FiLM outputs cat([gamma, beta]). See training/grow.py."""
        out: dict[str, dict[int, int]] = {}
        for name, _ in self.named_parameters():
            if name.startswith("dec.") and name.endswith(".c1.weight"):
                out[name] = {1: 2}
            elif ".film.proj." in name:
                out[name] = {0: 2}
        return out

    @property
    def routes(self) -> bool:
        return hasattr(self, "anchors")

    def set_anchors(self, anchors: torch.Tensor) -> None:
        """Class prompt embeddings [K, text_dim] (mean of each class's training paraphrases)."""
        self.anchors.copy_(F.normalize(anchors.float(), dim=-1))

    def route(self, text_emb: torch.Tensor) -> torch.Tensor:
        """Soft class assignment [B, K] of each prompt (what routing will mix)."""
        sims = F.normalize(text_emb.float(), dim=-1) @ self.anchors.t()
        return torch.softmax(sims * self.route_scale, dim=-1)

    def condition(self, text_emb: torch.Tensor | None, batch: int) -> torch.Tensor:
        if self.cfg.text_agnostic:
            return self.cond_const.expand(batch, -1)
        if text_emb is None:
            raise ValueError("this model is text-conditioned: a prompt embedding is required")
        cond = self.text_mlp(text_emb)
        if self.routes:
            cond = cond + self.route(text_emb).to(cond.dtype) @ self.class_table
        return cond

    def forward(self, bands: torch.Tensor, text_emb: torch.Tensor | None = None) -> torch.Tensor:
        """bands: [B, F, T] non-negative band magnitudes -> mask [B, F, T] in [0, 1]."""
        B, Fb, T = bands.shape
        x = torch.log(bands + 1e-5)
        x = x - x.mean(dim=(1, 2), keepdim=True)  # gain invariance
        pf, pt = self.cfg.patch
        step = pt * 2 ** self.cfg.depth
        pad_t = (-T) % step
        x = F.pad(x, (0, pad_t), value=float(x.min())) if pad_t else x
        x = self.in_norm(x.unsqueeze(1))
        Tp = x.shape[-1]
        if pf * pt > 1:  # [B,1,F,T] -> [B, pf*pt, F/pf, T/pt]: neighbouring bins become channels
            x = x.reshape(B, Fb // pf, pf, Tp // pt, pt).permute(0, 2, 4, 1, 3).reshape(B, pf * pt, Fb // pf, Tp // pt)
        cond = self.condition(text_emb, B)
        skips = []
        for blk in self.enc:
            x = blk(x, cond)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.mid(x, cond)
        if self.cfg.context:
            x = self.context(x, cond)
        for up, blk, skip in zip(self.up, self.dec, reversed(skips)):
            x = blk(torch.cat([up(x), skip], dim=1), cond)
        logits = self.head(x).float()
        if pf * pt > 1:
            logits = logits.reshape(B, pf, pt, Fb // pf, Tp // pt).permute(0, 3, 1, 4, 2).reshape(B, Fb, Tp)
        else:
            logits = logits.squeeze(1)
        return torch.sigmoid(logits)[..., :T]


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


@dataclass
class ModelBundle:
    """A model with everything needed to use it: its spectral front end and metadata."""

    model: TextConditionedUNet
    spec: object  # SpecConfig
    meta: dict = field(default_factory=dict)
