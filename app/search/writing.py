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

Issue 13 added a folded field per language and Voikko's readings, and the rebuild took about
twice as long again. Now the writer (`_SegmentWriter.add_document`) makes the postings of the
text fields from the words the analyzer has analysed (`analysis.value_entries`, each distinct
word analysed once per process, its folded terms included) instead of a token per word and
field; the pool keeps a frequency field's postings in flat arrays of numbered terms
(_NumberedField) and the others in three arrays per term (16-25 bytes a posting, so a rebuild
of 20,000 models writes no runs with `indexer.REBUILD_LIMIT_MB`); the field writer writes a
term's postings a block at a time. On 5,000 generated models the rebuild's profile went from
109 s to 55 s. Numbering the terms (and reading a value's words as shared entries,
`analysis.value_entries`) took a 20,000-model rebuild from 62 to 52 s.
tests/search/test_writing.py checks that the same documents give byte for byte the postings
and term files of Whoosh's own writer, with and without runs, and the same postings with two
indexing processes.
"""

from __future__ import annotations

import heapq
import marshal
import struct
from array import array
from itertools import chain, groupby, islice
from operator import itemgetter

import numpy as np
from whoosh import multiproc
from whoosh.codec.base import OutOfOrderError
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3FieldWriter,
    W3PostingsWriter,
    _lenfield,
)
from whoosh.formats import Frequency
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from app.search import decoded as decoded_postings
from app.search.analysis import (
    ALL_STOPWORDS,
    SEGMENT_GAP,
    WORD_RE,
    FoldAnalyzer,
    LanguageAnalyzer,
    _WordAnalyzer,
    value_entries,
)
from app.search.schema import CompactPositions

_LENGTHS = [byte_to_length(i) for i in range(256)]
_RUN_CHUNK = 2_000  # terms per marshalled list in a run file
_TERM = itemgetter(0, 1)  # a posting's (fieldname, term bytes)
_FIRST = itemgetter(0)
_SECOND = itemgetter(1)


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
    # The segment's decoded postings (decoded.py), set by the field writer: each term's
    # blocks as written, kept until the term is finished.
    decoded: decoded_postings.Writer | None = None
    _blocks: list | None = None

    def start_postings(self, format_, terminfo):
        super().start_postings(format_, terminfo)
        self._blocks = [] if self.decoded is not None and not self._byteids else None

    def _write_block(self, last=False):
        if self._blocks is not None:
            self._blocks.append((self._ids, self._weights))  # _new_block() makes new arrays
        super()._write_block(last=last)

    def finish_postings(self):
        blocks = self._blocks
        terminfo = super().finish_postings()  # writes the last block (into `blocks`)
        self._blocks = None
        if blocks and not terminfo.is_inlined():
            self.decoded.add(terminfo.extent()[0], blocks)
        return terminfo

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


    def add_term_postings(self, ids, weights, values, lengths):
        """add_posting() of each of a term's postings (`lengths` None: all 0), a block at a
        time: the same blocks and statistics."""
        limit = self._blocklimit
        total = len(ids)
        i = 0
        while i < total:
            room = limit - len(self._ids)
            if room <= 0:
                self._write_block()
                continue
            j = min(total, i + room)
            self._ids.extend(ids[i:j])
            block_weights = weights[i:j]
            self._weights.fromlist(block_weights.tolist())
            top = max(block_weights)
            if top > self._maxweight:
                self._maxweight = top
            self._values.extend(filter(None, values[i:j]))
            if lengths is not None:
                found = [n for n in lengths[i:j] if n]
                if found:
                    low = min(found)
                    if self._minlength is None or low < self._minlength:
                        self._minlength = low
                    high = max(found)
                    if high > self._maxlength:
                        self._maxlength = high
            i = j


    def _mini_ids(self):
        # W3PostingsWriter._mini_ids (the deltas of the docnums) without a generator
        ids = self._ids
        if self._byteids:
            return tuple(ids)
        if not ids:
            return ()
        return (ids[0], *[b - a for a, b in zip(ids, ids[1:], strict=False)])

    def _mini_weights(self):
        # W3PostingsWriter._mini_weights: None when all are 1, the weight when all are the
        # same, else all of them; counted in C rather than compared in a generator
        weights = self._weights
        total = len(weights)
        if weights.count(1.0) == total:
            return None
        if weights.count(weights[0]) == total:
            return weights[0]
        return tuple(weights)


class _FieldWriter(W3FieldWriter):
    def __init__(self, codec, storage, segment):
        super().__init__(codec, storage, segment)
        self._decoded = (decoded_postings.Writer(self._create_file(decoded_postings.EXT))
                         if decoded_postings.ENABLED else None)

    def start_field(self, fieldname, fieldobj):
        super().start_field(fieldname, fieldobj)
        self._postwriter.decoded = self._decoded

    def close(self):
        super().close()
        if self._decoded is not None:
            self._decoded.close()

    def add_term_groups(self, schema, lengths, fields):
        """Write the postings of `fields`: (fieldname, [(term bytes, docnums, weights,
        values)] in term order) in field order, as add_postings() writes the same postings
        one by one."""
        cached = _CachedLengths(lengths) if lengths else None
        for fieldname, terms in fields:
            self.start_field(fieldname, schema[fieldname])
            postwriter = self._postwriter
            field_lengths = cached._lengths(fieldname) if cached is not None else []
            known = len(field_lengths)
            for btext, ids, weights, values in terms:
                if not ids:
                    continue
                self.start_term(btext)
                found = None
                if known:
                    found = [field_lengths[d] if d < known else 0 for d in ids]
                postwriter.add_term_postings(ids, weights, values, found)
                self.finish_term()
            self.finish_field()

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


# Whoosh's blocks now serve phrases and segments without decoded postings (decoded.py): 512
# postings a block (Whoosh's default: 128) and zlib's fastest level (default: 3) wrote a
# 20,000-model rebuild's blocks in 11 s less CPU, and a smaller index (236 MB against 243).
BLOCK_POSTINGS = 512
COMPRESSION = 1


class Codec(W3Codec):
    """Whoosh's W3 codec; its field writer writes postings faster."""

    def __init__(self, blocklimit: int = BLOCK_POSTINGS, compression: int = COMPRESSION,
                 inlinelimit: int = 1):
        super().__init__(blocklimit=blocklimit, compression=compression,
                         inlinelimit=inlinelimit)

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


