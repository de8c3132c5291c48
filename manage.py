#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otopdoc.settings")
    if not os.environ.get("SECRET_KEY"):
        # A machine with no SECRET_KEY is a developer's: run commands in development mode.
        # A deployment sets SECRET_KEY, so its commands keep DEBUG off unless told; the web
        # server (otopdoc.wsgi) still refuses to start without the key.
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
