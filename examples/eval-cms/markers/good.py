# Align, move x to 0.2, log the position — candidate "good": the same; sam.pos logged with a value (markers of sam.pos match any value)
import time

import epics

X = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr'
MARK = 'beamtwin:marker'
PAUSE = 0.5  # after each action, as a plan would; keeps timing about the plan, not process scheduling

def put(pv, value):
    """Write and wait for completion (motion done, exposure over), then pause as a plan would."""
    epics.caput(pv, value, wait=True, timeout=30)
    time.sleep(PAUSE)

def mark(name):
    """A marker in the trace (what the reference harness logs for sam.align(), sam.pos() ...)."""
    epics.caput(MARK, name, wait=True)
    time.sleep(PAUSE)

# Connect first (as ophyd does at start-up): channel searches are not part of the plan.
for name in (X, MARK):
    epics.get_pv(name, connect=True, timeout=5)

mark('sam.align')
put(X, 0.2)
mark('sam.pos=0.2')
