# Take one 0.3 s exposure — candidate "missing-exposure": sets the exposure time but never acquires
import time

import epics

AT = 'XF:11BMB-ES{Det:PIL2M}:cam1:AcquireTime'
PAUSE = 0.5  # after each action, as a plan would; keeps timing about the plan, not process scheduling

def put(pv, value):
    """Write and wait for completion (motion done, exposure over), then pause as a plan would."""
    epics.caput(pv, value, wait=True, timeout=30)
    time.sleep(PAUSE)

# Connect first (as ophyd does at start-up): channel searches are not part of the plan.
for name in (AT,):
    epics.get_pv(name, connect=True, timeout=5)

put(AT, 0.3)
