from tests.api.helpers import enrol, enrol_with_case


def test_enrol_and_read(api):
    response = enrol(api)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["phone"] == "+66812345678"
    read = api.request("officer_bkk", "GET", f"/api/v1/defendants/{body['id']}")
    assert read.status_code == 200
    defendant, case = enrol_with_case(api)
    assert case["bail_amount"] == "50000.00"
