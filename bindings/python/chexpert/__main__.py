"""``python -m chexpert``: the ``chexpert`` command line (:mod:`chexpert.cli`)."""
from .cli import main
raise SystemExit(main(prog="python -m chexpert"))
