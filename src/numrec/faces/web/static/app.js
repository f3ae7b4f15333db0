// numrec drawing page: collects strokes from pointer events and asks the
// server to read them. The page does no preprocessing of its own; it sends
// the strokes exactly as drawn and shows what comes back.
"use strict";

// Canvas sizes in drawing units (CSS scales them to the screen; points are
// always sent in these units, so a phone and a desktop send the same drawing).
const SIZES = { digit: [280, 280], number: [560, 280] };
const LINE_WIDTH = 16;
const LIVE_MS = 150;     // at most one live request per this many ms while drawing
const MIN_STEP = 1.5;    // drop points closer than this to the previous one
const INK = "#1b1f24";
const BOX = "#2f6fde";

const pad = document.getElementById("pad");
const ctx = pad.getContext("2d");
const headline = document.getElementById("headline");
const detail = document.getElementById("detail");
const announce = document.getElementById("announce");
const digitsView = document.getElementById("digits");

const state = {
  mode: "digit",
  strokes: [],        // [[[x, y], ...], ...] in drawing units
  pointerId: null,    // the pointer drawing the current stroke
  boxes: [],          // digit boxes of the last result, drawn over the ink
  sent: 0,            // sequence number of the last request sent
  shown: 0,           // sequence number of the last answer shown
  timer: 0,
};

function size() { return SIZES[state.mode]; }

function setupCanvas() {
  const [w, h] = size();
  const dpr = window.devicePixelRatio || 1;
  pad.width = Math.round(w * dpr);
  pad.height = Math.round(h * dpr);
  pad.style.aspectRatio = `${w} / ${h}`;
  pad.dataset.mode = state.mode;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  redraw();
}

function redraw() {
  const [w, h] = size();
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = INK;
  ctx.fillStyle = INK;
  ctx.lineWidth = LINE_WIDTH;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const s of state.strokes) drawStroke(s);
  drawBoxes();
}

function drawStroke(points) {
  if (points.length === 1) {
    ctx.beginPath();
    ctx.arc(points[0][0], points[0][1], LINE_WIDTH / 2, 0, 2 * Math.PI);
    ctx.fill();
    return;
  }
  ctx.beginPath();
  ctx.moveTo(points[0][0], points[0][1]);
  for (const [x, y] of points.slice(1)) ctx.lineTo(x, y);
  ctx.stroke();
}

function drawBoxes() {
  if (state.mode !== "number" || state.boxes.length < 2) return;
  ctx.save();
  ctx.strokeStyle = BOX;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([5, 4]);
  for (const [x, y, w, h] of state.boxes) ctx.strokeRect(x - 3, y - 3, w + 6, h + 6);
  ctx.restore();
}

// ---- pointer input (mouse, touch and pen alike) ----

function toDrawing(ev) {
  const r = pad.getBoundingClientRect();
  const [w, h] = size();
  const x = ((ev.clientX - r.left) * w) / r.width;
  const y = ((ev.clientY - r.top) * h) / r.height;
  return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
}

function onDown(ev) {
  if (!ev.isPrimary || state.pointerId !== null || ev.button > 0) return;
  ev.preventDefault();
  pad.setPointerCapture(ev.pointerId);
  state.pointerId = ev.pointerId;
  state.boxes = [];
  state.strokes.push([toDrawing(ev)]);
  redraw();
  liveSoon();
}

function onMove(ev) {
  if (ev.pointerId !== state.pointerId) return;
  ev.preventDefault();
  const stroke = state.strokes[state.strokes.length - 1];
  const events = ev.getCoalescedEvents ? ev.getCoalescedEvents() : [ev];
  for (const e of events.length ? events : [ev]) {
    const p = toDrawing(e);
    const last = stroke[stroke.length - 1];
    if (Math.hypot(p[0] - last[0], p[1] - last[1]) < MIN_STEP) continue;
    stroke.push(p);
  }
  redraw();
  liveSoon();
}

function onUp(ev) {
  if (ev.pointerId !== state.pointerId) return;
  state.pointerId = null;
  clearTimeout(state.timer);
  state.timer = 0;
  predictStrokes(true);
}

// ---- talking to the server ----

function liveSoon() {
  if (!state.timer) state.timer = setTimeout(() => { state.timer = 0; predictStrokes(false); }, LIVE_MS);
}

function query() {
  return `?preview=1&multi=${state.mode === "number" ? 1 : 0}`;
}

function predictStrokes(final) {
  if (!state.strokes.length) { showEmpty(); return; }
  const [width, height] = size();
  const body = JSON.stringify({ width, height, line_width: LINE_WIDTH, strokes: state.strokes });
  send(`/api/predict/strokes${query()}`, "application/json", body, final);
}

async function send(url, type, body, final) {
  const seq = ++state.sent;
  document.body.classList.add("busy");
  try {
    const res = await fetch(url, { method: "POST", headers: { "Content-Type": type }, body });
    const data = await res.json();
    if (seq < state.shown) return;  // a newer answer (or a Clear) came first
    state.shown = seq;
    if (res.ok) show(data, final); else showError(data.detail || `error ${res.status}`);
  } catch (err) {
    if (seq >= state.shown) showError(`The server did not answer (${err.message}).`);
  } finally {
    if (seq === state.sent) document.body.classList.remove("busy");
  }
}

// ---- showing the answer ----

