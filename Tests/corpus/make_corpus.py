#!/usr/bin/env python3
"""make_corpus.py OUT_DIR: the hostile-input corpus of libchexpert's tests.

Writes, all generated here (numpy, Pillow and /usr/bin/jpegtran; nothing
binary is committed):

  OUT_DIR/images/CheXpert-v1.0-small/   one dataset: train.csv has one row per
      image case (row 0 is the good control image), valid.csv one good image.
  OUT_DIR/csv/<case>/CheXpert-v1.0-small/   one dataset per CSV case.
  OUT_DIR/paths/...                     a root whose name is not UTF-8, and a
      root nested deeper than PATH_MAX.
  OUT_DIR/manifest.tsv                  one line per case (see MANIFEST_HEADER),
      written as bytes: roots are raw file-name bytes (no encoding).

Every case and the status the library is expected to give is in CASES,
defined without touching the disk, so tests can parametrize over it; the
manifest is CASES serialised. Expected statuses and message substrings
("needles") were found by running the library (libjpeg-turbo 2.1.5's
TurboJPEG) on this corpus; the notes on each case say what was observed.

The tree is made traversable by any user (directories 0755, files 0644)
except the `unreadable` image (mode 000): a test reads that one as uid 65534,
since root ignores file permissions. OUT_DIR's own ancestors must be
traversable too for that case (a `mktemp -d` folder is 0700: chmod it).
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

SMALL = "CheXpert-v1.0-small"
OBSERVATIONS = [
    "No Finding", "Enlarged Cardiomediastinum", "Cardiomegaly", "Lung Opacity", "Lung Lesion",
    "Edema", "Consolidation", "Pneumonia", "Atelectasis", "Pneumothorax", "Pleural Effusion",
    "Pleural Other", "Fracture", "Support Devices",
]
HEADER = "Path,Sex,Age,Frontal/Lateral,AP/PA," + ",".join(OBSERVATIONS)
#: Label cells of every generated row: each class of TFDS's mapping, and blanks.
LABELS = ["1.0", "", "0.0", "-1.0", "", "", "1.0", "", "", "0.0", "", "", "", "1.0"]
TRAIN_STUDY = f"{SMALL}/train/patient00001/study1"
VALID_PATH = f"{SMALL}/valid/patient64541/study1/view1_frontal.jpg"
JPEGTRAN = os.environ.get("JPEGTRAN", "jpegtran")

#: Image size of the generated JPEGs (grey noise over a gradient, so that
#: every scan has data and every cut point below is a distinct place).
HEIGHT, WIDTH = 64, 80
#: The deep root's nesting: DEEP_DEPTH components of DEEP_NAME_LENGTH bytes,
#: so that its path relative to OUT_DIR alone is longer than PATH_MAX (4096).
DEEP_DEPTH, DEEP_NAME_LENGTH = 20, 250
#: Rows of the large-CSV case.
MILLION = 10 ** 6

MANIFEST_HEADER = (
    "# kind\troot\tsplit\tindex\texpected_status_name\tneedle\tprivilege\n"
    "# root: relative to this file's folder, raw bytes. example: read row `index` of `split`"
    " of the dataset at root; open: open root only (index -1). needle: a substring of the"
    " library's message. unprivileged: read as uid 65534 (root ignores file modes).\n")


@dataclass(frozen=True)
class Case:
    """One manifest line. `name` is the case id (not in the manifest)."""

    name: str
    kind: str          # "example" or "open"
    root: bytes        # relative to OUT_DIR
    split: str         # "train" / "validation" ("train" for open cases)
    index: int         # -1 for open cases
    status: str        # chexpert_status_name() of the expected status
    needle: str        # a substring of the library's message ("" for OK)
    privilege: str = "any"   # or "unprivileged"
    file: str = ""     # example cases: the image's file name (in the message)

    def manifest_line(self) -> bytes:
        fields = [self.kind.encode(), self.root, self.split.encode(), str(self.index).encode(),
                  self.status.encode(), self.needle.encode(), self.privilege.encode()]
        assert all(b"\t" not in f and b"\n" not in f for f in fields), self
        return b"\t".join(fields) + b"\n"


# ---------------------------------------------------------------------------
# The cases (static)
# ---------------------------------------------------------------------------

OK = "CHEXPERT_OK"
E_IMAGE = "CHEXPERT_E_IMAGE"
E_IO = "CHEXPERT_E_IO"
E_NOT_FOUND = "CHEXPERT_E_NOT_FOUND"
E_LIMIT = "CHEXPERT_E_LIMIT"
E_CSV = "CHEXPERT_E_CSV"

#: Cut points of the truncation cases (_cut finds each from the file's
#: segments). Both the baseline and the progressive file are cut at every
#: one; the progressive one also "between-scans".
CUTS = ["1", "2", "3", "10", "in-dqt", "in-sof", "in-dht", "before-sos", "after-sos",
        "25pct", "50pct", "75pct", "no-eoi", "minus-1"]

# What the library says (observed with libjpeg-turbo 2.1.5). An image's
# message is "<absolute path>: <reason>", so each needle below is the file
# name, ": " and the stable part of the reason (TurboJPEG's text included).
PREMATURE_END = "JPEG data cannot be decoded: Premature end of JPEG file"
#: Cut -> reason. A file cut before its first SOS marker fails while the
#: header is read (tjDecompressHeader: no SOF reached means a 0x0 image; a
#: cut marker segment is a libjpeg error), one cut later while decoding.
TRUNCATION_REASONS = {
    # A message never quotes the file's bytes (libjpeg would: "starts with 0xff").
    "1": "1 byte, too short for JPEG data; only JPEG images are supported",
    "2": "truncated or corrupt JPEG header (it gives an empty image, 0x0)",
    "3": "truncated or corrupt JPEG header (it gives an empty image, 0x0)",
    "10": "truncated or corrupt JPEG header (it gives an empty image, 0x0)",
    "in-dqt": "truncated or corrupt JPEG header (it gives an empty image, 0x0)",
    "in-sof": "invalid JPEG header: Bogus marker length",
    "in-dht": "invalid JPEG header: Bogus Huffman table definition",
    "before-sos": "invalid JPEG header: Invalid JPEG file structure: missing SOS marker",
    # Every cut after the first SOS header, including a file that lacks only
    # its EOI marker (libjpeg's JWRN_JPEG_EOF warning, an error here as in TF).
    "after-sos": PREMATURE_END, "25pct": PREMATURE_END, "50pct": PREMATURE_END,
    "75pct": PREMATURE_END, "no-eoi": PREMATURE_END, "minus-1": PREMATURE_END,
    "between-scans": PREMATURE_END,
}


def _image_specs() -> list[tuple[str, str, str, str]]:
    """(file stem, expected status, reason, privilege), in train.csv row order."""
    specs = [
        ("good-baseline", OK, "", "any"),          # row 0: the control
        ("good-progressive", OK, "", "any"),
        ("good-color-420", OK, "", "any"),
        # TurboJPEG 2.1.5 (Debian's libturbojpeg0, built with arithmetic
        # decoding) decodes an arithmetic-coded JPEG (SOF9): OK.
        ("arithmetic", OK, "", "any"),
    ]
    for kind in ("baseline", "progressive"):
        cuts = CUTS + (["between-scans"] if kind == "progressive" else [])
        specs += [(f"trunc-{kind}-{cut}", E_IMAGE, TRUNCATION_REASONS[cut], "any") for cut in cuts]
    specs += [
        # Not JPEGs: the message names the format in words, never the file's
        # bytes (SECRET, in text-bytes, must not reach any message).
        ("empty", E_IMAGE, "empty file (0 bytes); only JPEG images are supported", "any"),
        ("png-bytes", E_IMAGE, "PNG data, not JPEG data; only JPEG images are supported", "any"),
        ("gif-bytes", E_IMAGE, "GIF data, not JPEG data; only JPEG images are supported", "any"),
        ("text-bytes", E_IMAGE, "text, not JPEG data; only JPEG images are supported", "any"),
        ("binary-bytes", E_IMAGE, "not JPEG data (unknown format); only JPEG images are supported", "any"),
        # libjpeg's "Unsupported marker type 0x4b" quotes a byte of the file:
        # redacted to its words.
        ("unknown-marker", E_IMAGE, "invalid JPEG header: Unsupported marker type", "any"),
        ("cmyk", E_IMAGE, "CMYK/YCCK JPEGs are not supported", "any"),
        # 8-bit TurboJPEG 2.1.5 reads neither 12-bit nor lossless (SOF3) JPEGs.
        # (libjpeg's numbers, read from the file, are redacted.)
        ("precision-12", E_IMAGE, "invalid JPEG header: Unsupported JPEG data precision", "any"),
        ("lossless-sof3", E_IMAGE, "invalid JPEG header: Unsupported JPEG process: SOF type", "any"),
        # Refused from the header (also by chexpert_example_shape), before
        # any pixel buffer is allocated.
        ("bomb-65500x65500", E_LIMIT, "65500x65500 = 4290250000 pixels exceeds the limit of "
         "100000000 pixels (CHEXPERT_KEY_MAX_PIXELS)", "any"),
        # TJFLAG_LIMITSCANS: the header reads fine (shape OK), decoding stops at scan 501.
        ("scans-631", E_IMAGE, "JPEG data cannot be decoded: Progressive JPEG image has more than "
         "500 scans", "any"),
        ("directory", E_IO, "is a directory", "any"),
        # Opened O_NONBLOCK and refused after fstat: never blocks.
        ("fifo", E_IO, "is not a regular file", "any"),
        ("missing", E_NOT_FOUND, "no such file", "any"),
        ("unreadable", E_IO, "Permission denied", "unprivileged"),
        # open() fails with ENAMETOOLONG: E_IO (the deep root below, failing
        # the same way when opened, is E_NOT_FOUND).
        ("long-path", E_IO, "File name too long", "any"),
    ]
    return specs


IMAGE_SPECS = _image_specs()
#: In the text-bytes image: no library message may contain it.
SECRET = "chexpert-corpus-secret-5e1f0c"
#: Bytes no message may contain (the unknown-marker case's marker, as libjpeg prints it).
FORBIDDEN_IN_MESSAGES = (SECRET, "0x4b", "root:")
#: File name of the long-path case's image (after many components that do
#: not exist; the cell's path is longer than PATH_MAX).
LONG_PATH_CELL = TRAIN_STUDY + "/" + "/".join(f"{i:02d}" + "x" * 248 for i in range(18)) + "/long-path.jpg"


def _image_cell(stem: str) -> str:
    return LONG_PATH_CELL if stem == "long-path" else f"{TRAIN_STUDY}/{stem}.jpg"


#: CSV cases: name -> (expected status of opening, needle).
CSV_SPECS = {
    "lf": (OK, ""),                       # the control of "crlf": the same rows, LF
    "crlf": (OK, ""),
    "bom": (E_CSV, "train.csv: line 1: the file starts with a UTF-8 byte-order mark"),
    "quoted-comma": (OK, ""),
    "missing-cells": (E_CSV, "train.csv: line 3: column 11 'Edema' has no cell "
                             "(the row has 10 cells, the header 19)"),
    "extra-cells": (OK, ""),              # as Python's csv.DictReader: ignored
    "duplicate-path": (E_CSV, f"train.csv: line 4: Path '{TRAIN_STUDY}/view1_frontal.jpg' "
                              "repeats line 2"),
    "header-only": (E_CSV, "train.csv: the file has a header but no data rows"),
    "empty": (E_CSV, "train.csv: the file is empty"),
    "non-utf8": (E_CSV, "train.csv: line 3: not valid UTF-8"),
    "bad-label": (E_CSV, "train.csv: line 3, column 6 'No Finding': label cell '2.0' is not one of"),
    "no-train-csv": (E_NOT_FOUND, "train.csv: no such file"),
    "million-rows": (OK, ""),             # opens in about 2 s
    # Adversarial shapes (issue 10): each opens or is refused in time linear
    # in the file's size (the tests bound it generously, OPEN_SECONDS).
    "wide-header": (E_LIMIT, "train.csv: line 1: more than 65536 cells (CHEXPERT_MAX_CSV_COLUMNS)"),
    "long-line": (E_LIMIT, "train.csv: line 3: longer than 1048576 bytes (CHEXPERT_MAX_CSV_LINE_BYTES)"),
    "long-cell": (OK, ""),                # a 10^6-byte Path cell: opens (reading it is E_IO)
    # Confinement (CHEXPERT_KEY_CONFINE_PATHS = 1, the default).
    "dotdot-path": (E_CSV, "train.csv: line 3, column 1 'Path': Path "
                           f"'{SMALL}/../outside/view1_frontal.jpg' leaves the dataset folder through '..'"),
    "absolute-path": (E_CSV, "train.csv: line 3, column 1 'Path': Path '/etc/passwd' is absolute"),
    "dotdot-inside": (OK, ""),            # a `..` that stays inside: allowed
    "symlink-inside": (OK, ""),           # train/ is a symlink (out of the dataset folder): followed
}
#: Columns of the wide-header case's header.
WIDE_COLUMNS = 10 ** 5
#: Bytes of the long-line case's extra cell, and of the long-cell case's Path.
LONG_LINE_CELL = 2 * 2 ** 20
LONG_CELL_PATH = f"{SMALL}/train/" + "c" * 10 ** 6 + ".jpg"
#: Path cells of the confinement cases' second row (line 3).
DOTDOT_OUTSIDE = f"{SMALL}/../outside/view1_frontal.jpg"
DOTDOT_INSIDE = f"{SMALL}/train/patient00002/../patient00001/study1/view2_lateral.jpg"
#: Open cases whose time the tests bound (seconds; generous: they take milliseconds).
TIMED_CSV_CASES = ("wide-header", "long-line", "long-cell")
OPEN_SECONDS = 5.0
#: Cases that open with CHEXPERT_KEY_CONFINE_PATHS = 0, and the status reading row 1 then gives.
UNCONFINED_CASES = {"dotdot-path": OK, "absolute-path": E_IMAGE}
#: CSV cases that open and have every image they list (good ones): tests read them.
READABLE_CSV_CASES = ("lf", "crlf", "quoted-comma", "extra-cells", "dotdot-inside", "symlink-inside")
#: The path cell of the quoted-comma case's second row, as the library must name it.
QUOTED_NAME = f'{TRAIN_STUDY}/view2, "quoted", lateral.jpg'

NON_UTF8_ROOT = b"paths/caf\xe9-\xff"
DEEP_ROOT = b"paths/deep/" + b"/".join(b"%02d" % i + b"d" * (DEEP_NAME_LENGTH - 2)
                                       for i in range(DEEP_DEPTH))


def _cases() -> list[Case]:
    cases = []
    for index, (stem, status, reason, privilege) in enumerate(IMAGE_SPECS):
        needle = f"{stem}.jpg: {reason}" if reason else ""
        cases.append(Case(f"image/{stem}", "example", b"images", "train", index, status, needle,
                          privilege, file=f"{stem}.jpg"))
    cases.append(Case("image/valid-good", "example", b"images", "validation", 0, OK, "",
                      file="view1_frontal.jpg"))
    for name, (status, needle) in CSV_SPECS.items():
        cases.append(Case(f"csv/{name}", "open", b"csv/" + name.encode(), "train", -1, status, needle))
    cases.append(Case("path/non-utf8-root", "example", NON_UTF8_ROOT, "train", 0, OK, "",
                      file="view1_frontal.jpg"))
    # realpath() of the root fails with ENAMETOOLONG: "no CheXpert dataset at
    # <root> (File name too long): expected ...", E_NOT_FOUND.
    cases.append(Case("path/deep-root", "open", DEEP_ROOT, "train", -1, E_NOT_FOUND,
                      DEEP_ROOT.rsplit(b"/", 1)[1].decode() + " (File name too long): expected"))
    return cases


CASES = _cases()


# ---------------------------------------------------------------------------
# JPEG bytes
# ---------------------------------------------------------------------------

def _pixels(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    base = (x * 3 + y * 2).astype(np.int64)
    return np.clip(base + rng.integers(-24, 24, base.shape), 0, 255).astype(np.uint8)


def _encode(array: np.ndarray, mode: str, **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).convert(mode).save(buffer, **options)
    return buffer.getvalue()


def segments(data: bytes) -> list[tuple[int, int, int]]:
    """(marker, offset, length) of each segment after SOI; an SOS segment
    includes its entropy-coded data up to the next marker."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    out, i = [], 2
    while i < len(data):
        if data[i] != 0xFF:
            raise ValueError(f"no marker at offset {i}")
        marker = data[i + 1]
        if marker == 0xD9:
            out.append((marker, i, 2))
            break
        end = i + 2 + int.from_bytes(data[i + 2:i + 4], "big")
        if marker == 0xDA:
            while not (data[end] == 0xFF and data[end + 1] != 0 and not 0xD0 <= data[end + 1] <= 0xD7):
                end += 1
        out.append((marker, i, end - i))
        i = end
    return out


