"""The shipped list of offices: the central office and one per province."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from reporting_api.offices_data import CENTRAL_CODE, REGIONS, load_offices, short_office_name

THAI = re.compile(r"[\u0e00-\u0e7f]")
OFFICES = load_offices()
PROVINCIAL = [office for office in OFFICES if not office.is_central]


def test_central_office_plus_77_provinces() -> None:
    assert len(OFFICES) == 78
    assert OFFICES[0].code == CENTRAL_CODE
    assert OFFICES[0].province_th is None and OFFICES[0].province_en is None
    assert OFFICES[0].name_th == "กองทุนยุติธรรม สำนักงานปลัดกระทรวงยุติธรรม"
    assert OFFICES[0].name_en == "Justice Fund Office (central)"
    assert len(PROVINCIAL) == 77


def test_codes_and_provinces_are_unique() -> None:
    assert len({o.code for o in OFFICES}) == 78
    assert len({o.province_th for o in PROVINCIAL}) == 77
    assert len({o.province_en for o in PROVINCIAL}) == 77


def test_codes_are_iso_3166_2_th() -> None:
    assert all(re.fullmatch(r"TH-\d\d", o.code) for o in PROVINCIAL)
    by_code = {o.code: o for o in PROVINCIAL}
    assert by_code["TH-10"].province_en == "Bangkok"
    assert by_code["TH-50"].province_th == "เชียงใหม่"
    assert by_code["TH-38"].province_th == "บึงกาฬ"  # Bueng Kan, the newest province (2011)
    assert by_code["TH-39"].province_th == "หนองบัวลำภู"
    assert by_code["TH-96"].province_en == "Narathiwat"


def test_names_follow_the_pattern() -> None:
    by_code = {o.code: o for o in PROVINCIAL}
    assert by_code["TH-10"].name_th == "สำนักงานยุติธรรมกรุงเทพมหานคร"
    assert by_code["TH-10"].name_en == "Bangkok Justice Office"
    assert by_code["TH-50"].name_th == "สำนักงานยุติธรรมจังหวัดเชียงใหม่"
    assert by_code["TH-50"].name_en == "Chiang Mai Provincial Justice Office"
    for office in PROVINCIAL:
        if office.code != "TH-10":
            assert office.name_th == f"สำนักงานยุติธรรมจังหวัด{office.province_th}"
            assert office.name_en == f"{office.province_en} Provincial Justice Office"


def test_thai_names_are_in_thai_script() -> None:
    for office in OFFICES:
        assert THAI.search(office.name_th), office.code
        assert not THAI.search(office.name_en), office.code
    for office in PROVINCIAL:
        assert office.province_th and THAI.search(office.province_th), office.code


def test_regions_follow_the_six_region_system() -> None:
    assert {o.region for o in OFFICES} <= REGIONS
    counts = {region: sum(o.region == region for o in PROVINCIAL) for region in REGIONS}
    assert counts == {"north": 9, "northeast": 20, "central": 22, "east": 7, "west": 5, "south": 14}


def test_every_office_has_a_short_name_for_sms() -> None:
    central, bangkok = OFFICES[0], OFFICES[1]
    assert (central.short_th, central.short_en) == ("กองทุนยุติธรรม", "Justice Fund")
    assert (bangkok.short_th, bangkok.short_en) == ("ยุติธรรมกรุงเทพมหานคร", "Bangkok Justice Office")
    for office in PROVINCIAL:
        if office.code != "TH-10":
            assert office.short_th == f"ยุติธรรมจังหวัด{office.province_th}"
            assert office.short_en == f"{office.province_en} Justice Office"
    # Still one name per office, each no longer than the full one.
    assert len({o.short_th for o in OFFICES}) == len({o.short_en for o in OFFICES}) == 78
    assert max(len(o.short_th) for o in OFFICES) == 30  # ยุติธรรมจังหวัดพระนครศรีอยุธยา
    assert max(len(o.short_en) for o in OFFICES) == 39


def test_short_office_name_of_shipped_and_edited_names() -> None:
    for office in OFFICES:
        assert short_office_name(office.name_th, "th") == office.short_th
        assert short_office_name(office.name_en, "en") == office.short_en
    # A name an administrator wrote: the same rule, whitespace tidied.
    assert short_office_name("สำนักงานยุติธรรมจังหวัดเชียงใหม่ สาขาฝาง", "th") == (
        "ยุติธรรมจังหวัดเชียงใหม่ สาขาฝาง"
    )
    assert short_office_name("Fang  Provincial Justice Office", "en") == "Fang Justice Office"
    assert short_office_name("สำนักงาน", "th") == "สำนักงาน"
    assert short_office_name("Provincial Justice Office", "en") == "Provincial Justice Office"
    assert short_office_name("ศูนย์ยุติธรรมชุมชน", "th") == "ศูนย์ยุติธรรมชุมชน"


@given(name=st.text(max_size=80), language=st.sampled_from(["th", "en"]))
def test_a_short_name_is_never_longer_nor_empty_unless_the_name_is(
    name: str, language: str
) -> None:
    short = short_office_name(name, language)
    assert len(short) <= len(name)
    assert bool(short.strip()) == bool(name.strip())
