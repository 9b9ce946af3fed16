"""Files attached to a person's request (issue 14 item 2), through the link's API on both
databases: chunked and resumable, checked by content, stored sealed, sent with a request,
downloaded by an officer with an audit row, purged when never attached."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from reporting_api.clock import utcnow
from tests import attachment_files as files
from tests.checkin.helpers import audit_rows, db, identify, open_check_in
from tests.checkin.test_requests import field_of


@pytest.fixture
def world(api):
    found = open_check_in(api)
    assert identify(api.client, found).status_code == 200
    return found


def start(api, world, name, size):
    return api.client.post(f"/c/{world['code']}/uploads", json={"name": name, "size": size})


def send_chunk(api, world, upload_id, offset, chunk, checksum=None):
    return api.client.patch(
        f"/c/{world['code']}/uploads/{upload_id}",
        content=chunk,
        headers={
            "Upload-Offset": str(offset),
            "Chunk-SHA256": checksum or hashlib.sha256(chunk).hexdigest(),
            "Content-Type": "application/octet-stream",
        },
    )


def upload(api, world, data, name="certificate.pdf", chunk_size=None):
    """The page's loop: start, then each chunk at the offset the server waits for."""
    started = start(api, world, name, len(data))
    assert started.status_code == 201, started.text
    body = started.json()
    size = chunk_size or body["chunk_size"]
    while body["status"] == "receiving":
        offset = body["offset"]
        sent = send_chunk(api, world, body["id"], offset, data[offset : offset + size])
        assert sent.status_code == 200, sent.text
        body = sent.json()
    return body


def stored_rows(token):
    from reporting_api.tables import AttachmentChunk, RequestAttachment

    row = db(RequestAttachment.select().where(RequestAttachment.token == token).first())
    chunks = db(AttachmentChunk.select().where(AttachmentChunk.attachment == row["id"]))
    return row, chunks


def test_an_upload_needs_the_person_identified_on_the_link(api):
    found = open_check_in(api)
    refused = start(api, found, "a.pdf", 100)
    assert refused.status_code == 401
    assert field_of(refused) == "session"


def test_a_pdf_sent_in_chunks_is_checked_sealed_and_sent_with_a_request(api, world):
    data = files.pdf(600_000)
    done = upload(api, world, data, name="ใบรับรองแพทย์.pdf", chunk_size=100_000)
    assert (done["status"], done["kind"], done["offset"]) == ("ready", "pdf", len(data))
    row, chunks = stored_rows(done["id"])
    assert row["sha256"] == hashlib.sha256(data).hexdigest()
    assert sum(c["length"] for c in chunks) == len(data) and len(chunks) == 6
    assert all(data[c["offset"] : c["offset"] + 64] not in bytes(c["data"]) for c in chunks)
    made = api.client.post(
        f"/c/{world['code']}/requests",
        json={"kind": "call_me", "text": "ส่งใบรับรองแพทย์", "attachment_ids": [done["id"]]},
    )
    assert made.status_code == 201, made.text
    assert made.json()["attachments"] == [
        {"name": "ใบรับรองแพทย์.pdf", "kind": "pdf", "size": len(data)}
    ]
    request_id = made.json()["id"]
    detail = api.request("officer_bkk", "GET", f"/api/v1/requests/{request_id}").json()
    [listed] = detail["attachments"]
    assert listed["sha256"] == row["sha256"] and listed["file_name"] == "ใบรับรองแพทย์.pdf"
    got = api.request(
        "officer_bkk", "GET", f"/api/v1/requests/{request_id}/attachments/{listed['id']}"
    )
    assert got.status_code == 200
    assert got.content == data
    assert got.headers["content-type"].startswith("application/pdf")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "filename*=UTF-8''%E0%B9%83%E0%B8%9A" in got.headers["content-disposition"]
    [audit] = audit_rows(listed["id"], "attachment.download", "attachment")
    assert audit["actor_username"] == "officer_bkk"
    # An officer of another office sees neither the request nor its file.
    other = api.request(
        "officer_cnx", "GET", f"/api/v1/requests/{request_id}/attachments/{listed['id']}"
    )
    assert other.status_code in (403, 404)


