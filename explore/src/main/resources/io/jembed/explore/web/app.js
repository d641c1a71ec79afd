// jembed explore: the page's entry. Loads the server's config and /info, then runs the view the hash names.
import { config, getJson, onKeyNeeded, setKey } from './api.js';
import { $ } from './ui.js';
import * as search from './search.js';
import * as compare from './compare.js';
import * as models from './models.js';
import * as duplicates from './duplicates.js';

const VIEWS = ['search', 'compare', 'map', 'models', 'duplicates'];
const modules = { search, compare, models, duplicates, map: null };
const started = new Set();
let info = { models: [], indexes: [] };

/** Asks for the API key in a modal dialog; resolves once one is typed. */
function askKey(reason) {
  const dialog = $('key-dialog');
  const error = $('key-error');
  error.textContent = reason || '';
  error.hidden = !reason;
  $('key-input').value = '';
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        setKey($('key-input').value.trim());
        resolve();
      },
      { once: true },
    );
    if (!dialog.open) dialog.showModal();
    $('key-input').focus();
  });
}

function currentView() {
  const name = location.hash.slice(1).split('?')[0];
  return VIEWS.includes(name) ? name : 'search';
}

async function show() {
  const name = currentView();
  for (const view of VIEWS) {
    const selected = view === name;
    $(`view-${view}`).hidden = !selected;
    const tab = $(`tab-${view}`);
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
  if (name === 'map' && !modules.map) {
    await classicScript('explore/vendor/regl/regl.min.js'); // regl ships UMD only: it sets globalThis.createREGL
    modules.map = await import('./map.js');
  }
  const module = modules[name];
  if (!started.has(name)) {
    started.add(name);
    module.start(info);
  } else if (location.hash.includes('?')) {
    module.apply?.(); // a link into a view already open: take its parameters
  }
  module.shown?.(info);
}

function classicScript(src) {
  return new Promise((resolve, reject) => {
    const script = Object.assign(document.createElement('script'), { src, onload: resolve });
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

/** Arrow keys move between tabs, as the WAI-ARIA tabs pattern has it. */
function tabKeys(event) {
  const tabs = VIEWS.map((v) => $(`tab-${v}`));
  const at = tabs.indexOf(document.activeElement);
  if (at < 0) return;
  const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
  if (!step) return;
  event.preventDefault();
  const next = tabs[(at + step + tabs.length) % tabs.length];
  next.focus();
  next.click();
}

async function main() {
  onKeyNeeded(askKey);
  const cfg = await config();
  if (cfg.auth_required) await askKey('');
  try {
    info = await getJson('info');
  } catch (e) {
    showNotice(`Could not read the server's /info: ${e.message}`);
  }
  const names = (info.indexes || []).map((i) => i.name);
  $('server-info').textContent =
    `jembed ${info.version || cfg.version || ''} · ${(info.models || []).length} model(s) · ` +
    `${names.length} index(es)`;
  document.querySelector('nav').addEventListener('keydown', tabKeys);
  window.addEventListener('hashchange', show);
  await show();
  document.body.dataset.ready = 'true';
}

// A bug in the page shows up as a message, not as a view that silently stops answering.
window.addEventListener('error', (event) => showNotice(`The page hit an error: ${event.message}`));
window.addEventListener('unhandledrejection', (event) => showNotice(`The page hit an error: ${event.reason?.message || event.reason}`));

function showNotice(message) {
  const notice = $('notice');
  notice.textContent = message;
  notice.hidden = false;
}

main();
