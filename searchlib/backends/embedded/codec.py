"""The embedded engine's codec: how a segment's postings, term dictionary and
per-document data are written and read (index format 5).

A segment's files: ``.pst`` posting blocks (:mod:`postings`), ``.trm`` the term dictionary
(:mod:`terms`), ``.dln`` field lengths, ``.sto`` stored fields (:mod:`stored`), ``.col``
Whoosh columns (sortable fields) and term vectors (:mod:`perdoc`). Every block carries a
CRC-32 checked on read; :func:`verify_segment` reads and checks all of them.

Whoosh pickles each segment into the table of contents, and the segment names its codec
by class (:class:`EmbeddedCodec`, stateless), so these import paths are part of the index
format. Format-4 segments are read by :mod:`format4`.
"""

from __future__ import annotations

from array import array
from typing import Any

from whoosh.codec.base import Codec, FieldWriter

from searchlib.backends.embedded.block_table import BlockTable, Impacts, membership
from searchlib.backends.embedded.integrity import Place
from searchlib.backends.embedded.perdoc import ADDED_COLUMN_EXT, PerDocReader, PerDocWriter
from searchlib.backends.embedded.postings import (
    BlockMatcher,
    InlineMatcher,
    PostingsFile,
    PostingsWriter,
)
from searchlib.backends.embedded.segment import EmbeddedSegment, place_of
from searchlib.backends.embedded.terms import TermDictReader, TermsWriter, field_key

__all__ = ["EmbeddedCodec", "SegmentFieldWriter", "verify_files", "verify_segment"]

TERMS_EXT = ".trm"
POSTS_EXT = ".pst"


class SegmentFieldWriter(FieldWriter):
    """Writes a segment's term dictionary and posting lists, one field at a time."""

    def __init__(self, storage: Any, segment: Any) -> None:
        self.terms = TermsWriter(segment.create_file(storage, TERMS_EXT))
        self.postfile = segment.create_file(storage, POSTS_EXT)
        self.postings = PostingsWriter(self.postfile, inline_single=True)
        self.fieldnum = 0
        self.fieldobj: Any = None
        self.btext = b""
        self.is_closed = False

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        fieldmap = self.terms.fieldmap
        self.fieldnum = fieldmap.setdefault(fieldname, len(fieldmap))
        self.fieldobj = fieldobj

    def start_term(self, btext: bytes) -> None:
        self.btext = btext
        self.postings.start_postings(self.fieldobj.format)

    def add(self, docnum: int, weight: float, vbytes: bytes, length: int | None) -> None:
        self.postings.add_posting(docnum, weight, vbytes, length)

    def finish_term(self) -> None:
        info = self.postings.finish_postings()
        self.terms.add(field_key(self.fieldnum, self.btext), info)

    def add_term(
        self,
        btext: bytes,
        ids: array,
        weights: array,
        lengths: array,
        joined: bytes,
        doc_lengths: list[int] | None,
    ) -> None:
        """A term's whole posting list, between ``start_field`` and ``finish_field``."""
        row = self.postings.write_term(
            self.fieldobj.format, ids, weights, lengths, joined, doc_lengths
        )
        self.terms.add_row(field_key(self.fieldnum, btext), row)

    def close(self) -> None:
        self.terms.close()
        self.postfile.close()
        self.is_closed = True


