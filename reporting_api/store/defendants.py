"""Queries on defendants (the people released on bail)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from piccolo.columns.combination import WhereRaw

from reporting_api.store import columns, fetch_page, row_as, rows_as
from reporting_api.store.rows import DefendantProfileRow
from reporting_api.tables import Defendant

# Everything but the photo bytes (clear or sealed), which only the photo endpoint opens.
PHOTO_BYTES = ("id_photo", "id_photo_sealed", "card_photo_sealed")
PROFILE_COLUMNS = tuple(c for c in Defendant.all_columns() if c._meta.name not in PHOTO_BYTES)
LIST_COLUMNS = (
    Defendant.id,
    Defendant.national_id,
    Defendant.title_th,
    Defendant.first_name_th,
    Defendant.last_name_th,
    Defendant.first_name_en,
    Defendant.last_name_en,
    Defendant.phone,
    Defendant.office,
)


class DefendantListRow(TypedDict):
    """A person in a search result."""

    id: int
    national_id: str
    title_th: str
    first_name_th: str
    last_name_th: str
    first_name_en: str | None
    last_name_en: str | None
    phone: str
    office: int


class PhotoRow(TypedDict):
    """The ID-card photo: sealed, or (stored before photos were sealed) still clear."""

    id: int
    id_photo: bytes | None
    id_photo_sealed: bytes | None
    id_photo_mime: str | None
    office: int


class FaceSourceRow(TypedDict):
    id: int
    face_template: bytes | None
    reporting_mode: str


async def any_defendants() -> bool:
    """Whether any defendant is stored (`seed-demo --if-empty` adds nothing then)."""
    return await Defendant.exists()


async def national_id_taken(national_id: str) -> bool:
    return await Defendant.exists().where(Defendant.national_id == national_id)


async def insert_defendant(values: dict[str, Any]) -> int:
    rows = await Defendant.insert(Defendant(**values)).returning(Defendant.id)
    return int(rows[0]["id"])


async def update_defendant(defendant_id: int, values: dict[str, Any]) -> None:
    await Defendant.update(columns(values)).where(Defendant.id == defendant_id)


async def get_defendant(defendant_id: int) -> DefendantProfileRow | None:
    query = Defendant.select(*PROFILE_COLUMNS).where(Defendant.id == defendant_id)
    return row_as(DefendantProfileRow, await query.output(load_json=True).first())


async def get_defendant_office(defendant_id: int) -> int | None:
    row = await Defendant.select(Defendant.office).where(Defendant.id == defendant_id).first()
    return row["office"] if row else None


PHOTO_COLUMNS = (
    Defendant.id,
    Defendant.id_photo,
    Defendant.id_photo_sealed,
    Defendant.id_photo_mime,
    Defendant.office,
)


async def get_photo(defendant_id: int) -> PhotoRow | None:
    row = await Defendant.select(*PHOTO_COLUMNS).where(Defendant.id == defendant_id).first()
    return row_as(PhotoRow, row)


class CardPhotoRow(TypedDict):
    """The ID-card photo kept (sealed) beside a photo taken at the office."""

    id: int
    card_photo_sealed: bytes | None
    card_photo_mime: str | None
    office: int


async def get_card_photo(defendant_id: int) -> CardPhotoRow | None:
    row = (
        await Defendant.select(
            Defendant.id, Defendant.card_photo_sealed, Defendant.card_photo_mime, Defendant.office
        )
        .where(Defendant.id == defendant_id)
        .first()
    )
    return row_as(CardPhotoRow, row)


async def save_sealed_photo(defendant_id: int, sealed: bytes, *, only_if_clear: bool) -> bool:
    """Store the sealed photo and empty the clear one; with ``only_if_clear``, only while the
    photo is still clear (two readers sealing the same photo at once: the first one wins)."""
    query = Defendant.update({Defendant.id_photo_sealed: sealed, Defendant.id_photo: None}).where(
        Defendant.id == defendant_id
    )
    if only_if_clear:
        query = query.where(Defendant.id_photo.is_not_null())
    return bool(await query.returning(Defendant.id))


async def clear_photos(after_id: int, limit: int) -> list[PhotoRow]:
    """Photos still stored in clear (before photos were sealed), by id after ``after_id``."""
    rows = (
        await Defendant.select(*PHOTO_COLUMNS)
        .where((Defendant.id > after_id) & Defendant.id_photo.is_not_null())
        .order_by(Defendant.id)
        .limit(limit)
    )
    return rows_as(PhotoRow, rows)


def _search_conditions(
    *,
    national_id: str | None,
    national_id_prefix: str | None,
    phone: str | None,
    name_words: list[str],
    office_id: int | None,
) -> list[Any]:
    conditions: list[Any] = []
    if office_id is not None:
        conditions.append(Defendant.office == office_id)
    if national_id is not None:
        conditions.append(Defendant.national_id == national_id)
    if national_id_prefix is not None:
        conditions.append(Defendant.national_id.like(national_id_prefix + "%"))
    if phone is not None:
        conditions.append(Defendant.phone == phone)
    if len(name_words) == 1:
        # Prefix matches only, so PostgreSQL can use the varchar_pattern_ops indexes.
        prefix = name_words[0] + "%"
        conditions.append(
            Defendant.first_name_th.like(prefix)
            | Defendant.last_name_th.like(prefix)
            | WhereRaw("lower(first_name_en) LIKE {}", prefix.lower())
            | WhereRaw("lower(last_name_en) LIKE {}", prefix.lower())
        )
    elif len(name_words) >= 2:
        first, last = name_words[0] + "%", " ".join(name_words[1:]) + "%"
        conditions.append(
            (Defendant.first_name_th.like(first) & Defendant.last_name_th.like(last))
            | (
                WhereRaw("lower(first_name_en) LIKE {}", first.lower())
                & WhereRaw("lower(last_name_en) LIKE {}", last.lower())
            )
        )
    return conditions


async def search_defendants(
    *,
    national_id: str | None = None,
    national_id_prefix: str | None = None,
    phone: str | None = None,
    name_words: list[str] | None = None,
    office_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[DefendantListRow], int]:
    conditions = _search_conditions(
        national_id=national_id,
        national_id_prefix=national_id_prefix,
        phone=phone,
        name_words=name_words or [],
        office_id=office_id,
    )
    query = Defendant.select(*LIST_COLUMNS).order_by(
        Defendant.last_name_th, Defendant.first_name_th, Defendant.id
    )
    return await fetch_page(DefendantListRow, query, Defendant.count(), conditions, offset, limit)


async def get_face_template(defendant_id: int) -> FaceSourceRow | None:
    """The sealed face template (None in the row when there is none yet)."""
    row = (
        await Defendant.select(Defendant.id, Defendant.face_template, Defendant.reporting_mode)
        .where(Defendant.id == defendant_id)
        .first()
    )
    return row_as(FaceSourceRow, row)


async def face_glasses(defendant_id: int) -> float | None:
    """The clear-glasses score kept with the face template's quality (None without one)."""
    row = (
        await Defendant.select(Defendant.face_quality)
        .where(Defendant.id == defendant_id)
        .output(load_json=True)
        .first()
    )
    quality = row["face_quality"] if row else None
    score = quality.get("glasses") if isinstance(quality, dict) else None
    return float(score) if isinstance(score, (int, float)) else None


