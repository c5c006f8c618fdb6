// Playground: draw or upload an image, type features, stream generated text, or classify a text.
Gradus.setupKeyInput();
const $ = id => document.getElementById(id);
let models = [], current = null;

function isImage(m) {
  const s = m.input_shape || [];
  return s.length === 3 || (s.length === 1 && Number.isInteger(Math.sqrt(s[0])) && s[0] >= 64);
}

function show(m) {
  current = m;
  history.replaceState(null, '', '?model=' + encodeURIComponent(m.name));
  $('image-panel').hidden = !(m.kind === 'tensor' && isImage(m));
  $('features-panel').hidden = !(m.kind === 'tensor' && !isImage(m));
  $('generate-panel').hidden = m.kind !== 'generator';
  $('classify-panel').hidden = m.kind !== 'classifier';
  $('model-info').textContent = m.kind === 'tensor'
    ? `version ${m.version}, input [${m.input_shape}]` + (m.class_names ? `, ${m.class_names.length} classes` : '') : m.kind;
  $('result').replaceChildren('—');
}

function showProbabilities(pred) {
  const rows = Object.entries(pred.probabilities || {}).slice(0, 10).map(([name, p]) => {
    const fill = Gradus.el('div', { class: 'fill' });
    fill.style.width = (100 * p).toFixed(1) + '%';
    return Gradus.el('div', { class: 'bar' }, Gradus.el('span', {}, name), Gradus.el('div', {}, fill), Gradus.el('span', {}, (100 * p).toFixed(1) + '%'));
  });
  const top = Gradus.el('p', {}, 'Prediction: ', Gradus.el('strong', { id: 'top-class' }, String(pred.class ?? pred.prediction)));
  $('result').className = '';
  $('result').replaceChildren(top, ...rows);
}

function showError(e) {
  $('result').className = 'error';
  $('result').textContent = e.message;
}

async function predictBody(body, type) {
  const q = $('invert').checked ? '?invert=true' : '';
  const out = await Gradus.json('/predict/' + encodeURIComponent(current.name) + q, { method: 'POST', body, headers: { 'Content-Type': type } });
  showProbabilities(out.predictions[0]);
}

// Drawing pad: white strokes on black, like Fashion-MNIST/MNIST images.
const pad = $('pad'), ctx = pad.getContext('2d');
function clearPad() { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, pad.width, pad.height); }
clearPad();
let drawing = false;
const pos = e => { const r = pad.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
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
$('predict-features').addEventListener('click', () => {
  const features = $('features').value.split(',').map(Number);
  predictBody(JSON.stringify({ features }), 'application/json').catch(showError);
});
$('classify').addEventListener('click', () => predictBody(JSON.stringify({ text: $('text').value }), 'application/json').catch(showError));

// Streams /v1/completions and appends each chunk as it arrives.
$('generate').addEventListener('click', async () => {
  const out = $('generated');
  out.textContent = '';
  try {
    const res = await fetch('/v1/completions', { method: 'POST', headers: Gradus.headers({ 'Content-Type': 'application/json' }),
      body: JSON.stringify({ model: current.name, prompt: $('prompt').value, max_tokens: Number($('max-tokens').value), stream: true }) });
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
