"""The CMS 11-BM beamline's ophyd devices, built as its Bluesky profile builds them (motors as EpicsMotor,
the Pilatus 2M as SingleTrigger + PilatusDetector with a WaitForPlugins cam, five Stats, four ROI, Proc,
Trans, image and a TIFF plugin with file-store iterative write)."""
from ophyd import Component as Cpt, EpicsMotor, EpicsSignal
from ophyd.areadetector import PilatusDetector, PilatusDetectorCam
from ophyd.areadetector.filestore_mixins import FileStoreTIFFIterativeWrite
from ophyd.areadetector.plugins import (ImagePlugin, ProcessPlugin, ROIPlugin, StatsPlugin, TIFFPlugin,
                                        TransformPlugin)
from ophyd.areadetector.trigger_mixins import SingleTrigger

DET = 'XF:11BMB-ES{Det:PIL2M}:'
MOTORS = {
    'smx': 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr',
    'smy': 'XF:11BMB-ES{Chm:Smpl-Ax:Z}Mtr',
    'sth': 'XF:11BMB-ES{Chm:Smpl-Ax:theta}Mtr',
    'bsx': 'XF:11BMB-ES{BS-Ax:X}Mtr',
    'bsy': 'XF:11BMB-ES{BS-Ax:Y}Mtr',
    'srot': 'XF:11BMB-ES{SM:1-Ax:Srot}Mtr',
}
# Where the twin's TIFF plugin says it writes (it writes no file: the path is only recorded).
WRITE_ROOT = '/nsls2/xf11bm'
WRITE_PATH = '/nsls2/xf11bm/Pilatus2M/%Y/%m/%d/'


class PilatusDetectorCamV33(PilatusDetectorCam):
    """The profile's cam: AD 3.3 WaitForPlugins, staged to Yes so Acquire waits for every plugin."""
    wait_for_plugins = Cpt(EpicsSignal, 'WaitForPlugins', string=True, kind='config')

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage_sigs['wait_for_plugins'] = 'Yes'


class TIFFPluginWithFileStore(TIFFPlugin, FileStoreTIFFIterativeWrite):
    pass


class PilatusV33(SingleTrigger, PilatusDetector):
    cam = Cpt(PilatusDetectorCamV33, 'cam1:')
    image = Cpt(ImagePlugin, 'image1:')
    stats1 = Cpt(StatsPlugin, 'Stats1:')
    stats2 = Cpt(StatsPlugin, 'Stats2:')
    stats3 = Cpt(StatsPlugin, 'Stats3:')
    stats4 = Cpt(StatsPlugin, 'Stats4:')
    stats5 = Cpt(StatsPlugin, 'Stats5:')
    roi1 = Cpt(ROIPlugin, 'ROI1:')
    roi2 = Cpt(ROIPlugin, 'ROI2:')
    roi3 = Cpt(ROIPlugin, 'ROI3:')
    roi4 = Cpt(ROIPlugin, 'ROI4:')
    proc1 = Cpt(ProcessPlugin, 'Proc1:')
    trans1 = Cpt(TransformPlugin, 'Trans1:')
    tiff = Cpt(TIFFPluginWithFileStore, suffix='TIFF1:', write_path_template=WRITE_PATH,
               read_path_template=WRITE_PATH, root=WRITE_ROOT)


def make_motor(name):
    return EpicsMotor(MOTORS[name], name=name)


def make_pilatus():
    det = PilatusV33(DET, name='pilatus2M')
    det.tiff.read_attrs = []
    for s in ('stats1', 'stats2', 'stats3', 'stats4', 'stats5'):
        getattr(det, s).kind = 'normal'
        getattr(det, s).read_attrs = ['total']
        getattr(det, s).enable_on_stage()  # the plugin computes while the detector is staged
    det.stats3.total.kind = 'hinted'
    det.stats4.total.kind = 'hinted'
    return det
