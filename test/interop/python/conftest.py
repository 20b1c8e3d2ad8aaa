"""Fixtures for the real-client suites. The twin under test is started by the vitest side
(test/interop/real-clients.test.ts) and reached through the EPICS_CA_* variables it sets."""
import os
import sys
import threading

import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(autouse=True)
def reset_twin():
    """Every test starts from the profile's reset state (motors at 0, detector idle)."""
    import epics
    if os.environ.get('BEAMTWIN_RESET', '1') == '1':
        assert epics.caput('beamtwin:reset', 1, wait=True, timeout=10) == 1
    yield


class Documents:
    """Every document a RunEngine emits, by name, in order."""

    def __init__(self):
        self.all = []
        self.lock = threading.Lock()

    def __call__(self, name, doc):
        with self.lock:
            self.all.append((name, doc))

    def of(self, name):
        return [d for n, d in self.all if n == name]


@pytest.fixture
def RE():
    from bluesky import RunEngine
    engine = RunEngine({}, call_returns_result=True)
    docs = Documents()
    engine.subscribe(docs)
    engine.docs = docs
    yield engine
    if engine.state != 'idle':
        engine.halt()
