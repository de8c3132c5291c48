"""Django's password validators with their messages in Thai.

Django's Thai translation leaves the validators' messages untranslated, so an officer
choosing a password would read English. The rules are Django's own; only the words change.
"""

from django.contrib.auth import hashers, password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return f"รหัสผ่านสั้นเกินไป ต้องมีอย่างน้อย {self.min_length} ตัวอักษร"

    def get_help_text(self):
        return f"รหัสผ่านต้องมีอย่างน้อย {self.min_length} ตัวอักษร"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return "รหัสผ่านคล้ายกับ%(verbose_name)sมากเกินไป"

    def get_help_text(self):
        return "รหัสผ่านต้องไม่คล้ายกับชื่อผู้ใช้หรือข้อมูลส่วนตัวอื่น"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return "รหัสผ่านนี้ง่ายและมีผู้ใช้กันมากเกินไป"

    def get_help_text(self):
        return "รหัสผ่านต้องไม่ใช่รหัสผ่านที่ใช้กันทั่วไป"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self):
        return "รหัสผ่านต้องไม่เป็นตัวเลขล้วน"

    def get_help_text(self):
        return "รหัสผ่านต้องไม่เป็นตัวเลขทั้งหมด"


class Argon2idHasher(hashers.Argon2PasswordHasher):
    """Argon2id at OWASP's minimum profile: 19 MiB of memory, 2 passes, 1 lane.

    Django's defaults (100 MiB, 8 lanes) cost a 2-core server about as much CPU per sign-in
    as PBKDF2 at a million iterations; this profile is the cheapest OWASP still recommends,
    and its memory cost is what makes guessing on graphics cards expensive. Django re-hashes
    a stored password on its next sign-in when its parameters differ from these.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
