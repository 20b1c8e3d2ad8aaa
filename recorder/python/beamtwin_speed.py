"""beamtwin's clock sharing, started by the sitecustomize next to it: the command's clocks are the twin's.
When the twin runs `--speed N` times faster than real time, the command's clocks run N times faster too,
so a script that waits for a 10 s move waits 1 s, and its own pauses shrink with it. And when the twin's
clock stands still (harness/stall-meter.ts: while this process's main thread waited for a CPU, and while
the twin itself ran late), so do the clocks here: `time.time`/`monotonic` subtract the main thread's own
run-queue wait (/proc, the same count the twin holds by) and the twin's lateness, which
`BEAMTWIN_CLOCK_OFFSET_FILE` holds, and `time.sleep(s)` returns when s twin seconds have passed. Faster
than real time, they run at real speed while there is work, the twin thread's (its schedstat,
`BEAMTWIN_TWIN_SCHEDSTAT`, read here as it happens) or this process's main thread's, as the twin's
clock does. A plan's pauses then last as long in the trace as on an idle machine, at any speed (at
speed 1 `time.sleep` and what waits on `time.monotonic`, such as asyncio; threading's waits are left
alone there).

Scaled (in this process; child processes inherit the environment and scale alike):
- `time.time`/`time_ns` follow the twin's clock (`BEAMTWIN_CLOCK_ORIGIN`: the wall-clock second at which
  twin time and wall time agree), `time.monotonic`/`perf_counter` (and `_ns`) run N times faster, and
  `time.localtime`/`gmtime`/`ctime`/`asctime`/`strftime` without a time argument use the scaled time;
  `datetime.now()`/`utcnow()`/`today()` likewise;
- `time.sleep(s)` sleeps s/N;
- threading: `Condition.wait`, hence `Event.wait`, `Semaphore`, `Barrier`, `queue.Queue`; `Lock.acquire`
  through them; `Thread.join` timeouts; modules that took `from time import monotonic` before this ran
  (threading) get the scaled one;
- selectors' `select(timeout)` (asyncio's event loop waits there: `asyncio.sleep`, Bluesky's `bps.sleep`);
- pyepics' waits: `ca.pend_event(t)` (and so `ca.poll`) passes t/N to libca; its other timeouts (get,
  put with wait) are measured with the scaled `time.time`, i.e. in twin seconds.

Not scaled: libca's own C timers (channel search retries, `EPICS_CA_CONN_TMO` echo/beacon timeouts):
they are about the network, not the plan. pyepics' connection timeouts (`connect_channel`,
`PV.wait_for_connection`) are kept in real seconds for the same reason (scaled, a 5 s connection timeout
would become 0.5 s at --speed 10 and fail on a busy machine). CPU clocks (`process_time`) are not scaled.
"""
import mmap
import os
import struct
import time

from beamtwin_hooks import after_import

real_time = time.time
real_time_ns = time.time_ns
real_monotonic = time.monotonic
real_perf_counter = time.perf_counter
real_sleep = time.sleep

speed = 1.0
_installed = False
# CPU time (s) the main thread spent polling in pyepics' waits: a wait, not work (see _waiting).
_polled = [0.0]
_share_map = [None]


def _offset_reader(path, N, twin_stat=''):
    """A function returning how far (twin seconds) this process stands behind the scaled wall clock, by
    the rule the twin's stall meter applies (harness/stall-meter.ts, which also gives the file's layout):
    the twin's own holds from the shared file, this process's main-thread run-queue waits (× N), and the
    work since the meter's last sample, the twin thread's or this process's (× N − 1, less what this
    process waited meanwhile), read here as it happens. 0 without a shared file."""
    if not path:
        return lambda: 0.0
    pid = os.getpid()
    try:
        with open(path, 'r+b') as f:
            mm = mmap.mmap(f.fileno(), 48)
    except (OSError, ValueError):
        return lambda: 0.0
    # The first Python process of the command names itself (bytes 8-12): the twin holds by its waits.
    if struct.unpack_from('<i', mm, 8)[0] == 0:
        struct.pack_into('<i', mm, 8, pid)
    first = struct.unpack_from('<i', mm, 8)[0] == pid
    if first:
        _share_map[0] = mm
    seq_of = struct.Struct('<i').unpack_from
    fields = struct.Struct('<d8xddd').unpack_from  # bytes 0-8 and 16-40
    shared = [0.0, 0.0, 0.0, 0.0]  # the last whole read: holds, command wait, twin busy, command CPU (s)

    def read_shared():
        for _ in range(100):  # the meter writes in microseconds; a torn read is retried
            before = seq_of(mm, 12)[0]
            if before & 1:
                continue
            got = fields(mm, 0)
            if seq_of(mm, 12)[0] == before:
                shared[:] = got
                break
        return shared

    def counter(file):
        """A thread's schedstat (s on a CPU, s waiting for one), read at most every 0.2 ms (callers poll
        the clock in loops), from a descriptor kept open: a pread from its start gives fresh counters."""
        state = [(0.0, 0.0), -1.0, None]

        def read():
            now = real_monotonic()
            if now - state[1] > 2e-4:
                state[1] = now
                try:
                    if state[2] is None:
                        state[2] = os.open(file, os.O_RDONLY | os.O_CLOEXEC)
                    parts = os.pread(state[2], 128, 0).split()
                    state[0] = (int(parts[0]) / 1e9, int(parts[1]) / 1e9)
                except (OSError, ValueError, IndexError):
                    pass
            return state[0]
        return read

    own = counter('/proc/%d/task/%d/schedstat' % (pid, pid)) if first else None
    twin = counter(twin_stat) if twin_stat and N != 1 else None

    def offset():
        held, wait_then, busy_then, ran_then = read_shared()
        # Other processes of the command are not measured: they hold by the first one's counters.
        if own:
            ran, wait = own()
            ran -= _polled[0]
        else:
            ran, wait = ran_then, wait_then
        wait = max(wait, wait_then)
        off = held + wait * N
        if twin:
            cpu, delay = twin()
            # Work at real speed, the twin's or this process's (taken to overlap); waits stand still.
            work = max(cpu + delay - busy_then, ran - ran_then)
            off += (N - 1) * max(0.0, work - (wait - wait_then))
        return off
    return offset


