// Plain DOM, a few helpers: the page is a handful of panels whose cells are written in place.
import type { PvMeta, WireValue } from '../protocol.js';

type Child = Node | string;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`no #${id} in the page`);
  return e as T;
}

/** Write text only when it changed (layout work stays proportional to what changed). */
export function setText(e: Element, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

/** A value as caget would show it: enum names, the PV's precision, arrays by length beyond a few. */
export function format(v: WireValue | undefined, meta: PvMeta | undefined): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'number') {
    if (meta?.enums && Number.isInteger(v) && meta.enums[v]) return meta.enums[v]!;
    if (meta?.type === 'DOUBLE' || meta?.type === 'FLOAT') return v.toFixed(Math.min(Math.max(meta.precision ?? 3, 0), 10));
    return String(v);
  }
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.length > 8 ? `[${v.slice(0, 8).join(', ')} … ${v.length}]` : `[${v.join(', ')}]`;
  return `[${(v as { length: number }).length} elements]`;
}

export function clockText(t: number): string {
  if (!t) return '';
  const d = new Date(t * 1000);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** JSON request to the view's API; throws the server's message on refusal. */
export async function api<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const out = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(out.error ?? `${res.status} ${res.statusText}`);
  return out;
}

/** A canvas sized to its CSS box in device pixels; returns its 2D context and CSS size. */
export function fitCanvas(c: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; w: number; h: number } {
  const w = c.clientWidth || c.width;
  const h = c.clientHeight || c.height;
  const dpr = window.devicePixelRatio || 1;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
  }
  const ctx = c.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h };
}
