"""CPU seconds spent by the server under test and by its database, read from /proc (Linux).

The load test's client and server share the machine's cores, and other work may share them
too, so the wall time of a run says little on its own: the CPU seconds of each side say
where the cores went. A sampler thread reads, every half second,

- the gunicorn master given by its pid and every process whose parent it is (the workers,
  including those that max_requests replaces during the run), and
- the PostgreSQL backends connected to the run's database (pg_stat_activity), which come
  and go with the workers' connections,

and keeps each process's latest user + system time. A process that ends between two
samples loses at most its last half second, which a run of minutes does not notice.
"""

import os
import threading
import time

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    """Return (parent pid, user + system CPU seconds) of a process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after its last ')'.
    fields = data[data.rindex(b")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def _children(parent):
    """Return the pids whose parent is `parent` (Linux 3.5+: /proc/<pid>/task/*/children)."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{parent}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{parent}/task/{task}/children") as f:
                found.extend(int(pid) for pid in f.read().split())
        except OSError:
            pass
    return found


class CpuSampler:
    """Sample the CPU seconds of a server's process tree and a database's backends.

    `server_pid` is the gunicorn master (None: no server figures, e.g. a server elsewhere);
    `backend_pids` a callable returning the pids of the database's backends (None: none).
    Use `mark()` to start a phase and `since(mark)` to read (server, database) seconds.
    """

    def __init__(self, server_pid=None, backend_pids=None, interval=0.5):
        self.server_pid = server_pid
        self.backend_pids = backend_pids
        self.interval = interval
        self.server = {}  # pid -> its latest CPU seconds
        self.database = {}
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None

    def _sample(self):
        server = {}
        if self.server_pid:
            for pid in [self.server_pid, *_children(self.server_pid)]:
                stat = _stat(pid)
                if stat:
                    server[pid] = stat[1]
        database = {}
        if self.backend_pids:
            for pid in self.backend_pids():
                stat = _stat(pid)
                if stat:
                    database[pid] = stat[1]
        with self.lock:
            self.server.update(server)
            self.database.update(database)

    def _loop(self):
        while not self._stop.wait(self.interval):
            self._sample()

    def start(self):
        if self.server_pid or self.backend_pids:
            self._sample()
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join()
            self._sample()

    def mark(self):
        """Sample now; return the per-process seconds to subtract at the end of a phase."""
        self._sample()
        with self.lock:
            return dict(self.server), dict(self.database)

    def since(self, mark):
        """Return (server, database) CPU seconds since `mark`; None for a side not sampled."""
        self._sample()
        totals = []
        with self.lock:
            for seen, before, wanted in (
                (self.server, mark[0], self.server_pid),
                (self.database, mark[1], self.backend_pids),
            ):
                if not wanted:
                    totals.append(None)
                    continue
                # A process born after the mark (a worker replacing one, a new backend) has
                # spent all its seconds in the phase: it starts from 0.
                totals.append(sum(latest - before.get(pid, 0.0) for pid, latest in seen.items()))
        return tuple(totals)


def process_seconds():
    """CPU seconds of this process, all threads (the load test's client)."""
    return time.process_time()
