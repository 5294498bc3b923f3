"""Options derived from a config dataclass (``emolab.cli.config_options``): each setting's
flag, help and default are written once, on the field, and only typed flags override YAML."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer
from typer.testing import CliRunner

from emolab.cli.config_options import config_from_flags, options_from
from emolab.settings import FromSources, setting


@dataclass
class Toy(FromSources):
    model: str = setting("base", "Which model.", aliases=("-m",))
    steps: int | None = setting(None, "How many steps.")
    greedy: bool = setting(True, "Decode greedily.")
    probes: list[str] | None = setting(None, "Probes; repeat for several.", flag="--probe")
    data_dir: str | None = setting(None, "Data folder.", envvar="TOY_DATA")


def toy_app(seen: list) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @options_from(Toy, exclude=("steps",))
    def run(ctx: typer.Context,
            config: Path | None = typer.Option(None, "--config"),
            settings: dict | None = None) -> None:
        seen.append(config_from_flags(ctx, Toy, config, settings or {}))

    return app


def test_help_comes_from_the_dataclass_with_its_defaults():
    result = CliRunner().invoke(toy_app([]), ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Which model. [default: base]" in result.output
    assert "--no-greedy" in result.output and "Decode greedily. [default: on]" in result.output
    assert "--probe" in result.output and "TOY_DATA" in result.output
    assert "--steps" not in result.output  # excluded


def test_typed_flags_override_the_yaml_file_and_the_rest_keep_it(tmp_path):
    config = tmp_path / "toy.yaml"
    config.write_text("model: from-file\ngreedy: false\ndata_dir: file-data\n")
    seen: list = []
    app = toy_app(seen)
    result = CliRunner().invoke(app, ["--config", str(config), "--probe", "a", "--probe", "b"],
                                env={"TOY_DATA": "env-data"})
    assert result.exit_code == 0, result.output
    cfg = seen[-1]
    assert (cfg.model, cfg.greedy, cfg.probes) == ("from-file", False, ["a", "b"])
    assert cfg.data_dir == "file-data"  # the file wins over the environment ...
    CliRunner().invoke(app, ["-m", "typed", "--greedy"], env={"TOY_DATA": "env-data"})
    assert (seen[-1].model, seen[-1].greedy, seen[-1].data_dir) == ("typed", True, "env-data")
    CliRunner().invoke(app, ["--config", str(config), "--data-dir", "typed-data"])
    assert seen[-1].data_dir == "typed-data"  # ... and a typed flag wins over the file


def test_every_settings_field_of_the_commands_is_an_option():
    """Every command with a settings dataclass takes every field of it as an option."""
    from dataclasses import fields

    from emolab.classify.config import ClassifyConfig
    from emolab.cli.main import app
    from emolab.demo.config import DemoConfig
    from emolab.emobench.config import EmoBenchConfig
    from emolab.label.config import LabelConfig
    from emolab.probing.config import ProbeConfig
    from emolab.reasoning.config import ReasonConfig
    from emolab.train.config import TrainConfig

    commands = {("classify",): ClassifyConfig, ("probe",): ProbeConfig,
                ("train", "sft"): TrainConfig, ("demo",): DemoConfig,
                ("emobench", "run"): EmoBenchConfig, ("label",): LabelConfig,
                ("reason", "generate"): ReasonConfig}
    for path, config_cls in commands.items():
        result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "250"})
        assert result.exit_code == 0, result.output
        for spec in fields(config_cls):
            if spec.name == "method":  # train's subcommand names it
                continue
            flag = spec.metadata.get("flag") or "--" + spec.name.replace("_", "-")
            assert flag in result.output, (path, flag)
