"""Train a small CNN on CheXpert for a few steps with PyTorch and libchexpert.

    python examples/torch/train.py --root /data/manual --steps 100 --workers 4

Batches are decoded and resized in native threads by libchexpert (one library
call per batch); a DataLoader with workers reads several batches at once.
"""

import argparse
import os
import time
from pathlib import Path

import torch
from tqdm import tqdm

import chexpert
import chexpert.torch

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--root", default=os.environ.get("CHEXPERT_ROOT")
                    or Path(__file__).resolve().parents[2] / ".sample",
                    help="folder holding CheXpert-v1.0-small/ (default: $CHEXPERT_ROOT, else .sample)")
parser.add_argument("--steps", type=int, default=20, help="optimizer steps")
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--size", type=int, default=128, help="images are size x size")
parser.add_argument("--workers", type=int, default=0, help="DataLoader worker processes")
parser.add_argument("--threads", type=int, default=0, help="decode threads per batch (0: all CPUs)")
args = parser.parse_args()

# Frontal images only; one grey channel in [0, 1], channels first for torch.
ds = chexpert.Dataset(args.root, projections="frontal")
train = ds["train"]
resize = chexpert.Resize(args.size, channels=1, dtype="float32", normalize="unit", layout="NCHW")
# The 5 competition observations, LibAUC's policy: float32 targets and masks (n, 5).
targets = chexpert.Targets.preset("libauc")
batches = chexpert.torch.ChexpertBatches(train, args.batch_size, resize, targets=targets,
                                         shuffle=True, seed=0, drop_last=True,
                                         num_threads=args.threads)
if len(batches) == 0:
    raise SystemExit(f"no full batch of {args.batch_size} in {len(train)} training images")
# The batches are ready-made: batch_size=None turns off the DataLoader's own batching.
loader = torch.utils.data.DataLoader(batches, batch_size=None, num_workers=args.workers)

# A tiny CNN: three strided convolutions, global average pooling, 5 logits.
model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 16, 3, stride=2, padding=1), torch.nn.ReLU(),
    torch.nn.Conv2d(16, 32, 3, stride=2, padding=1), torch.nn.ReLU(),
    torch.nn.Conv2d(32, 64, 3, stride=2, padding=1), torch.nn.ReLU(),
    torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
    torch.nn.Linear(64, len(targets.resolve(train))),
)
criterion = torch.nn.BCEWithLogitsLoss(reduction="none")
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

step, images, batch = 0, 0, None
start = time.perf_counter()      # wall clock, data loading included
with tqdm(total=args.steps, desc="train") as progress:
    while step < args.steps:     # each pass over the loader is the next epoch
        for batch in loader:
            logits = model(batch["image"])
            # Masked entries (mask 0) do not count: average over the counted ones.
            mask = batch["mask"]
            loss = (criterion(logits, batch["target"]) * mask).sum() / mask.sum().clamp(min=1)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            images += batch["image"].shape[0]
            progress.update(1)
            progress.set_postfix(loss=f"{loss.item():.4f}")
            if step == args.steps:
                break
elapsed = time.perf_counter() - start

print(f"images/s: {images / elapsed:.1f} ({images} images in {elapsed:.2f} s)")
# Pass this to ChexpertBatches(..., state=...) to resume right after the last batch.
print(f"resume state: {batch['state']}")