def test_a_photo_is_stored_without_its_gps(api, world):
    data = files.jpeg_with_gps((320, 240))
    done = upload(api, world, data, name="IMG_0001.JPG")
    assert (done["status"], done["kind"]) == ("ready", "jpeg")
    made = api.client.post(
        f"/c/{world['code']}/requests", json={"kind": "call_me", "attachment_ids": [done["id"]]}
    )
    request_id = made.json()["id"]
    [listed] = api.request("officer_bkk", "GET", f"/api/v1/requests/{request_id}").json()[
        "attachments"
    ]
    got = api.request(
        "officer_bkk", "GET", f"/api/v1/requests/{request_id}/attachments/{listed['id']}"
    ).content
    assert got[:3] == b"\xff\xd8\xff" and got != data
    assert b"PhoneMaker" not in got and b"Exif" not in got
    assert listed["sha256"] == hashlib.sha256(got).hexdigest()


@pytest.mark.parametrize(
    ("name", "make", "code"),
    [
        ("certificate.pdf", files.windows_program, "type"),
        ("letter.docx", files.docx_with_macros, "macros"),
        ("letter.docx", lambda: files.docx_with_zip_bomb(expanded_mb=250), "zip_bomb"),
        ("scan.pdf", lambda: files.pdf(200_000)[:150_000], "damaged"),
    ],
)
def test_a_disguised_or_broken_file_is_refused_with_a_reason_and_not_kept(
    api, world, name, make, code
):
    done = upload(api, world, make(), name=name)
    assert done["status"] == "refused"
    assert done["reason"] and done["reason_th"]
    row, chunks = stored_rows(done["id"])
    assert row["refusal"] == code and chunks == []
    again = api.client.get(f"/c/{world['code']}/uploads/{done['id']}").json()
    assert again["status"] == "refused" and again["reason_th"] == done["reason_th"]
    made = api.client.post(
        f"/c/{world['code']}/requests", json={"kind": "call_me", "attachment_ids": [done["id"]]}
    )
    assert made.status_code == 400 and field_of(made) == "attachment_ids"


def test_a_dropped_connection_resumes_at_the_offset_the_server_has(api, world):
    data = files.pdf(700_000)
    body = start(api, world, "a.pdf", len(data)).json()
    assert send_chunk(api, world, body["id"], 0, data[:262_144]).status_code == 200
    # The page lost the answer and sends the same chunk again: refused, nothing doubled.
    twice = send_chunk(api, world, body["id"], 0, data[:262_144])
    assert twice.status_code == 409 and field_of(twice) == "Upload-Offset"
    # After the reconnect it asks where the upload stands and goes on from there.
    state = api.client.get(f"/c/{world['code']}/uploads/{body['id']}").json()
    assert (state["offset"], state["status"]) == (262_144, "receiving")
    damaged = send_chunk(
        api, world, body["id"], 262_144, data[262_144:524_288], hashlib.sha256(b"x").hexdigest()
    )
    assert damaged.status_code == 400 and field_of(damaged) == "Chunk-SHA256"
    assert send_chunk(api, world, body["id"], 262_144, data[262_144:524_288]).status_code == 200
    last = send_chunk(api, world, body["id"], 524_288, data[524_288:])
    assert last.json()["status"] == "ready"
    _, chunks = stored_rows(body["id"])
    assert [c["offset"] for c in sorted(chunks, key=lambda c: c["offset"])] == [
        0,
        262_144,
        524_288,
    ]
    # A retried last chunk gets the result again, not an error.
    assert send_chunk(api, world, body["id"], 524_288, data[524_288:]).json()["status"] == "ready"


