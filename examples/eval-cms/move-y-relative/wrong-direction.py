# Move the sample 0.3 up from where it is (sam.yr(0.3)) — candidate "wrong-direction": moves 0.3 down
import time

import epics

Y = 'XF:11BMB-ES{Chm:Smpl-Ax:Z}Mtr'
PAUSE = 0.5  # after each action, as a plan would; keeps timing about the plan, not process scheduling

def put(pv, value):
    """Write and wait for completion (motion done, exposure over), then pause as a plan would."""
    epics.caput(pv, value, wait=True, timeout=30)
    time.sleep(PAUSE)

# Connect first (as ophyd does at start-up): channel searches are not part of the plan.
for name in (Y,):
    epics.get_pv(name, connect=True, timeout=5)

y = epics.caget(Y + '.RBV')
put(Y, y - 0.3)