def _scale_time(N, origin, offset):
    m0 = real_monotonic()
    p0 = real_perf_counter()
    # monotonic keeps its own zero; it stands still with the twin from here on
    off0 = offset()

    # The offset grows in steps (the twin publishes its holds after the fact): readings stand still
    # until the scaled wall clock catches up, never run backwards.
    last = [-float('inf'), -float('inf')]

    def scaled_time():
        t = origin + (real_time() - origin) * N - offset()
        if t < last[0]:
            return last[0]
        last[0] = t
        return t

    def scaled_time_ns():
        return int(scaled_time() * 1e9)

    def raw_monotonic():
        return m0 + (real_monotonic() - m0) * N - (offset() - off0)

    def scaled_monotonic():
        t = raw_monotonic()
        if t < last[1]:
            return last[1]
        last[1] = t
        return t

    def scaled_monotonic_ns():
        return int(scaled_monotonic() * 1e9)

    def scaled_perf_counter():
        return p0 + (real_perf_counter() - p0) * N

    def scaled_perf_counter_ns():
        return int(scaled_perf_counter() * 1e9)

    def scaled_sleep(secs):
        if secs < 0:
            raise ValueError('sleep length must be non-negative')
        # Until `secs` twin seconds have passed: longer in wall time when the twin stood still meanwhile.
        # Unclamped readings: after the twin published a hold, a reading standing still at an earlier,
        # higher one would stretch the sleep by that hold.
        end = raw_monotonic() + secs
        left = secs
        while left > 0:
            real_sleep(left / N)
            left = end - raw_monotonic()

    def now_default(fn):
        def wrapper(*args):
            return fn(*args) if args else fn(scaled_time())
        wrapper.__name__ = fn.__name__
        wrapper.__doc__ = fn.__doc__
        return wrapper

    def strftime(fmt, *args):
        return _strftime(fmt, *args) if args else _strftime(fmt, time.localtime())

    _strftime = time.strftime
    time.time = scaled_time
    time.time_ns = scaled_time_ns
    time.monotonic = scaled_monotonic
    time.monotonic_ns = scaled_monotonic_ns
    time.perf_counter = scaled_perf_counter
    time.perf_counter_ns = scaled_perf_counter_ns
    time.sleep = scaled_sleep
    for name in ('localtime', 'gmtime', 'ctime'):
        setattr(time, name, now_default(getattr(time, name)))
    _asctime = time.asctime
    time.asctime = lambda *args: _asctime(*args) if args else _asctime(time.localtime())
    time.strftime = strftime
    return raw_monotonic


def _scale_threading(N, twin_monotonic):
    import threading

    threading._time = time.monotonic  # it took `from time import monotonic as _time` at import
    cond_wait = threading.Condition.wait

    def wait(self, timeout=None):
        if timeout is None:
            return cond_wait(self, None)
        # Until notified or `timeout` twin seconds have passed, as time.sleep (the lock is held between
        # the waits, so no notification falls between them).
        end = twin_monotonic() + timeout
        left = timeout
        while True:
            if cond_wait(self, max(0.0, left) / N):
                return True
            left = end - twin_monotonic()
            if left <= 0:
                return False

    threading.Condition.wait = wait
    join = threading.Thread.join

    def join_scaled(self, timeout=None):
        return join(self, None if timeout is None else timeout / N)

    threading.Thread.join = join_scaled


