"""The shipped list of offices: the central office and one per province."""

from __future__ import annotations

import re

from reporting_api.offices_data import CENTRAL_CODE, REGIONS, load_offices

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
