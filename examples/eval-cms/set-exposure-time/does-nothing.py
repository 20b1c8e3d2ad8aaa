# Set the exposure time to 0.5 s (no exposure) — candidate "does-nothing": a script that writes nothing
import time

import epics

PAUSE = 0.5  # after each action, as a plan would; keeps timing about the plan, not process scheduling

pass
