"""ophyd-async over Channel Access (aioca) against the CMS twin: signals, the EPICS motor and the
areaDetector (ADSimDetector driver with the TIFF writer), alone and in a Bluesky plan."""
import asyncio
from pathlib import PurePosixPath

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import pytest
from ophyd_async.core import StaticFilenameProvider, StaticPathProvider, init_devices
from ophyd_async.epics.adcore import ADWriterFactory
from ophyd_async.epics.adsimdetector import SimDetector
from ophyd_async.epics.core import epics_signal_r, epics_signal_rw
from ophyd_async.epics.motor import Motor

from cms_devices import DET, MOTORS

X = MOTORS['smx']


@pytest.fixture
def devices(RE):
    path = StaticPathProvider(StaticFilenameProvider('scan'), PurePosixPath('/nsls2/xf11bm/Pilatus2M'))
    with init_devices(connect=True, timeout=20):
        smx = Motor(X)
        smy = Motor(MOTORS['smy'])
        det = SimDetector(DET, ADWriterFactory.tiff(path))
        velo = epics_signal_rw(float, f'ca://{X}.VELO')
        rbv = epics_signal_r(float, f'ca://{X}.RBV')
        mode = epics_signal_rw(str, f'ca://{DET}cam1:ImageMode')
    return {'smx': smx, 'smy': smy, 'det': det, 'velo': velo, 'rbv': rbv, 'mode': mode}


def test_signals_read_and_write(RE, devices):
    async def go():
        velo, rbv, mode = devices['velo'], devices['rbv'], devices['mode']
        assert await velo.get_value() == 1.0
        await velo.set(2.5)
        assert await velo.get_value() == 2.5
        await velo.set(1.0)
        assert await rbv.get_value() == 0.0
        desc = await rbv.describe()
        assert desc['rbv']['units'] == 'degrees' and desc['rbv']['precision'] == 5
        assert await mode.get_value() in ('Single', 'Multiple', 'Continuous')
        await mode.set('Multiple')
        assert await mode.get_value() == 'Multiple'
        with pytest.raises(Exception):
            await mode.set('Sometimes')  # not one of the record's choices
    # The RunEngine's event loop runs ophyd-async's coroutines.
    asyncio.run_coroutine_threadsafe(go(), RE.loop).result(timeout=30)


def test_motor_set_completes_on_target_with_readback_during_the_move(RE, devices):
    smx = devices['smx']
    seen = []

    def on_reading(reading):
        seen.append(reading['smx']['value'])

    async def go():
        smx.user_readback.subscribe_reading(on_reading)
        await smx.set(1.2)
        smx.user_readback.clear_sub(on_reading)
        return await smx.user_readback.get_value()
    final = asyncio.run_coroutine_threadsafe(go(), RE.loop).result(timeout=60)
    assert final == pytest.approx(1.2, abs=0.01)
    assert any(0 < v < 1.2 for v in seen)


def test_a_plan_with_the_motors_and_the_detector(RE, devices):
    smx, det = devices['smx'], devices['det']

    def plan():
        # As the reference IOC starts (autosave): the TIFF plugin's callbacks on.
        yield from bps.mv(det.tiff.enable_callbacks, 'Enable', det.driver.acquire_time, 0.05)
        yield from bp.scan([det], smx, 0, 0.4, 3)

    RE(plan())
    stop = RE.docs.of('stop')[-1]
    assert stop['exit_status'] == 'success'
    assert stop['num_events']['primary'] == 3
    resources = RE.docs.of('stream_resource')
    datums = RE.docs.of('stream_datum')
    assert len(resources) == 1 and resources[0]['data_key'] == 'det'
    assert sum(d['indices']['stop'] - d['indices']['start'] for d in datums) == 3
    xs = [e['data']['smx'] for e in RE.docs.of('event')]
    assert xs == pytest.approx([0, 0.2, 0.4], abs=0.01)
