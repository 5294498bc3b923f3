"""Run ``generate`` with the scripted backend in its own process (for the SIGKILL test).

usage: run_scripted.py FOLDER N DELAY_SECONDS
"""

import sys

from reason_scripted import ScriptedBackend

from emolab.reasoning.config import ReasonConfig
from emolab.reasoning.run import generate
from emolab.reasoning.store import RunStore

folder, n, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
cfg = ReasonConfig(pipeline="concise", n=n, seed=11)
generate(ScriptedBackend(delay=delay), cfg, RunStore(folder, create=True), test_items=[])
