// Map: the server's 2-D projection of an index drawn with regl-scatterplot (WebGL): colour by a label or
// metadata field, hover for the text, click for the nearest neighbours in the original space, lasso to select
// and export the selection's document ids, a typed query placed on the map with its hits lit.
import createScatterplot from 'regl-scatterplot';
import { getBytes, getJson, postJson } from './api.js';
import { $, CATEGORY_COLORS, el, fillSelect, fmtInt, fmtScore, hashParams, status } from './ui.js';

const PAGE = 500; // points fetched per /points request, for hover texts and exports
let plot = null;
let map = null; // the /maps answer + {index, n, x, y, categories, transform}
const pages = new Map();
let hovered = -1;
let filtered = null;

export function start(info) {
  const indexes = (info.indexes || []).map((i) => ({ value: i.name, label: `${i.name} (${i.model})` }));
  fillSelect($('map-index'), indexes);
  $('map-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (document.activeElement === $('map-query') && map) place();
    else draw();
  });
  $('map-query').addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      if (map) place();
      else draw().then(place);
    }
  });
  $('map-zoom-in').addEventListener('click', () => zoom(1 / 1.6));
  $('map-zoom-out').addEventListener('click', () => zoom(1.6));
  $('map-reset').addEventListener('click', () => plot?.zoomToOrigin({ transition: true }));
  $('map-lasso').addEventListener('click', toggleLasso);
  $('map-canvas').addEventListener('keydown', canvasKeys);
  $('map-canvas').addEventListener('mouseleave', hideTooltip);
  window.addEventListener('resize', resize);
  if (!indexes.length) status($('map-status'), 'No index is served, so there is nothing to map.');
  else apply();
}

/** Takes the parameters of a link: #map?index=docs&method=umap&color=label, and draws. */
export function apply() {
  const params = hashParams();
  if (params.get('index')) $('map-index').value = params.get('index');
  if (params.get('method')) $('map-method').value = params.get('method');
  if (params.has('color')) $('map-color').value = params.get('color');
  draw();
}

export function shown() {
  resize();
}

function resize() {
  if (!plot || $('view-map').hidden) return;
  const { width, height } = $('map-wrap').getBoundingClientRect();
  if (width && height) plot.set({ width, height });
}

function ensurePlot() {
  if (plot) return plot;
  const probe = document.createElement('canvas');
  if (!probe.getContext('webgl2') && !probe.getContext('webgl')) {
    throw new Error('This browser offers no WebGL, which the map needs: turn on hardware acceleration (or software ' +
      'WebGL) in its settings. Search, Compare and the other views work without it.');
  }
  const { width, height } = $('map-wrap').getBoundingClientRect();
  plot = createScatterplot({
    canvas: $('map-canvas'),
    width,
    height,
    backgroundColor: [0.063, 0.075, 0.098, 1],
    pointColorActive: [1, 0.24, 0.44, 1],
    pointColorHover: [1, 1, 1, 1],
    opacityInactiveScale: 0.35,
    pointSizeSelected: 3,
    lassoColor: [1, 0.8, 0.2, 1],
    annotationLineColor: [1, 0.24, 0.44, 1],
    annotationLineWidth: 2,
    deselectOnEscape: true,
  });
  plot.subscribe('pointOver', showTooltip);
  plot.subscribe('pointOut', hideTooltip);
  plot.subscribe('select', ({ points }) => selected(points));
  plot.subscribe('deselect', () => selected([]));
  plot.subscribe('view', () => {
    if (hovered >= 0) positionTooltip(hovered);
  });
  return plot;
}

