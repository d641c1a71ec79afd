// Two models side by side: one query against two indexes (one corpus under two models, or two corpora),
// two ranked lists, overlap@k, each document's rank shift and the documents that moved most.
import { postJson } from './api.js';
import { $, el, fillSelect, fmtScore, hashParams, status } from './ui.js';

export function start(info) {
  const indexes = (info.indexes || []).map((i) => ({ value: i.name, label: `${i.name} (${i.model})` }));
  fillSelect($('models-left'), indexes, indexes[0]?.value);
  fillSelect($('models-right'), indexes, indexes[1]?.value ?? indexes[0]?.value);
  $('models-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
  if (indexes.length < 2) {
    status($('models-status'),
      'Serve two indexes to compare models: jembed explore FILE --model A --model B embeds one corpus under both.');
  }
  const q = hashParams().get('q');
  if (q) {
    $('models-query').value = q;
    run();
  }
}

export function shown() {
  $('models-query').focus();
}

async function run() {
  const query = $('models-query').value.trim();
  const left = $('models-left').value;
  const right = $('models-right').value;
  const k = Number($('models-k').value) || 10;
  if (!query || !left || !right) {
    status($('models-status'), query ? 'Choose two indexes.' : 'Type a query first.', true);
    return;
  }
  status($('models-status'), 'Searching both…');
  try {
    const [a, b] = await Promise.all([
      postJson('search', { index: left, query, k, mode: 'vector' }),
      postJson('search', { index: right, query, k, mode: 'vector' }),
    ]);
    status($('models-status'), '');
    render(rankShifts(a.hits, b.hits, k), left, right, k);
  } catch (e) {
    status($('models-status'), e, true);
  }
}

/** Ranks of each document on both sides, overlap@k, and the documents sorted by how far they moved. */
function rankShifts(leftHits, rightHits, k) {
  const leftRank = new Map(leftHits.map((h, i) => [h.id, i + 1]));
  const rightRank = new Map(rightHits.map((h, i) => [h.id, i + 1]));
  const shared = leftHits.filter((h) => rightRank.has(h.id)).length;
  const ids = [...new Set([...leftRank.keys(), ...rightRank.keys()])];
  const text = new Map([...rightHits, ...leftHits].map((h) => [h.id, h.text]));
  const movers = ids
    .map((id) => {
      const l = leftRank.get(id);
      const r = rightRank.get(id);
      // a document only one side ranks in its top k moved at least past k
      const distance = l && r ? Math.abs(l - r) : k + 1 - (l || r);
      return { id, left: l, right: r, distance, text: text.get(id) };
    })
    .sort((x, y) => y.distance - x.distance || (x.left || x.right) - (y.left || y.right));
  return { leftHits, rightHits, leftRank, rightRank, shared, movers, overlap: shared / Math.max(1, Math.min(k, Math.max(leftHits.length, rightHits.length))) };
}

function render(shifts, left, right, k) {
  const { shared, movers } = shifts;
  const sharedMoves = movers.filter((m) => m.left && m.right);
  const meanShift = sharedMoves.length ? sharedMoves.reduce((s, m) => s + m.distance, 0) / sharedMoves.length : 0;
  $('models-summary').replaceChildren(
    el('div', { class: 'summary' },
      figure(`${(shifts.overlap * 100).toFixed(0)}%`, `overlap@${k} (${shared} shared)`, 'overlap'),
      figure(meanShift.toFixed(1), 'mean rank shift of shared documents', 'mean-shift'),
      figure(String(movers.filter((m) => !m.right).length), `only in ${left}`, 'only-left'),
      figure(String(movers.filter((m) => !m.left).length), `only in ${right}`, 'only-right'),
    ),
  );
  $('models-left-hits').replaceChildren(el('li', { class: 'col-title' }, left), ...shifts.leftHits.map((h, i) => item(h, i + 1, shifts.rightRank.get(h.id), right)));
  $('models-right-hits').replaceChildren(el('li', { class: 'col-title' }, right), ...shifts.rightHits.map((h, i) => item(h, i + 1, shifts.leftRank.get(h.id), left, true)));
  const top = movers.filter((m) => m.distance > 0).slice(0, 3);
  $('models-movers').replaceChildren(
    el('h3', {}, 'Moved most'),
    top.length
      ? el('ul', { class: 'side-list' }, top.map((m) =>
          el('li', {}, el('b', {}, m.id), ` · ${left}: ${m.left ? `#${m.left}` : `not in top ${k}`} → ${right}: ${m.right ? `#${m.right}` : `not in top ${k}`} · `,
            el('span', { class: 'muted' }, m.text || ''))))
      : el('p', { class: 'muted' }, 'Both models rank the same documents in the same order.'),
  );
}

function figure(value, label, key) {
  return el('div', { dataset: { figure: key } }, el('div', { class: 'fig' }, value), el('div', { class: 'lbl' }, label));
}

function item(hit, rank, otherRank, otherName, isRight = false) {
  let badge;
  if (!otherRank) badge = el('span', { class: 'shift new', title: `not in ${otherName}'s top k` }, 'only here');
  else if (otherRank === rank) badge = el('span', { class: 'shift', title: 'same rank' }, '=');
  else {
    // on the right, "up" means the right model ranks it higher than the left one did
    const up = isRight ? rank < otherRank : rank > otherRank;
    badge = el('span', { class: `shift ${up ? 'up' : 'down'}`, title: `#${otherRank} in ${otherName}` },
      `${up ? '▲' : '▼'}${Math.abs(rank - otherRank)}`);
  }
  return el('li', { class: 'hit', dataset: { id: hit.id } },
    el('div', { class: 'hit-head' }, el('span', { class: 'rank' }, `${rank}.`), el('span', { class: 'hit-id' }, hit.id),
      el('span', { class: 'score' }, fmtScore(hit.score)), badge),
    el('div', { class: 'doc' }, hit.text));
}
