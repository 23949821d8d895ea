"""The library's names for its integer vocabularies, indexed by value.

Every tuple comes from the library's name functions (``chexpert_split_name``,
``chexpert_label_class_name``, ``chexpert_view_name``,
``chexpert_projection_name``), so Python holds no second copy of them.
"""

from __future__ import annotations

from . import _ffi

__all__ = ["SPLIT_NAMES", "RELEASE_NAMES", "LABEL_SOURCES", "LABEL_CLASS_NAMES", "VIEW_NAMES", "PROJECTION_NAMES",
           "PROJECTION_SELECTIONS"]


def _names(function, count) -> tuple:
    return tuple(function(value).decode("utf-8") for value in range(count))


#: ("train", "validation", "test"), indexed by split id (test only where the
#: dataset has it: ``Dataset.has_split``).
SPLIT_NAMES = _names(_ffi.chexpert_split_name, _ffi.CHEXPERT_NUM_SPLITS_ALL)
#: chexpert_release names ("small", "small_nested", "full", "aimi"), indexed by value.
RELEASE_NAMES = _names(_ffi.chexpert_release_name, _ffi.CHEXPERT_NUM_RELEASES)
#: ``Dataset(labels=...)`` names -> chexpert_labels values.
LABEL_SOURCES = {"reports": _ffi.CHEXPERT_LABELS_REPORTS, "chexbert": _ffi.CHEXPERT_LABELS_CHEXBERT,
                 "visualchexbert": _ffi.CHEXPERT_LABELS_VISUALCHEXBERT}
#: TFDS's ClassLabel names of `label` values.
LABEL_CLASS_NAMES = _names(_ffi.chexpert_label_class_name, _ffi.CHEXPERT_NUM_LABEL_CLASSES)
#: TFDS's ClassLabel names of `image_view` values.
VIEW_NAMES = _names(_ffi.chexpert_view_name, _ffi.CHEXPERT_NUM_VIEWS)
#: chexpert_projection names ("ap", "pa", "other_frontal", "lateral"), indexed by value.
PROJECTION_NAMES = _names(_ffi.chexpert_projection_name, _ffi.CHEXPERT_NUM_PROJECTIONS)

#: Names ``Dataset(projections=...)`` accepts (ASCII case-insensitive) -> CHEXPERT_SELECT_* bits:
#: every projection name, plus "frontal" and "all".
PROJECTION_SELECTIONS = {
    **{name: 1 << value for value, name in enumerate(PROJECTION_NAMES)},
    "frontal": _ffi.CHEXPERT_SELECT_FRONTAL,
    "all": _ffi.CHEXPERT_SELECT_ALL,
}
