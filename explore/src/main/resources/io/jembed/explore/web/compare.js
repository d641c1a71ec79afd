// Compare: up to 100 sentences, their similarity matrix as a live heatmap (input or clustered order), each
// text's token count against the model's max_seq_length with the cut tail greyed.
import { postJson } from './api.js';
import { $, debounce, el, fillSelect, fmtScore, scaleColor, status } from './ui.js';

const MAX_SENTENCES = 100;
let result = null; // {texts, matrix, order, inputs, model, similarity}
let request = 0;
let selected = null; // [i, j] in input indexes

export function start(info) {
  const names = (info.models || []).map((m) => ({ value: m.name, label: `${m.name} (${m.id})` }));
  fillSelect($('compare-model'), names, info.default_model);
  const input = $('compare-input');
  if (!input.value) {
    input.value = [
      'The cat sat on the mat.',
      'A dog rested on the rug.',
      'A kitten was sleeping on the carpet.',
      'LLMs are trained on large text datasets.',
      'Language models learn from huge amounts of text.',
      'The stock market fell sharply on Monday.',
    ].join('\n');
  }
  const live = debounce(run, 350);
  input.addEventListener('input', live);
  $('compare-model').addEventListener('change', run);
  for (const radio of document.querySelectorAll('input[name="compare-order"]')) radio.addEventListener('change', draw);
  $('compare-file').addEventListener('change', loadFile);
  $('compare-heatmap').addEventListener('keydown', moveFocus);
  run();
}

function sentences(text) {
  return text.split(/\r?\n/).map((line) => line.split('\t')[0].trim()).filter((line) => line.length);
}

async function run() {
  const texts = sentences($('compare-input').value);
  const mine = ++request;
  if (texts.length > MAX_SENTENCES) {
    status($('compare-status'),
      `${texts.length} sentences pasted: Compare takes at most ${MAX_SENTENCES}. Remove ${texts.length - MAX_SENTENCES} line(s).`, true);
    return;
  }
  if (!texts.length) {
    result = null;
    draw();
    status($('compare-status'), 'Type or paste sentences, one per line.');
    return;
  }
  status($('compare-status'), `Comparing ${texts.length} sentence(s)…`);
  try {
    const answer = await postJson('compare', { inputs: texts, model: $('compare-model').value || undefined });
    if (mine !== request) return; // a newer edit is on its way
    result = { texts, ...answer };
    if (selected && (selected[0] >= texts.length || selected[1] >= texts.length)) selected = null;
    const cut = answer.inputs.filter((x) => x.truncated).length;
    status($('compare-status'),
      `${texts.length} sentence(s), ${answer.similarity} similarity with ${answer.model}` +
      (cut ? ` · ${cut} truncated: the greyed tails are never read by the model` : ''));
    draw();
  } catch (e) {
    if (mine !== request) return;
    status($('compare-status'), e, true);
  }
}

function order() {
  if (!result) return [];
  const clustered = document.querySelector('input[name="compare-order"]:checked').value === 'clustered';
  return clustered && result.order ? result.order : result.texts.map((_, i) => i);
}

function draw() {
  const grid = $('compare-heatmap');
  const scale = $('compare-scale');
  if (!result) {
    grid.replaceChildren();
    scale.replaceChildren();
    $('compare-texts').replaceChildren();
    $('compare-detail').replaceChildren();
    return;
  }
  const { matrix, texts } = result;
  const n = texts.length;
  const idx = order();
  const values = matrix.flat();
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const showValues = n <= 12;
  grid.style.gridTemplateColumns = `minmax(1.4rem, auto) repeat(${n}, minmax(0, 1fr))`;
  grid.style.gridTemplateRows = `minmax(1.2rem, auto) repeat(${n}, minmax(0, 1fr))`;
  const cells = [el('div', { class: 'cell head', role: 'columnheader' })];
  for (const j of idx) cells.push(el('div', { class: 'cell head', role: 'columnheader', title: texts[j] }, j + 1));
  let first = true;
  for (const i of idx) {
    cells.push(el('div', { class: 'cell head', role: 'rowheader', title: texts[i] }, i + 1));
    for (const j of idx) {
      const s = matrix[i][j];
      const t = (s - lo) / span;
      cells.push(el('div', {
        class: `cell${t < 0.55 ? ' light' : ''}${selected && selected[0] === i && selected[1] === j ? ' selected' : ''}`,
        role: 'gridcell',
        tabindex: first ? '0' : '-1',
        style: `background:${scaleColor(t)}`,
        'aria-label': `sentence ${i + 1} and ${j + 1}: ${fmtScore(s)}`,
        dataset: { i, j, score: String(s) },
        onclick: () => pick(i, j),
        onmouseenter: () => hoverTexts(i, j),
      }, showValues ? s.toFixed(2) : ''));
      first = false;
    }
  }
  grid.replaceChildren(...cells);
  const stops = Array.from({ length: 11 }, (_, k) => scaleColor(k / 10)).join(', ');
  scale.style.background = `linear-gradient(to right, ${stops})`;
  scale.replaceChildren(
    el('span', { style: 'left:0' }, fmtScore(lo)),
    el('span', { style: 'right:0' }, fmtScore(hi)),
  );
  drawTexts();
  if (selected) pick(...selected);
  else $('compare-detail').replaceChildren(el('p', { class: 'muted' }, 'Click a cell (or press Enter on it) for both texts and their score.'));
}

