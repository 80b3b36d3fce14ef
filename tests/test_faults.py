"""Fault injection: a damaged index file gives the same answers or a StorageError naming it.

Each trial copies a small index, damages one of its files at random (flips 1 to 4 random
bytes, or truncates it to a random length), then runs a fixed set of probes -- searches
through the top-k scorer and the general path, with totals, facets, filters, dates, sorting
by date and did-you-mean, plus ``get``, ``similar``, ``len`` and ``stats`` -- and
``Index.check``. Each probe must give exactly the answer it gave on the whole index, or
raise a StorageError whose path and message name the damaged file; no other exception.
And ``check`` must name the damaged file in every trial where some probe's answer changed
or raised: damage a query can reach is damage ``check`` reports.

A changed answer with no error is "silent" damage: only a checksum over the bytes can catch
it (a flipped bit in a posting id still decodes). While ``check`` finds no checksums to
verify in the index (its codec has no ``verify`` hook, ``CheckReport.checksummed`` is 0),
the test reports those trials as an expected failure with their count, after asserting
everything else; once it has them, they fail the test.

Every trial runs in a forked child: the engine caches what it decoded of a segment in
process-wide caches keyed by the segment's name (never rewritten in a real index), so a
damaged copy read in one process with the whole one would be served from the cache. Trials
are seeded by their number (the file by its role and size, the offsets and new bytes):
``FAULT_TRIALS=17 pytest -m slow tests/test_faults.py -k quick`` replays trial 17 alone, on an
index built the same way (its segment names are random, and their directories hold
timestamps).

Both suites fork a child per trial, so both are marked slow (``pytest -m slow``; CI runs
them): 12 trials (``quick``, for a first look) and 240.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import select
import shutil
import signal
import subprocess
import sys
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from searchlib import Index, StorageError
from searchlib._sample import sample_articles

REPO = Path(__file__).resolve().parents[1]
DETIK = REPO.parent / "shared" / "corpus" / "detik-1000.jsonl"
#: Documents of the small index (every fifth detik article: all five categories).
DOCS = 80
#: Ids deleted after the second commit: the index has deletions to read.
DELETED = 3
#: Seconds a trial may take before it counts as a hang.
TRIAL_SECONDS = 120
QUICK_TRIALS = 12
SLOW_TRIALS = 240

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="trials run in forked children")


def _articles() -> list[dict[str, Any]]:
    if DETIK.is_file():
        with DETIK.open(encoding="utf-8") as f:
            docs = [json.loads(line) for line in f]
        return docs[::5][:DOCS]
    with sample_articles().open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _build(path: Path) -> dict[str, Any]:
    """Two commits and a few deletions: several segments, or one with deletions."""
    docs = _articles()
    half = len(docs) // 2
    with Index.create(path) as ix:
        ix.add(docs[:half])
        ix.add(docs[half:])
        ix.delete([d["id"] for d in docs[1 : 1 + DELETED]])
    first = docs[0]
    words = first["title"].split()
    return {"id": first["id"], "deleted": docs[1]["id"], "word": max(words, key=len).lower()}


def _probes(known: dict[str, Any]) -> dict[str, Callable[[Index], Any]]:
    """What a user asks an index, by name: each returns a comparable answer."""
    searches: dict[str, tuple[str, dict[str, Any]]] = {
        "ranked": ("presiden harga", {}),
        "one word": (known["word"], {}),
        "any word": ("ekonomi OR polisi OR bola", {"limit": 50}),
        "phrase": ('"bank indonesia"', {}),
        "prefix": ("ekonom*", {}),
        "not": ("pemerintah -jakarta", {}),
        "filtered": ("indonesia", {"filters": {"category": "ekonomi & keuangan"}}),
        "dated": ("indonesia", {"since": "2025-01-01", "sort": "date"}),
        "page 2": ("indonesia", {"page": 2}),
        "did you mean": ("presidne", {}),
        "question": ("berapa harga emas hari ini", {"syntax": "plain"}),
    }
    probes: dict[str, Callable[[Index], Any]] = {
        name: (lambda ix, q=q, kw=kw: _answer(ix.search(q, **kw)))
        for name, (q, kw) in searches.items()
    }
    probes["get"] = lambda ix: ix.get(known["id"])
    probes["get deleted"] = lambda ix: ix.get(known["deleted"])
    probes["similar"] = lambda ix: _answer(ix.similar(known["id"]))
    probes["len"] = len
    probes["stats"] = lambda ix: {
        k: v for k, v in ix.stats().items() if k in ("documents", "deleted", "terms")
    }
    return probes


def _answer(results: Any) -> Any:
    hits = [(h.id, h.score, h.title, h.snippet, sorted(h.fields.items())) for h in results.hits]
    facets = results.facets if results.hits else None
    return results.total, hits, facets, results.suggestion, results.fallback


def _ask(path: Path, known: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """Each probe's answer: ("ok", value), ("storage", path, message) or ("other", ...)."""
    probes = _probes(known)
    try:
        ix = Index.open(path)
    except Exception as error:
        return dict.fromkeys(probes, _failure(error))
    out: dict[str, tuple[Any, ...]] = {}
    with ix:
        for name, probe in probes.items():
            try:
                out[name] = ("ok", probe(ix))
            except Exception as error:
                out[name] = _failure(error)
    return out


