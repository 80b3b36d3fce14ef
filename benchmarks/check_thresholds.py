"""Compare a benchmark's ratios with the maxima in thresholds.yaml.

Usage: python -m benchmarks.check_thresholds BENCH.json [benchmarks/thresholds.yaml]
Exits 1 naming every ratio above its maximum or not measured.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path

import yaml


class ThresholdsError(Exception):
    """thresholds.yaml is malformed."""


def load_thresholds(path: Path) -> dict[str, float]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    maxima = (data or {}).get("max_ratios") if isinstance(data, dict) else None
    if not isinstance(maxima, dict) or not maxima:
        raise ThresholdsError(f"{path}: needs a non-empty 'max_ratios' mapping")
    out = {}
    for name, value in maxima.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ThresholdsError(f"{path}: max_ratios.{name} must be a positive number")
        out[str(name)] = float(value)
    return out


def regressions(ratios: Mapping[str, float | None], maxima: Mapping[str, float]) -> list[str]:
    """One message per thresholded ratio that is too high or was not measured."""
    out = []
    for name, limit in maxima.items():
        if name not in ratios:
            out.append(f"{name}: no such ratio in the benchmark output")
            continue
        value = ratios[name]
        if value is None:
            out.append(f"{name}: not measured (a system was skipped), max {limit:g}")
        elif value > limit:
            out.append(f"{name}: {value:g} > max {limit:g}")
    return out


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print(__doc__, file=sys.stderr)
        return 2
    bench = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    limits = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("thresholds.yaml")
    failed = regressions(bench["ratios"], load_thresholds(limits))
    for message in failed:
        print(f"REGRESSED {message}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
