// Any PV: search the served names, read one (kept fresh while shown), write it through the server's put
// path (recorded as a web put).
import type { PvReading } from '../protocol.js';
import { api, byId, el, format, setText } from './dom.js';

export function setupPvPanel(readOnly: boolean): void {
  const search = byId<HTMLInputElement>('pv-search');
  const list = byId<HTMLUListElement>('pv-list');
  const box = byId('pv-reading');
  const result = byId('pv-result');
  const form = byId<HTMLFormElement>('pv-write');
  const input = byId<HTMLInputElement>('pv-input');
  if (readOnly) {
    search.disabled = true;
    search.placeholder = 'PV search needs a live twin';
    return;
  }
  let selected: string | undefined;
  let debounce: number | undefined;
  const show = (r: PvReading) => {
    setText(byId('pv-name'), r.name);
    setText(byId('pv-value'), r.meta.enums || typeof r.value === 'string' ? r.text : format(r.value, r.meta));
    setText(byId('pv-meta'), [r.meta.type, r.meta.units, r.meta.enums ? `{${r.meta.enums.join(', ')}}` : '', r.meta.writable ? '' : 'read-only'].filter(Boolean).join(' · '));
    box.hidden = false;
  };
  const read = async (name: string) => {
    try {
      show(await api<PvReading>(`/api/pv?name=${encodeURIComponent(name)}`));
    } catch (e) {
      setText(result, String((e as Error).message));
    }
  };
  search.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = window.setTimeout(async () => {
      const { names, more } = await api<{ names: string[]; more: boolean }>(`/api/pvs?q=${encodeURIComponent(search.value)}`);
      list.replaceChildren(...names.map((n) => el('li', { 'data-pv': n }, n)), ...(more ? [el('li', { class: 'muted' }, '… more: refine the search')] : []));
    }, 150);
  });
  list.addEventListener('click', (ev) => {
    const name = (ev.target as HTMLElement).getAttribute('data-pv');
    if (!name) return;
    selected = name;
    setText(result, '');
    input.value = '';
    void read(name);
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!selected) return;
    const text = input.value.trim();
    const value = text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    try {
      const out = await api<{ done: boolean; reading: PvReading }>('/api/put', { name: selected, value });
      show(out.reading);
      result.className = 'muted';
      setText(result, out.done ? `wrote ${text}` : `wrote ${text} (still completing)`);
    } catch (e) {
      result.className = 'err';
      setText(result, (e as Error).message);
    }
  });
  // A shown PV stays current (a motor position while it moves).
  window.setInterval(() => {
    if (selected && !document.hidden) void read(selected);
  }, 1000);
}
