// Duplicates: the collection's near-duplicate groups, biggest first.
import { postJson } from './api.js';
import { $, el, fillSelect, fmtScore, status } from './ui.js';

export function start(info) {
  const indexes = (info.indexes || []).map((i) => ({ value: i.name, label: `${i.name} (${i.model})` }));
  fillSelect($('dup-index'), indexes);
  $('dup-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
}

async function run() {
  const index = $('dup-index').value;
  const threshold = Number($('dup-threshold').value);
  if (!index) {
    status($('dup-status'), 'No index is served.', true);
    return;
  }
  status($('dup-status'), 'Looking for near-duplicates…');
  try {
    const answer = await postJson('duplicates', { index, threshold });
    const groups = [...answer.groups].sort((a, b) => b.ids.length - a.ids.length);
    const members = groups.reduce((n, g) => n + g.ids.length, 0);
    status($('dup-status'), groups.length
      ? `${groups.length} group(s) of ${members} texts in ${index}, each linked to another at similarity ≥ ${threshold}`
      : `No two texts in ${index} reach similarity ${threshold}.`);
    $('dup-groups').replaceChildren(...groups.map((g, n) =>
      el('li', { class: 'group' },
        el('div', { class: 'hit-head' }, el('span', { class: 'rank' }, `${n + 1}.`),
          el('b', {}, `${g.ids.length} texts`), el('span', { class: 'muted' }, `lowest similarity in the group ${fmtScore(g.score_min)}`)),
        el('ul', {}, g.ids.map((id, i) => el('li', {}, el('span', { class: 'mono muted' }, `${id} `), g.texts?.[i] ?? ''))))));
  } catch (e) {
    $('dup-groups').replaceChildren();
    status($('dup-status'), e, true);
  }
}
