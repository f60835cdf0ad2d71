from reseau.core.extensions import db
from tests.factories import make_centre, make_coordinator, make_referent, make_user


def test_home_for_each_role(client, auth):
    centre = make_centre(name="Centre social du Blanc", town="Le Blanc")
    users = [make_coordinator(), make_referent(centre), make_user(centre=centre)]
    db.session.commit()
    for user in users:
        response = auth.login(user)
        assert response.status_code == 303, response.text
        page = client.get("/")
        assert f"Bonjour {user.first_name}" in page.text
        auth.logout()
