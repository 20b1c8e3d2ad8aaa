// The beamtwin web view: live (one Server-Sent Events stream from the twin) or a recorded trace replayed
// with a time slider. Messages update the state at once; drawing happens once per animation frame.
import type { ReplayTrace, StreamMessage } from '../protocol.js';
import { api, byId, clockText, setText } from './dom.js';
import { Panels } from './panels.js';
import { setupPvPanel } from './pv-panel.js';
import { ReplayIndex, ViewState } from './state.js';
import { drawEvents, drawTimeline } from './timeline.js';

/** Live timeline window, seconds of twin time. */
const WINDOW_S = 60;

/** Counters a bench or a test reads (messages received, frames drawn, images drawn). */
const stats = { messages: 0, draws: 0, images: 0 };
(window as unknown as { beamtwinStats: typeof stats }).beamtwinStats = stats;

const state = new ViewState();
let panels: Panels | undefined;
let pending = false;
let cursor: number | undefined;
let range: [number, number] = [0, 0];

function schedule(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(draw);
}

function draw(): void {
  pending = false;
  stats.draws++;
  if (state.imageChanged) stats.images++;
  panels?.draw(state);
  setText(byId('clock'), clockText(state.t));
  if (state.eventsChanged) {
    state.eventsChanged = false;
    drawTimeline(byId<HTMLCanvasElement>('timeline'), state, range[0], range[1], cursor);
  }
  if (state.tableChanged) {
    state.tableChanged = false;
    drawEvents(byId<HTMLTableElement>('events').tBodies[0]!, state);
  }
}

function status(text: string, cls: string): void {
  const s = byId('status');
  setText(s, text);
  s.className = `status ${cls}`;
}

function live(): void {
  setupPvPanel(false);
  const source = new EventSource('/api/stream');
  source.onmessage = (ev: MessageEvent<string>) => {
    stats.messages++;
    const msg = JSON.parse(ev.data) as StreamMessage;
    if (msg.type === 'hello') {
      state.hello(msg);
      setText(byId('profile'), `${msg.layout.profile}${msg.layout.description ? ` — ${msg.layout.description}` : ''}`);
      byId('controls').hidden = !msg.layout.control;
      panels = new Panels(byId('devices'), state);
      status('live', 'live');
    } else {
      state.tick(msg);
      if (msg.dropped) setText(byId('trace-note'), `(${msg.dropped} events not shown: too many at once)`);
    }
    range = [state.t - WINDOW_S, state.t];
    state.prune(range[0]);
    state.eventsChanged = true;
    schedule();
  };
  source.onerror = () => status('reconnecting', 'down');
  byId('reset').addEventListener('click', () => void api('/api/reset', {}).catch((e: Error) => alert(e.message)));
  const markerText = byId<HTMLInputElement>('marker-text');
  const addMarker = () => {
    const text = markerText.value.trim() || `mark${state.markers.length + 1}`;
    void api('/api/marker', { text }).then(
      () => (markerText.value = ''),
      (e: Error) => alert(e.message),
    );
  };
  byId('marker').addEventListener('click', addMarker);
  markerText.addEventListener('keydown', (e) => e.key === 'Enter' && addMarker());
}

async function replay(): Promise<void> {
  setupPvPanel(true);
  const trace = await api<ReplayTrace>('/api/trace');
  const index = new ReplayIndex(trace);
  status('replay', 'replay');
  setText(byId('profile'), `${trace.file}${trace.omitted ? ` (first ${trace.events.length} events)` : ''}`);
  byId('replay').hidden = false;
  const slider = byId<HTMLInputElement>('slider');
  const label = byId('replay-time');
  range = [index.start, Math.max(index.end, index.start + 1)];
  const at = (t: number) => {
    cursor = t;
    state.replayAt(trace, index, t);
    setText(label, `${clockText(t)}  (+${(t - index.start).toFixed(2)} s of ${(index.end - index.start).toFixed(2)} s)`);
    schedule();
  };
  const fromSlider = () => index.start + (Number(slider.value) / Number(slider.max)) * (index.end - index.start);
  state.replayAt(trace, index, index.end);
  panels = new Panels(byId('devices'), state, true);
  slider.addEventListener('input', () => at(fromSlider()));
  at(fromSlider());
  // Play: the slider runs through the trace in real time from where it stands.
  const play = byId<HTMLButtonElement>('play');
  let playing: number | undefined;
  play.addEventListener('click', () => {
    if (playing !== undefined) {
      cancelAnimationFrame(playing);
      playing = undefined;
      setText(play, 'Play');
      return;
    }
    if (Number(slider.value) >= Number(slider.max)) slider.value = '0';
    let last = performance.now();
    let t = fromSlider();
    setText(play, 'Pause');
    const step = (now: number) => {
      t = Math.min(index.end, t + (now - last) / 1000);
      last = now;
      slider.value = String(Math.round(((t - index.start) / (index.end - index.start || 1)) * Number(slider.max)));
      at(t);
      if (t < index.end) playing = requestAnimationFrame(step);
      else {
        playing = undefined;
        setText(play, 'Play');
      }
    };
    playing = requestAnimationFrame(step);
  });
}

void api<{ mode: 'live' | 'replay' }>('/api/info').then(({ mode }) => (mode === 'replay' ? replay() : live()));
