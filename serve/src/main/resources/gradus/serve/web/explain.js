// Explanations in the playground: POST /v2/models/{name}/explain, then a heat map over the image (red: evidence
// for the class, blue: against) or a bar per feature. Uses playground.js's current model, pad and readFeatures.
function showExplanation(out) {
  const box = $('explanation');
  const title = Gradus.el('p', { class: 'muted' }, `${out.method} for class `, Gradus.el('strong', { id: 'explained-class' }, String(out['class'])),
    'gap' in out ? ` · completeness gap ${Gradus.fmt(out.gap)} of ${Gradus.fmt(out.delta)}` : '',
    'fidelity' in out ? ` · fidelity R² ${Gradus.fmt(out.fidelity)}` : '',
    out.note ? ` · ${out.note}` : '');
  const a = out.attributions, shape = out.shape;
  const max = Math.max(1e-12, ...a.map(Math.abs));
  if (shape.length === 4) {
    const [, c, h, w] = shape, scale = 8;
    const canvas = Gradus.el('canvas', { id: 'heatmap', width: String(w * scale), height: String(h * scale),
      'data-max': String(max), 'data-cells': String(h * w) });
    const g = canvas.getContext('2d');
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let v = 0;
      for (let k = 0; k < c; k++) v += a[(k * h + y) * w + x];
      const t = Math.min(1, Math.abs(v) / max);
      g.fillStyle = v >= 0 ? `rgba(220, 40, 40, ${t})` : `rgba(40, 80, 220, ${t})`;
      g.fillRect(x * scale, y * scale, scale, scale);
    }
    canvas.style.background = '#000';
    box.replaceChildren(title, canvas);
  } else {
    const names = current.feature_names || a.map((_, i) => `feature ${i + 1}`);
    const rows = a.map((v, i) => {
      const fill = Gradus.el('div', { class: 'fill' });
      fill.style.width = (100 * Math.abs(v) / max).toFixed(1) + '%';
      if (v < 0) fill.style.background = '#3366cc';
      return Gradus.el('div', { class: 'bar attribution', 'data-value': String(v) }, Gradus.el('span', {}, names[i]), Gradus.el('div', {}, fill),
        Gradus.el('span', {}, Gradus.fmt(v)));
    });
    box.replaceChildren(title, ...rows);
  }
}

function explainError(e) {
  $('explanation').className = 'error';
  $('explanation').textContent = e.message;
}

async function explainBody(body, type, query = '') {
  $('explanation').className = '';
  const url = '/v2/models/' + encodeURIComponent(current.name) + '/explain' + query;
  showExplanation(await Gradus.json(url, { method: 'POST', body, headers: { 'Content-Type': type } }));
}

$('explain').addEventListener('click', () => pad.toBlob(b => {
  const q = '?method=' + $('explain-method').value + ($('invert').checked ? '&invert=true' : '') + '&window=4&samples=256';
  explainBody(b, 'image/png', q).catch(explainError);
}, 'image/png'));
$('explain-features').addEventListener('click', () => {
  const features = readFeatures();
  if (features) explainBody(JSON.stringify({ method: $('explain-features-method').value, features }), 'application/json').catch(explainError);
});
