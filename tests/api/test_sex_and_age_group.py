"""A person's sex and age group (issue 18), on both databases: recorded at enrolment from the
officer's choice, else from the ID card's title; a wrong value refused naming `sex`; changed
by PATCH; the age group computed from the date of birth; the enrolment migration's backfill
fills people enrolled before from their title; both in the person's export."""

from __future__ import annotations

import asyncio
import importlib

from tests.api.helpers import enrol

BACKFILL = "reporting_api.piccolo_migrations.reporting_api_2026_12_12t10_01_00_000000"


def test_enrolment_records_the_choice_else_the_title(api):
    titled = enrol(api, title_th="นางสาว")
    assert titled.status_code == 201, titled.text
    assert titled.json()["sex"] == "female"
    chosen = enrol(api, title_th="นาย", sex="not_stated")
    assert chosen.json()["sex"] == "not_stated"
    rank = enrol(api, title_th="ร.ต.อ.")
    assert rank.json()["sex"] == "not_stated"
    assert titled.json()["age_group"] in ("25-34", "35-44")  # born 17 May 1990


def test_a_wrong_sex_is_refused_naming_the_field(api):
    refused = enrol(api, sex="M")
    assert refused.status_code == 400
    assert "sex" in refused.text


def test_an_officer_changes_the_recorded_sex_and_it_is_in_the_export(api):
    person = enrol(api, title_th="นาย").json()
    url = f"/api/v1/defendants/{person['id']}"
    changed = api.request("officer_bkk", "PATCH", url, json={"sex": "female"})
    assert changed.status_code == 200 and changed.json()["sex"] == "female"
    wrong = api.request("officer_bkk", "PATCH", url, json={"sex": "x"})
    assert wrong.status_code == 400 and "sex" in wrong.text
    record = api.request("officer_bkk", "GET", url + "/export").json()
    assert record["person"]["sex"] == "female"


def test_the_backfill_fills_people_enrolled_before_from_their_title(api):
    from reporting_api.tables import Defendant

    ids = {t: enrol(api, title_th=t).json()["id"] for t in ("นาย", "นาง", "Dr")}
    chosen = enrol(api, title_th="นาง", sex="male").json()["id"]

    async def backfill() -> dict[int, str]:
        await Defendant.update({Defendant.sex: "not_stated"}).where(
            Defendant.id.is_in(list(ids.values()))
        )
        await Defendant.raw(importlib.import_module(BACKFILL).backfill_sql())
        rows = await Defendant.select(Defendant.id, Defendant.sex)
        return {r["id"]: r["sex"] for r in rows}

    sexes = asyncio.run(backfill())
    assert [sexes[ids[t]] for t in ("นาย", "นาง", "Dr")] == ["male", "female", "not_stated"]
    assert sexes[chosen] == "male"  # a recorded choice is left as it is
