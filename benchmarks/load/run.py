"""Deadline-day load test: hundreds of officers at once against a running server.

Usage (server started as benchmarks/load/README.md says, on the same DATABASE_URL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/otop_load \\
        .venv/bin/python benchmarks/load/run.py --base-url http://127.0.0.1:8002

Steps:
1. Prepare the database (prepare.py): choose the districts, create the missing load
   accounts, put the target month of those districts back to empty.
2. Sign every virtual officer in, `--concurrency` at a time (timed, reported apart: a
   PBKDF2 check costs a server core a few hundred milliseconds).
3. The timed phase, `--concurrency` virtual officers at a time:
   - each district officer opens its month's entry page (prefilled from last month),
     types a new random amount into every row and saves, `--saves` times, following the
     redirect each time; then confirms every batch of the month at district level;
   - when a district has confirmed, its province officer (one of `--provinces`) opens the
     province confirmation page of that district and confirms the first batch of up to 100
     rows, for `--province-batches` districts;
   - department users open the KPI page of the fiscal year, `--kpi-repeat` times each.
   No two virtual officers write to one district-month at the same time, as in real life.
4. Check the database: every saved row holds the last amounts its officer saved, the
   running totals (reports.MonthTotal) equal the rows, every row is district-confirmed,
   the province's ticks are province-confirmed by that officer, the month's revision
   counts the saves, and the audit trail holds one entry per create, change and tick.
5. Print per kind of request: count, throughput, p50, p95, max, errors and the server's
   CPU time; then each phase's wall time and the CPU seconds of this client, the server
   and the database (ServerCpu); exit 1 on any error or mismatch.
"""

import argparse
import concurrent.futures
import html
import http.client
import json
import os
import random
import re
import statistics
import sys
import threading
import time
import traceback
import urllib.parse
from collections import defaultdict
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpu  # noqa: E402  (sibling scripts, not a package)
import prepare  # noqa: E402

TIMEOUT = 120
SAVED = "บันทึกข้อมูลสมบูรณ์"
KINDS = (
    "login GET",
    "login POST",
    "entry GET",
    "entry POST",
    "district confirm GET",
    "district confirm POST",
    "province confirm GET",
    "province confirm POST",
    "KPI GET",
)


class LoadError(Exception):
    """A request that did not do what a real officer's browser would have seen it do."""


# --- HTML forms ---------------------------------------------------------------------------