async def save_face_template(
    defendant_id: int, sealed: bytes | None, quality: dict[str, Any], at: datetime | None
) -> None:
    await Defendant.update(
        {
            Defendant.face_template: sealed,
            Defendant.face_quality: quality,
            Defendant.face_encoded_at: at,
        }
    ).where(Defendant.id == defendant_id)


class NeedsPhotoRow(TypedDict):
    id: int
    title_th: str
    first_name_th: str
    last_name_th: str
    created_at: datetime


async def needing_photo(office_id: int, limit: int) -> tuple[list[NeedsPhotoRow], int]:
    """People of the office with an active case who report remotely but have no ID photo
    yet (enrolled by an import without one): the oldest first, and how many in all."""
    where = (
        "d.office = {} AND d.reporting_mode = 'remote' AND d.id_photo_mime IS NULL "
        "AND d.anonymised_at IS NULL AND EXISTS (SELECT 1 FROM bail_case c "
        "WHERE c.defendant = d.id AND c.status = 'active')"
    )
    rows = await Defendant.raw(
        "SELECT d.id, d.title_th, d.first_name_th, d.last_name_th, d.created_at "
        f"FROM defendant d WHERE {where} ORDER BY d.created_at, d.id LIMIT {{}}",
        office_id,
        limit,
    )
    count = await Defendant.raw(f"SELECT COUNT(*) AS n FROM defendant d WHERE {where}", office_id)
    return rows_as(NeedsPhotoRow, rows), int(count[0]["n"])
