"""Stemmer accuracy and speed: searchlib against raw Snowball, Sastrawi and nlp-id.

Prints one table: exact-match accuracy on each gold set (Sastrawi's functional + integration
tests, Lucene's derivational and inflectional tests, our held-back words) and words/s on a
realistic vocabulary (the word column of Snowball's Indonesian reference list), both on
distinct words (cold: every word seen once, searchlib's memo empty) and on a Zipf-like token
stream drawn from the same vocabulary (warm: repeated words, as in running text). Peers
that are not installed (``pip install .[bench]``) are skipped with a note. "searchlib
(snowball)" is the stemmer of the ``indonesian-snowball`` analyzer; a last line gives each
searchlib stemmer's agreement with Snowball's reference list (the share of its words given
Snowball's stem), i.e. how closely its terms match a Snowball-stemmed system's.

Usage: python -m benchmarks.stemmer_accuracy [--shared PATH] [--tokens N] [--budget S]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"
HELD_BACK = REPO / "tests" / "data" / "stem_heldback.tsv"

Stem = Callable[[str], str]


def read_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, expected = line.split("\t")[:2]
        pairs.append((word, expected))
    return pairs


def gold_sets(shared: Path) -> dict[str, list[tuple[str, str]]]:
    gold = shared / "stemgold"
    return {
        "sastrawi func+integ": read_pairs(gold / "sastrawi_functional.tsv")
        + read_pairs(gold / "sastrawi_integration.tsv"),
        "lucene derivational": read_pairs(gold / "lucene_derivational.tsv"),
        "lucene inflectional": read_pairs(gold / "lucene_inflectional.tsv"),
        "searchlib held-back": read_pairs(HELD_BACK),
    }


def searchlib_stemmers() -> tuple[Stem, Stem, Stem, Callable[[], object], Stem, Stem]:
    """Full and light (any text), full (one word), full's memo reset, and the Snowball
    analyzer's stemmer (any text, one word)."""
    from searchlib.analysis.lexicon import load_wordlist
    from searchlib.analysis.snowball import SnowballStemmer
    from searchlib.analysis.stemmer import IndonesianStemmer
    from searchlib.analysis.tokenizer import normalize_word

    roots = load_wordlist("roots-id.txt")
    protected = load_wordlist("protected-id.txt")
    full = IndonesianStemmer(roots, mode="full", protected=protected)
    light = IndonesianStemmer(roots, mode="light", protected=protected)
    snowball = SnowballStemmer()

    def per_word(stem: Stem) -> Stem:
        # Gold files hold a few multi-word and capitalized entries: stem word by word.
        return lambda text: " ".join(stem(normalize_word(w)) for w in text.split())

    return (
        per_word(full.stem),
        per_word(light.stem),
        full.stem,
        full.cache_clear,
        per_word(snowball.stem),
        snowball.stem,
    )


def peers() -> tuple[dict[str, tuple[Stem, Stem]], list[str]]:
    """name -> (stem for accuracy: any text, stem for speed: one lowercase word)."""
    found: dict[str, tuple[Stem, Stem]] = {}
    notes = []
    import Stemmer

    snowball = Stemmer.Stemmer("indonesian")
    found["snowball (PyStemmer)"] = (
        lambda text: " ".join(snowball.stemWords(text.lower().split())),
        snowball.stemWord,
    )
    try:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        sastrawi = StemmerFactory().create_stemmer().stem
        found["sastrawi 1.0.1"] = (sastrawi, sastrawi)
    except ImportError:
        notes.append("sastrawi: not installed (pip install .[bench]), skipped")
    try:
        from nlp_id.lemmatizer import Lemmatizer

        lemmatize = Lemmatizer().lemmatize
        found["nlp-id 0.1.23"] = (lemmatize, lemmatize)
    except ImportError:
        notes.append("nlp-id: not installed (pip install .[bench]), skipped")
    return found, notes


def accuracy(stem: Stem, pairs: list[tuple[str, str]]) -> float:
    return sum(stem(word) == expected for word, expected in pairs) / len(pairs)


def words_per_second(stem: Stem, words: list[str], budget: float) -> float:
    """Words stemmed per second, stopping early once ``budget`` seconds are spent."""
    start = time.perf_counter()
    done = 0
    for i in range(0, len(words), 1000):
        for word in words[i : i + 1000]:
            stem(word)
        done = min(i + 1000, len(words))
        if time.perf_counter() - start > budget:
            break
    return done / (time.perf_counter() - start)


def token_stream(vocabulary: list[str], size: int) -> list[str]:
    """A Zipf-like stream over the vocabulary: running text repeats its common words."""
    rng = random.Random(11)
    weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
    shuffled = vocabulary[:]
    rng.shuffle(shuffled)
    return rng.choices(shuffled, weights=weights, k=size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--tokens", type=int, default=300_000, help="warm-stream length")
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds per speed pass (slow peers stop early)"
    )
    args = parser.parse_args(argv)
    if not (args.shared / "stemgold").is_dir():
        print(f"stemmer_accuracy: {args.shared}/stemgold is absent; nothing to measure")
        return 0
    sets = gold_sets(args.shared)
    reference = read_pairs(args.shared / "stemgold" / "snowball_indonesian.tsv")
    vocabulary = [w for w, _ in reference]
    stream = token_stream(vocabulary, args.tokens)

    full, light, full_word, reset, snowball, snowball_word = searchlib_stemmers()
    others, notes = peers()
    systems: dict[str, tuple[Stem, Stem]] = {
        "searchlib (full)": (full, full_word),
        "searchlib (snowball)": (snowball, snowball_word),
        **others,
    }

    # Speed first, on an empty memo: accuracy runs would warm searchlib's cache. Each
    # distinct word is seen once in the first pass (searchlib's worst case), and the stream
    # then repeats them as running text does.
    reset()
    speed = {}
    for name, (_, stem_word) in systems.items():
        cold = words_per_second(stem_word, vocabulary, args.budget)
        warm = words_per_second(stem_word, stream, args.budget)
        speed[name] = (cold, warm)

    names = list(sets)
    header = f"{'stemmer':<22}" + "".join(f"{n:>21}" for n in names)
    header += f"{'words/s distinct':>18}{'words/s stream':>16}"
    print("gold sets: " + ", ".join(f"{n} ({len(sets[n])} pairs)" for n in names))
    print(
        f"speed: {len(vocabulary)} distinct words (snowball_indonesian.tsv word column), then "
        f"a {len(stream)}-token Zipf stream over them (cache warm); each pass stops after "
        f"{args.budget:g} s (slow stemmers are timed on the words they reached)"
    )
    print(header)
    print("-" * len(header))
    for name, (stem, _) in systems.items():
        row = f"{name:<22}"
        for set_name in names:
            pairs = sets[set_name]
            if set_name == "lucene inflectional" and name == "searchlib (full)":
                # Lucene's inflectional test runs its stemmer in inflectional-only mode.
                row += f"{accuracy(light, pairs):>14.3f} (light)"
            else:
                row += f"{accuracy(stem, pairs):>21.3f}"
        cold, warm = speed[name]
        row += f"{cold:>18,.0f}{warm:>16,.0f}"
        print(row)
    agreement = ", ".join(
        f"{name} {accuracy(systems[name][0], reference):.3f}"
        for name in ("searchlib (full)", "searchlib (snowball)")
    )
    print(f"agreement with Snowball's reference list ({len(reference)} words): {agreement}")
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