/** Each text with its token count; a truncated one shows the tail the model never reads, greyed. */
function drawTexts() {
  const items = result.texts.map((text, i) => {
    const info = result.inputs[i];
    const kept = info.truncated ? Math.min(info.kept_chars, text.length) : text.length;
    return el('li', { dataset: { index: i, truncated: String(info.truncated) } },
      ...keptPart(text, kept),
      info.truncated ? el('span', { class: 'cut', title: 'cut: past max_seq_length, the model never reads this' }, text.slice(kept)) : null,
      el('span', { class: `count${info.truncated ? ' over' : ''}` },
        `${info.token_count} / ${info.max_seq_length} tokens${info.truncated ? ' · truncated' : ''}`),
    );
  });
  $('compare-texts').replaceChildren(...items);
}

/** A long text's kept part shows its start and the words just before the cut; the middle opens on demand. */
function keptPart(text, kept) {
  if (kept <= 320) return [text.slice(0, kept)];
  const middle = el('button', { type: 'button', class: 'more', title: 'show the whole text' }, ` … ${kept - 240} more characters … `);
  const head = text.slice(0, 120);
  const tail = text.slice(kept - 120, kept);
  middle.addEventListener('click', () => middle.replaceWith(text.slice(120, kept - 120)));
  return [head, middle, tail];
}

function hoverTexts(i, j) {
  for (const li of $('compare-texts').children) {
    const k = Number(li.dataset.index);
    li.classList.toggle('active', k === i || k === j);
  }
}

function pick(i, j) {
  selected = [i, j];
  for (const cell of $('compare-heatmap').querySelectorAll('.cell.selected')) cell.classList.remove('selected');
  $('compare-heatmap').querySelector(`[data-i="${i}"][data-j="${j}"]`)?.classList.add('selected');
  hoverTexts(i, j);
  const s = result.matrix[i][j];
  $('compare-detail').replaceChildren(
    el('div', { class: 'big-score', dataset: { score: String(s) } }, s.toFixed(4)),
    el('div', { class: 'muted' }, `${result.similarity} similarity, ${result.model}`),
    el('blockquote', {}, el('b', {}, `${i + 1}. `), result.texts[i]),
    el('blockquote', {}, el('b', {}, `${j + 1}. `), result.texts[j]),
  );
}

/** Arrow keys walk the grid, Enter or Space picks the cell. */
function moveFocus(event) {
  const cell = event.target.closest('[role="gridcell"]');
  if (!cell) return;
  const n = result.texts.length;
  const idx = order();
  const row = idx.indexOf(Number(cell.dataset.i));
  const col = idx.indexOf(Number(cell.dataset.j));
  const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    pick(Number(cell.dataset.i), Number(cell.dataset.j));
    return;
  }
  const move = moves[event.key];
  if (!move) return;
  event.preventDefault();
  const r = Math.min(n - 1, Math.max(0, row + move[0]));
  const c = Math.min(n - 1, Math.max(0, col + move[1]));
  const next = $('compare-heatmap').querySelector(`[data-i="${idx[r]}"][data-j="${idx[c]}"]`);
  cell.tabIndex = -1;
  next.tabIndex = 0;
  next.focus();
}

/** Loads sentences from a local file; a file that is not UTF-8 is refused with where it stops being text. */
async function loadFile(event) {
  const file = event.target.files[0];
  if (!file) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const where = bad >= 0 ? `byte ${bad} (0x${bytes[bad].toString(16).padStart(2, '0')}) starts no valid character` : 'it holds invalid byte sequences';
    status($('compare-status'), `${file.name} is not UTF-8 text: ${where}. Save it as UTF-8 and load it again; nothing was sent.`, true);
    event.target.value = '';
    return;
  }
  $('compare-input').value = text.replace(/^\uFEFF/, '');
  event.target.value = '';
  run();
}

/** The offset of the first byte that breaks UTF-8, or -1. */
function firstInvalidUtf8(bytes) {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}
