// The device panels, built from the layout the server derived from the profile. Each displayed value is
// a binding (PV name → a function that writes one cell); a draw runs only the bindings of changed PVs.
import type { DetectorPanel, LinkamPanel, MotorPanel, Panel, ShutterPanel } from '../protocol.js';
import { drawColorbar, drawImage } from './colormap.js';
import { drawChart } from './chart.js';
import { el, format, setText } from './dom.js';
import type { ViewState } from './state.js';

type Binding = (state: ViewState) => void;

export class Panels {
  private readonly bindings = new Map<string, Binding[]>();
  private readonly charts: { canvas: HTMLCanvasElement; panel: LinkamPanel }[] = [];
  private readonly images: { canvas: HTMLCanvasElement; panel: DetectorPanel; stats: HTMLElement; min: HTMLElement; max: HTMLElement }[] = [];
  private catchAllList: HTMLUListElement | undefined;
  private catchAllShown = 0;

  constructor(
    private readonly root: HTMLElement,
    state: ViewState,
    private readonly replay = false,
  ) {
    root.replaceChildren();
    const motors = state.layout.panels.filter((p): p is MotorPanel => p.kind === 'motor');
    if (motors.length) root.append(this.motorTable(motors));
    for (const p of state.layout.panels) {
      const card = this.panel(p);
      if (card) root.append(card);
    }
    const list = el('ul', { class: 'catchall' });
    this.catchAllList = list;
    root.append(el('section', { class: 'card', id: 'catch-all' }, el('h2', {}, 'Catch-all ', el('small', {}, 'PVs fabricated for names the profile does not serve')), list));
    for (const name of [...state.values.keys()]) state.dirty.add(name);
    this.draw(state, true);
  }

  private bind(name: string, f: Binding): void {
    let list = this.bindings.get(name);
    if (!list) this.bindings.set(name, (list = []));
    list.push(f);
  }

  /** A cell showing `name` formatted, with the PV name as its tooltip. */
  private cell(name: string, cls = 'num'): HTMLTableCellElement {
    const td = el('td', { class: cls, title: name, 'data-pv': name });
    this.bind(name, (s) => setText(td, format(s.values.get(name), s.meta.get(name))));
    return td;
  }

  private lamp(name: string, label: string): HTMLElement {
    const span = el('span', { class: 'lamp', title: `${label} (${name})`, 'data-pv': name });
    this.bind(name, (s) => span.classList.toggle('on', isSet(s.values.get(name))));
    return span;
  }