/** Asks the server for the projection, fetches it as float32 bytes and draws the first frame. */
async function draw() {
  const index = $('map-index').value;
  const method = $('map-method').value;
  const colorBy = $('map-color').value.trim();
  if (!index) return;
  status($('map-status'), `Projecting ${index} with ${method} on the server…`);
  const t0 = performance.now();
  try {
    const body = { index, method };
    if (colorBy) body.color_by = colorBy;
    const answer = await postJson('maps', body);
    const t1 = performance.now();
    const [xy, colors] = await Promise.all([
      getBytes(answer.coordinates),
      answer.legend?.length ? getBytes(`maps/${answer.id}/colors`) : Promise.resolve(null),
    ]);
    const t2 = performance.now();
    map = prepare(answer, index, xy, colors);
    pages.clear();
    filtered = null;
    const fresh = !plot;
    ensurePlot();
    const tSetup = performance.now(); // creating the WebGL renderer (shaders) happens once per page
    resize();
    plot.clear();
    plot.set({
      pointSize: map.n > 200000 ? 1.5 : map.n > 20000 ? 2.5 : map.n > 2000 ? 4 : 6,
      pointColor: legendColors(answer.legend),
      colorBy: 'valueA',
    });
    await plot.draw({ x: map.x, y: map.y, valueA: map.categories }, { zDataType: 'categorical' });
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const t3 = performance.now();
    map.timings = {
      projection_ms: t1 - t0,
      transfer_ms: t2 - t1,
      renderer_ms: fresh ? tSetup - t2 : 0,
      first_frame_ms: t3 - t2,
      total_ms: t3 - t0,
    };
    Object.assign($('map-status').dataset, { mapId: answer.id, points: map.n, ...roundAll(map.timings) });
    status($('map-status'),
      `${fmtInt(map.n)} points · ${method}${answer.cached ? ' (cached)' : ''} · server ${Math.round(t1 - t0)} ms, ` +
      `transfer ${fmtInt(xy.byteLength)} bytes in ${Math.round(t2 - t1)} ms, first frame ${Math.round(t3 - t2)} ms · ` +
      'hover for text, click for neighbours, shift-drag to lasso');
    drawLegend(answer.legend);
    $('map-neighbours').replaceChildren();
    $('map-selection').replaceChildren();
    plot.clearAnnotations();
    $('map-wrap').dataset.drawn = 'true';
  } catch (e) {
    status($('map-status'), e, true);
  }
}

function roundAll(timings) {
  return Object.fromEntries(Object.entries(timings).map(([k, v]) => [k.replace(/_(\w)/g, (_, c) => c.toUpperCase()), Math.round(v)]));
}

/** Normalises the server's coordinates into [-0.95, 0.95] with one scale for both axes (shapes stay true). */
function prepare(answer, index, xyBytes, colorBytes) {
  const xy = new Float32Array(xyBytes);
  const n = xy.length / 2;
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xy[2 * i], y = xy[2 * i + 1];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const scale = 1.9 / Math.max(maxX - minX, maxY - minY, 1e-12);
  const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
  const transform = (x, y) => [(x - cx) * scale, (y - cy) * scale];
  const xs = new Float32Array(n), ys = new Float32Array(n);
  for (let i = 0; i < n; i++) [xs[i], ys[i]] = transform(xy[2 * i], xy[2 * i + 1]);
  const categories = colorBytes ? Float32Array.from(new Uint16Array(colorBytes)) : new Float32Array(n);
  return { ...answer, index, n, x: xs, y: ys, categories, transform };
}

function legendColors(legend) {
  const count = Math.max(1, legend?.length || 1);
  return Array.from({ length: count }, (_, i) => (legend?.length ? CATEGORY_COLORS[i % CATEGORY_COLORS.length] : '#7aa2ff'));
}

function drawLegend(legend) {
  if (!legend?.length) {
    $('map-legend').replaceChildren();
    return;
  }
  const colors = legendColors(legend);
  $('map-legend').replaceChildren(
    el('li', {}, el('b', {}, map.color_by || $('map-color').value), el('span', { class: 'n' }, 'points')),
    ...legend.map((entry, i) => el('li', {},
      el('button', { type: 'button', class: 'link', title: 'show only these (again: show all)', onclick: () => only(i) },
        el('span', { class: 'sw', style: `background:${colors[i]};display:inline-block;margin-right:0.4rem` }), String(entry.value)),
      el('span', { class: 'n' }, fmtInt(entry.count)))),
  );
}

