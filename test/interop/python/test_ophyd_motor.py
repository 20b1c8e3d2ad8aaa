"""ophyd's EpicsMotor against the CMS twin's motor records."""
import time

import pytest
from ophyd.utils.errors import LimitError

from cms_devices import make_motor


def wait_for(pred, timeout=20.0):
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True


@pytest.fixture
def smx():
    m = make_motor('smx')
    m.wait_for_connection(timeout=10)
    return m


def test_connects_with_the_records_metadata(smx):
    assert smx.connected
    assert smx.position == 0
    assert smx.egu == 'degrees'
    assert smx.limits == (-20000.0, 20000.0)
    assert smx.motor_done_move.get() == 1
    assert smx.precision == 5


def test_set_wait_lands_on_target(smx):
    st = smx.set(1.5)
    st.wait(timeout=30)
    assert st.done and st.success
    assert smx.position == pytest.approx(1.5, abs=0.01)
    assert smx.user_readback.get(use_monitor=False) == pytest.approx(1.5, abs=0.01)
    assert smx.motor_done_move.get(use_monitor=False) == 1
    assert smx.motor_is_moving.get(use_monitor=False) == 0


def test_soft_limits_raise_limit_error_and_nothing_moves(smx):
    with pytest.raises(LimitError):
        smx.set(30000)
    with pytest.raises(LimitError):
        smx.move(-20001, wait=False)
    assert smx.position == 0
    assert smx.motor_done_move.get(use_monitor=False) == 1


def test_a_new_HLM_reaches_ophyd_and_the_server_refuses_past_it(smx):
    """HLM moves VAL's control limit (DRVH, posted as a property change): ophyd's limits follow, and a
    raw setpoint write around ophyd's check sets LVIO and moves nothing."""
    from epics import caget, caput
    smx.high_limit_travel.put(2.0, wait=True)
    try:
        assert wait_for(lambda: smx.limits == (-20000.0, 2.0))
        with pytest.raises(LimitError):
            smx.set(3.0)
        assert caput(smx.prefix + '.VAL', 3.0, wait=True, timeout=10) == 1
        assert caget(smx.prefix + '.LVIO', use_monitor=False) == 1
        assert smx.user_readback.get(use_monitor=False) == 0
        assert smx.motor_done_move.get(use_monitor=False) == 1
    finally:
        smx.high_limit_travel.put(20000.0, wait=True)


def test_readback_updates_during_a_move(smx):
    seen = []
    cid = smx.user_readback.subscribe(lambda value, **kw: seen.append(value), run=False)
    try:
        smx.set(2.0).wait(timeout=30)
    finally:
        smx.user_readback.unsubscribe(cid)
    inside = [v for v in seen if 0 < v < 2.0]
    assert len(inside) >= 3, seen
    assert seen == sorted(seen), 'a forward move reads back monotonically'
    assert seen[-1] == pytest.approx(2.0, abs=0.01)


def test_move_without_wait_then_the_status_completes(smx):
    st = smx.move(0.8, wait=False)
    assert not st.done
    assert wait_for(lambda: smx.moving)
    st.wait(timeout=30)
    assert st.success
    assert not smx.moving
    assert smx.position == pytest.approx(0.8, abs=0.01)


def test_stop_halts_the_motor_short_of_its_target(smx):
    st = smx.move(50, wait=False)
    assert wait_for(lambda: smx.user_readback.get(use_monitor=False) > 0.3)
    smx.stop()
    assert wait_for(lambda: smx.motor_done_move.get(use_monitor=False) == 1)
    assert wait_for(lambda: st.done)
    pos = smx.user_readback.get(use_monitor=False)
    assert 0.3 < pos < 50
    # On stop the record sets VAL to where the motor came to rest.
    assert smx.user_setpoint.get(use_monitor=False) == pytest.approx(pos, abs=0.011)


def test_set_current_position_changes_the_offset_not_the_dial(smx):
    from epics import caget
    smx.set_current_position(5.0)
    try:
        assert wait_for(lambda: smx.position == pytest.approx(5.0, abs=1e-6))
        assert caget(smx.prefix + '.DRBV', use_monitor=False) == 0
        assert smx.user_offset.get(use_monitor=False) == pytest.approx(5.0)
    finally:
        smx.set_current_position(0.0)
