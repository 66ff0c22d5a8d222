"""Expected answers of the service model URL rules for tests/security/test_authorization_matrix.py.

The object: a PUBLISHED model of organisation A (version 1), with organisation B invited as a
partner (not answered yet), B's recorded adoption and a stored PDF attachment; see
practice_args(), which builds them in the matrix's world and returns the URL arguments
(practice_id, slug, number, partner_id, attachment_id, adoption_id).

In that world member_a and conflicted_reviewer are plain members of A (not editors), owner_a
owns A, member_b is a plain member of B, reviewer / conflicted_reviewer / call_manager are
members of the verified ELY-centre, admin belongs to no organisation. A published model is
public, so refused actions answer 403 (a draft would answer 404 to outsiders). POSTs carry only
a CSRF token: a permitted POST answers with its own validation (400) or does its no-field
action (302).
"""

from __future__ import annotations

from tests.security.test_authorization_matrix import every, signed_in

ELY = ("reviewer", "conflicted_reviewer", "call_manager")

MATRIX: dict[str, dict[str, dict]] = {
    # reading: a published model is public
    "practices.index": {"GET": every(200)},
    "practices.detail": {"GET": every(200)},
    "practices.history": {"GET": every(200)},
    "practices.version": {"GET": every(200)},
    "practices.diff": {"GET": every(200)},
    "practices.attachment_download": {"GET": every(200)},
    # writing: editors and owners of A (admins are not editors)
    "practices.create": {"GET": signed_in(200), "POST": signed_in(403, owner_a=400)},
    "practices.edit": {"GET": signed_in(403, owner_a=200), "POST": signed_in(403, owner_a=400)},
    "practices.autosave": {"POST": signed_in(403, owner_a=302)},  # no htmx: back to the edit page
    "practices.preview": {"POST": signed_in(200)},
    "practices.publish": {"GET": signed_in(403, owner_a=200),
                          "POST": signed_in(403, owner_a=400)},  # nothing new to publish
    "practices.archive": {"POST": signed_in(403, owner_a=302)},
    "practices.restore": {"POST": signed_in(403)},  # it is not archived
    "practices.contact": {"POST": signed_in(403, owner_a=400)},
    "practices.attachment_upload": {"POST": signed_in(403, owner_a=400)},
    "practices.attachment_delete": {"POST": signed_in(403, owner_a=302)},
    # partners: the list is for A's members, admins and the partners' editors
    "practices.partners": {
        "GET": signed_in(403, member_a=200, owner_a=200, conflicted_reviewer=200, admin=200),
        "POST": signed_in(403, owner_a=400),
    },
    "practices.partner_respond": {"POST": signed_in(403)},  # only B's editors; member_b is a member
    "practices.partner_remove": {"POST": signed_in(403, owner_a=302)},
    # validation: ELY-centre members without a conflict of interest
    "practices.validate": {"POST": signed_in(403, reviewer=400, call_manager=400)},
    "practices.validation_withdraw": {"POST": signed_in(403)},  # not validated
    # adoption: other verified organisations that have not adopted it (B already has; the
    # observer's national authority has not)
    "practices.adopt": {"GET": signed_in(403, observer=200, **{r: 200 for r in ELY}),
                        "POST": signed_in(403, observer=400, **{r: 400 for r in ELY})},
    "practices.adoption_remove": {"POST": signed_in(403, member_b=302, observer=403)},
}

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def practice_args(db, organisation_a, organisation_b) -> dict:
    """Build the matrix's object in its world; returns the URL arguments for MATRIX."""
    from io import BytesIO

    from sqlalchemy import select
    from werkzeug.datastructures import FileStorage

    from app.organisations.models import Membership, Role
    from app.practices import community, services
    from tests.fixtures.practices import practice_data

    def owner(organisation):
        return db.session.scalar(
            select(Membership).where(Membership.organisation_id == organisation.id,
                                     Membership.role == Role.owner)).user

    author = owner(organisation_a)
    practice = services.create_practice(author, organisation_a,
                                        practice_data(title="Matriisin malli"))
    services.publish_practice(author, practice, "Ensimmäinen")
    partner = community.invite_partner(author, practice, organisation_b)
    adoption = community.record_adoption(owner(organisation_b), organisation_b, practice,
                                         regions=["MK01"], since=None, note="")
    upload = FileStorage(BytesIO(PDF), filename="ohje.pdf", content_type="application/pdf")
    attachment = community.add_attachment(author, practice, upload)
    services.publish_practice(author, practice, "Liite")  # attachments are public once published
    db.session.commit()
    return {
        "practice_id": practice.id,
        "slug": practice.slug,
        "number": 1,
        "partner_id": partner.id,
        "attachment_id": attachment.id,
        "adoption_id": adoption.id,
    }
