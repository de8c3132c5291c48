from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from api.problems import Invalid

LINK = {"type": ["string", "null"], "format": "uri", "description": "the next or previous page"}


class Cursor(CursorPagination):
    """Pages of a list by an opaque cursor: stable while rows are added, no COUNT query."""

    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 2000
    ordering = "pk"

    def decode_cursor(self, request):
        """Refuse a cursor we did not make with 400 and its name, not DRF's 404."""
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise Invalid([("cursor", "cursor ไม่ถูกต้อง โปรดใช้ลิงก์ next จากหน้าก่อน")]) from None

    def get_paginated_response_schema(self, schema):
        # OpenAPI 3.1 spells "may be null" as a type list; DRF's own schema uses 3.0's
        # `nullable`, which 3.1 validators ignore.
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": LINK, "previous": LINK, "results": schema},
        }


class CodeCursor(Cursor):
    ordering = "code"
