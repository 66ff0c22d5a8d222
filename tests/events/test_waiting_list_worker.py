"""One racer in its own process, for test_waiting_list_concurrency.py (no tests here):

    python -m tests.events.test_waiting_list_worker DB_URL INSTANCE EVENT_ID READY GO ACTIONS

ACTIONS is a comma-separated list of `register:<user id>` and `cancel:<user id>`. Each person
signs in and opens the event page first; then the worker creates the file READY and waits
(bounded) for the file GO, so that every process starts at the same moment, and posts through
the real views, each person in a thread of its own. Each answer is printed as a JSON line
{"action", "user", "status"}.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time


def main(url: str, instance: str, event_id: str, ready_file: str, go_file: str,
         actions: str) -> None:
    from tests.concurrency.editor_worker import make_app, signed_in_client

    app = make_app(url, instance)
    clients = []
    for item in actions.split(","):
        action, user_id = item.split(":")
        client = signed_in_client(app, int(user_id))
        html = client.get(f"/events/{event_id}/register").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        clients.append((action, user_id, client, token))
    open(ready_file, "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(go_file):
        if time.monotonic() > deadline:
            raise SystemExit("no start signal")
        time.sleep(0.005)
    answers = []

    def post(action, user_id, client, token):
        path = (f"/events/{event_id}/register" if action == "register"
                else f"/events/{event_id}/registration/cancel")
        response = client.post(path, data={"csrf_token": token})
        answers.append({"action": action, "user": int(user_id),
                        "status": response.status_code})

    # Each person in a thread of their own: every request of every process races.
    threads = [threading.Thread(target=post, args=item) for item in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1, deadline - time.monotonic()))
    for answer in answers:
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
