"""Engines answer records: ``local`` (an in-process backend), ``servers`` (OpenAI-compatible
servers, several requests in flight, health-checked), ``llama-server`` (llama.cpp's own server
started here on loopback, then the servers engine), ``ray`` (a Ray Data pipeline)."""

from emolab.label.engines.base import Engine, answer_record, ordered_rows

ENGINES = ("auto", "local", "servers", "llama-server", "ray")

__all__ = ["ENGINES", "Engine", "answer_record", "ordered_rows"]
