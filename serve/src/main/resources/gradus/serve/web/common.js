// Shared by the dashboard and the playground: API calls with the optional API key kept in localStorage.
const Gradus = {
  key() { return localStorage.getItem('gradus-key') || ''; },
  headers(extra = {}) { const k = Gradus.key(); return k ? { ...extra, Authorization: 'Bearer ' + k } : extra; },
  async json(url, options = {}) {
    const res = await fetch(url, { ...options, headers: Gradus.headers(options.headers || {}) });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(typeof body.error === 'string' ? body.error : (body.error && body.error.message) || res.statusText);
    return body;
  },
  // EventSource cannot send headers: the key goes in the query.
  events(url) { const k = Gradus.key(); return new EventSource(k ? url + (url.includes('?') ? '&' : '?') + 'api_key=' + encodeURIComponent(k) : url); },
  // 1,234 and 22,345.6 grouped; learning rates as 3.0e-4; the rest with four decimals.
  fmt(v) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return String(v ?? '');
    const a = Math.abs(v);
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    if (a >= 1000) return v.toLocaleString('en-US', { maximumFractionDigits: 1 });
    if (a < 0.001) return v.toExponential(1);
    return v.toFixed(4);
  },
  el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) k === 'class' ? e.className = v : e.setAttribute(k, v);
    for (const c of children) e.append(c);
    return e;
  },
  setupKeyInput() {
    const input = document.getElementById('api-key');
    input.value = Gradus.key();
    input.addEventListener('change', () => { localStorage.setItem('gradus-key', input.value.trim()); location.reload(); });
  },
};
