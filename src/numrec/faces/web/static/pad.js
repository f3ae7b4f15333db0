// The drawing pad: what the canvas holds (strokes, or an image file shown
// scaled to fit), its undo/redo history, and pointer input (mouse, touch and
// pen alike). It draws; app.js does the talking to the server.

// Canvas sizes in drawing units (CSS scales them to the screen; points are
// always sent in these units, so a phone and a desktop send the same drawing).
export const SIZES = { digit: [280, 280], number: [560, 280] };
const MIN_STEP = 1.5;     // drop points closer than this to the previous one
const HISTORY = 500;      // undo steps kept
const INK = "#1b1f24";
const BOX = "#2f6fde";
const BOX_GAP = 3;        // a box is drawn this far outside the ink it holds
const FIT_GAP = 8;        // strokes moved onto another canvas keep this far from its edges

const canvas = document.getElementById("pad");
const ctx = canvas.getContext("2d");
const pictures = new WeakMap();  // File -> ImageBitmap, or null where this browser cannot decode it

// A drawing ("doc") is {strokes, file, mode}: strokes in the units of `mode`'s
// canvas, or an image file. Docs are never changed once replaced, so the
// history holds them as they are.
const blank = (mode) => ({ strokes: [], file: null, mode });

export const pad = {
  mode: "digit",
  lineWidth: 16,
  doc: blank("digit"),
  past: [],           // docs before the current one (undo)
  future: [],         // docs undone (redo)
  boxes: [],          // digit boxes of the last answer, in the input's own pixels
  pointerId: null,    // the pointer drawing the current stroke
  fitted: null,       // {doc, mode, strokes}: the doc's strokes moved onto another mode's canvas
};

export function size(mode = pad.mode) { return SIZES[mode]; }
export function isEmpty() { return !pad.doc.file && !pad.doc.strokes.length; }

// The strokes in the current canvas's units. Strokes drawn in the other mode
// are moved over (and shrunk if need be) for as long as the mode differs; the
// doc itself keeps them as drawn, so switching back and forth loses nothing.
export function strokes() {
  const { doc } = pad;
  if (doc.mode === pad.mode) return doc.strokes;
  const f = pad.fitted;
  if (!f || f.doc !== doc || f.mode !== pad.mode) {
    pad.fitted = { doc, mode: pad.mode, strokes: fit(doc.strokes, size(doc.mode), size()) };
  }
  return pad.fitted.strokes;
}

function bounds(points) {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of points) {
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
  return [x0, y0, x1, y1];
}

const clamp = (v, lo, hi) => (lo > hi ? (lo + hi) / 2 : Math.min(hi, Math.max(lo, v)));
const round1 = (v) => Math.round(v * 10) / 10;

// Strokes from a canvas of size `from` onto one of size `to`: centred the same
// way, and shrunk (about their middle) only where they would not fit.
function fit(list, from, to) {
  const points = list.flat();
  if (!points.length) return list;
  const [x0, y0, x1, y1] = bounds(points);
  const m = pad.lineWidth / 2 + FIT_GAP;
  const s = Math.min(1, (to[0] - 2 * m) / Math.max(x1 - x0, 1), (to[1] - 2 * m) / Math.max(y1 - y0, 1));
  const [mx, my] = [(x0 + x1) / 2, (y0 + y1) / 2];
  const [hw, hh] = [(s * (x1 - x0)) / 2 + m, (s * (y1 - y0)) / 2 + m];
  const cx = clamp(mx + (to[0] - from[0]) / 2, hw, to[0] - hw);
  const cy = clamp(my + (to[1] - from[1]) / 2, hh, to[1] - hh);
  return list.map((st) => st.map(([x, y]) => [round1(cx + (x - mx) * s), round1(cy + (y - my) * s)]));
}

// ---- history ----

function record() {
  pad.past.push(pad.doc);
  if (pad.past.length > HISTORY) pad.past.shift();
  pad.future = [];
}

function replace(doc) {
  pad.doc = doc;
  pad.boxes = [];
  redraw();
}

function step(from, to) {
  if (pad.pointerId !== null || !from.length) return false;
  to.push(pad.doc);
  replace(from.pop());
  return true;
}

export const undo = () => step(pad.past, pad.future);
export const redo = () => step(pad.future, pad.past);

export function clear() {
  if (isEmpty()) return false;
  record();
  replace(blank(pad.mode));
  return true;
}

// Show an image file (scaled to fit) instead of the drawing; undoable.
export function load(file) {
  record();
  replace({ strokes: [], file, mode: pad.mode });
  if (pictures.has(file)) return;
  createImageBitmap(file)
    .then((bitmap) => pictures.set(file, bitmap), () => pictures.set(file, null))
    .then(redraw);
}

export function setMode(mode) {
  pad.mode = mode;
  pad.pointerId = null;  // a stroke in progress ends here
  pad.boxes = [];
  setupCanvas();
}

