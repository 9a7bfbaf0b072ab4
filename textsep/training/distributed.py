"""Data parallelism through torch.distributed, one mechanism for one machine and many.

Every training process is a torchrun worker: torchrun (or `textsep train --procs N`, which runs
`torchrun --standalone --nproc_per_node N -m textsep train ...` in-process through torch.distributed.run)
sets RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT, and `Dist.start` joins
the process group from them (gloo on the CPU, NCCL on CUDA). A plain single-process run has none of them
and needs no process group. Gradients are averaged by one all-reduce of all of them flattened; rank 0
alone validates, writes checkpoints and logs.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import torch

TORCHRUN_ENV = ("RANK", "WORLD_SIZE", "LOCAL_RANK")


def under_torchrun() -> bool:
    """True in a process started by torchrun (or by `--procs N`, which goes through the same launcher)."""
    return all(k in os.environ for k in TORCHRUN_ENV)


def launch_local(nprocs: int, argv: list[str]) -> int:
    """Run `textsep train ARGV` as `nprocs` workers on this machine, exactly as
    `torchrun --standalone --nproc_per_node NPROCS -m textsep train ARGV` would; 0 when all succeed."""
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import parse_args, run

    try:
        run(parse_args(["--standalone", f"--nproc_per_node={nprocs}", "--module", "textsep", "train", *argv]))
    except ChildFailedError as exc:
        print(f"textsep train: a training process failed:\n{exc}", flush=True)
        return 1
    return 0


def cpu_has_native_bf16() -> bool:
    """Whether this CPU runs bf16 natively (AVX-512 BF16 or AMX, as oneDNN reports it). --bf16 made training
    1.7-2x faster on an EPYC with avx512_bf16 and 11x slower on one without (Zen 3, AVX2 only)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def pick_device(force_cpu: bool, local_rank: int = 0) -> torch.device:
    """This process's device: its local rank's GPU when CUDA is available (and not --cpu), else the CPU."""
    if force_cpu or not torch.cuda.is_available():
        return torch.device("cpu")
    count = torch.cuda.device_count()
    if local_rank >= count:
        raise RuntimeError(f"local rank {local_rank} has no GPU of its own ({count} visible); start at most "
                           f"{count} processes per machine, or train with --cpu")
    return torch.device("cuda", local_rank)


@dataclass
class Dist:
    """This process's place in the run (rank, world size, device) and the collectives training needs."""

    rank: int = 0
    world: int = 1
    local_world: int = 1
    device: torch.device = torch.device("cpu")

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @classmethod
    def start(cls, force_cpu: bool = False) -> Dist:
        """Read the torchrun environment (absent: one process) and join the process group."""
        env = os.environ
        world = int(env.get("WORLD_SIZE", "1"))
        local_rank = int(env.get("LOCAL_RANK", "0"))
        device = pick_device(force_cpu, local_rank)
        if device.type == "cuda":
            torch.cuda.set_device(device)
        if world > 1:
            import torch.distributed as dist

            dist.init_process_group("nccl" if device.type == "cuda" else "gloo")  # env:// from torchrun
        return cls(rank=int(env.get("RANK", "0")), world=world,
                   local_world=int(env.get("LOCAL_WORLD_SIZE", str(world))), device=device)

    def close(self) -> None:
        if self.world > 1:
            import torch.distributed as dist

            dist.destroy_process_group()

    def _tensor(self, values, dtype) -> torch.Tensor:
        # NCCL reduces CUDA tensors only; gloo CPU ones
        return torch.tensor(values, dtype=dtype, device=self.device)

    def sum(self, value: float, dtype=torch.float64) -> float:
        """`value` summed over all processes (computed in `dtype`); `value` itself in a single process."""
        if self.world == 1:
            return value
        import torch.distributed as dist

        t = self._tensor([value], dtype)
        dist.all_reduce(t)
        return float(t)

    def from_main(self, value: float) -> float:
        """Rank 0's `value` on every process, as a float32 (the scheduler's input, in any world size)."""
        t = self._tensor([value], torch.float32)
        if self.world > 1:
            import torch.distributed as dist

            dist.broadcast(t, 0)
        return float(t)

    def average_gradients(self, model: torch.nn.Module) -> None:
        """Replace every gradient by its mean over the processes (one all-reduce of them all, flattened)."""
        if self.world == 1:
            return
        import torch.distributed as dist

        grads = [p.grad for p in model.parameters() if p.grad is not None]
        flat = torch.cat([g.reshape(-1) for g in grads])
        dist.all_reduce(flat)
        flat /= self.world
        k = 0
        for g in grads:
            g.copy_(flat[k: k + g.numel()].view_as(g))
            k += g.numel()
