"""Record reads of personal data: one function for every channel (PDPA, issue 17 point 7).

record_personal_data_access is what the Excel downloads (ExcelDownloadLogMiddleware) and
the API call; it writes one PersonalDataAccess row.
"""

from django.contrib.auth import get_user_model

from privacy.models import PersonalDataAccess

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def record_personal_data_access(user_or_client, what, scope="", channel="api"):
    """Record that `user_or_client` read `what` (e.g. "producer names") within `scope`.

    `user_or_client` is an officer's User, or anything else that names the reader (an API
    client, a service account's label): its text is kept. Returns the record.
    """
    user, client = None, ""
    if isinstance(user_or_client, get_user_model()):
        user = user_or_client
    elif user_or_client is not None:
        client = str(user_or_client)[:200]
    return PersonalDataAccess.objects.create(
        user=user, client=client, channel=channel[:20], what=str(what)[:300], scope=str(scope)[:300]
    )


class ExcelDownloadLogMiddleware:
    """Record every Excel file a signed-in officer downloads: who, which file, when.

    Excel files are how producers' names leave the system; recording them here, by the
    response's type, covers every report and template, including ones added later.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            response.status_code == 200
            and response.get("Content-Type", "").startswith(XLSX_TYPE)
            and user is not None
            and user.is_authenticated
        ):
            record_personal_data_access(
                user, _filename(response), scope=request.get_full_path()[:300], channel="excel"
            )
        return response


def _filename(response):
    disposition = response.get("Content-Disposition", "")
    _, _, name = disposition.partition("filename=")
    return f"ไฟล์ Excel {name.strip(chr(34)) or 'ไม่ระบุชื่อ'}"
