def test_home_page_renders_in_finnish_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="fi"' in response.get_data(as_text=True)


def test_registration_and_verification(client, mailbox, db):
    response = client.post("/register", data={
        "name": "Aino Virtanen", "email": "aino@example.fi",
        "password": "vihreä kettu juoksee", "password_again": "vihreä kettu juoksee",
        "language": "fi"})
    assert response.status_code == 302, response.get_data(as_text=True)
    mail = mailbox.last("aino@example.fi")
    link = mailbox.link(mail, "/verify")
    page = client.get(link)
    assert page.status_code == 200
    token = link.split("token=")[1]
    response = client.post("/verify", data={"token": token})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
