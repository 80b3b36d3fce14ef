"""Crash-test worker: runs a plan of commits against an index until it is killed.

The parent (tests/test_crash.py) writes a plan with :func:`make_plan`, starts this file as a
subprocess and reads its stdout, one line per event, flushed before the step it announces:

    ready
    begin K KIND GEN        op K starts; GEN is the index generation before it
    phase K NAME            a step of the commit is about to run (merge, flush, ...)
    done K GEN              op K returned; GEN is the generation after it
    end                     the plan ran out (the parent killed too late)

``--die-at NAME:N`` makes the worker SIGKILL itself the N-th time it reaches the point
NAME, so the points between two steps of a commit (e.g. the TOC written but not yet renamed)
are hit exactly, not only by chance. :func:`expected_state` replays a plan prefix to the
documents that must be in the index afterwards.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Filler vocabulary for bodies (everyday Indonesian news words, written for this test).
_FILLER_TEXT = (
    "harga beras pasar pedagang pemerintah kota warga jalan banjir hujan sekolah "
    "guru murid rumah sakit dokter pasien kereta stasiun bandara pesawat laut kapal "
    "nelayan petani sawah panen pupuk listrik air bersih sampah taman polisi kantor "
    "gedung rapat anggaran pajak bank kredit usaha kecil pabrik buruh gaji libur "
    "mudik lebaran"
)
FILLER = tuple(_FILLER_TEXT.split())
#: The word every document has, so one search lists the whole index.
COMMON = "arsipuji"
_TOC = re.compile(r"^_MAIN_(\d+)\.toc$")
_LETTERS = "bcdfgjpqvwxz"  # consonants only: no affix the stemmer strips can form


def code(prefix: str, n: int) -> str:
    """A made-up word, unique per ``n``, that the analyzer keeps as one unchanged term."""
    out = []
    while True:
        n, r = divmod(n, len(_LETTERS))
        out.append(_LETTERS[r])
        if n == 0:
            break
    return prefix + "".join(reversed(out))


def unique_word(doc_no: int) -> str:
    return code("zqd", doc_no)


def op_word(op_no: int) -> str:
    return code("zqv", op_no)


def make_plan(seed: int, ops: int = 400) -> list[dict[str, Any]]:
    """Random ops: adds (new docs, some replacing live ones), deletes and optimizes."""
    rng = random.Random(seed)
    live: list[int] = []
    next_doc = 0
    plan: list[dict[str, Any]] = []
    for _ in range(ops):
        roll = rng.random()
        if roll < 0.08 and live:
            victims = rng.sample(live, min(len(live), rng.randint(1, 8)))
            live = [d for d in live if d not in set(victims)]
            plan.append({"kind": "delete", "docs": victims})
        elif roll < 0.12:
            plan.append({"kind": "optimize"})
        else:
            new = list(range(next_doc, next_doc + rng.choice((1, 2, 5, 10, 20, 40, 80))))
            next_doc += len(new)
            replaced = rng.sample(live, min(len(live), rng.randint(0, 5)))
            live.extend(new)
            plan.append({"kind": "add", "docs": new + replaced, "words": rng.randint(20, 200)})
    return plan


def document(op_no: int, doc_no: int, words: int) -> dict[str, Any]:
    rng = random.Random(op_no * 1_000_003 + doc_no)
    filler = " ".join(rng.choice(FILLER) for _ in range(words))
    return {
        "id": f"d{doc_no}",
        "title": f"Berita {unique_word(doc_no)}",
        "body": f"{COMMON} {op_word(op_no)} {unique_word(doc_no)} {filler}",
        "category": rng.choice(("ekonomi", "kota", "olahraga")),
        "date": f"2023-{1 + doc_no % 12:02d}-{1 + doc_no % 28:02d}",
    }


def expected_state(plan: list[dict[str, Any]], committed: int) -> dict[str, int]:
    """doc id -> the op whose version of it must be stored, after ops 0..committed-1."""
    state: dict[str, int] = {}
    for op_no, op in enumerate(plan[:committed]):
        if op["kind"] == "add":
            for doc_no in op["docs"]:
                state[f"d{doc_no}"] = op_no
        elif op["kind"] == "delete":
            for doc_no in op["docs"]:
                state.pop(f"d{doc_no}", None)
    return state


# -- the worker process ---------------------------------------------------------------------


def generation(index_path: str | os.PathLike[str]) -> int:
    """The index's live generation: the highest complete ``_MAIN_<n>.toc``."""
    gens = [int(m.group(1)) for m in map(_TOC.match, os.listdir(index_path)) if m]
    return max(gens, default=-1)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class _Points:
    """Announces commit steps and dies at the chosen one (``NAME:N``)."""

    def __init__(self, die_at: str | None) -> None:
        self.op = -1
        self.stage = ""
        self.counts: dict[str, int] = {}
        self.target: tuple[str, int] | None = None
        if die_at:
            name, _, nth = die_at.partition(":")
            self.target = (name, int(nth or 1))

    def reach(self, name: str) -> None:
        if name == "unlink" and self.stage != "clean":
            return  # the writer's own temporary files: not a step of the commit
        if name in ("clean", "finish"):
            self.stage = name
        _say(f"phase {self.op} {name}")
        self.counts[name] = self.counts.get(name, 0) + 1
        if self.target == (name, self.counts[name]):
            os.kill(os.getpid(), signal.SIGKILL)


