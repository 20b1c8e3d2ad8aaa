# sam.measureIncidentAngle(0.15, exposure_time=0.2) with the shutter — reference: theta, then shutter, exposure, shutter
import time

import epics

TH = 'XF:11BMB-ES{Chm:Smpl-Ax:theta}Mtr'
AT = 'XF:11BMB-ES{Det:PIL2M}:cam1:AcquireTime'
ACQ = 'XF:11BMB-ES{Det:PIL2M}:cam1:Acquire'
SH = 'XF:11BM-ES{Shutter}'
PAUSE = 0.5  # after each action, as a plan would; keeps timing about the plan, not process scheduling

def put(pv, value):
    """Write and wait for completion (motion done, exposure over), then pause as a plan would."""
    epics.caput(pv, value, wait=True, timeout=30)
    time.sleep(PAUSE)

def expose(seconds):
    """An exposure: AcquireTime, then Acquire with put-callback (returns when the image is taken)."""
    put(AT, seconds)
    put(ACQ, 1)

# Connect first (as ophyd does at start-up): channel searches are not part of the plan.
for name in (TH, AT, ACQ, SH):
    epics.get_pv(name, connect=True, timeout=5)

put(TH, 0.15)
put(SH, 1)
expose(0.2)
put(SH, 0)