def _failure(error: Exception) -> tuple[Any, ...]:
    if isinstance(error, StorageError):
        return ("storage", error.path, str(error))
    return ("other", type(error).__name__, str(error), traceback.format_exc())


def _damage(path: Path, rng: random.Random) -> tuple[str, str]:
    # By role and size, not by name: segment names are random, so a seed picks the same
    # file of every build.
    files = sorted(
        (p for p in path.iterdir() if p.is_file() and p.stat().st_size),
        key=lambda p: (p.suffix, p.stat().st_size),
    )
    victim = rng.choice(files)
    data = bytearray(victim.read_bytes())
    if rng.random() < 0.25:
        size = rng.randrange(len(data))
        victim.write_bytes(data[:size])
        return victim.name, f"truncated from {len(data)} to {size} bytes"
    offsets = sorted(rng.sample(range(len(data)), min(len(data), rng.randint(1, 4))))
    for offset in offsets:
        data[offset] ^= rng.randint(1, 255)
    victim.write_bytes(data)
    return victim.name, f"bytes flipped at {offsets} of {len(data)}"


@dataclass
class Trial:
    number: int
    file: str
    damage: str
    answers: dict[str, tuple[Any, ...]]
    checked: list[tuple[str, str]]  # (file, problem)


def _trial(pristine: Path, work: Path, known: dict[str, Any], number: int) -> Trial:
    path = work / f"trial-{number}"
    shutil.copytree(pristine, path)
    try:
        name, how = _damage(path, random.Random(f"searchlib-faults-{number}"))
        answers = _ask(path, known)
        report = Index.check(path)
        checked = [(Path(p.file).name, p.problem) for p in report.problems]
        return Trial(number, name, how, answers, checked)
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _in_child(func: Callable[..., Any], *args: Any) -> Any:
    """``func(*args)`` in a forked child process; its result, or AssertionError naming a
    crash or a hang."""
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # The child only runs ``func`` and exits: it takes no lock another thread held.
        warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.close(read_end)
        try:
            data = pickle.dumps(("ok", func(*args)))
        except BaseException:
            data = pickle.dumps(("crash", traceback.format_exc()))
        with os.fdopen(write_end, "wb") as f:
            f.write(data)
        os._exit(0)
    os.close(write_end)
    chunks = []
    with os.fdopen(read_end, "rb") as f:
        while True:
            ready, _, _ = select.select([f], [], [], TRIAL_SECONDS)
            if not ready:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise AssertionError(f"{func.__name__}{args[-1:]} hung for {TRIAL_SECONDS} s")
            chunk = os.read(f.fileno(), 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "crash":
        raise AssertionError(f"{func.__name__} crashed in the child:\n{value}")
    return value


@dataclass
class Pristine:
    """The whole index, what it answers, and whether its codec verifies checksums."""

    path: Path
    known: dict[str, Any]
    answers: dict[str, tuple[Any, ...]]
    checksummed: bool


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Pristine:
    root = tmp_path_factory.mktemp("faults")
    with Index.create(root / "warm") as warm:  # the analyzers, loaded once for every child
        warm.add([{"id": "1", "title": "Harga beras", "body": "Harga beras naik."}])
        warm.search("harga")
    path = root / "index"
    # Built in its own interpreter with a fixed hash seed: the table of contents pickles
    # sets, whose order (so the bytes a seed damages) follows the seed.
    built = subprocess.run(
        [sys.executable, __file__, str(path)],
        env={**os.environ, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=True,
    )
    known = json.loads(built.stdout)
    answers = _in_child(_ask, path, known)
    failed = {k: v for k, v in answers.items() if v[0] != "ok"}
    assert not failed, failed
    # Probes that find nothing could not show damage: most searches must find something.
    totals = [v[1][0] for v in answers.values() if isinstance(v[1], tuple)]
    assert sum(1 for total in totals if total) > len(totals) * 2 // 3, answers
    report = _in_child(Index.check, path)
    assert report.ok, report.problems
    return Pristine(path, known, answers, checksummed=report.checksummed > 0)


def _verdicts(trial: Trial, before: dict[str, tuple[Any, ...]]) -> Counter[str]:
    """What each probe of a trial did; kinds other than "same", "storage" and "silent"
    (and a reached trial that ``check`` missed) break the standard on any format."""
    out: Counter[str] = Counter()
    for name, answer in trial.answers.items():
        if answer == before[name]:
            out["same"] += 1
        elif answer[0] == "storage":
            path, message = answer[1], answer[2]
            named = path is not None and Path(path).name == trial.file and trial.file in message
            out["storage" if named else "storage naming another file"] += 1
        elif answer[0] == "ok":
            out["silent"] += 1
        else:
            out[f"other exception {answer[1]}"] += 1
    reached = out["same"] < len(trial.answers)
    if reached and trial.file not in {file for file, _ in trial.checked}:
        out["check missed"] += 1
    return out


def _run(pristine: Pristine, numbers: list[int], tmp: Path) -> None:
    before = pristine.answers
    trials = [_in_child(_trial, pristine.path, tmp, pristine.known, n) for n in numbers]
    broken: list[str] = []
    silent: list[str] = []
    tally: Counter[str] = Counter()
    for trial in trials:
        verdict = _verdicts(trial, before)
        kinds = set(verdict) - {"same"}
        tally["trials"] += 1
        tally["reached" if kinds else "unreached"] += 1
        tally.update(f"trials with {kind}" for kind in kinds)
        line = f"trial {trial.number}: {trial.file} {trial.damage}: {dict(verdict)}"
        # Without checksums check may miss only what no probe could tell either.
        excused = {"storage", "silent"} | ({"check missed"} if "storage" not in kinds else set())
        bad = kinds - excused
        if bad:
            detail = [a for a in trial.answers.values() if a[0] == "other"][:1]
            broken.append(line + (f"\n{detail[0][3]}" if detail else ""))
        elif "silent" in kinds or "check missed" in kinds:
            silent.append(line)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(tally.items()))
    print(f"fault injection: {summary}")
    assert not broken, f"{len(broken)} of {len(trials)} trials:\n" + "\n".join(broken)
    if silent:
        message = f"{len(silent)} of {len(trials)} trials:\n" + "\n".join(silent)
        if not pristine.checksummed:
            pytest.xfail(f"damage that only checksums catch, and the codec has none: {message}")
        raise AssertionError(message)


def _numbers(default: list[int]) -> list[int]:
    chosen = os.environ.get("FAULT_TRIALS")
    return [int(n) for n in chosen.split(",")] if chosen else default


@pytest.mark.slow
def test_damaged_files_quick(pristine, tmp_path):
    _run(pristine, _numbers(list(range(QUICK_TRIALS))), tmp_path)


@pytest.mark.slow
def test_damaged_files_slow(pristine, tmp_path):
    _run(pristine, _numbers(list(range(1000, 1000 + SLOW_TRIALS))), tmp_path)


if __name__ == "__main__":
    print(json.dumps(_build(Path(sys.argv[1]))))
