"""Mail templates are plain text rendered with the app's Jinja settings, and `trim_blocks`
removes the newline after a block tag. A line of text that ends in a block tag (`{% endif %}`)
therefore runs into the next line: a subject line swallows the greeting ("Subject: ...
Hello Anna,") and paragraphs lose their blank line. Such a line must end in an expression
(`{{ "" }}`) instead; a block tag alone on its line is what trim_blocks is for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

MAIL = Path(__file__).resolve().parents[2] / "templates" / "mail"
BLOCK_ALONE = re.compile(r"^\s*\{%-?.*?-?%\}\s*$")


@pytest.mark.parametrize("path", sorted(MAIL.glob("*.txt")), ids=lambda p: p.name)
def test_no_line_of_text_ends_in_a_block_tag(path):
    bad = [f"{path.name}:{number}: {line[:60]}..."
           for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
           if line.rstrip().endswith("%}") and not BLOCK_ALONE.match(line)]
    assert not bad, "lines that run into the next one:\n" + "\n".join(bad)


def test_a_conditional_subject_keeps_the_greeting_apart(app, db, make_user):
    from app.core.email import render_mail

    user = make_user(name="Anna Esimerkki")

    class Organisation:
        name = "Kipinä ry"
        id = 1

    with app.test_request_context():
        subject, body = render_mail("join_decided", "en", user=user, approved=True,
                                    organisation=Organisation())
    assert subject == "You are now a member of Kipinä ry"
    assert body.startswith("Hello Anna Esimerkki,")
