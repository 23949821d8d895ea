"""Train a small CNN on CheXpert for a few steps with Keras 3 (TensorFlow) and libchexpert.

    python examples/tf/train_keras.py --root /data/manual --steps 100

Batches are decoded and resized in native threads by libchexpert (one library
call per batch) and fed to model.fit as a tf.data.Dataset.
"""

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")   # before TensorFlow is imported

import keras

import chexpert
import chexpert.tf

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--root", default=os.environ.get("CHEXPERT_ROOT")
                    or Path(__file__).resolve().parents[2] / ".sample",
                    help="folder holding CheXpert-v1.0-small/ (default: $CHEXPERT_ROOT, else .sample)")
parser.add_argument("--steps", type=int, default=20, help="optimizer steps")
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--size", type=int, default=128, help="images are size x size")
parser.add_argument("--threads", type=int, default=0, help="decode threads per batch (0: all CPUs)")
args = parser.parse_args()

# Frontal images only; one grey channel in [0, 1], channels last for Keras.
ds = chexpert.Dataset(args.root, projections="frontal")
train = ds["train"]
if len(train) < args.batch_size:
    raise SystemExit(f"no full batch of {args.batch_size} in {len(train)} training images")
resize = chexpert.Resize(args.size, channels=1, dtype="float32", normalize="unit", layout="NHWC")
# (image float32 (n, H, W, 1), target float32 (n, 5)) pairs: the 5 competition
# observations under LibAUC's policy. The supervised pair leaves out the masks:
# that is fine here, as the LibAUC preset masks nothing (uncertain -> 0 or 1,
# blank -> 0). With a policy that masks (e.g. "ignore"), use as_supervised=False
# and pass batch["mask"] as sample weights.
dataset = chexpert.tf.batches(train, args.batch_size, resize,
                              targets=chexpert.Targets.preset("libauc"), as_supervised=True,
                              shuffle=True, seed=0, drop_last=True, num_threads=args.threads)

# A tiny CNN: three strided convolutions, global average pooling, 5 logits.
model = keras.Sequential([
    keras.Input((args.size, args.size, 1)),
    keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
    keras.layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
    keras.layers.Conv2D(64, 3, strides=2, padding="same", activation="relu"),
    keras.layers.GlobalAveragePooling2D(),
    keras.layers.Dense(5),
])
model.compile(optimizer=keras.optimizers.Adam(1e-3),
              loss=keras.losses.BinaryCrossentropy(from_logits=True))

# Every pass over `dataset` is the next epoch (a new shuffle); repeat() makes it
# endless, so one Keras "epoch" of --steps steps may span several of ours.
start = time.perf_counter()      # wall clock, data loading included
model.fit(dataset.repeat(), steps_per_epoch=args.steps, epochs=1, verbose=1,
          shuffle=False)   # the library shuffles; Keras cannot shuffle a tf.data.Dataset
elapsed = time.perf_counter() - start

images = args.steps * args.batch_size
print(f"images/s: {images / elapsed:.1f} ({images} images in {elapsed:.2f} s)")
