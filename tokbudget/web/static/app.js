// tokbudget's local tokenizer page. No framework, no network beyond this server.
// Modules: page.js (state, API client, helpers), figures.js (counts, cost, budget bar),
// tokens.js / chat.js / chunks.js (one per mode). The rule every module keeps: text from
// the user or the server goes into the page only through textContent / option.text /
// dataset, never innerHTML, so markup in a prompt stays text.

import { $, announce, api, setStatus, state } from "./page.js";
import { onHover, onTokenKey, onTokensBlur, onTokensFocus, updateText } from "./tokens.js";
import { updateChat } from "./chat.js";
import { updateChunks } from "./chunks.js";

// ------------------------------------------------------------------------ models

async function loadModels() {
  const doc = await api("/api/models");
  const select = $("model");
  const groups = new Map();
  for (const m of doc.models) {
    state.models.set(m.name, m);
    if (!groups.has(m.kind)) {
      const group = document.createElement("optgroup");
      group.label = m.kind;
      groups.set(m.kind, group);
    }
    const option = document.createElement("option");
    option.value = m.name;
    option.text = m.deprecated ? `${m.name} (deprecated)` : m.name;
    groups.get(m.kind).append(option);
  }
  for (const group of groups.values()) select.append(group);
  state.model = doc.default;
  select.value = doc.default;
}

// ------------------------------------------------------------------------ modes

// One entry per mode: its input box, and an update that fetches and draws what that
// input amounts to. The elements of a mode carry data-mode="<names>" (the modes they
// belong to); setMode shows them and hides the others' (a new mode is an entry here
// and its elements). Text and chunks share the text box.
const modes = {
  text: { input: "input", update: updateText },
  chat: { input: "chat-input", update: updateChat },
  chunks: { input: "input", update: updateChunks },
};

// A click on a tab also puts the cursor in that mode's input; the arrow keys keep the
// focus on the tabs (the ARIA tabs pattern, with automatic activation).
function setMode(name, focusInput) {
  if (!(name in modes) || name === state.mode) return;
  state.mode = name;
  state.seq++; // an answer still on its way belongs to the other mode: drop it
  document.body.dataset.mode = name;
  for (const el of document.querySelectorAll("main [data-mode]")) {
    el.hidden = !el.dataset.mode.split(" ").includes(name);
  }
  for (const tab of tabs()) {
    const selected = tab.dataset.mode === name;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    if (selected) $("panel").setAttribute("aria-labelledby", tab.id);
  }
  if (focusInput) $(modes[name].input).focus();
  schedule();
}

function tabs() {
  return [...document.querySelectorAll("#modes [role=tab]")];
}

function onTabKey(event) {
  const all = tabs();
  const at = all.indexOf(event.target);
  const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 }[event.key];
  if (at < 0 || to === undefined) return;
  event.preventDefault();
  const tab = all[(to + all.length) % all.length];
  tab.focus();
  setMode(tab.dataset.mode, false);
}

// ------------------------------------------------------------------------ updates

function schedule() {
  state.dirty = true;
  document.body.dataset.state = "busy";
  const size = $(modes[state.mode].input).value.length;
  if (!state.busy) setTimeout(update, size > 20000 ? 120 : 30);
  state.busy = true;
}

async function update() {
  // One request at a time; keystrokes during it are folded into the next one.
  state.dirty = false;
  const seq = ++state.seq;
  try {
    await modes[state.mode].update(seq);
  } catch (err) {
    if (seq === state.seq) {
      setStatus(String(err.message || err), true);
      announce(String(err.message || err));
    }
  } finally {
    if (state.dirty) {
      setTimeout(update, 0);
    } else {
      state.busy = false;
      document.body.dataset.state = "idle";
    }
  }
}

// ------------------------------------------------------------------------ start

async function main() {
  try {
    await loadModels();
  } catch (err) {
    setStatus(`cannot load models: ${err.message}`, true);
    return;
  }
  $("input").addEventListener("input", schedule);
  $("chat-input").addEventListener("input", schedule);
  for (const id of ["max-output", "reserve", "max-tokens", "overlap"]) {
    $(id).addEventListener("input", schedule);
  }
  for (const tab of tabs()) {
    tab.addEventListener("click", () => setMode(tab.dataset.mode, true));
  }
  $("modes").addEventListener("keydown", onTabKey);
  $("model").addEventListener("change", (e) => { state.model = e.target.value; schedule(); });
  $("tokens").addEventListener("mouseover", onHover);
  $("tokens").addEventListener("mouseleave", () => { $("tip").hidden = true; });
  $("tokens").addEventListener("keydown", onTokenKey);
  $("tokens").addEventListener("focus", onTokensFocus);
  $("tokens").addEventListener("blur", onTokensBlur);
  document.body.dataset.ready = "1";
  schedule();
}

main();
