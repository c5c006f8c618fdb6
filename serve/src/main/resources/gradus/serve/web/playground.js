// Playground: draw or upload an image, type features, stream generated text, classify a text, or compare
// texts by their embeddings. Numbers are checked here, with the error next to the field, before anything is sent.
Gradus.setupKeyInput();
const $ = id => document.getElementById(id);
let models = [], current = null;

function isImage(m) {
  const s = m.input_shape || [];
  return s.length === 3 || (s.length === 1 && Number.isInteger(Math.sqrt(s[0])) && s[0] >= 64);
}

function describe(m) {
  if (m.kind !== 'tensor') return m.kind;
  const parts = [`version ${m.version}`, `input [${m.input_shape}]`];
  // recipes write class_names [] for regression and for unnamed classes: count the outputs then
  if (m.task === 'classification') parts.push(`${m.class_names?.length || m.outputs} classes`);
  else parts.push(m.task ? m.task.replace('_', ' ') : 'no task', m.outputs === 1 ? 'one output' : `${m.outputs} outputs`);
  if (m.feature_names) parts.push('features ' + m.feature_names.join(', '));
  return parts.join(', ');
}

function show(m) {
  current = m;
  history.replaceState(null, '', '?model=' + encodeURIComponent(m.name));
  $('image-panel').hidden = !(m.kind === 'tensor' && isImage(m));
  $('features-panel').hidden = !(m.kind === 'tensor' && !isImage(m));
  $('generate-panel').hidden = m.kind !== 'generator';
  $('classify-panel').hidden = m.kind !== 'classifier';
  $('embed-panel').hidden = m.kind !== 'embedder';
  $('model-info').textContent = describe(m);
  // named features get a field each; others one comma-separated line
  const names = m.feature_names || [];
  $('feature-inputs').replaceChildren(...names.map((name, i) => Gradus.el('div', { class: 'field' },
    Gradus.el('label', { for: 'feature-' + i }, name), Gradus.el('input', { type: 'text', id: 'feature-' + i, inputmode: 'decimal' }))));
  $('features').hidden = names.length > 0;
  document.querySelectorAll('.error[id$="-error"]').forEach(e => { e.hidden = true; });
  $('result').className = 'muted';
  $('result').replaceChildren('—');
}

/**
 * Reads a number field; `rule` says what is allowed. Returns the number, undefined for an empty optional
 * field, or null after showing what is wrong next to the field.
 */
function numberField(id, label, rule) {
  const raw = $(id).value.trim(), error = $(id + '-error');
  error.hidden = true;
  if (raw === '' && rule.optional) return undefined;
  const v = Number(raw);
  const problem = raw === '' || !Number.isFinite(v) ? `${label} must be a number, not "${raw}"`
    : rule.integer && !Number.isInteger(v) ? `${label} must be a whole number, not ${raw}`
    : !rule.ok(v) ? `${label} must be ${rule.range}, not ${raw}` : null;
  if (!problem) return v;
  error.textContent = problem;
  error.hidden = false;
  return null;
}

function showProbabilities(pred) {
  const rows = Object.entries(pred.probabilities || {}).slice(0, 10).map(([name, p]) => {
    const fill = Gradus.el('div', { class: 'fill' });
    fill.style.width = (100 * p).toFixed(1) + '%';
    return Gradus.el('div', { class: 'bar' }, Gradus.el('span', {}, name), Gradus.el('div', {}, fill), Gradus.el('span', {}, (100 * p).toFixed(1) + '%'));
  });
  const top = Gradus.el('p', {}, 'Prediction: ', Gradus.el('strong', { id: 'top-class' }, String(pred.class)));
  $('result').className = '';
  $('result').replaceChildren(top, ...rows);
}

// A regression's value (or values, for several outputs).
function showValue(pred) {
  const values = Array.isArray(pred.prediction) ? pred.prediction : [pred.prediction];
  const top = Gradus.el('p', {}, 'Prediction: ', Gradus.el('strong', { id: 'top-class', 'data-value': values.join(',') }, values.map(Gradus.fmt).join(', ')));
  $('result').className = '';
  $('result').replaceChildren(top);
}

function showError(e) {
  $('result').className = 'error';
  $('result').textContent = e.message;
}

async function predictBody(body, type) {
  const q = $('invert').checked ? '?invert=true' : '';
  const out = await Gradus.json('/predict/' + encodeURIComponent(current.name) + q, { method: 'POST', body, headers: { 'Content-Type': type } });
  const pred = out.predictions[0];
  if ('prediction' in pred) showValue(pred); else showProbabilities(pred);
}

// Drawing pad: white strokes on black, like Fashion-MNIST/MNIST images.
const pad = $('pad'), ctx = pad.getContext('2d');
function clearPad() { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, pad.width, pad.height); }
clearPad();
let drawing = false;
// the canvas may be drawn smaller than its 280 px (on a phone): scale pointer positions to it
const pos = e => { const r = pad.getBoundingClientRect(); return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height]; };
pad.addEventListener('pointerdown', e => { drawing = true; ctx.beginPath(); ctx.moveTo(...pos(e)); });
pad.addEventListener('pointermove', e => {
  if (!drawing) return;
  ctx.strokeStyle = '#fff'; ctx.lineWidth = 22; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
  ctx.lineTo(...pos(e)); ctx.stroke();
});
['pointerup', 'pointerleave'].forEach(t => pad.addEventListener(t, () => { drawing = false; }));
$('clear').addEventListener('click', clearPad);
$('predict').addEventListener('click', () => pad.toBlob(b => predictBody(b, 'image/png').catch(showError), 'image/png'));
$('upload').addEventListener('change', e => {
  const f = e.target.files[0];
  if (!f) return;
  const img = new Image();
  img.onload = () => { clearPad(); ctx.drawImage(img, 0, 0, pad.width, pad.height); URL.revokeObjectURL(img.src); };
  img.src = URL.createObjectURL(f);
  predictBody(f, f.type || 'image/png').catch(showError);
});

