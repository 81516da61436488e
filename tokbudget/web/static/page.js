// Shared plumbing of the page's modules: the state, the API client, small helpers.
// Safety rule for every module: text from the user or the server goes into the page only
// through textContent / option.text / dataset, never innerHTML, so markup in a prompt
// stays text.

export const $ = (id) => document.getElementById(id);
export const state = { models: new Map(), model: null, mode: "text", seq: 0, busy: false,
                       dirty: false, tokens: [], text: "", current: null };
export const nf = new Intl.NumberFormat("en-US");

export async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, init);
  const doc = await response.json();
  if (!response.ok) {
    const err = new Error(doc.error ? doc.error.message : response.statusText);
    err.detail = doc.error; // code, and for a malformed chat message its index and field
    throw err;
  }
  return doc;
}

// The status line is for the eye (it also shows how long the API took). Screen readers
// hear only announce()'s text, in the one polite live region, and only once typing has
// paused, so they are not read "API 12 ms" on every keystroke.
export function setStatus(message, isError) {
  const el = $("status");
  el.textContent = message;
  el.classList.toggle("error", Boolean(isError));
}

const ANNOUNCE_AFTER_MS = 800; // quiet time before the live region is updated
let announceTimer = 0;

export function announce(message) {
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    const el = $("announce");
    if (el.textContent !== message) el.textContent = message;
  }, ANNOUNCE_AFTER_MS);
}

// A number box's value for the API: null when empty (the library's default). A box
// holding something that is not a number also reads as empty in the browser.
export function numberOrNull(id) {
  const value = $(id).value.trim();
  return value === "" ? null : Number(value);
}

export function budgetSettings() {
  return { max_output_tokens: numberOrNull("max-output"), reserve: numberOrNull("reserve") };
}

// An answer, or the error it failed with (so one failing request does not hide the other's).
export function attempt(promise) {
  return promise.then((doc) => ({ doc }), (error) => ({ error }));
}

// Call batch() once per turn of the event loop until it returns true, so a large
// rendering never holds the page for long; resolves to false (and stops) as soon as a
// newer update takes over (a keystroke, another mode or model).
export function runBatches(seq, batch) {
  return new Promise((resolve) => {
    function step() {
      if (seq !== state.seq || state.dirty) return resolve(false);
      if (batch()) return resolve(true);
      setTimeout(step, 0);
    }
    step();
  });
}

export function money(s) {
  if (s === null || s === undefined) return "–";
  const [whole, frac = ""] = s.split(".");
  const trimmed = frac.replace(/0+$/, "");
  return `$${whole}.${trimmed.padEnd(2, "0")}`;
}

export function pct(part, whole) {
  return `${Math.max(0, Math.min(100, (100 * part) / whole))}%`;
}
