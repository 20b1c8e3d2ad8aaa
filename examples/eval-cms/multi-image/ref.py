# Take 3 images of 0.1 s every 0.15 s — reference: Multiple mode, NumImages 3
import time

import epics

AT = 'XF:11BMB-ES{Det:PIL2M}:cam1:AcquireTime'
AP = 'XF:11BMB-ES{Det:PIL2M}:cam1:AcquirePeriod'
N = 'XF:11BMB-ES{Det:PIL2M}:cam1:NumImages'
MODE = 'XF:11BMB-ES{Det:PIL2M}:cam1:ImageMode'
ACQ = 'XF:11BMB-ES{Det:PIL2M}:cam1:Acquire'
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
for name in (AT, AP, N, MODE, ACQ):
    epics.get_pv(name, connect=True, timeout=5)

put(N, 3)
put(AP, 0.15)
put(MODE, 1)
expose(0.1)
