"""Growing a trained UNet wider without losing what it learned (a function-preserving warm start).

A wider net trained from scratch learns more slowly per CPU-minute than the trained narrow one it would
replace (model card: base 24 from scratch took 30 CPU-minutes to reach less than the base-16 model's
start). So a wider net starts as a copy of the narrow one: each tensor's old values go to the old
channels' places, the new channels get the fresh model's random weights on their inputs, and every
connection *from* a new channel *into* an old one starts at zero. The grown net therefore computes
exactly what the old one did (test_training checks it), and training teaches the new channels to help.

Two kinds of dimension are not simple prefixes: a decoder block's input is cat([upsampled, skip]), and a
FiLM projection's output is cat([gamma, beta]); `TextConditionedUNet.concat_dims` names them, and each
of their halves is mapped on its own.
"""
from __future__ import annotations

import torch


def _index_map(old: int, new: int, segments: int) -> torch.Tensor:
    """Positions in the new dimension of the old dimension's entries (equal segments, each a prefix)."""
    if old % segments or new % segments:
        raise ValueError(f"cannot split {old} -> {new} channels into {segments} segments")
    so, sn = old // segments, new // segments
    return torch.cat([torch.arange(so) + k * sn for k in range(segments)])


def _input_dim(name: str) -> int:
    """Which dimension of a weight holds its inputs: dim 0 for transposed convolutions, else dim 1."""
    return 0 if name.startswith("up.") else 1


def grow_tensor(name: str, old: torch.Tensor, new: torch.Tensor, segments: dict[int, int]) -> torch.Tensor:
    """`new` (the wider model's fresh tensor) with `old` placed at the old channels' positions and the
    weights from new input channels into old output channels zeroed."""
    if old.dim() != new.dim() or any(o > n for o, n in zip(old.shape, new.shape)):
        raise ValueError(f"{name}: cannot grow {tuple(old.shape)} into {tuple(new.shape)}")
    out = new.clone()
    maps = [_index_map(o, n, segments.get(d, 1)) for d, (o, n) in enumerate(zip(old.shape, new.shape))]
    out[torch.meshgrid(*maps, indexing="ij")] = old.to(out.dtype)
    if old.dim() >= 2 and name.endswith("weight"):
        din = _input_dim(name)
        dout = 1 - din
        n_in = new.shape[din]
        fresh_in = torch.ones(n_in, dtype=torch.bool)
        fresh_in[maps[din]] = False
        if fresh_in.any():
            idx = [slice(None)] * new.dim()
            idx[dout] = maps[dout]
            block = out[tuple(idx)]  # old outputs, all inputs (a copy)
            sel = [slice(None)] * new.dim()
            sel[din] = fresh_in
            block[tuple(sel)] = 0
            out[tuple(idx)] = block
    return out
