// Runs dashboard: the list of runs, live curves over server-sent events, final metrics, confusion matrix.
Gradus.setupKeyInput();
const COLORS = ['#3366cc', '#dc3912', '#ff9900', '#109618', '#990099', '#0099c6', '#dd4477', '#66aa00'];
let source = null, charts = [];

async function loadRuns() {
  const runs = await Gradus.json('/api/runs');
  const body = document.getElementById('runs');
  body.replaceChildren();
  document.getElementById('no-runs').hidden = runs.length > 0;
  for (const r of runs) {
    const status = Gradus.el('span', { class: 'badge' + (r.running ? ' running' : '') }, r.running ? 'running' : 'done');
    const tr = Gradus.el('tr', { class: 'run', 'data-id': r.id },
      Gradus.el('td', {}, r.name + ' ', status), Gradus.el('td', {}, String(r.epochs)), Gradus.el('td', {}, Gradus.fmt(r.last.loss)));
    tr.addEventListener('click', () => select(r.id));
    body.append(tr);
  }
  const wanted = new URLSearchParams(location.search).get('run');
  if (wanted && runs.some(r => r.id === wanted) && !source) select(wanted);
}

function chart(target, title, keys, rows) {
  const el = document.getElementById(target);
  el.replaceChildren();
  if (keys.length === 0) return null;
  const data = [rows.map(r => r.epoch), ...keys.map(k => rows.map(r => r[k] ?? null))];
  const opts = { title, width: Math.max(360, el.clientWidth || 420), height: 260, scales: { x: { time: false } },
    series: [{ label: 'epoch' }, ...keys.map((k, i) => ({ label: k, stroke: COLORS[i % COLORS.length], width: 2, points: { show: true } }))] };
  return new uPlot(opts, data, el);
}

function render(rows) {
  const keys = rows.length ? Object.keys(Object.assign({}, ...rows)).filter(k => k !== 'epoch' && k !== 'time') : [];
  const lossKeys = keys.filter(k => k.includes('loss')), otherKeys = keys.filter(k => !k.includes('loss'));
  charts.forEach(c => c && c.destroy());
  charts = [chart('loss-chart', 'loss', lossKeys, rows), chart('metric-chart', 'metrics', otherKeys, rows)];
  document.getElementById('epoch-count').textContent = rows.length + (rows.length === 1 ? ' epoch' : ' epochs');
  document.getElementById('epoch-count').dataset.epochs = rows.length;
  const last = rows[rows.length - 1] || {};
  document.getElementById('final').replaceChildren(...keys.map(k => Gradus.el('tr', {}, Gradus.el('th', {}, k), Gradus.el('td', { 'data-key': k }, Gradus.fmt(last[k])))));
}

async function select(id) {
  document.querySelectorAll('tr.run').forEach(tr => tr.classList.toggle('selected', tr.dataset.id === id));
  history.replaceState(null, '', '?run=' + encodeURIComponent(id));
  if (source) source.close();
  const run = await Gradus.json('/api/runs/' + encodeURIComponent(id));
  document.getElementById('run-title').textContent = run.name;
  document.getElementById('run-status').textContent = run.running ? 'training…' : 'finished';
  let rows = [];
  render(rows);
  source = Gradus.events('/api/runs/' + encodeURIComponent(id) + '/events');
  source.onmessage = e => { rows.push(JSON.parse(e.data)); render(rows); };
  source.addEventListener('reset', () => { rows = []; render(rows); });
  source.addEventListener('end', () => {
    source.close(); source = null;
    document.getElementById('run-status').textContent = 'finished';
    loadConfusion(id);
  });
  if (!run.running) loadConfusion(id);
}

async function loadConfusion(id) {
  const box = document.getElementById('confusion');
  box.textContent = 'evaluating…';
  try {
    const cm = await Gradus.json('/api/runs/' + encodeURIComponent(id) + '/confusion');
    const head = Gradus.el('tr', {}, Gradus.el('th', {}, 'actual \\ predicted'), ...cm.classes.map(c => Gradus.el('th', {}, c)));
    const max = Math.max(1, ...cm.counts.flat());
    const rows = cm.counts.map((row, i) => Gradus.el('tr', {}, Gradus.el('th', {}, cm.classes[i]), ...row.map(v => {
      const td = Gradus.el('td', {}, String(v));
      td.style.background = `rgba(51, 102, 204, ${0.08 + 0.6 * v / max})`;
      return td;
    })));
    box.className = '';
    box.replaceChildren(Gradus.el('p', { class: 'muted' }, 'on ' + cm.data + ', accuracy ' + Gradus.fmt(cm.summary.accuracy)),
      Gradus.el('table', { class: 'confusion' }, head, ...rows));
  } catch (e) {
    box.className = 'muted';
    box.textContent = 'not available: ' + e.message;
  }
}

loadRuns().catch(e => document.getElementById('runs').replaceChildren(Gradus.el('tr', {}, Gradus.el('td', { class: 'error' }, e.message))));
setInterval(() => loadRuns().catch(() => {}), 5000);
