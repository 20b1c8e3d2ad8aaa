#!/usr/bin/env python3
"""Factor an areaDetector IOC's record listing into ADCore's template structure.

Input: a records.json as in test/fixtures/areadetector/adsim-records.json (every record of one IOC with its
record type, DBR type, count, enum strings, units, precision and start-up value).
Output: one table per ADCore/ADSimDetector template (devices/areadetector/templates/<Template>.json) and a
model file (devices/areadetector/models/<name>.json) that lists the IOC's template instances, each with the
values in which it differs from its templates (the macros of the IOC's start-up script).

Templates nest as in ADCore: every port loads NDArrayBase; the driver adds ADBase and its own template;
every plugin adds NDPluginBase and its own (NDFile plugins NDFile then the format's). A record a later
template of the same instance declares again overrides the earlier (as dbLoadRecords does), which is how
simDetector.template narrows ColorMode and NDFileTIFF FileFormat. A record is put in the most general
template every instance of that kind serves alike.

Start-up values of records that describe a running acquisition (counters, time stamps, the last array's
description, statistics, pool usage, busy states) are written as the idle values an IOC has before its
first image; the twin's acquisition produces the rest. Run: python3 scripts/dev/areadetector-tables.py
"""
import collections
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, 'test/fixtures/areadetector/adsim-records.json')
OUT = os.path.join(ROOT, 'devices/areadetector')
MODEL = 'adsim-pil2m'

# The templates each instance loads, by the instance's record suffix.
def templates_of(inst):
    if inst == 'cam1:':
        return ['NDArrayBase', 'ADBase', 'simDetector']
    base = ['NDArrayBase', 'NDPluginBase']
    if re.fullmatch(r'Stats\d+:TS:', inst): return base + ['NDTimeSeries']
    if re.fullmatch(r'Stats\d+:', inst): return base + ['NDStats']
    if re.fullmatch(r'ROI\d+:', inst): return base + ['NDROI']
    if re.fullmatch(r'Proc\d+:', inst): return base + ['NDProcess']
    if re.fullmatch(r'Trans\d+:', inst): return base + ['NDTransform']
    if re.fullmatch(r'TIFF\d+:', inst): return base + ['NDFile', 'NDFileTIFF']
    if re.fullmatch(r'HDF\d+:', inst): return base + ['NDFile', 'NDFileHDF5']
    if re.fullmatch(r'image\d+:', inst): return base + ['NDStdArrays']
    if re.fullmatch(r'PVA\d*:', inst): return base + ['NDPva']
    raise SystemExit(f'unknown instance {inst}')

# simDetector.template's own records (the rest of the driver's records are ADBase's).
SIM = re.compile(r'(Gain(X|Y|Red|Green|Blue)|Offset|Noise|SimMode|Reset|Peak\w+|[XY]Sine\w+|ColorMode)(_RBV)?$')

# Element counts that are template macros.
COUNT_MACROS = [
    (re.compile(r'ArrayData$'), 'NELEMENTS'),
    (re.compile(r'Profile\w+X_RBV$'), 'XSIZE'),
    (re.compile(r'Profile\w+Y_RBV$'), 'YSIZE'),
    (re.compile(r'(TS\w+|TimeSeries)$'), 'NCHANS'),
]

# Records whose start-up value shows the acquisition that ran: idle values instead.
DYNAMIC = re.compile(
    r'(ArrayCounter_RBV|UniqueId_RBV|TimeStamp_RBV|EpicsTS(Sec|Nsec)_RBV|ArrayRate_RBV|ExecutionTime_RBV'
    r'|NumImagesCounter_RBV|NumExposuresCounter_RBV|NDimensions_RBV|Dimensions_RBV|ArraySize\d_RBV|Dim\dSA_RBV'
    r'|CompressedSize_RBV|Pool(AllocBuffers|FreeBuffers|UsedBuffers|UsedMem)|Acquire|Acquire_RBV|AcquireBusy'
    r'|AcquireBusyCB|SetAcquireBusy|ClearAcquireBusy|DetectorState_RBV|StatusMessage_RBV|TimeRemaining_RBV'
    r'|(Min|Max)(Value|X|Y)_RBV|MeanValue_RBV|Sigma_RBV|Total_RBV|Net_RBV|Centroid(Total|X|Y)_RBV'
    r'|Sigma(X|Y|XY)_RBV|Skew[XY]_RBV|Kurtosis[XY]_RBV|Eccentricity_RBV|Orientation_RBV|CursorVal'
    r'|Hist(Below|Above|Entropy)_RBV|Histogram_RBV|Profile\w+_RBV|ProfileSize[XY]_RBV|TSCurrentPoint'
    r'|TS(MinValue|MinX|MinY|MaxValue|MaxX|MaxY|MeanValue|Sigma|Total|Net|CentroidTotal|CentroidX|CentroidY'
    r'|SigmaX|SigmaY|SigmaXY|SkewX|SkewY|KurtosisX|KurtosisY|Eccentricity|Orientation|Timestamp)'
    r'|TimeSeries|TSTimeAxis|HistogramX_RBV|TSElapsedTime|TSRead|FullFileName_RBV|NumCaptured_RBV|RunTime|IOSpeed)$'
)
# The plugin instances whose last-array description was shown (DataType/ColorMode of the array).
ARRAY_DESCRIPTION = re.compile(r'(ArraySize[XYZ]?_RBV|DataType_RBV|ColorMode_RBV|BayerPattern_RBV)$')


