#!/usr/bin/env python3
"""Loader peers for bench/run.py (issue 13): NVIDIA DALI's CPU pipeline and FFCV, for output A (224 x 224 x 3
float32 NCHW, ImageNet-normalised, cover fit). Both are optional: `bash bench/setup.sh --peers` installs them into
.venv-bench; run.py shows "not installed" rows without them.

  dali       external_source of the file bytes (read in the pipeline's feeding thread), decoders.image(cpu, GRAY,
             use_fast_idct), resize(size 224 x 224 from the centred square source window, antialias,
             INTERP_LINEAR), cat to 3 channels, crop_mirror_normalize(float, CHW). device_id=None, num_threads =
             the thread count.
  ffcv-jpeg  a .beton holding the original JPEG bytes (RGBImageField, jpg mode), Loader(num_workers = the thread
             count, os_cache) with CenterCropRGBImageDecoder((224, 224), ratio=1) (TurboJPEG fast DCT to RGB, then
             OpenCV INTER_AREA), NormalizeImage(float32), ToTensor, ToTorchImage() (FFCV's default: an N x 3 x
             224 x 224 tensor in channels_last memory order, as libchexpert's row writes NHWC).
  ffcv-raw   the same loader over a RAW-mode .beton: images decoded once, short side resized to 224 (Pillow
             BILINEAR), stored as uint8 RGB (FFCV has no grey field): the analogue of a packed cache.

  python bench/peers.py --check --root DATA --library LIB [--workdir DIR] [--images 16]
prints (as JSON) each peer's mean and max absolute difference from libchexpert's output on the same images.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time

BATCH = 64
SIZE = 224
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)

# contender name -> modules it needs (importlib names) and the pip package that provides them
REQUIRES = {
    "dali": (("nvidia.dali",), "nvidia-dali-cuda120"),
    "ffcv-jpeg": (("ffcv", "torch", "cv2", "numba", "PIL"), "ffcv"),
    "ffcv-raw": (("ffcv", "torch", "cv2", "numba", "PIL"), "ffcv"),
}


def missing(name):
    """None when `name`'s packages import-resolve, else a short reason ("not installed: pip package X")."""
    import importlib.util
    needs, package = REQUIRES[name]
    for module in needs:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return f"not installed (Python module {module}; pip package {package}: bash bench/setup.sh --peers)"
    return None


# ---- DALI ------------------------------------------------------------------------------------------------------

def _dali_pipeline(threads, files):
    """A CPU-only DALI pipeline over `files` (the list can be changed between epochs through `files[:]`); one epoch
    = len(files) images in batches of 64 (the last one shorter), then run() raises StopIteration, nothing runs
    ahead into the next epoch (a new epoch starts at the next run() after reset())."""
    import numpy as np
    import nvidia.dali.math as dmath
    from nvidia.dali import fn, pipeline_def, types

    def source(info):
        start = info.iteration * BATCH
        if start >= len(files):
            raise StopIteration
        return [np.fromfile(p, dtype=np.uint8) for p in files[start:start + BATCH]]

    @pipeline_def(batch_size=BATCH, num_threads=threads, device_id=None, prefetch_queue_depth=2)
    def pipe():
        jpegs = fn.external_source(source=source, batch=True, batch_info=True, dtype=types.UINT8, ndim=1)
        grey = fn.decoders.image(jpegs, device="cpu", output_type=types.GRAY, use_fast_idct=True)
        # the cover window, centred, in source pixels (resize_shorter + a 224 crop would put it on whole output
        # pixels: a half-pixel shift, 1.6 levels mean difference instead of 0.25)
        shape = fn.cast(grey.shape(), dtype=types.FLOAT)
        h, w = shape[0], shape[1]
        side = dmath.min(h, w)
        small = fn.resize(grey, size=(SIZE, SIZE), roi_start=fn.stack((h - side) * 0.5, (w - side) * 0.5),
                          roi_end=fn.stack((h + side) * 0.5, (w + side) * 0.5), antialias=True,
                          interp_type=types.INTERP_LINEAR)
        rgb = fn.cat(small, small, small, axis=2)
        return fn.crop_mirror_normalize(rgb, mean=[m * 255 for m in MEAN], std=[s * 255 for s in STD],
                                        dtype=types.FLOAT, output_layout="CHW")

    p = pipe()
    p.build()
    return p


