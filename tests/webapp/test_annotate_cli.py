"""`emolab annotate add-user` and `agreement` as people run them."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from emolab.cli.main import app
from emolab.preference.store import PairStore


def invoke(*args: str):
    return CliRunner().invoke(app, ["annotate", *args])


def test_add_user_prints_a_link_whose_token_logs_in(project):
    path, _ = project
    result = invoke("add-user", str(path), "dora", "--role", "adjudicator", "--port", "9001")
    assert result.exit_code == 0, result.output
    link = re.search(r"http://127\.0\.0\.1:9001/\?token=(\S+)", result.stdout)
    assert link
    with PairStore(path) as store:
        user = store.user_by_token(link.group(1))
    assert (user.name, user.role) == ("dora", "adjudicator")


def test_add_user_refuses_a_judge_and_a_missing_project(tmp_path, project):
    assert invoke("add-user", str(project[0]), "robot", "--role", "judge").exit_code == 2
    result = invoke("add-user", str(tmp_path / "nowhere"), "dora")
    assert result.exit_code != 0 and "not an emolab pairs project" in str(result.exception)


def agree_on_two_items(path) -> None:
    with PairStore(path) as store:
        users = {u.name: u for u in store.users()}
        for item, (a, b) in {1: (0, 0), 2: (0, 1)}.items():
            store.save_choice(item, users["alice"], a)
            store.save_choice(item, users["bob"], b)
            store.save_rating(item, users["alice"].id, 0, {"overall": 4, "clarity": 3})
            store.save_rating(item, users["bob"].id, 0, {"overall": 2 + item, "clarity": 3})


def test_agreement_json_is_the_report(project):
    path, _ = project
    agree_on_two_items(path)
    result = invoke("agreement", str(path), "--json")
    assert result.exit_code == 0, result.output
    pair = json.loads(result.stdout)["pairs"][0]
    assert pair["annotators"] == ["alice", "bob"] and pair["items"] == 2
    assert pair["chosen_agreement"] == 0.5
    assert pair["alpha_ordinal"]["clarity"] is None  # everyone said 3: alpha is undefined


def test_agreement_table_shows_n_a_where_undefined(project):
    path, _ = project
    agree_on_two_items(path)
    result = CliRunner().invoke(app, ["annotate", "agreement", str(path)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "alice + bob" in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells[:3] == ["alice + bob", "2", "50%"]
    assert cells[3] == "0.00"  # kappa: agreement no better than chance
    assert cells[4 + 1] == "n/a"  # alpha of clarity


def test_agreement_without_shared_items_says_so(project):
    result = invoke("agreement", str(project[0]))
    assert result.exit_code == 0 and "No two annotators" in result.stdout