  private motorTable(motors: MotorPanel[]): HTMLElement {
    const body = el('tbody');
    for (const m of motors) {
      const state = el('span', { class: 'badge' });
      this.bind(m.dmov, (s) => {
        const dmov = s.values.get(m.dmov);
        const label = typeof dmov !== 'number' ? '—' : dmov === 0 ? 'moving' : 'done';
        setText(state, label);
        state.className = `badge ${label === '—' ? '' : label}`;
      });
      const egu = el('td', { class: 'muted' });
      this.bind(m.egu, (s) => setText(egu, String(s.values.get(m.egu) ?? '')));
      body.append(
        el('tr', { 'data-motor': m.pv }, el('td', {}, el('b', {}, m.name), ' ', el('span', { class: 'pvname' }, m.desc)), this.cell(m.rbv), this.cell(m.pv), egu, el('td', {}, state), el('td', {}, this.lamp(m.lls, 'low limit switch'), ' ', this.lamp(m.hls, 'high limit switch'), ' ', this.lamp(m.lvio, 'limit violation'))),
      );
    }
    return el(
      'section',
      { class: 'card motors' },
      el('h2', {}, 'Motors'),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'axis'), el('th', {}, 'position (RBV)'), el('th', {}, 'target (VAL)'), el('th', {}, ''), el('th', {}, 'state'), el('th', {}, 'limits LLS HLS LVIO'))), body),
    );
  }

  private kv(rows: [string, string][]): HTMLElement {
    const dl = el('dl', { class: 'kv' });
    for (const [label, name] of rows) {
      const dd = el('dd', { title: name, 'data-pv': name });
      this.bind(name, (s) => setText(dd, format(s.values.get(name), s.meta.get(name))));
      dl.append(el('dt', {}, label), dd);
    }
    return dl;
  }

  private panel(p: Panel): HTMLElement | undefined {
    switch (p.kind) {
      case 'detector':
        return this.detector(p);
      case 'linkam':
        return this.linkam(p);
      case 'shutter':
        return this.shutter(p);
      default:
        return undefined;
    }
  }

  private detector(p: DetectorPanel): HTMLElement {
    const canvas = el('canvas', { class: 'image', id: `image-${p.name}`, 'data-counter': '' });
    const bar = el('canvas', { class: 'colorbar' });
    drawColorbar(bar);
    const min = el('span');
    const max = el('span');
    const stats = el('div', { class: 'stats muted' }, this.replay ? 'no image: a trace records frames by their counter only' : 'no frame yet');
    this.images.push({ canvas, panel: p, stats, min, max });
    return el(
      'section',
      { class: 'card detector' },
      el('h2', {}, `${p.name} `, el('small', {}, p.prefix)),
      this.kv([['state', p.state], ['acquire', p.acquire], ['images', p.counter], ['exposure (s)', p.acquireTime], ['per acquire', p.numImages]]),
      el('div', { class: 'image-row' }, canvas, bar, el('div', { class: 'scale' }, max, min)),
      stats,
    );
  }

  private linkam(p: LinkamPanel): HTMLElement {
    const canvas = el('canvas', { class: 'chart' });
    this.charts.push({ canvas, panel: p });
    return el('section', { class: 'card linkam' }, el('h2', {}, p.name), this.kv([['temperature', p.temp], ['setpoint', p.setpoint], ['ramp rate', p.rampRate], ['heater', p.heat], ['status', p.status]]), canvas);
  }

  private shutter(p: ShutterPanel): HTMLElement {
    return el('section', { class: 'card shutter' }, el('h2', {}, p.name), this.kv([['command', p.pv], ...p.blades.map((b, i): [string, string] => [`blade ${i + 1}`, b])]));
  }

  /** Write what changed (everything with `all`). */
  draw(state: ViewState, all = false): void {
    const names = all ? [...this.bindings.keys()] : [...state.dirty];
    for (const name of names) for (const f of this.bindings.get(name) ?? []) f(state);
    if (this.catchAllList && (all || state.catchAll.length !== this.catchAllShown)) {
      const names = state.catchAll.slice(-200);
      this.catchAllList.replaceChildren(...(names.length ? names.map((n) => el('li', { 'data-pv': n }, n)) : [el('li', { class: 'muted' }, 'none so far')]));
      this.catchAllShown = state.catchAll.length;
    }
    if (this.catchAllList) {
      for (const li of this.catchAllList.children) {
        const n = li.getAttribute('data-pv');
        if (n && (all || state.dirty.has(n))) setText(li, `${n} = ${format(state.values.get(n), state.meta.get(n))}`);
      }
    }
    for (const c of this.charts) drawChart(c.canvas, state.series.get(c.panel.temp) ?? [], state.t);
    if (state.imageChanged || all) {
      for (const v of this.images) {
        const img = state.image;
        if (!img || img.channel !== v.panel.arrayData) continue;
        drawImage(v.canvas, img);
        v.canvas.setAttribute('data-counter', String(img.counter));
        setText(v.min, fmt(img.min));
        setText(v.max, fmt(img.max));
        setText(v.stats, `frame ${img.counter}: ${img.sizeX}×${img.sizeY}, min ${fmt(img.min)}, max ${fmt(img.max)}, mean ${fmt(img.mean)}, total ${fmt(img.total)}`);
      }
      state.imageChanged = false;
    }
    state.dirty.clear();
  }
}

/** A lamp lights for a known non-zero value only (a replay may not know a value yet). */
const isSet = (v: unknown) => typeof v === 'number' && v !== 0;

const fmt = (v: number) => (Math.abs(v) >= 1e6 ? v.toExponential(3) : Number.isInteger(v) ? String(v) : v.toFixed(2));
