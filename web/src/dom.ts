// Building DOM nodes without innerHTML: text is always text, so server data cannot become markup.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value as EventListener);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

let nextId = 0;
export function uid(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// A labelled form control: <div class=field><label for=id>…</label><control id=id></div>.
export function field(label: string, control: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  if (!control.id) control.id = uid('f');
  const wrap = h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
  if (hint) {
    const hintId = uid('hint');
    control.setAttribute('aria-describedby', hintId);
    wrap.appendChild(h('p', { class: 'hint', id: hintId }, hint));
  }
  return wrap;
}

// A form of labelled fields and one submit button; `onSubmit` runs instead of the browser's own submission.
export function inlineForm(fields: HTMLElement[], submitText: string, onSubmit: (form: HTMLFormElement) => void): HTMLFormElement {
  const form = h('form', { class: 'inline-form' }, ...fields, h('button', { type: 'submit', class: 'primary' }, submitText));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    onSubmit(form);
  });
  return form;
}

export function select(name: string, options: [string, string][], value?: string): HTMLSelectElement {
  const s = h('select', { name });
  // The initial value is the `selected` option, so that form.reset() returns to it.
  for (const [v, text] of options) s.appendChild(h('option', { value: v, selected: v === value }, text));
  return s;
}

// A status line that screen readers announce; kind "error" makes it an alert.
export function message(kind: 'info' | 'error' | 'success', text: string): HTMLElement {
  return h('p', { class: `msg msg-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function table(caption: string, headers: string[], rows: Child[][], empty: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  const t = h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption }, t);
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

export function percent(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}
