# The C side of scripts/bench/ca-vs-c.ts: pythonSoftIOC (EPICS' own RSRV and record support) serving
# bench:0 … bench:N-1, DOUBLE values i with PREC 3 and EGU mm like scripts/bench/ca-server.ts, plus
# bench:trigger: each write to it posts one new value (+1) on every bench channel.
# Usage: python c-ioc.py N   (the EPICS_CA_* / EPICS_CAS_* environment picks the port); prints "ready".
import os
import sys
import tempfile
import time

from softioc import asyncio_dispatcher, softioc

n = int(sys.argv[1])
lines = ['record(event, "bench:trigger") {\n  field(VAL, "1")\n}\n']
for i in range(n):
    # A calc that adds one to its own value whenever event 1 is posted.
    lines.append(
        f'record(calc, "bench:{i}") {{\n  field(SCAN, "Event")\n  field(EVNT, "1")\n'
        f'  field(INPA, "bench:{i} NPP")\n  field(CALC, "A+1")\n  field(VAL, "{i}")\n'
        f'  field(PREC, "3")\n  field(EGU, "mm")\n}}\n'
    )
fd, path = tempfile.mkstemp(suffix='.db')
with os.fdopen(fd, 'w') as f:
    f.writelines(lines)
softioc.dbLoadDatabase(path)
softioc.iocInit(asyncio_dispatcher.AsyncioDispatcher())
os.unlink(path)
print('ready', flush=True)
while True:
    time.sleep(3600)
