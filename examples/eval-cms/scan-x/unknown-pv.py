# Scan x over 0, 0.2, 0.4 with a 0.1 s exposure at each point — candidate "unknown-pv": also writes a detector trigger PV that does not exist
import time

import epics

X = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr'
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
for name in (X, AT, ACQ):
    epics.get_pv(name, connect=True, timeout=5)

for x in (0.0, 0.2, 0.4):
    put(X, x)
    put('XF:11BMB-ES{Det:SAXS}:Trigger', 1)
    expose(0.1)