def _first(segs, marker: int) -> tuple[int, int, int]:
    return next(s for s in segs if s[0] == marker)


def _cut(data: bytes, cut: str) -> bytes:
    segs = segments(data)
    size = len(data)
    sos = _first(segs, 0xDA)
    sos_header = sos[1] + 2 + int.from_bytes(data[sos[1] + 2:sos[1] + 4], "big")
    sof = next(s for s in segs if s[0] in (0xC0, 0xC2))
    lengths = {
        "1": 1, "2": 2, "3": 3, "10": 10,
        "in-dqt": _first(segs, 0xDB)[1] + 30,
        "in-sof": sof[1] + 7,
        "in-dht": _first(segs, 0xC4)[1] + 12,
        "before-sos": sos[1],
        "after-sos": sos_header,
        "25pct": size // 4, "50pct": size // 2, "75pct": size * 3 // 4,
        "no-eoi": size - 2, "minus-1": size - 1,
    }
    if cut == "between-scans":   # the first scan complete, the second not begun
        lengths[cut] = sos[1] + sos[2]
    return data[:lengths[cut]]


def _run_jpegtran(args: list[str], data: bytes, work: Path) -> bytes:
    source, target = work / "in.jpg", work / "out.jpg"
    source.write_bytes(data)
    subprocess.run([JPEGTRAN, *args, "-outfile", str(target), str(source)], check=True)
    return target.read_bytes()


