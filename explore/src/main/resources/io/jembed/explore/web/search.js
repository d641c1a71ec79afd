// Search: one query against an index, each hit with its score, its percentile in the collection, the chunk
// inside its document, its metadata, and on demand why it matched (token attributions from /explain).
import { postJson } from './api.js';
import { $, el, fillSelect, fmtInt, fmtScore, hashParams, status } from './ui.js';

let lastQuery = null;

let served = [];

export function start(info) {
  served = (info.indexes || []).map((i) => ({ value: i.name, label: `${i.name} (${i.model})` }));
  fillSelect($('search-index'), served);
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
  if (!served.length) {
    status($('search-status'), 'No index is served. Start the server with --index NAME=DIR, or run jembed explore FILE.');
  }
  apply();
}

/** Takes the parameters of a link: #search?index=docs&q=...&mode=hybrid&k=5 (an unknown index is asked as is). */
export function apply() {
  const params = hashParams();
  const asked = params.get('index');
  const options = [...served];
  if (asked && !options.some((i) => i.value === asked)) options.push({ value: asked, label: `${asked} (not listed)` });
  fillSelect($('search-index'), options, asked);
  if (asked) $('search-index').value = asked;
  if (params.get('mode')) $('search-mode').value = params.get('mode');
  if (params.get('k')) $('search-k').value = params.get('k');
  if (params.get('q')) {
    $('search-query').value = params.get('q');
    run();
  }
}

export function shown() {
  $('search-query').focus();
}

async function run() {
  const query = $('search-query').value.trim();
  const index = $('search-index').value;
  const mode = $('search-mode').value;
  const k = Number($('search-k').value) || 10;
  const filters = $('search-filters').value.trim();
  if (!query) {
    status($('search-status'), 'Type a query first.', true);
    return;
  }
  if (!index) {
    status($('search-status'), 'No index to search: the server serves none.', true);
    return;
  }
  const body = { index, query, k, mode, percentiles: true };
  if (filters) body.filters = filters;
  status($('search-status'), 'Searching…');
  const started = performance.now();
  try {
    const answer = await postJson('search', body);
    lastQuery = { query, index };
    const ms = Math.round(performance.now() - started);
    const size = answer.collection_size !== undefined ? ` among ${fmtInt(answer.collection_size)} chunks` : '';
    status($('search-status'), `${answer.hits.length} hit(s) in ${ms} ms${size} · ${mode} search on ${index}`);
    $('search-hits').replaceChildren(...answer.hits.map((hit, i) => renderHit(hit, i, mode)));
  } catch (e) {
    $('search-hits').replaceChildren();
    status($('search-status'), e, true);
  }
}

const SCORE_NAMES = { vector: 'similarity', keyword: 'BM25', hybrid: 'fused (RRF)' };

function renderHit(hit, i, mode) {
  const explainButton = el('button', { type: 'button', class: 'link', 'aria-expanded': 'false' }, 'Why it matched?');
  const explainBox = el('div', { class: 'explain', hidden: true });
  explainButton.addEventListener('click', () => toggleExplain(hit, explainButton, explainBox));
  return el(
    'li',
    { class: 'hit', dataset: { id: hit.id } },
    el(
      'div',
      { class: 'hit-head' },
      el('span', { class: 'rank' }, `${i + 1}.`),
      el('span', { class: 'hit-id' }, hit.id),
      el('span', { class: 'score', title: SCORE_NAMES[mode] || 'score' }, `${fmtScore(hit.score)}`,
        el('span', { class: 'muted' }, ` ${SCORE_NAMES[mode] || ''}`)),
      percentile(hit.percentile),
      explainButton,
    ),
    documentText(hit),
    metadata(hit.metadata),
    explainBox,
  );
}

function percentile(value) {
  if (typeof value !== 'number') return null;
  const shown = value >= 99 && value < 100 ? value.toFixed(1) : value.toFixed(0);
  return el(
    'span',
    { class: 'pct', title: `percentile ${value.toFixed(2)}: the share of the collection's chunks this query scores lower` },
    el('span', { class: 'pct-bar' }, el('i', { style: `width:${value}%` })),
    ` above ${shown}% of the collection`,
  );
}

/** The chunk marked inside its document when the document is more than that chunk, else the chunk with its place. */
function documentText(hit) {
  const doc = typeof hit.document === 'string' ? hit.document : null;
  const inside = doc && hit.start >= 0 && hit.end <= doc.length && (hit.start > 0 || hit.end < doc.length);
  if (inside) {
    return el(
      'p',
      { class: 'doc' },
      el('span', { class: 'outside' }, doc.slice(0, hit.start)),
      el('mark', { title: `chunk ${hit.chunk}, characters ${hit.start}–${hit.end}` }, doc.slice(hit.start, hit.end)),
      el('span', { class: 'outside' }, doc.slice(hit.end)),
    );
  }
  // the document is not in the hit: show the chunk, and where it sits when the document has several
  const place = hit.chunk > 0 || hit.start > 0 ? `chunk ${hit.chunk}, characters ${hit.start}–${hit.end}: ` : '';
  return el('p', { class: 'doc' }, place ? el('span', { class: 'muted' }, place) : null, place ? el('mark', {}, hit.text) : hit.text);
}