class EmbeddedCodec(Codec):
    """searchlib's segment format (see the module docstring)."""

    length_stats = True

    def __init__(self, **options: Any) -> None:
        # Whoosh's W3 codec takes a block size and compression levels; here they are part of
        # the format (blocks of BLOCK_LIMIT postings), so asking for others is an error.
        if options:
            raise TypeError(
                f"EmbeddedCodec takes no options ({', '.join(sorted(options))}): its block "
                "size and compression are fixed by searchlib's index format"
            )

    def new_segment(self, storage: Any, indexname: str) -> EmbeddedSegment:
        return EmbeddedSegment(indexname)

    def field_writer(self, storage: Any, segment: Any) -> SegmentFieldWriter:
        return SegmentFieldWriter(storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> PostingsWriter:
        if byteids:
            raise NotImplementedError("term vectors are written by the per-document writer")
        return PostingsWriter(dbfile)

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            return InlineMatcher(terminfo, format_, term=term, scorer=scorer)
        offset, _ = terminfo.extent()
        if not isinstance(dbfile, PostingsFile):  # a caller outside this codec's reader
            dbfile = PostingsFile(dbfile, Place(POSTS_EXT, POSTS_EXT))
        return BlockMatcher(dbfile, offset, format_, term=term, scorer=scorer, terminfo=terminfo)

    def terms_reader(self, storage: Any, segment: Any) -> TermDictReader:
        name = segment.make_filename(TERMS_EXT)
        length = storage.file_length(name)
        dbfile = storage.open_file(name)
        postfile = PostingsFile(segment.open_file(storage, POSTS_EXT), place_of(segment, POSTS_EXT))
        # A segment's id names its files' contents: they are never rewritten.
        key = (segment.segment_id(), length)
        return TermDictReader(self, dbfile, length, postfile, place_of(segment, TERMS_EXT), key)

    def supports_columns(self) -> bool:
        return True

    @classmethod
    def column_filename(cls, segment: Any, fieldname: str) -> str:
        """Where ``whoosh.sorting.add_sortable`` writes a column it adds to a segment."""
        return str(segment.make_filename(f".{fieldname}{ADDED_COLUMN_EXT}"))

    def per_document_writer(self, storage: Any, segment: Any) -> PerDocWriter:
        return PerDocWriter(storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> PerDocReader:
        return PerDocReader(storage, segment)


def verify_segment(storage: Any, segment: Any) -> dict[str, int]:
    """Read every block of a segment's files and check its checksum and structure: the
    term dictionary, every posting list it points to, and every per-document record.
    ``storage`` is the index's storage. Raises :class:`~searchlib.errors.StorageError`
    naming the file and part on the first damage found; returns what was checked (terms,
    postings, documents)."""
    files = storage
    if segment.is_compound():
        place = Place(segment.make_filename(segment.COMPOUND_EXT), "directory")
        try:
            files = segment.open_compound_file(storage)
        except Exception as error:  # Whoosh's own directory: whatever its reader raises
            raise place.error(f"unreadable ({type(error).__name__}: {error})") from None
    try:
        return verify_files(files, segment)
    finally:
        if files is not storage:
            files.close()


def verify_files(files: Any, segment: Any) -> dict[str, int]:
    codec = segment.codec()
    terms = codec.terms_reader(files, segment)
    perdoc = codec.per_document_reader(files, segment)
    try:
        # (A format-2/3 segment's Whoosh hash file has no blocks of ours to check.)
        verify = getattr(terms, "verify", None)
        count = verify() if verify is not None else sum(1 for _ in terms.terms())
        postings = 0
        for (fieldname, _), info in terms.items():
            m = codec.postings_reader(terms.postfile, info, None, term=(fieldname, b""))
            table = m.table() if isinstance(m, BlockMatcher) else None
            blocks, ids = [], []
            while m.is_active():
                block_ids = m.block_ids()
                postings += len(block_ids)
                m.block_values()
                if table is not None:
                    blocks.append(m.head)
                    if table.members is not None:
                        ids.extend(block_ids)
                m.next_block()
            if table is not None:
                _check_table(table, blocks, ids, m.offset, terms.postfile.place)
        docs = perdoc.verify()
    finally:
        terms.close()
        perdoc.close()
    return {"terms": count, "postings": postings, "documents": docs}


def _check_table(
    table: BlockTable, heads: list[Any], ids: list[int], offset: int, place: Any
) -> None:
    """A list's table of blocks says what its block headers say, and its bitmap (when it
    has one) holds the list's documents ``ids``."""
    starts = [offset, *(head.next_at for head in heads[:-1])]
    if (
        table.starts != starts
        or (table.members is not None and table.members != membership(ids))
        or table.lasts != [head.last_id for head in heads]
        or (
            table.impacts is not None
            and _frontiers(table.impacts, len(heads)) != [sorted(head.frontier()) for head in heads]
        )
    ):
        raise place.error(f"posting list at {offset}: its block table disagrees with its blocks")


def _frontiers(impacts: Impacts, blocks: int) -> list[list[tuple[float, int]]]:
    """Each block's frontier, from a table's inverted impact pairs."""
    found: list[list[tuple[float, int]]] = [[] for _ in range(blocks)]
    for i, pair in enumerate(zip(impacts.weights, impacts.length_bytes, strict=True)):
        for block in impacts.blocks[impacts.ends[i] : impacts.ends[i + 1]]:
            found[block].append(pair)
    return [sorted(pairs) for pairs in found]


def __getattr__(name: str) -> Any:
    # Indexes written after the engine moved here and before format 5 name the format-4
    # class by this module's path in their table of contents.
    if name == "SearchlibCodec":
        from searchlib.backends.embedded.format4 import SearchlibCodec

        return SearchlibCodec
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
