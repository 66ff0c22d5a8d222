"""The other half of the form groups of test_attack_forms.py (a second file, so that the two
test processes share the work)."""

from __future__ import annotations

import pytest

from tests.security.test_attack_forms import GROUPS, HERE, fuzz_group
from tests.security.test_authorization_matrix import world  # noqa: F401 - a fixture

THERE = [group for group in GROUPS if group not in HERE]


def test_the_two_files_cover_every_group():
    assert sorted(HERE + THERE) == sorted(GROUPS) and not set(HERE) & set(THERE)


@pytest.mark.parametrize("group", THERE)
def test_every_form_survives_hypothesis(group, app, client, login_as, world, db, monkeypatch,  # noqa: F811
                                        make_application, make_call, make_practice):
    fuzz_group(group, app, client, login_as, world, db, monkeypatch, make_application,
               make_call, make_practice)
