/*
 * The report's page: renders the sections from the JSON that HtmlReport embedded in
 * <script id="loomtrace-data" type="application/json"> (its shape: dev.loomtracer.report.ReportData).
 * Invariant: every string from the trace (thread names, reasons, task types, frames) reaches the
 * DOM as a text node or an attribute value set through the DOM API, never as markup; numbers are
 * shown as the embedded values formatted by fmtNs / fmtInt, nothing is recomputed here but sums.
 * Charts: uPlot (inlined); the flame graph and the timeline are this file's own code.
 */
(function () {
  'use strict';
  const D = JSON.parse(document.getElementById('loomtrace-data').textContent);
  const main = document.getElementById('main');
  const nav = document.getElementById('toc');
  const COLORS = { running: '#3a9d5d', runnable: '#e8a23a', blocked: '#5b7fc7', pinned: '#d9534f', idle: '#eceff3' };
  const BLOCK_PALETTE = ['#5b7fc7', '#8e6cc0', '#3f9fb5', '#6a8caf', '#a77fd0', '#4a6fa5', '#7aa6d9', '#9b59b6', '#2e86ab', '#5d4e9d'];
  const GROUP_PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#e15759', '#bab0ac'];

  // ---- small helpers ----
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null) continue;
        if (k === 'class') e.className = v;
        else if (k === 'style') e.style.cssText = v;
        else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, String(v));
      }
    }
    for (const k of kids.flat(Infinity)) {
      if (k === null || k === undefined || k === false) continue;
      e.appendChild(k instanceof Node ? k : document.createTextNode(String(k)));
    }
    return e;
  }
  /** Nanoseconds as a short duration, exactly as the text form does (TextReport.dur): "850 ns", "12.3 µs", "4.56 ms", "1.23 s". */
  function fmtNs(ns) {
    if (ns === null || ns === undefined) return '–';
    if (ns < 0) return '-' + fmtNs(-ns);
    const num = v => v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2);
    if (ns < 1e3) return Math.round(ns) + ' ns';
    if (ns < 1e6) return num(ns / 1e3) + ' µs';
    if (ns < 1e9) return num(ns / 1e6) + ' ms';
    return num(ns / 1e9) + ' s';
  }
  function fmtInt(n) { return Number(n).toLocaleString('en-US'); }
  function pct(part, whole) { return whole > 0 ? (100 * part / whole).toFixed(1) + ' %' : '–'; }
  /** A cell showing a duration, with the raw nanoseconds kept for tests and tooltips. */
  function nsCell(ns, key) { return el('td', { class: 'n', 'data-nanos': ns, 'data-key': key, title: ns + ' ns' }, fmtNs(ns)); }
  function intCell(n, key) { return el('td', { class: 'n', 'data-count': n, 'data-key': key }, fmtInt(n)); }
  function frame(i) { return D.report.frames[i]; }

  function section(id, title, intro) {
    const s = el('section', { class: 'rep', id: id, 'data-section': id }, el('h2', null, title));
    if (intro) s.appendChild(el('p', { class: 'intro' }, intro));
    main.appendChild(s);
    nav.appendChild(el('a', { href: '#' + id }, title));
    return s;
  }
  function gap(parent, text) { parent.appendChild(el('p', { class: 'gap' }, text)); }
  function table(headers, rows, attrs) {
    const t = el('table', Object.assign({ class: 't' }, attrs || {}));
    t.appendChild(el('thead', null, el('tr', null, headers.map(h => el('th', { class: h.endsWith(' ') ? 'n' : null }, h.trim())))));
    const tb = el('tbody');
    rows.forEach(r => tb.appendChild(r instanceof Node ? r : el('tr', null, r.map(c => c instanceof Node ? c : el('td', null, c)))));
    t.appendChild(tb);
    return t;
  }
  const reasonColors = new Map();
  function colorOf(kind, label) {
    if (kind !== 'blocked') return COLORS[kind] || '#999';
    if (!reasonColors.has(label)) reasonColors.set(label, BLOCK_PALETTE[reasonColors.size % BLOCK_PALETTE.length]);
    return reasonColors.get(label);
  }
  function splitLabel(kind, label) {
    return kind === 'running' ? 'running' : kind === 'runnable' ? 'waiting for a carrier'
      : kind === 'pinned' ? 'pinned' + (label ? ': ' + label : '') : 'blocked: ' + label;
  }
  /** A stacked bar of a time split [[kind, label, nanos], ...] over total nanoseconds. */
  function stackedBar(split, total) {
    const bar = el('div', { class: 'bar' });
    for (const [kind, label, ns] of split) {
      if (ns <= 0) continue;
      bar.appendChild(el('span', { style: 'width:' + (100 * ns / total) + '%;background:' + colorOf(kind, label),
        title: splitLabel(kind, label) + ': ' + fmtNs(ns) + ' (' + pct(ns, total) + ')', 'data-kind': kind }));
    }
    return bar;
  }
  function legend(entries) {
    return el('div', { class: 'legend' }, entries.map(([label, color]) => [el('i', { style: 'background:' + color }), label]));
  }

  // ---- charts (uPlot) ----
  function chartBox(parent, title) {
    const box = el('div', { class: 'chart' }, el('h3', null, title));
    parent.appendChild(box);
    return box;
  }
  const CHART_WIDTH = 600; // two charts side by side in a 1300 px window; .chart boxes have this width
  /** A histogram of the analysis's bins [{upToNanos, count}, ...] as bars. */
  function histogram(box, bins, xLabel) {
    if (!bins || !bins.length) { gap(box, 'No values.'); return; }
    const xs = bins.map((b, i) => i), ys = bins.map(b => b.count);
    const every = Math.ceil(bins.length / 6); // at most 6 labels fit under 600 px
    const labels = bins.map((b, i) => i % every ? '' : '≤ ' + fmtNs(b.upToNanos));
    const opts = {
      width: CHART_WIDTH, height: 220, legend: { show: false }, cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false, range: [-0.6, xs.length - 0.4] }, y: { range: (u, min, max) => [0, Math.max(1, max) * 1.1] } },
      axes: [{ label: xLabel, splits: () => xs, values: (u, splits) => splits.map(v => labels[v] || ''), space: 60 },
             { label: 'count', size: 60 }],
      series: [{}, { label: 'count', fill: 'rgba(47,111,179,0.55)', stroke: '#2f6fb3', width: 1,
        paths: uPlot.paths.bars({ size: [0.85, 60] }), points: { show: false } }],
    };
    box.setAttribute('data-bars', ys.length);
    box.setAttribute('data-total', ys.reduce((a, b) => a + b, 0));
    new uPlot(opts, [xs, ys], box);
  }
  /** Lines over trace time: xs in seconds from the trace start, series [{label, values, color, scale}]. */
  function lines(box, xs, series, yLabel, yFmt) {
    const opts = {
      width: CHART_WIDTH, height: 220, legend: { live: false },
      scales: { x: { time: false } },
      axes: [{ label: 'seconds into the trace' }, { label: yLabel, size: 70, values: yFmt ? (u, v) => v.map(yFmt) : undefined }],
      series: [{ label: 'time' }].concat(series.map(s => ({ label: s.label, stroke: s.color, width: 1.5, points: { show: false }, spanGaps: true,
        value: yFmt ? (u, v) => v === null ? '–' : yFmt(v) : undefined }))),
    };
    box.setAttribute('data-points', xs.length);
    new uPlot(opts, [xs].concat(series.map(s => s.values)), box);
  }

  // ---- flame graph (root at the bottom, as async-profiler draws them) ----
  function flameGraph(box, stacks, what) {
    // stacks: [[nanos, frameIdx (root first) ...], ...]
    const root = { name: 'all ' + what, value: 0, kids: new Map() };
    for (const s of stacks) {
      let n = root; n.value += s[0];
      for (let i = 1; i < s.length; i++) {
        const f = s[i];
        let k = n.kids.get(f);
        if (!k) { k = { name: frame(f), value: 0, kids: new Map() }; n.kids.set(f, k); }
        k.value += s[0]; n = k;
      }
    }
    const depthOf = n => 1 + Math.max(0, ...Array.from(n.kids.values(), depthOf));
    const ROW = 17;
    const fg = el('div', { class: 'flame', 'data-flame': what });
    box.appendChild(fg);
    function draw(top) {
      fg.textContent = '';
      const W = fg.clientWidth || 900, depth = depthOf(top);
      fg.style.height = (depth * ROW + 2) + 'px';
      let drawn = 0;
      (function place(n, x, level) {
        const w = W * n.value / top.value;
        if (w < 0.7) return;
        const d = el('div', { style: `left:${x}px;width:${w}px;bottom:${level * ROW}px;background:${level === 0 ? '#c9ccd1' : 'hsl(' + (20 + (hash(n.name) % 40)) + ',80%,' + (58 + hash(n.name) % 12) + '%)'}`,
          title: n.name + '\n' + fmtNs(n.value) + ' (' + pct(n.value, root.value) + ' of all)' });
        d.textContent = n.name;
        d.addEventListener('click', () => draw(n === top ? root : n));
        fg.appendChild(d); drawn++;
        let cx = x;
        for (const k of Array.from(n.kids.values()).sort((a, b) => a.name < b.name ? -1 : 1)) {
          place(k, cx, level + 1); cx += W * k.value / top.value;
        }
      })(top, 0, 0);
      fg.setAttribute('data-nodes', drawn);
    }
    draw(root);
    box.appendChild(el('p', { class: 'note' }, 'Each box is a frame; its width is the time spent below it. Click a box to zoom into it, click the bottom box to zoom out. Hover for the time.'));
  }
  function hash(s) { let h = 0; for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0; return Math.abs(h); }

  // ---- timeline (own canvas code: uPlot has no lanes) ----
  function timeline(box, T) {
    const LABEL = 200, LANE = 18, HEAD = 22;
    const lanes = T.lanes;
    const wrap = el('div', { class: 'timeline-wrap' });
    const canvas = el('canvas');
    const tip = el('div', { class: 'tip' });
    const controls = el('div', { class: 'controls' });
    box.appendChild(controls); box.appendChild(wrap); wrap.appendChild(canvas); document.body.appendChild(tip);
    const W = Math.max(800, Math.min(1340, box.clientWidth || 1200));
    const H = HEAD + lanes.length * LANE + 4;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = W * dpr; canvas.height = H * dpr; canvas.style.width = W + 'px'; canvas.style.height = H + 'px';
    const ctx = canvas.getContext('2d'); ctx.scale(dpr, dpr);
    let v0 = T.viewStart, v1 = T.viewEnd;
    const x = t => LABEL + (t - v0) / (v1 - v0) * (W - LABEL);
    function segColor(lane, s) {
      if (lane.kind === 'carrier') return GROUP_PALETTE[s[3] % GROUP_PALETTE.length];
      const kind = T.states[s[2]];
      return colorOf(kind, D.report.strings[s[3]]);
    }
    function draw() {
      ctx.clearRect(0, 0, W, H);
      ctx.font = '11px system-ui, sans-serif';
      // time axis
      ctx.fillStyle = '#5d6672';
      const span = v1 - v0, step = niceStep(span / 8);
      for (let t = Math.ceil(v0 / step) * step; t <= v1; t += step) {
        const px = x(t); ctx.fillRect(px, HEAD - 5, 1, 5); ctx.fillText(fmtNs(t), px + 2, 12);
      }
      lanes.forEach((lane, li) => {
        const y = HEAD + li * LANE;
        ctx.fillStyle = li % 2 ? '#fafbfc' : '#f3f5f8'; ctx.fillRect(LABEL, y, W - LABEL, LANE - 1);
        ctx.fillStyle = '#1d232b'; ctx.fillText(clip(lane.name, 30), 4, y + 13);
        const s = lane.segs;
        for (let i = 0; i < s.length; i += 4) {
          if (s[i + 1] < v0 || s[i] > v1) continue;
          const a = Math.max(LABEL, x(s[i])), b = Math.min(W, x(s[i + 1]));
          ctx.fillStyle = segColor(lane, s.slice(i, i + 4));
          ctx.fillRect(a, y + 2, Math.max(1, b - a), LANE - 5);
        }
      });
    }
    function hit(ev) {
      const r = canvas.getBoundingClientRect(), px = ev.clientX - r.left, py = ev.clientY - r.top;
      const li = Math.floor((py - HEAD) / LANE);
      if (li < 0 || li >= lanes.length || px < LABEL) return null;
      const t = v0 + (px - LABEL) / (W - LABEL) * (v1 - v0), tol = (v1 - v0) / (W - LABEL) * 2;
      const lane = lanes[li], s = lane.segs;
      for (let i = 0; i < s.length; i += 4) if (s[i] - tol <= t && t <= s[i + 1] + tol) return { lane, seg: s.slice(i, i + 4) };
      return { lane, seg: null };
    }
    function describe(h) {
      const [a, b, p, q] = h.seg;
      const when = fmtNs(a) + ' – ' + fmtNs(b) + '  (' + fmtNs(b - a) + ')';
      const S = D.report.strings;
      if (h.lane.kind === 'carrier') return h.lane.name + ' ran ' + S[p] + '\ngroup: ' + S[T.groups[q]] + '\n' + when;
      return h.lane.name + '\n' + splitLabel(T.states[p], S[q]) + '\n' + when;
    }
    let drag = null;
    canvas.addEventListener('mousedown', e => { drag = { x: e.clientX, v0, v1 }; canvas.style.cursor = 'grabbing'; });
    window.addEventListener('mouseup', () => { drag = null; canvas.style.cursor = 'grab'; });
    canvas.addEventListener('mousemove', e => {
      if (drag) {
        const dt = (e.clientX - drag.x) / (W - LABEL) * (drag.v1 - drag.v0);
        v0 = drag.v0 - dt; v1 = drag.v1 - dt; draw(); tip.style.display = 'none'; return;
      }
      const h = hit(e);
      if (h && h.seg) { tip.textContent = describe(h); tip.style.display = 'block'; tip.style.left = (e.clientX + 12) + 'px'; tip.style.top = (e.clientY + 12) + 'px'; }
      else tip.style.display = 'none';
    });
    canvas.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
    canvas.addEventListener('wheel', e => {
      e.preventDefault();
      const r = canvas.getBoundingClientRect(), px = Math.max(LABEL, e.clientX - r.left);
      const t = v0 + (px - LABEL) / (W - LABEL) * (v1 - v0), f = e.deltaY < 0 ? 0.8 : 1.25;
      v0 = t - (t - v0) * f; v1 = t + (v1 - t) * f;
      if (v1 - v0 < 1000) { v1 = v0 + 1000; }
      draw();
    }, { passive: false });
    const reset = () => { v0 = T.viewStart; v1 = T.viewEnd; draw(); };
    controls.appendChild(el('button', { onclick: reset }, 'whole view'));
    T.windows.forEach((w, i) => controls.appendChild(el('button', { onclick: () => { v0 = w.start; v1 = w.end; draw(); }, title: w.why },
      'window ' + (i + 1) + ': ' + w.why)));
    controls.appendChild(el('span', { class: 'legend' }, 'wheel: zoom, drag: pan, hover: details'));
    canvas.setAttribute('data-lanes', lanes.length);
    canvas.setAttribute('data-segments', lanes.reduce((a, l) => a + l.segs.length / 4, 0));
    draw();
  }
  function niceStep(raw) {
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
    for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
    return 10 * p;
  }
  function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + '…' : s; }

  // ---- sections ----
  const A = D.analysis, R = D.report, O = R.meta.originNanos;
  const at = t => fmtNs(t - O);
  const thread = id => 'thread ' + id;
  /** An analysis Split as [[kind, label, nanos], ...]: running, waiting for a carrier, pinned, blocked by reason. */
  function splitOf(sp) {
    return [['running', '', sp.runningNanos], ['runnable', '', sp.runnableNanos], ['pinned', '', sp.pinnedNanos]]
      .concat(sp.blocked.map(b => ['blocked', b.reason, b.totalNanos]));
  }
  function header() {
    const m = R.meta, t = A.trace;
    document.title = 'Loom Tracer report: ' + m.file;
    const h = document.getElementById('top');
    h.appendChild(el('h1', null, 'Loom Tracer report: ', el('span', { class: 'mono', id: 'trace-file' }, m.file)));
    h.appendChild(el('div', { class: 'meta' },
      fmtNs(t.durationNanos) + ' of trace, ' + fmtInt(t.bytes) + ' bytes, ' + fmtInt(t.events) + ' events in ' + fmtInt(t.generations) +
      ' generations; ' + fmtInt(A.threads.count) + ' threads (' + fmtInt(A.threads.virtualCount) + ' virtual), ' + fmtInt(A.carriers.count) +
      ' carriers; stacks ' + (m.stacks ? 'recorded' : 'not recorded') + '. Written ' + m.generated + ' by loomtrace report.'));
    if (m.partial) {
      document.body.insertBefore(el('div', { class: 'banner partial', id: 'partial-banner' },
        'Partial trace: this report covers only the complete generations of a truncated trace. What was cut: ' + m.partial),
        document.getElementById('toc'));
    }
  }

  function headline() {
    const s = section('headline', 'Headline', null);
    if (!R.meta.scheduling) {
      gap(s, 'This trace has no scheduling events (it was taken without the Loom Tracer agent): only tasks, regions and logs. ' +
        'Trace with ./loomtrace run, or -javaagent: the carrier-hooks agent jar, to see running, waiting and blocked time.');
    }
    s.appendChild(el('ul', { class: 'headline', id: 'headline-list' }, R.headline.map(t => el('li', null, t))));
  }

  function tasks() {
    const s = section('tasks', 'Requests (tasks)', 'Every task type: how long its tasks took (from Task.begin to its end), and for the slowest tasks where that time went, summed over every thread that worked for them.');
    if (!A.tasks.length) { gap(s, 'No task began and ended in this trace. Wrap each request in dev.loomtracer.Task.begin("type") ... close() to see requests here.'); return; }
    s.appendChild(table(['task type', 'count ', 'p50 ', 'p90 ', 'p99 ', 'max ', 'where the time went'], A.tasks.map(t => el('tr', { 'data-task-type': t.type },
      el('td', null, t.type), intCell(t.count, 'count'), nsCell(t.p50Nanos, 'p50Nanos'), nsCell(t.p90Nanos, 'p90Nanos'),
      nsCell(t.p99Nanos, 'p99Nanos'), nsCell(t.maxNanos, 'maxNanos'), el('td', { style: 'width:30%' }, stackedBar(splitOf(t.split), sumSplit(t.split))))),
      { id: 'task-types' }));
    const g = el('div', { class: 'grid' }); s.appendChild(g);
    A.tasks.forEach(t => histogram(chartBox(g, 'latency of ' + t.type + ' (' + fmtInt(t.count) + ' tasks)'), t.histogram, 'task latency'));
    if (!A.slowestTasks.length) return;
    s.appendChild(el('h3', null, 'Slowest tasks (click one for its longest steps)'));
    s.appendChild(legend([['running', COLORS.running], ['waiting for a carrier', COLORS.runnable], ['blocked (by reason)', COLORS.blocked], ['pinned', COLORS.pinned]]));
    const detail = el('div', { class: 'steps', id: 'task-steps', style: 'display:none' });
    const rows = A.slowestTasks.map(t => {
      const split = splitOf(t.split), total = Math.max(t.wallNanos, sumSplit(t.split));
      const tr = el('tr', { class: 'click', 'data-task-id': t.id },
        el('td', { class: 'n' }, String(t.id)), el('td', null, t.type), nsCell(t.wallNanos, 'wallNanos'),
        el('td', { style: 'width:40%' }, stackedBar(split, total)),
        el('td', null, split.filter(x => x[2] > 0).sort((a, b) => b[2] - a[2]).slice(0, 2).map(x => splitLabel(x[0], x[1]) + ' ' + fmtNs(x[2])).join(', ')));
      tr.addEventListener('click', () => { showSteps(t, detail); tbl.querySelectorAll('tr.sel').forEach(r => r.classList.remove('sel')); tr.classList.add('sel'); });
      return tr;
    });
    const tbl = table(['task ', 'type', 'took ', 'time split (over the task\'s threads)', 'most of it'], rows, { id: 'slowest-tasks' });
    s.appendChild(tbl); s.appendChild(detail);
  }
  function sumSplit(sp) { return sp.runningNanos + sp.runnableNanos + sp.pinnedNanos + sp.blocked.reduce((a, b) => a + b.totalNanos, 0); }
  function showSteps(t, detail) {
    detail.textContent = '';
    detail.style.display = 'block';
    detail.appendChild(el('h3', null, 'Task ' + t.id + ' (' + t.type + '), ' + fmtNs(t.wallNanos) + ', began at ' + at(t.start) + ': its longest steps'));
    if (!t.longestSteps.length) { gap(detail, 'It never waited: all its time was running.'); return; }
    detail.appendChild(table(['at ', 'took ', 'thread', 'state', 'region', 'where'], t.longestSteps.map(st => [
      el('td', { class: 'n' }, at(st.start)), nsCell(st.durationNanos, 'durationNanos'), thread(st.thread),
      splitLabel(st.state.toLowerCase(), st.reason), st.region || '', el('td', { class: 'mono' }, st.where || '(no stack in the trace)')])));
  }

  function sched() {
    const s = section('sched', 'Scheduler latency', 'How long virtual threads waited for a carrier after becoming runnable (created, unparked or yielded) until they ran.');
    const L = A.schedLatency;
    if (!L.count) { gap(s, 'No runnable-to-running waits in this trace.'); return; }
    s.appendChild(table(['waits ', 'total ', 'p50 ', 'p90 ', 'p99 ', 'p99.9 ', 'max '], [el('tr', { id: 'sched-stats' },
      intCell(L.count, 'count'), nsCell(L.totalNanos, 'totalNanos'), nsCell(L.p50Nanos, 'p50Nanos'), nsCell(L.p90Nanos, 'p90Nanos'),
      nsCell(L.p99Nanos, 'p99Nanos'), nsCell(L.p999Nanos, 'p999Nanos'), nsCell(L.maxNanos, 'maxNanos'))]));
    const g = el('div', { class: 'grid' }); s.appendChild(g);
    histogram(chartBox(g, 'distribution'), L.histogram, 'wait for a carrier');
    const B = A.carriers.timeline;
    if (B.length && B[0].maxWaitNanos !== undefined) {
      lines(chartBox(g, 'over time (per ' + fmtNs(A.carriers.bucketNanos) + ')'), B.map(b => (b.start - O) / 1e9),
        [{ label: 'longest wait', values: B.map(b => b.waits ? b.maxWaitNanos : null), color: '#d9534f' },
         { label: 'mean wait', values: B.map(b => b.waits ? b.waitNanos / b.waits : null), color: '#2f6fb3' }], 'wait', fmtNs);
    }
    if (A.worstWaits.length) {
      s.appendChild(el('h3', null, 'Longest waits, and what the carriers ran meanwhile'));
      s.appendChild(table(['waited ', 'from ', 'thread', 'task', 'the carriers, when it got one'], A.worstWaits.map(w => [nsCell(w.waitNanos, 'waitNanos'),
        el('td', { class: 'n' }, at(w.start)), thread(w.thread), w.taskType || '',
        el('td', null, w.carriers.map(c => 'carrier ' + c.carrier + ': virtual thread ' + c.thread + (c.state === 'PINNED' ? ' (pinned)' : '') +
          (c.taskType ? ', task ' + c.taskType : '') + ' for ' + fmtNs(w.start + w.waitNanos - c.since)).join('; ') || '(no other thread on a carrier)')]), { id: 'worst-waits' }));
    }
  }

  function blocking() {
    const s = section('blocking', 'Blocking', 'Time virtual threads spent blocked without holding a carrier, by reason: parked on a lock or condition, sleeping, waiting for the network or for another thread.');
    const rows = A.blocking;
    if (!rows.length) { gap(s, 'No blocked time in this trace.'); }
    else {
      // One row per untimed reason, as analyze's text sums them (timed waits under their kind: sleep 5 ms under sleep);
      // under it the forms as traced when there are a few, else their range. A.blocking keeps one row per form.
      const kinds = R.blocking;
      const total = kinds.reduce((a, k) => a + k.kind.totalNanos, 0);
      const trs = [];
      for (const k of kinds) {
        const r = k.kind;
        trs.push(el('tr', { 'data-reason': r.reason },
          el('td', null, r.reason), intCell(r.count, 'count'), nsCell(r.totalNanos, 'totalNanos'), nsCell(r.maxNanos, 'maxNanos'),
          el('td', { class: 'n' }, pct(r.totalNanos, total)),
          el('td', { style: 'width:25%' }, stackedBar([['blocked', r.reason, r.totalNanos]], total))));
        for (const f of k.forms) {
          trs.push(el('tr', { class: 'form', 'data-form': f.reason },
            el('td', null, f.reason), intCell(f.count, 'count'), nsCell(f.totalNanos, 'totalNanos'), nsCell(f.maxNanos, 'maxNanos'),
            el('td', { class: 'n' }, pct(f.totalNanos, total)), el('td')));
        }
        if (k.more) trs.push(el('tr', { class: 'form' }, el('td', { colspan: 6 }, k.more + ' (analyze --json: blocking has each)')));
      }
      s.appendChild(table(['reason', 'blocks ', 'total ', 'longest ', 'share', ''], trs, { id: 'block-reasons' }));
      if (R.blockingNote) s.appendChild(el('p', { class: 'note', id: 'blocking-note' }, 'Note: ' + R.blockingNote + '.'));
      if (A.blockingByUnblocker.length) {
        s.appendChild(el('h3', null, 'Who ended the blocks'));
        s.appendChild(table(['unblocked by', 'blocks ', 'total '], A.blockingByUnblocker.map(r => [r.name, intCell(r.count, 'count'), nsCell(r.totalNanos, 'totalNanos')])));
      }
    }
    for (const [key, title] of [['blocked', 'blocked time by stack'], ['sched', 'scheduler wait by stack (where the threads resumed)'], ['pinned', 'pinned time by stack']]) {
      const box = el('div', { class: 'flamebox', 'data-flame-box': key }); s.appendChild(box); box.appendChild(el('h3', null, 'Flame graph: ' + title));
      if (!R.meta.stacks) {
        gap(box, 'This trace has no stacks. Record them with --stacks on-block (./loomtrace run --stacks on-block ...), the agent option stacks=on-block, ' +
          '/debug/trace?stacks=on-block, or TraceOptions.defaults().stacks(TraceOptions.Stacks.ON_BLOCK).');
      } else if (!R.flame[key].length) {
        gap(box, 'No ' + title.split(' by ')[0] + ' with a stack in this trace.');
      } else {
        flameGraph(box, R.flame[key], key);
      }
    }
  }

  /** A stack (innermost first): its first frames, the rest behind a click. */
  function stackBox(stack) {
    if (!stack || !stack.length) return el('span', { class: 'legend' }, '(no stack in the trace)');
    const head = el('pre', { class: 'stack' }, stack.slice(0, 4).join('\n'));
    if (stack.length <= 4) return head;
    return el('div', null, head, el('details', null, el('summary', { class: 'legend' }, (stack.length - 4) + ' more frames'),
      el('pre', { class: 'stack' }, stack.slice(4).join('\n'))));
  }

  function pinning() {
    const s = section('pinning', 'Pinning', 'Episodes where a virtual thread blocked while pinned to its carrier (in synchronized, native frames, a class initializer): the carrier could run nothing else meanwhile.');
    const P = A.pinned;
    s.appendChild(table(['episodes ', 'total ', 'longest '], [el('tr', { id: 'pinned-stats' }, intCell(P.count, 'count'),
      nsCell(P.totalNanos, 'totalNanos'), nsCell(P.maxNanos, 'maxNanos'))]));
    if (!P.count) { gap(s, 'No pinned episode in this trace.'); return; }
    const eps = P.longest || [];
    s.appendChild(el('h3', null, 'Longest episodes' + (eps.length < P.count ? ' (the ' + eps.length + ' longest of ' + fmtInt(P.count) + ')' : '')));
    s.appendChild(table(['took ', 'at ', 'thread', 'carrier', 'reason', 'where'], eps.map(e => [nsCell(e.durationNanos, 'durationNanos'),
      el('td', { class: 'n' }, at(e.start)), thread(e.thread), 'carrier ' + e.carrier, e.reason || '(not told)',
      el('td', null, stackBox(e.stack))]), { id: 'pinned-episodes' }));
  }

  function carriers() {
    const s = section('carriers', 'Carriers', 'How busy the carrier threads were, and how many virtual threads were waiting for one (run queue).');
    const C = A.carriers;
    if (!C.timeline.length) { gap(s, 'No carrier activity in this trace.'); return; }
    const xs = C.timeline.map(b => (b.start - O) / 1e9);
    const g = el('div', { class: 'grid' }); s.appendChild(g);
    lines(chartBox(g, 'utilization of ' + C.count + ' carriers (per ' + fmtNs(C.bucketNanos) + ')'), xs,
      [{ label: 'busy', values: C.timeline.map(b => b.busy), color: '#3a9d5d' }], 'busy', v => v === null ? '–' : (100 * v).toFixed(0) + ' %');
    lines(chartBox(g, 'run queue: runnable virtual threads (peak ' + C.peakRunnable + ')'), xs,
      [{ label: 'peak', values: C.timeline.map(b => b.peakRunnable), color: '#e8a23a' },
       { label: 'mean', values: C.timeline.map(b => b.meanRunnable), color: '#2f6fb3' }], 'threads', v => v === null ? '–' : v.toFixed(1));
    s.appendChild(table(['carrier', 'busy ', 'runs '], C.byCarrier.map(r => [r.name, nsCell(r.totalNanos, 'totalNanos'), intCell(r.count, 'count')]), { id: 'carrier-table' }));
  }

  function groups() {
    const s = section('groups', 'Thread groups', 'Threads grouped by where they were started, with where their time went.');
    if (!A.groups.length) { gap(s, 'No threads in this trace.'); return; }
    s.appendChild(table(['group', 'threads ', 'running ', 'waiting for a carrier ', 'p99 wait ', 'blocked '], A.groups.map(g => el('tr', null,
      el('td', { class: 'mono' }, g.group), intCell(g.count, 'count'), nsCell(g.execNanos, 'execNanos'), nsCell(g.schedWaitNanos, 'schedWaitNanos'),
      nsCell(g.p99SchedWaitNanos, 'p99SchedWaitNanos'), nsCell(g.blocked.reduce((a, b) => a + b.totalNanos, 0), 'blockedNanos'))), { id: 'thread-groups' }));
  }

  function timelineSection() {
    const s = section('timeline', 'Timeline', 'One lane per carrier (which virtual thread ran, colored by thread group), then one lane per thread of the slowest tasks (running, waiting for a carrier, blocked by reason, pinned).');
    const T = R.timeline;
    if (!T.lanes.length) { gap(s, 'Nothing ran on a carrier in this trace.'); return; }
    if (T.note) s.appendChild(el('p', { class: 'gap', id: 'timeline-note' }, T.note));
    s.appendChild(legend([['carrier lanes, by thread group:', 'transparent']].concat(T.groups.slice(0, GROUP_PALETTE.length).map((g, i) =>
      [R.strings[g], GROUP_PALETTE[i]]))));
    s.appendChild(legend([['thread lanes:', 'transparent'], ['running', COLORS.running], ['waiting for a carrier', COLORS.runnable],
      ['blocked (shade by reason)', COLORS.blocked], ['pinned', COLORS.pinned]]));
    timeline(s, T);
  }

  header();
  headline();
  tasks();
  sched();
  blocking();
  pinning();
  carriers();
  groups();
  timelineSection();
  document.body.setAttribute('data-rendered', 'true');
})();
