# Rotate the sample stage (srot) to 1 deg — candidate "wrong-axis": tilts theta instead of rotating
import time

import epics

TH = 'XF:11BMB-ES{Chm:Smpl-Ax:theta}Mtr'
PAUSE = 0.5  # after each action, as a plan would; keeps timing about the plan, not process scheduling

def put(pv, value):
    """Write and wait for completion (motion done, exposure over), then pause as a plan would."""
    epics.caput(pv, value, wait=True, timeout=30)
    time.sleep(PAUSE)

# Connect first (as ophyd does at start-up): channel searches are not part of the plan.
for name in (TH,):
    epics.get_pv(name, connect=True, timeout=5)

put(TH, 1.0)
