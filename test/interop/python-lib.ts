// Python snippets shared by several interop scripts (appended after the harness prelude).

/** Embed a JSON-able value in a python script. */
export const py = (value: unknown): string => `json.loads(${JSON.stringify(JSON.stringify(value))})`;

/** Decoders for the STS and GR structures (host order, layouts of db_access.h) and raw puts. */
export const DBR_LIB = String.raw`
STS_FMT = {0: '=hh40s', 1: '=hhh', 2: '=hhf', 3: '=hhH', 4: '=hhxB', 5: '=hhi', 6: '=hhid'}

def _s(b):
    return b.split(b'\0', 1)[0].decode('latin-1')

def decode_sts(base, raw):
    f = STS_FMT[base]
    t = struct.unpack(f, raw[:struct.calcsize(f)])
    v = _s(t[-1]) if base == 0 else t[-1]
    return {'status': t[0], 'severity': t[1], 'value': v}

def decode_gr(base, raw):
    if base == 0:
        return decode_sts(0, raw)
    if base == 3:
        status, severity, no_str = struct.unpack('=hhh', raw[:6])
        strs = [_s(raw[6 + 26 * i: 6 + 26 * (i + 1)]) for i in range(16)]
        (value,) = struct.unpack('=H', raw[422:424])
        return {'status': status, 'severity': severity, 'no_str': no_str, 'strs': strs[:no_str], 'value': value}
    if base in (2, 6):
        c = 'f' if base == 2 else 'd'
        t = struct.unpack('=hhhh8s6' + c + c, raw[:struct.calcsize('=hhhh8s6' + c + c)])
        return {'status': t[0], 'severity': t[1], 'precision': t[2], 'units': _s(t[4]), 'limits': list(t[5:11]), 'value': t[11]}
    c = {1: 'h', 4: 'B', 5: 'i'}[base]
    f = '=hh8s6' + c + ('x' if base == 4 else '') + c
    t = struct.unpack(f, raw[:struct.calcsize(f)])
    return {'status': t[0], 'severity': t[1], 'units': _s(t[2]), 'limits': list(t[3:9]), 'value': t[9]}

def _data(ftype, values):
    n = len(values)
    if ftype == dbr.STRING:
        data = (n * dbr.string_t)()
        for i, v in enumerate(values):
            data[i].value = v.encode('latin-1')
        return data
    return (n * dbr.Map[ftype])(*values)

def raw_put(chid, ftype, values):
    """ca_array_put of explicit DBR type and values (no completion): returns libca's status."""
    st = ca.libca.ca_array_put(ctypes.c_long(ftype), ctypes.c_ulong(len(values)), chid, _data(ftype, values))
    ca.flush_io()
    return st

_PUT_CBS = []
def put_callback_status(chid, ftype, values, timeout=10.0):
    """ca_array_put_callback: the ECA status the server's WRITE_NOTIFY reply carried, or
    {'refused': status} when libca refused locally (no write access)."""
    done = {}
    def _cb(args):
        done['status'] = args.status
    cb = ctypes.CFUNCTYPE(None, dbr.event_handler_args)(_cb)
    _PUT_CBS.append(cb)
    st = ca.libca.ca_array_put_callback(ctypes.c_long(ftype), ctypes.c_ulong(len(values)), chid, _data(ftype, values), cb, ctypes.py_object(done))
    if st != dbr.ECA_NORMAL:
        return {'refused': st}
    ca.flush_io()
    if not wait_until(lambda: 'status' in done, timeout):
        return {'timeout': True}
    return done['status']
`;
