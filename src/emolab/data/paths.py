"""Where the data sets live: ``--data-dir`` first, then ``EMOLAB_DATA``.

The folder keeps the layout of the original releases (see the README); emolab never ships or
copies the data itself, because SemEval-2018 and DAIR may not be redistributed.
"""

from __future__ import annotations

import os
from pathlib import Path

from emolab.errors import EmolabError

ENV_VAR = "EMOLAB_DATA"


def resolve_data_dir(explicit: str | Path | None = None) -> Path:
    chosen = explicit if explicit is not None else os.environ.get(ENV_VAR)
    if not chosen:
        raise EmolabError(
            f"no data directory: pass --data-dir DIR or set {ENV_VAR}=DIR "
            "(the folder that holds semeval2018_task1/, dair_emotion/, goemotions/, ...)"
        )
    path = Path(chosen).expanduser()
    if not path.is_dir():
        source = "--data-dir" if explicit is not None else ENV_VAR
        raise EmolabError(f"data directory {path} (from {source}) does not exist")
    return path