// The rule of numrec/faces/wording.py, checked against tests/data/percent_cases.json:
// 0.97 -> "97%", 0.996 -> "99.6%", 0.99996 -> ">99.9%", 0.001 -> "<1%" (never a rounded-up "100%").
function pct(p) {
  if (p >= 0.9995) return ">99.9%";
  if (p > 0 && p < 0.005) return "<1%";
  const places = p >= 0.99 ? 1 : 0;
  const scale = 10 ** places;
  return `${(Math.floor(100 * p * scale + 0.5) / scale).toFixed(places)}%`;
}
window.numrecPercent = pct; // the one wording, for the page's own tests

function show(data, final) {
  state.boxes = data.digits.map((d) => d.box);
  redraw();
  headline.className = `headline ${data.status}`;
  if (data.status === "no_digit") {
    headline.textContent = "no digit";
    detail.textContent = "There is no digit here yet. Draw one larger, with more ink.";
  } else {
    headline.textContent = data.number;
    detail.textContent = describe(data);
  }
  digitsView.replaceChildren(...data.digits.map(digitCard));
  if (final) announce.textContent = `${headline.textContent}. ${detail.textContent}`;
}

function describe(data) {
  const least = Math.min(...data.digits.map((d) => d.confidence));
  const many = data.digits.length > 1;
  if (data.status === "ok") return many ? `${data.digits.length} digits, each at least ${pct(least)} sure.` : `${pct(least)} sure.`;
  const d = data.digits.reduce((a, b) => (b.confidence < a.confidence ? b : a));
  const ranked = d.probabilities.map((p, k) => [p, k]).sort((a, b) => b[0] - a[0]);
  const alt = `${ranked[0][1]} (${pct(ranked[0][0])}) or ${ranked[1][1]} (${pct(ranked[1][0])})`;
  return `Unsure: ${many ? "one digit" : "it"} could be ${alt}. Try drawing it more clearly.`;
}

function digitCard(d) {
  const card = document.createElement("figure");
  card.className = "digit";
  card.append(preview(d.image), bars(d));
  const cap = document.createElement("figcaption");
  cap.textContent = `${d.digit} · ${pct(d.confidence)}`;
  card.append(cap);
  return card;
}

function preview(image) {
  const c = document.createElement("canvas");
  c.className = "preview";
  c.setAttribute("role", "img");
  c.setAttribute("aria-label", "the 28 by 28 image the model saw");
  if (!image) return c;
  const n = image.length;
  c.width = n; c.height = n;
  const px = new ImageData(n, n);
  image.flat().forEach((v, i) => {
    const g = Math.round(255 * v);
    px.data.set([g, g, g, 255], 4 * i);
  });
  c.getContext("2d").putImageData(px, 0, 0);
  return c;
}

function bars(d) {
  const list = document.createElement("ol");
  list.className = "bars";
  list.setAttribute("aria-label", "probability of each digit");
  d.probabilities.forEach((p, k) => {
    const row = document.createElement("li");
    row.className = k === d.digit ? "top" : "";
    row.setAttribute("aria-label", `${k}: ${pct(p)}`);
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.setProperty("--p", p.toFixed(4));
    row.append(Object.assign(document.createElement("b"), { textContent: k }), bar);
    list.append(row);
  });
  return list;
}

function showEmpty() {
  state.boxes = [];
  headline.className = "headline empty";
  headline.textContent = "?";
  detail.textContent = state.mode === "number" ? "Write a number in the box." : "Draw a digit in the box.";
  digitsView.replaceChildren();
}

function showError(message) {
  headline.className = "headline error";
  headline.textContent = "!";
  detail.textContent = message;
  announce.textContent = message;
}

// ---- controls ----

function clearAll() {
  state.strokes = [];
  state.shown = ++state.sent;  // answers to earlier requests are now stale
  showEmpty();
  redraw();
  announce.textContent = "Cleared.";
}

function undo() {
  if (!state.strokes.length || state.pointerId !== null) return;
  state.strokes.pop();
  state.boxes = [];
  redraw();
  if (state.strokes.length) predictStrokes(true); else clearAll();
}

function readFile(file) {
  if (!file) return;
  state.strokes = [];
  state.boxes = [];
  redraw();
  detail.textContent = `Reading ${file.name}…`;
  send(`/api/predict${query()}`, file.type || "application/octet-stream", file, true);
}

function onKey(ev) {
  const undoKey = (ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "z";
  if (undoKey || (ev.target === pad && ev.key === "Backspace")) { ev.preventDefault(); undo(); }
  else if (ev.key === "Escape" || (ev.target === pad && ev.key === "Delete")) { ev.preventDefault(); clearAll(); }
}

async function loadCard() {
  const el = document.getElementById("model");
  try {
    const card = await (await fetch("/api/model")).json();
    const arch = card.architecture || {};
    const acc = card.test && card.test.accuracy;
    const params = typeof arch.parameters === "number" ? ` (${arch.parameters.toLocaleString("en")} parameters)` : "";
    const name = arch.name ? `${arch.name}${params}` : "an ONNX model without a card";
    el.textContent = `Model: ${name}` + (typeof acc === "number" ? `, ${pct(acc)} right on the MNIST test set` : "");
  } catch {
    el.textContent = "Model card unavailable.";
  }
}

pad.addEventListener("pointerdown", onDown);
pad.addEventListener("pointermove", onMove);
pad.addEventListener("pointerup", onUp);
pad.addEventListener("pointercancel", onUp);
document.getElementById("undo").addEventListener("click", undo);
document.getElementById("clear").addEventListener("click", clearAll);
document.getElementById("file").addEventListener("change", (ev) => readFile(ev.target.files[0]));
document.addEventListener("keydown", onKey);
for (const radio of document.querySelectorAll('input[name="mode"]')) {
  radio.addEventListener("change", () => { state.mode = radio.value; clearAll(); setupCanvas(); });
}
setupCanvas();
loadCard();
