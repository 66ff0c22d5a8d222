"""My work: the signed-in person's organisations, invitations and, for admins, the queue."""

from app.organisations.models import OrganisationStatus, Role


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_login_required(client):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_empty_state(client, login_as, make_user):
    login_as(make_user())
    page = _html(client.get("/dashboard"))
    assert "<h1>My work</h1>" in page
    assert "You are not a member of any organisation yet." in page
    assert 'href="/organisations/new"' in page and 'href="/organisations"' in page
    assert "verification queue" not in page


def test_my_organisations_with_roles_and_status(client, login_as, make_user, make_organisation,
                                                add_member, db):
    user = make_user()
    owned = make_organisation("Oma ry", owner=user, verified=False)
    joined = make_organisation("Toinen ry")
    rejected = make_organisation("Hylätty ry", owner=user, verified=False)
    rejected.status = OrganisationStatus.rejected
    db.session.commit()
    add_member(joined, user, Role.editor)
    make_organisation("Vieras ry")
    login_as(user)
    page = _html(client.get("/dashboard"))
    assert page.index("Hylätty ry") < page.index("Oma ry") < page.index("Toinen ry")
    assert "Vieras ry" not in page
    assert "Your role: Owner" in page and "Your role: Editor" in page
    assert "Awaiting verification" in page and "Not verified" in page
    assert f'href="/organisations/{owned.id}/edit"' in page
    assert f'href="/organisations/{joined.id}/edit"' not in page  # editors do not edit the profile
    assert f'href="/organisations/{joined.id}/members"' in page
    assert "You are not a member" not in page


def test_pending_invitations_to_me(client, login_as, make_user, make_organisation, mailbox):
    owner = make_user()
    organisation = make_organisation("Kutsuja ry", owner=owner)
    login_as(owner)
    client.post(f"/organisations/{organisation.id}/invitations",
                data={"email": "kutsuttu@example.fi", "role": "member"})
    login_as(make_user(email="kutsuttu@example.fi"))
    page = _html(client.get("/dashboard"))
    assert "Kutsuja ry invites you as Member" in page
    assert "/invitations/" not in page  # the token is only in the mail
    login_as(make_user())
    assert "Kutsuja ry" not in _html(client.get("/dashboard"))


def test_admin_sees_the_queue_count(client, login_as, admin, make_organisation):
    make_organisation(verified=False)
    make_organisation(verified=False)
    make_organisation()
    login_as(admin)
    page = _html(client.get("/dashboard"))
    assert "2 organisations are waiting for verification." in page
    assert 'href="/admin/organisations"' in page


def test_models_of_all_my_organisations_in_one_list(client, login_as, make_user,
                                                    make_organisation, add_member, make_practice):
    user = make_user()
    first = make_organisation("Ensimmäinen ry", owner=user)
    second = make_organisation("Toinen ry")
    add_member(second, user, Role.member)
    make_practice(organisation=first, title="Julkaistu malli", published=True)
    make_practice(organisation=second, title="Toisen luonnos", published=False)
    make_practice(organisation=make_organisation("Vieras ry"), title="Vieras malli",
                  published=True)
    login_as(user)
    page = _html(client.get("/dashboard"))
    table = page.split('<section aria-labelledby="models-title">', 1)[1].split("</section>", 1)[0]
    assert "Julkaistu malli" in table and "Toisen luonnos" in table
    assert "Vieras malli" not in table
    assert "Ensimmäinen ry" in table and "Toinen ry" in table
    assert "Published" in table and "Draft" in table
    # The owner may edit the first organisation's model; a plain member not the second's.
    assert table.count(">Edit<") == 1


def test_dashboard_queries_do_not_grow_with_memberships(client, login_as, make_user,
                                                        make_organisation, add_member,
                                                        make_practice, count_queries):
    user = make_user()
    login_as(user)

    def _join_with_models(n):
        for _ in range(n):
            organisation = make_organisation()
            add_member(organisation, user, Role.editor)
            make_practice(organisation=organisation, published=True)
            make_practice(organisation=organisation, published=False)

    _join_with_models(1)
    client.get("/dashboard")
    with count_queries() as few:
        assert client.get("/dashboard").status_code == 200
    _join_with_models(4)
    with count_queries() as many:
        html = _html(client.get("/dashboard"))
    assert html.count("<tr>") == 1 + 10  # the header row and ten models
    assert few.count == many.count, (few.statements, many.statements)