def build_dali(threads, paths):
    import numpy as np
    files = list(paths)
    pipe = _dali_pipeline(threads, files)

    def one_pass(count):
        files[:] = paths[:count]
        n = 0
        try:
            while True:
                (out,) = pipe.run()
                np.asarray(out.as_tensor())  # the dense float32 N x 3 x 224 x 224 batch, no copy
                n += len(out)
        except StopIteration:
            pipe.reset()
        return n
    return one_pass


def dali_images(paths):
    import numpy as np
    pipe = _dali_pipeline(1, list(paths))
    (out,) = pipe.run()
    return np.array(out.as_tensor())


# ---- FFCV ------------------------------------------------------------------------------------------------------

def _original_jpeg_field():
    """An RGBImageField whose jpg-mode records are the source files' own bytes (FFCV's writer would decode and
    re-encode them as RGB JPEGs at quality 90); FFCV's decoder reads them like any jpg record."""
    import numpy as np
    from PIL import Image
    from ffcv.fields import RGBImageField
    from ffcv.fields.rgb_image import IMAGE_MODES

    class OriginalJPEGField(RGBImageField):
        def __init__(self):
            super().__init__(write_mode="jpg")

        def encode(self, destination, path, malloc):
            with open(path, "rb") as f:
                data = np.frombuffer(f.read(), dtype=np.uint8)
            with Image.open(path) as img:
                width, height = img.size
            destination["mode"] = IMAGE_MODES["jpg"]
            destination["height"], destination["width"] = height, width
            destination["data_ptr"], storage = malloc(data.nbytes)
            storage[:] = data
    return OriginalJPEGField


class _Sources:
    """The dataset FFCV's writer walks: (image, label) per path; RAW mode gets the decoded, short-side-224 RGB."""

    def __init__(self, paths, raw):
        self.paths, self.raw = paths, raw

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        path = self.paths[i]
        if not self.raw:
            return path, i
        import numpy as np
        from PIL import Image
        with Image.open(path) as img:
            grey = img.convert("L")
            w, h = grey.size
            s = SIZE / min(w, h)
            grey = grey.resize((max(SIZE, round(w * s)), max(SIZE, round(h * s))), Image.BILINEAR)
            plane = np.asarray(grey)
        return np.ascontiguousarray(np.repeat(plane[:, :, None], 3, axis=2)), i


def beton(workdir, paths, mode):
    """Writes (once) and returns the .beton for `paths` in `mode` ('jpg' or 'raw') and its build info."""
    from ffcv.fields import IntField, RGBImageField
    from ffcv.writer import DatasetWriter
    key = hashlib.sha256(("\n".join(paths) + mode).encode()).hexdigest()[:12]
    path = os.path.join(workdir, f"ffcv-{mode}-{len(paths)}-{key}.beton")
    info_path = path + ".json"
    if not (os.path.exists(path) and os.path.exists(info_path)):
        image = _original_jpeg_field()() if mode == "jpg" else RGBImageField(write_mode="raw")
        tmp = path + f".tmp{os.getpid()}"
        t0 = time.perf_counter()
        writer = DatasetWriter(tmp, {"image": image, "label": IntField()}, num_workers=1)
        writer.from_indexed_dataset(_Sources(paths, raw=(mode == "raw")))
        seconds = time.perf_counter() - t0
        os.replace(tmp, path)
        with open(info_path, "w") as f:
            json.dump({"seconds": seconds, "bytes": os.path.getsize(path), "images": len(paths)}, f)
    with open(info_path) as f:
        return path, json.load(f)


