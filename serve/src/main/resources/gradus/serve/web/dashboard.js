// Runs dashboard: the list of runs, the selected run's charts (live over server-sent events while it trains,
// fetched once when it has finished), final metrics, and the confusion matrix of classification runs.
Gradus.setupKeyInput();
const POLL_MS = 5000;
const charts = {};                 // kind id → uPlot, kept across updates (see Charts.draw)
let runs = [], selected = null, source = null, rows = [], pending = false;

const isStep = r => 'step' in r;  // step records lie between epoch lines in metrics.jsonl

function runRow(r) {
  const status = Gradus.el('span', { class: 'badge' + (r.running ? ' running' : '') }, r.running ? 'running' : 'done');
  const tr = Gradus.el('tr', { class: 'run' + (r.id === selected ? ' selected' : ''), 'data-id': r.id },
    Gradus.el('td', {}, r.name + ' ', status), Gradus.el('td', { class: 'epochs' }, String(r.epochs)),
    Gradus.el('td', { class: 'loss' }, Gradus.fmt(r.last.loss)));
  tr.addEventListener('click', () => select(r.id));
  return tr;
}

function showRuns() {
  document.getElementById('runs').replaceChildren(...runs.map(runRow));
  document.getElementById('no-runs').hidden = runs.length > 0;
}

// Only the list polls, to find new runs; a selected run updates from its own event stream.
async function loadRuns() {
  runs = await Gradus.json('/api/runs');
  showRuns();
  const wanted = new URLSearchParams(location.search).get('run');
  if (!selected && wanted && runs.some(r => r.id === wanted)) select(wanted);
}

// Events can come hundreds at once (a run's whole log when the stream opens): draw once per frame.
function update() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; render(); });
}

function render() {
  const epochs = rows.filter(r => !isStep(r)), steps = rows.filter(isStep);
  Charts.draw(document.getElementById('charts'), charts, epochs, steps);
  const count = document.getElementById('epoch-count');
  count.textContent = epochs.length + (epochs.length === 1 ? ' epoch' : ' epochs') + (steps.length ? ', ' + Gradus.fmt(steps[steps.length - 1].step) + ' steps' : '');
  count.dataset.epochs = epochs.length;
  const last = epochs[epochs.length - 1] || steps[steps.length - 1] || {};
  const keys = Object.keys(last).filter(k => k !== 'epoch' && k !== 'time' && k !== 'step');
  document.getElementById('final').replaceChildren(...keys.map(k => Gradus.el('tr', {}, Gradus.el('th', {}, k), Gradus.el('td', { 'data-key': k }, Gradus.fmt(last[k])))));
  const run = runs.find(r => r.id === selected);
  if (run && epochs.length) { // the list row follows the detail
    run.epochs = epochs.length;
    run.last = epochs[epochs.length - 1];
    showRuns();
  }
}

async function select(id) {
  selected = id;
  document.querySelectorAll('tr.run').forEach(tr => tr.classList.toggle('selected', tr.dataset.id === id));
  history.replaceState(null, '', '?run=' + encodeURIComponent(id));
  if (source) { source.close(); source = null; }
  const run = await Gradus.json('/api/runs/' + encodeURIComponent(id));
  if (selected !== id) return; // another run was clicked meanwhile
  document.getElementById('run-title').textContent = run.name;
  document.getElementById('run-status').textContent = run.running ? 'training…' : 'finished';
  rows = run.running ? [] : run.history;
  update();
  if (run.running) follow(id); else showConfusion(run);
}

// A running run's lines arrive as events (all of them first); the stream ends when its model is saved.
function follow(id) {
  source = Gradus.events('/api/runs/' + encodeURIComponent(id) + '/events');
  source.onmessage = e => { rows.push(JSON.parse(e.data)); update(); };
  source.addEventListener('reset', () => { rows = []; update(); });
  source.addEventListener('end', async () => {
    source.close(); source = null;
    document.getElementById('run-status').textContent = 'finished';
    const run = await Gradus.json('/api/runs/' + encodeURIComponent(id));
    const listed = runs.find(r => r.id === id);
    if (listed) { Object.assign(listed, run); showRuns(); }
    if (selected === id) showConfusion(run);
  });
}

// Only classification runs have one; the task comes from the run's saved model.
function showConfusion(run) {
  const section = document.getElementById('confusion-section');
  section.hidden = run.task !== 'classification';
  if (!section.hidden) loadConfusion(run.id);
}

async function loadConfusion(id) {
  const box = document.getElementById('confusion');
  box.textContent = 'evaluating…';
  try {
    const cm = await Gradus.json('/api/runs/' + encodeURIComponent(id) + '/confusion');
    const head = Gradus.el('tr', {}, Gradus.el('th', {}, 'actual \\ predicted'), ...cm.classes.map(c => Gradus.el('th', {}, c)));
    const max = Math.max(1, ...cm.counts.flat());
    const body = cm.counts.map((row, i) => Gradus.el('tr', {}, Gradus.el('th', {}, cm.classes[i]), ...row.map(v => {
      const td = Gradus.el('td', {}, String(v));
      td.style.background = `rgba(51, 102, 204, ${0.08 + 0.6 * v / max})`;
      return td;
    })));
    box.className = 'scroll';
    box.replaceChildren(Gradus.el('p', { class: 'muted' }, 'on ' + cm.data + ', accuracy ' + Gradus.fmt(cm.summary.accuracy)),
      Gradus.el('table', { class: 'confusion' }, head, ...body));
  } catch (e) {
    box.className = 'muted';
    box.textContent = 'not available: ' + e.message;
  }
}

loadRuns().catch(e => document.getElementById('runs').replaceChildren(Gradus.el('tr', {}, Gradus.el('td', { class: 'error' }, e.message))));
setInterval(() => loadRuns().catch(() => {}), POLL_MS);
