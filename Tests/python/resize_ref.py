"""The numpy/Pillow reference of a resized example (.work/ISSUE3.md semantics,
include/chexpert.h "Resized batches"), written independently of the library.

Source: the example decoded as by ``split[i]`` (RGB, grey replicated); for one
channel its luma (channel 0 of a grey JPEG, TurboJPEG's TJPF_GRAY decode of a
colour one). Geometry: a source box and an output region per fit mode.
Resampling: Pillow ``Image.resize(size, BOX | BILINEAR, box=...)`` on a
float "F" image per channel. Values: ``(v / 255 - mean) / std`` (float32) or
``clamp(floor(v + 0.5), 0, 255)`` (uint8).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

import turbojpeg_ref

PRESETS = {
    "none": ((0.0, 0.0, 0.0), (1 / 255, 1 / 255, 1 / 255)),
    "unit": ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0)),
    "imagenet": ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    "xrv": ((0.5, 0.5, 0.5), (1 / 2048, 1 / 2048, 1 / 2048)),
}
IMAGENET_GREY = ((0.449,), (0.226,))
FILTERS = {"area": Image.BOX, "bilinear": Image.BILINEAR}


def is_grey_jpeg(path) -> bool:
    with Image.open(path) as image:
        return image.mode == "L"


def source(rgb: np.ndarray, path, channels: int, fast: bool) -> np.ndarray:
    """float32 (H, W, channels): what the library resamples."""
    if channels == 3:
        return rgb.astype(np.float32)
    if is_grey_jpeg(path):
        return rgb[..., :1].astype(np.float32)
    grey = turbojpeg_ref.decode(path.read_bytes(), fast=fast, grey=True)
    return grey.astype(np.float32)


def geometry(height: int, width: int, out_height: int, out_width: int, fit: str):
    """(box (x0, y0, x1, y1), region (y, x, h, w)) in the output."""
    if fit == "stretch":
        return (0.0, 0.0, float(width), float(height)), (0, 0, out_height, out_width)
    if fit == "cover":
        scale = max(out_height / height, out_width / width)
        box_w, box_h = out_width / scale, out_height / scale
        x0, y0 = (width - box_w) / 2, (height - box_h) / 2
        return (x0, y0, x0 + box_w, y0 + box_h), (0, 0, out_height, out_width)
    if fit == "contain":
        scale = min(out_height / height, out_width / width)
        nh = min(max(round(height * scale), 1), out_height)
        nw = min(max(round(width * scale), 1), out_width)
        return ((0.0, 0.0, float(width), float(height)),
                ((out_height - nh) // 2, (out_width - nw) // 2, nh, nw))
    raise ValueError(fit)


def resample(planes: np.ndarray, out_height: int, out_width: int, fit: str, filter: str):
    """float32 (H', W', C) of values on the 0..255 scale, padding 0."""
    height, width, channels = planes.shape
    box, (y, x, h, w) = geometry(height, width, out_height, out_width, fit)
    out = np.zeros((out_height, out_width, channels), dtype=np.float32)
    for c in range(channels):
        image = Image.fromarray(np.ascontiguousarray(planes[..., c]), mode="F")
        out[y:y + h, x:x + w, c] = np.asarray(image.resize((w, h), FILTERS[filter], box=box))
    return out


def stats(normalize, channels: int):
    if isinstance(normalize, tuple):
        mean, std = normalize
    elif normalize == "imagenet" and channels == 1:
        mean, std = IMAGENET_GREY
    else:
        mean, std = PRESETS[normalize]
    return (np.asarray(mean[:channels], np.float64), np.asarray(std[:channels], np.float64))


def finish(values: np.ndarray, dtype: str, normalize, layout: str) -> np.ndarray:
    """(H', W', C) 0..255 values -> the output example, float64 for float32 outputs."""
    if dtype == "uint8":
        out = np.clip(np.floor(values.astype(np.float64) + 0.5), 0, 255).astype(np.uint8)
    else:
        mean, std = stats(normalize, values.shape[-1])
        out = (values.astype(np.float64) / 255 - mean) / std
    return out if layout == "NHWC" else np.moveaxis(out, -1, 0)