# The tags a form is made of, and what to skip whole: comments, scripts, styles. A regular
# expression over these few tags costs the client a tenth of html.parser's walk over every
# tag and text of a page, and the client shares the server's cores.
TAG = re.compile(
    r"<!--.*?-->|<(script|style)\b.*?</\1\s*>"
    r"|<(/?)(form|input|select|option|textarea|template)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.DOTALL | re.IGNORECASE,
)
ATTRIBUTE = re.compile(r"""([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
TEXTAREA_END = re.compile(r"</textarea\s*>", re.IGNORECASE)


def _attributes(text):
    return {
        name.lower(): html.unescape(double or single or bare or "")
        for name, double, single, bare in ATTRIBUTE.findall(text)
    }


def read_forms(page):
    """Return {form id: its controls} for every form of the page, as a browser submits them.

    A control belongs to the form it sits in unless its `form` attribute names another;
    controls elsewhere with form="<id>" belong too. Contents of <template> are skipped
    (the entry page's blank row). Each control is a dict: name, value, type, checked,
    disabled, and for a select its option values.
    """
    forms, found = defaultdict(list), set()
    current, select, template, position = None, None, 0, 0
    while match := TAG.search(page, position):
        position = match.end()
        closing, tag = match.group(2), (match.group(3) or "").lower()
        if tag == "template":
            template += -1 if closing else 1
        if not tag or template or tag == "template":
            continue
        if closing:
            if tag == "form":
                current = None
            elif tag == "select":
                select = None
            continue
        attrs = _attributes(match.group(4))
        if tag == "form":
            current = attrs.get("id")
            found.add(current)
            continue
        if tag == "option":
            if select is not None:
                value = attrs.get("value", "")
                select["options"].append(value)
                if "selected" in attrs or select["value"] is None:
                    select["value"] = value
            continue
        owner = attrs.get("form", current)
        if not attrs.get("name") or owner is None:
            continue
        control = {
            "name": attrs["name"],
            "type": attrs.get("type", "text").lower(),
            "checked": "checked" in attrs,
            "disabled": "disabled" in attrs,
        }
        if tag == "input":
            control["value"] = attrs.get("value", "on" if control["type"] == "checkbox" else "")
        elif tag == "select":
            control.update(type="select", value=None, options=[], checked=False)
            select = control
        else:  # textarea: its text up to the closing tag
            end = TEXTAREA_END.search(page, position)
            stop = end.start() if end else len(page)
            control.update(type="textarea", value=html.unescape(page[position:stop]))
            control["checked"] = False
            position = end.end() if end else stop
        forms[owner].append(control)
    return {form_id: forms[form_id] for form_id in found if form_id is not None}


def read_form(page, form_id):
    """Return the controls of the form `form_id` in `page`; LoadError if it is missing."""
    forms = read_forms(page)
    if form_id not in forms:
        raise LoadError(f"no form #{form_id} on the page")
    return forms[form_id]


GRID_DOCUMENT = re.compile(
    r'<script type="application/json" id="grid-data">(.*?)</script>', re.DOTALL
)
GRID_FIELDS = ("id", "version", "name", "product_type", "producer_type", "domestic", "export")


def grid_rows(html):
    """Return the (name, value) pairs of the entry grid's rows, as static/js/entry.js draws them.

    The grid's rows travel as one JSON document in the page (sales.views.entry.grid_document);
    the script draws each row's inputs, named rows-<i>-<field>, into the form. A row that is
    read-only to the district is posted back unchanged in hidden inputs of the same names.
    """
    match = GRID_DOCUMENT.search(html)
    if match is None:
        raise LoadError("no grid document on the entry page")
    rows = json.loads(match.group(1))["rows"]
    return [
        (f"rows-{i}-{field}", "" if row.get(field) is None else str(row[field]))
        for i, row in enumerate(rows)
        for field in GRID_FIELDS
    ]


def with_grid(fields, html):
    """The entry form's own controls with the grid's rows, TOTAL_FORMS counting them."""
    rows = grid_rows(html)
    count = len({name.split("-")[1] for name, _ in rows})
    own = [
        (name, str(count) if name.endswith("-TOTAL_FORMS") else value)
        for name, value in fields
        if not re.fullmatch(r"rows-\d+-.*", name)
    ]
    return own + rows


def submitted(controls):
    """Return the (name, value) pairs a browser submits: enabled, checked boxes only."""
    return [
        (c["name"], c["value"])
        for c in controls
        if not c["disabled"]
        and (c["type"] not in ("checkbox", "radio") or c["checked"])
        and c["type"] not in ("submit", "button", "reset")
    ]


# --- one virtual officer's browser ----------------------------------------------------------


class Stats:
    """Every request's kind, duration and outcome; thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples = defaultdict(list)
        self.errors = defaultdict(int)
        self.messages = []

    def record(self, kind, seconds, ok, message=None):
        with self.lock:
            self.samples[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1
                if message and len(self.messages) < 30:
                    self.messages.append(f"{kind}: {message}")

    def note(self, message):
        with self.lock:
            if len(self.messages) < 30:
                self.messages.append(message)


class Browser:
    """One officer's cookies and requests; a new connection per request, like gunicorn's
    sync workers give anyway."""

    def __init__(self, base_url, username, stats):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.username = username
        self.stats = stats
        self.cookies = {}
        self.location = None

    def _cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _keep_cookies(self, response):
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or (morsel.value == "" and morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def request(self, kind, method, path, fields=None, expect=200, redirect_to=None):
        """Send one request, time it, check its status; return the body as text.

        `expect` is the status a working server answers; for 302, `redirect_to` the path
        it must point to. Anything else is an error of this kind of request (LoadError).
        """
        headers = {"Connection": "close", "Cookie": self._cookie_header()}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.origin + path
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            self.stats.record(kind, time.perf_counter() - started, False, f"{path}: {exc!r}")
            raise LoadError(f"{kind} {path}: {exc!r}") from exc
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        self._keep_cookies(response)
        problem = None
        if response.status != expect:
            problem = f"{path}: status {response.status}, expected {expect}"
            if response.status == 200 and "alert-danger" in text:
                found = re.search(r"alert-danger[^>]*>(.*?)</div>", text, re.S)
                if found:
                    problem += f" ({re.sub(r'<[^>]+>', ' ', found.group(1)).strip()[:200]})"
        elif expect == 302:
            location = urllib.parse.urlsplit(response.headers.get("Location", ""))
            if redirect_to is not None and location.path != redirect_to:
                problem = f"{path}: redirected to {location.path}, expected {redirect_to}"
            self.location = location.path + (f"?{location.query}" if location.query else "")
        self.stats.record(kind, seconds, problem is None, problem)
        if problem:
            raise LoadError(f"{kind} {problem}")
        return text

    def sign_in(self, password):
        page = self.request("login GET", "GET", "/accounts/login/")
        token = _csrf_input(page)
        self.request(
            "login POST",
            "POST",
            "/accounts/login/",
            [("csrfmiddlewaretoken", token), ("username", self.username), ("password", password)],
            expect=302,
        )
        if "sessionid" not in self.cookies:
            raise LoadError(f"{self.username}: signed in but no session cookie")


def _csrf_input(page):
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not found:
        raise LoadError("no CSRF token on the page")
    return found.group(1)


# --- what each kind of officer does -----------------------------------------------------------


def amount(rng, low, high):
    """Return a random amount in baht as a Decimal with two places."""
    return Decimal(rng.randint(int(low * 100), int(high * 100))).scaleb(-2)


def shown(value, rng):
    """Write an amount as an officer might type it: 1234.50 or 1,234.50."""
    return f"{value:,.2f}" if rng.random() < 0.3 else f"{value:.2f}"


class DistrictResult:
    def __init__(self, code):
        self.code = code
        self.saved = None  # {(name, product_type): (domestic, export)} of the last save
        self.created = 0
        self.changed = 0
        self.saves = 0
        self.confirmed_ids = set()
        self.done = False


def district_officer(browser, code, month_path, confirm_path, saves, rng):
    """Open the month, save every row `saves` times with new amounts, confirm every batch."""
    result = DistrictResult(code)
    page = browser.request("entry GET", "GET", month_path)
    for _ in range(saves):
        controls = read_form(page, "entry-form")
        fields = with_grid(submitted(controls), page)
        values = dict(fields)
        indices = sorted(
            {int(m.group(1)) for name, _ in fields if (m := re.fullmatch(r"rows-(\d+)-name", name))}
        )
        if not indices:
            raise LoadError(f"{code}: the entry page has no rows to fill")
        typed, saved = {}, {}
        for i in indices:
            domestic = amount(rng, 0, 900_000)
            export = amount(rng, 0, domestic / 2) if rng.random() < 0.2 else Decimal("0.00")
            typed[f"rows-{i}-domestic"] = shown(domestic, rng)
            typed[f"rows-{i}-export"] = shown(export, rng)
            key = (values[f"rows-{i}-name"], values[f"rows-{i}-product_type"])
            saved[key] = (domestic, export)
        if len(saved) != len(indices):
            raise LoadError(f"{code}: two rows of one producer and type on the page")
        fields = [(name, typed.get(name, value)) for name, value in fields]
        browser.request("entry POST", "POST", month_path, fields, 302, redirect_to=month_path)
        if result.saved is None:
            result.created = len(saved)
        else:
            result.changed = sum(1 for key, new in saved.items() if result.saved.get(key) != new)
            result.created += sum(1 for key in saved if key not in result.saved)
        result.saved = saved
        result.saves += 1
        page = browser.request("entry GET", "GET", month_path)
        if SAVED not in page:
            raise LoadError(f"{code}: the page after saving does not say it was saved")

    batch = 1
    while True:
        path = confirm_path if batch == 1 else f"{confirm_path}?batch={batch}"
        page = browser.request("district confirm GET", "GET", path)
        forms = read_forms(page)
        controls, picker = forms.get("confirm-form"), forms.get("picker")
        if controls is None or picker is None:
            raise LoadError(f"{code}: no confirmation form or batch picker on {path}")
        ticks = [c for c in controls if c["name"] == "tick" and not c["disabled"]]
        for control in ticks:
            control["checked"] = True
        browser.request("district confirm POST", "POST", confirm_path, submitted(controls), 302)
        result.confirmed_ids |= {int(c["value"]) for c in ticks}
        browser.request("district confirm GET", "GET", browser.location)
        batches = next(c["options"] for c in picker if c["name"] == "batch")
        if batch >= max(int(b) for b in batches):
            break
        batch += 1
    if len(result.confirmed_ids) != len(result.saved):
        raise LoadError(
            f"{code}: confirmed {len(result.confirmed_ids)} rows of {len(result.saved)}"
        )
    result.done = True
    return result


def province_officer(browser, district, confirm_path):
    """Confirm the first batch of a district that has confirmed; return the ticked ids."""
    page = browser.request("province confirm GET", "GET", confirm_path)
    controls = read_form(page, "confirm-form")
    ticks = [c for c in controls if c["name"] == "tick" and not c["disabled"]]
    if not ticks:
        raise LoadError(f"province page of {district}: no row to confirm")
    for control in ticks:
        control["checked"] = True
    browser.request("province confirm POST", "POST", confirm_path, submitted(controls), 302)
    browser.request("province confirm GET", "GET", browser.location)
    return {int(c["value"]) for c in ticks}


def department_user(browser, kpi_path, repeat):
    for _ in range(repeat):
        page = browser.request("KPI GET", "GET", kpi_path)
        if "<table" not in page:
            raise LoadError("the KPI page has no table")


# --- the run -------------------------------------------------------------------------------


def run(args):
    prepare.setup_django()
    from django.contrib.auth import get_user_model

    fiscal_month = prepare.target_month(args.fiscal_year, args.month)
    districts, provinces = prepare.prepare(
        args.districts, args.provinces, args.department, fiscal_month
    )
    fy, m = fiscal_month.fiscal_year, fiscal_month.month
    stats = Stats()
    rng = random.Random(args.seed)

    names = (
        [(("district", code), prepare.district_username(code)) for code in districts]
        + [(("province", code), prepare.province_username(code)) for code in provinces]
        + [
            (("department", n), prepare.department_username(n))
            for n in range(1, args.department + 1)
        ]
    )
    browsers = {key: Browser(args.base_url, name, stats) for key, name in names}
    server = ServerCpu(args.base_url)

    print(f"sign-in: {len(browsers)} officers, {args.concurrency} at a time ...", flush=True)
    login = server.meter()
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        sign_in = _try(stats, lambda browser: browser.sign_in(prepare.LOAD_PASSWORD))
        signed = list(pool.map(sign_in, browsers.values()))
    login.stop()
    if not all(signed):
        server.stop()
        return report(stats, login, None, server, ["some officers could not sign in"], args)

    # The timed phase.
    district_results, province_ticks = {}, {}
    quota = {code: args.province_batches for code in provinces}
    province_locks = {code: threading.Lock() for code in provinces}
    futures, futures_lock = [], threading.Lock()
    seeds = {code: rng.randrange(2**32) for code in districts}

    def district_task(code):
        result = district_officer(
            browsers[("district", code)],
            code,
            f"/sales/{code}/{fy}/{m}/",
            f"/confirm/district/{code}/{fy}/{m}/",
            args.saves,
            random.Random(seeds[code]),
        )
        district_results[code] = result
        province = code[:2]
        with futures_lock:
            if quota.get(province, 0) > 0:
                quota[province] -= 1
                futures.append(phase_pool.submit(_try(stats, province_task), (province, code)))

    def province_task(item):
        province, code = item
        with province_locks[province]:  # one officer, one page at a time
            province_ticks[code] = (
                province,
                province_officer(
                    browsers[("province", province)], code, f"/confirm/province/{code}/{fy}/{m}/"
                ),
            )

    def department_task(n):
        department_user(browsers[("department", n)], f"/reports/kpi/{fy}/", 1)

    work = [(district_task, code) for code in districts] + [
        (department_task, n) for n in range(1, args.department + 1) for _ in range(args.kpi_repeat)
    ]
    rng.shuffle(work)
    print(
        f"timed phase: {len(districts)} district officers x {args.saves} saves, "
        f"{len(provinces)} province officers x {args.province_batches} batches, "
        f"{args.department} department users x {args.kpi_repeat} KPI pages; "
        f"{args.concurrency} at a time ...",
        flush=True,
    )
    phase = server.meter()
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as phase_pool:
        for task, item in work:
            with futures_lock:
                futures.append(phase_pool.submit(_try(stats, task), item))
        while True:
            with futures_lock:
                pending = [f for f in futures if not f.done()]
            if not pending:
                break
            concurrent.futures.wait(pending)
    phase.stop()
    server.stop()

    problems = verify(
        fiscal_month, districts, district_results, province_ticks, args, get_user_model()
    )
    return report(stats, login, phase, server, problems, args)


# --- where the CPU went --------------------------------------------------------------------


class ServerCpu:
    """The CPU seconds of the server under test, when serve.sh started it on this machine.

    serve.sh writes gunicorn's pid to <tmp>/otop-load-<port>.pid and has each request append
    its CPU time to <tmp>/otop-load-<port>.cpu.log (benchmarks/load/gunicorn_load.py). When
    the pid file names a running gunicorn, the workers' CPU is sampled from /proc; when the
    database is on this machine too, so are its backends of this database.
    """

    def __init__(self, base_url):
        port = urllib.parse.urlsplit(base_url).port or 80
        folder = Path(os.environ.get("TMPDIR") or "/tmp")
        self.log = folder / f"otop-load-{port}.cpu.log"
        self.sampler = cpu.CpuSampler(self._gunicorn(folder / f"otop-load-{port}.pid"))
        self.sampler.backend_pids = self._backend_pids() if self.sampler.server_pid else None
        self.sampler.start()

    @staticmethod
    def _gunicorn(pidfile):
        try:
            pid = int(pidfile.read_text().split()[0])
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                return pid if b"gunicorn" in f.read() else None
        except (OSError, ValueError, IndexError):
            return None

    @staticmethod
    def _backend_pids():
        from django.db import connection

        if connection.vendor != "postgresql" or connection.settings_dict["HOST"] not in (
            "127.0.0.1",
            "localhost",
            "",
        ):
            return None
        mine = set()

        def pids():
            # Run in the sampler's thread, on its own connection: leave out this client's.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid, pid = pg_backend_pid() FROM pg_stat_activity "
                    "WHERE datname = current_database()"
                )
                rows = cursor.fetchall()
            mine.update(pid for pid, own in rows if own)
            return [pid for pid, _ in rows if pid not in mine]

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            mine.add(cursor.fetchone()[0])
        return pids

    def meter(self):
        return Meter(self)

    def log_size(self):
        try:
            return self.log.stat().st_size
        except OSError:
            return None

    def by_kind(self, since):
        """Return {kind: [CPU ms of each request]} from the CPU log, from offset `since`."""
        found = defaultdict(list)
        if since is None or self.log_size() is None:
            return found
        with open(self.log, "rb") as f:
            f.seek(since)
            for line in f.read().decode().splitlines():
                method, path, _, ms = line.split(" ")[:4]
                found[kind_of(method, path)].append(float(ms))
        return found

    def stop(self):
        self.sampler.stop()


class Meter:
    """One phase's wall time and CPU seconds: this client's, the server's, the database's."""

    def __init__(self, server):
        self.server_cpu = server
        self.log_from = server.log_size()
        self.mark = server.sampler.mark()
        self.client = time.process_time()
        self.wall = time.perf_counter()

    def stop(self):
        self.wall = time.perf_counter() - self.wall
        self.client = time.process_time() - self.client
        self.server, self.database = self.server_cpu.sampler.since(self.mark)


PREFIXES = (
    ("/accounts/login/", "login"),
    ("/sales/", "entry"),
    ("/confirm/district/", "district confirm"),
    ("/confirm/province/", "province confirm"),
    ("/reports/kpi/", "KPI"),
)


def kind_of(method, path):
    """The kind of request (a row of the report) of a path the server logged."""
    for prefix, name in PREFIXES:
        if path.startswith(prefix):
            return f"{name} {method}"
    return f"other {method}"


def _try(stats, task):
    """Wrap a virtual officer's task: a LoadError ends that officer's work, counted once."""

    def wrapped(item):
        try:
            task(item)
        except LoadError as exc:
            stats.note(f"stopped: {exc}")
            return False
        except Exception as exc:  # a bug of this script: say it, and count it as a failure
            where = traceback.extract_tb(exc.__traceback__)[-1]
            stats.record("script", 0.0, False, f"{exc!r} at line {where.lineno}")
            return False
        return True

    return wrapped


# --- checking the database -------------------------------------------------------------------


def verify(fiscal_month, districts, results, province_ticks, args, User):
    """Compare the database with what the virtual officers saved; return the problems."""
    from django.db.models import Count

    from confirmations.models import Action, AuditEntry
    from reports.models import MonthTotal
    from reports.totals import ZERO_FIELDS
    from sales.models import DistrictMonth, MonthlySale

    problems = []
    fy, m = fiscal_month.fiscal_year, fiscal_month.month
    where = {"fiscal_year": fy, "month": m}
    missing = [code for code in districts if code not in results or not results[code].done]
    if missing:
        problems.append(f"{len(missing)} districts did not finish: {', '.join(missing[:10])}")

    rows = defaultdict(list)
    for row in MonthlySale.objects.filter(district__in=districts, **where).select_related(
        "producer"
    ):
        rows[row.district_id].append(row)
    totals = defaultdict(list)
    for total in MonthTotal.objects.filter(district__in=districts, **where):
        totals[total.district_id].append(total)
    revisions = dict(
        DistrictMonth.objects.filter(district__in=districts, **where).values_list(
            "district_id", "revision"
        )
    )
    users = dict(User.objects.filter(username__startswith="load_p").values_list("username", "id"))

    for code, result in results.items():
        if not result.done:
            continue
        have = {(r.producer.name, r.product_type): (r.domestic, r.export) for r in rows[code]}
        if have != result.saved:
            keys = result.saved.keys() | have.keys()
            wrong = [k for k in keys if have.get(k) != result.saved.get(k)]
            problems.append(f"{code}: {len(wrong)} rows differ from the last save, e.g. {wrong[0]}")
        if revisions.get(code) != result.saves:
            problems.append(f"{code}: revision {revisions.get(code)}, {result.saves} saves")
        unconfirmed = [r.pk for r in rows[code] if r.district_confirmed_at is None]
        if unconfirmed:
            problems.append(f"{code}: {len(unconfirmed)} rows not district-confirmed")
        expected = _sums(rows[code], ZERO_FIELDS)
        stored = {
            t.product_type: tuple(getattr(t, field) for field in ZERO_FIELDS) for t in totals[code]
        }
        if stored != expected:
            wrong = sorted(
                f"{kind}.{field}"
                for kind in stored.keys() | expected.keys()
                for i, field in enumerate(ZERO_FIELDS)
                if (stored.get(kind) or (None,) * len(ZERO_FIELDS))[i]
                != (expected.get(kind) or (None,) * len(ZERO_FIELDS))[i]
            )
            problems.append(f"{code}: running totals differ from the rows in {', '.join(wrong)}")

    by_id = {r.pk: r for code_rows in rows.values() for r in code_rows}
    for code, (province, ticked) in province_ticks.items():
        officer = users.get(prepare.province_username(province))
        bad = [
            pk
            for pk in ticked
            if pk not in by_id
            or by_id[pk].province_confirmed_at is None
            or by_id[pk].province_confirmed_by_id != officer
        ]
        if bad:
            problems.append(f"{code}: {len(bad)} of the province's ticks not confirmed by it")

    # The audit trail of this run: one entry per created, changed and ticked row.
    done = [r for r in results.values() if r.done]
    expected = {
        Action.CREATE: sum(r.created for r in done),
        Action.CHANGE: sum(r.changed for r in done),
        Action.DISTRICT_CONFIRM: sum(len(r.confirmed_ids) for r in done),
        Action.PROVINCE_CONFIRM: sum(len(t) for _, t in province_ticks.values()),
    }
    counted = dict(
        AuditEntry.objects.filter(
            district__in=[r.code for r in done],
            sale_id__in=[pk for r in done for pk in r.confirmed_ids],
            **where,
        )
        .values_list("action")
        .annotate(n=Count("id"))
        .values_list("action", "n")
    )
    for action, count in expected.items():
        if counted.get(action, 0) != count:
            problems.append(f"audit {action}: {counted.get(action, 0)} entries, expected {count}")
    checked = sum(len(rows[r.code]) for r in done)
    print(
        f"verify: {len(done)} districts, {checked:,} rows, "
        f"{sum(len(t) for _, t in province_ticks.values()):,} province ticks, "
        f"audit {sum(expected.values()):,} entries"
    )
    return problems


def _sums(rows, fields):
    """Return {product_type: the MonthTotal fields} summed from the rows, as refresh_month."""
    sums = {}
    for row in rows:
        d = row.district_confirmed_at is not None
        p = row.province_confirmed_at is not None
        zero = Decimal("0.00")
        values = {
            "rows": 1,
            "domestic": row.domestic,
            "export": row.export,
            "district_rows": int(d),
            "district_domestic": row.domestic if d else zero,
            "district_export": row.export if d else zero,
            "province_rows": int(p),
            "province_domestic": row.domestic if p else zero,
            "province_export": row.export if p else zero,
        }
        old = sums.get(row.product_type)
        sums[row.product_type] = tuple(
            (old[i] if old else 0) + values[field] for i, field in enumerate(fields)
        )
    return sums


# --- the report ----------------------------------------------------------------------------


def report(stats, login, phase, server, problems, args):
    """Print the table of requests, the phases' time and CPU, the errors and the check."""
    server_ms = server.by_kind(login.log_from) if server.log_size() is not None else {}
    print()
    heads = (
        f"{'count':>7}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'errors':>8}"
        f"{'server CPU ms':>15}{'CPU s':>8}"
    )
    print(f"{'request':<24}{heads}")
    for kind in (*KINDS, "script"):
        samples = stats.samples.get(kind)
        if not samples:
            continue
        seconds = login.wall if kind.startswith("login") else phase and phase.wall
        ordered = sorted(samples)
        rate = f"{len(samples) / seconds:8.1f}" if seconds else f"{'-':>8}"
        cpu_ms = server_ms.get(kind)
        spent = (
            f"{statistics.mean(cpu_ms):15.1f}{sum(cpu_ms) / 1000:8.1f}"
            if cpu_ms
            else f"{'-':>15}{'-':>8}"
        )
        print(
            f"{kind:<24}{len(samples):>7}{rate}{statistics.median(ordered) * 1000:9.0f}"
            f"{percentile(ordered, 95) * 1000:9.0f}{ordered[-1] * 1000:9.0f}"
            f"{stats.errors.get(kind, 0):>8}{spent}"
        )
    logins = sum(len(v) for k, v in stats.samples.items() if k.startswith("login"))
    timed = sum(len(v) for k, v in stats.samples.items() if not k.startswith("login"))
    errors = sum(stats.errors.values())
    print()
    print(f"sign-in phase: {login.wall:.1f} s, {logins} requests; {cpu_line(login, logins)}")
    if phase:
        print(
            f"timed phase: {phase.wall:.1f} s, {timed} requests, "
            f"{timed / phase.wall:.1f} requests/s, concurrency {args.concurrency}; "
            f"{cpu_line(phase, timed)}"
        )
        total = login.wall + phase.wall
        print(
            f"load test (sign-in and timed phase): {total:.1f} s, {logins + timed} requests, "
            f"{(logins + timed) / total:.1f} requests/s"
        )
    if not server_ms:
        print("server CPU by request: not logged (start the server with serve.sh)")
    print(f"errors: {errors}")
    for message in stats.messages:
        print(f"  {message}")
    if problems is None:
        print("verification: not run")
    elif problems:
        print(f"verification: FAILED, {len(problems)} problems")
        for problem in problems[:30]:
            print(f"  {problem}")
    else:
        print("verification: OK, every saved row, total, confirmation and audit entry matches")
    return 1 if errors or problems or problems is None else 0


def percentile(ordered, percent):
    """The nearest-rank percentile of sorted samples."""
    return ordered[min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered)) - 1))]


