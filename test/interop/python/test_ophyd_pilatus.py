"""The CMS Pilatus 2M as the beamline's profile composes it, against the twin's areaDetector."""
import pytest

from cms_devices import make_pilatus


@pytest.fixture(scope='module')
def det():
    d = make_pilatus()
    d.wait_for_connection(timeout=30)
    return d


def test_every_component_connects(det):
    assert det.connected
    names = det.component_names
    for c in ('cam', 'image', 'stats1', 'stats5', 'roi1', 'roi4', 'proc1', 'trans1', 'tiff'):
        assert c in names
    assert det.cam.wait_for_plugins.get() in ('No', 'Yes')


def test_the_asyn_port_graph_is_consistent(det):
    graph, port_map = det.get_asyn_digraph()
    det.validate_asyn_ports()  # every plugin's NDArrayPort names a port of this detector
    cam_port = det.cam.port_name.get()
    assert cam_port in port_map and port_map[cam_port] is det.cam
    for plugin in (det.image, det.stats1, det.roi1, det.proc1, det.trans1, det.tiff):
        port = plugin.port_name.get()
        assert port in graph.nodes
        upstream = plugin.nd_array_port.get()
        assert graph.has_edge(upstream, port), (upstream, port)


def _staged_signals(det):
    out = []
    for dev in [det] + [getattr(det, n) for n in det.component_names]:
        for key in getattr(dev, 'stage_sigs', {}):
            sig = getattr(dev, key) if isinstance(key, str) else key
            out.append(sig)
    return out


def test_stage_and_unstage_restore_every_setting(det):
    sigs = _staged_signals(det)
    assert len(sigs) >= 5
    before = {s.name: s.get(use_monitor=False) for s in sigs}
    det.stage()
    try:
        assert det.cam.wait_for_plugins.get(use_monitor=False) == 'Yes'
        assert det.cam.image_mode.get(use_monitor=False) == 1
    finally:
        det.unstage()
    after = {s.name: s.get(use_monitor=False) for s in sigs}
    assert after == before


def test_trigger_acquires_one_image_and_the_plugins_follow(det):
    det.cam.acquire_time.set(0.2).wait(timeout=10)  # the twin's reset state exposes for 0 s: no counts
    counter = det.cam.array_counter.get(use_monitor=False)
    det.stage()
    try:
        st = det.trigger()
        st.wait(timeout=30)
        assert st.success
        reading = det.read()
    finally:
        det.unstage()
    assert det.cam.array_counter.get(use_monitor=False) == counter + 1
    assert det.cam.acquire.get(use_monitor=False) == 0
    for s in ('stats1', 'stats3', 'stats4', 'stats5'):
        total = reading[f'pilatus2M_{s}_total']['value']
        assert total > 0
    assert det.stats1.array_counter.get(use_monitor=False) == counter + 1
