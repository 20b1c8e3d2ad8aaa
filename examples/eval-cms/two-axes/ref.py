# Move x to 0.3, then y to 0.2 — reference: x first, then y
import time

import epics

X = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr'
Y = 'XF:11BMB-ES{Chm:Smpl-Ax:Z}Mtr'
PAUSE = 0.5  # after each action, as a plan would; keeps timing about the plan, not process scheduling

def put(pv, value):
    """Write and wait for completion (motion done, exposure over), then pause as a plan would."""
    epics.caput(pv, value, wait=True, timeout=30)
    time.sleep(PAUSE)

# Connect first (as ophyd does at start-up): channel searches are not part of the plan.
for name in (X, Y):
    epics.get_pv(name, connect=True, timeout=5)

put(X, 0.3)
put(Y, 0.2)
