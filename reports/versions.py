"""The national pages' cache, keyed by the version of the running totals they read.

The KPI table and the KPI and RT.4 (nation) workbooks sum tens of thousands of running
totals (reports.MonthTotal). Between two writes they come out the same, so they are built
once per version of the data and kept in Django's cache (settings.CACHES: a LocMemCache per
process by default, Redis or Memcached shared by several app servers, docs/deploy.md).

The version of a fiscal year is read in one small query on every request, never cached:
- the sum of the provinces' TotalsVersion counters of the year and the year before
  (reports.totals.refresh_months adds one in each writer's transaction, so the next read
  after a commit sees a new version and builds fresh figures);
- the count, last id, last load time and sum of the year's loaded targets (reports.targets
  loads them in place, which the counters do not see);
- the number of provinces and of districts (the tables list every province, and the
  completeness pages count a province's districts);
- the counters of renamed or moved provinces, districts and clusters (geography_changed):
  the pages keep the names they drew.
The key also holds the reader's scope (a province officer's table has its own row only)
and whatever else changes the result (the counted level, today's date for the months to
come), so no reader is ever given another scope's figures.
"""

import pickle
from io import BytesIO

from django.core.cache import cache
from django.db import connections, router
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe

from reports.excel import XLSX
from reports.models import Target, TotalsVersion
from sales.models import District, Province

# Long enough to last a working day; a new version makes a new key long before that.
TIMEOUT = 6 * 60 * 60
PREFIX = "national"
# The TotalsVersion "fiscal year" whose counters count renamed or moved areas.
NAMES = 0


def data_version(fiscal_year):
    """Return a string that changes with every committed change the national pages read.

    One query of four small aggregates (77 provinces, 878 districts, 2 × 77 counters, 77
    targets), read where the pages read their figures (the replica when there is one).
    """
    versions = TotalsVersion._meta.db_table
    targets = Target._meta.db_table
    provinces = Province._meta.db_table
    districts = District._meta.db_table
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {provinces}), (SELECT COUNT(*) FROM {districts}), "
        f"(SELECT COALESCE(SUM(version), 0) FROM {versions} WHERE fiscal_year IN (%s, %s, %s)), "
        f"t.n, t.last_id, t.last_loaded, t.bases "
        f"FROM (SELECT COUNT(*) AS n, MAX(id) AS last_id, MAX(loaded_at) AS last_loaded, "
        f"SUM(base) AS bases "
        f"FROM {targets} WHERE fiscal_year = %s) t"
    )
    with connections[router.db_for_read(TotalsVersion)].cursor() as cursor:
        cursor.execute(sql, [NAMES, fiscal_year - 1, fiscal_year, fiscal_year])
        row = cursor.fetchone()
    return "-".join(str(part).replace(" ", "T") for part in row)


def cached(name, fiscal_year, scope, build):
    """Return build()'s result for this version of the data, building it once per version.

    `scope` names whose figures these are ("all", a province's code, a counted level...):
    it is part of the key, so a province officer's result is never served to another reader.
    """
    key = f"{PREFIX}:{name}:{fiscal_year}:{scope}:{data_version(fiscal_year)}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value


def cached_xlsx(name, fiscal_year, scope, build_workbook, filename):
    """Return a workbook download, its bytes built once per version of the data and scope."""

    def build():
        buffer = BytesIO()
        build_workbook().save(buffer)
        return buffer.getvalue()

    response = HttpResponse(cached(name, fiscal_year, scope, build), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def cached_drawing(name, fiscal_year, scope, build, template):
    """Return (html, figures): build()'s figures and `template` drawn from them, per version.

    Drawing a national table through the template engine costs more than reading it, so
    both are kept: the HTML, served as it is, and the figures pickled apart. `figures` is a
    dict of lazy values, unpickled only if something reads them (a test, another template)
    rather than on every page. `scope` must hold everything else the drawing shows (the
    reader's area, what the reader may do, whether the deadline has passed...).
    """

    def draw():
        figures = build()
        return {
            "html": str(render_to_string(template, figures)),
            "keys": list(figures),
            "figures": pickle.dumps(figures, pickle.HIGHEST_PROTOCOL),
        }

    drawn = cached(name, fiscal_year, scope, draw)
    loaded = SimpleLazyObject(lambda: pickle.loads(drawn["figures"]))
    figures = {key: SimpleLazyObject(lambda key=key: loaded[key]) for key in drawn["keys"]}
    return mark_safe(drawn["html"]), figures


def geography_changed(sender, instance, created=False, **kwargs):
    """Count a new version of the names when a province, district or cluster changes.

    The cached pages hold the names they drew. A new or deleted area changes the counts in
    data_version; a renamed or moved one changes its provinces' counters of fiscal year
    NAMES (0), which data_version adds to every year's, in the database every app server
    reads.
    """
    from reports.totals import bump_version
    from sales.models import Cluster

    if created:
        return
    if isinstance(instance, Cluster):
        codes = Province.objects.filter(cluster=instance).values_list("pk", flat=True)
    elif isinstance(instance, Province):
        codes = [instance.pk]
    else:
        codes = [instance.province_id]
    for code in codes:
        bump_version(code, NAMES)
