"""Questions on models through the pages: who sees what, asking, answering with htmx, hiding,
escaping, and the model page's query count."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.core.audit import AuditLog
from app.questions import services
from app.questions.models import Question, QuestionMessage

ROLES = ["anonymous", "b_member", "p_member", "asker", "a_colleague", "o_member", "o_editor",
         "admin"]
SEES_UNANSWERED = {"asker", "a_colleague", "o_member", "o_editor", "admin"}

UNANSWERED_TEXT = "Vastaamaton kysymysteksti"
ANSWERED_TEXT = "Vastattu kysymysteksti"
ANSWER_TEXT = "Tässä on omistajan vastaus"
HIDDEN_TEXT = "Loukkaava viesti joka piilotetaan"


def _html(response) -> str:
    return response.get_data(as_text=True)


def _model_url(practice) -> str:
    return f"/practices/{practice.id}-{practice.slug}"


def _q_url(question) -> str:
    return f"/practices/{question.practice_id}/questions/{question.id}"


@pytest.fixture
def threads(db, qw, ask, answer):
    """An unanswered question, an answered one, and an answered one with a hidden follow-up."""
    unanswered = ask("Avoin kysymys", UNANSWERED_TEXT)
    answered = ask("Vastattu kysymys", ANSWERED_TEXT)
    answer(answered, ANSWER_TEXT)
    hidden_thread = ask("Kysymys piilotetulla viestillä", "Asiallinen kysymys")
    answer(hidden_thread, "Asiallinen vastaus")
    follow_up = services.add_follow_up(qw.people["a_colleague"], hidden_thread, HIDDEN_TEXT)
    db.session.flush()
    services.hide_message(qw.people["o_editor"], follow_up, "Asiaton kielenkäyttö")
    db.session.commit()
    return unanswered, answered, hidden_thread


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_what(client, login_as, qw, threads, role):
    unanswered, answered, hidden_thread = threads
    if role != "anonymous":
        login_as(qw.people[role])
    sees_unanswered = role in SEES_UNANSWERED
    page = client.get(_q_url(unanswered))
    assert page.status_code == (200 if sees_unanswered else 404)
    assert (UNANSWERED_TEXT in _html(page)) is sees_unanswered
    page = client.get(_q_url(answered))
    assert page.status_code == 200
    assert ANSWERED_TEXT in _html(page) and ANSWER_TEXT in _html(page)
    page = client.get(_q_url(hidden_thread))
    assert page.status_code == 200
    assert "Message hidden: Asiaton kielenkäyttö" in _html(page)
    assert "Asiallinen vastaus" in _html(page)
    # the lists and the model page: the unanswered title only to those who see it
    for url in (f"/practices/{qw.practice.id}/questions", _model_url(qw.practice),
                f"/practices/{qw.practice.id}/questions?show=open"):
        body = _html(client.get(url))
        assert "Vastattu kysymys" in body or "show=open" in url
        assert ("Avoin kysymys" in body) is sees_unanswered, url
        assert HIDDEN_TEXT not in body
    model = _html(client.get(_model_url(qw.practice)))
    assert re.search(r'id="questions-count">\(2\)<', model)  # the public count: answered ones


def test_hidden_text_is_in_no_response(client, login_as, qw, threads, db):
    """Not to its writer, not to the moderator who hid it, not to an administrator."""
    unanswered, answered, hidden_thread = threads
    hidden = db.session.scalar(select(QuestionMessage).where(
        QuestionMessage.hidden_at.is_not(None)))
    urls = [_q_url(hidden_thread), f"/practices/{qw.practice.id}/questions",
            _model_url(qw.practice), "/notifications",
            f"{_q_url(hidden_thread)}/messages/{hidden.id}/hide"]
    for role in ROLES:
        if role != "anonymous":
            login_as(qw.people[role])
        for url in urls:
            response = client.get(url, follow_redirects=True)
            assert HIDDEN_TEXT not in _html(response), (role, url)
            htmx = client.get(url, headers={"HX-Request": "true"})
            assert HIDDEN_TEXT not in _html(htmx), (role, url)


def test_a_hidden_question_hides_its_title_and_leaves_the_owners_todo(client, login_as, qw, ask,
                                                                      db):
    question = ask("Roskapostia otsikossa", "Mainos")
    login_as(qw.people["o_owner"])
    assert "1 question is waiting for an answer" in _html(client.get(_model_url(qw.practice)))
    assert "1 question to answer" in _html(client.get("/dashboard"))
    services.hide_message(qw.people["o_owner"], question.messages[0], "Mainos")
    db.session.commit()
    model = _html(client.get(_model_url(qw.practice)))
    assert "waiting for an answer" not in model
    assert "question to answer" not in _html(client.get("/dashboard"))
    page = _html(client.get(_q_url(question)))
    assert "Hidden question" in page
    assert "Roskapostia" not in page and "Mainos</div>" not in page


# --- asking through the page -------------------------------------------------------------------


def test_ask_through_the_page(client, login_as, qw, db):
    login_as(qw.people["asker"])
    url = f"/practices/{qw.practice.id}/questions/new"
    page = client.get(url)
    assert page.status_code == 200
    refused = client.post(url, data={"organisation": str(qw.asking.id), "title": "",
                                     "body": "Teksti jää"})
    assert refused.status_code == 422
    assert "Write your question in brief." in _html(refused)
    assert "Teksti jää" in _html(refused)  # nothing typed is lost
    assert db.session.scalar(select(Question.id)) is None
    done = client.post(url, data={"organisation": str(qw.asking.id), "title": "Kysymys",
                                  "body": "Rivi 1\nRivi 2"})
    assert done.status_code == 302
    question = db.session.scalar(select(Question))
    assert done.headers["Location"].endswith(_q_url(question))


@pytest.mark.parametrize("who,status", [("o_member", 403), ("u_member", 403), ("admin", 403),
                                        ("b_member", 200)])
def test_who_gets_the_ask_page(client, login_as, qw, who, status):
    login_as(qw.people[who])
    assert client.get(f"/practices/{qw.practice.id}/questions/new").status_code == status


def test_ask_page_of_a_draft_is_hidden_and_anonymous_is_sent_to_log_in(client, login_as, qw):
    response = client.get(f"/practices/{qw.practice.id}/questions/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_as(qw.people["b_member"])
    assert client.get(f"/practices/{qw.draft.id}/questions/new").status_code == 404
    assert client.post(f"/practices/{qw.draft.id}/questions/new",
                       data={"title": "x", "body": "y"}).status_code == 404


# --- answering and following up with htmx --------------------------------------------------------


def test_htmx_answer_refused_keeps_the_text_then_saves(client, login_as, qw, ask, db):
    question = ask()
    login_as(qw.people["o_editor"])
    url = f"{_q_url(question)}/reply"
    too_long = "Vastaus " * 700  # 5,600 characters
    refused = client.post(url, data={"body": too_long}, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    body = _html(refused)
    assert body.lstrip().startswith('<div id="question-thread"')  # the fragment, not a page
    assert "The message can be at most 5,000 characters long." in body
    assert 'aria-invalid="true"' in body and too_long.strip() in body
    empty = client.post(url, data={"body": "  "}, headers={"HX-Request": "true"})
    assert empty.status_code == 422 and "Write your message." in _html(empty)
    assert db.session.get(Question, question.id).answered_at is None
    saved = client.post(url, data={"body": "Hyvä kysymys.\nVastaus tässä."},
                        headers={"HX-Request": "true"})
    assert saved.status_code == 200
    assert "Hyvä kysymys." in _html(saved) and "Vastaus tässä." in _html(saved)
    assert db.session.get(Question, question.id).answered_at is not None


def test_follow_up_without_htmx_redirects_to_the_message(client, login_as, qw, ask, answer, db):
    question = ask()
    answer(question)
    login_as(qw.people["a_colleague"])
    response = client.post(f"{_q_url(question)}/reply", data={"body": "Kiitos, entä kesällä?"})
    assert response.status_code == 302
    message = db.session.scalar(select(QuestionMessage).order_by(QuestionMessage.id.desc()))
    assert response.headers["Location"].endswith(f"#message-{message.id}")
    assert not message.is_answer


@pytest.mark.parametrize("who", ["o_member", "admin", "b_member"])
def test_who_may_not_reply(client, login_as, qw, ask, answer, who, db):
    question = ask()
    answer(question)
    login_as(qw.people[who])
    response = client.post(f"{_q_url(question)}/reply", data={"body": "Minäkin!"})
    assert response.status_code == 403
    assert db.session.scalar(select(QuestionMessage.id).where(
        QuestionMessage.body == "Minäkin!")) is None
    assert 'id="reply-form"' not in _html(client.get(_q_url(question)))


# --- hiding through the page -------------------------------------------------------------------


def test_hide_asks_for_confirmation_and_a_reason(client, login_as, qw, ask, answer, db):
    question = ask()
    reply = answer(question, "Puhelinnumero 040 123 4567")
    login_as(qw.people["o_owner"])
    url = f"{_q_url(question)}/messages/{reply.id}/hide"
    assert f'href="{url}"' in _html(client.get(_q_url(question)))
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Reason for hiding" in _html(confirm)
    assert db.session.get(QuestionMessage, reply.id).hidden_at is None  # GET changes nothing
    refused = client.post(url, data={"reason": ""})
    assert refused.status_code == 422 and "Give the reason" in _html(refused)
    assert db.session.get(QuestionMessage, reply.id).hidden_at is None
    done = client.post(url, data={"reason": "Henkilötietoja"})
    assert done.status_code == 302
    page = _html(client.get(_q_url(question)))
    assert "Message hidden: Henkilötietoja" in page and "040 123 4567" not in page
    entry = db.session.scalar(select(AuditLog).where(
        AuditLog.action == "question.message_hidden"))
    assert entry.actor_id == qw.people["o_owner"].id and entry.details["message_id"] == reply.id


@pytest.mark.parametrize("who,status", [("o_member", 403), ("asker", 403), ("b_member", 403)])
def test_who_may_not_hide(client, login_as, qw, ask, answer, who, status, db):
    question = ask()
    reply = answer(question)
    login_as(qw.people[who])
    url = f"{_q_url(question)}/messages/{reply.id}/hide"
    assert client.get(url).status_code == status
    assert client.post(url, data={"reason": "Syy"}).status_code == status
    assert db.session.get(QuestionMessage, reply.id).hidden_at is None


# --- escaping and query count ------------------------------------------------------------------

SCRIPT = '<script>alert("x")</script>'


def test_script_in_question_and_answer_is_escaped(client, login_as, qw, ask, answer):
    question = ask(f"Otsikko {SCRIPT}", f"Kysymys {SCRIPT}\n<img src=x onerror=alert(1)>")
    answer(question, f"Vastaus {SCRIPT}")
    for who in ("anonymous", "o_editor"):
        if who != "anonymous":
            login_as(qw.people[who])
        for url in (_q_url(question), f"/practices/{qw.practice.id}/questions",
                    _model_url(qw.practice)):
            body = _html(client.get(url))
            assert "&lt;script&gt;" in body, url
            assert SCRIPT not in body and "<img src=x" not in body, url


def test_model_page_queries_do_not_grow_with_questions(client, login_as, qw, ask, answer,
                                                       count_queries, make_organisation, db):
    def measure():
        with count_queries() as counter:
            assert client.get(_model_url(qw.practice)).status_code == 200
        return counter.count

    login_as(qw.people["o_owner"])
    answer(ask("Kysymys 0"))
    ask("Avoin 0")
    one = measure()
    for n in range(1, 10):  # each from an organisation of its own: nothing shared to cache
        organisation = make_organisation(name=f"Kysyjä {n} ry")
        person = organisation.memberships[0].user
        answer(services.ask_question(person, organisation, qw.practice, f"Kysymys {n}", "?"))
        services.ask_question(person, organisation, qw.practice, f"Avoin {n}", "?")
        db.session.commit()
    ten = measure()
    assert ten == one, f"{one} queries with 1 question, {ten} with 10"
    with count_queries() as counter:
        assert client.get(f"/practices/{qw.practice.id}/questions").status_code == 200
    listing = counter.count
    answer(ask("Vielä yksi"))
    with count_queries() as counter:
        client.get(f"/practices/{qw.practice.id}/questions")
    assert counter.count == listing


def test_every_xss_payload_is_harmless_on_every_question_page(client, login_as, qw, ask, answer,
                                                              db):
    """The security suite's payloads (tests/security/attack_support.py) through the real forms:
    a question (title and text), an answer and a follow-up; no payload element on any page."""
    from tests.security.attack_support import XSS_PAYLOADS
    from tests.security.test_attack_xss import harmful

    everything = "\n".join(XSS_PAYLOADS)[:5000]
    login_as(qw.people["asker"])
    asked = client.post(f"/practices/{qw.practice.id}/questions/new",
                        data={"organisation": str(qw.asking.id), "title": XSS_PAYLOADS[1],
                              "body": everything})
    assert asked.status_code == 302
    question = db.session.scalar(select(Question))
    login_as(qw.people["o_editor"])
    assert client.post(f"{_q_url(question)}/reply", data={"body": everything}).status_code == 302
    pages = [_q_url(question), f"/practices/{qw.practice.id}/questions", _model_url(qw.practice),
             f"{_q_url(question)}/messages/{question.messages[0].id}/hide", "/notifications",
             "/dashboard"]
    for who in ("o_editor", "asker"):
        login_as(qw.people[who])
        for url in pages:
            response = client.get(url)
            if response.status_code == 200:
                assert not harmful(_html(response)), (who, url, harmful(_html(response)))
    assert "&lt;script&gt;" in _html(client.get(_q_url(question)))