function only(category) {
  if (filtered === category) {
    filtered = null;
    plot.unfilter();
    return;
  }
  filtered = category;
  const keep = [];
  for (let i = 0; i < map.n; i++) if (map.categories[i] === category) keep.push(i);
  plot.filter(keep);
}

/** The points [from, to) with their ids and texts, fetched a page at a time and kept. */
function page(p) {
  if (!pages.has(p)) {
    const from = p * PAGE;
    const to = Math.min(map.n, from + PAGE);
    const promise = getJson(`maps/${map.id}/points?from=${from}&to=${to}`);
    promise.catch(() => pages.delete(p));
    pages.set(p, promise);
  }
  return pages.get(p);
}

async function point(i) {
  const rows = await page(Math.floor(i / PAGE));
  return rows.find((r) => r.i === i) ?? rows[i % PAGE];
}

async function showTooltip(i) {
  hovered = i;
  const tip = $('map-tooltip');
  tip.replaceChildren(el('span', { class: 'muted' }, '…'));
  tip.hidden = false;
  positionTooltip(i);
  try {
    const p = await point(i);
    if (hovered !== i) return;
    tip.dataset.point = String(i);
    tip.replaceChildren(
      el('div', { class: 'tip-text' }, p.text.length > 400 ? `${p.text.slice(0, 400)}…` : p.text),
      el('div', { class: 'tip-id' }, `${p.id}${p.label !== undefined && p.label !== null ? ` · ${p.label}` : ''}`),
    );
    positionTooltip(i);
  } catch (e) {
    tip.replaceChildren(el('span', { class: 'error' }, e.message));
  }
}

function positionTooltip(i) {
  const tip = $('map-tooltip');
  const [x, y] = plot.getScreenPosition(i);
  const wrap = $('map-wrap').getBoundingClientRect();
  const left = x + 14 + tip.offsetWidth > wrap.width ? x - 14 - tip.offsetWidth : x + 14;
  const top = y + 14 + tip.offsetHeight > wrap.height ? y - 14 - tip.offsetHeight : y + 14;
  tip.style.left = `${Math.max(4, left)}px`;
  tip.style.top = `${Math.max(4, top)}px`;
}

function hideTooltip() {
  hovered = -1;
  $('map-tooltip').hidden = true;
}

/** One point picked: its nearest neighbours in the embedding space. Several (lasso): a selection to export. */
async function selected(points) {
  if (points.length === 1) return neighbours(points[0]);
  if (!points.length) {
    $('map-selection').replaceChildren();
    return;
  }
  $('map-selection').replaceChildren(
    el('h3', {}, `${fmtInt(points.length)} selected`),
    el('button', { type: 'button', onclick: () => exportIds(points) }, 'Export document ids'),
    el('span', { class: 'muted', id: 'map-export-status' }, ''),
  );
}

async function neighbours(i) {
  const box = $('map-neighbours');
  box.replaceChildren(el('p', { class: 'status' }, 'Nearest neighbours in the embedding space…'));
  try {
    const [p, list] = await Promise.all([point(i), postJson('neighbours', { index: map.index, map: map.id, point: i, k: 10 })]);
    const others = list.filter((n) => n.id !== p.id);
    const lit = others.map((n) => n.i).filter((x) => Number.isInteger(x));
    plot.select([i, ...lit], { preventEvent: true });
    box.replaceChildren(
      el('h3', {}, 'Nearest in the original space'),
      el('p', { class: 'muted' }, el('b', {}, p.id), ` ${p.text}`),
      el('ol', { class: 'side-list' }, others.map((n) =>
        el('li', {}, el('span', { class: 'score' }, fmtScore(n.score)), el('b', {}, n.id), ' ', n.text))),
    );
  } catch (e) {
    box.replaceChildren(el('p', { class: 'status error', role: 'alert' }, e.message));
  }
}

/**
 * The selected points are chunks; what a user acts on (deletes, relabels, embeds again) are documents: the export
 * lists each selected chunk's document once, in the order first met.
 */
