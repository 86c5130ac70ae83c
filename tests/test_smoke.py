def test_every_demo_account_lands_on_a_dutch_home_page(app, world):
    from tests.conftest import login

    for username in ("beheer", "adviseur", "coordinator", "klantmanager", "klantmanager2",
                     "intaker", "intaker2", "buddy"):
        client = app.test_client()
        response = login(client, username)
        assert response.status_code == 302
        page = client.get("/")
        assert page.status_code == 200
        assert '<html lang="nl"' in page.text
