# Heat to 29 C at 20 C/min, expose 0.1 s there, heater off — candidate "good": the same
import time

import epics

AT = 'XF:11BMB-ES{Det:PIL2M}:cam1:AcquireTime'
ACQ = 'XF:11BMB-ES{Det:PIL2M}:cam1:Acquire'
SP = 'XF:11BM-ES:{LINKAM}:SETPOINT:SET'
RR = 'XF:11BM-ES:{LINKAM}:RAMPRATE:SET'
HEAT = 'XF:11BM-ES:{LINKAM}:STARTHEAT'
TEMP = 'XF:11BM-ES:{LINKAM}:TEMP'
PAUSE = 0.5  # after each action, as a plan would; keeps timing about the plan, not process scheduling

def put(pv, value):
    """Write and wait for completion (motion done, exposure over), then pause as a plan would."""
    epics.caput(pv, value, wait=True, timeout=30)
    time.sleep(PAUSE)

def expose(seconds):
    """An exposure: AcquireTime, then Acquire with put-callback (returns when the image is taken)."""
    put(AT, seconds)
    put(ACQ, 1)

def wait_temp(target, limit=30):
    """Poll the Linkam temperature until it reaches the target."""
    t0 = time.time()
    while abs(epics.caget(TEMP) - target) > 0.05 and time.time() - t0 < limit:
        time.sleep(0.1)

# Connect first (as ophyd does at start-up): channel searches are not part of the plan.
for name in (AT, ACQ, SP, RR, HEAT, TEMP):
    epics.get_pv(name, connect=True, timeout=5)

put(RR, 20)
put(SP, 29)
put(HEAT, 1)
wait_temp(29)
expose(0.1)
put(HEAT, 0)
