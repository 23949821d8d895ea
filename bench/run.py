#!/usr/bin/env python3
"""The libchexpert benchmark (issue 3): images/s and peak memory at 1 and 2 threads/workers, for two outputs,
libchexpert against a plain C loop over TurboJPEG (the ceiling) and the pipelines people use today.

Outputs:
  A  224 x 224 x 3 float32, ImageNet-normalised, cover fit (shorter side to 224, centre crop), each peer's own
     antialiased filter (Pillow/torchvision/TF: bilinear; libchexpert and the ceiling: Pillow's BILINEAR
     coefficients); torchxrayvision makes its own 1 x 224 x 224 [-1024, 1024] output with its usual transforms.
  B  the raw TFDS image: uint8 H x W x 3, full size (grey replicated), one array per example.

Run it as `bash bench/run.sh` (setup + data + build + this). Direct use (inside .venv-bench):
  python bench/run.py --root DATA --ceiling EXE --libc EXE [--count 2000] [--rounds 5] [--only A|B] ...
  python bench/run.py --worker NAME --output A|B --threads T --root DATA --list FILE ...   (internal)

Method: every contender reads the same files, the first --count frontal images of train.csv (their page cache is
warmed first; every contender still opens and reads each file on every pass). Python contenders run in their own
long-lived process (imports, DataLoader workers, tf.data graphs are set up once and warmed with one untimed pass
over the timed files), then each round asks every contender, in a rotated order, for one timed pass; C contenders
are new processes each round (they start in milliseconds) with their own warm-up of --warmup images, and time
all --count files; a Python contender times the first ~--pass-seconds worth of them (measured while warming up;
a multiple of 64, at least 512), so that slow peers do not dominate the run time. Medians over --rounds rounds
and the min-max spread are reported. Peak memory: the largest sum of RSS, and of PSS, over the contender's
process tree (DataLoader workers included), sampled every 0.1 s during its timed passes.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import peers  # noqa: E402 - bench/peers.py, the optional loader peers (imports nothing heavy at module level)
BATCH = 64
SIZE = 224
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


# --------------------------------------------------------------------------------------------------------------
# Contenders
# --------------------------------------------------------------------------------------------------------------

class Spec:
    def __init__(self, name, output, kind, title, note=""):
        self.name, self.output, self.kind, self.title, self.note = name, output, kind, title, note


SPECS = [
    Spec("ceiling", "A", "c", "C ceiling: TurboJPEG grey FASTDCT + vectorised float32 resample (Pillow-BILINEAR "
         "coefficients) + normalise (C loop, -march=native)"),
    Spec("ceiling-decode", "A", "c", "diagnostic: the ceiling's decode alone (TurboJPEG grey FASTDCT, no resize)",
         note="not output A: shows the decode's share of the ceiling's time"),
    Spec("lib-c", "A", "c", "libchexpert chexpert_batch_resized from C"),
    Spec("lib-c-jobs", "A", "c", "libchexpert jobs from C: chexpert_batch_resized_start of batch k + 1, then "
         "chexpert_job_wait of batch k (2 in flight)"),
    Spec("lib-py", "A", "py", "libchexpert Split.read_batch_resized from Python"),
    Spec("lib-loader", "A", "py", "libchexpert chexpert.Loader (prefetch 2)"),
    Spec("lib-cache", "A", "py", "libchexpert chexpert.Loader over a packed cache built at 224 x 224 (cover, "
         "bilinear; uint8 grey planes, mmap)", note="a cache: JPEGs decoded once, at build (time in the log)"),
    Spec("lib-aug", "A", "py", "libchexpert chexpert.Loader with native augmentation in the resize pass "
         "(jfhealthcare preset: affine +-15 deg, translate 5%, scale 0.95-1.05, fill 128)",
         note="augmented output: not the plain job"),
    Spec("torchvision", "A", "py", "Pillow RGB + torchvision Resize/CenterCrop/ToTensor/Normalize, DataLoader"),
    Spec("pillow-grey", "A", "py", "Pillow hand-tuned: convert('L'), resize(box), replicate+normalise in numpy, DataLoader"),
    Spec("simplejpeg", "A", "py", "simplejpeg grey fastdct + Pillow resize(box) + numpy, DataLoader"),
    Spec("pyturbojpeg", "A", "py", "PyTurboJPEG grey fastdct + Pillow resize(box) + numpy, DataLoader"),
    Spec("tf.data", "A", "py", "tf.data: read_file, decode_jpeg(3), resize(bilinear, antialias), crop, normalise"),
    Spec("xrv", "A", "py", "torchxrayvision CheX_Dataset + XRayCenterCrop + XRayResizer(224), DataLoader",
         note="its own output: 1 x 224 x 224 float32 in [-1024, 1024] (skimage resize)"),
    # Optional loader peers (bench/peers.py; `bash bench/setup.sh --peers` installs them): "not installed" rows
    # without them. Output N x 3 x 224 x 224 float32.
    Spec("dali", "A", "py", "NVIDIA DALI CPU pipeline: decoders.image(GRAY, fast IDCT), resize(antialias, linear, "
         "cover window), cat x3, crop_mirror_normalize"),
    Spec("ffcv-jpeg", "A", "py", "FFCV Loader over a .beton of the original JPEG bytes: CenterCropRGBImageDecoder "
         "(TurboJPEG fast DCT to RGB, OpenCV INTER_AREA), NormalizeImage, ToTorchImage",
         note="cover crop on whole pixels and area filter, not bilinear"),
    Spec("ffcv-raw", "A", "py", "FFCV Loader over a RAW .beton (decoded once, short side 224, uint8 RGB), same "
         "pipeline", note="a cache: no JPEG decode per epoch"),
    Spec("ceiling", "B", "c", "C ceiling: TurboJPEG RGB FASTDCT decode (C loop)"),
    Spec("lib-c", "B", "c", "libchexpert chexpert_batch_images from C"),
    Spec("lib-c-jobs", "B", "c", "libchexpert jobs from C: chexpert_batch_images_start of batch k + 1, then "
         "chexpert_job_wait of batch k (2 in flight)"),
    Spec("lib-py", "B", "py", "libchexpert Split.read_batch from Python"),
    Spec("pillow", "B", "py", "Pillow open().convert('RGB') in a DataLoader"),
    Spec("simplejpeg", "B", "py", "simplejpeg RGB fastdct in a DataLoader"),
    Spec("pyturbojpeg", "B", "py", "PyTurboJPEG RGB fastdct in a DataLoader"),
    Spec("tf.data", "B", "py", "tf.data: read_file + decode_jpeg(channels=3), per example"),
]


def cover_box(height, width, size=SIZE):
    """The COVER source window (x0, y0, x1, y1) for a size x size output (libchexpert's FIT_COVER)."""
    s = max(size / height, size / width)
    bw, bh = size / s, size / s
    x0, y0 = (width - bw) / 2, (height - bh) / 2
    return (x0, y0, x0 + bw, y0 + bh)


# ---- Python contenders: each builder returns a function doing one pass and returning the images it produced.

class _PrefixSampler:
    """Yields 0 .. n-1; n can change between epochs (persistent DataLoader workers stay up)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def _torch_loader(dataset, threads, collate_fn=None, count_of=None):
    import torch
    from torch.utils.data import DataLoader
    torch.set_num_threads(threads)
    kwargs = {} if collate_fn is None else {"collate_fn": collate_fn}
    sampler = _PrefixSampler(len(dataset))
    loader = DataLoader(dataset, batch_size=BATCH, sampler=sampler, num_workers=threads,
                        persistent_workers=True, prefetch_factor=2, **kwargs)
    count_of = count_of or (lambda batch: len(batch[1]))

    def one_pass(count):
        sampler.n = count
        n = 0
        for batch in loader:
            n += count_of(batch)
        return n
    return one_pass


def _grey_resize_normalise(grey, box_fn=cover_box):
    """Hand-tuned tail shared by the grey peers: Pillow resize of the grey plane, then numpy replicate+normalise.
    Returns a float32 (3, 224, 224) array (torch's CHW)."""
    import numpy as np
    from PIL import Image
    img = Image.fromarray(grey) if not isinstance(grey, Image.Image) else grey
    w, h = img.size
    small = img.resize((SIZE, SIZE), Image.BILINEAR, box=box_fn(h, w))
    v = np.asarray(small, dtype=np.float32)
    out = np.empty((3, SIZE, SIZE), dtype=np.float32)
    for c in range(3):
        np.multiply(v, 1.0 / (255.0 * STD[c]), out=out[c])
        out[c] -= MEAN[c] / STD[c]
    return out


class _Files:
    """A torch map-style dataset over the file list, turning each file into (image, label) with `fn`."""

    def __init__(self, paths, fn):
        self.paths, self.fn = paths, fn

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        return self.fn(self.paths[i]), i


def _list_collate(batch):
    return [item[0] for item in batch], [item[1] for item in batch]


def build_py(name, output, threads, args, paths, indices):
    if name == "dali":
        return peers.build_dali(threads, paths)
    if name in ("ffcv-jpeg", "ffcv-raw"):
        return peers.build_ffcv(name, threads, paths, args.workdir)
    if name in ("lib-py", "lib-loader", "lib-cache", "lib-aug"):
        return _build_lib(name, output, threads, args, indices)
    if name == "tf.data":
        return _build_tf(output, threads, paths)
    if name == "xrv":
        return _build_xrv(threads, args)
    import numpy as np
    import torch
    if output == "A":
        if name == "torchvision":
            from PIL import Image
            from torchvision import transforms
            transform = transforms.Compose([
                transforms.Resize(SIZE), transforms.CenterCrop(SIZE), transforms.ToTensor(),
                transforms.Normalize(MEAN, STD)])

            def fn(path):
                return transform(Image.open(path).convert("RGB"))
        elif name == "pillow-grey":
            from PIL import Image

            def fn(path):
                return _grey_resize_normalise(Image.open(path).convert("L"))
        elif name == "simplejpeg":
            import simplejpeg

            def fn(path):
                with open(path, "rb") as f:
                    data = f.read()
                grey = simplejpeg.decode_jpeg(data, colorspace="GRAY", fastdct=True)
                return _grey_resize_normalise(grey[:, :, 0])
        elif name == "pyturbojpeg":
            import turbojpeg
            jpeg = turbojpeg.TurboJPEG()

            def fn(path):
                with open(path, "rb") as f:
                    data = f.read()
                grey = jpeg.decode(data, pixel_format=turbojpeg.TJPF_GRAY, flags=turbojpeg.TJFLAG_FASTDCT)
                return _grey_resize_normalise(grey[:, :, 0])
        else:
            raise SystemExit(f"unknown contender {name} for output A")
        return _torch_loader(_Files(paths, fn), threads)
    # output B: one uint8 H x W x 3 tensor per example, handed over through torch's shared memory
    if name == "pillow":
        from PIL import Image

        def fn(path):
            return torch.from_numpy(np.asarray(Image.open(path).convert("RGB")))
    elif name == "simplejpeg":
        import simplejpeg

        def fn(path):
            with open(path, "rb") as f:
                data = f.read()
            return torch.from_numpy(simplejpeg.decode_jpeg(data, colorspace="RGB", fastdct=True))
    elif name == "pyturbojpeg":
        import turbojpeg
        jpeg = turbojpeg.TurboJPEG()

        def fn(path):
            with open(path, "rb") as f:
                data = f.read()
            return torch.from_numpy(jpeg.decode(data, pixel_format=turbojpeg.TJPF_RGB,
                                                flags=turbojpeg.TJFLAG_FASTDCT))
    else:
        raise SystemExit(f"unknown contender {name} for output B")
    return _torch_loader(_Files(paths, fn), threads, collate_fn=_list_collate)


def _build_lib(name, output, threads, args, indices):
    import numpy as np
    import chexpert
    ds = chexpert.Dataset(args.root, dct="fast")
    split = ds["train"]
    idx = np.asarray(indices, dtype=np.int64)
    timing = {"inner": 0.0}
    if output == "B":
        if name != "lib-py":
            raise SystemExit("the Loader makes resized batches only")

        def one_pass(count):
            n = 0
            for start in range(0, count, BATCH):
                batch = split.read_batch(idx[start:min(start + BATCH, count)], num_threads=threads)
                n += len(batch["label"])
            return n
        return one_pass
    resize = chexpert.Resize(SIZE, channels=3, layout="NCHW", dtype="float32", fit="cover",
                             filter="bilinear", normalize="imagenet", dct="fast", resample="fast")
    if name == "lib-cache":
        cache = os.path.join(args.workdir, "lib-cache-224.chxc")
        if not os.path.exists(cache):
            t0 = time.perf_counter()
            ds.build_cache(cache + f".{os.getpid()}", height=SIZE, width=SIZE, fit="cover", filter="bilinear",
                           num_threads=threads, dct="fast")
            os.replace(cache + f".{os.getpid()}", cache)
            print(f"lib-cache: built {cache} in {time.perf_counter() - t0:.1f} s "
                  f"({os.path.getsize(cache) / max(1, len(ds['train']) + len(ds['validation'])) / 1024:.1f} KiB "
                  f"per image)", file=sys.stderr)
        ds.attach_cache(cache)
    if name == "lib-aug":
        resize = chexpert.Resize(SIZE, channels=3, layout="NCHW", dtype="float32", fit="cover", filter="bilinear",
                                 normalize="imagenet", dct="fast", resample="fast",
                                 augment=chexpert.Augment("jfhealthcare", seed=1))
    if name in ("lib-loader", "lib-cache", "lib-aug"):
        loaders = {}

        def one_pass(count):
            if count not in loaders:
                loaders.clear()  # one Loader (and its ring of buffers) alive at a time
                loaders[count] = chexpert.Loader(split, BATCH, resize, indices=idx[:count], num_threads=threads,
                                                 prefetch=2)
            n = 0
            for batch in loaders[count]:
                n += len(batch["label"])
            return n
        return one_pass
    # lib-py: time the library call inside read_batch_resized too, to get Python's overhead per batch.
    from chexpert import split as split_module
    inner = split_module._ffi.chexpert_batch_resized

    class _TimedFFI:
        def __getattr__(self, attr):
            return getattr(split_module._ffi_real, attr)

        @staticmethod
        def chexpert_batch_resized(*a):
            t0 = time.perf_counter()
            try:
                return inner(*a)
            finally:
                timing["inner"] += time.perf_counter() - t0
    split_module._ffi_real = split_module._ffi
    split_module._ffi = _TimedFFI()
    out = np.empty(resize.shape(BATCH), dtype=np.float32)

    def one_pass(count):
        n = 0
        timing["inner"] = 0.0
        for start in range(0, count, BATCH):
            part = idx[start:min(start + BATCH, count)]
            buf = out if len(part) == BATCH else None
            batch = split.read_batch_resized(part, resize, num_threads=threads, out=buf)
            n += len(batch["label"])
        return n
    one_pass.timing = timing
    return one_pass


def _build_tf(output, threads, paths):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    options = tf.data.Options()
    options.threading.private_threadpool_size = threads
    options.threading.max_intra_op_parallelism = 1
    files = tf.data.Dataset.from_tensor_slices(list(paths))
    mean = tf.constant(MEAN, dtype=tf.float32)
    std = tf.constant(STD, dtype=tf.float32)

    def decode(path):
        return tf.io.decode_jpeg(tf.io.read_file(path), channels=3)

    def resized(path):
        image = decode(path)
        shape = tf.cast(tf.shape(image)[:2], tf.float32)
        scale = SIZE / tf.reduce_min(shape)
        new = tf.cast(tf.round(shape * scale), tf.int32)
        image = tf.image.resize(image, new, method="bilinear", antialias=True)
        top = (new[0] - SIZE) // 2
        left = (new[1] - SIZE) // 2
        image = image[top:top + SIZE, left:left + SIZE, :]
        return (image / 255.0 - mean) / std

    if output == "A":
        base = files.map(resized, num_parallel_calls=tf.data.AUTOTUNE).batch(BATCH)
    else:
        base = files.map(decode, num_parallel_calls=tf.data.AUTOTUNE)

    def one_pass(count):
        # take() after map(): the map function is traced once, when `base` is built
        ds = base.take(-(-count // BATCH) if output == "A" else count)
        ds = ds.prefetch(tf.data.AUTOTUNE).with_options(options)
        n = 0
        for item in ds:
            n += int(item.shape[0]) if output == "A" else 1
        return n
    return one_pass


def _build_xrv(threads, args):
    import torchvision
    import torchxrayvision as xrv
    transform = torchvision.transforms.Compose([xrv.datasets.XRayCenterCrop(), xrv.datasets.XRayResizer(SIZE)])
    dataset = xrv.datasets.CheX_Dataset(imgpath=os.path.join(args.root, "CheXpert-v1.0-small"),
                                        csvpath=args.xrv_csv, views=["PA", "AP", "LL", "RL"],
                                        transform=transform, unique_patients=False)
    one_pass = _torch_loader(dataset, threads, count_of=lambda batch: len(batch["idx"]))
    one_pass.size = len(dataset)
    return one_pass


def worker_main(args):
    """A long-lived contender process: set up, warm up, then one timed pass per 'run' line on stdin."""
    with open(args.list) as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    indices = [int(r[0]) for r in rows]
    paths = [r[1] for r in rows]
    one_pass = build_py(args.worker, args.output, args.threads, args, paths, indices)
    if getattr(one_pass, "size", len(paths)) != len(paths):
        raise SystemExit(f"{args.worker}: its dataset has {one_pass.size} examples, not {len(paths)}")
    # Warm-up: twice over the first --warmup files (DataLoader workers started, graphs traced, caches built);
    # the second pass's speed sets this contender's images per timed pass: about --pass-seconds worth, a
    # multiple of the batch size, at least 512 and at most --count (slow peers time a prefix of the same files).
    one_pass(args.warmup)
    t0 = time.perf_counter()
    one_pass(args.warmup)
    speed = args.warmup / (time.perf_counter() - t0)
    count = max(512, int(speed * args.pass_seconds) // BATCH * BATCH)
    count = min(count, len(paths))
    one_pass(count)  # one untimed pass over exactly the timed files
    print(json.dumps({"ready": True, "count": count, "info": getattr(one_pass, "info", None)}), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        t0 = time.perf_counter()
        n = one_pass(count)
        dt = time.perf_counter() - t0
        result = {"images": n, "seconds": dt, "images_per_second": n / dt}
        timing = getattr(one_pass, "timing", None)
        if timing is not None:
            batches = -(-n // BATCH)
            result["python_overhead_us_per_batch"] = (dt - timing["inner"]) / batches * 1e6
            result["python_overhead_fraction"] = (dt - timing["inner"]) / timing["inner"]
        print(json.dumps(result), flush=True)


# --------------------------------------------------------------------------------------------------------------
# Orchestrator
# --------------------------------------------------------------------------------------------------------------

class TreeSampler:
    """Samples the summed RSS and PSS of a process and its descendants every `interval` s while active."""

    def __init__(self, interval=0.1):
        import psutil
        self.psutil = psutil
        self.interval = interval
        self.pid = None
        self.peak_rss = 0
        self.peak_pss = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def watch(self, pid):
        with self.lock:
            self.pid, self.peak_rss, self.peak_pss = pid, 0, 0

    def done(self):
        self.sample()
        with self.lock:
            self.pid = None
            return self.peak_rss, self.peak_pss

    def sample(self):
        with self.lock:
            pid = self.pid
        if pid is None:
            return
        try:
            root = self.psutil.Process(pid)
            procs = [root] + root.children(recursive=True)
        except self.psutil.Error:
            return
        rss = pss = 0
        for p in procs:
            try:
                info = p.memory_full_info()
                rss += info.rss
                pss += info.pss
            except self.psutil.Error:
                pass
        with self.lock:
            if self.pid == pid:
                self.peak_rss = max(self.peak_rss, rss)
                self.peak_pss = max(self.peak_pss, pss)

    def _loop(self):
        while not self.stop.wait(self.interval):
            self.sample()


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def cpu_times():
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    values = [int(v) for v in parts]
    idle = values[3] + values[4]
    return sum(values[:8]), idle


def select_subset(root, count):
    """The first `count` frontal rows of train.csv: (train index, absolute path, csv row)."""
    folder = os.path.join(root, "CheXpert-v1.0-small")
    with open(os.path.join(folder, "train.csv"), newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        chosen = []
        for index, row in enumerate(reader):
            if row[3] == "Frontal":
                chosen.append((index, os.path.join(root, row[0]), row))
                if len(chosen) == count:
                    break
    if len(chosen) < count:
        raise SystemExit(f"only {len(chosen)} frontal train images in {folder}, --count is {count}")
    return header, chosen


class PyContender:
    def __init__(self, spec, threads, args, list_path, env):
        self.spec, self.threads = spec, threads
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", spec.name, "--output", spec.output,
               "--threads", str(threads), "--root", args.root, "--list", list_path,
               "--warmup", str(args.warmup), "--xrv-csv", args.xrv_csv, "--pass-seconds", str(args.pass_seconds),
               "--workdir", args.workdir]
        self.log = open(os.path.join(args.workdir, f"{spec.output}-{spec.name}-{threads}.log"), "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                     text=True, env=env)
        line = self.proc.stdout.readline()
        self.ready = json.loads(line) if line.startswith("{") else {}
        if not self.ready.get("ready"):
            self.proc.kill()
            raise RuntimeError(f"{spec.output}/{spec.name}/{threads} did not start; see {self.log.name}")

    def run(self, sampler):
        sampler.watch(self.proc.pid)
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        rss, pss = sampler.done()
        if not line:
            raise RuntimeError(f"{self.spec.output}/{self.spec.name}/{self.threads} died; see {self.log.name}")
        result = json.loads(line)
        result["peak_rss"], result["peak_pss"] = rss, pss
        return result

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=60)
        except Exception:  # noqa: BLE001 - best effort
            self.proc.kill()
        self.log.close()


class CContender:
    def __init__(self, spec, threads, args, list_path, index_path):
        self.spec, self.threads = spec, threads
        mode = "decode" if spec.output == "B" else "grey" if spec.name == "ceiling-decode" else "resize"
        common = ["--mode", mode, "--threads", str(threads), "--warmup", str(args.warmup)]
        if spec.name.startswith("ceiling"):
            self.cmd = [args.ceiling, "--list", list_path + ".paths"] + common
        else:
            self.cmd = [args.libc, "--root", args.root, "--indices", index_path] + common
            if spec.name == "lib-c-jobs":
                self.cmd += ["--jobs", "2"]

    def run(self, sampler):
        proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sampler.watch(proc.pid)
        out, err = proc.communicate()
        rss, pss = sampler.done()
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(self.cmd)} failed ({proc.returncode}): {err.strip()}")
        result = json.loads(out.strip().splitlines()[-1])
        # a short C process may end between samples: its own ru_maxrss is exact
        result["peak_rss"] = max(rss, result["maxrss_kb"] * 1024)
        result["peak_pss"] = pss
        return result

    def close(self):
        pass


def summarize(values):
    values = sorted(values)
    return {"median": statistics.median(values), "min": values[0], "max": values[-1], "n": len(values)}


def orchestrate(args):
    os.makedirs(args.workdir, exist_ok=True)
    header, chosen = select_subset(args.root, args.count)
    list_path = os.path.join(args.workdir, "subset.tsv")
    with open(list_path, "w") as f:
        for index, path, _ in chosen:
            f.write(f"{index}\t{path}\n")
    with open(list_path + ".paths", "w") as f:
        f.writelines(path + "\n" for _, path, _ in chosen)
    index_path = list_path + ".indices"
    with open(index_path, "w") as f:
        f.writelines(f"{index}\n" for index, _, _ in chosen)
    with open(args.xrv_csv, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(row for _, _, row in chosen)
    total_bytes = 0
    for _, path, _ in chosen:  # warm the page cache
        with open(path, "rb") as f:
            total_bytes += len(f.read())
    print(f"subset: {len(chosen)} frontal train images, {total_bytes / len(chosen) / 1024:.1f} KiB mean, "
          f"page cache warmed", flush=True)

    # The library from Python: same name for every process (and the C contender links the same file).
    env = dict(os.environ)
    env["CHEXPERT_LIBRARY"] = args.library
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["CHEXPERT_LIBRARY"] = args.library

    sampler = TreeSampler()
    results = {"meta": {}, "runs": {}, "absent": {}, "info": {}}
    load = []
    start = time.time()
    busy0 = cpu_times()
    outputs = [o for o in ("A", "B") if args.only in (None, o)]
    for output in outputs:
        specs = [s for s in SPECS if s.output == output and (not args.contenders or s.name in args.contenders)]
        contenders = []
        optional = [s.name for s in specs if s.name in peers.REQUIRES]
        for name in optional:
            why = peers.missing(name)
            if why:
                print(f"  {output}/{name}: {why}", flush=True)
                results["absent"][f"{output}|{name}"] = why
        if any(f"{output}|{n}" not in results["absent"] for n in optional):
            print("  checking the loader peers' output against libchexpert's", flush=True)
            out = subprocess.run([sys.executable, os.path.join(HERE, "peers.py"), "--check", "--root", args.root,
                                  "--workdir", args.workdir], env=env, capture_output=True, text=True)
            last = out.stdout.strip().splitlines()[-1:] if out.returncode == 0 else []
            results["peer_check"] = json.loads(last[0]) if last else {"error": out.stderr.strip()[-2000:]}
        for spec in specs:
            if f"{output}|{spec.name}" in results["absent"]:
                continue
            for threads in args.threads:
                print(f"  starting {output}/{spec.name}/{threads}", flush=True)
                if spec.kind == "c":
                    contenders.append(CContender(spec, threads, args, list_path, index_path))
                    continue
                try:
                    contenders.append(PyContender(spec, threads, args, list_path, env))
                except (RuntimeError, ValueError) as e:
                    if spec.name not in optional:
                        raise
                    print(f"  {e}", flush=True)
                    results["absent"][f"{output}|{spec.name}"] = str(e)
                    continue
                results["info"][f"{output}|{spec.name}|{threads}"] = contenders[-1].ready.get("info")
        try:
            for r in range(args.rounds):
                order = contenders[r % len(contenders):] + contenders[:r % len(contenders)]
                load.append(os.getloadavg()[0])
                for c in order:
                    if f"{output}|{c.spec.name}" in results["absent"]:
                        continue
                    try:
                        res = c.run(sampler)
                    except (RuntimeError, ValueError) as e:  # an optional peer that died: its row says so
                        if c.spec.name not in optional:
                            raise
                        print(f"  {e}", flush=True)
                        results["absent"][f"{output}|{c.spec.name}"] = str(e)
                        continue
                    key = f"{output}|{c.spec.name}|{c.threads}"
                    results["runs"].setdefault(key, []).append(res)
                print(f"  output {output} round {r + 1}/{args.rounds} done ({time.time() - start:.0f} s, "
                      f"load {os.getloadavg()[0]:.2f})", flush=True)
        finally:
            for c in contenders:
                c.close()
    busy1 = cpu_times()
    total, idle = busy1[0] - busy0[0], busy1[1] - busy0[1]
    results["meta"] = {
        "nproc": os.cpu_count(), "cpu_model": cpu_model(), "loadavg_samples": load,
        "machine_busy_fraction": (total - idle) / total if total else None,
        "seconds": time.time() - start, "count": args.count, "rounds": args.rounds, "warmup": args.warmup,
        "threads": args.threads, "mean_kib": total_bytes / len(chosen) / 1024, "python": sys.version.split()[0],
        "command": args.command,
    }
    if args.memory_epochs:
        results["memory"] = memory_run(args, env)
    return results


def memory_run(args, env):
    """A full pass (every train image) of chexpert.Loader, `memory_epochs` epochs, RSS sampled each 0.5 s."""
    code = r"""
import json, os, sys, time, threading
import numpy as np, psutil, chexpert
root, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
proc = psutil.Process()
ds = chexpert.Dataset(root)
split = ds["train"]
resize = chexpert.Resize(224, channels=3, dtype="float32", fit="cover", filter="bilinear", normalize="imagenet")
loader = chexpert.Loader(split, 64, resize, shuffle=True, seed=1, num_threads=threads, prefetch=2)
samples = []
stop = threading.Event()
def sample():
    while not stop.wait(0.5):
        samples.append((time.perf_counter(), proc.memory_info().rss))
t = threading.Thread(target=sample, daemon=True)
before = proc.memory_info().rss
t.start()
epochs_out = []
for e in range(epochs):
    t0 = time.perf_counter(); n = 0
    for batch in loader:
        n += len(batch["label"])
    t1 = time.perf_counter()
    rss = [r for (t_, r) in samples if t0 <= t_ <= t1]
    epochs_out.append({"images": n, "seconds": t1 - t0, "images_per_second": n / (t1 - t0),
                       "rss_min": min(rss) if rss else None, "rss_max": max(rss) if rss else None,
                       "rss_end": proc.memory_info().rss})
stop.set()
print(json.dumps({"rss_before": before, "epochs": epochs_out, "library_bytes": ds.memory_usage(),
                  "split_size": len(split)}))
"""
    print(f"  memory: chexpert.Loader over the whole train split, {args.memory_epochs} epochs, "
          f"{max(args.threads)} threads", flush=True)
    out = subprocess.run([sys.executable, "-c", code, args.root, str(args.memory_epochs), str(max(args.threads))],
                         env=env, capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip()[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------------------

def fmt_ips(s):
    return f"{s['median']:,.0f} ({s['min']:,.0f}–{s['max']:,.0f})"


def mib(v):
    return f"{v / 2**20:,.0f}"


def loader_peer_notes(results):
    """RESULTS.md lines on the optional loader peers: how they differ from the job, their pixel agreement with
    libchexpert (bench/peers.py --check), the .beton sizes and build times."""
    check = results.get("peer_check")
    info = results.get("info", {})
    absent = results.get("absent", {})
    names = [n for n in peers.REQUIRES if any(k.startswith(f"A|{n}|") for k in results["runs"]) or f"A|{n}" in absent]
    if not names:
        return []
    out = ["Same files, batch 64, output float32 N x 3 x 224 x 224 (DALI: CHW memory order; FFCV: its default "
           "channels_last memory order, as the libchexpert rows write NHWC). DALI: `device_id=None` (CPU only), "
           "`num_threads` = the thread count, `prefetch_queue_depth=2`, file bytes fed by `external_source` one "
           "epoch at a time (nothing runs ahead between passes); grey decode, one resample of the grey plane, then "
           "3 channels. FFCV: `Loader(num_workers` = the thread count, `os_cache=True`, sequential order, "
           "`batches_ahead=3)`; its decoder has no grey mode (TurboJPEG decodes to RGB, OpenCV resizes 3 channels), "
           "crops the centred square on whole pixels and resizes it with INTER_AREA (box averaging), not the "
           "antialiased bilinear of the others; its JPEG .beton holds the source files' own bytes (FFCV's writer "
           "would re-encode them as RGB JPEGs at quality 90), its RAW .beton the images decoded once with the short "
           "side resized to 224 (Pillow BILINEAR), as uint8 RGB: a cache, compare it with libchexpert's packed "
           "cache, not with the JPEG rows.", ""]
    if check and "error" not in check:
        out.append(f"Agreement with libchexpert's output (`Resize(224, channels=3, NCHW, float32, cover, bilinear, "
                   f"imagenet)`, fast DCT) on the first {check['images']} timed images, in 8-bit grey levels "
                   f"(|difference| x std x 255):")
        out.append("")
        out.append("| peer | mean | 99th percentile | max |")
        out.append("|---|---:|---:|---:|")
        for n in names:
            c = check.get(n, {})
            if "error" in c:
                out.append(f"| {n} | {c['error']} | | |")
            elif c:
                out.append(f"| {n} | {c['mean_abs_levels']:.2f} | {c['p99_abs_levels']:.2f} | "
                           f"{c['max_abs_levels']:.2f} |")
        out.append("")
    elif check:
        out.append(f"The agreement check failed: {check['error']}")
        out.append("")
    for n in ("ffcv-jpeg", "ffcv-raw"):
        i = next((v for k, v in info.items() if k.startswith(f"A|{n}|") and v), None)
        if i:
            out.append(f"- {n}: .beton written in {i['beton_build_seconds']:.1f} s (1 writer process), "
                       f"{i['beton_bytes_per_image'] / 1024:.1f} KiB per image.")
    return out


def report(results, args):
    runs = results["runs"]
    meta = results["meta"]
    stats = {key: summarize([r["images_per_second"] for r in rs]) for key, rs in runs.items()}
    mem = {key: (max(r["peak_rss"] for r in rs), max(r["peak_pss"] for r in rs)) for key, rs in runs.items()}
    t1, t2 = (args.threads + [None, None])[:2] if len(args.threads) >= 2 else (args.threads[0], None)
    lines = []
    add = lines.append
    add("# Benchmark results (issue 3)")
    add("")
    add(f"Made by `{meta['command']}` (from the repository root) on {time.strftime('%Y-%m-%d %H:%M %Z')}; "
        f"raw numbers and logs in `{args.workdir}` (not committed).")
    add("")
    add("## Machine and data")
    add("")
    loads = meta["loadavg_samples"]
    add(f"- {meta['nproc']} cores ({meta['cpu_model']}), Python {meta['python']}; 1-minute load average at the "
        f"start of each round: {min(loads):.2f}–{max(loads):.2f}; whole machine busy "
        f"{100 * meta['machine_busy_fraction']:.0f}% of the run ({meta['seconds']:.0f} s, benchmark included).")
    add(f"- Data: `chexpert-sample {args.sample_args}` ({args.dataset_note}). Timed subset: the first "
        f"{meta['count']} frontal train images ({meta['mean_kib']:.1f} KiB mean), page cache warm; every pass "
        f"opens and reads every file. C programs time all of them after {meta['warmup']} warm-up images; Python "
        f"contenders live in one process each, are warmed up, and time the first ~{args.pass_seconds:g} s worth of "
        f"them (a multiple of 64, 512 at least: shown as img/pass). Then {meta['rounds']} rounds, contenders "
        f"interleaved in a rotating order; batch size {BATCH}; DataLoaders with persistent workers.")
    add("- Cell = median images/s over the rounds (min–max). Ratio = median / median of the reference at the "
        "same thread count. Memory = peak over the timed passes of the process tree's summed RSS (and PSS, which "
        "splits pages shared by forked workers), MiB.")
    add("")
    for output, title in (("A", "Output A: 224 x 224 x 3 float32, ImageNet-normalised, cover fit"),
                          ("B", "Output B: the raw TFDS image (uint8 H x W x 3, full size)")):
        absent = results.get("absent", {})
        names = [s for s in SPECS if s.output == output and (any(k.startswith(f"{output}|{s.name}|") for k in stats)
                                                              or f"{output}|{s.name}" in absent)]
        if not names:
            continue
        add(f"## {title}")
        add("")
        head = "| contender |"
        rule = "|---|"
        for t in args.threads:
            head += f" {t} thread{'s' if t > 1 else ''}: images/s | × ceiling | RSS / PSS MiB |"
            rule += "---:|---:|---:|"
        if t2:
            head += f" {t2}T / {t1}T |"
            rule += "---:|"
        add(head)
        add(rule)
        for s in names:
            per_pass = sorted({rs[0]["images"] for k, rs in runs.items() if k.startswith(f"{output}|{s.name}|")})
            row = (f"| **{s.name}**: {s.title}{' — ' + s.note if s.note else ''} "
                   f"{'[' + '/'.join(str(v) for v in per_pass) + ' img/pass]' if per_pass else ''}"
                   f"{' — **' + absent[f'{output}|{s.name}'] + '**' if f'{output}|{s.name}' in absent else ''} |")
            for t in args.threads:
                key = f"{output}|{s.name}|{t}"
                ceil_key = f"{output}|ceiling|{t}"
                if key not in stats:
                    row += " — | — | — |"
                    continue
                ratio = (f"{stats[key]['median'] / stats[ceil_key]['median']:.2f}" if ceil_key in stats else "—")
                row += f" {fmt_ips(stats[key])} | {ratio} | {mib(mem[key][0])} / {mib(mem[key][1])} |"
            if t2:
                k1, k2 = f"{output}|{s.name}|{t1}", f"{output}|{s.name}|{t2}"
                row += f" {stats[k2]['median'] / stats[k1]['median']:.2f} |" if k1 in stats and k2 in stats else " — |"
            add(row)
        add("")
        ours = [n for n in ("lib-loader", "lib-py", "lib-c", "lib-c-jobs") if any(k == f"{output}|{n}|{args.threads[-1]}" for k in stats)]
        peers = [s.name for s in names if s.name not in ("lib-loader", "lib-py", "lib-c", "lib-c-jobs", "lib-cache",
                                                           "lib-aug", "ceiling-decode")]
        if ours and peers:
            add(f"Ratios of libchexpert to each peer (output {output}, median / median at equal thread count):")
            add("")
            head = "| peer |" + "".join(f" {n} {t}T |" for n in ours for t in args.threads)
            add(head)
            add("|---|" + "---:|" * (len(ours) * len(args.threads)))
            for p in peers:
                row = f"| {p} |"
                for n in ours:
                    for t in args.threads:
                        a, b = stats.get(f"{output}|{n}|{t}"), stats.get(f"{output}|{p}|{t}")
                        row += f" {a['median'] / b['median']:.2f} |" if a and b else " — |"
                add(row)
            add("")
    over = [r for t in args.threads for r in runs.get(f"A|lib-py|{t}", []) if "python_overhead_fraction" in r]
    targets = []

    def med(key):
        return stats[key]["median"] if key in stats else None

    for t in args.threads:
        a, c = med(f"A|lib-py|{t}"), med(f"A|ceiling|{t}")
        if a and c:
            targets.append((f"read_batch_resized from Python ≥ 0.9 × C ceiling at {t} thread(s) (output A)",
                            a / c, 0.9))
        a, c = med(f"B|lib-py|{t}"), med(f"B|ceiling|{t}")
        if a and c:
            targets.append((f"read_batch from Python ≥ 0.9 × C ceiling at {t} thread(s) (output B)", a / c, 0.9))
    if t2:
        for out in ("A", "B"):
            a1, a2 = med(f"{out}|lib-py|{t1}"), med(f"{out}|lib-py|{t2}")
            if a1 and a2:
                targets.append((f"batch call from Python: {t2} threads ≥ 1.8 × {t1} thread (output {out})",
                                a2 / a1, 1.8))
    for t in args.threads:
        loader = med(f"A|lib-loader|{t}")
        for peer, need, label in (("torchvision", 3.0, "torchvision-style pipeline"),
                                  ("pillow-grey", 1.3, "best hand-tuned Pillow pipeline"),
                                  ("xrv", 5.0, "torchxrayvision"), ("tf.data", 1.0, "tf.data (faster than)")):
            p = med(f"A|{peer}|{t}")
            if loader and p:
                targets.append((f"Loader ≥ {need:g} × {label} at {t} thread(s)/worker(s)", loader / p, need))
    if over:
        worst = max(statistics.median([r["python_overhead_fraction"] for r in runs[f"A|lib-py|{t}"]])
                    for t in args.threads if f"A|lib-py|{t}" in runs)
        us = statistics.median([r["python_overhead_us_per_batch"] for r in over])
        targets.append((f"Python overhead per batch of 64 < 2% of the batch's library time "
                        f"(median {us:.0f} µs per batch; value = fraction, worst thread count)", worst, 0.02,
                        "below"))
    peer_lines = loader_peer_notes(results)
    if peer_lines:
        add("## Loader peers: DALI and FFCV (issue 13)")
        add("")
        lines.extend(peer_lines)
        add("")
    add("## Notes")
    add("")
    add("- Same files, same page cache state, same batch size for everyone; libchexpert and the C programs use "
        "TurboJPEG's fast DCT (TFDS's choice), Pillow/torchvision/xrv libjpeg's default (accurate) DCT, "
        "simplejpeg/PyTurboJPEG the fast one. Layouts differ (torch peers CHW, the rest HWC): same bytes, same "
        "work.")
    add("- DataLoader peers use `num_workers` = the thread count, `persistent_workers=True`, `prefetch_factor=2`; "
        "output B peers return one tensor per example (shapes differ) through torch's shared memory. tf.data "
        "uses `private_threadpool_size` = the thread count (and as many intra/inter-op threads), "
        "`num_parallel_calls=AUTOTUNE`; for output B it yields examples one by one, as TFDS does.")
    add("- torchxrayvision's row does less output work (1 channel, no ImageNet normalisation), and uses "
        "skimage's Gaussian-antialiased resize; views PA/AP/LL/RL (all the frontal images), "
        "`unique_patients=False`.")
    add("- The machine is shared: other sessions' builds and tests ran during the run (see the load above), "
        "so the spreads are wide and 2-thread numbers suffer most; compare medians within one table.")
    add("")
    add("## Targets (issue 3)")
    add("")
    add("| target | measured | pass |")
    add("|---|---:|:---:|")
    for item in targets:
        text, value, need = item[:3]
        below = len(item) > 3
        ok = value < need if below else value >= need
        shown = f"{100 * value:.2f}%" if below else f"{value:.2f}×"
        add(f"| {text} | {shown} | {'pass' if ok else '**FAIL**'} |")
    memory = results.get("memory")
    if memory and "epochs" in memory:
        add("")
        add("## Memory over full passes")
        add("")
        add(f"`chexpert.Loader` (batch 64, float32 224² × 3, shuffle, prefetch 2, {max(args.threads)} threads) over "
            f"all {memory['split_size']:,} train images, RSS of the process sampled every 0.5 s; RSS before the "
            f"first epoch (Python, numpy, the opened dataset): {mib(memory['rss_before'])} MiB; the dataset's own "
            f"memory (chexpert_dataset_memory_usage): {memory['library_bytes'] / 2**20:.1f} MiB.")
        add("")
        add("| epoch | images/s | RSS min MiB | RSS max MiB | RSS at end MiB |")
        add("|---:|---:|---:|---:|---:|")
        for i, e in enumerate(memory["epochs"]):
            add(f"| {i + 1} | {e['images_per_second']:,.0f} | {mib(e['rss_min'] or 0)} | {mib(e['rss_max'] or 0)} "
                f"| {mib(e['rss_end'])} |")
    elif memory:
        add("")
        add(f"Memory run failed: {memory.get('error')}")
    add("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", required=True, help="folder holding CheXpert-v1.0-small/")
    parser.add_argument("--worker")
    parser.add_argument("--output", choices=("A", "B"))
    parser.add_argument("--list")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pass-seconds", type=float, default=3.0)
    parser.add_argument("--only", choices=("A", "B"))
    parser.add_argument("--contenders", nargs="*")
    parser.add_argument("--ceiling")
    parser.add_argument("--libc")
    parser.add_argument("--library", default=os.path.join(REPO, ".build-bench/release/libchexpert.so"))
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--xrv-csv", default=None)
    parser.add_argument("--memory-epochs", type=int, default=2)
    parser.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    parser.add_argument("--sample-args", default="")
    parser.add_argument("--dataset-note", default="")
    parser.add_argument("--command", default="bash bench/run.sh")
    args = parser.parse_args()
    if args.worker:
        args.threads = args.threads[0]
        return worker_main(args)
    args.workdir = args.workdir or os.path.join(args.root, "bench-work")
    args.xrv_csv = args.xrv_csv or os.path.join(args.workdir, "xrv_train_subset.csv")
    args.json_out = os.path.join(args.workdir, "results.json")
    results = orchestrate(args)
    with open(args.json_out, "w") as f:
        json.dump(results, f, indent=1)
    text = report(results, args)
    with open(args.results, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
