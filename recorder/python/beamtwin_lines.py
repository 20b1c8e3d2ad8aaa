"""beamtwin's line tracer, started by the sitecustomize next to it (never imported by the traced script).

What it records, in one JSON Lines file per process (`BEAMTWIN_LINES_DIR/lines-<pid>.jsonl`), for the
twin to merge into the trace:

- one record per executed line of the user's own files (not the standard library, not installed
  packages): step number, time, file, line, function, call depth, and the locals that changed since the
  frame's previous line, as bounded reprs (`BEAMTWIN_LINES_MAX_REPR` characters; cut ones are listed);
- the source of each user file the first time it runs (bounded), and what the script prints (bounded);
- when `BEAMTWIN_LINES_MAX_STEPS` lines have been recorded, one record saying so; tracing then stops
  (the script runs at full speed) but puts still name their line.

Every put that pyepics issues (libca's ca_array_put / ca_array_put_callback) is preceded, on the same CA
circuit and under one lock, by a write of {file, line, function, via, step} to the twin's line PV
(`BEAMTWIN_LINE_PV`). The server numbers each circuit's write requests, so the twin attaches the line to
exactly the next write on that circuit: the put itself. `via` says where the line came from: "stack" (the
innermost user frame of the thread issuing the put), "plan" (no user frame on that stack: the user
generator that yielded last, e.g. a Bluesky plan whose message the RunEngine is carrying out), "thread"
(the innermost user frame of another thread, e.g. the line blocked in `RE(plan())`), or "none".
"""
import atexit
import ctypes
import json
import os
import reprlib
import site
import sys
import sysconfig
import threading
import time
import types

_get_ident = threading.get_ident
try:  # the C string encoder json.dumps uses, without its per-call set-up
    from json.encoder import encode_basestring as _encode_str
except ImportError:  # pragma: no cover
    _encode_str = json.dumps

from beamtwin_hooks import after_import

try:  # the unscaled clock: traces map wall-clock time to twin time themselves
    from beamtwin_speed import real_time as _now
except ImportError:  # pragma: no cover
    _now = time.time
_MISSING = object()
_SKIP_TYPES = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType, type)
_MUTABLE = (list, dict, set, bytearray)
_MAX_LOCALS = 50  # changed names recorded per step; more are counted
_MAX_SOURCE = 256 * 1024
_MAX_OUTPUT = 64 * 1024
_FLUSH_EVERY = 2000
_FLUSH_SECONDS = 0.25
_DBR_CHAR = 4
_MARKER_BYTES = 1024


def _is_generator(code):
    return bool(code.co_flags & (0x20 | 0x80 | 0x200))  # CO_GENERATOR, CO_COROUTINE, CO_ASYNC_GENERATOR


try:
    import dis

    _YIELD_OPS = {dis.opmap[n] for n in ('YIELD_VALUE',) if n in dis.opmap}
except Exception:  # pragma: no cover
    _YIELD_OPS = set()


