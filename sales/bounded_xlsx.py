"""Read an uploaded .xlsx within bounds of size, rows and time, whatever the file says.

An .xlsx is a zip of XML parts. The upload limit counts compressed bytes, but a part of a
few kilobytes can inflate to gigabytes (whitespace, one huge cell or attribute, millions
of shared strings), and a row numbered in the trillions makes openpyxl's row iterator
yield every missing row before it. An import is read inside a web worker's thread, where
no signal or gunicorn timeout can stop it, so every bound here is checked by the reader
itself:
1. inspect_archive: the zip's central directory, before anything is decompressed: the
   number of parts, each part's uncompressed size and its ratio to its compressed size.
   zipfile never inflates a part past the size the directory declares (a part that lies
   about its size fails its CRC check), so a declared size is a real bound.
2. sheet_rows: the sheet's rows as the XML parser meets them, with their real numbers:
   a row past the last one allowed stops the read at once, without filling the rows in
   between; the elapsed time is checked on every row.
"""

import time
import zipfile

from django import forms
from django.conf import settings
from openpyxl.worksheet._reader import WorkSheetParser

# The largest RT.1 file a district can have (2,000 rows, every cell filled, with Excel's
# styles) has a sheet of about 1.5 MB and compresses about 8 times; these bounds leave
# room for files saved by Excel or LibreOffice with formatting, and none for a bomb.
DEFAULT_MAX_PART_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_TOTAL_BYTES = 40 * 1024 * 1024
DEFAULT_MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024  # small parts (styles, a short sheet) may compress better
MAX_PARTS = 500
DEFAULT_READ_SECONDS = 15

TOO_BIG = (
    "ไฟล์นี้เมื่อคลายออกมีขนาดใหญ่ผิดปกติ ({what}) ระบบจึงไม่อ่านไฟล์ เพื่อไม่ให้ระบบช้าสำหรับผู้ใช้อื่น "
    "กรุณาใช้แบบฟอร์มที่ดาวน์โหลดจากระบบ คัดลอกเฉพาะข้อมูลลงไป แล้วบันทึกเป็น .xlsx อีกครั้ง"
)
TOO_SLOW = (
    "ระบบอ่านไฟล์นี้ไม่เสร็จภายใน {seconds} วินาที ซึ่งผิดปกติสำหรับแบบฟอร์ม รต.1 "
    "กรุณาใช้แบบฟอร์มที่ดาวน์โหลดจากระบบ คัดลอกเฉพาะข้อมูลลงไป แล้วบันทึกเป็น .xlsx อีกครั้ง"
)


def _setting(name, default):
    return getattr(settings, name, default)


def inspect_archive(upload):
    """Refuse an upload whose parts would inflate out of proportion, before parsing it.

    Reads only the zip's central directory. A file that is not a zip at all is left to
    openpyxl, which refuses it with the message for unreadable files.
    """
    max_part = _setting("OTOP_IMPORT_MAX_PART_BYTES", DEFAULT_MAX_PART_BYTES)
    max_total = _setting("OTOP_IMPORT_MAX_TOTAL_BYTES", DEFAULT_MAX_TOTAL_BYTES)
    max_ratio = _setting("OTOP_IMPORT_MAX_RATIO", DEFAULT_MAX_RATIO)
    try:
        with zipfile.ZipFile(upload) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    finally:
        upload.seek(0)
    if len(parts) > MAX_PARTS:
        raise _too_big(f"มีส่วนประกอบ {len(parts):,} ส่วน")
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > max_part:
            raise _too_big(f"ส่วน {part.filename[:60]} มีขนาด {_megabytes(part.file_size)}")
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_FROM_BYTES and ratio > max_ratio:
            raise _too_big(f"ส่วน {part.filename[:60]} ขยายได้ {ratio:,.0f} เท่า")
    if total > max_total:
        raise _too_big(f"รวม {_megabytes(total)}")


def _too_big(what):
    return forms.ValidationError(TOO_BIG.format(what=what), code="inflated")


def _megabytes(size):
    return f"{size / (1024 * 1024):,.1f} MB"


class Deadline:
    """The time an upload may take to read, checked by the reader as it goes.

    A thread of a gthread worker cannot be interrupted by a signal or by gunicorn's
    timeout, so the loop that reads the file asks the clock itself.
    """

    def __init__(self, seconds=None):
        self.seconds = (
            _setting("OTOP_IMPORT_READ_SECONDS", DEFAULT_READ_SECONDS)
            if seconds is None
            else seconds
        )
        self.ends = time.monotonic() + self.seconds

    def check(self):
        if time.monotonic() > self.ends:
            raise forms.ValidationError(
                TOO_SLOW.format(seconds=f"{self.seconds:g}"), code="too_slow"
            )


def sheet_rows(sheet, deadline, columns, last_row, past_last):
    """Yield (row number, values of the first `columns` columns) of a read-only sheet.

    Rows are yielded as the file has them: missing rows are not filled in, so a row
    numbered in the trillions costs what any row costs. A row numbered past `last_row` is
    given to `past_last(number, values)`, which may raise, or return True to end the read
    there, or False to skip the row (an empty row that only carries formatting).
    """
    workbook = sheet.parent
    with workbook._archive.open(sheet._worksheet_path) as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            deadline.check()
            values = [None] * columns
            for cell in cells:
                if 1 <= cell["column"] <= columns:
                    values[cell["column"] - 1] = cell["value"]
            if number <= last_row:
                yield number, values
            elif past_last(number, values):
                return
