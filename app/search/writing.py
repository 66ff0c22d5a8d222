"""Opening index writers, with fixes to Whoosh's write path for speed.

Measured on 1,000 generated models, writing cost about 15 µs per posting, of which 6 µs went
to looking up the document's field length once per posting (through the column reader) and
3 µs to estimating the posting's memory size. The codec below reads each field's lengths
once per segment write; the pool estimates sizes with a cheap sum.

A rebuild of thousands of models does not fit the pool's memory limit, so the pool spills
sorted runs to temporary files and merges them at commit. Whoosh sorts all the postings of a
run in one list, pickles and unpickles each posting on its own and merges the runs posting
by posting: with 2,000 models that was 40 % of the rebuild. The pool below keeps each term's
postings in a list of their own (a run is the terms sorted), writes runs as marshalled lists
of (term, postings) and merges them a term at a time; the field writer adds postings without
Whoosh's per-posting type assertions. With these and the analyzer's reuse of a text analysed
for the field before (analysis.py), a rebuild of 20,000 generated models (bench/search.py,
one process) went from 220 s to 111 s. The postings, term infos, lengths and stored fields
written are the same as with Whoosh's own pool and writer (compared on generated models,
with and without spilled runs, with one and two indexing processes), in the standard W3
format.
"""

from __future__ import annotations

import heapq
import marshal
from itertools import chain, groupby, islice
from operator import itemgetter

from whoosh import multiproc
from whoosh.codec.base import OutOfOrderError
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3FieldWriter,
    W3PostingsWriter,
    _lenfield,
)
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

_LENGTHS = [byte_to_length(i) for i in range(256)]
_RUN_CHUNK = 2_000  # terms per marshalled list in a run file
_TERM = itemgetter(0, 1)  # a posting's (fieldname, term bytes)


class _CachedLengths:
    """A per-document reader's field lengths, each field read once into a list."""

    def __init__(self, perdoc):
        self._perdoc = perdoc
        self._fields: dict[str, list[int]] = {}

    def _lengths(self, fieldname: str) -> list[int]:
        found = self._fields.get(fieldname)
        if found is None:
            perdoc = self._perdoc
            try:
                column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
                found = [_LENGTHS[b] if b else 0 for b in column] if column is not None else []
            except AttributeError:  # not a W3 reader: ask per document
                found = [perdoc.doc_field_length(d, fieldname) or 0
                         for d in range(perdoc.doc_count_all())]
            self._fields[fieldname] = found
        return found

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self._lengths(fieldname)
        return lengths[docnum] if docnum < len(lengths) else default

    def __getattr__(self, name):
        return getattr(self._perdoc, name)


class _PostingsWriter(W3PostingsWriter):
    def add_posting(self, id_, weight, vbytes, length=None):
        # W3PostingsWriter.add_posting without its four isinstance() assertions per posting
        # (the pool's postings are always (int, float, bytes)).
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        if vbytes:
            self._values.append(vbytes)
        if length:
            minlength = self._minlength
            if minlength is None or length < minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        # whoosh.codec.base.FieldWriter.add_postings with the field's lengths read once per
        # field and the posting writer's add_posting called directly.
        cached = _CachedLengths(lengths) if lengths else None
        lastfn = None
        lasttext = None
        add = None
        field_lengths: list[int] = []
        known = 0
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != lastfn:
                if lastfn is not None and fieldname < lastfn:
                    raise OutOfOrderError(f"Field {lastfn!r} .. {fieldname!r}")
                if lasttext is not None:
                    self.finish_term()
                if lastfn is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                add = self._postwriter.add_posting
                field_lengths = cached._lengths(fieldname) if cached is not None else []
                known = len(field_lengths)
                lastfn = fieldname
                lasttext = None
            if docnum == -1:  # Whoosh's marker of a spelling word, not a posting
                continue
            if btext != lasttext:
                if lasttext is not None:
                    if btext < lasttext:
                        raise OutOfOrderError(f"Term {lastfn}:{lasttext!r} .. {btext!r}")
                    self.finish_term()
                self.start_term(btext)
                lasttext = btext
            add(docnum, weight, b"" if value is None else value,
                field_lengths[docnum] if docnum < known else 0)
        if lasttext is not None:
            self.finish_term()
        if lastfn is not None:
            self.finish_field()


class Codec(W3Codec):
    """Whoosh's W3 codec; its field writer writes postings faster."""

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=self._inlinelimit)


def _indexed(index: int, groups):
    """(term, run index, postings) for each (term, postings) of a run."""
    for term, postings in groups:
        yield term, index, postings