def cpu_line(meter, requests):
    """CPU seconds of the client, the server and the database in a phase, and per request."""
    parts = [("client", meter.client), ("server", meter.server), ("database", meter.database)]
    known = [(name, seconds) for name, seconds in parts if seconds is not None]
    per = max(requests, 1)
    return "CPU " + ", ".join(
        f"{name} {seconds:.1f} s ({seconds / per * 1000:.1f} ms a request)"
        for name, seconds in known
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8002")
    parser.add_argument("--districts", type=int, default=300, help="district officers")
    parser.add_argument("--saves", type=int, default=2, help="saves of the month per district")
    parser.add_argument("--provinces", type=int, default=30, help="province officers")
    parser.add_argument(
        "--province-batches", type=int, default=1, help="districts each province confirms"
    )
    parser.add_argument("--department", type=int, default=10, help="department users")
    parser.add_argument("--kpi-repeat", type=int, default=3, help="KPI pages per department user")
    parser.add_argument("--concurrency", type=int, default=50, help="virtual officers at once")
    parser.add_argument("--fiscal-year", type=int, help="B.E. fiscal year (default: current)")
    parser.add_argument("--month", type=int, help="calendar month 1-12 (default: current)")
    parser.add_argument("--seed", type=int, default=2569, help="random seed of the amounts")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("Set DATABASE_URL to the database the server under test uses.")
    if args.saves < 1:
        raise SystemExit("--saves must be 1 or more.")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
