"""FacQA with the default search mode: MRR@10, and the misses sorted by kind.

    python -m benchmarks.facqa_misses [--shared PATH] [--examples N]

Indexes shared/eval/facqa with ``Config()`` as shipped, puts every question to
``Index.search(text)`` (the call a search box makes) and prints MRR@10. A *miss* is a question
whose judged passage is not ranked first; each miss gets the first kind that fits, checked in
this order, and the table gives, per kind, the misses and the MRR@10 they cost (the sum of
1 - reciprocal rank, over all questions):

* ``top passage also answers``: the passage ranked first is another passage that contains
  the question's answer (answers.tsv) -- FacQA judges one passage per question, so these are
  mostly right answers the judgments do not count;
* ``tokenization``: a question word that analysis does not find in the judged passage
  occurs in the passage's text as written, inside a longer token or split by punctuation
  ("2000-an" against "2000 - an");
* ``stemming miss``: a question word and a word of the judged passage share their first
  five letters but analyze to different stems ("peresmian" against "diresmikan");
* ``needs synonyms or acronyms``: an upper-case acronym of the question is missing from the
  judged passage, or one of the passage's acronyms spells the initials of question words;
* ``answer phrased differently``: the judged passage holds fewer than half of the question's
  terms (after analysis): it answers in other words;
* ``outranked on shared words``: the rest -- the judged passage holds most of the question's
  terms, and another passage holds more of them, or rarer ones.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

from searchlib import Index, QueryError

REPO = Path(__file__).resolve().parents[1]
KINDS = (
    "top passage also answers",
    "tokenization",
    "stemming miss",
    "needs synonyms or acronyms",
    "answer phrased differently",
    "outranked on shared words",
)
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")


def load(root: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    docs = {}
    with open(root / "docs.jsonl", encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            docs[doc["id"]] = doc["body"]
    with open(root / "queries.tsv", encoding="utf-8") as fh:
        queries = dict(line.rstrip("\n").split("\t", 1) for line in fh)
    answers = {}
    with open(root / "answers.tsv", encoding="utf-8") as fh:
        for line in fh:
            qid, _, text = line.rstrip("\n").split("\t", 2)
            answers[qid] = text
    qrels = {}
    with open(root / "qrels.tsv", encoding="utf-8") as fh:
        for line in fh:
            qid, _, doc_id, grade = line.split()
            if int(grade) > 0:
                qrels[qid] = doc_id
    return docs, queries, answers, qrels


def _terms(ix: Index, text: str) -> set[str]:
    return {t.term for t in ix.analyze(text)}


def _missing_words(ix: Index, question: str, passage_terms: set[str]) -> list[str]:
    """The question's words (as written) whose analyzed terms the passage lacks."""
    words = []
    for word in _WORD.findall(question):
        terms = _terms(ix, word)
        if terms and not terms <= passage_terms:
            words.append(word)
    return words


def _initials_match(acronym: str, question: str) -> bool:
    initials = "".join(w[0] for w in _WORD.findall(question)).upper()
    return len(acronym) >= 2 and acronym in initials


def kind_of(ix: Index, question: str, passage: str, top: str, answer: str) -> str:
    """The first kind of :data:`KINDS` that fits one miss (see the module docstring)."""
    if answer and answer.casefold() in top.casefold():
        return KINDS[0]
    passage_terms = _terms(ix, passage)
    missing = _missing_words(ix, question, passage_terms)
    flat = passage.casefold()
    if any(len(w) >= 3 and w.casefold() in flat for w in missing):
        return KINDS[1]
    stems = {w.casefold()[:5] for w in _WORD.findall(passage) if len(w) >= 5}
    if any(len(w) >= 5 and w.casefold()[:5] in stems for w in missing):
        return KINDS[2]
    acronyms = set(_ACRONYM.findall(question)) - set(_ACRONYM.findall(passage))
    if acronyms or any(_initials_match(a, question) for a in _ACRONYM.findall(passage)):
        return KINDS[3]
    question_terms = _terms(ix, question)
    if len(question_terms & passage_terms) * 2 < len(question_terms):
        return KINDS[4]
    return KINDS[5]


def search(ix: Index, question: str, judged: str) -> list[str]:
    """The top 10's ids; a story that holds the judged passage among its other versions
    stands for it, as the quality runner judges a collapsed story."""
    try:
        hits = ix.search(question, limit=10).hits
    except QueryError:  # refused (e.g. only stopwords): ranks nothing
        return []
    return [judged if judged in hit.duplicates else hit.id for hit in hits]


def run(shared: Path, examples: int) -> int:
    docs, queries, answers, qrels = load(shared / "eval" / "facqa")
    cost: Counter[str] = Counter()
    count: Counter[str] = Counter()
    shown: Counter[str] = Counter()
    total_rr = 0.0
    with tempfile.TemporaryDirectory() as tmp, Index.create(Path(tmp) / "ix") as ix:
        ix.add_files([shared / "eval" / "facqa" / "docs.jsonl"])
        for qid, judged in qrels.items():
            ranked = search(ix, queries[qid], judged)
            rr = 1.0 / (ranked.index(judged) + 1) if judged in ranked else 0.0
            total_rr += rr
            if rr == 1.0:
                continue
            top = docs[ranked[0]] if ranked else ""
            kind = kind_of(ix, queries[qid], docs[judged], top, answers.get(qid, ""))
            count[kind] += 1
            cost[kind] += 1.0 - rr
            if shown[kind] < examples:
                shown[kind] += 1
                print(
                    f"[{kind}] {qid} rank {ranked.index(judged) + 1 if rr else '>10'}: "
                    f"{queries[qid]}",
                    file=sys.stderr,
                )
    n = len(qrels)
    print(f"FacQA, Index.search(text): MRR@10 {total_rr / n:.4f} over {n} questions\n")
    print("| kind of miss | misses | MRR@10 lost |")
    print("| --- | ---: | ---: |")
    for kind in KINDS:
        print(f"| {kind} | {count[kind]} | {cost[kind] / n:.4f} |")
    print(f"| all misses | {sum(count.values())} | {sum(cost.values()) / n:.4f} |")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--examples", type=int, default=0, help="print N misses per kind")
    args = parser.parse_args(argv)
    if not (args.shared / "eval" / "facqa" / "qrels.tsv").is_file():
        print(f"error: {args.shared}/eval/facqa is absent", file=sys.stderr)
        return 2
    return run(args.shared, args.examples)


if __name__ == "__main__":
    sys.exit(main())
