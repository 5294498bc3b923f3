"""The HTML report: content, escaping of untrusted text, and rendering in a real browser."""

from __future__ import annotations

import json

import pytest

from emolab.evaluate.report import build_report
from tests_support import headless, write_rows

ATTACK = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'


def rows(correct: int, n: int = 8):
    out = []
    for i in range(n):
        gold = ["joy", "love"] if i % 2 else ["anger"]
        pred = gold if i < correct else ["fear"]
        out.append({"id": f"t{i}", "dataset": "semeval-ec", "gold": gold, "pred": pred,
                    "text": f"tweet {i} {ATTACK}",
                    "raw": json.dumps({"explanation": f"because {ATTACK}",
                                       "most_prominent_emotion": pred[0],
                                       "multiple_emotions_present": pred}),
                    "parsed": {"explanation": f"because {ATTACK}"}})
    out.append({"id": "broken", "dataset": "semeval-ec", "gold": ["joy"], "pred": None,
                "raw": "<b>not json</b>", "error": "invalid JSON: no object"})
    return out


@pytest.fixture
def two_runs(tmp_path):
    before = write_rows(tmp_path / "before" / "predictions.jsonl", rows(correct=2))
    after = write_rows(tmp_path / "after.jsonl", rows(correct=6))
    return before.parent, after


def test_report_compares_runs_and_escapes_text(two_runs):
    page, reports = build_report(list(two_runs))
    assert [r["failed"] for r in reports] == [1, 1]
    assert "Before / after" in page and "change" in page
    assert reports[1]["metrics"]["jaccard"] > reports[0]["metrics"]["jaccard"]
    assert "<script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    assert page.count("data:image/png;base64,") >= 3  # bars + one matrix per run


@pytest.mark.slow
def test_report_renders_in_headless_chromium(two_runs, tmp_path, chromium):
    page, _ = build_report(list(two_runs))
    html = tmp_path / "report.html"
    html.write_text(page, encoding="utf-8")
    dom = headless(chromium, tmp_path, "--dump-dom", html.as_uri())
    assert "pwned" not in dom.split("</title>")[0]  # the injected script never ran
    assert "<script" not in dom  # ... and is no element: it shows as text
    assert "&lt;script&gt;" in dom
    shot = tmp_path / "report.png"
    headless(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1200,2000", html.as_uri())
    assert shot.stat().st_size > 20_000  # a rendered page with tables and plots, not a blank
