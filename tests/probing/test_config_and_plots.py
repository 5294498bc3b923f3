from __future__ import annotations

import numpy as np
import pytest

from emolab.errors import EmolabError
from emolab.probing.config import ProbeConfig, parse_layers
from emolab.probing.plots import plot_confusion, plot_curves, write_html


def test_parse_layers():
    assert parse_layers("all", 4) == [0, 1, 2, 3]
    assert parse_layers("0,-1", 31) == [0, 30]
    assert parse_layers("0:31:10", 31) == [0, 10, 20, 30]
    with pytest.raises(EmolabError):
        parse_layers("7", 4)
    with pytest.raises(EmolabError):
        parse_layers("a,b", 4)


def test_yaml_then_flags(tmp_path):
    path = tmp_path / "probe.yaml"
    path.write_text("dataset: goemotions\nlimit: 50\nprobes: [linear]\nmax-length: 64\n")
    cfg = ProbeConfig.from_sources(path, {"limit": 80, "seed": None})
    assert (cfg.dataset, cfg.limit, cfg.probes, cfg.max_length, cfg.seed) == \
        ("goemotions", 80, ["linear"], 64, 0)
    with pytest.raises(EmolabError, match="unknown"):
        ProbeConfig.from_sources(None, {"limits": 3})
    with pytest.raises(EmolabError, match="pooling"):
        ProbeConfig(pooling="max")
    with pytest.raises(EmolabError, match="ablate"):
        ProbeConfig(ablate="everything")


def test_plots_and_escaped_page(tmp_path):
    rows = [{"layer": i, "relative_depth": i / 2, "probe": p, "accuracy": 0.5 + i / 10,
             "f1_macro": 0.4, "control_accuracy": 0.3, "control_f1_macro": 0.2}
            for i in range(3) for p in ("linear", "mlp")]
    curves = plot_curves({"a": rows, "b": rows}, tmp_path / "c.png",
                         metrics=["accuracy", "f1_macro"], baseline={"accuracy": 0.3})
    assert curves.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    single = plot_confusion(np.array([0, 1, 2]), np.array([0, 2, 2]), ["a", "b", "c"],
                            tmp_path / "s.png")
    multi = plot_confusion(np.array([[1, 0], [0, 1]]), np.array([[1, 1], [0, 0]]), ["x", "y"],
                           tmp_path / "m.png")
    assert single.stat().st_size > 1000 and multi.stat().st_size > 1000
    page = write_html(tmp_path / "p.html", title="<b>t</b>", facts={"model": "<script>x"},
                      images=['c.png"><script>'], tables={"t": ([{"k": "<i>"}], ["k"])})
    text = page.read_text()
    assert "<script>" not in text and "&lt;script&gt;" in text and "&lt;i&gt;" in text
    assert "<b>" not in text
