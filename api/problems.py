"""Errors as problem details (RFC 9457): a Thai `detail`, and the path of each bad value.

Every error of the API leaves through problem_handler (REST_FRAMEWORK's EXCEPTION_HANDLER),
as `application/problem+json`:

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "ข้อมูลที่ส่งมาไม่ถูกต้อง ...",
     "errors": [{"field": "rows[2].domestic", "pointer": "/rows/2/domestic",
                 "detail": "ยอดจำหน่ายต้องไม่ติดลบ"}]}
"""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

MEDIA_TYPE = "application/problem+json"

DETAILS = {
    400: "ข้อมูลที่ส่งมาไม่ถูกต้อง ระบบไม่ได้บันทึกข้อมูลใด ๆ โปรดแก้ไขตามรายการใน errors",
    401: "ต้องส่งโทเค็นของระบบที่เชื่อมต่อ (Authorization: Bearer <โทเค็น>)",
    403: "ระบบที่เชื่อมต่อนี้ไม่มีสิทธิ์ทำรายการนี้",
    404: "ไม่พบข้อมูลนี้ในขอบเขตของระบบที่เชื่อมต่อ",
    405: "ไม่รองรับวิธีเรียกนี้",
    406: "ระบบตอบได้เฉพาะ JSON",
    409: "มีผู้อื่นบันทึกข้อมูลเดือนนี้ก่อน โปรดอ่านข้อมูลล่าสุดแล้วส่งใหม่",
    415: "ส่งข้อมูลได้เฉพาะ JSON (Content-Type: application/json)",
    423: "ระบบปิดรับข้อมูลอยู่ในขณะนี้",
    429: "เรียกใช้บ่อยเกินกำหนด โปรดรอแล้วลองใหม่",
}


class Locked(exceptions.APIException):
    status_code = 423
    default_detail = DETAILS[423]
    default_code = "locked"


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = DETAILS[409]
    default_code = "conflict"


class Invalid(exceptions.APIException):
    """Bad values, each with its field path: errors = [(path, detail), ...]."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, errors, detail=None):
        super().__init__(detail or DETAILS[400])
        self.errors = errors


def problem(status, detail, errors=None, headers=None):
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": str(detail),
    }
    if errors is not None:
        body["errors"] = [
            {"field": field, "pointer": _pointer(field), "detail": str(message)}
            for field, message in errors
        ]
    return Response(body, status=status, headers=headers, content_type=MEDIA_TYPE)


def problem_handler(exc, context):
    """Turn any exception DRF handles into problem details with a Thai detail."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if exc.args else DETAILS[404])
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) if exc.args else DETAILS[403])
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling and logging
    status = response.status_code
    headers = {
        k: v for k, v in response.headers.items() if k in ("WWW-Authenticate", "Retry-After")
    }
    if isinstance(exc, Invalid):
        return problem(status, exc.detail, exc.errors, headers)
    if isinstance(exc, exceptions.ValidationError):
        return problem(status, DETAILS[400], list(flatten(exc.detail)), headers)
    if isinstance(exc, exceptions.Throttled):
        wait = f" (อีกประมาณ {exc.wait:.0f} วินาที)" if exc.wait else ""
        return problem(status, DETAILS[429] + wait, headers=headers)
    detail = exc.detail if isinstance(exc.detail, str) else DETAILS.get(status, "")
    if status in (401, 405, 406, 415) or not _is_thai(detail):
        detail = DETAILS.get(status, detail)
    return problem(status, detail, headers=headers)


def flatten(detail, path=""):
    """Yield (field path, message) for every message of a DRF ValidationError's detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a ListSerializer's errors, by the item's index
                yield from flatten(value, f"{path}[{key}]")
                continue
            name = "" if key == "non_field_errors" else str(key)
            yield from flatten(value, f"{path}.{name}" if path and name else path or name)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            for message in detail:
                yield path, message
        else:
            for index, item in enumerate(detail):
                if item:
                    yield from flatten(item, f"{path}[{index}]")
    else:
        yield path, detail


def _pointer(field):
    """Turn "rows[2].domestic" into the JSON pointer "/rows/2/domestic"."""
    if not field:
        return ""
    return "/" + field.replace("[", ".").replace("]", "").replace(".", "/").lstrip("/")


def _is_thai(text):
    return any("\u0e00" <= char <= "\u0e7f" for char in str(text))


class ProblemFieldSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="path of the bad value, e.g. rows[2].domestic")
    pointer = serializers.CharField(help_text="the same path as a JSON pointer")
    detail = serializers.CharField(help_text="what is wrong, in Thai")


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="what went wrong, in Thai")
    errors = ProblemFieldSerializer(many=True, required=False)


def problem_responses(*statuses):
    """Return the schema's problem responses for these statuses (plus 401 and 429 always)."""
    codes = sorted({*statuses, 401, 405, 406, 429})
    return {
        (code, MEDIA_TYPE): OpenApiResponse(ProblemSerializer, description=DETAILS[code])
        for code in codes
    }
