# The p4p (pvxs) subscriber of scripts/bench/pva.ts: monitors bench:image (the server is already posting
# frames) pipelined with queueSize 4, for SECONDS after the first two frames, and prints frames per second.
import sys, time, threading
from p4p.client.thread import Context

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
ctx = Context('pva', useenv=True, nt=False)
count = [0]
t = [0.0, 0.0]
done = threading.Event()

def frame(v):
    count[0] += 1
    now = time.monotonic()
    if count[0] == 2:
        t[0] = now
    t[1] = now
    if count[0] > 2 and now - t[0] >= seconds:
        done.set()

sub = ctx.monitor('bench:image', frame, request='record[queueSize=4,pipeline=true]')
done.wait(60)
sub.close()
ctx.close()
print('%.1f' % ((count[0] - 2) / (t[1] - t[0])) if count[0] > 2 else 'nan', flush=True)
