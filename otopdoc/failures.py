"""What an officer sees when the database fails in the middle of a save.

Every writer runs in one transaction, so a failed save has written nothing. The pages
catch django.db.DatabaseError around the writer (outside its transaction, which has then
been rolled back, or its connection dropped and reopened on the next query), log the
error, and show the page again with what the officer typed and this message, instead of
a bare "Server Error (500)".
"""

import logging

from django.contrib import messages

logger = logging.getLogger("otopdoc.writes")

NOT_SAVED = (
    "ระบบบันทึกไม่สำเร็จ เนื่องจากการเชื่อมต่อฐานข้อมูลขัดข้อง ยังไม่ได้บันทึกข้อมูลใด ๆ "
    "สิ่งที่ท่านกรอกยังอยู่ในหน้านี้ กรุณากดบันทึกอีกครั้ง "
    "หากยังไม่สำเร็จโปรดแจ้งผู้ดูแลระบบ"
)


def write_failed(request, what, *, message=True):
    """Log the database error being handled, and tell the officer nothing was saved.

    Call it from an `except DatabaseError` block. With message=False the page shows
    NOT_SAVED itself (the confirmation pages show it as the batch's problem).
    """
    logger.exception(
        "%s failed, nothing written: %s %s by user %s",
        what,
        request.method,
        request.path,
        request.user.pk,
    )
    if message:
        messages.error(request, NOT_SAVED)