async function exportIds(points) {
  const note = $('map-export-status');
  note.textContent = ' fetching ids…';
  try {
    const wanted = [...new Set(points.map((i) => Math.floor(i / PAGE)))];
    const byIndex = new Map();
    for (let at = 0; at < wanted.length; at += 4) {
      const rows = await Promise.all(wanted.slice(at, at + 4).map(page));
      for (const r of rows.flat()) byIndex.set(r.i, r.document);
    }
    const chunks = points.map((i) => byIndex.get(i)).filter((id) => id !== undefined);
    const ids = [...new Set(chunks)];
    const link = el('a', {
      href: URL.createObjectURL(new Blob([ids.join('\n') + '\n'], { type: 'text/plain' })),
      download: `${map.index}-selection.txt`,
    }, `download ${fmtInt(ids.length)} document id${ids.length === 1 ? '' : 's'} (${fmtInt(chunks.length)} chunk${chunks.length === 1 ? '' : 's'})`);
    note.replaceChildren(' ', link);
    link.click();
  } catch (e) {
    note.textContent = ` ${e.message}`;
  }
}

/** Places the typed query: a ring at its spot, its nearest hits lit and listed. */
async function place() {
  const query = $('map-query').value.trim();
  if (!query || !map) return;
  const box = $('map-neighbours');
  box.replaceChildren(el('p', { class: 'status' }, 'Placing the query…'));
  try {
    const answer = await postJson(`maps/${map.id}/place`, { query, k: 10 });
    const [x, y] = map.transform(answer.x, answer.y);
    const ring = Array.from({ length: 33 }, (_, k) => {
      const a = (k / 32) * 2 * Math.PI;
      return [x + 0.035 * Math.cos(a), y + 0.035 * Math.sin(a)];
    });
    plot.drawAnnotations([{ vertices: ring }, { x1: x - 0.06, y1: y, x2: x + 0.06, y2: y, lineWidth: 1 }]);
    plot.select(answer.hits, { preventEvent: true });
    const rows = await Promise.all(answer.hits.map(point));
    box.replaceChildren(
      el('h3', {}, `“${query}”: its ${answer.hits.length} nearest`),
      el('ol', { class: 'side-list' }, rows.map((r) => el('li', {}, el('b', {}, r.id), ' ', r.text))),
    );
  } catch (e) {
    box.replaceChildren(el('p', { class: 'status error', role: 'alert' }, e.message));
  }
}

function zoom(factor) {
  if (!plot) return;
  plot.zoomToLocation(plot.get('cameraTarget'), plot.get('cameraDistance') * factor, { transition: true, transitionDuration: 250 });
}

function toggleLasso() {
  if (!plot) return;
  const on = plot.get('mouseMode') !== 'lasso';
  plot.set({ mouseMode: on ? 'lasso' : 'panZoom' });
  $('map-lasso').setAttribute('aria-pressed', String(on));
}

/** Arrow keys pan, + and - zoom, 0 resets: the map without a mouse. */
function canvasKeys(event) {
  if (!plot) return;
  const d = plot.get('cameraDistance');
  const [tx, ty] = plot.get('cameraTarget');
  const step = 0.15 * d;
  const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
  if (moves[event.key]) {
    event.preventDefault();
    plot.zoomToLocation([tx + moves[event.key][0], ty + moves[event.key][1]], d);
  } else if (event.key === '+' || event.key === '=') zoom(1 / 1.6);
  else if (event.key === '-') zoom(1.6);
  else if (event.key === '0') plot.zoomToOrigin({ transition: true });
}

/** For scripts driving the page (tests, benchmarks): where point i is on the canvas, in CSS pixels. */
window.jembedExplore = Object.assign(window.jembedExplore || {}, {
  mapPointPosition: (i) => (plot && map ? plot.getScreenPosition(i) : null),
  mapPoints: () => (map ? { n: map.n, x: map.x, y: map.y } : null),
  mapSelection: () => (plot ? plot.get('selectedPoints') : []),
});