def _many_scans(grey_baseline: bytes, work: Path) -> bytes:
    """A valid progressive grey JPEG of 631 scans: DC, then for each AC
    coefficient k in 1..63 a successive-approximation series `0: k k 0 9;`,
    `0: k k 9 8;` ... `0: k k 1 0;`.

    jpegtran reads at most 100 scans from a script (MAX_SCANS in rdswitch.c),
    so it writes 7 files of the DC scan plus 9 coefficients' series each
    (91 scans), and their scans are spliced into one file. Progressive
    jpegtran output optimises Huffman tables per scan and writes each scan's
    DHT right before its SOS; the coefficients are the same in every file
    (lossless transcoding), so the spliced scans are exactly the ones one
    631-scan script would give. Checked: djpeg decodes it to the same pixels
    as the source, and refuses it with -maxscans 500.
    """
    head, scans = b"", []
    for group, first in enumerate(range(1, 64, 9)):
        lines = ["0: 0 0 0 0;"]
        for k in range(first, min(first + 9, 64)):
            lines.append(f"0: {k} {k} 0 9;")
            lines += [f"0: {k} {k} {al} {al - 1};" for al in range(9, 0, -1)]
        script = work / f"scans{group}.txt"
        script.write_text("\n".join(lines) + "\n")
        data = _run_jpegtran(["-scans", str(script)], grey_baseline, work)
        segs = segments(data)
        # Scans: each SOS with the DHT segments right before it.
        file_scans, pending, start = [], b"", None
        for marker, offset, length in segs:
            piece = data[offset:offset + length]
            if marker == 0xC4:
                pending += piece
            elif marker == 0xDA:
                if start is None:
                    start = offset - len(pending)
                file_scans.append(pending + piece)
                pending = b""
            elif marker == 0xD9:
                break
            else:
                assert start is None and not pending, f"marker {marker:#x} between scans"
        assert len(file_scans) == len(lines), (len(file_scans), len(lines))
        assert all(s.startswith(b"\xff\xc4") for s in file_scans[1:]), "a scan without its DHT"
        if group == 0:
            head = data[:start]
            scans += file_scans
        else:
            assert data[:start] == head, "the files' headers differ"
            scans += file_scans[1:]          # the DC scan is the first file's
    assert len(scans) == 631
    return head + b"".join(scans) + b"\xff\xd9"


