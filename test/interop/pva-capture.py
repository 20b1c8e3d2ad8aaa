# Run once to capture what pvxs (bundled in p4p) sends: .venv/bin/python test/interop/pva-capture.py
# writes /tmp/pvacap/capture.json, which was copied to test/ioc/pva/protocol/pvxs-capture.json.
# One-off capture of pvxs (p4p 4.3.0) bytes through a logging TCP proxy.
import socket, threading, time, json, sys, os
from p4p.nt import NTScalar, NTEnum
from p4p.server import Server
from p4p.server.thread import SharedPV
from p4p.client.thread import Context

log = []
lst = socket.socket(); lst.bind(('127.0.0.1', 0)); lst.listen(5)
pport = lst.getsockname()[1]
def freeport():
    x = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); x.bind(('127.0.0.1', 0)); p = x.getsockname()[1]; x.close(); return p
def pipe(src, dst, tag):
    while True:
        try: d = src.recv(65536)
        except OSError: break
        if not d: break
        if tag == 'S' and d[3] == 4 and len(d) >= 42:
            d = d[:40] + pport.to_bytes(2, 'little') + d[42:]
        log.append((tag, d.hex()))
        dst.sendall(d)
    try: dst.shutdown(socket.SHUT_WR)
    except OSError: pass

pv = SharedPV(nt=NTScalar('d', display=True, control=True, valueAlarm=True), initial=1.5)
@pv.put
def onput(pv, op):
    pv.post(op.value()); op.done()
epv = SharedPV(nt=NTEnum(), initial={'index': 1, 'choices': ['Off', 'On']})
apv = SharedPV(nt=NTScalar('ai'), initial=[1, 2, 3])
srv = Server(providers=[{'cap:d': pv, 'cap:e': epv, 'cap:a': apv}], conf={'EPICS_PVAS_INTF_ADDR_LIST': '127.0.0.1', 'EPICS_PVA_SERVER_PORT': '0', 'EPICS_PVA_BROADCAST_PORT': '0', 'EPICS_PVAS_BEACON_ADDR_LIST': '', 'EPICS_PVAS_AUTO_BEACON_ADDR_LIST': 'NO'}, useenv=False)
conf = srv.conf()
print(conf, file=sys.stderr)
tcp = int(conf['EPICS_PVA_SERVER_PORT']); udp = int(conf['EPICS_PVA_BROADCAST_PORT'])

def acceptor():
    while True:
        c, _ = lst.accept()
        s = socket.create_connection(('127.0.0.1', tcp))
        threading.Thread(target=pipe, args=(c, s, 'C'), daemon=True).start()
        threading.Thread(target=pipe, args=(s, c, 'S'), daemon=True).start()
threading.Thread(target=acceptor, daemon=True).start()

ctx = Context('pva', conf={'EPICS_PVA_NAME_SERVERS': f'127.0.0.1:{pport}', 'EPICS_PVA_ADDR_LIST': '', 'EPICS_PVA_AUTO_ADDR_LIST': 'NO'}, useenv=False)
v = ctx.get('cap:d'); log.append(('MARK', 'get done'))
ctx.put('cap:d', 2.25); log.append(('MARK', 'put done'))
v = ctx.get('cap:d', 'field(value,alarm)'); log.append(('MARK', 'get field(value,alarm) done'))
v = ctx.get('cap:e'); log.append(('MARK', 'get enum done'))
v = ctx.get('cap:a'); log.append(('MARK', 'get array done'))
got = []
sub = ctx.monitor('cap:d', lambda v: got.append(v), request='record[queueSize=4,pipeline=true]field(value)')
time.sleep(0.5); pv.post(3.5); time.sleep(0.5); sub.close(); log.append(('MARK', 'monitor done'))
ctx.close(); time.sleep(0.3)

# UDP: what a pvxs client's search looks like, and what the server answers.
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0)); uport = u.getsockname()[1]
ctx2 = Context('pva', conf={'EPICS_PVA_ADDR_LIST': f'127.0.0.1:{uport}', 'EPICS_PVA_AUTO_ADDR_LIST': 'NO', 'EPICS_PVA_BROADCAST_PORT': str(freeport())}, useenv=False)
def bg():
    try: ctx2.get('cap:d', timeout=1.0)
    except Exception: pass
t = threading.Thread(target=bg); t.start()
u.settimeout(2.0)
d, a = u.recvfrom(65536); log.append(('UDP-C', d.hex()))
d = d[:32] + uport.to_bytes(2, 'big') + d[34:]
log.append(('UDP-C-patched', d.hex()))
u.sendto(d, ('127.0.0.1', udp))
try:
    r, a2 = u.recvfrom(65536); log.append(('UDP-S', r.hex()))
except socket.timeout: log.append(('MARK', 'no udp reply'))
t.join(); ctx2.close()
os.makedirs('/tmp/pvacap', exist_ok=True); json.dump(log, open('/tmp/pvacap/capture.json', 'w'), indent=0)
print('done', len(log), file=sys.stderr)
os._exit(0)