class Tracer:
    def __init__(self, out_dir, max_steps, max_repr, line_pv):
        self.max_steps = max_steps
        self.max_repr = max_repr
        self.line_pv = line_pv
        self.cwd = os.getcwd()
        self.step = 0
        self.stopped = False
        self.truncated_values = 0
        self.buf = []
        self.flushed = _now()
        self.lock = threading.Lock()  # guards buf and the file
        self.codes = {}  # code object -> (file, function) for user code, None otherwise
        self.where_json = {}  # code object -> its file and function as JSON fields
        self.files = {}  # co_filename -> display name, or None when not user code
        self.depth = {}  # frame -> call depth among user frames
        self.fids = {}  # frame -> its number in this process (kept while a generator is suspended)
        self.next_fid = 0
        self.snap = {}  # frame -> {name: (value, repr)}
        self.threads = {}  # thread ident -> small number (the main thread is 0)
        self.main_ident = threading.main_thread().ident
        self.suspended = None  # the user generator frame that yielded last (a Bluesky plan …)
        self.output_bytes = 0
        self.output_cut = False
        self.out_pending = ''
        self.repr = reprlib.Repr()
        self.repr.maxstring = max_repr
        self.repr.maxother = max_repr
        self.repr.maxlong = max_repr
        self.excluded = self._excluded_roots()
        self.path = os.path.join(out_dir, 'lines-%d.jsonl' % os.getpid())
        self.fh = open(self.path, 'w', encoding='utf-8')
        self._emit({'pid': os.getpid(), 'ppid': os.getppid(), 'start': _now(), 'cwd': self.cwd,
                    'python': sys.version.split()[0], 'maxSteps': max_steps, 'maxRepr': max_repr,
                    'argv': list(sys.argv)})
        self.put_lock = threading.RLock()
        self.marker_chid = None
        self.out_dir = out_dir
        self.closed = False
        if hasattr(os, 'register_at_fork'):
            os.register_at_fork(after_in_child=self._forked)

    def _forked(self):
        """A forked child (multiprocessing …) records into its own file, from its own step 0."""
        self.lock = threading.Lock()
        self.put_lock = threading.RLock()
        self.buf = []
        self.step = 0
        self.closed = False
        self.marker_chid = None  # libca contexts do not survive a fork
        self.path = os.path.join(self.out_dir, 'lines-%d.jsonl' % os.getpid())
        self.fh = open(self.path, 'w', encoding='utf-8')
        self._emit({'pid': os.getpid(), 'ppid': os.getppid(), 'start': _now(), 'cwd': self.cwd,
                    'python': sys.version.split()[0], 'maxSteps': self.max_steps, 'maxRepr': self.max_repr,
                    'argv': list(sys.argv)})

    # --- which files are the user's -------------------------------------------------------------------

    @staticmethod
    def _excluded_roots():
        roots = set()
        paths = sysconfig.get_paths()
        for key in ('stdlib', 'platstdlib', 'purelib', 'platlib'):
            if paths.get(key):
                roots.add(os.path.realpath(paths[key]))
        try:
            for p in site.getsitepackages() + [site.getusersitepackages()]:
                roots.add(os.path.realpath(p))
        except Exception:
            pass
        roots.add(os.path.dirname(os.path.realpath(__file__)))
        return tuple(r.rstrip(os.sep) + os.sep for r in roots)

    def display(self, filename):
        """The name a user file is recorded under (relative to the start folder when inside it), or None."""
        d = self.files.get(filename, _MISSING)
        if d is not _MISSING:
            return d
        d = None
        if not filename.startswith('<') or filename == '<stdin>':
            given = os.path.abspath(os.path.join(self.cwd, filename))
            full = os.path.realpath(given)
            if filename.startswith('<'):
                d = filename
            elif not self._installed(given) and not self._installed(full) and os.path.isfile(full):
                rel = os.path.relpath(full, os.path.realpath(self.cwd))
                d = full if rel.startswith('..') else rel
                self._source(d, full)
        self.files[filename] = d
        return d

    def _installed(self, p):
        return p.startswith(self.excluded) or (os.sep + 'site-packages' + os.sep) in p or (os.sep + 'dist-packages' + os.sep) in p

    def user_code(self, code):
        info = self.codes.get(code, _MISSING)
        if info is _MISSING:
            f = self.display(code.co_filename)
            info = (f, code.co_qualname if hasattr(code, 'co_qualname') else code.co_name) if f else None
            self.codes[code] = info
        return info

    def _source(self, name, full):
        try:
            with open(full, 'rb') as fh:
                data = fh.read(_MAX_SOURCE + 1)
            rec = {'source': name, 'text': data[:_MAX_SOURCE].decode('utf-8', 'replace'), 'step': self.step, 't': _now()}
            if len(data) > _MAX_SOURCE:
                rec['truncated'] = True
            self._emit(rec)
        except OSError:
            pass

    # --- tracing ----------------------------------------------------------------------------------------

    def on_call(self, frame, event, arg):
        """sys.settrace's global function: called at each new frame; traces only the user's."""
        if self.stopped:
            return None
        info = self.user_code(frame.f_code)
        if info is None:
            return None
        parent = frame.f_back
        while parent is not None and parent not in self.depth:
            parent = parent.f_back
        self.depth[frame] = self.depth[parent] + 1 if parent is not None else 0
        if frame not in self.fids:
            self.next_fid += 1
            self.fids[frame] = self.next_fid
        if frame is self.suspended:
            self.suspended = None
        return self.on_local

    def on_local(self, frame, event, arg):
        if event == 'line':
            if self.stopped:
                return None
            step = self.step = self.step + 1
            if step > self.max_steps:
                self._stop()
                return None
            changed, cut, more = self._changed(frame)
            ident = _get_ident()
            t = _now()
            # list.append is atomic under the GIL: no lock on the hot path, only around writing the file
            self.buf.append((step, t, frame.f_code, frame.f_lineno, self.depth.get(frame, 0), changed, cut, more,
                             0 if ident == self.main_ident else self._thread(ident), self.fids.get(frame, 0)))
            # Written out in blocks, and at least every quarter second: a command killed at its timeout
            # (SIGKILL, no atexit) loses no more than that.
            if len(self.buf) >= _FLUSH_EVERY or t - self.flushed > _FLUSH_SECONDS:
                with self.lock:
                    self._flush_locked()
        elif event == 'return':
            self.depth.pop(frame, None)
            code = frame.f_code
            if _is_generator(code) and frame.f_lasti >= 0 and code.co_code[frame.f_lasti] in _YIELD_OPS:
                self.suspended = frame  # a yield: its locals and line stay for when it resumes
            else:
                self.snap.pop(frame, None)
                self.fids.pop(frame, None)
                if frame is self.suspended:
                    self.suspended = None
        return self.on_local

    def _thread(self, ident):
        n = self.threads.get(ident)
        if n is None:
            n = self.threads[ident] = len(self.threads) + 1
        return n

    def _changed(self, frame):
        prev = self.snap.get(frame)
        if prev is None:
            prev = self.snap[frame] = {}
        changed = None
        cut = None
        more = 0
        module_level = frame.f_code.co_name == '<module>'
        for k, v in frame.f_locals.items():
            old = prev.get(k, _MISSING)
            if old is not _MISSING and old[0] is v and not isinstance(v, _MUTABLE):
                continue
            if module_level and (k.startswith('__') or isinstance(v, _SKIP_TYPES)):
                continue
            r, was_cut = self._bounded_repr(v)
            if old is not _MISSING and old[1] == r:
                prev[k] = (v, r)
                continue
            prev[k] = (v, r)
            if changed is None:
                changed = {}
            if len(changed) >= _MAX_LOCALS:
                more += 1
                continue
            changed[k] = r
            if was_cut:
                self.truncated_values += 1
                if cut is None:
                    cut = []
                cut.append(k)
        return changed, cut, more

    def _bounded_repr(self, v):
        t = type(v)
        try:
            if t is str and len(v) > self.max_repr:
                r = repr(v[:self.max_repr])
                return r[:self.max_repr - 1] + '\u2026', True
            r = repr(v) if t in (int, float, bool, type(None), complex) else self.repr.repr(v)
        except Exception:
            r = '<%s>' % t.__name__
        if len(r) > self.max_repr:
            return r[:self.max_repr - 1] + '\u2026', True
        # reprlib shortens containers with '...': that is a cut too
        return r, (t not in (int, float, bool, str) and '...' in r and r != repr(...))

    def _stop(self):
        self.stopped = True
        sys.settrace(None)
        threading.settrace(None)
        self._emit({'limit': 'steps', 'max': self.max_steps, 'step': self.max_steps, 't': _now()})

    # --- output ------------------------------------------------------------------------------------------

    def output(self, text, end=False):
        """What the script prints, recorded a line at a time (and the rest at exit), bounded."""
        if self.output_cut:
            return
        self.out_pending += text
        cut = self.out_pending.rfind('\n') + 1 if not end else len(self.out_pending)
        if cut <= 0:
            if len(self.out_pending) < 4096:
                return
            cut = len(self.out_pending)
        text, self.out_pending = self.out_pending[:cut], self.out_pending[cut:]
        room = _MAX_OUTPUT - self.output_bytes
        if len(text) > room:
            text = text[:room]
            self.output_cut = True
        self.output_bytes += len(text)
        rec = {'out': text, 'step': self.step, 't': _now()}
        if self.output_cut:
            rec['truncated'] = True
        if text or self.output_cut:
            self._emit(rec)

    def _emit(self, obj):
        with self.lock:
            self._flush_locked()
            self.fh.write(json.dumps(obj, ensure_ascii=False) + '\n')

    def _flush_locked(self):
        self.flushed = _now()
        if not self.buf:
            self.fh.flush()
            return
        buf, self.buf = self.buf, []
        dumps = json.dumps
        enc = _encode_str
        where = self.where_json
        lines = []
        for step, t, code, line, depth, changed, cut, more, th, fid in buf:
            w = where.get(code)
            if w is None:
                f, fn = self.codes[code]
                w = where[code] = '"f":%s,"fn":%s' % (dumps(f, ensure_ascii=False), dumps(fn, ensure_ascii=False))
            rec = '{"s":%d,"t":%r,%s,"l":%d,"d":%d,"fr":%d' % (step, t, w, line, depth, fid)
            if changed:
                rec += ',"v":{' + ','.join([enc(k) + ':' + enc(v) for k, v in changed.items()]) + '}'
            if cut:
                rec += ',"cut":' + dumps(cut, ensure_ascii=False)
            if more:
                rec += ',"more":%d' % more
            if th:
                rec += ',"th":%d' % th
            lines.append(rec + '}')
        self.fh.write('\n'.join(lines) + '\n')
        self.fh.flush()

    def close(self):
        if self.closed:
            return
        self.closed = True
        sys.settrace(None)
        if self.out_pending:
            self.output('', end=True)
        with self.lock:
            self._flush_locked()
            argv = list(sys.argv)
            self.fh.write(json.dumps({'end': _now(), 'steps': min(self.step, self.max_steps), 'argv': argv,
                                      'truncatedValues': self.truncated_values}) + '\n')
            self.fh.flush()

    # --- which line issued a put -------------------------------------------------------------------------

    def _innermost_user(self, f, via):
        """The first user frame from `f` outwards, as a line reference, or None."""
        while f is not None:
            info = self.user_code(f.f_code)
            if info is not None:
                return {'file': info[0], 'line': f.f_lineno, 'function': info[1], 'via': via}
            f = f.f_back
        return None

    def put_line(self, frame):
        """The user line behind a put issued from `frame`'s thread: {file, line, function, via}."""
        line = self._innermost_user(frame, 'stack')
        if line is None and self.suspended is not None:
            line = self._innermost_user(self.suspended, 'plan')
        if line is None:
            me = threading.get_ident()
            for ident, top in sys._current_frames().items():
                line = self._innermost_user(top, 'thread') if ident != me else None
                if line is not None:
                    break
        return line or {'via': 'none'}

    def announce(self, ca, real_put, frame):
        """Write the put's line to the twin's line PV, on the circuit the put is about to take."""
        if not self.line_pv:
            return
        if self.marker_chid is None:
            chid = ca.create_channel(self.line_pv, connect=False, auto_cb=False)
            if not ca.connect_channel(chid, timeout=5.0):
                self.line_pv = None
                return
            self.marker_chid = chid
        line = self.put_line(frame)
        if not self.stopped and self.step:
            line['step'] = self.step
        line['pid'] = os.getpid()
        data = json.dumps(line, ensure_ascii=False).encode('utf-8')
        if len(data) >= _MARKER_BYTES:
            line['file'] = line.get('file', '')[-200:]
            line['function'] = line.get('function', '')[-100:]
            data = json.dumps(line, ensure_ascii=False).encode('utf-8')[:_MARKER_BYTES - 1]
        data += b'\0'
        buf = (ctypes.c_ubyte * len(data)).from_buffer_copy(data)
        real_put(_DBR_CHAR, len(data), self.marker_chid, buf)


