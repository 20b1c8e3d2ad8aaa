"""Run code right after a module is imported, whoever imports it (the script, ophyd …): one finder for
beamtwin's start-up hooks (line tracer, clock scaling), so both can patch the same module."""
import sys

_after = {}  # module name -> functions to call with the module


class _Finder:
    def find_spec(self, name, path, target=None):
        if name not in _after:
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, 'exec_module'):
            return None
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            for fn in _after.pop(name, []):
                fn(module)

        spec.loader.exec_module = exec_and_patch
        return spec


_finder = None


def after_import(name, fn):
    """Call fn(module) once `name` is imported (now, if it already is)."""
    global _finder
    if name in sys.modules:
        fn(sys.modules[name])
        return
    _after.setdefault(name, []).append(fn)
    if _finder is None:
        _finder = _Finder()
        sys.meta_path.insert(0, _finder)
