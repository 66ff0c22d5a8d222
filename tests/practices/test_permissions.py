"""Who may edit, publish, archive, validate and adopt: every role × every state."""

import pytest
from flask_login import AnonymousUserMixin

from app.organisations.models import Role
from app.practices import permissions as p
from app.practices import services
from app.practices.models import PracticeState
from tests.practices.test_services import COMPLETE

ROLES = ["anonymous", "member", "editor", "owner", "other_org_editor", "ely_member",
         "ely_reviewer", "ely_call_manager", "own_ely_member", "admin"]
STATES = ["draft", "published", "published_changed", "archived"]


@pytest.fixture
def cast(make_user, make_organisation, add_member):
    """The people around one model owned by organisation A."""
    owner = make_user()
    a = make_organisation(name="A ry", owner=owner)
    people = {"anonymous": AnonymousUserMixin(), "owner": owner}
    for role in ("member", "editor"):
        people[role] = make_user()
        add_member(a, people[role], Role(role))
    people["other_org_editor"] = make_user()
    add_member(make_organisation(name="B ry"), people["other_org_editor"], Role.editor)
    # An ELY-centre's plain member, reviewer and call manager: only the last two validate.
    ely = make_organisation(type="regional_authority")
    for role, flags in (("ely_member", {}), ("ely_reviewer", {"reviewer": True}),
                        ("ely_call_manager", {"call_manager": True})):
        people[role] = make_user()
        add_member(ely, people[role], Role.member, **flags)
    people["own_ely_member"] = people["member"]
    people["admin"] = make_user(admin=True)
    return people, a


def _practice(state, people, organisation):
    practice = services.create_practice(people["owner"], organisation, COMPLETE)
    if state != "draft":
        services.publish_practice(people["owner"], practice)
    if state == "published_changed":
        services.save_practice(people["owner"], practice, {"summary": "Muutos."}, None)
    if state == "archived":
        services.archive_practice(people["owner"], practice)
    return practice


# expected[predicate][state] = set of roles allowed
EXPECTED = {
    "can_view_practice": {
        "draft": {"member", "editor", "owner", "own_ely_member", "admin"},
        "published": set(ROLES),
        "published_changed": set(ROLES),
        "archived": {"member", "editor", "owner", "own_ely_member", "admin"},
    },
    "can_edit_practice": {
        "draft": {"editor", "owner"}, "published": {"editor", "owner"},
        "published_changed": {"editor", "owner"}, "archived": set(),
    },
    "can_publish_practice": {
        "draft": {"editor", "owner"}, "published": set(),
        "published_changed": {"editor", "owner"}, "archived": set(),
    },
    "can_archive_practice": {
        "draft": set(), "published": {"editor", "owner"},
        "published_changed": {"editor", "owner"}, "archived": set(),
    },
    "can_restore_practice": {
        "draft": set(), "published": set(), "published_changed": set(),
        "archived": {"editor", "owner"},
    },
    "can_validate_practice": {
        "draft": set(), "published": {"ely_reviewer", "ely_call_manager"},
        "published_changed": {"ely_reviewer", "ely_call_manager"}, "archived": set(),
    },
    "can_adopt_practice": {
        "draft": set(),
        "published": {"other_org_editor", "ely_member", "ely_reviewer", "ely_call_manager"},
        "published_changed": {"other_org_editor", "ely_member", "ely_reviewer",
                              "ely_call_manager"},
        "archived": set(),
    },
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("predicate", list(EXPECTED))
def test_predicate_matrix(cast, state, predicate, db):
    people, organisation = cast
    practice = _practice(state, people, organisation)
    db.session.commit()
    check = getattr(p, predicate)
    allowed = {role for role in ROLES if role != "own_ely_member" and check(people[role], practice)}
    expected = EXPECTED[predicate][state] - {"own_ely_member"}
    assert allowed == expected, f"{predicate} in {state}"


def test_unverified_organisation_can_write_but_not_publish(make_user, make_organisation):
    owner = make_user()
    organisation = make_organisation(verified=False, owner=owner)
    assert p.can_create_practice(owner, organisation)
    practice = services.create_practice(owner, organisation, COMPLETE)
    assert p.can_edit_practice(owner, practice)
    assert not p.can_publish_practice(owner, practice)


def test_validated_model_can_be_withdrawn_only_by_its_validator(cast, make_user, make_organisation,
                                                                add_member, db):
    from app.practices import community

    people, organisation = cast
    practice = _practice("published", people, organisation)
    from app.organisations.services import user_organisations

    ely_org = user_organisations(people["ely_reviewer"])[0]
    community.validate_practice(people["ely_reviewer"], ely_org, practice, "Hyvä malli.")
    other_ely_user = make_user()
    add_member(make_organisation(type="regional_authority"), other_ely_user, Role.member,
               reviewer=True)
    assert not p.can_validate_practice(people["ely_reviewer"], practice)
    assert p.can_withdraw_validation(people["ely_reviewer"], practice)
    assert p.can_withdraw_validation(people["ely_call_manager"], practice)
    # The centre's plain member does not answer for it; nor does another centre's reviewer.
    assert not p.can_withdraw_validation(people["ely_member"], practice)
    assert not p.can_withdraw_validation(other_ely_user, practice)
    assert p.can_withdraw_validation(people["admin"], practice)
    assert practice.state == PracticeState.published