export function setLineWidth(width) {
  pad.lineWidth = width;
  redraw();
}

export function setBoxes(boxes) {
  pad.boxes = boxes;
  redraw();
}

// ---- drawing ----

export function setupCanvas() {
  const [w, h] = size();
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  canvas.style.aspectRatio = `${w} / ${h}`;
  canvas.dataset.mode = pad.mode;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  redraw();
}

// Where an image of iw x ih pixels sits on the canvas: scaled to fit, aspect kept, centred.
function placement(iw, ih) {
  const [w, h] = size();
  const scale = Math.min(w / iw, h / ih);
  return { x: (w - iw * scale) / 2, y: (h - ih * scale) / 2, scale };
}

export function redraw() {
  const [w, h] = size();
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, w, h);
  if (pad.doc.file) {
    const picture = pictures.get(pad.doc.file);
    if (picture === null) say("This browser cannot show this image.");
    if (!picture) return;  // not decoded (yet): the answer comes all the same
    const at = placement(picture.width, picture.height);
    ctx.drawImage(picture, at.x, at.y, picture.width * at.scale, picture.height * at.scale);
    drawBoxes(at, 1);
    return;
  }
  ctx.strokeStyle = INK;
  ctx.fillStyle = INK;
  ctx.lineWidth = pad.lineWidth;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const s of strokes()) drawStroke(s);
  drawBoxes({ x: 0, y: 0, scale: 1 }, 2);
}

function say(text) {
  const [w, h] = size();
  ctx.fillStyle = "#5b6470";
  ctx.font = "15px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.fillText(text, w / 2, h / 2);
}

function drawStroke(points) {
  ctx.beginPath();
  if (points.length === 1) {
    ctx.arc(points[0][0], points[0][1], pad.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fill();
    return;
  }
  ctx.moveTo(points[0][0], points[0][1]);
  for (const [x, y] of points.slice(1)) ctx.lineTo(x, y);
  ctx.stroke();
}

// The digit boxes (at least `fewest` of them), mapped by `at` and kept on the canvas: a number's
// boxes, and on an image file in either mode the box of each digit found (what was read where).
function drawBoxes(at, fewest) {
  if ((pad.mode !== "number" && !pad.doc.file) || pad.boxes.length < fewest) return;
  const [w, h] = size();
  ctx.save();
  ctx.strokeStyle = BOX;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([5, 4]);
  for (const [bx, by, bw, bh] of pad.boxes) {
    const x0 = clamp(at.x + bx * at.scale - BOX_GAP, 1, w - 1);
    const y0 = clamp(at.y + by * at.scale - BOX_GAP, 1, h - 1);
    const x1 = clamp(at.x + (bx + bw) * at.scale + BOX_GAP, 1, w - 1);
    const y1 = clamp(at.y + (by + bh) * at.scale + BOX_GAP, 1, h - 1);
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
  }
  ctx.restore();
}

// ---- pointer input ----

// A point in drawing units, kept on the canvas: a stroke that leaves it runs along the edge.
function toDrawing(ev) {
  const r = canvas.getBoundingClientRect();
  const [w, h] = size();
  const x = ((ev.clientX - r.left - canvas.clientLeft) * w) / canvas.clientWidth;
  const y = ((ev.clientY - r.top - canvas.clientTop) * h) / canvas.clientHeight;
  return [round1(clamp(x, 0, w)), round1(clamp(y, 0, h))];
}

// Pointer events on the canvas; `on.live()` while a stroke grows, `on.done()` when it ends.
export function listen(on) {
  canvas.addEventListener("pointerdown", (ev) => {
    if (!ev.isPrimary || pad.pointerId !== null || ev.button > 0) return;
    ev.preventDefault();
    if (ev.pointerType === "touch") document.body.classList.add("touch");
    canvas.setPointerCapture(ev.pointerId);
    pad.pointerId = ev.pointerId;
    record();
    const kept = pad.doc.file ? [] : strokes();  // drawing replaces a shown image
    replace({ strokes: [...kept, [toDrawing(ev)]], file: null, mode: pad.mode });
    on.live();
  });
  canvas.addEventListener("pointermove", (ev) => {
    if (ev.pointerId !== pad.pointerId) return;
    ev.preventDefault();
    const stroke = pad.doc.strokes[pad.doc.strokes.length - 1];
    const events = ev.getCoalescedEvents ? ev.getCoalescedEvents() : [];
    for (const e of events.length ? events : [ev]) {
      const p = toDrawing(e);
      const last = stroke[stroke.length - 1];
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) >= MIN_STEP) stroke.push(p);
    }
    redraw();
    on.live();
  });
  const end = (ev) => {
    if (ev.pointerId !== pad.pointerId) return;
    pad.pointerId = null;
    on.done();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
}
