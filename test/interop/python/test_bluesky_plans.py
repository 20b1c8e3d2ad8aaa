"""Bluesky RunEngine plans with the CMS devices: the documents they produce and the state they leave."""
import threading
import time

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import pytest
from bluesky.utils import RunEngineInterrupted
from epics import caget

from cms_devices import MOTORS, make_motor, make_pilatus


@pytest.fixture(scope='module')
def det():
    d = make_pilatus()
    d.wait_for_connection(timeout=30)
    return d


@pytest.fixture(scope='module')
def motors():
    ms = {n: make_motor(n) for n in ('smx', 'smy', 'sth')}
    for m in ms.values():
        m.wait_for_connection(timeout=10)
    return ms


@pytest.fixture(autouse=True)
def exposure(det):
    det.cam.acquire_time.set(0.05).wait(timeout=10)
    det.cam.acquire_period.set(0.05).wait(timeout=10)


def wait_dmov(pv, timeout=30):
    deadline = time.monotonic() + timeout
    while caget(pv + '.DMOV', use_monitor=False) != 1:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def events(RE, stream='primary'):
    descs = {d['uid'] for d in RE.docs.of('descriptor') if d['name'] == stream}
    return [e for e in RE.docs.of('event') if e['descriptor'] in descs]


def assert_one_clean_run(RE, n_events):
    assert [n for n, _ in RE.docs.all if n in ('start', 'stop')] == ['start', 'stop']
    stop = RE.docs.of('stop')[0]
    assert stop['exit_status'] == 'success'
    assert stop['num_events'].get('primary') == n_events
    assert len(events(RE)) == n_events


def test_count_has_stats_totals_and_tiff_resource_and_datums(RE, det):
    RE(bp.count([det], num=3))
    assert_one_clean_run(RE, 3)
    evs = events(RE)
    for e in evs:
        assert e['data']['pilatus2M_stats1_total'] > 0
        assert e['data']['pilatus2M_stats4_total'] > 0
    resources = RE.docs.of('resource')
    datums = RE.docs.of('datum')
    assert len(resources) == 1
    assert resources[0]['spec'] == 'AD_TIFF'
    assert resources[0]['root'] == '/nsls2/xf11bm'
    assert len(datums) == 3
    assert all(d['resource'] == resources[0]['uid'] for d in datums)
    # One datum per event, emitted just before it (the profile keeps the image key out of the events).
    order = [n for n, _ in RE.docs.all if n in ('datum', 'event')]
    assert order == ['datum', 'event'] * 3
    # Consecutive images have consecutive point numbers in the one file set the TIFF plugin wrote.
    assert [d['datum_kwargs']['point_number'] for d in datums] == [0, 1, 2]
    # Unstaged: the cam is back in its unstaged image mode and plugins settings.
    assert det.cam.acquire.get(use_monitor=False) == 0


def test_scan_visits_every_point(RE, det, motors):
    smx = motors['smx']
    RE(bp.scan([det], smx, -1, 1, 5))
    assert_one_clean_run(RE, 5)
    xs = [e['data']['smx'] for e in events(RE)]
    assert xs == pytest.approx([-1, -0.5, 0, 0.5, 1], abs=0.01)


def test_rel_scan_returns_to_the_start(RE, det, motors):
    smy = motors['smy']
    smy.set(0.5).wait(timeout=30)
    RE(bp.rel_scan([det], smy, -0.2, 0.2, 3))
    assert_one_clean_run(RE, 3)
    assert [e['data']['smy'] for e in events(RE)] == pytest.approx([0.3, 0.5, 0.7], abs=0.01)
    assert smy.position == pytest.approx(0.5, abs=0.01)


def test_list_scan(RE, det, motors):
    sth = motors['sth']
    RE(bp.list_scan([det], sth, [0.1, 0.3, 0.2]))
    assert_one_clean_run(RE, 3)
    assert [e['data']['sth'] for e in events(RE)] == pytest.approx([0.1, 0.3, 0.2], abs=0.01)


def test_grid_scan_of_two_motors(RE, det, motors):
    smx, smy = motors['smx'], motors['smy']
    RE(bp.grid_scan([det], smy, 0, 0.2, 2, smx, 0, 0.4, 3, snake_axes=False))
    assert_one_clean_run(RE, 6)
    pts = [(round(e['data']['smy'], 2), round(e['data']['smx'], 2)) for e in events(RE)]
    assert pts == [(0.0, 0.0), (0.0, 0.2), (0.0, 0.4), (0.2, 0.0), (0.2, 0.2), (0.2, 0.4)]


def test_mv_of_two_motors_moves_them_together(RE, motors):
    smx, smy = motors['smx'], motors['smy']
    moving_together = []

    def watch(value, **kw):
        if value == 0:  # smx's DMOV went to 0: is smy moving too?
            moving_together.append(caget(MOTORS['smy'] + '.DMOV', use_monitor=False) == 0 or smy.moving)

    cid = smx.motor_done_move.subscribe(watch, run=False)
    try:
        RE(bps.mv(smx, 1.0, smy, 1.2))
    finally:
        smx.motor_done_move.unsubscribe(cid)
    assert smx.position == pytest.approx(1.0, abs=0.01)
    assert smy.position == pytest.approx(1.2, abs=0.01)
    assert moving_together and moving_together[0]


def test_pause_resume_then_abort_leaves_every_motor_stopped(RE, det, motors):
    smx = motors['smx']

    def pause_when_moving():
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not smx.moving:
            time.sleep(0.01)
        RE.request_pause(defer=False)

    threading.Thread(target=pause_when_moving, daemon=True).start()
    with pytest.raises(RunEngineInterrupted):
        RE(bp.scan([det], smx, 0, 3, 2))
    assert RE.state == 'paused'
    # Pausing stops the motors (ophyd's stop on pause): the motor decelerates, then reports done.
    assert wait_dmov(MOTORS['smx'])

    threading.Thread(target=pause_when_moving, daemon=True).start()
    with pytest.raises(RunEngineInterrupted):
        RE.resume()
    assert RE.state == 'paused'
    RE.abort(reason='test')
    assert RE.state == 'idle'
    assert RE.docs.of('stop')[-1]['exit_status'] == 'abort'
    for name in MOTORS:
        assert wait_dmov(MOTORS[name])
        assert caget(MOTORS[name] + '.MOVN', use_monitor=False) == 0