class _NumberedField:
    """The postings of a text field added a document at a time (_Pool.add_counts for a
    frequency field, _Pool.add_values for a field with a value per posting, such as
    positions). Each term gets a number when first seen; a document's postings go to flat
    arrays (term numbers, weights, frequencies or values) with its docnum and their number.
    A posting costs a dictionary look-up and a few list items instead of a look-up and
    calls appending to the term's own arrays (a sixth of a rebuild); writing sorts the term
    numbers once (stable, so each term keeps its postings in the order added) and hands out
    each term's slice. About 16 bytes a posting, and a value's."""

    __slots__ = ("numbers", "terms", "weights", "values", "docs", "sizes", "counted")

    def __init__(self, counted: bool) -> None:
        self.counted = counted  # values: frequencies (packed when written), else bytes
        self.numbers: dict[str, int] = {}
        self.terms = array("i")
        self.weights = array("d")
        self.values: array | list = array("i") if counted else []
        self.docs = array("i")
        self.sizes = array("i")

    def _add_terms(self, docnum: int, terms) -> int:
        numbers = self.numbers
        known = len(numbers)
        found = list(map(numbers.get, terms))
        if None in found:  # terms seen for the first time (each once: `terms` are distinct)
            for i, term in enumerate(terms):
                if found[i] is None:
                    found[i] = numbers[term] = len(numbers)
        self.terms.fromlist(found)
        self.docs.append(docnum)
        self.sizes.append(len(found))
        return len(numbers) - known

    def add_counts(self, docnum: int, counts: dict, scale: float) -> int:
        """Add a document's {term: [frequency, weight]}; the number of new terms."""
        found = counts.values()
        weights = list(map(_SECOND, found))
        self.weights.fromlist(weights if scale == 1.0 else [w * scale for w in weights])
        self.values.fromlist(list(map(_FIRST, found)))
        return self._add_terms(docnum, counts)

    def add_values(self, docnum: int, terms, weights: list, values: list) -> int:
        """Add a document's terms with their weights and values; the number of new terms."""
        self.weights.fromlist(weights)
        self.values.extend(values)
        return self._add_terms(docnum, terms)

    def postings(self, ordered: bool):
        """(term, docnums, weights, values) of each term, in term order (str order: the
        order of the terms' UTF-8 bytes); docnums array("I"), weights array("d"), values
        bytes (frequencies packed as Whoosh packs them). `ordered`: every document was
        added after those with smaller docnums (else each term's postings are sorted)."""
        numbers = self.numbers
        if not numbers:
            return
        # The field's postings in term order, as the arrays and list the writer reads (a
        # term's are slices of them: one conversion per field rather than per term). The
        # field's own arrays are let go as soon as they are read: it is written only once.
        terms = np.frombuffer(self.terms, dtype=np.int32)
        order = np.argsort(terms, kind="stable")
        per_term = np.bincount(terms, minlength=len(numbers))
        del terms
        self.terms = None
        starts = np.zeros(len(per_term) + 1, dtype=np.int64)
        np.cumsum(per_term, out=starts[1:])
        docnums = array("I")
        docnums.frombytes(np.repeat(np.frombuffer(self.docs, dtype=np.int32),
                                    np.frombuffer(self.sizes, dtype=np.int32))[order]
                          .astype(np.uint32).data.cast("B"))
        self.docs = self.sizes = None
        weights = array("d")
        weights.frombytes(np.frombuffer(self.weights, dtype=np.float64)[order].data.cast("B"))
        self.weights = None
        if self.counted:
            freqs = np.frombuffer(self.values, dtype=np.int32)[order]
            self.values = None
            if len(freqs) and int(freqs.max()) >= 256:
                values = [_freq_value(f) for f in freqs.tolist()]
            else:  # the usual case: one packed byte each, from the table (small ints and
                # the table's bytes are shared objects: 8 bytes a posting)
                values = list(map(_FREQ_VALUES.__getitem__, freqs.tolist()))
            del freqs
        else:
            source = np.empty(len(self.values), dtype=object)
            source[:] = self.values
            self.values = None
            values = source[order].tolist()
            del source
        del order
        starts = starts.tolist()
        for term in sorted(numbers):
            n = numbers[term]
            start, end = starts[n], starts[n + 1]
            ids = docnums[start:end]
            found = weights[start:end]
            term_values = values[start:end]
            if not ordered and len(ids) > 1:
                postings = sorted(zip(ids, found, term_values, strict=True))
                ids = array("I", (p[0] for p in postings))
                found = array("d", (p[1] for p in postings))
                term_values = [p[2] for p in postings]
            yield term, ids, found, term_values


