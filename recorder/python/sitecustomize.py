# beamtwin's start-up hook: `beamtwin run --lines` puts this folder first on PYTHONPATH, so Python imports
# this module at start-up (site.py imports `sitecustomize`). It starts the line tracer, then runs the
# sitecustomize this one hides (Debian ships one, so may a conda or a site), so the command behaves as before.
import importlib
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))

def _chain():
    """Import the next `sitecustomize` on sys.path (the one this module shadows), if there is one."""
    me = sys.modules.get(__name__)
    saved = sys.path[:]
    try:
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != _here]
        del sys.modules[__name__]
        try:
            importlib.import_module('sitecustomize')
        except ImportError as e:
            if e.name != 'sitecustomize':
                raise
    finally:
        sys.path[:] = saved
        nxt = sys.modules.get('sitecustomize')
        # Keep the chained module visible as `sitecustomize` (as it would have been), and this one loaded.
        if nxt is None and me is not None:
            sys.modules['sitecustomize'] = me


# The hidden sitecustomize first (it is site configuration, not the user's code), then the tracer.
_chain()

try:
    if os.environ.get('BEAMTWIN_LINES_DIR') or os.environ.get('BEAMTWIN_SPEED'):
        sys.path.insert(0, _here)
        try:
            import beamtwin_speed
            import beamtwin_lines
        finally:
            sys.path.remove(_here)
        beamtwin_speed.install()  # first: modules imported from here on see the scaled clocks
        beamtwin_lines.install()
except Exception as _e:  # the command must run even when the tracer cannot start
    sys.stderr.write('beamtwin: start-up hook failed (line tracer, clock scaling): %r\n' % (_e,))