def test_bad_announcements_and_chunks_name_the_field(api, world):
    big = start(api, world, "film.mp4", 50 * 1024 * 1024 + 1)
    assert big.status_code == 413 and field_of(big) == "size"
    assert field_of(start(api, world, "a.pdf", 0)) == "size"
    body = start(api, world, "a.pdf", 10).json()
    no_offset = api.client.patch(f"/c/{world['code']}/uploads/{body['id']}", content=b"x")
    assert no_offset.status_code == 400 and field_of(no_offset) == "Upload-Offset"
    past = send_chunk(api, world, body["id"], 0, b"x" * 11)
    assert past.status_code == 400 and field_of(past) == "body"
    assert api.client.get(f"/c/{world['code']}/uploads/nosuchupload00").status_code == 404


def test_a_burst_of_the_same_chunk_stores_it_once(api, world, database_url):
    """Five copies of the first chunk at once (a page retrying on a bad network): one
    conditional update decides, on both databases."""
    import httpx

    from reporting_api.app import create_app
    from tests.conftest import settings_for_test, shared_verifier
    from tests.e2e.live import serve

    data = files.pdf(300_000)
    body = start(api, world, "a.pdf", len(data)).json()
    chunk = data[:100_000]
    cookie = {"bc_link": api.client.cookies.get("bc_link")}
    settings = settings_for_test(database_url)

    def send(url):
        return httpx.patch(
            f"{url}/c/{world['code']}/uploads/{body['id']}",
            content=chunk,
            cookies=cookie,
            headers={"Upload-Offset": "0", "Chunk-SHA256": hashlib.sha256(chunk).hexdigest()},
            timeout=60,
        ).status_code

    with serve(lambda url: create_app(settings, verifier=shared_verifier())) as url:
        with ThreadPoolExecutor(5) as pool:
            codes = sorted(pool.map(send, [url] * 5))
    assert codes.count(200) == 1 and codes.count(409) == 4, codes
    _, chunks = stored_rows(body["id"])
    assert len(chunks) == 1


def test_files_are_limited_to_five_a_request(api, world):
    ids = [upload(api, world, files.pdf(), name=f"{n}.pdf")["id"] for n in range(6)]
    made = api.client.post(
        f"/c/{world['code']}/requests", json={"kind": "call_me", "attachment_ids": ids}
    )
    assert made.status_code == 400 and field_of(made) == "attachment_ids"
    made = api.client.post(
        f"/c/{world['code']}/requests", json={"kind": "call_me", "attachment_ids": ids[:5]}
    )
    assert made.status_code == 201 and len(made.json()["attachments"]) == 5
    # A file goes with one request only.
    again = api.client.post(
        f"/c/{world['code']}/requests", json={"kind": "call_me", "attachment_ids": ids[:1]}
    )
    assert again.status_code == 400 and field_of(again) == "attachment_ids"


def test_unattached_uploads_are_purged_after_a_day_and_attached_ones_stay(api, world, database_url):
    import asyncio

    from reporting_api.services.retention import purge
    from reporting_api.tables import RequestAttachment
    from tests.conftest import settings_for_test

    settings = settings_for_test(database_url)
    kept = upload(api, world, files.pdf(), name="kept.pdf")
    left = upload(api, world, files.pdf(), name="left.pdf")
    made = api.client.post(
        f"/c/{world['code']}/requests", json={"kind": "call_me", "attachment_ids": [kept["id"]]}
    )
    assert made.status_code == 201
    assert asyncio.run(purge(utcnow() + timedelta(hours=23), settings)).unattached_files == 0
    report = asyncio.run(purge(utcnow() + timedelta(hours=25), settings))
    assert report.unattached_files == 1
    assert "1 uploaded files never sent with a request" in report.lines()
    assert db(RequestAttachment.select().where(RequestAttachment.token == left["id"])) == []
    assert stored_rows(kept["id"])[1]


