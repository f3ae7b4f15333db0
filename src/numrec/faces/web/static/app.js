// numrec drawing page: asks the server to read what the pad (pad.js) holds
// and shows what comes back. The page does no preprocessing of its own; it
// sends the strokes exactly as drawn, or the image file as chosen.
import * as drawing from "./pad.js";
import { pad } from "./pad.js";
import * as teaching from "./teach.js";

const LIVE_MS = 150;     // at most one live request per this many ms while drawing
const COPIED_MS = 1500;  // how long the Copy button says "Copied"

const $ = (id) => document.getElementById(id);
const headline = $("headline");
const detail = $("detail");
const announce = $("announce");
const digitsView = $("digits");
const copyButton = $("copy");

const state = {
  sent: 0,            // sequence number of the last request sent
  shown: 0,           // sequence number of the last answer shown (or of a change that made answers stale)
  waiting: 0,         // requests not answered yet
  timer: 0,
  number: null,       // the number shown, for Copy
};

// ---- talking to the server ----

function liveSoon() {
  if (!state.timer) state.timer = setTimeout(() => { state.timer = 0; read(false); }, LIVE_MS);
}

// Read what the pad holds now. A blank pad is never sent: there is nothing to read.
function read(final) {
  if (final) { clearTimeout(state.timer); state.timer = 0; }
  const multi = pad.mode === "number" ? 1 : 0;
  const { file } = pad.doc;
  if (file) {
    send({ path: "api/predict", multi, type: file.type || "application/octet-stream", body: file }, final, "image");
  } else if (pad.doc.strokes.length) {
    const [width, height] = drawing.size();
    const body = JSON.stringify({ width, height, line_width: pad.lineWidth, strokes: drawing.strokes() });
    send({ path: "api/predict/strokes", multi, type: "application/json", body }, final, "strokes");
  } else {
    showEmpty();
  }
}

// After a change that is not a stroke: answers to earlier requests are stale, read afresh.
function reread() {
  state.shown = ++state.sent;
  updateTools();
  read(true);
}

