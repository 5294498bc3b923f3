"""Output of a labelling run: committed shards (Parquet or JSON Lines) and their commit log."""

from emolab.label.writer.shards import ShardStore

__all__ = ["ShardStore"]
