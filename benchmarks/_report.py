"""Figures per system, the ratios between systems, the JSON document and the markdown table."""

from __future__ import annotations

import statistics
from typing import Any

MIB = 1024 * 1024
FIGURES = (
    "build_s",
    "docs_per_s",
    "peak_rss_mb",
    "build_rss_mb",
    "helper_rss_mb",
    "index_mb",
    "query_p50_ms",
    "query_p95_ms",
    "query_p99_ms",
    "facets_p50_ms",
    "facets_p95_ms",
    "facets_p99_ms",
)
#: analysis_floor indexes nothing and answers no queries: only its build time is a figure.
FLOOR = "analysis_floor"
ENGINES = ("searchlib", "whoosh_stock", "fts5", "sphinx_2node")
SYSTEM_ORDER = (*ENGINES, FLOOR)
TEXT = "text"
#: A single-process build below this share of one core was slowed by something else.
BUSY_SHARE = 0.85
#: name -> (system, figure) / (system, figure), or (system, figure) / the corpus's text MB.
RATIOS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "searchlib_build_vs_fts5": (("searchlib", "build_s"), ("fts5", "build_s")),
    "searchlib_build_vs_whoosh": (("searchlib", "build_s"), ("whoosh_stock", "build_s")),
    "searchlib_build_vs_floor": (("searchlib", "build_s"), (FLOOR, "build_s")),
    "searchlib_query_p50_vs_fts5": (("searchlib", "query_p50_ms"), ("fts5", "query_p50_ms")),
    "searchlib_query_p95_vs_fts5": (("searchlib", "query_p95_ms"), ("fts5", "query_p95_ms")),
    "searchlib_query_p99_vs_fts5": (("searchlib", "query_p99_ms"), ("fts5", "query_p99_ms")),
    "searchlib_facets_p50_vs_fts5": (("searchlib", "facets_p50_ms"), ("fts5", "facets_p50_ms")),
    "searchlib_facets_p95_vs_fts5": (("searchlib", "facets_p95_ms"), ("fts5", "facets_p95_ms")),
    "searchlib_facets_p99_vs_fts5": (("searchlib", "facets_p99_ms"), ("fts5", "facets_p99_ms")),
    "searchlib_query_p50_vs_whoosh": (
        ("searchlib", "query_p50_ms"),
        ("whoosh_stock", "query_p50_ms"),
    ),
    "searchlib_query_p95_vs_whoosh": (
        ("searchlib", "query_p95_ms"),
        ("whoosh_stock", "query_p95_ms"),
    ),
    "searchlib_index_vs_text": (("searchlib", "index_mb"), (TEXT, "text_mb")),
    "searchlib_index_vs_fts5": (("searchlib", "index_mb"), ("fts5", "index_mb")),
    "searchlib_rss_vs_fts5": (("searchlib", "peak_rss_mb"), ("fts5", "peak_rss_mb")),
    "searchlib_rss_vs_whoosh": (("searchlib", "peak_rss_mb"), ("whoosh_stock", "peak_rss_mb")),
    "whoosh_build_vs_fts5": (("whoosh_stock", "build_s"), ("fts5", "build_s")),
    "whoosh_query_p50_vs_fts5": (("whoosh_stock", "query_p50_ms"), ("fts5", "query_p50_ms")),
    "whoosh_query_p95_vs_fts5": (("whoosh_stock", "query_p95_ms"), ("fts5", "query_p95_ms")),
    "whoosh_index_vs_text": (("whoosh_stock", "index_mb"), (TEXT, "text_mb")),
    "fts5_index_vs_text": (("fts5", "index_mb"), (TEXT, "text_mb")),
    "fts5_build_vs_floor": (("fts5", "build_s"), (FLOOR, "build_s")),
    # The sphinxql backend on a local 2-node cluster against the embedded backend.
    "sphinx_build_vs_searchlib": (("sphinx_2node", "build_s"), ("searchlib", "build_s")),
    "sphinx_query_p50_vs_searchlib": (
        ("sphinx_2node", "query_p50_ms"),
        ("searchlib", "query_p50_ms"),
    ),
    "sphinx_query_p95_vs_searchlib": (
        ("sphinx_2node", "query_p95_ms"),
        ("searchlib", "query_p95_ms"),
    ),
}


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile, linear between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("no values")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def figures(name: str, raw: dict[str, Any] | None, docs: int) -> dict[str, float | None]:
    """The JSON figures of one system from its worker's raw output (None: skipped)."""
    keys = ("build_s",) if name == FLOOR else FIGURES
    if raw is None or "skipped" in raw:
        return dict.fromkeys(keys)
    out: dict[str, float | None] = {"build_s": round(raw["build_s"], 3)}
    if name == FLOOR:
        return out
    latencies = raw["latencies_ms"]
    out.update(
        docs_per_s=round(docs / raw["build_s"], 1),
        peak_rss_mb=round(raw["peak_rss_mb"], 1),
        build_rss_mb=round(raw["build_rss_mb"], 1),
        # A build helper process's own peak (None: the system started none).
        helper_rss_mb=round(raw["helper_rss_mb"], 1) if raw.get("helper_rss_mb") else None,
        index_mb=round(raw["index_bytes"] / MIB, 2),
        query_p50_ms=round(percentile(latencies, 50), 3),
        query_p95_ms=round(percentile(latencies, 95), 3),
        query_p99_ms=round(percentile(latencies, 99), 3),
    )
    faceted = raw.get("facets_latencies_ms")  # absent: the system has no facets
    for p in (50, 95, 99):
        out[f"facets_p{p}_ms"] = round(percentile(faceted, p), 3) if faceted else None
    return out


