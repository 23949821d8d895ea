"""One rank of the 2-process torch.distributed test (launched by torchrun).

    python -m torch.distributed.run --nproc-per-node 2 ddp_worker.py ROOT OUT

Each rank reads two epochs of the train split through ChexpertBatches and
EpochSampler, with torch.distributed's rank and world size (the adapters'
default), trains a one-layer DDP model on the batches (unequal batch counts
would hang its all-reduce), and rank 0 writes every rank's indices to OUT
as JSON: {"count": N, "world": W, "runs": {name: [[rank 0 epoch 0, epoch 1],
[rank 1 ...]]}}.
"""

from __future__ import annotations

import datetime
import json
import sys

import torch
import torch.distributed as dist
import torch.utils.data

import chexpert
import chexpert.torch as ct


def main(root: str, out: str) -> None:
    dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=120))
    rank, world = dist.get_rank(), dist.get_world_size()
    resize = chexpert.Resize(16, channels=1, dtype="float32", normalize="unit", layout="NCHW")
    model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(16 * 16, 5))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    targets = chexpert.Targets.preset("libauc")
    runs = {}
    with chexpert.Dataset(root) as dataset:
        train = dataset["train"]
        for remainder in ("pad", "drop"):
            batches = ct.ChexpertBatches(train, 4, resize, targets=targets, seed=5, remainder=remainder,
                                         num_threads=1)
            epochs = []
            for _ in range(2):
                seen = []
                for batch in torch.utils.data.DataLoader(batches, batch_size=None, num_workers=0):
                    loss = torch.nn.functional.binary_cross_entropy_with_logits(
                        model(batch["image"].flatten(1)), batch["target"])
                    optimizer.zero_grad()
                    loss.backward()          # all-reduce: every rank must take the same steps
                    optimizer.step()
                    seen += batch["index"].tolist()
                epochs.append(seen)
            runs[f"batches-{remainder}"] = epochs
        sampler = ct.EpochSampler(ct.ChexpertDataset(train), seed=5)
        runs["sampler-pad"] = [list(sampler), list(sampler)]
        count = len(train)
    gathered = [None] * world
    dist.all_gather_object(gathered, runs)
    if rank == 0:
        result = {"count": count, "world": world,
                  "runs": {name: [gathered[r][name] for r in range(world)] for name in runs}}
        with open(out, "w") as file:
            json.dump(result, file)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