def _instrument(points: _Points) -> None:
    """Wrap the steps of a commit so each announces itself first (behaviour unchanged)."""
    from whoosh import index as windex
    from whoosh.filedb import filestore

    from searchlib.backends.embedded.bulk_writer import BulkWriter

    inside: set[str] = set()  # an override calling super() announces its step once

    def around(owner: Any, attr: str, before: str, after: str | None = None) -> None:
        original: Callable[..., Any] = getattr(owner, attr)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if before in inside:
                return original(*args, **kwargs)
            inside.add(before)
            try:
                points.reach(before)
                result = original(*args, **kwargs)
            finally:
                inside.discard(before)
            if after:
                points.reach(after)
            return result

        setattr(owner, attr, wrapped)

    around(BulkWriter, "add_reader", "merge")  # the merge policy folds an old segment in
    around(BulkWriter, "flush_segment", "flush", "flushed")  # postings of the new segment
    around(BulkWriter, "assemble_segment", "assemble", "assembled")  # the compound file
    around(windex.TOC, "write", "toc")  # the new generation's table of contents
    # BulkWriter.publish looks clean_files up in whoosh.index when it runs: patch it there.
    around(windex, "clean_files", "clean")  # delete what the new generation no longer uses
    fs = filestore.FileStorage
    original_rename = fs.rename_file

    def rename(self: Any, frm: str, to: str, safe: bool = False) -> None:
        if to.endswith(".toc"):
            points.reach("rename")  # the TOC is complete under its temporary name
        original_rename(self, frm, to, safe)
        if to.endswith(".toc"):
            points.reach("renamed")  # the new generation is live, old files not yet deleted

    fs.rename_file = rename
    original_delete = fs.delete_file

    def delete(self: Any, name: str) -> None:
        points.reach("unlink")  # one file of the clean-up
        original_delete(self, name)

    fs.delete_file = delete
    around(BulkWriter, "finish", "finish")  # run files removed, lock released


def main(argv: list[str]) -> None:
    plan_path, index_path = argv[0], argv[1]
    die_at = argv[3] if len(argv) > 3 and argv[2] == "--die-at" else None
    plan = json.loads(Path(plan_path).read_text())
    from searchlib import Index

    ix = Index.open(index_path)  # first: it imports the writer classes to instrument
    points = _Points(die_at)
    _instrument(points)
    _say("ready")
    for op_no, op in enumerate(plan):
        points.op, points.stage = op_no, ""
        _say(f"begin {op_no} {op['kind']} {generation(index_path)}")
        if op["kind"] == "add":
            ix.add(document(op_no, d, op["words"]) for d in op["docs"])
        elif op["kind"] == "delete":
            ix.delete([f"d{d}" for d in op["docs"]])
        else:
            ix.optimize()
        _say(f"done {op_no} {generation(index_path)}")
    _say("end")


if __name__ == "__main__":
    main(sys.argv[1:])