def _patched_sof(data: bytes, *, precision=None, marker=None, height=None, width=None) -> bytes:
    out = bytearray(data)
    _, offset, _ = _first(segments(data), 0xC0)
    if marker is not None:
        out[offset + 1] = marker
    if precision is not None:
        out[offset + 4] = precision
    if height is not None:
        out[offset + 5:offset + 7] = height.to_bytes(2, "big")
    if width is not None:
        out[offset + 7:offset + 9] = width.to_bytes(2, "big")
    return bytes(out)


def _unknown_marker(data: bytes) -> bytes:
    """`data` with its DQT marker turned into 0xFF 0x4B, which libjpeg
    reports as "Unsupported marker type 0x4b"."""
    out = bytearray(data)
    _, offset, _ = _first(segments(data), 0xDB)
    out[offset + 1] = 0x4B
    return bytes(out)


def _image_bytes(work: Path) -> dict[str, bytes]:
    grey, other = _pixels(1), _pixels(2)
    colour = np.stack([grey, 255 - grey, np.roll(other, 7, axis=1)], axis=-1)
    baseline = _encode(grey, "L", format="JPEG", quality=90)
    progressive = _encode(grey, "L", format="JPEG", quality=90, progressive=True)
    out = {
        "good-baseline": baseline,
        "good-progressive": progressive,
        "good-color-420": _encode(colour, "RGB", format="JPEG", quality=90, subsampling="4:2:0"),
        "arithmetic": _run_jpegtran(["-arithmetic"], baseline, work),
        "empty": b"",
        "png-bytes": _encode(grey, "L", format="PNG"),
        "gif-bytes": _encode(grey, "L", format="GIF"),
        "text-bytes": (SECRET + "\nthis is not a JPEG file, it is text\n").encode() * 4,
        "binary-bytes": bytes(range(256)) * 4,
        "unknown-marker": _unknown_marker(baseline),
        "cmyk": _encode(colour, "CMYK", format="JPEG", quality=90),
        "precision-12": _patched_sof(baseline, precision=12),
        "lossless-sof3": _patched_sof(baseline, marker=0xC3),
        "bomb-65500x65500": _patched_sof(baseline, height=65500, width=65500),
        "scans-631": _many_scans(baseline, work),
        "unreadable": baseline,
    }
    assert _first(segments(out["arithmetic"]), 0xC9), "jpegtran -arithmetic wrote no SOF9"
    for cut in CUTS + ["between-scans"]:
        if cut != "between-scans":
            out[f"trunc-baseline-{cut}"] = _cut(baseline, cut)
        out[f"trunc-progressive-{cut}"] = _cut(progressive, cut)
    return out


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

