"""The command line as users run it: help, data commands, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from emolab.cli.main import app

HEAVY = ("torch", "transformers", "sklearn", "matplotlib", "numpy", "xllamacpp", "pydantic")


def emolab(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "emolab", *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def test_help_imports_nothing_heavy():
    code = ("import sys, emolab.cli.main; "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_commands():
    result = emolab("--help")
    assert result.returncode == 0
    assert "evaluate" in result.stdout and "data" in result.stdout


def test_data_list_json_names_tasks_and_labels():
    result = CliRunner().invoke(app, ["data", "list", "--json"])
    assert result.exit_code == 0, result.output
    by_name = {row["name"]: row for row in json.loads(result.output)}
    assert by_name["semeval-ec"]["task"] == "multi_label"
    assert len(by_name["semeval-ec"]["labels"]) == 11
    assert by_name["semeval-ei-oc"]["classes"] == [0, 1, 2, 3]


def test_data_stats_json(real_data_dir):
    result = CliRunner().invoke(app, ["data", "stats", "dair-emotion", "--split", "validation",
                                      "--json", "--data-dir", str(real_data_dir)])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["rows"] == 2000 and stats["labels"]["joy"] == 704


def test_data_stats_table(real_data_dir):
    result = CliRunner().invoke(app, ["data", "stats", "semeval-ei-oc", "--split", "dev",
                                      "--data-dir", str(real_data_dir)])
    assert result.exit_code == 0, result.output
    assert "1464 rows (official count)" in result.output


def test_errors_are_one_line_with_exit_code_2(tmp_path):
    result = emolab("data", "stats", "semeval-ec", "--split", "train", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "2018-E-c-En-train.txt" in result.stderr
    assert "Traceback" not in result.stderr
    unknown = emolab("data", "stats", "no-such-set", "--data-dir", str(tmp_path))
    assert unknown.returncode == 2 and "choose one of" in unknown.stderr


def test_tables_keep_names_whole_when_piped():
    # CliRunner's output is not a terminal, as with `emolab data list | cat`.
    from typer.testing import CliRunner

    from emolab.cli.main import app

    result = CliRunner().invoke(app, ["data", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("semeval-ei-reg" in line for line in lines)
    assert any("emollms-aeb1-ei-reg" in line for line in lines)
