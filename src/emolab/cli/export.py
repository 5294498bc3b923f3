"""``emolab export submission PREDICTIONS --format F --out DIR``: official submission files.

``emolab export-gguf RUN``: a run's merged model as a GGUF for the llama.cpp backend;
``--lora``: its LoRA adapter as a GGUF LoRA that llama.cpp applies to the base GGUF.

Nothing heavy at module level: torch, gguf and the backends are imported inside the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from emolab.cli.output import table_console

app = typer.Typer(help="Write results in other tools' formats: submission files for the "
                  "official scorers.", no_args_is_help=True)


@app.command("submission")
def submission(
    predictions: list[Path] = typer.Argument(..., help="Predictions files (JSON Lines) of "
                                             "`emolab classify --dataset`; several files (e.g. "
                                             "one per task or language) go into one "
                                             "submission."),
    format: str = typer.Option(..., "--format", "-f", help="semeval2018 (E-C_en_pred.txt, "
                               "EI-reg_en_anger_pred.txt, ...) or semeval2025 "
                               "(track_a/pred_eng.csv, ...)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the files into."),
    data_dir: Path | None = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA",
                                         show_envvar=True, help="Data sets folder: the gold "
                                         "files give each file's header and row order."),
) -> None:
    """Write submission files that the official scorers take; unreadable answers are written
    as the scorers impute them and counted."""
    from rich.table import Table

    from emolab.evaluate.submission import write_submission

    report = write_submission(predictions, format=format, out_dir=out, data_dir=data_dir)
    table = Table(title=f"{format} submission in {out}")
    for column in ("file", "data set", "split", "rows", "imputed"):
        table.add_column(column, justify="right" if column in ("rows", "imputed") else "left")
    for entry in report.files:
        table.add_row(str(entry.path.relative_to(out)), entry.dataset, entry.split,
                      f"{entry.rows:,}", str(entry.imputed))
    table_console().print(table)
    if report.imputed:
        typer.echo(f"{report.imputed} unreadable answers were written as the scorer's default "
                   "(E-c / track A and C: no emotion; scores 0.5; classes 0).")


def export_gguf(
    run: Path = typer.Argument(..., help="A training run folder (its merged/ model is exported, "
                                         "or with --lora its adapter/), a Hugging Face llama "
                                         "model folder, or (--lora) a PEFT adapter folder."),
    out: Path | None = typer.Option(None, "--out", "-o",
                                    help="GGUF file to write (default: RUN/model-TYPE.gguf, "
                                         "with --lora RUN/adapter-TYPE.gguf)."),
    outtype: str | None = typer.Option(None, "--type", "-t",
                                       help="Weight type: q8_0 (default), f16 or f32 (norms "
                                            "stay f32); with --lora f16 (default) or f32."),
    lora: bool = typer.Option(False, "--lora",
                              help="Export the LoRA adapter alone, as a GGUF LoRA that llama.cpp "
                                   "applies to the base GGUF when it loads it (about 10 MB in "
                                   "f16 at r=16, against 145 MB for a merged q8_0)."),
    template: Path | None = typer.Option(
        None, "--template",
        help="GGUF to copy metadata and tensor layout from (default: the run's base model)."),
    check: int = typer.Option(0, "--check", min=0,
                              help="Then classify the first N SemEval E-c dev tweets with "
                                   "transformers and llama.cpp and compare the answers."),
    data_dir: Path | None = typer.Option(None, "--data-dir", envvar="EMOLAB_DATA",
                                         show_envvar=True, help="Data sets folder (for --check)."),
) -> None:
    """Write a training run's merged model (or, with --lora, its adapter) as a GGUF file for
    the llama.cpp backend."""
    from emolab.train import export_gguf as exporter

    if lora:
        from emolab.models import ADAPTER_GGUF_PREFIX
        from emolab.train.export_lora import export_lora

        in_run = (run / "manifest.json").is_file() and (out is None or (
            out.parent.resolve() == run.resolve() and out.name.startswith(ADAPTER_GGUF_PREFIX)))
        if check and not in_run:
            raise typer.BadParameter("--check with --lora needs a run folder and the adapter "
                                     f"written into it as {ADAPTER_GGUF_PREFIX}*.gguf")
        written = export_lora(run, out, outtype=outtype or "f16", template=template,
                              echo=typer.echo)
        # The run folder stands for the base GGUF + its newest GGUF export: this adapter.
        reference, model = run / ("merged" if (run / "merged").is_dir() else "adapter"), run
    else:
        written = exporter.export_gguf(run, out, outtype=outtype or "q8_0", template=template,
                                       echo=typer.echo)
        reference, model = exporter.model_folder(run), written
    if check:
        from emolab.data import get_dataset, load

        texts = [e.text for e in load("semeval-ec", "dev", data_dir=data_dir)[:check]]
        typer.echo(f"checking {len(texts)} dev tweets with both backends (greedy)...")
        from emolab.train.export_check import check_agreement

        result = check_agreement(reference, model, texts, get_dataset("semeval-ec").label_set)
        _print_check(result, written)


def _print_check(result: dict[str, Any], gguf: Path) -> None:
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
    table_console().print(table)
