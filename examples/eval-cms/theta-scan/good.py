# Measure at incident angles 0.1 and 0.2 deg, 0.1 s each — candidate "good": the same
import time

import epics

TH = 'XF:11BMB-ES{Chm:Smpl-Ax:theta}Mtr'
AT = 'XF:11BMB-ES{Det:PIL2M}:cam1:AcquireTime'
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
for name in (TH, AT, ACQ):
    epics.get_pv(name, connect=True, timeout=5)

for angle in [0.1, 0.2]:
    put(TH, angle)
    expose(0.1)
