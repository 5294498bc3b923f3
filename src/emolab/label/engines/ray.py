"""The Ray engine: the corpus in chunks through a Ray Data pipeline, answers from the servers.

Each chunk of ``chunk_rows`` records (read on the driver, streamed) becomes a dataset;
``map_batches`` sends its batches to a pool of actors, each holding a servers engine over every
``--base-url`` (health checks and failover included); the answered batches come back in input
order and the driver commits them as shards with the same protocol as every engine (temporary
name, fsync, rename, commit log). So resume is shard-level and exactly once, which Ray Data's own
``write_parquet`` does not promise; the cost is one pipeline start per chunk (a few seconds),
small against a chunk of LLM answers. Ray is optional (``pip install 'emolab[label-ray]'``)
and imported only here.

Without ``ray_address`` a local Ray is started on loopback (``127.0.0.1``, usage statistics
off, no dashboard); with one (``auto`` or ``ray://host:10001``) the job joins that cluster.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import Future
from typing import Any

from emolab.errors import EmolabError
from emolab.label.engines.base import Batches, Engine
from emolab.label.readers import Record
from emolab.label.tasks import RunTask


class _Answer:
    """A Ray Data actor: answers a batch of records through its own servers engine."""

    def __init__(self, setup: dict[str, Any]) -> None:
        from emolab.backends import SamplingParams
        from emolab.label.engines.servers import ServerEngine, load_servers
        from emolab.label.rows import arrow_schema
        from emolab.label.tasks import resolve_tasks

        self.tasks = resolve_tasks(setup["tasks"])
        self.schema = arrow_schema(self.tasks)
        servers = load_servers(setup["base_urls"], tasks=self.tasks, model=setup["model"],
                               api_key=os.environ.get("OPENAI_API_KEY"), slots=setup["slots"],
                               params=SamplingParams(**setup["params"]),
                               constrain=setup["constrain"],
                               prompt_version=setup["prompt_version"])
        self.engine = ServerEngine(servers, self.tasks)

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        from emolab.label.engines.base import ordered_rows

        records = [Record(r["id"], r["text"], r["line"], r["error"]) for r in batch.to_pylist()]
        return pa.Table.from_pylist(list(ordered_rows(self.engine, records)), schema=self.schema)


class RayEngine(Engine):
    def __init__(self, cfg: Any, tasks: list[RunTask], *, params: Any,
                 api_key: str | None = None, chunk_rows: int | None = None,
                 actors: int | None = None) -> None:
        try:
            import ray
            import ray.data
        except ImportError:
            raise EmolabError("the ray engine needs Ray Data: pip install 'emolab[label-ray]'"
                              ) from None
        from dataclasses import asdict

        self.tasks = tasks
        self.actors = actors or len(cfg.base_url)
        slots = max(1, math.ceil(cfg.concurrency / self.actors))
        self.batch_size = 2 * slots * len(cfg.base_url)
        self.window = chunk_rows or max(cfg.shard_rows, 4 * self.batch_size * self.actors)
        self.setup = {"tasks": cfg.tasks, "base_urls": list(cfg.base_url), "model": cfg.model,
                      "slots": slots, "params": asdict(params), "constrain": cfg.constrain,
                      "prompt_version": cfg.prompt_version}
        if api_key:  # actors read it from the environment: never part of a task's arguments
            os.environ["OPENAI_API_KEY"] = api_key
        self._batches = Batches(self.window, self._answer)
        self._started = False
        if not ray.is_initialized():
            address = getattr(cfg, "ray_address", None)
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(_node_ip_address="127.0.0.1", include_dashboard=False,
                         log_to_driver=False, configure_logging=False)
            self._started = True
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # rows come back in input order
        context.enable_progress_bars = False

    def submit(self, record: Record) -> Future:
        return self._batches.submit(record)

    def flush(self) -> None:
        self._batches.flush()

    def _answer(self, records: list[Record]) -> list[Any]:
        """The chunk through the pipeline: a row per record, or the error of a row that came
        back out of order."""
        import ray.data

        items = [{"id": r.id, "text": r.text, "line": r.line, "error": r.error} for r in records]
        answered = ray.data.from_items(items).map_batches(
            _Answer, fn_constructor_args=(self.setup,), batch_size=self.batch_size,
            batch_format="pyarrow", concurrency=self.actors, num_cpus=0.25)
        rows = [row for batch in answered.iter_batches(batch_format="pyarrow", batch_size=None)
                for row in batch.to_pylist()]
        if len(rows) != len(records):
            raise EmolabError(f"the Ray pipeline returned {len(rows)} rows for "
                              f"{len(records)} texts")
        return [row if row["id"] == record.id else EmolabError(
                    f"the Ray pipeline reordered rows: expected {record.id!r}, got "
                    f"{row['id']!r}") for record, row in zip(records, rows, strict=True)]

    def close(self) -> None:
        self._batches.clear()
        if self._started:
            import ray

            ray.shutdown()
