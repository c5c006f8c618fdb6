// The dashboard's metrics charts: one uPlot chart per kind of quantity, so values of different scales
// never share an axis; per-step curves where the run logged step records; tick labels sized to fit.
const Charts = (() => {
  const COLORS = ['#3366cc', '#dc3912', '#ff9900', '#109618', '#990099', '#0099c6', '#dd4477', '#66aa00'];
  const HEIGHT = 240;
  const WHOLE = [1, 2, 5].flatMap(m => [1, 10, 100, 1e3, 1e4, 1e5, 1e6].map(p => m * p)).sort((a, b) => a - b); // epochs and steps tick at whole numbers
  // uPlot takes a fixed width: follow each chart's grid cell as the page or the grid's columns change
  const cells = new ResizeObserver(entries => {
    for (const e of entries) if (e.target.chart && e.contentRect.width) e.target.chart.setSize({ width: e.contentRect.width, height: HEIGHT });
  });
  // Where a logged value is drawn; the first match wins (lr and seconds lie in 0–1 too, so they come before `metric`;
  // perplexity, e^loss, goes to `other`: it would flatten the loss curve).
  const KINDS = [
    { id: 'loss', title: 'Loss', match: k => /loss|mse|mae/.test(k), perStep: true },
    { id: 'lr', title: 'Learning rate', match: k => k === 'lr', perStep: true },
    { id: 'speed', title: 'Throughput', match: k => k === 'samples_per_s' || k === 'seconds' },
    { id: 'metric', title: 'Accuracy and other 0–1 metrics', match: (k, values) => values.every(v => v == null || (v >= 0 && v <= 1)), range: [0, 1] },
    { id: 'other', title: 'Other metrics', match: () => true },
  ];
  // Units for the throughput chart's two axes: seconds per epoch on the right.
  const UNITS = { samples_per_s: { scale: 'y', label: 'samples / s' }, seconds: { scale: 's', label: 's / epoch', side: 1 } };

  // Tick labels with as many decimals as the tick spacing needs: 22.35k rather than 22,350 (which uPlot's
  // default axis cuts to "2,350"), 1.5e-4 for learning rates.
  function ticks(u, splits, axisIdx, space, incr) {
    const big = Math.max(...splits.map(Math.abs));
    // the increment's own decimals: 0.25 → 2, so 0.75 is not shown as 0.8
    const decimals = step => { const t = String(+step.toPrecision(6)), dot = t.indexOf('.'); return t.includes('e') ? 6 : dot < 0 ? 0 : t.length - dot - 1; };
    if (big >= 1e4) {
      const [div, suffix] = big >= 1e9 ? [1e9, 'G'] : big >= 1e6 ? [1e6, 'M'] : [1e3, 'k'];
      return splits.map(v => v === 0 ? '0' : (v / div).toFixed(decimals(incr / div)) + suffix);
    }
    if (big > 0 && big < 1e-3) return splits.map(v => v === 0 ? '0' : (+v.toPrecision(3)).toExponential());
    return splits.map(v => v.toFixed(decimals(incr)));
  }

  // Axis width from its widest label (uPlot's default is a fixed 50 px).
  function size(u, values, axisIdx, cycle) {
    const axis = u.axes[axisIdx];
    if (cycle > 1) return axis._size;
    let px = axis.ticks.size + axis.gap;
    const widest = (values || []).reduce((w, v) => String(v).length > w.length ? String(v) : w, '');
    if (widest) {
      u.ctx.font = axis.font[0];
      px += u.ctx.measureText(widest).width / devicePixelRatio;
    }
    return Math.ceil(px) + 2;
  }

  /** Assigns each logged key to a kind. */
  function group(epochs, steps) {
    const keys = [];
    for (const r of [...epochs, ...steps]) for (const k of Object.keys(r)) if (!['epoch', 'step', 'time'].includes(k) && !keys.includes(k)) keys.push(k);
    const byKind = new Map();
    for (const k of keys) {
      const values = [...epochs, ...steps].map(r => r[k]).filter(v => v != null);
      const kind = KINDS.find(kd => kd.match(k, values));
      byKind.set(kind, [...(byKind.get(kind) || []), k]);
    }
    return KINDS.filter(kd => byKind.has(kd)).map(kd => ({ kind: kd, keys: byKind.get(kd) }));
  }

  /** The chart's series and aligned data: over steps where the run logged them (epoch values at each epoch's last step), else over epochs. */
  function spec(kind, keys, epochs, steps) {
    const stepKeys = kind.perStep ? keys.filter(k => steps.some(s => s[k] != null)) : [];
    const line = (label, i, extra = {}) => ({ label, stroke: COLORS[i % COLORS.length], width: 2, ...extra });
    if (stepKeys.length) {
      const x = steps.map(s => s.step);
      const lastStep = new Map(steps.map(s => [s.epoch, s.step]));   // a later record of an epoch overwrites
      const at = new Map(epochs.filter(e => lastStep.has(e.epoch)).map(e => [lastStep.get(e.epoch), e]));
      const epochKeys = keys.filter(k => !stepKeys.includes(k) || kind.id === 'loss');
      const series = [{ label: 'step' }, ...stepKeys.map((k, i) => line(k, i, { width: 1.5 })),
        ...epochKeys.map((k, i) => line(stepKeys.includes(k) ? k + ' per epoch' : k, stepKeys.length + i,
          { points: { show: true, size: 7 }, spanGaps: true, dash: [6, 4] }))];
      const data = [x, ...stepKeys.map(k => steps.map(s => s[k] ?? null)), ...epochKeys.map(k => x.map(v => at.has(v) ? at.get(v)[k] ?? null : null))];
      return { x: 'step', series, data };
    }
    const series = [{ label: 'epoch' }, ...keys.map((k, i) => line(k, i, { points: { show: true }, ...(kind.id === 'speed' ? { scale: UNITS[k].scale } : {}) }))];
    return { x: 'epoch', series, data: [epochs.map(e => e.epoch), ...keys.map(k => epochs.map(e => e[k] ?? null))] };
  }

  function options(kind, s, width) {
    const axis = extra => ({ values: ticks, size, ...extra });
    const axes = [{ label: s.x, values: ticks, incrs: WHOLE }];
    const scales = { x: { time: false } };
    if (kind.id === 'speed') {
      for (const k of s.series.slice(1).map(x => x.label)) {
        const unit = UNITS[k];
        axes.push(axis({ scale: unit.scale, label: unit.label, side: unit.side ?? 3, grid: { show: unit.scale === 'y' } }));
        scales[unit.scale] = {};
      }
    } else {
      axes.push(axis({}));
      if (kind.range) scales.y = { range: kind.range };
    }
    return { title: kind.title, width, height: HEIGHT, scales, axes, series: s.series };
  }

  /**
   * Draws the run's charts into `container`, keeping `charts` (kind id → uPlot): a chart whose series are
   * unchanged only gets new data, so a live run's charts do not blank and refill on every event.
   */
  function draw(container, charts, epochs, steps) {
    const wanted = group(epochs, steps);
    for (const id of Object.keys(charts)) {
      if (!wanted.some(w => w.kind.id === id)) {
        const el = document.getElementById(id + '-chart');
        cells.unobserve(el);
        el.remove();
        charts[id].destroy();
        delete charts[id];
      }
    }
    const specs = wanted.map(({ kind, keys }) => ({ kind, s: spec(kind, keys, epochs, steps) }));
    for (const { kind } of specs) {
      let el = document.getElementById(kind.id + '-chart');
      if (!el) {
        el = Gradus.el('div', { id: kind.id + '-chart', class: 'chart' });
        const next = KINDS.slice(KINDS.indexOf(kind) + 1).map(k => document.getElementById(k.id + '-chart')).find(e => e);
        container.insertBefore(el, next || null);
        cells.observe(el);
      }
    }
    // all cells first, so each chart is made at its final width
    for (const { kind, s } of specs) {
      const el = document.getElementById(kind.id + '-chart');
      const signature = JSON.stringify(s.series.map(x => x.label));
      const u = charts[kind.id];
      if (u && u.signature === signature) { u.setData(s.data); continue; }
      if (u) u.destroy();
      el.chart = charts[kind.id] = new uPlot(options(kind, s, el.clientWidth || 360), s.data, el);
      charts[kind.id].signature = signature;
    }
  }

  return { draw };
})();
