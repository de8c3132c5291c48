"""The authentication backend: Django's, with the signed-in user read in one query."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class OfficerBackend(ModelBackend):
    """Django's ModelBackend; a request's user comes with its officer and area.

    Every page scopes by the officer and names its area in the menu (Officer.area_label):
    reading the user, then its officer, district and province took four queries a request,
    about a quarter of a short page's CPU; otopdoc.access finds the officer's own area
    here too. Sign-in, passwords and permissions are ModelBackend's own.
    """

    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related(
                "officer__district__province__cluster", "officer__province__cluster"
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