def _row(path: str, view: str = "Frontal", labels=LABELS) -> str:
    projection = "AP" if view == "Frontal" else ""
    return f"{path},Female,68,{view},{projection}," + ",".join(labels)


def _csv(rows: list[str]) -> str:
    return "".join(line + "\n" for line in [HEADER, *rows])


def _write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def _write_good_dataset(root: Path, good: bytes) -> None:
    """A one-row train.csv and valid.csv with their good images."""
    small = root / SMALL
    _write(small / "train.csv", _csv([_row(f"{TRAIN_STUDY}/view1_frontal.jpg")]))
    _write(small / "valid.csv", _csv([_row(VALID_PATH)]))
    _write(root / TRAIN_STUDY / "view1_frontal.jpg", good)
    _write(root / VALID_PATH, good)


def _write_images(out: Path, images: dict[str, bytes]) -> None:
    root = out / "images"
    rows = [_row(_image_cell(stem)) for stem, *_ in IMAGE_SPECS]
    _write(root / SMALL / "train.csv", _csv(rows))
    _write(root / SMALL / "valid.csv", _csv([_row(VALID_PATH)]))
    _write(root / VALID_PATH, images["good-baseline"])
    study = root / TRAIN_STUDY
    for stem, *_ in IMAGE_SPECS:
        target = study / f"{stem}.jpg"
        if stem in images:
            _write(target, images[stem])
        elif stem == "directory":
            target.mkdir(parents=True)
        elif stem == "fifo":
            os.mkfifo(target)
        elif stem not in ("missing", "long-path"):
            raise AssertionError(f"no bytes for image case {stem}")


