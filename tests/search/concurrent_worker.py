"""A separate process for the concurrency tests (python -m tests.search.concurrent_worker).

    publish DB_URL INDEX_DIR INSTANCE N TAG   create and publish N models, catching up after each
    hold DB_URL INDEX_DIR INSTANCE            take the write lock, half-write, wait to be killed
"""

from __future__ import annotations

import sys
import time


def make_app(url: str, index_dir: str, instance: str):
    from app import create_app

    return create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": index_dir,
                               "INSTANCE_DIR": instance, "MAIL_DIR": f"{instance}/mail",
                               "UPLOAD_DIR": f"{instance}/uploads"})


def publish(app, n: int, tag: str) -> None:
    from app.auth.models import User
    from app.core.db import utcnow
    from app.extensions import db
    from app.organisations.models import Membership, Organisation, OrganisationStatus, Role
    from app.practices import services
    from app.search import indexer
    from tests.fixtures.practices import practice_data

    with app.app_context():
        user = User(email=f"{tag}@example.fi", name=tag, password_hash="x", language="fi",
                    email_verified_at=utcnow())
        organisation = Organisation(name=f"Organisaatio {tag}", business_id=f"{tag[:1]}000000-0",
                                    type="ngo", status=OrganisationStatus.verified,
                                    verified_at=utcnow())
        db.session.add_all([user, organisation,
                            Membership(organisation=organisation, user=user, role=Role.owner)])
        db.session.commit()
        user_id, organisation_id = user.id, organisation.id
        for i in range(n):
            user = db.session.get(User, user_id)
            organisation = db.session.get(Organisation, organisation_id)
            practice = services.create_practice(
                user, organisation, practice_data(title=f"Malli {tag} {i} rinnakkaisuus"))
            services.publish_practice(user, practice)
            db.session.commit()
            indexer.catch_up(timeout=0.0)  # leaves the work to the other process when busy
            db.session.remove()


def hold(app) -> None:
    from app.search import indexer, store
    from app.search.writing import open_writer

    with app.app_context():
        root = store.index_root()
        indexer.ensure_index(root)
        ix = store.open_generation(root, store.current_generation(root))
        writer = open_writer(ix)
        for i in range(50):
            writer.add_document(id=f"practice:{900000 + i}", kind="practice",
                                text_fi="puolivalmis kirjoitus", title="Puolivalmis")
        print("locked", flush=True)
        time.sleep(600)


if __name__ == "__main__":
    mode, url, index_dir, instance, *rest = sys.argv[1:]
    application = make_app(url, index_dir, instance)
    if mode == "publish":
        publish(application, int(rest[0]), rest[1])
    elif mode == "hold":
        hold(application)