# How each start-up differs from the model's values (the reference IOC after its start-up script).
STARTS = {
    'running': {
        'why': 'the reference IOC: its start-up script ends with Acquire 1 (continuous, 0.1 s, Peaks)',
        'values': {},
        'acquire': True,
    },
    'idle': {
        'why': 'the twin\'s default: no acquisition until a client asks, and one image per Acquire '
               '(ImageMode Multiple, NumImages 1), so a script that writes Acquire 1 and waits gets one image '
               'and traces hold only what the script caused',
        'values': {'cam1:': {'ImageMode': 'Multiple', 'ImageMode_RBV': 'Multiple', 'NumImages': 1, 'NumImages_RBV': 1}},
        'acquire': False,
    },
}


def idle(rec):
    if rec['count'] > 1 or rec['record'] in ('waveform', 'subArray'):
        return []
    if rec['type'] == 'string':
        return ''
    if rec['type'] == 'enum':
        return rec['enum'][0] if rec['enum'] else ''
    return 0


def entry(rec, name):
    e = {'r': rec['record'], 't': rec['type']}
    n = rec['count']
    for pat, macro in COUNT_MACROS:
        if rec['count'] > 1 and pat.search(name):
            n = f'$({macro})'
    if n != 1:
        e['n'] = n
    if rec['enum']:
        e['e'] = rec['enum']
    if rec['units'] is not None:
        e['u'] = rec['units']
    if rec['precision'] is not None:
        e['p'] = rec['precision']
    return e


def main():
    data = json.load(open(SRC))
    prefix = 'XF:11BMB-ES{Det:PIL2M}:'
    inst = collections.OrderedDict()
    for full, rec in data['records'].items():
        rest = full[len(prefix):]
        cut = rest.rfind(':') + 1
        inst.setdefault(rest[:cut], {})[rest[cut:]] = rec

    def start_value(i, name, rec):
        v = rec['value']
        plugin = i != 'cam1:'
        if DYNAMIC.search(name) or (plugin and ARRAY_DESCRIPTION.search(name)):
            if rec['record'] in ('bo', 'mbbo', 'ao', 'longout') and not name.startswith('Acquire'):
                return v  # a setpoint, not a readback of the running acquisition
            return idle(rec)
        return v

    # Which template declares each record: the first in an instance's list shared by all that load it.
    kinds = collections.defaultdict(list)  # template -> instances loading it
    for i in inst:
        for t in templates_of(i):
            kinds[t].append(i)
    owner = {}  # (instance, name) -> template
    for i, recs in inst.items():
        ts = templates_of(i)
        for name in recs:
            if i == 'cam1:' and SIM.match(name):
                owner[(i, name)] = 'simDetector'
                continue
            for t in ts:
                if t == 'simDetector':
                    continue
                same = {json.dumps(entry(inst[j][name], name), sort_keys=True) for j in kinds[t] if name in inst[j]}
                if all(name in inst[j] for j in kinds[t]) and len(same) == 1:
                    owner[(i, name)] = t
                    break
            else:
                owner[(i, name)] = ts[-1] if ts[-1] != 'simDetector' else 'ADBase'
    tables = collections.defaultdict(dict)
    overrides = collections.defaultdict(dict)
    for t, users in kinds.items():
        names = sorted({n for (i, n), o in owner.items() if o == t})
        for n in names:
            having = [i for i in users if owner.get((i, n)) == t]
            metas = collections.Counter(json.dumps(entry(inst[i][n], n), sort_keys=True) for i in having)
            if len(metas) > 1:
                raise SystemExit(f'{t} {n}: instances differ in metadata: {metas}')
            values = collections.Counter(json.dumps(start_value(i, n, inst[i][n])) for i in having)
            common = json.loads(values.most_common(1)[0][0])
            e = entry(inst[having[0]][n], n)
            e['v'] = common
            tables[t][n] = e
            for i in having:
                v = start_value(i, n, inst[i][n])
                if v != common:
                    overrides[i][n] = v
    os.makedirs(os.path.join(OUT, 'templates'), exist_ok=True)
    os.makedirs(os.path.join(OUT, 'models'), exist_ok=True)
    for t in kinds:
        with open(os.path.join(OUT, 'templates', f'{t}.json'), 'w') as f:
            f.write('{\n')
            rows = [f'  {json.dumps(n)}: {json.dumps(e)}' for n, e in sorted(tables.get(t, {}).items())]
            f.write(',\n'.join(rows))
            f.write('\n}\n')
    model = {
        'recorded_with': data['recorded_with'],
        'starts': STARTS,
        'macros': {'NELEMENTS': 1048576, 'XSIZE': 1024, 'YSIZE': 1024, 'NCHANS': 2048},
        'instances': [{'suffix': i, 'templates': templates_of(i), 'values': overrides.get(i, {})} for i in inst],
    }
    with open(os.path.join(OUT, 'models', f'{MODEL}.json'), 'w') as f:
        json.dump(model, f, indent=1)
        f.write('\n')
    print({t: len(tables.get(t, {})) for t in kinds}, file=sys.stderr)


if __name__ == '__main__':
    main()