// request: {path, multi, type, body}, kept with the answer so that a correction sends the same drawing.
async function send(request, final, kind) {
  const seq = ++state.sent;
  state.waiting += 1;
  document.body.classList.add("busy");
  try {
    const url = `${request.path}?preview=1&multi=${request.multi}`;
    const res = await fetch(url, { method: "POST", headers: { "Content-Type": request.type }, body: request.body });
    const data = await res.json().catch(() => ({}));  // a proxy's error page is not JSON
    if (seq < state.shown) return;  // a newer answer (or a change) came first
    state.shown = seq;
    if (res.ok) show(data, final, kind, request); else showError(data.detail || `error ${res.status}`);
  } catch (err) {
    if (seq >= state.shown) showError(`The server did not answer (${err.message}).`);
  } finally {
    state.waiting -= 1;
    if (!state.waiting) document.body.classList.remove("busy");
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

// pct in a sentence: ">99.9%" reads "over 99.9%", "<1%" reads "under 1%".
function inWords(p) {
  const words = pct(p);
  if (words.startsWith(">")) return `over ${words.slice(1)}`;
  if (words.startsWith("<")) return `under ${words.slice(1)}`;
  return words;
}

function show(data, final, kind, request) {
  drawing.setBoxes(data.digits.map((d) => d.box));
  headline.className = `headline ${data.status}`;
  state.number = data.status === "ok" || data.status === "unsure" ? data.number : null;  // never a refusal's
  let spoken = null;
  if (data.status === "no_digit" && kind === "strokes") {
    // There is ink on the canvas, so it is never "blank": it is too small to read.
    headline.textContent = "Too small to read";
    detail.textContent = "Draw it larger.";
    spoken = "Too small to read: draw it larger.";
  } else if (data.status === "no_digit") {
    headline.textContent = "no digit";
    detail.textContent = "No digit found in this image.";
  } else if (data.status === "not_digit") {
    // Ink, but not (all) a digit: plain words, no number (the words of numrec/faces/wording.py).
    headline.textContent = "Not a digit";
    const part = data.digits.length > 1;
    detail.textContent = part ? "Part of this doesn't look like a digit." : "That doesn't look like a digit.";
  } else {
    headline.textContent = data.number;
    detail.textContent = describe(data);
  }
  digitsView.replaceChildren(...data.digits.map((d) => digitCard(d, data.status === "not_digit")));
  updateTools();
  if (final) teaching.offer(data, request); else teaching.withdraw();
  if (final) announce.textContent = spoken || `${headline.textContent}. ${detail.textContent}`;
}

function describe(data) {
  const least = Math.min(...data.digits.map((d) => d.confidence));
  const count = data.digits.length;
  if (data.status === "ok") {
    const sure = inWords(least);
    if (count === 1) return `${sure[0].toUpperCase()}${sure.slice(1)} sure.`;
    return sure.startsWith("over") ? `${count} digits, each ${sure} sure.` : `${count} digits; the least sure is ${sure}.`;
  }
  const d = data.digits.reduce((a, b) => (b.confidence < a.confidence ? b : a));
  // wording.py's ALMOST: a number's digits must each be 99.9% sure, so "could be 1 (99.4%)" would puzzle.
  // wording.py's TWO_WAYS: every digit passes the thresholds, so two readings of the number differ.
  if (d.confidence >= 0.9995) return "Probably right, but it can be read another way: check it.";
  if (d.confidence >= 0.99) return `Probably right, but not sure enough (${d.digit} at ${pct(d.confidence)}): check it.`;
  // wording.py's NO_DIGIT_AT_ALL: the model's "not a digit" share is named where it is at least the next digit's.
  const ranked = d.probabilities.map((p, k) => [p, String(k)]).sort((a, b) => b[0] - a[0]).slice(0, 2);
  const none = d.not_digit || 0;
  const named = none >= Math.max(ranked[1][0], 0.005);  // wording.py's TINY
  if (named) {
    ranked[1] = [none, "no digit at all"];
    if (none > ranked[0][0]) ranked.reverse();
  }
  const alt = `${ranked[0][1]} (${pct(ranked[0][0])}) or ${ranked[1][1]} (${pct(ranked[1][0])})`;
  // wording.py's REDRAW, as the window ends the same words; not where "no digit at all" is named, as there.
  const redraw = named ? "" : " Write it again, larger or more clearly.";
  return `Unsure: ${count > 1 ? "one digit" : "it"} could be ${alt}.${redraw}`;
}
window.numrecDescribe = describe; // for the page's own tests

// In a not_digit reading no card claims a digit: it says what its ink is most like, and how likely not a digit.
function digitCard(d, refused) {
  const card = document.createElement("figure");
  card.className = "digit";
  card.append(preview(d.image), bars(d));
  const cap = document.createElement("figcaption");
  const refusal = `${d.digit}? · ${pct(d.not_digit || 0)} not a digit`;  // "4? · 97% not a digit"
  cap.textContent = refused ? refusal : `${d.digit} · ${pct(d.confidence)}`;
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
  drawing.setBoxes([]);
  headline.className = "headline empty";
  headline.textContent = "?";
  detail.textContent = pad.mode === "number" ? "Write a number in the box." : "Draw a digit in the box.";
  digitsView.replaceChildren();
  state.number = null;
  updateTools();
  teaching.withdraw();
}

// An error replaces the whole answer: no card of an earlier one stays under it.
function showError(message) {
  drawing.setBoxes([]);
  headline.className = "headline error";
  headline.textContent = "!";
  detail.textContent = message;
  digitsView.replaceChildren();
  state.number = null;
  updateTools();
  teaching.withdraw();
  announce.textContent = message;
}

// ---- controls ----

function updateTools() {
  $("undo").disabled = !pad.past.length;
  $("redo").disabled = !pad.future.length;
  copyButton.disabled = !state.number;
}

function undo() { if (drawing.undo()) reread(); }
function redo() { if (drawing.redo()) reread(); }

function clearAll() {
  drawing.clear();
  reread();
  announce.textContent = "Cleared.";
}

function readFile(input) {
  const file = input.files[0];
  input.value = "";  // so that choosing the same file again reads it again
  if (!file) return;
  drawing.load(file);
  state.shown = ++state.sent;
  teaching.withdraw();
  digitsView.replaceChildren();
  headline.className = "headline empty";
  headline.textContent = "…";
  detail.textContent = `Reading ${file.name}…`;
  state.number = null;
  updateTools();
  read(true);
}

async function copy() {
  const number = state.number;
  if (!number) return;
  try {
    await navigator.clipboard.writeText(number);
    copyButton.textContent = "Copied";
    announce.textContent = `Copied ${number}.`;
    setTimeout(() => { copyButton.textContent = "Copy"; }, COPIED_MS);
  } catch {
    announce.textContent = "Could not copy: this browser did not allow it.";
    detail.textContent = announce.textContent;
  }
}

function onKey(ev) {
  if (teaching.onKey(ev)) return;  // a digit key while "Correct it" is open
  const mod = ev.ctrlKey || ev.metaKey;  // Cmd on macOS
  const key = (ev.key || "").toLowerCase();  // autofill sends keydowns without a key
  const onPad = ev.target === $("pad");
  let action = null;
  if (mod && (key === "y" || (key === "z" && ev.shiftKey))) action = redo;
  else if (mod && key === "z") action = undo;
  else if (onPad && ev.key === "Backspace") action = undo;
  else if (ev.key === "Escape" || (onPad && ev.key === "Delete")) action = clearAll;
  if (action) { ev.preventDefault(); action(); }
}

function onPen(ev) {
  const width = Number(ev.target.value);
  $("pen-width").textContent = String(width);
  drawing.setLineWidth(width);
  if (pad.doc.file || !pad.doc.strokes.length) return;
  if (ev.type === "change") reread(); else liveSoon();
}

async function loadCard() {
  const el = $("model");
  try {
    const card = await (await fetch("api/model")).json();
    const arch = card.architecture || {};
    const acc = card.test && card.test.accuracy;
    const params = typeof arch.parameters === "number" ? ` (${arch.parameters.toLocaleString("en")} parameters)` : "";
    const name = arch.name ? `${arch.name}${params}` : "an ONNX model without a card";
    el.textContent = `Model: ${name}` + (typeof acc === "number" ? `, ${pct(acc)} right on the MNIST test set` : "");
  } catch {
    el.textContent = "Model card unavailable.";
  }
}

drawing.listen({ live: () => { updateTools(); teaching.withdraw(); liveSoon(); }, done: () => read(true) });
$("undo").addEventListener("click", undo);
$("redo").addEventListener("click", redo);
$("clear").addEventListener("click", clearAll);
copyButton.addEventListener("click", copy);
copyButton.hidden = !navigator.clipboard;  // no clipboard outside a secure context (https or this machine)
$("file").addEventListener("change", (ev) => readFile(ev.target));
$("pen").addEventListener("input", onPen);
$("pen").addEventListener("change", onPen);
document.addEventListener("keydown", onKey);
for (const radio of document.querySelectorAll('input[name="mode"]')) {
  radio.addEventListener("change", () => { drawing.setMode(radio.value); reread(); });
}
// The browser may bring back the controls' state on reload: start from what they show.
const chosen = document.querySelector('input[name="mode"]:checked');
pad.mode = chosen ? chosen.value : "digit";
pad.lineWidth = Number($("pen").value);
$("pen-width").textContent = $("pen").value;
drawing.setupCanvas();
showEmpty();
loadCard();
teaching.setup();