def _scale_selectors(N):
    import selectors

    for cls in (getattr(selectors, n, None) for n in ('SelectSelector', 'PollSelector', 'EpollSelector', 'DevpollSelector', 'KqueueSelector')):
        if cls is None or 'select' not in cls.__dict__:
            continue

        def make(orig):
            def select(self, timeout=None):
                return orig(self, timeout / N if timeout is not None and timeout > 0 else timeout)
            return select

        cls.select = make(cls.__dict__['select'])


def _scale_datetime(N):
    import datetime as dt

    class datetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls.fromtimestamp(time.time(), tz)

        @classmethod
        def utcnow(cls):
            return cls.utcfromtimestamp(time.time())

        @classmethod
        def today(cls):
            return cls.fromtimestamp(time.time())

    class date(dt.date):
        @classmethod
        def today(cls):
            return cls.fromtimestamp(time.time())

    datetime.__module__ = date.__module__ = 'datetime'
    dt.datetime = datetime
    dt.date = date


def _waiting(fn):
    """`fn` is a wait: the CPU time the main thread spends in it (pyepics polling for a put's completion
    spins through poll() at 20% of a CPU) is not the plan's work, and the clocks do not run at real speed
    for it. It is counted here and shared (bytes 40-48 of the clock file) for the twin to leave out too."""
    import threading

    main = threading.main_thread().ident
    depth = [0]
    cpu = time.thread_time  # CPU clocks are not scaled

    def wrapper(*args, **kwargs):
        if depth[0] or threading.get_ident() != main:
            return fn(*args, **kwargs)
        depth[0] += 1
        t0 = cpu()
        try:
            return fn(*args, **kwargs)
        finally:
            depth[0] -= 1
            _polled[0] += cpu() - t0
            if _share_map[0] is not None:
                struct.pack_into('<d', _share_map[0], 40, _polled[0])
    wrapper.__doc__ = fn.__doc__
    wrapper.__name__ = fn.__name__
    return wrapper


def _patch_epics_ca(ca, N):
    """pyepics' waits scaled (pend_event always waits its time: poll() and scripts use it as a pause);
    pend_io is a timeout for outstanding requests, and connection timeouts stay in real seconds. Time
    spent polling is a wait, not work (_waiting)."""
    for name in ('poll', 'pend_io'):
        if getattr(ca, name, None) is not None:
            setattr(ca, name, _waiting(getattr(ca, name)))
    pend_event = getattr(ca, 'pend_event', None)
    if pend_event is not None:
        def pend_event_scaled(timeout=1.e-5):
            # A poll's own granularity (pyepics polls with 1e-5 s while it waits for a put) stays in
            # real seconds: shorter, the loop would spin and starve the threads that run its callbacks.
            return pend_event(max(timeout / N, min(timeout, 1.e-5)))
        pend_event_scaled.__doc__ = pend_event.__doc__
        ca.pend_event = _waiting(pend_event_scaled)
    connect = getattr(ca, 'connect_channel', None)
    if connect is not None:
        def connect_channel(chid, timeout=None, verbose=False):
            t = ca.DEFAULT_CONNECTION_TIMEOUT if timeout is None else timeout
            return connect(chid, timeout=t * N, verbose=verbose)
        connect_channel.__doc__ = connect.__doc__
        ca.connect_channel = connect_channel


def _patch_epics_pv(pv_module, N):
    cls = getattr(pv_module, 'PV', None)
    if cls is None or not hasattr(cls, 'wait_for_connection'):
        return
    orig = cls.wait_for_connection

    def wait_for_connection(self, timeout=None):
        if timeout is None:
            timeout = getattr(self, 'connection_timeout', None) or 5.0
        return orig(self, timeout=timeout * N)

    cls.wait_for_connection = wait_for_connection


def install():
    """Share the twin's clock (once): BEAMTWIN_SPEED (with BEAMTWIN_CLOCK_ORIGIN) and BEAMTWIN_CLOCK_OFFSET_FILE."""
    global speed, _installed
    try:
        N = float(os.environ.get('BEAMTWIN_SPEED', '1'))
    except ValueError:
        return
    share = os.environ.get('BEAMTWIN_CLOCK_OFFSET_FILE', '')
    if _installed or not (N > 0) or (N == 1 and not share):
        return
    try:
        origin = float(os.environ.get('BEAMTWIN_CLOCK_ORIGIN', ''))
    except ValueError:
        origin = real_time()
    _installed = True
    speed = N
    twin_monotonic = _scale_time(N, origin, _offset_reader(share, N, os.environ.get('BEAMTWIN_TWIN_SCHEDSTAT', '')))
    if N == 1:
        # Only sharing the clock: time.time/monotonic/sleep above. Waits need no scaling, and datetime's
        # classes stay the real ones (a subclass would fail isinstance checks on C-made datetimes).
        return
    _scale_threading(N, twin_monotonic)
    _scale_selectors(N)
    _scale_datetime(N)
    after_import('epics.ca', lambda m: _patch_epics_ca(m, N))
    after_import('epics.pv', lambda m: _patch_epics_pv(m, N))
