"""How long `emolab --help` takes, against a bare Python start-up in the same run.

Usage: python bench/cli_startup.py [--repeat 10]
Writes bench/results/cli_startup.json and prints a table. Target: under 2 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "emolab --help": [sys.executable, "-m", "emolab", "--help"],
    "emolab data list": [sys.executable, "-m", "emolab", "data", "list", "--json"],
}


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    results = {}
    for name, command in COMMANDS.items():
        timed(command)  # warm the file cache
        runs = [timed(command) for _ in range(args.repeat)]
        results[name] = {"median_s": statistics.median(runs), "max_s": max(runs)}
    baseline = results["python -c pass (baseline)"]["median_s"]
    print(f"{'command':32s} {'median s':>9s} {'max s':>7s} {'x baseline':>10s}")
    for name, r in results.items():
        r["ratio_to_baseline"] = r["median_s"] / baseline
        print(f"{name:32s} {r['median_s']:9.3f} {r['max_s']:7.3f} {r['ratio_to_baseline']:10.1f}")
    out = Path(__file__).parent / "results" / "cli_startup.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"repeat": args.repeat, "results": results}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