def _million_rows(path: Path) -> None:
    tail = ",Male,50,Frontal,PA," + ",".join(LABELS) + "\n"
    prefix = f"{SMALL}/train/patient"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="ascii", newline="") as handle:
        handle.write(HEADER + "\n")
        chunk = 50_000
        for first in range(0, MILLION, chunk):
            handle.write("".join(f"{prefix}{i // 3:06d}/study1/view{i % 3}_frontal.jpg{tail}"
                                 for i in range(first, first + chunk)))


def _write_csv_cases(out: Path, good: bytes) -> None:
    paths = [f"{TRAIN_STUDY}/view1_frontal.jpg", f"{TRAIN_STUDY}/view2_lateral.jpg",
             f"{SMALL}/train/patient00002/study1/view1_frontal.jpg"]
    good_rows = [_row(paths[0]), _row(paths[1], "Lateral", LABELS[::-1]), _row(paths[2])]
    valid = _csv([_row(VALID_PATH)])
    texts: dict[str, bytes] = {
        "lf": _csv(good_rows).encode(),
        "crlf": _csv(good_rows).replace("\n", "\r\n").encode(),
        "bom": b"\xef\xbb\xbf" + _csv(good_rows).encode(),
        "quoted-comma": _csv([good_rows[0],
                              _row('"' + QUOTED_NAME.replace('"', '""') + '"', "Lateral")]).encode(),
        "missing-cells": _csv([good_rows[0], ",".join(good_rows[1].split(",")[:10]), good_rows[2]]).encode(),
        "extra-cells": _csv([good_rows[0], good_rows[1] + ",extra,cells", good_rows[2]]).encode(),
        "duplicate-path": _csv([good_rows[0], good_rows[1], good_rows[0].replace("Female", "Male")]).encode(),
        "header-only": _csv([]).encode(),
        "empty": b"",
        "non-utf8": _csv([good_rows[0], good_rows[1].replace("Female", "F\xe9male")]).encode("latin-1"),
        "bad-label": _csv([good_rows[0], good_rows[1].replace(",1.0,", ",2.0,", 1), good_rows[2]]).encode(),
        "wide-header": _wide_header().encode(),
        "long-line": _csv([good_rows[0], good_rows[1] + "," + "x" * LONG_LINE_CELL, good_rows[2]]).encode(),
        "long-cell": _csv([good_rows[0], _row(LONG_CELL_PATH)]).encode(),
        "dotdot-path": _csv([good_rows[0], _row(DOTDOT_OUTSIDE)]).encode(),
        "absolute-path": _csv([good_rows[0], _row("/etc/passwd")]).encode(),
        "dotdot-inside": _csv([good_rows[0], _row(DOTDOT_INSIDE, "Lateral"), good_rows[2]]).encode(),
        "symlink-inside": _csv(good_rows).encode(),
    }
    for name in CSV_SPECS:
        small = out / "csv" / name / SMALL
        small.mkdir(parents=True)
        _write(small / "valid.csv", valid)
        if name == "million-rows":
            _million_rows(small / "train.csv")
        elif name != "no-train-csv":
            _write(small / "train.csv", texts[name])
        if name == "symlink-inside":
            # train/ lives outside the dataset folder, reached by a relative
            # link inside it (as installs on another disk are).
            (out / "csv" / name / "store" / "train").mkdir(parents=True)
            (small / "train").symlink_to(Path("..") / "store" / "train", target_is_directory=True)
        if name in READABLE_CSV_CASES:
            for path in [VALID_PATH, *paths, QUOTED_NAME]:
                _write(out / "csv" / name / path, good)
        if name == "dotdot-path":         # read with CHEXPERT_KEY_CONFINE_PATHS = 0
            _write(out / "csv" / name / "outside" / "view1_frontal.jpg", good)
            _write(out / "csv" / name / paths[0], good)


