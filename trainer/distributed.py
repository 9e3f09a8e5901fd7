"""Data-parallel training under `torchrun` (PyTorch DDP), kept out of `train.py`'s way.

    torchrun --standalone --nproc_per_node 2 --no-python slr-train train --data ... --threads 1
    torchrun --nnodes 2 --node_rank R --rdzv-endpoint HOST:29500 --nproc_per_node G --no-python slr-train train ...

`train()` asks `setup()` once; outside torchrun (no WORLD_SIZE > 1 in the environment) every hook
here is the identity and single-process training is unchanged, bit for bit. Under torchrun each
process trains on its own shard of the training windows (`DistributedSampler`, reshuffled per
epoch from the config seed, so resume stays exact), DDP averages the gradients, and only rank 0
writes: config, checkpoints (the unwrapped model's state dict: the same checkpoint format as one
process), log, curves and the test evaluation. `--batch` is per process (effective batch =
batch x processes); every rank validates on the whole validation split, so all ranks take the
same best-epoch decision. Backend: NCCL with one GPU per process when CUDA is available, else
gloo on CPU.
"""
from __future__ import annotations

import atexit
import os
from dataclasses import dataclass

import torch
from torch.utils.data import DataLoader, Dataset

SEED_STRIDE = 1_000_003     # rank r draws augmentations/dropout from seed + r * SEED_STRIDE


@dataclass(frozen=True)
class Dist:
    rank: int = 0
    world: int = 1
    device: str = "cpu"

    @property
    def active(self) -> bool:
        return self.world > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def seed(self, seed: int) -> int:
        """Per-rank seed: different augmentations and dropout on each shard; rank 0 keeps `seed`."""
        return seed + self.rank * SEED_STRIDE

    def train_loader_args(self, ds: Dataset, gen: torch.Generator, batch: int, seed: int) -> dict:
        """DataLoader arguments for the training split: shuffle + generator alone, or this rank's shard."""
        if not self.active:
            return dict(shuffle=True, generator=gen, drop_last=len(ds) > batch)
        from torch.utils.data.distributed import DistributedSampler

        sampler = DistributedSampler(ds, num_replicas=self.world, rank=self.rank, shuffle=True, seed=seed)
        return dict(sampler=sampler, generator=gen, drop_last=len(sampler) > batch)

    def set_epoch(self, loader: DataLoader, epoch: int) -> None:
        if self.active and hasattr(loader.sampler, "set_epoch"):
            loader.sampler.set_epoch(epoch)

    def wrap(self, model: torch.nn.Module) -> torch.nn.Module:
        """The module to call in the training step: DDP around `model` (parameters broadcast from
        rank 0 now, gradients averaged in backward), or `model` itself."""
        if not self.active:
            return model
        from torch.nn.parallel import DistributedDataParallel

        model.to(self.device)
        ids = [torch.device(self.device).index] if self.device.startswith("cuda") else None
        return DistributedDataParallel(model, device_ids=ids)

    def loader(self, loader: DataLoader):
        """`loader` itself on CPU; on a GPU, the same loader with its batches moved to the device."""
        return loader if self.device == "cpu" else _OnDevice(loader, self.device)

    def barrier(self) -> None:
        """Wait for every rank (e.g. until rank 0 has prepared the run folder)."""
        if self.active:
            import torch.distributed as dist

            dist.barrier()

    def sum(self, *values: float) -> tuple[float, ...]:
        """Sum of each value over all ranks (epoch loss / correct / count for the log)."""
        if not self.active:
            return values
        import torch.distributed as dist

        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        dist.all_reduce(t)
        return tuple(t.tolist())


class _OnDevice:
    """A DataLoader whose batches arrive on `device` (len, sampler etc. pass through)."""

    def __init__(self, loader: DataLoader, device: str):
        self._loader, self._device = loader, device

    def __len__(self) -> int:
        return len(self._loader)

    def __getattr__(self, name: str):
        return getattr(self._loader, name)

    def __iter__(self):
        for batch in self._loader:
            yield tuple(t.to(self._device, non_blocking=True) for t in batch)


def setup() -> Dist:
    """Join the torchrun process group (once per process) if launched by torchrun, else `Dist()`."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Dist()
    import torch.distributed as dist

    rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    device = f"cuda:{local}" if torch.cuda.is_available() else "cpu"
    if not dist.is_initialized():
        if device != "cpu":
            torch.cuda.set_device(local)
        dist.init_process_group("nccl" if device != "cpu" else "gloo")
        atexit.register(dist.destroy_process_group)
        if rank == 0:
            print(f"data-parallel: {world} processes, backend {dist.get_backend()}, {device}")
    return Dist(rank, world, device)


__all__ = ["Dist", "setup"]
