"""``emolab export-gguf RUN``: a run's merged model as a GGUF for the llama.cpp backend.

Nothing heavy at module level: torch, gguf and the backends are imported inside the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def export_gguf(
    run: Path = typer.Argument(..., help="A training run folder (its merged/ model is exported) "
                                         "or a Hugging Face llama model folder."),
    out: Path | None = typer.Option(None, "--out", "-o",
                                    help="GGUF file to write (default: RUN/model-TYPE.gguf)."),
    outtype: str = typer.Option("q8_0", "--type", "-t",
                                help="Weight type: q8_0, f16 or f32 (norms stay f32)."),
    template: Path | None = typer.Option(
        None, "--template",
        help="GGUF to copy metadata and tensor layout from (default: the run's base model)."),
    check: int = typer.Option(0, "--check", min=0,
                              help="Then classify the first N SemEval E-c dev tweets with "
                                   "transformers and llama.cpp and compare the answers."),
    data_dir: Path | None = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA",
                                         show_envvar=True, help="Data sets folder (for --check)."),
) -> None:
    """Write a training run's merged model as a GGUF file for the llama.cpp backend."""
    from emolab.train import export_gguf as exporter

    written = exporter.export_gguf(run, out, outtype=outtype, template=template,
                                   echo=typer.echo)
    if check:
        from emolab.data import get_dataset, load

        texts = [e.text for e in load("semeval-ec", "dev", data_dir=data_dir)[:check]]
        typer.echo(f"checking {len(texts)} dev tweets with both backends (greedy)...")
        from emolab.train.export_check import check_agreement

        result = check_agreement(exporter.model_folder(run), written, texts,
                                 get_dataset("semeval-ec").label_set)
        _print_check(result, written)


def _print_check(result: dict[str, Any], gguf: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"transformers vs llama.cpp on {result['n']} dev tweets ({gguf.name})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("same raw output", f"{result['same_raw']:.0%}")
    table.add_row("same parsed answer", f"{result['same_answer']:.0%}")
    table.add_row("same label set", f"{result['same_labels']:.0%}")
    for backend in ("transformers", "llamacpp"):
        table.add_row(f"valid answers, {backend}", f"{result['valid'][backend]:.0%}")
        table.add_row(f"s per text, {backend}", f"{result['seconds_per_text'][backend]:.2f}")
        table.add_row(f"tokens/s, {backend}", f"{result['tokens_per_second'][backend]:.1f}")
    Console().print(table)