def _wide_header() -> str:
    """WIDE_COLUMNS header columns (distinct names) and a row with a cell each."""
    labels = [f"L{i}" for i in range(WIDE_COLUMNS - 5)]
    header = "Path,Sex,Age,Frontal/Lateral,AP/PA," + ",".join(labels)
    row = f"{TRAIN_STUDY}/view1_frontal.jpg,Female,68,Frontal,AP" + "," * len(labels)
    return header + "\n" + row + "\n"


def _write_deep_root(out: Path) -> None:
    """Nested with directory file descriptors: no path here is longer than a
    component, whatever the depth."""
    components = DEEP_ROOT.split(b"/")
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for component in components + [SMALL.encode()]:
            try:
                os.mkdir(component, 0o755, dir_fd=fd)
            except FileExistsError:     # paths/, made for the non-UTF-8 root
                pass
            child = os.open(component, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
        for name, text in ((b"train.csv", _csv([_row(f"{TRAIN_STUDY}/view1_frontal.jpg")])),
                           (b"valid.csv", _csv([_row(VALID_PATH)]))):
            file = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=fd)
            try:
                os.write(file, text.encode())
            finally:
                os.close(file)
    finally:
        os.close(fd)


def _fix_modes(out: Path) -> None:
    """0755 directories, 0644 files (fd-based walk: the deep root is longer
    than PATH_MAX); the unreadable image 000."""
    for _top, dirs, files, fd in os.fwalk(out):
        for names, mode in ((dirs, 0o755), (files, 0o644)):
            for name in names:
                if not stat.S_ISLNK(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode):
                    os.chmod(name, mode, dir_fd=fd, follow_symlinks=False)
    os.chmod(out, 0o755)
    os.chmod(out / "images" / TRAIN_STUDY / "unreadable.jpg", 0)