def _merged_terms(entries):
    """The postings of the merged runs in order: a term found in one run keeps its postings
    as they are; a term found in several has the postings of all of them sorted together."""
    for _term, same in groupby(entries, itemgetter(0)):
        found = list(same)
        if len(found) == 1:
            yield found[0][2]
        else:
            yield sorted(chain.from_iterable(entry[2] for entry in found))


class _Pool(PostingPool):
    """Whoosh's posting pool, keeping the postings of each (field, term) in a list of their
    own: a sorted run is then the terms sorted and each term's postings (nearly always
    added in document order already) sorted, instead of one sort of all the postings."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._terms: dict[tuple[str, bytes], list[tuple]] = {}

    def add(self, item):
        # item = (fieldname, tbytes, docnum, weight, vbytes); ~200 bytes each in memory, and
        # ~150 more for a term's first posting (the dictionary entry and its list)
        size = 200 + 2 * len(item[1]) + (len(item[4]) if item[4] else 0)
        key = item[:2]
        postings = self._terms.get(key)
        if postings is None:
            self.fieldnames.add(item[0])
            self._terms[key] = [item]
            size += 150
        else:
            postings.append(item)
        self.currentsize += size
        if self.currentsize > self.limit:
            self.save()

    def _groups(self):
        """((fieldname, term), [postings]) of the pool's terms in order, each term's postings
        sorted: together the order of sorting the posting tuples."""
        terms = self._terms
        for key in sorted(terms):
            found = terms[key]
            if len(found) > 1:
                found.sort()
            yield key, found

    def save(self):
        if self._terms:
            path, f = self._new_run()
            self._write_groups(f, self._groups())
            self._add_run(path)
            self._terms = {}
        self.currentsize = 0

    def items(self, maxfiles=128):
        if not self.runs:
            return chain.from_iterable(postings for _, postings in self._groups())
        return super().items(maxfiles)  # saves what is left as a run and merges the runs

    # A run (the sorted postings spilled to a temporary file when the pool is full) is
    # written as length-prefixed marshalled lists of (term, [postings]), read back a term at
    # a time by the merge. Whoosh's own calls (_write_run, _read_run) write and read
    # postings one by one in the same format.

    def _write_groups(self, f, groups):
        try:
            while chunk := list(islice(groups, _RUN_CHUNK)):
                data = marshal.dumps(chunk)
                f.write(len(data).to_bytes(8, "little"))
                f.write(data)
        finally:
            f.close()

    def _read_groups(self, path):
        f = self._open_run(path)
        try:
            while header := f.read(8):
                # a temporary file this writer wrote
                yield from marshal.loads(f.read(int.from_bytes(header, "little")))  # noqa: S302
        finally:
            f.close()
            self._remove_run(path)

    def _write_run(self, f, items):
        self._write_groups(f, ((term, list(postings))
                               for term, postings in groupby(items, _TERM)))

    def _read_run(self, path):
        for _term, postings in self._read_groups(path):
            yield from postings

    def _merge_runs(self, paths):
        # The same order as heapq.merge() of the postings (a tuple sort), but the heap
        # orders one entry per term and run instead of one per posting.
        runs = [_indexed(i, self._read_groups(path)) for i, path in enumerate(paths)]
        return chain.from_iterable(_merged_terms(heapq.merge(*runs)))


class _SegmentWriter(SegmentWriter):
    """Whoosh's segment writer with the pool above."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = _Pool(self._tempstorage, self.newsegment, limitmb=limitmb)


class _SubWriterTask(multiproc.SubWriterTask):
    def run(self):
        # In the indexing process only: its writer (made in SubWriterTask.run) gets the pool
        # above too.
        multiproc.SegmentWriter = _SegmentWriter
        super().run()


class _MpWriter(multiproc.MpWriter):
    """Whoosh's multi-process writer; it and its indexing processes use the pool above
    (the same run format on both sides)."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = _Pool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def _new_task(self):
        task = _SubWriterTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                              self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


def open_writer(ix, timeout: float = 0.0, procs: int = 1, limitmb: int = 128, **kwargs):
    """A writer of `ix` (raises whoosh.index.LockError when the lock is not had in time)."""
    if procs > 1:
        kwargs.setdefault("multisegment", True)
        return _MpWriter(ix, procs=procs, limitmb=limitmb, timeout=timeout, codec=Codec(),
                         **kwargs)
    return _SegmentWriter(ix, timeout=timeout, limitmb=limitmb, codec=Codec(), **kwargs)