class _LibcaProxy:
    """pyepics' libca with the two put functions announcing their line first; all else passes through."""

    def __init__(self, lib, tracer, ca):
        self._lib = lib
        real_put = lib.ca_array_put
        real_put_cb = lib.ca_array_put_callback

        def ca_array_put(ftype, count, chid, data):
            with tracer.put_lock:
                tracer.announce(ca, real_put, sys._getframe(1))
                return real_put(ftype, count, chid, data)

        def ca_array_put_callback(ftype, count, chid, data, cb, arg):
            with tracer.put_lock:
                tracer.announce(ca, real_put, sys._getframe(1))
                return real_put_cb(ftype, count, chid, data, cb, arg)

        self.ca_array_put = ca_array_put
        self.ca_array_put_callback = ca_array_put_callback

    def __getattr__(self, name):
        return getattr(self._lib, name)


def _patch_epics_ca(module, tracer):
    orig = module.initialize_libca

    def initialize_libca(*args, **kwargs):
        ret = orig(*args, **kwargs)
        if not isinstance(module.libca, _LibcaProxy):
            module.libca = _LibcaProxy(module.libca, tracer, module)
        return module.libca if ret is not None else ret

    module.initialize_libca = initialize_libca
    if module.libca is not None and not isinstance(module.libca, _LibcaProxy) and hasattr(module.libca, 'ca_array_put'):
        module.libca = _LibcaProxy(module.libca, tracer, module)


