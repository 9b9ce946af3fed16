"""The service's logs: one JSON object a line (`LOG_FORMAT=text` for a console), every record
passed through one redaction step before any handler writes it.

What never reaches a log (PDPA; docs/security.md, V7): the check-in link's code (`/c/<code>`
paths become `/c/<code>`), phone numbers (E.164 and Thai national forms), 13-digit national
ID numbers, e-mail addresses, the values of query strings (a search may hold a name), and the
last part of a client's address in access logs (an IPv4 address keeps its /24, IPv6 its /48).
The redaction rewrites the message, its arguments, the exception's traceback and the stack.

`logging_config(settings)` is the `dictConfig` both `bail-checkin serve` (handed to uvicorn,
which applies it in each worker) and `bail-checkin scheduler` use.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import traceback
from datetime import UTC, datetime
from typing import Any

from reporting_api.settings import Settings

CODE = "<code>"
PHONE = "<phone>"
NATIONAL_ID = "<national-id>"
EMAIL = "<e-mail>"

_LINK = re.compile(r"(/c/)(?!static/)[A-Za-z0-9_\-]{4,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_E164 = re.compile(r"(?<![\w+])\+\d[\d\- ]{6,15}\d(?!\d)")
_THAI_PHONE = re.compile(r"(?<![\w])0[1-9]\d?[\- ]?\d{3}[\- ]?\d{3,4}(?![\d])")
_NATIONAL_ID = re.compile(r"(?<!\d)\d[\- ]?\d{4}[\- ]?\d{5}[\- ]?\d{2}[\- ]?\d(?!\d)")
_QUERY_VALUE = re.compile(r"=[^&#\s\"]*")

ACCESS_LOGGER = "uvicorn.access"
ACCESS_FIELDS = ("client", "method", "path", "status")


def redact(text: str) -> str:
    """``text`` with link codes, national IDs, phone numbers and e-mail addresses replaced."""
    text = _LINK.sub(rf"\g<1>{CODE}", text)
    text = _EMAIL.sub(EMAIL, text)
    text = _NATIONAL_ID.sub(NATIONAL_ID, text)
    text = _E164.sub(PHONE, text)
    return _THAI_PHONE.sub(PHONE, text)


def redact_path(full_path: str) -> str:
    """A request's path as an access log may keep it: the link's code hidden, every query
    value dropped (the names stay: ``/admin/caseload?q=…&page=…``)."""
    path, mark, query = full_path.partition("?")
    kept = redact(path)
    return f"{kept}?{_QUERY_VALUE.sub('=…', query)}" if mark else kept


def mask_address(address: str) -> str:
    """A client's address without its host part: ``203.0.113.0/24``, ``2001:db8:1::/48``."""
    for host in (address, address.rsplit(":", 1)[0]):  # uvicorn writes "host:port"
        try:
            ip = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            continue
        prefix = 24 if ip.version == 4 else 48
        return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
    return "-"


class Redact(logging.Filter):
    """The one redaction step, on every handler: renders the message with its arguments,
    then redacts it, the traceback and the stack; uvicorn's access records also get their
    fields (`client`, `method`, `path`, `status`) for the JSON formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.name == ACCESS_LOGGER and isinstance(args, tuple) and len(args) == 5:
            client, method, path, version, status = args
            record.client = mask_address(str(client))
            record.method = str(method)
            record.path = redact_path(str(path))
            record.status = status
            record.msg = '%s - "%s %s HTTP/%s" %s'
            record.args = (mask_address(str(client)), str(method), redact_path(str(path)))
            record.args += (version, status)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the message
            message = f"{record.msg!s} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the access fields when
    present, and the (redacted) exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def logging_config(settings: Settings) -> dict[str, Any]:
    """The `logging.config.dictConfig` of the service: one handler on stderr, redacted,
    in `settings.log_format`; uvicorn's loggers write through it too."""
    level = settings.log_level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": Redact}},
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"format": TEXT_FORMAT},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": settings.log_format,
                "filters": ["redact"],
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            name: {"level": level, "handlers": [], "propagate": True}
            for name in ("uvicorn", "uvicorn.error", ACCESS_LOGGER)
        },
    }


def configure(settings: Settings) -> None:
    """Apply `logging_config` to this process."""
    import logging.config

    logging.config.dictConfig(logging_config(settings))


__all__ = [
    "JsonFormatter",
    "Redact",
    "configure",
    "logging_config",
    "mask_address",
    "redact",
    "redact_path",
]
