// Teaching from the page: after a reading, "Correct it" opens a row of 0-9
// buttons (one row per digit in number mode); a button, or a digit key, sends
// the same drawing back with the right digit, and the server keeps it as an
// example (POST api/teach..., docs/TEACH.md). Shown only when the server says
// it learns (GET api/teach: numrec serve --examples DIR).

const $ = (id) => document.getElementById(id);
const panel = $("teach");
const opener = $("correct");
const rows = $("teach-rows");
const said = $("taught");

const state = {
  on: false,       // the server learns (GET api/teach)
  request: null,   // {path, multi, type, body}: what the page sent for the reading shown
  digits: [],      // the digits of that reading
};

export async function setup() {
  try {
    const res = await fetch("api/teach");
    state.on = res.ok && (await res.json()).teaching === true;
  } catch {
    state.on = false;  // an older server, or none: no teaching controls
  }
  opener.addEventListener("click", toggle);
}

// A final reading is shown: offer to correct it (a reading with no digit has nothing to correct).
export function offer(data, request) {
  withdraw();
  if (!state.on || !data.digits.length) return;
  state.request = request;
  state.digits = data.digits.map((d) => d.digit);
  panel.hidden = false;
}

// The drawing changed, or nothing is read: no correction is offered, and what was learned is said.
export function withdraw() {
  state.request = null;
  panel.hidden = true;
  close();
  said.textContent = "";
}

function toggle() {
  if (!rows.hidden) { close(); return; }
  const many = state.digits.length > 1;
  const keys = many ? "Or type the digit: it corrects the row with the focus." : "Or type the digit.";
  const hint = Object.assign(document.createElement("p"), { className: "hint", textContent: keys });
  rows.replaceChildren(...state.digits.map((digit, index) => row(digit, index, many)), hint);
  rows.hidden = false;
  opener.setAttribute("aria-expanded", "true");
  rows.querySelector("button").focus();  // so that a digit key says what the first (or only) digit was
}

function close() {
  rows.hidden = true;
  rows.replaceChildren();
  opener.setAttribute("aria-expanded", "false");
}

function row(read, index, many) {
  const group = document.createElement("div");
  group.className = "teach-row";
  group.setAttribute("role", "group");
  group.dataset.index = String(index);
  const name = many ? `Digit ${index + 1} (read ${read}) was` : `It was`;
  group.setAttribute("aria-label", name);
  group.append(Object.assign(document.createElement("span"), { textContent: name }));
  for (let label = 0; label <= 9; label++) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = String(label);
    button.setAttribute("aria-label", many ? `Digit ${index + 1} was ${label}` : `It was ${label}`);
    button.setAttribute("aria-keyshortcuts", String(label));
    button.addEventListener("click", () => teach(index, label));
    group.append(button);
  }
  return group;
}

// A digit key, while the rows are open: the row holding the focus, else the only one. True if it taught.
export function onKey(ev) {
  if (rows.hidden || ev.ctrlKey || ev.metaKey || ev.altKey || !/^[0-9]$/.test(ev.key || "")) return false;
  const focused = document.activeElement && document.activeElement.closest(".teach-row");
  const target = focused || (state.digits.length === 1 ? rows.querySelector(".teach-row") : null);
  if (!target) return false;
  ev.preventDefault();
  teach(Number(target.dataset.index), Number(ev.key));
  return true;
}

async function teach(index, label) {
  const request = state.request;
  if (!request) return;
  const many = state.digits.length > 1;
  const url = `${request.path.replace("api/predict", "api/teach")}?multi=${request.multi}&label=${label}&index=${index}`;
  try {
    const res = await fetch(url, { method: "POST", headers: { "Content-Type": request.type }, body: request.body });
    const data = await res.json().catch(() => ({}));
    if (request !== state.request) return;  // the drawing changed meanwhile: nothing here to speak of
    if (!res.ok) { said.textContent = `Not learned: ${data.detail || `error ${res.status}`}`; return; }
    const what = many ? `digit ${index + 1} was a ${data.label}` : `that was a ${data.label}`;
    said.textContent = `Learned: ${what}. It counts from the next reading.`;
    done(index);
  } catch (err) {
    if (request === state.request) said.textContent = `Not learned: the server did not answer (${err.message}).`;
  }
}

// A digit taught: its row goes; the last one closes the rows, the focus back on "Correct it".
function done(index) {
  const taught = rows.querySelector(`.teach-row[data-index="${index}"]`);
  if (taught) taught.remove();
  const next = rows.querySelector(".teach-row button");
  if (next) { next.focus(); return; }
  close();
  opener.focus();
}
