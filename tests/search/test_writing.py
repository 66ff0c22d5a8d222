"""The rebuild's writer (app/search/writing.py) writes what Whoosh's own writer writes.

Our writer makes the postings of the text fields from the analysed words directly, keeps them
in compact arrays and writes them a term at a time; Whoosh's writer tokenises every field
value and adds posting tuples one by one. The same documents written by both must give the
same index: the same terms, postings (document, weight, value), term statistics, field lengths
and stored fields, and byte for byte the same postings and term files. With a tiny pool limit
our writer spills sorted runs to disk and merges them, and must still give the same index.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage

from app.search.schema import (
    BODY,
    SUMMARY,
    TAGS,
    TITLE,
    build_schema,
    fold_field,
    phrase_field,
    text_field,
    weighted,
)
from app.search.writing import BLOCK_POSTINGS, COMPRESSION, open_writer

TEXTS = {
    "fi": [
        ("Palkkatuki ja työkokeilu", "palkkatuki . työhönvalmennus",
         "Järjestöjen palkkatuki osatyökykyisille työnhakijoille.",
         "Järjestämme työkokeiluja; järjestö järjestää valmennusta. Työkokeilu, työkokeilu "
         "ja palkkatuki: pk-yritykset ja 50-vuotiaille työnhakijoille tuen tukea."),
        ("Nuorten työpajat", "nuoret",
         "Nuorisotyö ja työpajatoiminta Kymenlaaksossa.",
         "Työllistymispalvelu ohjaa nuoria; nuorten työttömyys väheni. Ääkköset öljy åsa."),
    ],
    "sv": [
        ("Lönesubvention och arbetsprövning", "arbetsprövning",
         "Arbetsplatsen och jobbcoachning för partiellt arbetsföra.",
         "Vi ordnar arbetsprövning; arbetsplatser, fastighetsskötsel och lönesubventionen."),
    ],
    "en": [
        ("Pay subsidy and work trial", "job coaching",
         "Individual placement and support (IPS) for partially able-to-work people.",
         "Employers' pay subsidies; the work trials and coaching of job-seekers, re-employed."),
    ],
}


def documents() -> list[dict]:
    docs = []
    n = 0
    for lang, texts in TEXTS.items():
        for title, tags, summary, body in texts:
            n += 1
            text = weighted((TITLE, title), (TAGS, tags), (SUMMARY, summary), (BODY, body))
            docs.append({
                "id": f"practice:{n}", "kind": "practice", "object_id": n,
                text_field(lang): text, phrase_field(lang): text, fold_field(lang): text,
                "raw": f"{title} . {summary} . {tags}", "org": "Työ-Apu ry Åbo",
                "published_at": 1_700_000_000 + n, "adoption_count": n % 3,
                "title": title, "summary": summary, "tags": tags.split(" . "),
                "regions": "MK01,MK02" if n % 2 else "MK21", "stage": "piloting",
                "language": lang,
            })
    # An organisation's profile: every language's fields, and a document boost (the
    # general path of weights that are not the summed boosts).
    text = weighted((TITLE, "Järjestö ry"), (BODY, "Palkkatuki ja työkokeilu; arbetsprövning."))
    organisation = {"id": "organisation:1", "kind": "organisation", "object_id": 1,
                    "raw": "Järjestö ry", "org": "Järjestö ry", "title": "Järjestö ry"}
    for lang in TEXTS:
        organisation.update({text_field(lang): text, phrase_field(lang): text,
                             fold_field(lang): text})
    docs.append(organisation)
    docs.append({**organisation, "id": "organisation:2", "object_id": 2, "_boost": 1.5})
    return docs


def build(path: Path, make_writer) -> Path:
    path.mkdir()
    ix = FileStorage(str(path)).create_index(build_schema())
    writer = make_writer(ix)
    for doc in documents():
        writer.add_document(**doc)
    writer.commit()
    return path


def term_postings(reader):
    """((fieldname, term), [(docnum, weight, value), ...]) of every indexed term."""
    for fieldname in reader.schema.names():
        if not reader.schema[fieldname].indexed:
            continue
        for term in reader.lexicon(fieldname):
            matcher = reader.postings(fieldname, term)
            found = []
            while matcher.is_active():
                found.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            yield (fieldname, term), found


def contents(path: Path) -> dict:
    ix = FileStorage(str(path)).open_index()
    with ix.reader() as reader:
        postings = {}
        for (fieldname, term), found in term_postings(reader):
            info = reader.term_info(fieldname, term)
            postings[(fieldname, term)] = (found, info.weight(), info.doc_frequency(),
                                           info.max_weight(), info.min_length(),
                                           info.max_length())
        count = reader.doc_count_all()
        lengths = {name: [reader.doc_field_length(d, name) for d in range(count)]
                   for name in reader.schema.scorable_names()}
        stored = [reader.stored_fields(d) for d in range(count)]
    files = {f.rsplit(".", 1)[-1]: (path / f).read_bytes() for f in ix.storage.list()
             if f.endswith((".pst", ".trm"))}
    return {"postings": postings, "lengths": lengths, "stored": stored, "files": files}


@pytest.fixture(scope="module")
def whoosh_index(tmp_path_factory) -> dict:
    # Whoosh's own segment writer, pool and codec writer
    return contents(build(tmp_path_factory.mktemp("whoosh") / "ix", whoosh_writer))


# Separate segment files (not one compound file) so that the postings can be compared.
def whoosh_writer(ix):
    # Whoosh's own codec writer, with the block size and compression level ours uses.
    return ix.writer(compound=False, codec=W3Codec(blocklimit=BLOCK_POSTINGS,
                                                   compression=COMPRESSION))


def our_writer(ix):
    return open_writer(ix, compound=False)


def small_pool(ix):
    writer = open_writer(ix, compound=False)
    writer.pool.limit = 4_000  # bytes: a run every few documents
    return writer


@pytest.mark.parametrize("make_writer", [our_writer, small_pool], ids=["memory", "runs"])
def test_our_writer_writes_what_whooshs_writes(tmp_path, whoosh_index, make_writer):
    path = build(tmp_path / "ix", make_writer)
    ours = contents(path)
    if make_writer is small_pool:
        assert not list(path.glob("*.run"))  # the runs were merged and removed
    theirs = whoosh_index
    assert len(theirs["postings"]) > 200  # the documents do reach the index
    assert {f for f, _t in theirs["postings"]} >= {"text_fi", "phrase_fi", "fold_fi", "raw",
                                                    "org", "text_sv", "regions"}
    assert ours["postings"].keys() == theirs["postings"].keys()
    for key, expected in theirs["postings"].items():
        assert ours["postings"][key] == expected, key
    assert ours["lengths"] == theirs["lengths"]
    assert ours["stored"] == theirs["stored"]
    assert ours["files"] == theirs["files"]
    assert set(ours["files"]) == {"pst", "trm"}


def test_spilled_runs_are_written_and_merged(tmp_path, monkeypatch):
    """The small pool does spill: runs are written (and merged at commit)."""
    from app.search import writing

    written = []
    monkeypatch.setattr(writing._Pool, "_add_run",
                        lambda self, path: (written.append(path), self.runs.append(path)))
    build(tmp_path / "ix", small_pool)
    assert len(written) > 1


@pytest.mark.parametrize("optimize", [False, True], ids=["merge-small", "optimize"])
def test_updates_merging_segments_write_what_whooshs_writes(tmp_path, optimize):
    """Catching up adds to an index of several segments and merges them at commit: the
    merged segments' postings reach our pool one by one, besides the new documents'."""

    def write(path, make_writer):
        path.mkdir()
        ix = FileStorage(str(path)).create_index(build_schema())
        docs = documents()
        for start in range(0, len(docs), 3):
            writer = make_writer(ix)
            writer.delete_by_term("id", "practice:1")
            for doc in docs[start:start + 3]:
                writer.add_document(**doc)
            writer.commit(optimize=optimize)
        return contents(path)

    theirs = write(tmp_path / "whoosh", whoosh_writer)
    ours = write(tmp_path / "ours", our_writer)
    assert len(theirs["postings"]) > 200
    for key in ("postings", "lengths", "stored"):
        assert ours[key] == theirs[key]


def by_document(path: Path) -> dict:
    """Each term's postings keyed by the document's id, whatever segment holds it: an index
    written in several segments (by several processes) compared with one written in one."""
    ix = FileStorage(str(path)).open_index()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ids = {d: fields["id"] for d, fields in reader.iter_docs()}
        found = {key: {(ids[d], weight, value) for d, weight, value in postings}
                 for key, postings in term_postings(reader)}
        # (a field a segment does not have: None from one reader, 0 from the other)
        lengths = {name: {ids[d]: reader.doc_field_length(d, name) or 0 for d in ids}
                   for name in reader.schema.scorable_names()}
        segments = len(reader.leaf_readers()) if hasattr(reader, "leaf_readers") else 1
    return {"postings": found, "lengths": lengths, "segments": segments}


def test_two_indexing_processes_write_what_one_writes(tmp_path):
    """`flask search rebuild --procs 2`: two processes each write segments with the same
    pool (their runs go to the parent, which merges them); every term has the same postings
    of the same documents as in the one-process index."""
    one = by_document(build(tmp_path / "one", our_writer))
    two = by_document(build(tmp_path / "two", lambda ix: open_writer(
        ix, procs=2, compound=False, batchsize=4)))  # a few documents per job
    # (usually two segments, one per process; one when a process took every job)
    assert one["segments"] == 1
    assert len(one["postings"]) > 200
    assert two["postings"] == one["postings"]
    assert two["lengths"] == one["lengths"]


def test_numbered_postings_come_out_in_document_order_whatever_order_they_came_in():
    """The rebuild adds documents in docnum order; should a writer ever add them otherwise,
    each term's postings are still written in docnum order, weights and values with them."""
    from whoosh.system import pack_uint

    from app.search.writing import _NumberedField

    field = _NumberedField(counted=True)
    field.add_counts(5, {"työ": [2, 2.0], "nuori": [1, 1.0]}, 1.0)
    field.add_counts(2, {"työ": [1, 1.5]}, 1.0)
    field.add_counts(9, {"nuori": [3, 3.0], "työ": [1, 0.5]}, 2.0)
    found = {term: (list(ids), list(weights), values)
             for term, ids, weights, values in field.postings(ordered=False)}
    assert list(found) == ["nuori", "työ"]  # term order
    assert found["työ"][:2] == ([2, 5, 9], [1.5, 2.0, 1.0])
    assert found["nuori"][:2] == ([5, 9], [1.0, 6.0])
    assert found["työ"][2] == [pack_uint(1), pack_uint(2), pack_uint(1)]  # frequencies
