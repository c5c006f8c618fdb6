// Explanations in the playground: POST /v2/models/{name}/explain, then a heat map over the image (red: evidence
// for the class, blue: against), a bar per feature, or highlighted tokens and, for attention, a layer × head
// viewer. Uses playground.js's current model, pad and readFeatures.
function showExplanation(out) {
  if (out.tokens) return showTokens(out);
  const box = $('explanation');
  const title = explanationTitle(out);
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

// One title for every kind of explanation: the method, the class and whichever diagnostics the answer holds.
function explanationTitle(out) {
  return Gradus.el('p', { class: 'muted' }, `${out.method} for class `, Gradus.el('strong', { id: 'explained-class' }, String(out['class'])),
    'gap' in out ? ` · completeness gap ${Gradus.fmt(out.gap)}` + ('delta' in out ? ` of ${Gradus.fmt(out.delta)}` : '') : '',
    'fidelity' in out ? ` · fidelity R² ${Gradus.fmt(out.fidelity)}` : '',
    out.note ? ` · ${out.note}` : '');
}

// Red for evidence for the class, blue against; alpha by |score| over the largest.
function shade(v, max) {
  const t = Math.min(1, Math.abs(v) / max);
  return v >= 0 ? `rgba(220, 40, 40, ${t.toFixed(3)})` : `rgba(40, 80, 220, ${t.toFixed(3)})`;
}

function showTokens(out) {
  const a = out.attributions, max = Math.max(1e-12, ...a.map(Math.abs));
  const tokens = Gradus.el('p', { class: 'tokens', id: 'tokens' }, ...out.tokens.map((t, i) => {
    const span = Gradus.el('span', { 'data-value': String(a[i]), title: Gradus.fmt(a[i]) }, t);
    span.style.background = shade(a[i], max);
    return span;
  }));
  const parts = [explanationTitle(out), tokens];
  if (out.attention) parts.push(attentionViewer(out.attention, out.tokens));
  $('explanation').replaceChildren(...parts);
}

// attention[layer][head][query][key]: pick a layer and a head (or their mean); rows are the tokens that attend.
function attentionViewer(attention, tokens) {
  const layer = Gradus.el('select', { id: 'attention-layer', 'aria-label': 'layer' },
    ...attention.map((_, l) => Gradus.el('option', { value: String(l) }, `layer ${l + 1}`)));
  const head = Gradus.el('select', { id: 'attention-head', 'aria-label': 'head' }, Gradus.el('option', { value: 'mean' }, 'mean of heads'),
    ...attention[0].map((_, h) => Gradus.el('option', { value: String(h) }, `head ${h + 1}`)));
  const grid = Gradus.el('table', { class: 'attention', id: 'attention-grid' });
  const draw = () => {
    const heads = attention[Number(layer.value)];
    const w = head.value === 'mean'
      ? heads[0].map((row, i) => row.map((_, j) => heads.reduce((s, hh) => s + hh[i][j], 0) / heads.length))
      : heads[Number(head.value)];
    const max = Math.max(1e-12, ...w.flat()); // shaded against the strongest weight shown
    const top = Gradus.el('tr', {}, Gradus.el('th', {}, ''), ...tokens.map(t => Gradus.el('th', {}, t)));
    const rows = w.map((row, i) => Gradus.el('tr', {}, Gradus.el('th', {}, tokens[i]), ...row.map((v, j) => {
      const cell = Gradus.el('td', { 'data-value': String(v), title: `${tokens[i]} → ${tokens[j]}: ${Gradus.fmt(v)}` });
      cell.style.background = `rgba(20, 110, 70, ${(v / max).toFixed(3)})`;
      return cell;
    })));
    grid.replaceChildren(Gradus.el('thead', {}, top), Gradus.el('tbody', {}, ...rows));
  };
  layer.addEventListener('change', draw);
  head.addEventListener('change', draw);
  draw();
  return Gradus.el('div', { id: 'attention-viewer' }, Gradus.el('div', { class: 'row' }, layer, head), grid);
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
$('explain-text').addEventListener('click', () => {
  const body = JSON.stringify({ text: $('text').value, method: $('explain-text-method').value, steps: 32, samples: 300 });
  explainBody(body, 'application/json').catch(explainError);
});