def test_anonymising_the_person_deletes_their_files(api, world):
    import asyncio

    from reporting_api.store import privacy
    from reporting_api.tables import AttachmentChunk, RequestAttachment

    done = upload(api, world, files.pdf(), name="kept.pdf")
    made = api.client.post(
        f"/c/{world['code']}/requests", json={"kind": "call_me", "attachment_ids": [done["id"]]}
    )
    assert made.status_code == 201
    asyncio.run(privacy.anonymise(world["defendant"]["id"], utcnow()))
    assert db(RequestAttachment.select().where(RequestAttachment.token == done["id"])) == []
    assert db(AttachmentChunk.select()) == []


def test_a_check_that_fails_or_never_ends_is_refused_not_left_hanging(api, world, monkeypatch):
    from reporting_api.services import attachments
    from reporting_api.tables import RequestAttachment

    def broken(*_):
        raise RuntimeError("a reader's bug")

    monkeypatch.setattr(attachments, "inspect", broken)
    done = upload(api, world, files.pdf(), name="a.pdf")
    assert (done["status"], stored_rows(done["id"])[0]["refusal"]) == ("refused", "unchecked")
    assert done["reason_th"] == "ตรวจไฟล์ไม่สำเร็จ โปรดส่งใหม่อีกครั้ง"
    monkeypatch.undo()
    # A server that stopped mid-check left the upload "checking": ten minutes on, the page
    # hears it was given up.
    stuck = upload(api, world, files.pdf(), name="b.pdf")
    db(
        RequestAttachment.update(
            {
                RequestAttachment.status: "checking",
                RequestAttachment.updated_at: utcnow() - timedelta(minutes=11),
            }
        ).where(RequestAttachment.token == stuck["id"])
    )
    again = api.client.get(f"/c/{world['code']}/uploads/{stuck['id']}").json()
    assert again["status"] == "refused" and again["reason"].startswith("the file could not")


EVERY_TYPE = {
    "pdf": "scan.pdf",
    "jpeg": "photo.jpg",
    "png": "screenshot.png",
    "gif": "animation.gif",
    "txt": "note.txt",
    "doc": "letter.doc",
    "docx": "letter.docx",
    "xlsx": "hours.xlsx",
    "mp4": "clip.mp4",
}


def test_every_accepted_type_is_stored_and_given_back_to_the_officer(api, world):
    """One request carries five of the types, a second the other four (five a request)."""
    from tests.unit.test_attachment_checks import ACCEPTED

    sent = {}
    for kind, name in EVERY_TYPE.items():
        data = ACCEPTED[kind]()
        done = upload(api, world, data, name=name, chunk_size=max(1, len(data) // 2 + 1))
        assert (done["status"], done["kind"]) == ("ready", kind), done
        sent[done["id"]] = (kind, data)
    ids = list(sent)
    for chosen in (ids[:5], ids[5:]):
        # The staff's calls below drop the link's cookie: the person confirms who they are again.
        assert identify(api.client, world).status_code == 200
        made = api.client.post(
            f"/c/{world['code']}/requests", json={"kind": "call_me", "attachment_ids": chosen}
        )
        assert made.status_code == 201, made.text
        request_id = made.json()["id"]
        listed = api.request("officer_bkk", "GET", f"/api/v1/requests/{request_id}").json()[
            "attachments"
        ]
        assert sorted(a["kind"] for a in listed) == sorted(sent[i][0] for i in chosen)
        for attached in listed:
            got = api.request(
                "officer_bkk",
                "GET",
                f"/api/v1/requests/{request_id}/attachments/{attached['id']}",
            )
            assert got.status_code == 200
            assert hashlib.sha256(got.content).hexdigest() == attached["sha256"]
            [data] = [d for k, d in sent.values() if k == attached["kind"]]
            if attached["kind"] in ("pdf", "doc", "docx", "xlsx"):
                assert got.content == data  # documents are kept as sent
