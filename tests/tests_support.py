"""Small helpers shared by tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
                    encoding="utf-8")
    return path


def headless(chromium: str, tmp_path: Path, *args: str) -> str:
    """Run headless chromium with the flags this closed network needs; return its stdout."""
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={tmp_path / 'chromium-profile'}", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def write_semeval(root: Path, rows: list[tuple[str, str]], *, split: str = "dev",
                  labels_of=lambda text: ["joy"]) -> Path:
    """A SemEval-2018 E-c file of ``(id, tweet)`` rows under ``root``; every tweet is joy
    unless ``labels_of`` says otherwise."""
    from emolab.labels import SEMEVAL_EC

    folder = root / "semeval2018_task1" / "English" / "E-c"
    folder.mkdir(parents=True, exist_ok=True)
    header = "\t".join(["ID", "Tweet", *SEMEVAL_EC.labels])
    body = ["\t".join([i, text, *("1" if name in labels_of(text) else "0"
                                  for name in SEMEVAL_EC.labels)])
            for i, text in rows]
    (folder / f"2018-E-c-En-{split}.txt").write_text("\n".join([header, *body]) + "\n")
    return root


class JsonReplies:
    """Mixin for ``BaseHTTPRequestHandler`` fakes of JSON APIs: ``self._send(status, body)``."""

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def schema_accepts(schema: dict, text: str) -> bool:
    """Whether the grammar both local backends decode ``schema`` with (llguidance, through
    ``emolab.backends.guidance``) admits ``text`` as a whole answer. Read byte by byte: a
    tokenizer of the 256 bytes, so no model is needed."""
    import llguidance

    from emolab.backends.guidance import grammar_of

    matcher = llguidance.LLMatcher(_byte_tokenizer(), grammar_of(schema), log_level=0)
    assert not matcher.is_error(), matcher.get_error()
    return matcher.consume_tokens(list(text.encode("utf-8"))) and matcher.is_accepting()


_BYTES = None


def _byte_tokenizer():
    global _BYTES
    if _BYTES is None:
        import llguidance
        from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

        alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
        # Token i is byte i: ByteLevel's alphabet maps bytes to printable characters in order.
        vocab = {char: byte for byte, char in enumerate(_byte_chars())}
        assert sorted(vocab) == alphabet
        vocab["<eos>"] = 256
        tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[]))
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tokenizer.decoder = decoders.ByteLevel()
        tokenizer.add_special_tokens([AddedToken("<eos>", special=True)])
        _BYTES = llguidance.LLTokenizer(tokenizer.to_str(), n_vocab=257, eos_token=256)
    return _BYTES


def _byte_chars() -> list[str]:
    """GPT-2's byte-to-character table: printable bytes stand for themselves, the rest are
    shifted past 255 in order."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1),
                 *range(ord("®"), ord("ÿ") + 1)]
    chars, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            chars[byte] = chr(byte)
        else:
            chars[byte] = chr(256 + extra)
            extra += 1
    return [chars[b] for b in range(256)]
