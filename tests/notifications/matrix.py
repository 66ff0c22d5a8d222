"""Authorization-matrix rows for the notifications blueprint: every signed-in person has their
own notification centre and preferences; anonymous visitors are sent to log in.

A POST of an empty form: marking all read redirects back; the preferences form with no box
ticked is valid (no mail at all) and redirects after saving."""

from __future__ import annotations

from tests.security.test_authorization_matrix import signed_in

MATRIX = {
    "notifications.index": {"GET": signed_in(200)},
    "notifications.mark_all_read": {"POST": signed_in(302)},
    "notifications.settings": {"GET": signed_in(200), "POST": signed_in(302)},
}
