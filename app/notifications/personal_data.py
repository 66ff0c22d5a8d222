"""What notifications hold about a person: their notices (with the text as they read it) and
their choice of mail per kind. Both are erased with the account.

Registered with app.core.personal_data, which the account's download and deletion read.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import delete, select

from app.core import personal_data
from app.extensions import db
from app.notifications import messages
from app.notifications.models import Notification, NotificationPreference
from app.notifications.services import mail_preferences, visible_to


def _notices(user) -> Iterator[dict]:
    # What the person may see: not the withheld ones (app.notifications.services.visible_to).
    statement = select(Notification.id, Notification.kind, Notification.params,
                       Notification.url, Notification.created_at,
                       Notification.read_at).where(visible_to(user))
    for row in personal_data.in_chunks(statement, Notification.id):
        notice = Notification(kind=row["kind"], params=row["params"])
        yield {"kind": str(row["kind"]), "text": messages.message(notice), "url": row["url"],
               "created_at": row["created_at"], "read_at": row["read_at"]}


def export_notifications(user) -> dict:
    """The person's notices (streamed) and their mail choices."""
    return {
        "notifications": _notices(user),
        "notification_mail_preferences": {str(kind): mail
                                          for kind, mail in mail_preferences(user).items()},
    }


def erase_notifications(user) -> None:
    """Delete the person's notices and choices (the account row itself stays, anonymised)."""
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(delete(NotificationPreference).where(
        NotificationPreference.user_id == user.id))


personal_data.register("notifications", exporter=export_notifications,
                       eraser=erase_notifications)