def generate(out_dir) -> list[Case]:
    """Writes the corpus into `out_dir` (created; must not exist or be empty)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise SystemExit(f"make_corpus.py: {out} is not empty")
    with tempfile.TemporaryDirectory(prefix="chexpert-corpus-work-") as work:
        images = _image_bytes(Path(work))
    _write_images(out, images)
    _write_csv_cases(out, images["good-baseline"])
    _write_good_dataset(out / os.fsdecode(NON_UTF8_ROOT), images["good-baseline"])
    _write_deep_root(out)
    with open(out / "manifest.tsv", "wb") as manifest:
        manifest.write(MANIFEST_HEADER.encode())
        for case in CASES:
            manifest.write(case.manifest_line())
    _fix_modes(out)
    return CASES


def read_manifest(out_dir) -> list[tuple]:
    """The manifest's lines as tuples of (kind, root bytes, split, index,
    status, needle, privilege)."""
    lines = (Path(out_dir) / "manifest.tsv").read_bytes().split(b"\n")
    rows = []
    for line in lines:
        if not line or line.startswith(b"#"):
            continue
        kind, root, split, index, status, needle, privilege = line.split(b"\t")
        rows.append((kind.decode(), root, split.decode(), int(index), status.decode(),
                     needle.decode(), privilege.decode()))
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: make_corpus.py OUT_DIR", file=sys.stderr)
        return 2
    cases = generate(argv[1])
    kinds = {"image": 0, "csv": 0, "path": 0}
    for case in cases:
        kinds[case.name.split("/")[0]] += 1
    print(f"make_corpus.py: {len(cases)} cases in {argv[1]} "
          f"({kinds['image']} images, {kinds['csv']} CSV, {kinds['path']} paths)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