class _Output:
    """sys.stdout that also tells the tracer what was printed."""

    def __init__(self, stream, tracer):
        self._stream = stream
        self._tracer = tracer

    def write(self, s):
        try:
            self._tracer.output(s)
        except Exception:
            pass
        return self._stream.write(s)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _env_int(name, default):
    try:
        v = int(os.environ.get(name, ''))
        return v if v > 0 else default
    except ValueError:
        return default


_tracer = None


def install():
    """Start tracing this process (once), if asked to by the environment."""
    global _tracer
    out_dir = os.environ.get('BEAMTWIN_LINES_DIR')
    if not out_dir or _tracer is not None:
        return
    t = _tracer = Tracer(out_dir, _env_int('BEAMTWIN_LINES_MAX_STEPS', 10000), _env_int('BEAMTWIN_LINES_MAX_REPR', 80),
                         os.environ.get('BEAMTWIN_LINE_PV'))
    after_import('epics.ca', lambda m: _patch_epics_ca(m, t))
    if sys.stdout is not None:
        sys.stdout = _Output(sys.stdout, t)
    atexit.register(t.close)
    real_exit = os._exit

    def _exit(code):  # skips atexit (multiprocessing children end this way): close the record first
        try:
            t.close()
        finally:
            real_exit(code)

    os._exit = _exit
    threading.settrace(t.on_call)
    sys.settrace(t.on_call)
