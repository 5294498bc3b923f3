"""Which file or folder a model name stands for, without loading anything."""

import json

import pytest

from emolab.errors import EmolabError
from emolab.models import resolve_model


def _run_folder(tmp_path):
    run = tmp_path / "run"
    (run / "merged").mkdir(parents=True)
    (run / "merged" / "config.json").write_text("{}")
    (run / "manifest.json").write_text(json.dumps({"config": {"model": "default"}}))
    return run


def test_a_run_folder_stands_for_its_merged_model(tmp_path):
    run = _run_folder(tmp_path)
    ref = resolve_model(run)
    assert (ref.path, ref.format) == (run / "merged", "hf")


def test_llamacpp_prefers_the_newest_exported_gguf_of_a_run(tmp_path):
    import os

    run = _run_folder(tmp_path)
    assert resolve_model(run, prefer="gguf").format == "hf"  # nothing exported yet
    older, newer = run / "model-f32.gguf", run / "model-q8_0.gguf"
    older.write_bytes(b"GGUF")
    newer.write_bytes(b"GGUF")
    os.utime(older, (1, 1))
    ref = resolve_model(run, prefer="gguf")
    assert (ref.path, ref.format) == (newer, "gguf")
    assert resolve_model(run).path == run / "merged"


def test_a_folder_that_is_no_model_is_refused_by_name(tmp_path):
    with pytest.raises(EmolabError, match="training run folder"):
        resolve_model(tmp_path)


def test_llamacpp_backend_explains_how_to_serve_an_unexported_run(tmp_path):
    pytest.importorskip("xllamacpp")
    from emolab.backends.llamacpp import LlamaCppBackend

    run = _run_folder(tmp_path)
    with pytest.raises(EmolabError, match="export-gguf"):
        LlamaCppBackend(str(run))
