"""Annotate a corpus at scale: streamed readers, engines, committed shards, exactly-once resume.

``emolab label CORPUS --tasks ec,v-reg --out OUT/`` (see docs/label.md). Layers: ``readers``
(corpus -> ``Record``), ``engines`` (records -> rows through a backend or servers),
``writer`` (rows -> committed shards), ``manifest`` (settings and fingerprint), ``run``.
"""

from emolab.label.readers import Record, read_corpus

__all__ = ["Record", "read_corpus"]
