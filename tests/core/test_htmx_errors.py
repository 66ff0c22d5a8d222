"""What an htmx request gets when it fails for a reason other than refused input: a short
answer that is never swapped into the page (`HX-Reswap: none`) and carries its message in a
header for the page's script, which shows it in place while the typed text stays."""

from __future__ import annotations

from urllib.parse import unquote

HX = {"HX-Request": "true"}


def _message(response) -> str:
    assert response.headers["HX-Reswap"] == "none"
    return unquote(response.headers["X-Error-Message"])


def test_signed_out_htmx_save_answers_401_with_a_message(client, make_practice):
    practice = make_practice()
    response = client.post(f"/practices/{practice.id}/autosave", data={"title": "X"},
                           headers=HX)
    assert response.status_code == 401
    assert "signed out" in _message(response)
    # Without htmx the browser goes to the log-in page as before.
    response = client.post(f"/practices/{practice.id}/autosave", data={"title": "X"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_expired_form_token_asks_the_script_to_renew_it(client, login_as, make_user):
    login_as(make_user())
    response = client.post("/language", data={"lang": "sv", "csrf_token": "stale"}, csrf=False,
                           headers=HX)
    assert response.status_code == 400
    assert response.headers["X-CSRF-Expired"] == "1"
    assert "expired" in _message(response)
    token = client.get("/csrf-token").get_json()["token"]
    assert client.get("/csrf-token").headers["Cache-Control"] == "no-store"
    response = client.post("/language", data={"lang": "sv", "csrf_token": token}, csrf=False,
                           headers=HX)
    assert response.status_code == 302


def test_missing_and_too_large_answer_in_place(client, app, login_as, make_user, monkeypatch):
    login_as(make_user())
    response = client.post("/practices/999999/autosave", data={}, headers=HX)
    assert response.status_code == 404 and "does not exist" in _message(response)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post("/practices/preview", data={"text": "x" * 5000}, headers=HX)
    assert response.status_code == 413 and "larger than the limit" in _message(response)


def test_pages_without_htmx_still_get_the_error_page(client, login_as, make_user):
    login_as(make_user())
    response = client.get("/practices/999999/edit")
    assert response.status_code == 404
    assert "HX-Reswap" not in response.headers
    assert "<html" in response.get_data(as_text=True)