class _Pool(PostingPool):
    """Whoosh's posting pool, keeping the postings of each (field, term) in arrays of their
    own: docnums, weights (doubles: the floats as added) and values (the frequency fields'
    values are shared bytes objects). About 20 bytes a posting besides a position field's
    value, instead of a tuple of five (~200 bytes), so that a rebuild of tens of thousands of
    models fits in memory and writes no runs. The postings of a term are added in document
    order (a writer numbers its documents upwards); if they ever are not, they are sorted as
    tuples. A sorted run is the terms sorted, each with its postings as tuples. The text
    fields that the rebuild's writer adds a document at a time (add_counts, add_values) are
    kept more compactly still, as _NumberedField."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fields: dict[str, dict[bytes, tuple[array, array, list]]] = {}
        self._top = -1  # the largest docnum added
        self._ordered = True  # no docnum was added after a larger one
        self._text_fields: set[str] = set()  # fields whose terms are kept as str
        # the text fields added with add_counts() or add_values()
        self._numbered_fields: dict[str, _NumberedField] = {}

    def add(self, item):
        # item = (fieldname, tbytes, docnum, weight, vbytes)
        self.add_postings(item[0], item[2], ((item[1], item[3], item[4]),))

    def add_postings(self, fieldname, docnum, items):
        """Add the postings (term bytes, weight, value bytes) of one document in a field."""
        if fieldname in self._numbered_fields:
            self._expand_numbered(fieldname)  # its terms are str from here on
        if fieldname in self._text_fields:
            items = [(btext.decode("utf-8"), weight, value) for btext, weight, value in items]
        self._add(fieldname, docnum, items)

    def _add(self, fieldname, docnum, items):
        if fieldname in self._numbered_fields:
            self._expand_numbered(fieldname)
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        if docnum < 0:  # Whoosh's marker of a spelling word, not a posting
            return
        if docnum < self._top:
            self._ordered = False
        else:
            self._top = docnum
        size = 0
        for btext, weight, value in items:
            entry = terms.get(btext)
            if entry is None:
                entry = terms[btext] = (array("I"), array("d"), [])
                size += 250 + len(btext)
            entry[0].append(docnum)
            entry[1].append(weight)
            if value is None:
                value = b""
            entry[2].append(value)
            # 12 bytes in the arrays, 8 in the list; a longer value is an object of its own
            size += 20 if len(value) <= 4 else 53 + len(value)
        self.currentsize += size
        if self.currentsize > self.limit:
            self.save()

    def add_counts(self, fieldname, docnum, counts: dict, scale: float) -> None:
        """Add the postings of one document in a frequency field from {term (str):
        [frequency, weight]}: weight * scale, the frequency packed as Whoosh packs it (see
        _NumberedField)."""
        field = self._numbered(fieldname, docnum, True)
        if field is None:  # postings of another kind came first
            self.add_text_postings(fieldname, docnum, [
                (term, weight * scale, _freq_value(freq))
                for term, (freq, weight) in counts.items()])
            return
        new = field.add_counts(docnum, counts, scale)
        self.currentsize += 16 * len(counts) + 260 * new
        if self.currentsize > self.limit:
            self.save()

    def add_values(self, fieldname, docnum, terms: list, weights: list, values: list) -> None:
        """Add the postings of one document in a field from its terms (str) with their
        weights and values (bytes), in three lists (see _NumberedField)."""
        field = self._numbered(fieldname, docnum, False)
        if field is None:
            self.add_text_postings(fieldname, docnum, list(zip(terms, weights, values,
                                                               strict=True)))
            return
        new = field.add_values(docnum, terms, weights, values)
        # as the arrays of a frequency field, and most values are one short position
        self.currentsize += 24 * len(values) + 260 * new
        if self.currentsize > self.limit:
            self.save()

    def _numbered(self, fieldname, docnum, counted: bool) -> _NumberedField | None:
        """The field's numbered postings to add a document to, or None when the field's
        postings are kept in the general form (postings of another kind came first)."""
        field = self._numbered_fields.get(fieldname)
        if field is None:
            if fieldname in self._fields:
                return None
            field = self._numbered_fields[fieldname] = _NumberedField(counted)
            self.fieldnames.add(fieldname)
        elif field.counted is not counted:
            self._expand_numbered(fieldname)
            return None
        if docnum < self._top:
            self._ordered = False
        else:
            self._top = docnum
        return field

    def _expand_numbered(self, fieldname) -> None:
        """Move a field's numbered postings (add_counts, add_values) to the general form
        (add_postings)."""
        field = self._numbered_fields.pop(fieldname, None)
        if field is None:
            return
        self._text_fields.add(fieldname)
        self._fields[fieldname] = {term: (ids, weights, values) for term, ids, weights, values
                                   in field.postings(self._ordered)}

    def add_text_postings(self, fieldname, docnum, items) -> None:
        """add_postings() with the terms as str."""
        if fieldname in self._numbered_fields:
            self._expand_numbered(fieldname)
        if fieldname not in self._text_fields:
            if fieldname in self._fields:
                items = [(term.encode("utf-8"), weight, value) for term, weight, value in items]
            else:
                self._text_fields.add(fieldname)
        self._add(fieldname, docnum, items)

    def _sorted_terms(self, terms: dict, text: bool):
        """(term bytes, docnums, weights, values) of `terms` in term order (the order of
        str terms is the order of their UTF-8 bytes)."""
        for btext in sorted(terms):
            ids, weights, values = terms[btext]
            if not self._ordered and len(ids) > 1:
                found = sorted(zip(ids, weights, values, strict=True))
                ids = array("I", (p[0] for p in found))
                weights = array("d", (p[1] for p in found))
                values = [p[2] for p in found]
            yield (btext.encode("utf-8") if text else btext), ids, weights, values

    def term_groups(self):
        """(fieldname, terms) in field order, terms as _sorted_terms() (no runs only)."""
        fields = self._fields
        numbered = self._numbered_fields
        for fieldname in sorted({*fields, *numbered}):
            if fieldname in numbered:
                yield fieldname, ((term.encode("utf-8"), ids, weights, values)
                                  for term, ids, weights, values
                                  in numbered[fieldname].postings(self._ordered))
            else:
                yield fieldname, self._sorted_terms(fields[fieldname],
                                                    fieldname in self._text_fields)

    def _groups(self):
        """((fieldname, term), [postings]) of the pool's terms in order, each term's postings
        sorted: together the order of sorting the posting tuples."""
        for fieldname, terms in self.term_groups():
            for btext, ids, weights, values in terms:
                yield (fieldname, btext), [(fieldname, btext, d, w, v) for d, w, v
                                           in zip(ids, weights, values, strict=True)]

    def save(self):
        if self._fields or self._numbered_fields:
            path, f = self._new_run()
            self._write_groups(f, self._groups())
            self._add_run(path)
            self._fields = {}
            self._numbered_fields = {}
            self._text_fields = set()
            self._top = -1
            self._ordered = True
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


# --- postings of a field value without Whoosh's tokens -----------------------------------------

_FREQ_VALUES = [pack_uint(n) for n in range(256)]


def _freq_value(freq: int) -> bytes:
    return _FREQ_VALUES[freq] if freq < 256 else pack_uint(freq)


def _language_counts(value: str, lang: str, parts: bool):
    """{term: [frequency, weight]} of the tokens LanguageAnalyzer gives, in their order."""
    counts: dict[str, list] = {}
    get = counts.get
    for boost, found in value_entries(value, lang):
        for main, extras, _fold in found:
            entry = get(main)
            if entry is None:
                counts[main] = [1, 0.0 + boost]
            else:
                entry[0] += 1
                entry[1] += boost
            if parts and extras:
                for extra in extras:
                    entry = get(extra)
                    if entry is None:
                        counts[extra] = [1, 0.0 + boost]
                    else:
                        entry[0] += 1
                        entry[1] += boost
    return counts


def _fold_counts(value: str, lang: str):
    """{term: [frequency, weight]} of the tokens FoldAnalyzer gives, in their order."""
    counts: dict[str, list] = {}
    get = counts.get
    for boost, found in value_entries(value, lang):
        for _main, _extras, terms in found:
            for term in terms:
                entry = get(term)
                if entry is None:
                    counts[term] = [1, 0.0 + boost]
                else:
                    entry[0] += 1
                    entry[1] += boost
    return counts


def _word_counts(value: str, analyzer):
    """{term: [frequency, weight]} of the tokens a _WordAnalyzer gives (boost 1)."""
    counts: dict[str, list] = {}
    get = counts.get
    for match in WORD_RE.finditer(value):
        word = match.group(0).lower()
        if word in ALL_STOPWORDS:
            continue
        for term in analyzer.terms(word):
            entry = get(term)
            if entry is None:
                counts[term] = [1, 1.0]
            else:
                entry[0] += 1
                entry[1] += 1.0
    return counts


def _positions(value: str, lang: str, parts: bool):
    """{term: [positions]} of the tokens LanguageAnalyzer gives with positions."""
    positions: dict[str, list[int]] = {}
    at = positions.setdefault
    pos = 0
    for _boost, found in value_entries(value, lang):
        for main, extras, _fold in found:
            at(main, []).append(pos)
            if parts and extras:
                for extra in extras:
                    at(extra, []).append(pos)
            pos += 1
        pos += SEGMENT_GAP
    return positions


# CompactPositions.encode() of a single position below 65536 (most terms of a model): a type
# code, then the position as 16 bits in the machine's order. Always a new bytes object, as
# Whoosh's writer gets: a block's pickle refers back to a value object seen before, so shared
# objects would change the bytes written.
_ONE_POSITION = struct.Struct("=cH").pack


def _add_fast(pool, fieldname, docnum, field, value, boost: float):
    """Add the postings of `value` in `field` to `pool` and return the field's length, as
    `field.index(value)` gives them for the analyzers and formats of our text fields,
    computed from the analysed words directly (Whoosh's path makes a token, then a posting,
    of every word in each of a model's three text fields); None (nothing added) for any
    other field."""
    if not isinstance(value, str):
        return None
    analyzer = field.analyzer
    fmt = field.format
    kind = type(fmt)
    if kind is Frequency:
        akind = type(analyzer)
        if akind is LanguageAnalyzer:
            counts = _language_counts(value, analyzer.lang, analyzer.parts)
        elif akind is FoldAnalyzer:
            counts = _fold_counts(value, analyzer.lang)
        elif isinstance(analyzer, _WordAnalyzer) and type(analyzer).__call__ is \
                _WordAnalyzer.__call__:
            counts = _word_counts(value, analyzer)
        else:
            return None
        # Whoosh: the summed weight times the format's boost, then times the field's boost
        if fmt.field_boost == 1.0 and boost == 1.0:
            pool.add_counts(fieldname, docnum, counts, 1.0)
        else:
            pool.add_text_postings(fieldname, docnum, [
                (term, weight * fmt.field_boost * boost, _freq_value(freq))
                for term, (freq, weight) in counts.items()])
        return sum(freq for freq, _weight in counts.values()) if field.scorable else 0
    if kind is CompactPositions and type(analyzer) is LanguageAnalyzer:
        positions = _positions(value, analyzer.lang, analyzer.parts)
        scale = fmt.field_boost
        found = positions.values()
        pool.add_values(fieldname, docnum, positions, [
            float(len(at)) * scale * boost for at in found], [
            _ONE_POSITION(b"H", at[0]) if len(at) == 1 and at[0] < 65536 else fmt.encode(at)
            for at in found])
        return sum(map(len, positions.values())) if field.scorable else 0
    return None


class _SegmentWriter(SegmentWriter):
    """Whoosh's segment writer with the pool above; the postings of our text fields are
    made from the analysed words (_fast_postings) and written a term at a time."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = _Pool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def add_document(self, **fields):
        # SegmentWriter.add_document with _fast_postings() for the text fields and the
        # postings of a field added to the pool together.
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        docboost = self._doc_boost(fields)
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    fast = _add_fast(pool, fieldname, docnum, field, value, fieldboost)
                    if fast is not None:
                        length = fast
                    else:
                        items = []
                        scorable = field.scorable
                        for tbytes, freq, weight, vbytes in field.index(value):
                            if scorable:
                                length += freq
                            items.append((tbytes, weight * fieldboost, vbytes))
                        pool.add_postings(fieldname, docnum, items)
                if field.separate_spelling() or field.vector:
                    raise NotImplementedError(f"{fieldname}: spelling or vector fields")
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None,
                                       length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column,
                                                  field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        if self.pool.runs:
            super()._flush_segment()  # postings merged from runs, one by one
            return
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        self.fieldwriter.add_term_groups(self.schema, pdr, self.pool.term_groups())
        self.fieldwriter.close()
        if pdr:
            pdr.close()


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