def ratios(systems: dict[str, dict[str, float | None]], text_mb: float) -> dict[str, float | None]:
    """Every ratio in RATIOS; None when either side was not measured."""
    out: dict[str, float | None] = {}
    for name, ((num_sys, num_fig), (den_sys, den_fig)) in RATIOS.items():
        num = systems.get(num_sys, {}).get(num_fig)
        den = text_mb if den_sys == TEXT else systems.get(den_sys, {}).get(den_fig)
        out[name] = round(num / den, 3) if num is not None and den else None
    return out


def document(
    docs: int, text_mb: float, corpus: str, raws: dict[str, dict[str, Any] | None]
) -> dict[str, Any]:
    """The benchmark's JSON, in exactly the documented shape."""
    systems = {name: figures(name, raws.get(name), docs) for name in SYSTEM_ORDER}
    return {
        "docs": docs,
        "text_mb": round(text_mb, 2),
        "corpus": corpus,
        "systems": systems,
        "ratios": ratios(systems, text_mb),
    }


def cell(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


def markdown(doc: dict[str, Any], raws: dict[str, dict[str, Any] | None], queries: int) -> str:
    """The systems table, then the ratios table."""
    head = [
        "system",
        "build s",
        "build CPU s",
        "docs/s",
        "peak RSS MB",
        "build peak RSS MB",
        "helper peak RSS MB",
        "index MB",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "facets p50 ms",
        "facets p95 ms",
        "facets p99 ms",
        "queries with hits",
        "via fallback",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in SYSTEM_ORDER:
        fig = doc["systems"][name]
        raw = raws.get(name) or {}
        cpu = raw.get("build_cpu_s")
        row = [name, cell(fig.get("build_s")), cell(None if cpu is None else round(cpu, 3))]
        row += [cell(fig.get(key)) for key in FIGURES[1:]]
        if "answered" in raw:
            row += [f"{raw['answered']}/{queries}", str(raw["fallbacks"])]
        else:
            row += ["-", "-"]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "| ratio | value |", "|---|---|"]
    lines += [f"| {name} | {cell(value)} |" for name, value in doc["ratios"].items()]
    return "\n".join(lines)


def _folded(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Facet counts with values compared as searchlib compares keyword values (case and
    surrounding space ignored), which labels each with its most common spelling."""
    out: dict[str, dict[str, int]] = {}
    for field, values in counts.items():
        merged = out.setdefault(field, {})
        for value, n in values.items():
            key = value.strip().lower()
            merged[key] = merged.get(key, 0) + n
    return out


def agreement(raws: dict[str, dict[str, Any] | None]) -> list[str]:
    """One line per system counted with facets besides searchlib: on how many queries its
    total and its facet counts equal searchlib's. Facet timings compare only when the
    systems counted the same matches."""
    base = raws.get("searchlib") or {}
    if "totals" not in base:
        return []
    out = []
    for name, raw in raws.items():
        if name == "searchlib" or not raw or "totals" not in raw:
            continue
        n = len(base["totals"])
        totals = sum(a == b for a, b in zip(base["totals"], raw["totals"], strict=True))
        facets = sum(
            _folded(a) == _folded(b) for a, b in zip(base["facets"], raw["facets"], strict=True)
        )
        out.append(
            f"counts: {name} has searchlib's total on {totals}/{n} queries and its facet "
            f"counts on {facets}/{n}"
        )
    return out


def busy_warnings(raws: dict[str, dict[str, Any] | None], share: float = BUSY_SHARE) -> list[str]:
    """Systems that got less than ``share`` of a core while building: on a busy machine (or a
    build waiting on disk) the wall time is inflated and the ratios are unreliable."""
    out = []
    for name, raw in raws.items():
        if raw and raw.get("build_cpu_s") is not None and raw["build_s"] > 0:
            used = raw["build_cpu_s"] / raw["build_s"]
            if used < share:
                out.append(
                    f"warning: {name} used {100 * used:.0f}% of a core while building; the "
                    "machine was busy or the build waited on I/O, so its times are inflated"
                )
    return out
