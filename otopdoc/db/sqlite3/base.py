"""SQLite backend that knows the real limit on query parameters.

Django 5.2 assumes SQLite's old compile-time limit of 999 parameters and splits every bulk
insert or update into batches of that size, so saving a 300-row month costs more queries
than saving a 10-row one. SQLite 3.32 and later allow 32,766 (Debian's build: 250,000);
Django 6.0 asks the connection, and this backend does the same on Django 5.2.
"""

import sqlite3

from django.db.backends.sqlite3 import base, features


class DatabaseFeatures(features.DatabaseFeatures):
    @property
    def max_query_params(self):
        connection = self.connection
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
