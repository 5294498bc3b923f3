"""Does an exported GGUF answer like the model it came from? Classify the same texts greedily
with transformers (the Hugging Face folder) and llama.cpp (the GGUF) and compare."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError


def check_agreement(hf_folder: Path, gguf_path: Path, texts: Sequence[str], labels: Any, *,
                    max_tokens: int | None = None, n_threads: int = 2) -> dict[str, Any]:
    """Classify ``texts`` greedily with transformers (``hf_folder``) and llama.cpp
    (``gguf_path``) and say how often they agree and how fast each was.

    ``labels`` is a ``LabelSet``. Returns ``n``, ``same_raw`` (identical outputs),
    ``same_answer`` (identical parsed answers, explanation included), ``same_labels``
    (identical label sets), ``valid``, ``seconds_per_text`` and ``tokens_per_second`` per
    backend, and ``rows`` (both answers per text).
    """
    from emolab.backends.llamacpp import LlamaCppBackend
    from emolab.backends.transformers import TransformersBackend

    if not texts:
        raise EmolabError("check_agreement needs at least one text")
    answers = {}
    for name, make in (("transformers",
                        lambda: TransformersBackend(str(hf_folder), n_threads=n_threads)),
                       ("llamacpp", lambda: LlamaCppBackend(str(gguf_path), n_threads=n_threads))):
        with make() as backend:
            answers[name] = _classify_all(backend, texts, labels, max_tokens)
    return _agreement(texts, answers["transformers"], answers["llamacpp"])


def _classify_all(backend: Any, texts: Sequence[str], labels: Any,
                  max_tokens: int | None) -> list[dict[str, Any]]:
    from dataclasses import replace

    from emolab.classify.runner import DEFAULT_PARAMS, Classifier

    params = DEFAULT_PARAMS if max_tokens is None else replace(DEFAULT_PARAMS,
                                                               max_tokens=max_tokens)
    classifier = Classifier(backend, labels, params=params)
    rows = []
    for text in texts:
        result = classifier.classify(text)
        best = result.best
        chosen = (best.parsed or {}).get("multiple_emotions_present")
        rows.append({"raw": best.raw, "parsed": best.parsed, "valid": best.schema_valid,
                     "labels": sorted(chosen) if chosen is not None else None,
                     "tokens": best.completion_tokens or 0, "seconds": result.seconds})
    return rows


def _agreement(texts: Sequence[str], hf: list[dict[str, Any]],
               cpp: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(texts)

    def share(test: Callable[[dict[str, Any], dict[str, Any]], bool]) -> float:
        return sum(test(a, b) for a, b in zip(hf, cpp, strict=True)) / n

    return {
        "n": n,
        "same_raw": share(lambda a, b: a["raw"] == b["raw"]),
        "same_answer": share(lambda a, b: a["parsed"] is not None and a["parsed"] == b["parsed"]),
        "same_labels": share(lambda a, b: a["labels"] is not None and a["labels"] == b["labels"]),
        "valid": {"transformers": sum(r["valid"] for r in hf) / n,
                  "llamacpp": sum(r["valid"] for r in cpp) / n},
        "seconds_per_text": {"transformers": sum(r["seconds"] for r in hf) / n,
                             "llamacpp": sum(r["seconds"] for r in cpp) / n},
        # Answers of different lengths make seconds per text unfair; tokens per second is not.
        "tokens_per_second": {"transformers": _rate(hf), "llamacpp": _rate(cpp)},
        "rows": [{"text": t, "transformers": a, "llamacpp": b}
                 for t, a, b in zip(texts, hf, cpp, strict=True)],
    }


def _rate(rows: list[dict[str, Any]]) -> float:
    seconds = sum(r["seconds"] for r in rows)
    return sum(r["tokens"] for r in rows) / seconds if seconds else 0.0