// The features as numbers, or null after saying which one is not.
function readFeatures() {
  const names = current.feature_names || [];
  const raw = names.length ? names.map((_, i) => $('feature-' + i).value.trim()) : $('features').value.split(',').map(s => s.trim());
  const error = $('features-error');
  error.hidden = true;
  const bad = raw.findIndex(s => s === '' || !Number.isFinite(Number(s)));
  const expected = (current.input_shape || []).reduce((a, b) => a * b, 1);
  const problem = bad >= 0 ? `${names[bad] || 'value ' + (bad + 1)}: "${raw[bad]}" is not a number`
    : raw.length !== expected ? `the model takes ${expected} numbers, got ${raw.length}` : null;
  if (!problem) return raw.map(Number);
  error.textContent = problem;
  error.hidden = false;
  return null;
}
$('predict-features').addEventListener('click', () => {
  const features = readFeatures();
  if (features) predictBody(JSON.stringify({ features }), 'application/json').catch(showError);
});
$('classify').addEventListener('click', () => predictBody(JSON.stringify({ text: $('text').value }), 'application/json').catch(showError));

// The sampling settings as /v1/completions fields, or null when one is invalid (all are checked, so all errors show).
function generationSettings() {
  const fields = {
    max_tokens: numberField('max-tokens', 'max tokens', { integer: true, ok: v => v >= 1, range: 'at least 1' }),
    temperature: numberField('temperature', 'temperature', { ok: v => v >= 0 && v <= 2, range: 'between 0 and 2', optional: true }),
    top_k: numberField('top-k', 'top-k', { integer: true, ok: v => v >= 0, range: '0 (off) or more', optional: true }),
    top_p: numberField('top-p', 'top-p', { ok: v => v > 0 && v <= 1, range: 'above 0 and at most 1', optional: true }),
    seed: numberField('seed', 'seed', { integer: true, ok: Number.isSafeInteger, range: 'a whole number', optional: true }),
  };
  if (Object.values(fields).includes(null)) return null;
  const stop = $('stop').value;
  return { ...fields, ...(stop ? { stop: [stop] } : {}) };
}

// Streams /v1/completions and appends each chunk as it arrives.
$('generate').addEventListener('click', async () => {
  const settings = generationSettings();
  if (!settings) return;
  const out = $('generated');
  out.textContent = '';
  delete out.dataset.done;
  try {
    const res = await fetch('/v1/completions', { method: 'POST', headers: Gradus.headers({ 'Content-Type': 'application/json' }),
      body: JSON.stringify({ model: current.name, prompt: $('prompt').value, ...settings, stream: true }) });
    if (!res.ok) { const b = await res.json(); throw new Error(b.error.message); }
    const reader = res.body.getReader(), decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let i;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, i); buffer = buffer.slice(i + 2);
        if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
        const chunk = JSON.parse(event.slice(6));
        if (chunk.error) throw new Error(chunk.error.message);
        if (chunk.choices.length) out.textContent += chunk.choices[0].text;
      }
    }
    out.dataset.done = 'true';
  } catch (e) { showError(e); }
});

function cosine(a, b) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return dot / Math.sqrt(na * nb);
}

// Embeds the texts with the OpenAI-compatible endpoint and shows every pair's cosine similarity.
$('embed').addEventListener('click', async () => {
  const texts = $('embed-texts').value.split('\n').map(t => t.trim()).filter(t => t);
  const error = $('embed-texts-error');
  error.hidden = texts.length > 0;
  error.textContent = 'enter at least one text, one a line';
  if (!texts.length) return;
  try {
    const out = await Gradus.json('/v1/embeddings', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: current.name, input: texts }) });
    const vectors = out.data.sort((a, b) => a.index - b.index).map(d => d.embedding);
    const short = t => t.length > 24 ? t.slice(0, 23) + '…' : t;
    const head = Gradus.el('tr', {}, Gradus.el('th', {}, ''), ...texts.map((t, j) => Gradus.el('th', { title: t }, `${j + 1}`)));
    const body = vectors.map((a, i) => Gradus.el('tr', {}, Gradus.el('th', { title: texts[i] }, `${i + 1}. ${short(texts[i])}`), ...vectors.map((b, j) => {
      const c = cosine(a, b);
      const td = Gradus.el('td', { 'data-i': String(i), 'data-j': String(j) }, c.toFixed(3));
      td.style.background = `rgba(51, 102, 204, ${Math.max(0, c) * 0.6})`;
      return td;
    })));
    $('result').className = 'scroll';
    $('result').replaceChildren(Gradus.el('p', { class: 'muted' }, `Cosine similarity of ${texts.length} texts, `,
      Gradus.el('span', { id: 'embedding-size' }, `${vectors[0].length} dimensions`)), Gradus.el('table', { class: 'similarity' }, head, ...body));
  } catch (e) { showError(e); }
});

async function init() {
  models = await Gradus.json('/api/models');
  const select = $('model');
  select.replaceChildren(...models.map((m, i) => Gradus.el('option', { value: String(i) }, `${m.name} (${m.kind})`)));
  select.addEventListener('change', () => show(models[Number(select.value)]));
  const wanted = new URLSearchParams(location.search).get('model');
  const index = Math.max(0, models.findIndex(m => m.name === wanted));
  if (models.length) { select.value = String(index); show(models[index]); }
  else $('model-info').textContent = 'No models loaded.';
}
init().catch(showError);
