from __future__ import annotations


def test_interactive_api_docs_are_served_from_local_static_files(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body
    assert "cdn." not in body


def test_the_django_admin_is_for_platform_admins_only(page_as):
    admin = page_as("platform_admin")
    assert admin.get("/admin/").status_code == 302  # not without a second factor (accounts/tests/test_mfa.py)
    session = admin.session
    session["liaison_mfa"] = {"state": "verified"}
    session.save()
    assert admin.get("/admin/").status_code == 200
    for role in ("agency_admin", "district_admin", "officer"):
        response = page_as(role).get("/admin/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
