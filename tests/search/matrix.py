"""Authorization-matrix rows for the search blueprint: the search page and its feeds are
public, the same for everyone."""

from __future__ import annotations

from tests.security.test_authorization_matrix import every, signed_in

MATRIX = {
    "search.index": {"GET": every(200)},
    "search.practices_feed": {"GET": every(200)},
    "search.search_feed": {"GET": every(200)},
    # The thesaurus admin pages (issue 13 §2): platform administrators only. An empty form
    # is refused input (422); an empty delete lacks the confirmation form's version (400).
    "search_admin.index": {"GET": signed_in(403, admin=200)},
    # The search index's state (issue 13 §4): platform administrators only.
    "search_status.index": {"GET": signed_in(403, admin=200)},
    "search_admin.concept_new": {"GET": signed_in(403, admin=200),
                                 "POST": signed_in(403, admin=422)},
    "search_admin.concept_edit": {"GET": signed_in(403, admin=200),
                                  "POST": signed_in(403, admin=422)},
    "search_admin.concept_delete": {"GET": signed_in(403, admin=200),
                                    "POST": signed_in(403, admin=400)},
}


def thesaurus_args(people, args) -> dict:
    """A concept set for the thesaurus admin rows."""
    from app.extensions import db
    from app.search import expansion, thesaurus

    concept = thesaurus.create_concept(people["admin"], thesaurus.ConceptInput(
        {"fi": ["matriisitermi"], "en": ["matrix term"]}))
    db.session.commit()
    expansion.forget()
    return {**args, "concept_id": concept.id}
