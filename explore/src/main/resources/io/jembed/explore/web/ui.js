// Small DOM helpers shared by the views.

/** el('li', {class: 'hit', onclick: f}, 'text', child): an element with attributes and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'style') node.style.cssText = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export const $ = (id) => document.getElementById(id);

/** Shows a status line; an Error (or error: true) shows as an error a person can read. */
export function status(node, message, error = false) {
  const isError = error || message instanceof Error;
  node.textContent = message instanceof Error ? message.message : message || '';
  node.classList.toggle('error', Boolean(isError && message));
  if (isError && message) node.setAttribute('role', 'alert');
  else node.removeAttribute('role');
}

export function fmtScore(value, digits = 3) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

export function fmtInt(value) {
  return Number(value).toLocaleString('en-US');
}

/** Fills a <select> with values, keeping the current choice when it is still offered. */
export function fillSelect(select, values, preferred) {
  const keep = select.value;
  select.replaceChildren(...values.map(({ value, label }) => el('option', { value }, label ?? value)));
  const choice = [keep, preferred].find((v) => v && values.some((x) => x.value === v));
  if (choice) select.value = choice;
}

/** A debounced function: runs `ms` after the last call. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Colours on a perceptual scale (viridis-like), t in [0, 1]. */
const STOPS = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [110, 206, 88], [181, 222, 43], [253, 231, 37],
];
export function scaleColor(t) {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const c = STOPS[i].map((v, k) => Math.round(v + (STOPS[i + 1][k] - v) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** Twelve distinct colours for categories (Tableau-like), repeated past twelve. */
export const CATEGORY_COLORS = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948',
  '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#17becf', '#bcbd22',
];

/** The query string of the location hash: #search?index=docs&q=nginx. */
export function hashParams() {
  const hash = location.hash.slice(1);
  const at = hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
}
