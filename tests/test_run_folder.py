"""The run folder every resumable command writes into (``emolab.run_folder``): the settings
check, the session records, and what a broken manifest says."""

from __future__ import annotations

import json

import pytest

from emolab.errors import EmolabError
from emolab.run_folder import RunFolder


def test_a_rerun_with_settings_that_change_the_rows_is_refused(tmp_path):
    folder = RunFolder(tmp_path, harmless=frozenset({"threads"}), holds="answers",
                       settings_key="settings")
    folder.record_session({"rows": 3}, settings={"model": "a", "threads": 2, "top_p": 1})
    # Harmless settings, 1 == 1.0, and a key the older folder does not know all pass.
    folder.refuse_other_settings({"model": "a", "threads": 8, "top_p": 1.0, "new": True})
    with pytest.raises(EmolabError) as refused:
        folder.refuse_other_settings({"model": "b", "threads": 2, "top_p": 0.5})
    message = str(refused.value)
    assert str(tmp_path) in message and "holds answers made with other settings" in message
    assert "model: 'a' -> 'b'; top_p: 1 -> 0.5" in message and "use another --out" in message


def test_sessions_are_appended_with_versions_and_a_finish_time(tmp_path):
    folder = RunFolder(tmp_path / "run", packages=("emolab", "no-such-package"))
    folder.record_session({"rows_written": 1}, config={"seed": 1})
    path = folder.record_session({"rows_written": 2}, config={"seed": 1})
    record = json.loads(path.read_text())
    assert [s["rows_written"] for s in record["sessions"]] == [1, 2]
    assert all(s["finished_utc"].endswith("Z") for s in record["sessions"])
    assert record["versions"]["emolab"] and record["versions"]["no-such-package"] is None
    assert record["config"] == {"seed": 1}
    assert not list(path.parent.glob(".*.tmp"))  # written atomically, nothing left behind


def test_settings_kept_in_config_yaml(tmp_path):
    from emolab.classify.config import ClassifyConfig

    folder = RunFolder(tmp_path, settings_file="config.yaml")
    assert folder.saved_settings() is None
    folder.keep_settings(ClassifyConfig(dataset="semeval-ec", limit=3))
    assert folder.saved_settings()["limit"] == 3
    assert folder.differences({"limit": 4, "split": "dev"}) == ["limit: 3 -> 4"]


def test_a_broken_manifest_is_named(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(EmolabError, match=r"manifest.json: unreadable manifest"):
        RunFolder(tmp_path).manifest()
    (tmp_path / "manifest.json").write_text("[1, 2]")
    with pytest.raises(EmolabError, match="expected a JSON object"):
        RunFolder(tmp_path).manifest()
