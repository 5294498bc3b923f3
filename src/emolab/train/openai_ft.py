"""DPO fine-tuning on OpenAI (or any server with the same fine-tuning API): upload the
preference file, create the job, follow it to the end.

Wire format: ``POST /files`` (multipart: ``file`` and ``purpose=fine-tune``), ``POST
/fine_tuning/jobs`` with ``method.type = "dpo"``, ``GET /fine_tuning/jobs/{id}`` and its
``/events``. The base URL includes the version (``https://api.openai.com/v1``), as the OpenAI
clients' ``OPENAI_BASE_URL`` does. The API key goes in the Authorization header only; it is
never printed or written anywhere.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError

DEFAULT_BASE_URL = "https://api.openai.com/v1"
TERMINAL = ("succeeded", "failed", "cancelled")
Number = int | float | str  # a number, or "auto" to let the service choose


@dataclass
class OpenAIDPOConfig:
    pairs: str = field(metadata={"help": "Training file from `emolab pairs export --format openai`."})
    eval_pairs: str | None = field(default=None, metadata={"help": "Validation file (same format)."})
    model: str = field(default="gpt-4.1-mini-2025-04-14",
                       metadata={"help": "Base model to fine-tune (one that supports DPO)."})
    beta: Number = field(default=0.1, metadata={"help": "DPO beta (paper: 0.1) or 'auto'."})
    n_epochs: Number = field(default="auto", metadata={"help": "Epochs, or 'auto'."})
    batch_size: Number = field(default="auto", metadata={"help": "Batch size, or 'auto'."})
    learning_rate_multiplier: Number = field(default="auto",
                                             metadata={"help": "Learning-rate multiplier or 'auto'."})
    seed: int = field(default=42, metadata={"help": "Seed of the fine-tuning job."})
    suffix: str | None = field(default=None, metadata={"help": "Suffix of the fine-tuned model name."})
    poll_seconds: float = field(default=10.0, metadata={"help": "Seconds between status checks."})

    def __post_init__(self) -> None:
        for name in ("beta", "n_epochs", "batch_size", "learning_rate_multiplier"):
            setattr(self, name, _number_or_auto(name, getattr(self, name)))
        if self.poll_seconds <= 0:
            raise EmolabError("poll_seconds must be positive")

    def hyperparameters(self) -> dict[str, Number]:
        return {"beta": self.beta, "n_epochs": self.n_epochs, "batch_size": self.batch_size,
                "learning_rate_multiplier": self.learning_rate_multiplier}


def _number_or_auto(name: str, value: Number) -> Number:
    if value == "auto":
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise EmolabError(f"{name} must be a number or 'auto', not {value!r}") from None
    if number <= 0:
        raise EmolabError(f"{name} must be positive, not {value}")
    integral = name in ("n_epochs", "batch_size")
    if integral and number != int(number):
        raise EmolabError(f"{name} must be a whole number, not {value}")
    return int(number) if integral else number


def check_file(path: str | Path) -> int:
    """Rows in an OpenAI preference file; fail early on a TRL file or a malformed row."""
    path = Path(path)
    if not path.is_file():
        raise EmolabError(f"{path}: no such file")
    count = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise EmolabError(f"{path}:{number}: not JSON ({err.msg})") from None
        if not (isinstance(row.get("input"), dict) and "messages" in row["input"]
                and "preferred_output" in row and "non_preferred_output" in row):
            raise EmolabError(f"{path}:{number}: expected input.messages, preferred_output and "
                              "non_preferred_output (`emolab pairs export --format openai`)")
        count += 1
    if count == 0:
        raise EmolabError(f"{path}: no rows")
    return count


class FineTuningClient:
    def __init__(self, base_url: str, api_key: str, *, timeout: float = 60.0,
                 transport: Any = None) -> None:
        import httpx

        if not api_key:
            raise EmolabError("no API key: pass --api-key or set OPENAI_API_KEY")
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout,
                                  headers={"Authorization": f"Bearer {api_key}"},
                                  transport=transport)

    def _check(self, response: Any) -> dict[str, Any]:
        if response.status_code >= 400:
            # The server's message helps; the request (and its key) is not repeated.
            raise EmolabError(f"{response.request.method} {response.request.url.path}: HTTP "
                              f"{response.status_code}: {response.text[:500]}")
        return response.json()

    def upload(self, path: Path) -> dict[str, Any]:
        with path.open("rb") as handle:
            files = {"file": (path.name, handle, "application/jsonl")}
            return self._check(self._http.post("/files", data={"purpose": "fine-tune"},
                                               files=files))

    def create_job(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._check(self._http.post("/fine_tuning/jobs", json=body))

    def job(self, job_id: str) -> dict[str, Any]:
        return self._check(self._http.get(f"/fine_tuning/jobs/{job_id}"))

    def events(self, job_id: str, limit: int = 50) -> list[dict[str, Any]]:
        page = self._check(self._http.get(f"/fine_tuning/jobs/{job_id}/events",
                                          params={"limit": limit}))
        return page.get("data", [])

    def close(self) -> None:
        self._http.close()


def job_body(cfg: OpenAIDPOConfig, training_file: str, validation_file: str | None
             ) -> dict[str, Any]:
    body: dict[str, Any] = {"model": cfg.model, "training_file": training_file, "seed": cfg.seed,
                            "method": {"type": "dpo",
                                       "dpo": {"hyperparameters": cfg.hyperparameters()}}}
    if validation_file:
        body["validation_file"] = validation_file
    if cfg.suffix:
        body["suffix"] = cfg.suffix
    return body


def run(cfg: OpenAIDPOConfig, client: FineTuningClient, *, echo: Callable[[str], None] = print,
        wait: bool = True, sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Upload, create the job, and (with ``wait``) poll it to a terminal status."""
    rows = check_file(cfg.pairs)
    training = client.upload(Path(cfg.pairs))
    echo(f"uploaded {cfg.pairs} ({rows} pairs) as {training['id']}")
    validation = None
    if cfg.eval_pairs:
        check_file(cfg.eval_pairs)
        validation = client.upload(Path(cfg.eval_pairs))["id"]
        echo(f"uploaded {cfg.eval_pairs} as {validation}")
    job = client.create_job(job_body(cfg, training["id"], validation))
    echo(f"created fine-tuning job {job['id']} ({job.get('status')})")
    if wait:
        job = follow(client, job, echo=echo, sleep=sleep, poll_seconds=cfg.poll_seconds)
    return job


def follow(client: FineTuningClient, job: dict[str, Any], *, echo: Callable[[str], None],
           sleep: Callable[[float], None], poll_seconds: float) -> dict[str, Any]:
    """Poll until succeeded / failed / cancelled, printing each new event once, oldest first."""
    from rich.console import Console

    seen: set[str] = set()
    console = Console(stderr=True)
    with console.status(f"job {job['id']}: {job.get('status')}") as status:
        while True:
            # Events come newest first; print the unseen ones in the order they happened.
            for event in reversed(client.events(job["id"])):
                if event.get("id") not in seen:
                    seen.add(event.get("id"))
                    echo(f"[{event.get('level', 'info')}] {event.get('message', '')}")
            if job.get("status") in TERMINAL:
                break
            sleep(poll_seconds)
            job = client.job(job["id"])
            status.update(f"job {job['id']}: {job.get('status')}")
    if job["status"] == "succeeded":
        echo(f"job {job['id']} succeeded: fine-tuned model {job.get('fine_tuned_model')}")
    else:
        error = job.get("error") or {}
        echo(f"job {job['id']} {job['status']}: {error.get('message', 'no error message')}")
    return job
