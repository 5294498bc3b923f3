"""``emolab train openai-dpo`` against a loopback server that speaks the fine-tuning wire format:
multipart upload to /v1/files, the job body, polling and events, the Authorization header."""

from __future__ import annotations

import json
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emolab.cli.main import app
from emolab.errors import EmolabError
from emolab.train.openai_ft import FineTuningClient, OpenAIDPOConfig, check_file, run
from tests_support import JsonReplies

KEY = "sk-emolab-train-test-9f8e7d6c5b4a"


def openai_rows(n: int = 3) -> list[dict]:
    return [{"input": {"messages": [{"role": "user", "content": f"text {i}"}]},
             "preferred_output": [{"role": "assistant", "content": "good"}],
             "non_preferred_output": [{"role": "assistant", "content": "bad"}]} for i in range(n)]


class FineTuningServer:
    """Records every request; the job runs -> succeeds after ``polls_to_finish`` GETs."""

    def __init__(self, final_status: str = "succeeded", polls_to_finish: int = 2) -> None:
        self.requests: list[dict] = []
        self.uploads: list[dict] = []
        self.job_bodies: list[dict] = []
        self.final_status, self.polls_to_finish, self.polls = final_status, polls_to_finish, 0
        server = self

        class Handler(JsonReplies, BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def _record(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append({"method": self.command, "path": self.path,
                                        "auth": self.headers.get("Authorization"),
                                        "content_type": self.headers.get("Content-Type")})
                return body

            def do_POST(self):
                body = self._record()
                if self.headers.get("Authorization") != f"Bearer {KEY}":
                    return self._send(401, {"error": {"message": "bad key"}})
                if self.path == "/v1/files":
                    return self._send(200, server.upload(self.headers["Content-Type"], body))
                if self.path == "/v1/fine_tuning/jobs":
                    server.job_bodies.append(json.loads(body))
                    return self._send(200, server.job("validating_files"))
                return self._send(404, {"error": {"message": "no route"}})

            def do_GET(self):
                self._record()
                if self.path == "/v1/fine_tuning/jobs/ftjob-1":
                    server.polls += 1
                    done = server.polls >= server.polls_to_finish
                    return self._send(200, server.job(server.final_status if done else "running"))
                if self.path.startswith("/v1/fine_tuning/jobs/ftjob-1/events"):
                    return self._send(200, server.events())
                return self._send(404, {"error": {"message": "no route"}})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def upload(self, content_type: str, body: bytes) -> dict:
        # Parse multipart/form-data with the standard MIME parser, as a server would.
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        parts = {p.get_param("name", header="content-disposition"): p
                 for p in message.iter_parts()}
        file_part = parts["file"]
        record = {"fields": sorted(parts), "purpose": parts["purpose"].get_content().strip(),
                  "filename": file_part.get_filename(), "content": file_part.get_payload(decode=True)}
        self.uploads.append(record)
        return {"id": f"file-{len(self.uploads)}", "object": "file", "purpose": record["purpose"],
                "filename": record["filename"], "bytes": len(record["content"])}

    def job(self, status: str) -> dict:
        job = {"id": "ftjob-1", "object": "fine_tuning.job", "status": status,
               "model": self.job_bodies[-1]["model"], "fine_tuned_model": None, "error": None}
        if status == "succeeded":
            job["fine_tuned_model"] = "ft:base:emolab:abc"
        if status == "failed":
            job["error"] = {"code": "invalid_file", "message": "row 2 is not a pair"}
        return job

    def events(self) -> dict:
        # Newest first, as the API lists them; one more event appears with each poll.
        messages = ["Validating training file", "Fine-tuning job started",
                    "Step 1/2: training loss=0.69", "Fine-tuning job finished"]
        shown = messages[:min(len(messages), self.polls + 1)]
        data = [{"object": "fine_tuning.job.event", "id": f"ev-{i}", "level": "info",
                 "message": m, "created_at": 1700000000 + i} for i, m in enumerate(shown)]
        return {"object": "list", "data": data[::-1], "has_more": False}

    def __enter__(self) -> FineTuningServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_cli_uploads_creates_the_dpo_job_and_polls_to_success(tmp_path, monkeypatch):
    train = write(tmp_path / "train.jsonl", openai_rows(3))
    valid = write(tmp_path / "valid.jsonl", openai_rows(1))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with FineTuningServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        result = CliRunner().invoke(app, [
            "train", "openai-dpo", "--pairs", str(train), "--eval-pairs", str(valid),
            "--model", "gpt-4o-mini-2024-07-18", "--n-epochs", "2", "--poll-seconds", "0.01"])
    output = result.output
    assert result.exit_code == 0, output
    assert KEY not in output
    assert all(r["auth"] == f"Bearer {KEY}" for r in server.requests)
    uploads = [r for r in server.requests if r["path"] == "/v1/files"]
    assert all(r["content_type"].startswith("multipart/form-data") for r in uploads)
    assert [u["fields"] for u in server.uploads] == [["file", "purpose"]] * 2
    assert [u["purpose"] for u in server.uploads] == ["fine-tune"] * 2
    assert server.uploads[0]["filename"] == "train.jsonl"
    assert server.uploads[0]["content"] == train.read_bytes()
    assert server.job_bodies == [{
        "model": "gpt-4o-mini-2024-07-18", "training_file": "file-1", "validation_file": "file-2",
        "seed": 42, "method": {"type": "dpo", "dpo": {"hyperparameters": {
            "beta": 0.1, "n_epochs": 2, "batch_size": "auto",
            "learning_rate_multiplier": "auto"}}}}]
    assert server.polls == 2
    # every event printed once, oldest first
    lines = [line for line in output.splitlines() if line.startswith("[info]")]
    assert lines == ["[info] Validating training file", "[info] Fine-tuning job started",
                     "[info] Step 1/2: training loss=0.69"]
    assert "succeeded: fine-tuned model ft:base:emolab:abc" in output


def test_a_failed_job_exits_non_zero_with_its_error(tmp_path, monkeypatch):
    train = write(tmp_path / "train.jsonl", openai_rows(2))
    with FineTuningServer(final_status="failed", polls_to_finish=1) as server:
        result = CliRunner().invoke(app, [
            "train", "openai-dpo", "--pairs", str(train), "--base-url", server.url,
            "--api-key", KEY, "--poll-seconds", "0.01"])
    assert result.exit_code == 1
    assert "row 2 is not a pair" in result.output
    assert KEY not in result.output
    assert "validation_file" not in server.job_bodies[0]


def test_a_rejected_key_is_reported_without_the_key(tmp_path):
    train = write(tmp_path / "train.jsonl", openai_rows(1))
    with FineTuningServer() as server:
        client = FineTuningClient(server.url, "sk-wrong-key-000")
        with pytest.raises(EmolabError, match="401") as err:
            run(OpenAIDPOConfig(pairs=str(train)), client, echo=lambda _: None)
    assert "sk-wrong-key-000" not in str(err.value)


def test_a_trl_file_is_refused_before_any_upload(tmp_path):
    trl = write(tmp_path / "pairs.jsonl", [{"prompt": [], "chosen": [], "rejected": []}])
    with pytest.raises(EmolabError, match="preferred_output"):
        check_file(trl)


@pytest.mark.parametrize("bad", [{"beta": "-1"}, {"n_epochs": "1.5"}, {"batch_size": "many"}])
def test_hyperparameters_are_checked(bad):
    with pytest.raises(EmolabError):
        OpenAIDPOConfig(pairs="x.jsonl", **bad)
