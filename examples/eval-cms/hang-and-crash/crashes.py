# Move x to 0.2 and take a 0.1 s exposure (candidates that hang or crash) — candidate "crashes": moves, then crashes before the exposure
import time

import epics

X = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr'
PAUSE = 0.5  # after each action, as a plan would; keeps timing about the plan, not process scheduling

def put(pv, value):
    """Write and wait for completion (motion done, exposure over), then pause as a plan would."""
    epics.caput(pv, value, wait=True, timeout=30)
    time.sleep(PAUSE)

# Connect first (as ophyd does at start-up): channel searches are not part of the plan.
for name in (X,):
    epics.get_pv(name, connect=True, timeout=5)

put(X, 0.2)
raise RuntimeError('detector not staged')
