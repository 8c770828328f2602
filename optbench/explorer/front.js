// optbench explore: the front end.
//
// render({model, el}) draws the explorer into `el` and talks to its model through five calls:
// model.get("config"), model.get("runs"), model.set("request", ...), model.save_changes() and
// model.on("change:runs", ...). In a notebook the model is anywidget's and the kernel answers
// (optbench.explore); on a page it is one of the two models below: a static page reads every run
// from the page itself (computed in advance by optbench), a live page asks the optbench server
// that sent it. The same code draws all three.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const STATIC = "static";
const LIVE = "live";

function make(tag, attrs, parent, ns) {
  const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

// -- where a path is drawn: the renderer's rule (optbench.render._animate._cut_at_mark) ----------
function clipSegment(a, b, lo, hi) {
  let s0 = 0, s1 = 1;
  for (let d = 0; d < 2; d++) {
    const dd = b[d] - a[d];
    if (dd === 0) {
      if (a[d] < lo[d] || a[d] > hi[d]) return null;
      continue;
    }
    const u = (lo[d] - a[d]) / dd, v = (hi[d] - a[d]) / dd;
    s0 = Math.max(s0, Math.min(u, v));
    s1 = Math.min(s1, Math.max(u, v));
    if (s0 > s1) return null;
  }
  return s1;
}

function inside(p, lo, hi) {
  return p[0] >= lo[0] && p[0] <= hi[0] && p[1] >= lo[1] && p[1] <= hi[1];
}

// The points as drawn (clipped to the window) and the divergence mark: at the last good iterate,
// or where the path left the window for good before it.
function cutAtMark(P, div, lo, hi) {
  const clip = (p) => [Math.min(Math.max(p[0], lo[0]), hi[0]), Math.min(Math.max(p[1], lo[1]), hi[1])];
  const Q = P.map(clip);
  if (div === null || div === undefined) return { pts: Q, mark: null };
  const upto = Math.min(div, P.length - 1);
  let j = upto, m = P[upto].slice();
  if (!inside(P[upto], lo, hi)) {
    let last = -1;
    for (let t = 0; t <= upto; t++) if (inside(P[t], lo, hi)) last = t;
    if (last < 0) m = clip(P[upto]);
    else {
      j = last + 1;
      const s = clipSegment(P[j - 1], P[j], lo, hi);
      m = [P[j - 1][0] + s * (P[j][0] - P[j - 1][0]), P[j - 1][1] + s * (P[j][1] - P[j - 1][1])];
    }
  }
  for (let t = j; t < Q.length; t++) Q[t] = m;
  return { pts: Q, mark: { step: upto, at: m } };
}

// -- the loss axis: asinh((loss - floor) / scale), log-like over decades, linear through zero ----
function lossTicks(lo, hi, scale) {
  const ticks = [];
  const u = (v) => Math.asinh(v / scale);
  if (lo <= 0 && hi >= 0) ticks.push([0, "0"]);
  for (let k = -30; k <= 30; k++) {
    for (const sign of [1, -1]) {
      const v = sign * 10 ** k, at = u(v);
      if (at >= lo && at <= hi && Math.abs(v) > scale * 10) {
        const text = k === 0 ? "1" : k === 1 ? "10" : "1e" + k;
        ticks.push([at, (sign < 0 ? "−" : "") + text.replace("-", "−")]);
      }
    }
  }
  ticks.sort((a, b) => a[0] - b[0]);
  const keep = Math.ceil(ticks.length / 6);
  return ticks.filter((_, i) => i % keep === 0);
}

function number(v) {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e4 ? String(+v.toPrecision(4)) : v.toExponential(2).replace("e-", "e−");
}

function shellWord(s) {
  return /^[A-Za-z0-9_:,=.+\-\/]+$/.test(s) ? s : "'" + s + "'";
}

function render({ model, el }) {
  const C = model.get("config");
  const W = C.words, col = C.colours, T = C.steps, pic = C.picture, box = pic.box;
  const [[bx0, bx1], [by0, by1]] = C.bounds;
  const lo = [bx0, by0], hi = [bx1, by1];
  // data <-> pixels of the picture, through the axes' box matplotlib drew it with
  const toPx = (p) => [
    box[0] + ((p[0] - bx0) / (bx1 - bx0)) * box[2],
    box[1] + ((by1 - p[1]) / (by1 - by0)) * box[3],
  ];
  const toData = (px, py) => [
    bx0 + ((px - box[0]) / box[2]) * (bx1 - bx0),
    by1 - ((py - box[1]) / box[3]) * (by1 - by0),
  ];
  const state = {
    start: C.home.slice(),
    node: C.home_node,
    picks: C.lanes.map((l) => ({ i: l.lr.index, j: l.second ? l.second.index : null, on: true })),
    step: T,
    timer: null,
  };
  let runs = null;

  // -- the page ----------------------------------------------------------------------------
  const root = make("div", { class: "ob-explorer", lang: C.lang }, el);
  root.style.setProperty("--ob-bg", col.bg);
  root.style.setProperty("--ob-fg", col.fg);
  root.style.setProperty("--ob-text", String(col.text));
  root.dataset.answers = "0";
  const top = make("div", { class: "ob-top" }, root);
  const [pw, ph] = pic.size;
  const plot = make("div", { class: "ob-plot", style: `width:${pw}px;height:${ph}px` }, top);
  make("img", {
    class: "ob-bg", src: "data:image/png;base64," + pic.png, width: pw, height: ph, alt: C.surface,
    draggable: "false",
  }, plot);
  const svg = make("svg", {
    class: "ob-paths", width: pw, height: ph, viewBox: `0 0 ${pw} ${ph}`,
  }, plot, SVG);
  if (!C.live) {
    const g = make("g", { class: "ob-nodes" }, svg, SVG);
    for (const n of C.nodes) {
      const [x, y] = toPx(n);
      make("circle", { cx: x, cy: y, r: 1.6, fill: col.fg, "fill-opacity": 0.35 }, g, SVG);
    }
  }
  const gPaths = make("g", {}, svg, SVG);
  const side = make("div", { class: "ob-side" }, top);
  const LW = 380, LH = 230, LM = { l: 58, r: 10, t: 10, b: 36 };
  const lossSvg = make("svg", {
    class: "ob-loss", width: LW, height: LH, viewBox: `0 0 ${LW} ${LH}`,
  }, side, SVG);
  const rows = make("div", { class: "ob-lanes" }, side);
  const lanes = C.lanes.map((lane, k) => {
    const style = col.paths[k % col.paths.length];
    const row = make("div", { class: "ob-lane", "data-lane": k }, rows);
    const head = make("label", { class: "ob-head" }, row);
    const box_ = make("input", { type: "checkbox", class: "ob-on", "data-lane": k }, head);
    box_.checked = true;
    const sw = make("svg", { width: 28, height: 10, class: "ob-swatch" }, head, SVG);
    make("line", {
      x1: 1, y1: 5, x2: 27, y2: 5, stroke: style.colour, "stroke-width": col.lw * 1.5,
      "stroke-dasharray": dashes(style.dash, col.lw),
    }, sw, SVG);
    const label = make("span", { class: "ob-label" }, head);
    const sliders = [["lr", lane.lr, W.lr]];
    if (lane.second) sliders.push(["second", lane.second, lane.second.key]);
    const inputs = {};
    for (const [what, axis, name] of sliders) {
      const line = make("div", { class: "ob-slider" }, row);
      make("span", { class: "ob-name" }, line).textContent = name;
      const input = make("input", {
        type: "range", min: 0, max: axis.values.length - 1, step: 1, value: axis.index,
        class: "ob-" + what, "data-lane": k,
      }, line);
      const value = make("span", { class: "ob-value" }, line);
      inputs[what] = { input, value, axis };
      input.addEventListener("input", () => {
        state.picks[k][what === "lr" ? "i" : "j"] = +input.value;
        ask();
      });
    }
    const note = make("div", { class: "ob-note" }, row);
    box_.addEventListener("change", () => {
      state.picks[k].on = box_.checked;
      draw();
    });
    return { lane, style, label, inputs, note };
  });

  const bar = make("div", { class: "ob-bar" }, root);
  const play = make("button", { type: "button", class: "ob-play" }, bar);
  play.textContent = "▶ " + W.play;
  const scrub = make("input", { type: "range", min: 0, max: T, step: 1, value: T, class: "ob-step" }, bar);
  const stepText = make("span", { class: "ob-step-text" }, bar);
  const exportButton = make("button", { type: "button", class: "ob-export" }, bar);
  exportButton.textContent = W.export;
  const out = make("div", { class: "ob-out", hidden: "" }, root);
  make("div", { class: "ob-out-title" }, out).textContent = W.command;
  const cmd = make("pre", { class: "ob-command" }, out);
  make("div", { class: "ob-out-title" }, out).textContent = W.toml;
  const toml = make("pre", { class: "ob-toml" }, out);
  const hint = make("div", { class: "ob-hint" }, root);
  hint.textContent = W.hint + " (" + (C.live ? W.live : W.nearest) + ")";

  // -- moving the start ------------------------------------------------------------------
  let dragging = false;
  function moveTo(ev) {
    const r = svg.getBoundingClientRect();
    let [x, y] = toData(ev.clientX - r.left, ev.clientY - r.top);
    x = Math.min(Math.max(x, bx0), bx1);
    y = Math.min(Math.max(y, by0), by1);
    if (C.live) {
      const q = 1000 / Math.max(bx1 - bx0, by1 - by0);
      const p = Math.pow(10, Math.ceil(Math.log10(q)));
      state.start = [Math.round(x * p) / p, Math.round(y * p) / p];
    } else {
      let best = 0, dist = Infinity;
      C.nodes.forEach((n, s) => {
        const d = (n[0] - x) ** 2 + (n[1] - y) ** 2;
        if (d < dist) (dist = d), (best = s);
      });
      if (best === state.node) return;
      state.node = best;
      state.start = C.nodes[best].slice();
    }
    ask();
  }
  svg.addEventListener("pointerdown", (ev) => {
    dragging = true;
    svg.setPointerCapture(ev.pointerId);
    moveTo(ev);
  });
  svg.addEventListener("pointermove", (ev) => dragging && moveTo(ev));
  svg.addEventListener("pointerup", () => (dragging = false));
  svg.addEventListener("pointercancel", () => (dragging = false));

  // -- time ------------------------------------------------------------------------------
  function stop() {
    clearInterval(state.timer);
    state.timer = null;
    play.textContent = "▶ " + W.play;
  }
  play.addEventListener("click", () => {
    if (state.timer) return stop();
    if (state.step >= T) state.step = 0;
    play.textContent = "❚❚ " + W.pause;
    const inc = Math.max(1, Math.round(T / 150));
    state.timer = setInterval(() => {
      state.step = Math.min(T, state.step + inc);
      scrub.value = state.step;
      draw();
      if (state.step >= T) stop();
    }, 40);
  });
  scrub.addEventListener("input", () => {
    state.step = +scrub.value;
    draw();
  });
  exportButton.addEventListener("click", () => {
    out.hidden = !out.hidden;
    showExport();
  });

  // -- asking for runs -------------------------------------------------------------------
  function ask() {
    showValues();
    model.set("request", {
      start: state.start.slice(), node: state.node,
      lanes: state.picks.map((p) => ({ i: p.i, j: p.j })),
    });
    model.save_changes();
  }
  model.on("change:runs", () => {
    runs = model.get("runs");
    root.dataset.answers = String(+root.dataset.answers + 1);
    draw();
  });

  function showValues() {
    lanes.forEach(({ inputs }, k) => {
      for (const [what, { value, axis }] of Object.entries(inputs)) {
        const v = axis.values[what === "lr" ? state.picks[k].i : state.picks[k].j];
        value.textContent = axis.unit ? number(v) + " " + axis.unit.replace("eta", "η") : number(v);
      }
    });
  }

  function specs() {
    if (!runs || !runs.lanes) return [];
    return runs.lanes.filter((r, k) => state.picks[k].on && !r.missing).map((r) => r.spec);
  }

  function showExport() {
    const start = state.start.map((v) => String(v)).join(",");
    const words = ["optbench", "race", C.surface, ...specs(), "--steps", String(T), "--start=" + start];
    if (C.theme !== "light") words.push("--theme", C.theme);
    if (C.lang !== "en") words.push("--lang", C.lang);
    if (C.seed) words.push("--seed", String(C.seed));
    cmd.textContent = words.map(shellWord).join(" ");
    const lines = [
      `surface = ${JSON.stringify(C.surface)}`,
      `steppers = [${specs().map((s) => JSON.stringify(s)).join(", ")}]`,
      `steps = ${T}`,
      `start = ${JSON.stringify(start)}`,
      `theme = ${JSON.stringify(C.theme)}`,
      `lang = ${JSON.stringify(C.lang)}`,
    ];
    if (C.seed) lines.push(`seed = ${C.seed}`);
    toml.textContent = lines.join("\n") + "\n";
  }

  // -- drawing ---------------------------------------------------------------------------
  function dashes(arr, lw) {
    return arr && arr.length ? arr.map((v) => v * lw).join(",") : "none";
  }

  function cross(g, at, size, colour, k, cls) {
    const [x, y] = at;
    make("path", {
      class: cls, "data-lane": k,
      d: `M${x - size},${y - size}L${x + size},${y + size}M${x - size},${y + size}L${x + size},${y - size}`,
      stroke: colour, "stroke-width": Math.max(2, col.lw), fill: "none",
    }, g, SVG);
  }

  function draw() {
    stepText.textContent = `${W.step} ${state.step} / ${T}`;
    while (gPaths.firstChild) gPaths.removeChild(gPaths.firstChild);
    const [sx, sy] = toPx(state.start);
    const ms = 7 * col.text;
    make("rect", {
      class: "ob-start", x: sx - ms / 2, y: sy - ms / 2, width: ms, height: ms, fill: col.start,
      stroke: col.bg, "stroke-width": 0.8,
    }, gPaths, SVG);
    if (out && !out.hidden) showExport();
    if (!runs) return;
    if (runs.error) {
      hint.textContent = runs.error;
      return;
    }
    const curves = [];
    runs.lanes.forEach((r, k) => {
      const { style, label, note } = lanes[k];
      if (r.missing) {
        label.textContent = r.spec;
        note.textContent = W.no_eta;
        return;
      }
      label.textContent = r.label;
      const P = [];
      for (let t = 0; t <= T; t++) P.push([r.path[2 * t], r.path[2 * t + 1]]);
      const { pts, mark } = cutAtMark(P, r.diverged_at, lo, hi);
      const shown = r.diverged_at === null ? T + 1 : Math.min(r.diverged_at + 1, T + 1);
      const upto = Math.min(state.step, shown - 1);
      const gone = mark && state.step >= mark.step;
      const rate = C.lanes[k].lr.unit ? "lr = " + number(r.lr) : "";
      let what = "";
      if (gone) what = "✕ " + W.diverged.replace("{k}", mark.step) + ` (${r.kind})`;
      else if (state.step >= T) what = W.final.replace("{v}", number(r.loss[T]));
      note.textContent = [rate, what].filter(Boolean).join(" · ");
      if (!state.picks[k].on) return;
      const px = pts.slice(0, upto + 1).map(toPx);
      make("polyline", {
        class: "ob-path", "data-lane": k, points: px.map((p) => p.join(",")).join(" "),
        fill: "none", stroke: style.colour, "stroke-width": col.lw,
        "stroke-dasharray": dashes(style.dash, col.lw), "stroke-linejoin": "round",
      }, gPaths, SVG);
      const end = px[px.length - 1];
      if (gone) cross(gPaths, toPx(mark.at), 7, style.colour, k, "ob-cross");
      else make("circle", {
        class: "ob-end", "data-lane": k, cx: end[0], cy: end[1], r: 4 + col.lw / 2,
        fill: style.colour, stroke: col.bg, "stroke-width": 1,
      }, gPaths, SVG);
      curves.push({ k, loss: r.loss.slice(0, shown), upto, gone, style });
    });
    drawLoss(curves);
  }

  function drawLoss(curves) {
    while (lossSvg.firstChild) lossSvg.removeChild(lossSvg.firstChild);
    const { floor, scale } = C.loss;
    const U = (v) => Math.asinh((v - floor) / scale);
    let ulo = Infinity, uhi = -Infinity;
    for (const c of curves) {
      for (const v of c.loss) {
        const u = U(v);
        if (Number.isFinite(u)) (ulo = Math.min(ulo, u)), (uhi = Math.max(uhi, u));
      }
    }
    if (!(uhi > ulo)) (ulo = Number.isFinite(ulo) ? ulo - 1 : 0), (uhi = ulo + 2);
    const pad = 0.04 * (uhi - ulo);
    (ulo -= pad), (uhi += pad);
    const x0 = LM.l, x1 = LW - LM.r, y0 = LH - LM.b, y1 = LM.t;
    const X = (t) => x0 + (t / T) * (x1 - x0), Y = (u) => y0 + ((u - ulo) / (uhi - ulo)) * (y1 - y0);
    const fs = 10 * col.text;
    const axes = make("g", { stroke: col.fg, "stroke-width": 1, fill: "none" }, lossSvg, SVG);
    make("rect", { x: x0, y: y1, width: x1 - x0, height: y0 - y1 }, axes, SVG);
    for (const [u, text] of lossTicks(ulo, uhi, scale)) {
      make("line", { x1: x0 - 4, x2: x0, y1: Y(u), y2: Y(u) }, axes, SVG);
      const t = make("text", {
        x: x0 - 6, y: Y(u) + 3, "text-anchor": "end", fill: col.fg, stroke: "none", "font-size": fs,
      }, lossSvg, SVG);
      t.textContent = text;
    }
    for (let s = 0; s <= 4; s++) {
      const t = Math.round((s * T) / 4);
      make("line", { x1: X(t), x2: X(t), y1: y0, y2: y0 + 4 }, axes, SVG);
      const lab = make("text", {
        x: X(t), y: y0 + 15, "text-anchor": "middle", fill: col.fg, stroke: "none", "font-size": fs,
      }, lossSvg, SVG);
      lab.textContent = String(t);
    }
    const xl = make("text", {
      x: (x0 + x1) / 2, y: LH - 4, "text-anchor": "middle", fill: col.fg, "font-size": fs,
    }, lossSvg, SVG);
    xl.textContent = W.step;
    const yl = make("text", {
      x: 12, y: (y0 + y1) / 2, "text-anchor": "middle", fill: col.fg, "font-size": fs,
      transform: `rotate(-90 12 ${(y0 + y1) / 2})`,
    }, lossSvg, SVG);
    yl.textContent = C.min_value === null ? W.loss : W.loss_gap;
    for (const c of curves) {
      const pts = [];
      for (let t = 0; t <= c.upto; t++) pts.push(X(t) + "," + Y(U(c.loss[t])));
      make("polyline", {
        class: "ob-curve", "data-lane": c.k, points: pts.join(" "), fill: "none",
        stroke: c.style.colour, "stroke-width": Math.max(1.2, col.lw * 0.75),
        "stroke-dasharray": dashes(c.style.dash, col.lw),
      }, lossSvg, SVG);
      if (c.gone) cross(lossSvg, [X(c.upto), Y(U(c.loss[c.upto]))], 5, c.style.colour, c.k, "ob-loss-cross");
    }
    make("line", {
      class: "ob-cursor", x1: X(state.step), x2: X(state.step), y1: y0, y2: y1, stroke: col.fg,
      "stroke-opacity": 0.4, "stroke-dasharray": "3,3",
    }, lossSvg, SVG);
  }

  showValues();
  draw();
  ask();
}

// -- the models of a page ------------------------------------------------------------------
// anywidget's calls over a store; answer(request, reply) computes the runs and replies with them
function pageModel(config, answer) {
  const store = { config, runs: null }, handlers = {};
  const reply = (runs) => {
    store.runs = runs;
    (handlers["change:runs"] || []).forEach((f) => f());
  };
  return {
    get: (name) => store[name],
    on: (name, f) => (handlers[name] = handlers[name] || []).push(f),
    save_changes() {},
    set(name, value) {
      store[name] = value;
      if (name === "request") answer(value, reply);
    },
  };
}

async function inflate(b64) {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// uint16 series stored as step-to-step differences, low bytes then high bytes
function unplanes(bytes, offset, n, T1) {
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes[offset + i] | (bytes[offset + n + i] << 8);
  for (let s = 0; s < n; s += T1) {
    for (let t = 1; t < T1; t++) out[s + t] = (out[s + t] + out[s + t - 1]) & 0xffff;
  }
  return out;
}

async function decodeLane(rec) {
  const [S, K, M, T1] = rec.shape, runs = S * K * M, n = runs * T1;
  const bytes = await inflate(rec.blob);
  const coords = unplanes(bytes, 0, 2 * n, T1);
  const loss = unplanes(bytes, 4 * n, n, T1);
  const view = new DataView(bytes.buffer, bytes.byteOffset + 6 * n);
  const div = new Int16Array(runs), kind = new Uint8Array(runs);
  for (let c = 0; c < runs; c++) {
    div[c] = view.getInt16(2 * c, true);
    kind[c] = bytes[6 * n + 2 * runs + c];
  }
  return { S, K, M, T1, coords, loss, div, kind, missing: new Set(rec.missing) };
}

function specAt(lane, i, j) {
  const parts = Object.entries(lane.fixed).map(([k, v]) => `${k}=${v}`);
  parts.push(`lr=${lane.lr.texts[i]}`);
  if (lane.second) parts.push(`${lane.second.key}=${lane.second.texts[j]}`);
  return lane.name + ":" + parts.join(",");
}

function staticModel(config, data) {
  const [lo, span] = data.box, L = data.loss;
  let lanes = null;
  const ready = Promise.all(data.lanes.map(decodeLane)).then((v) => (lanes = v));
  function lookup(req) {
    return {
      start: req.start,
      lanes: req.lanes.map(({ i, j }, k) => {
        const lane = config.lanes[k], d = lanes[k], jj = lane.second ? j : 0;
        const spec = specAt(lane, i, jj);
        if (d.missing.has(req.node)) return { spec, missing: true };
        const c = (req.node * d.K + i) * d.M + jj, T1 = d.T1;
        const path = new Float64Array(2 * T1), loss = new Float64Array(T1);
        for (let t = 0; t < T1; t++) {
          path[2 * t] = lo[0] + (d.coords[(2 * c) * T1 + t] / 65535) * span[0];
          path[2 * t + 1] = lo[1] + (d.coords[(2 * c + 1) * T1 + t] / 65535) * span[1];
          loss[t] = L.floor + L.scale * Math.sinh(L.lo + (d.loss[c * T1 + t] / 65535) * (L.hi - L.lo));
        }
        const div = d.div[c];
        const unit = lane.lr.unit ? config.units[lane.lr.unit][req.node] : 1;
        const lr = lane.lr.values[i] * unit;
        return {
          spec, label: config.labels[k][i][jj], lr, path, loss, diverged_at: div < 0 ? null : div,
          kind: div < 0 ? null : data.kinds[d.kind[c]],
        };
      }),
    };
  }
  return pageModel(config, (req, reply) => ready.then(() => reply(lookup(req))));
}

function liveModel(config) {
  let busy = false, next = null;
  function ask(req, reply) {
    if (busy) return void (next = req);
    busy = true;
    const headers = { "Content-Type": "application/json" };
    fetch("run", { method: "POST", headers, body: JSON.stringify(req) })
      .then((r) => r.json())
      .then(reply)
      .catch((err) => reply({ error: String(err) }))
      .finally(() => {
        busy = false;
        if (next) {
          const n = next;
          next = null;
          ask(n, reply);
        }
      });
  }
  return pageModel(config, ask);
}
function startPage(kind) {
  const config = JSON.parse(document.getElementById("ob-config").textContent);
  const data = JSON.parse(document.getElementById("ob-data").textContent);
  const model = kind === STATIC ? staticModel(config, data) : liveModel(config);
  render({ model, el: document.getElementById("ob-root") });
}
