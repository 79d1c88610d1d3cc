// vpd_mm results browser: reads window.VPD_BROWSER_DATA (browser_data.js, written by
// vpd_mm/downstream/browser.py) and renders the query list, the DTW neighbours of the selected
// query per feature set and the 1-NN confusion matrices. No network access, works from file://.
(function () {
  'use strict';
  const D = window.VPD_BROWSER_DATA;
  if (!D) {
    document.getElementById('summary').textContent = 'browser_data.js is missing or empty.';
    throw new Error('VPD_BROWSER_DATA is not defined: browser_data.js did not load');
  }
  const actions = D.actions;
  const classes = D.classes;
  const sets = Object.keys(D.feature_sets);
  const previews = D.previews || [];
  const size = D.preview_size || 64;
  const fps = D.fps || 25;
  // COCO-17 limbs; left side (odd joints) blue, right side orange, head grey.
  const LIMBS = [[15, 13], [13, 11], [16, 14], [14, 12], [11, 12], [5, 11], [6, 12], [5, 6], [5, 7],
    [6, 8], [7, 9], [8, 10], [1, 2], [0, 1], [0, 2], [1, 3], [2, 4], [3, 5], [4, 6]];
  const MISSING = 255;
  const state = { query: -1, classFilter: -1, splitFilter: '', playing: true, showVideo: true,
    showSkeleton: true };
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, text) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  };

  // ------------------------------------------------------------------ previews
  const decoded = new Map();
  function preview(i) {
    if (decoded.has(i)) return decoded.get(i);
    const p = previews[i];
    let out = null;
    if (p) {
      const raw = atob(p.skeleton);
      const skel = new Uint8Array(raw.length);
      for (let j = 0; j < raw.length; j++) skel[j] = raw.charCodeAt(j);
      let img = null;
      if (p.sprite) { img = new Image(); img.src = p.sprite; }
      const a = actions[i];
      out = { n: p.n, skel: skel, img: img, seconds: Math.max(0.6, (a.end - a.start) / fps) };
    }
    decoded.set(i, out);
    return out;
  }

  const animated = [];
  function makeCanvas(i, side) {
    const c = el('canvas', { width: side, height: side, 'data-action-index': i });
    animated.push({ canvas: c, index: i });
    drawCanvas(c, i, 0);
    return c;
  }

  function drawCanvas(canvas, i, t) {
    const ctx = canvas.getContext('2d');
    const w = canvas.width;
    ctx.fillStyle = '#111';
    ctx.fillRect(0, 0, w, w);
    const p = preview(i);
    if (!p) {
      ctx.fillStyle = '#888';
      ctx.font = '10px sans-serif';
      ctx.fillText('no preview', 6, w / 2);
      return;
    }
    const f = Math.floor((t / p.seconds) * p.n) % p.n;
    if (state.showVideo && p.img && p.img.complete && p.img.naturalWidth) {
      ctx.drawImage(p.img, f * size, 0, size, size, 0, 0, w, w);
    }
    if (!state.showSkeleton) return;
    const base = f * 34;
    const xy = (j) => [p.skel[base + 2 * j], p.skel[base + 2 * j + 1]];
    const s = w / 250;
    ctx.lineWidth = Math.max(1.5, w / 50);
    for (const [a, b] of LIMBS) {
      const [ax, ay] = xy(a);
      const [bx, by] = xy(b);
      if (ax === MISSING || bx === MISSING) continue;
      ctx.strokeStyle = (a % 2 === 1 && b % 2 === 1) ? '#4aa3ff' : (a % 2 === 0 && b % 2 === 0 && a > 4 ?
        '#ff9d3b' : '#e6e6e6');
      ctx.beginPath();
      ctx.moveTo(ax * s, ay * s);
      ctx.lineTo(bx * s, by * s);
      ctx.stroke();
    }
  }

  let t0 = performance.now();
  let pausedAt = 0;
  function tick() {
    const t = state.playing ? (performance.now() - t0) / 1000 : pausedAt;
    for (let j = animated.length - 1; j >= 0; j--) {
      const a = animated[j];
      if (!a.canvas.isConnected) { animated.splice(j, 1); continue; }
      drawCanvas(a.canvas, a.index, t);
    }
  }
  setInterval(tick, 80);

  // ------------------------------------------------------------------ text helpers
  function describe(i) {
    const a = actions[i];
    return `#${a.id} · ${a.video} [${a.start}, ${a.end}) · ${a.split}`;
  }
  function fmtCost(c) { return c === null ? 'no path' : c.toFixed(4); }
  function pct(v) { return v === undefined ? '-' : v.toFixed(1) + '%'; }

  function card(i, extraClass, rank, cost) {
    const a = actions[i];
    const li = el('li', { class: 'card ' + extraClass, 'data-action-index': i });
    if (rank !== undefined) {
      li.setAttribute('data-rank', rank);
      li.setAttribute('data-cost', cost === null ? 'inf' : String(cost));
      li.appendChild(el('span', { class: 'rank' }, String(rank)));
    }
    li.appendChild(makeCanvas(i, extraClass === 'query' ? 128 : 96));
    const meta = el('div', { class: 'meta' });
    // Break long class names at underscores rather than inside words.
    meta.appendChild(el('div', { class: 'cls' }, classes[a.label].replace(/_/g, '_\u200b')));
    if (extraClass === 'query') {
      meta.appendChild(el('div', {}, describe(i)));
    } else {
      meta.appendChild(el('div', { title: describe(i) }, `#${a.id} · ${a.video} [${a.start}, ${a.end})`));
    }
    if (cost !== undefined) meta.appendChild(el('div', { class: 'cost' }, 'DTW ' + fmtCost(cost)));
    li.appendChild(meta);
    if (rank !== undefined) li.addEventListener('click', () => select(i));
    return li;
  }

  // ------------------------------------------------------------------ query list
  function visible() {
    const out = [];
    for (let i = 0; i < actions.length; i++) {
      if (state.classFilter >= 0 && actions[i].label !== state.classFilter) continue;
      if (state.splitFilter && actions[i].split !== state.splitFilter) continue;
      out.push(i);
    }
    return out;
  }

  function renderList() {
    const list = $('query-list');
    list.textContent = '';
    const shown = visible();
    for (const i of shown) {
      const li = el('li', { 'data-action-index': i, title: describe(i) },
        `${classes[actions[i].label]} · #${actions[i].id}`);
      if (i === state.query) li.classList.add('selected');
      li.addEventListener('click', () => select(i));
      list.appendChild(li);
    }
    $('query-count').textContent = `${shown.length} of ${actions.length} actions`;
    if (shown.length && shown.indexOf(state.query) < 0) select(shown[0]);
  }

  // ------------------------------------------------------------------ neighbours
  function renderQuery() {
    const i = state.query;
    const q = $('query-card');
    q.textContent = '';
    q.appendChild(el('h2', {}, 'Query'));
    const holder = el('ul', { class: 'plain' });
    holder.style.listStyle = 'none';
    holder.style.padding = '0';
    holder.style.margin = '0';
    holder.appendChild(card(i, 'query'));
    q.appendChild(holder);

    const box = $('neighbours');
    box.textContent = '';
    for (const name of sets) {
      const fs = D.feature_sets[name];
      const col = el('div', { class: 'column', 'data-features': name });
      col.appendChild(el('h2', {}, name));
      const nb = fs.neighbours[i];
      const same = nb.filter((j) => actions[j].label === actions[i].label).length;
      const scoreKeys = Object.keys(fs).filter((k) => k.startsWith('P@'));
      col.appendChild(el('p', { class: 'scores' },
        `this query: ${same} of its ${nb.length} nearest share its class · all queries: leave-one-out 1-NN ` +
        `${pct(fs.loo_1nn)}, ` + scoreKeys.map((k) => `${k} ${pct(fs[k])}`).join(', ')));
      const ol = el('ol', { class: 'neighbour-list' });
      nb.forEach((j, r) => {
        const li = card(j, actions[j].label === actions[i].label ? 'same' : 'other', r + 1, fs.costs[i][r]);
        li.classList.add('neighbour');
        ol.appendChild(li);
      });
      col.appendChild(ol);
      box.appendChild(col);
    }
  }

  function select(i) {
    if (i === state.query) return;
    state.query = i;
    for (const li of $('query-list').children) {
      li.classList.toggle('selected', Number(li.getAttribute('data-action-index')) === i);
    }
    const sel = $('query-list').querySelector('li.selected');
    if (sel && sel.scrollIntoView) sel.scrollIntoView({ block: 'nearest' });
    renderQuery();
    if (location.hash !== '#q=' + i) history.replaceState(null, '', '#q=' + i);
  }

  // ------------------------------------------------------------------ confusion matrices
  function renderConfusion() {
    const box = $('confusion');
    for (const name of sets) {
      const m = D.feature_sets[name].confusion;
      const table = el('table', { class: 'confusion', 'data-features': name });
      table.appendChild(el('caption', {}, `${name}: 1-NN ${pct(D.feature_sets[name].loo_1nn)}`));
      const head = el('tr');
      head.appendChild(el('th', {}, 'true \\ nearest'));
      classes.forEach((c) => head.appendChild(el('th', { class: 'col', title: c }, c)));
      table.appendChild(head);
      m.forEach((row, r) => {
        const tr = el('tr');
        const th = el('th', { class: 'row', title: 'list the ' + classes[r] + ' actions' }, classes[r]);
        th.addEventListener('click', () => { $('class-filter').value = String(r); setClass(r); });
        tr.appendChild(th);
        const total = row.reduce((a, b) => a + b, 0) || 1;
        row.forEach((v, c) => {
          const td = el('td', { title: `${classes[r]} -> ${classes[c]}: ${v}` }, v ? String(v) : '');
          const f = v / total;
          td.style.background = r === c ? `rgba(23,128,61,${0.12 + 0.75 * f})` :
            (v ? `rgba(179,38,30,${0.12 + 0.75 * f})` : '');
          if (f > 0.55) td.style.color = '#fff';
          tr.appendChild(td);
        });
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
  }

  // ------------------------------------------------------------------ controls
  function setClass(c) { state.classFilter = c; renderList(); }

  function init() {
    const splits = [...new Set(actions.map((a) => a.split))];
    $('summary').textContent = `${actions.length} actions, ${classes.length} classes, ` +
      `${splits.join(' + ')} split${splits.length > 1 ? 's' : ''}; feature sets: ${sets.join(', ')}. ` +
      `Neighbours: the ${D.k} lowest DTW costs among all other actions (symmetricP2, length-normalised, ` +
      (D.views === 'min' ? 'lowest over the flip combinations).' : 'original and flipped views side by side).');
    const cf = $('class-filter');
    classes.forEach((c, k) => cf.appendChild(el('option', { value: k }, c)));
    cf.addEventListener('change', () => setClass(Number(cf.value)));
    const sf = $('split-filter');
    splits.forEach((s) => sf.appendChild(el('option', { value: s }, s)));
    sf.addEventListener('change', () => { state.splitFilter = sf.value; renderList(); });
    $('play').addEventListener('click', () => {
      if (state.playing) { pausedAt = (performance.now() - t0) / 1000; } else {
        t0 = performance.now() - pausedAt * 1000;
      }
      state.playing = !state.playing;
      $('play').textContent = state.playing ? 'pause' : 'play';
    });
    $('show-video').addEventListener('change', (e) => { state.showVideo = e.target.checked; tick(); });
    $('show-skeleton').addEventListener('change', (e) => { state.showSkeleton = e.target.checked; tick(); });
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
      const shown = visible();
      const k = shown.indexOf(state.query) + (e.key === 'ArrowDown' ? 1 : -1);
      if (k >= 0 && k < shown.length) { select(shown[k]); e.preventDefault(); }
    });
    renderConfusion();
    const m = /^#q=(\d+)$/.exec(location.hash);
    const first = m && Number(m[1]) < actions.length ? Number(m[1]) : 0;
    select(first);
    renderList();
  }
  init();
})();