function metadata(meta) {
  const entries = Object.entries(meta || {});
  if (!entries.length) return null;
  return el(
    'ul',
    { class: 'meta', 'aria-label': 'metadata' },
    entries.map(([key, value]) => el('li', {}, el('b', {}, key), ': ', typeof value === 'object' ? JSON.stringify(value) : String(value))),
  );
}

async function toggleExplain(hit, button, box) {
  const open = button.getAttribute('aria-expanded') === 'true';
  button.setAttribute('aria-expanded', String(!open));
  box.hidden = open;
  if (open || box.dataset.loaded) return;
  box.replaceChildren(el('p', { class: 'status' }, 'Leaving out each token in turn…'));
  try {
    const answer = await postJson('explain', { query: lastQuery.query, text: hit.text, index: lastQuery.index });
    box.dataset.loaded = 'true';
    box.replaceChildren(...renderExplain(answer, lastQuery.query, hit.text));
  } catch (e) {
    box.replaceChildren(el('p', { class: 'status error', role: 'alert' }, e.message));
  }
}

/** The tokens of both sides shaded by how much the score drops without them; what the model cuts, greyed. */
function renderExplain(answer, query, text) {
  const all = [...(answer.query_tokens || []), ...(answer.text_tokens || [])];
  const scale = Math.max(1e-6, ...all.map((t) => Math.abs(t.drop || 0)));
  const bound = answer.explained_tokens ? ` The first ${answer.explained_tokens} tokens of each side are explained.` : '';
  const queryCut = cutAt(answer.query_tokens || []);
  const textCut = cutAt(answer.text_tokens || []);
  // a model without a local tokenizer says that it cut, not where
  const unplaced = answer.truncated && queryCut === null && textCut === null ? ' (truncated by the model)' : '';
  const heading = (name, cut) => (cut === null ? name : `${name} (truncated: the greyed tail is not read by the model)`);
  return [
    el('p', { class: 'legend-line' },
      `Score ${fmtScore(answer.score)} with ${answer.model}. `,
      el('span', { class: 'tok', style: `background:${shade(scale, scale)}` }, 'Orange'),
      ': the score drops when the token is left out (darker, more). ',
      el('span', { class: 'tok', style: `background:${shade(-scale, scale)}` }, 'Blue'),
      ': it rises.', bound),
    el('h4', {}, heading('Query', queryCut)),
    el('div', { class: 'tokens', dataset: { side: 'query' } }, shadeText(query, answer.query_tokens || [], scale, queryCut)),
    el('h4', {}, heading('Text', textCut) + unplaced),
    el('div', { class: 'tokens', dataset: { side: 'text' } }, shadeText(text, answer.text_tokens || [], scale, textCut)),
  ];
}

/** Where the model's cut falls: the start of the first token it does not read, or null when it reads them all. */
function cutAt(tokens) {
  const cut = tokens.filter((t) => t.kept === false);
  return cut.length ? Math.min(...cut.map((t) => t.start)) : null;
}

function shade(drop, scale) {
  const t = Math.min(1, Math.abs(drop) / scale);
  return drop >= 0 ? `rgba(245, 124, 0, ${(t * 0.85).toFixed(3)})` : `rgba(36, 87, 214, ${(t * 0.6).toFixed(3)})`;
}

/** The text with its tokens shaded up to the cut; from the cut on, one greyed tail as Compare shows it. */
function shadeText(text, tokens, scale, cut) {
  const end = cut === null ? text.length : cut;
  const parts = [];
  let at = 0;
  const real = tokens.filter((t) => t.end > t.start && t.end <= end).sort((a, b) => a.start - b.start);
  for (const token of real) {
    if (token.start < at) continue;
    if (token.start > at) parts.push(text.slice(at, token.start));
    const drop = token.drop;
    const known = typeof drop === 'number';
    parts.push(
      el('span', {
        class: 'tok',
        style: known ? `background:${shade(drop, scale)}` : null,
        title: known ? `${token.text}: score ${drop >= 0 ? '−' : '+'}${Math.abs(drop).toFixed(3)} without it` : `${token.text}: not explained`,
        dataset: known ? { drop: drop.toFixed(4) } : {},
      }, text.slice(token.start, token.end)),
    );
    at = token.end;
  }
  if (at < end) parts.push(text.slice(at, end));
  if (end < text.length) parts.push(el('span', { class: 'cut', title: 'cut: past max_seq_length, the model never reads this' }, text.slice(end)));
  return parts;
}
