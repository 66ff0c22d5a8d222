"""One editor in its own process (python -m tests.concurrency.editor_worker), for
test_no_acknowledged_save_is_lost.py:

    python -m tests.concurrency.editor_worker KIND DB_URL INSTANCE USER_ID OBJECT_ID TAG N

KIND is "practice" (a service model's autosave) or "section" (an application section's
autosave). The editor saves N unique markers through the real views, as htmx does, always
sending the version it last learned: from its own "Saved" answer, or from the conflict shown
to it. Each answer is printed as one JSON line: {"marker", "base", "ok", "version"}.
"""

from __future__ import annotations

import json
import re
import secrets
import sys

VERSION = {
    "practice": (re.compile(r'name="lock_version" id="lock_version" value="(\d+)"'),
                 re.compile(r'name="lock_version" value="(\d+)"')),
    "section": (re.compile(r'name="section_version" value="(\d+)"'),
                re.compile(r'name="keep_mine_version" value="(\d+)"')),
}


def make_app(url: str, instance: str):
    from app import create_app

    return create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": instance,
                               "MAIL_DIR": f"{instance}/mail", "UPLOAD_DIR": f"{instance}/uploads",
                               "SEARCH_INDEX_DIR": f"{instance}/index",
                               "RATELIMIT_ENABLED": False})


def signed_in_client(app, user_id: int):
    from app.auth.models import UserSession
    from app.auth.sessions import _hash
    from app.extensions import db

    token = secrets.token_urlsafe(32)
    with app.app_context():
        db.session.add(UserSession(user_id=user_id, token_hash=_hash(token)))
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


def main(kind: str, url: str, instance: str, user_id: str, object_id: str, tag: str,
         n: str) -> None:
    app = make_app(url, instance)
    client = signed_in_client(app, int(user_id))
    page = (f"/practices/{object_id}/edit" if kind == "practice"
            else f"/calls/applications/{object_id}")
    html = client.get(page).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    saved, conflicted = VERSION[kind]
    if kind == "practice":
        with app.app_context():
            from app.extensions import db
            from app.practices.models import Practice

            fields = db.session.get(Practice, int(object_id)).content()
            known = db.session.get(Practice, int(object_id)).lock_version
        url_ = f"/practices/{object_id}/autosave"
    else:
        known = int(saved.search(html.split('id="section-background"', 1)[1]).group(1))
        url_ = f"/calls/applications/{object_id}/sections/background/autosave"
    for i in range(int(n)):
        marker = f"{tag}-{i}"
        if kind == "practice":
            data = {k: v for k, v in fields.items() if not isinstance(v, list)}
            data.update({"summary": f"Tiivistelmä {marker}", "lock_version": str(known),
                         "tags": ", ".join(fields.get("tags") or [])})
            for name in ("target_groups", "work_forms", "regions"):
                data[name] = list(fields.get(name) or [])
        else:
            data = {"background": f"Tausta {marker}", "section_version": str(known)}
        data["csrf_token"] = token
        response = client.post(url_, data=data, headers={"HX-Request": "true",
                                                          "Accept-Language": "en"})
        body = response.get_data(as_text=True)
        ok = response.status_code == 200
        match = (saved if ok else conflicted).search(body)
        if response.status_code not in (200, 409) or match is None:
            print(json.dumps({"marker": marker, "base": known, "ok": False, "version": None,
                              "status": response.status_code}), flush=True)
            continue
        print(json.dumps({"marker": marker, "base": known, "ok": ok,
                          "version": int(match.group(1)), "status": response.status_code}),
              flush=True)
        known = int(match.group(1))


if __name__ == "__main__":
    main(*sys.argv[1:])