def _ffcv_loader(path, threads, count, mode):
    import numpy as np
    from ffcv.fields.rgb_image import CenterCropRGBImageDecoder
    from ffcv.loader import Loader, OrderOption
    from ffcv.transforms import NormalizeImage, ToTensor, ToTorchImage
    pipeline = [CenterCropRGBImageDecoder((SIZE, SIZE), ratio=1.0),
                NormalizeImage(np.array(MEAN) * 255, np.array(STD) * 255, np.float32),
                ToTensor(), ToTorchImage()]
    custom = {"image": _original_jpeg_field()} if mode == "jpg" else {}
    return Loader(path, batch_size=BATCH, num_workers=threads, order=OrderOption.SEQUENTIAL,
                  indices=np.arange(count), pipelines={"image": pipeline, "label": None}, custom_fields=custom,
                  drop_last=False, os_cache=True)


def build_ffcv(name, threads, paths, workdir):
    mode = "jpg" if name == "ffcv-jpeg" else "raw"
    path, info = beton(workdir, list(paths), mode)
    loaders = {}

    def one_pass(count):
        if count not in loaders:
            loaders.clear()
            loaders[count] = _ffcv_loader(path, threads, count, mode)
        n = 0
        for (images,) in loaders[count]:
            n += images.shape[0]
        return n
    one_pass.info = {"beton_build_seconds": info["seconds"], "beton_bytes_per_image": info["bytes"] / info["images"]}
    return one_pass


def ffcv_images(workdir, paths, mode):
    import numpy as np
    path, _ = beton(workdir, list(paths), mode)
    (images,) = next(iter(_ffcv_loader(path, 1, len(paths), mode)))
    return images.numpy().copy()


# ---- equivalence with libchexpert -------------------------------------------------------------------------------

def check(root, workdir, count):
    """Mean / max absolute difference (in 8-bit grey levels: |a - b| * std * 255) of each installed peer's output
    from libchexpert's (Resize(224, channels=3, NCHW, float32, cover, bilinear, imagenet), fast DCT) on the first
    `count` frontal train images."""
    import csv
    import numpy as np
    import chexpert
    folder = os.path.join(root, "CheXpert-v1.0-small")
    indices, paths = [], []
    with open(os.path.join(folder, "train.csv"), newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for index, row in enumerate(reader):
            if row[3] == "Frontal":
                indices.append(index)
                paths.append(os.path.join(root, row[0]))
                if len(paths) == count:
                    break
    resize = chexpert.Resize(SIZE, channels=3, layout="NCHW", dtype="float32", fit="cover", filter="bilinear",
                             normalize="imagenet", dct="fast")
    ds = chexpert.Dataset(root, dct="fast")
    ref = np.asarray(ds["train"].read_batch_resized(np.asarray(indices, dtype=np.int64), resize)["image"])
    scale = (np.array(STD, dtype=np.float64) * 255).reshape(1, 3, 1, 1)
    out = {"images": len(paths)}
    peers = {"dali": lambda: dali_images(paths),
             "ffcv-jpeg": lambda: ffcv_images(workdir, paths, "jpg"),
             "ffcv-raw": lambda: ffcv_images(workdir, paths, "raw")}
    for name, make in peers.items():
        why = missing(name)
        if why:
            out[name] = {"error": why}
            continue
        try:
            got = make()
        except Exception as e:  # noqa: BLE001 - reported, not fatal: the benchmark goes on without this row
            out[name] = {"error": f"{type(e).__name__}: {e}"}
            continue
        if got.shape != ref.shape:
            out[name] = {"error": f"shape {got.shape}, libchexpert {ref.shape}"}
            continue
        diff = np.abs(got.astype(np.float64) - ref) * scale
        out[name] = {"mean_abs_levels": float(diff.mean()), "max_abs_levels": float(diff.max()),
                     "p99_abs_levels": float(np.percentile(diff, 99))}
    return out


def main():
    import argparse
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--library")
    parser.add_argument("--workdir")
    parser.add_argument("--images", type=int, default=16)
    args = parser.parse_args()
    if args.library:
        os.environ["CHEXPERT_LIBRARY"] = args.library
    workdir = args.workdir or os.path.join(args.root, "bench-work")
    os.makedirs(workdir, exist_ok=True)
    print(json.dumps(check(args.root, workdir, args.images)))


if __name__ == "__main__":
    sys.exit(main())
