"""Data for the browser tests of partner calls (tests/browser/test_htmx_forms.py, page
"partner_thread", and tests/browser/test_partner_calls.py): made directly in the live server's
database."""

from __future__ import annotations

import itertools

_counter = itertools.count(1)


def partner_call_of_a_firm(server, title: str) -> tuple[int, int]:
    """An open partner call of a new staffing firm: (call id, the firm owner's user id). The
    owner signs in with the browser tests' password."""
    n = next(_counter)

    def _create():
        from app.auth.models import User
        from app.auth.passwords import hash_password
        from app.core.db import utcnow
        from app.extensions import db
        from app.organisations.models import Membership, Organisation, OrganisationStatus, Role
        from app.organisations.services import forget_memberships
        from app.partners import services
        from tests.browser.support import PASSWORD
        from tests.fixtures.organisations import valid_business_id
        from tests.partners.support import call_values

        owner = User(email=f"henkilosto{n}.{title[:3].lower()}@example.fi",
                     name="Hanna Henkilöstö", password_hash=hash_password(PASSWORD),
                     language="en", email_verified_at=utcnow())
        firm = Organisation(name=f"Henkilöstöpalvelu {n} Oy",
                            business_id=valid_business_id(5810 + n), type="staffing_firm",
                            description="Vuokratyötä ja rekrytointia.",
                            status=OrganisationStatus.verified, verified_at=utcnow())
        firm.regions, firm.target_groups = ["MK10"], ["partially_able_to_work"]
        db.session.add_all([owner, firm, Membership(organisation=firm, user=owner,
                                                    role=Role.owner)])
        db.session.flush()
        forget_memberships()
        partner_call = services.create_partner_call(owner, firm, call_values(title=title))
        db.session.commit()
        return partner_call.id, owner.id

    return server.run(_create)


def thread_to_answer(server, writer_id: int, organisation_id: int) -> str:
    """A firm's partner call answered by `organisation_id` (through `writer_id`, who writes
    next): the thread page's path."""
    partner_call_id, _owner = partner_call_of_a_firm(server, "Kumppani lomakkeille")

    def _answer():
        from app.auth.models import User
        from app.extensions import db
        from app.organisations.models import Organisation
        from app.organisations.services import forget_memberships
        from app.partners import services
        from app.partners.models import PartnerCall

        forget_memberships()
        message = services.answer_partner_call(
            db.session.get(User, writer_id), db.session.get(PartnerCall, partner_call_id),
            db.session.get(Organisation, organisation_id), "Olemme kiinnostuneita.")
        db.session.commit()
        return f"/partner-calls/{partner_call_id}/threads/{message.thread_id}"

    return server.run(_answer)
