from __future__ import annotations


def test_supervisor_lists_the_agencys_schools(api_as, world):
    response = api_as("supervisor").get("/schools")
    assert response.status_code == 200
    names = [s["name"] for s in response.json()["items"]]
    assert names == ["Millbrook Elementary", "Millbrook High"]
