// tokbudget's local tokenizer page. No framework, no network beyond this server.
// Safety rule: text from the user or the server goes into the page only through
// textContent / option.text / dataset, never innerHTML, so markup in a prompt stays text.
"use strict";

const MAX_SPANS = 100000; // beyond this, the rest of the text is shown unhighlighted
const $ = (id) => document.getElementById(id);
const state = { models: new Map(), model: null, mode: "text", seq: 0, busy: false,
                dirty: false, tokens: [], text: "" };
const nf = new Intl.NumberFormat("en-US");

async function api(path, body) {
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

function setStatus(message, isError) {
  const el = $("status");
  el.textContent = message;
  el.classList.toggle("error", Boolean(isError));
}

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

function setMode(name) {
  if (!(name in modes) || name === state.mode) return;
  state.mode = name;
  state.seq++; // an answer still on its way belongs to the other mode: drop it
  document.body.dataset.mode = name;
  for (const el of document.querySelectorAll("main [data-mode]")) {
    el.hidden = !el.dataset.mode.split(" ").includes(name);
  }
  for (const tab of document.querySelectorAll("#modes [role=tab]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.mode === name));
  }
  $(modes[name].input).focus();
  schedule();
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
    if (seq === state.seq) setStatus(String(err.message || err), true);
  } finally {
    if (state.dirty) {
      setTimeout(update, 0);
    } else {
      state.busy = false;
      document.body.dataset.state = "idle";
    }
  }
}

// A number box's value for the API: null when empty (the library's default). A box
// holding something that is not a number also reads as empty in the browser.
function numberOrNull(id) {
  const value = $(id).value.trim();
  return value === "" ? null : Number(value);
}

function budgetSettings() {
  return { max_output_tokens: numberOrNull("max-output"), reserve: numberOrNull("reserve") };
}

// An answer, or the error it failed with (so one failing request does not hide the other's).
function attempt(promise) {
  return promise.then((doc) => ({ doc }), (error) => ({ error }));
}

async function updateText(seq) {
  const text = $("input").value;
  const model = state.model;
  const body = { text, model };
  const t0 = performance.now();
  const [tok, check] = await Promise.all([
    api("/api/tokenize", { ...body, offsets: "utf16" }),
    attempt(api("/api/check", { ...body, ...budgetSettings() })),
  ]);
  const apiMs = performance.now() - t0;
  if (seq !== state.seq) return;
  renderCheck(check, tok.count, tok);
  if (await renderTokens(text, tok.tokens, seq)) $("tokens").dataset.model = model;
  setStatus(`${nf.format(tok.count)} tokens · API ${apiMs.toFixed(0)} ms`);
  $("tokens").dataset.apiMs = apiMs.toFixed(1);
}

// ------------------------------------------------------------------------ tokens

const BLOCK_SPANS = 1000; // spans per block when a line runs longer than this
const BATCH_SPANS = 3000; // spans built per turn of the event loop

function renderTokens(text, tokens, seq) {
  // Two things keep 25,000+ spans from freezing the page:
  // * spans go into blocks that end after a line break (or after BLOCK_SPANS spans), so
  //   the browser lays out and paints only the blocks on screen (content-visibility in
  //   style.css); blocks hold no text of their own, so the box's textContent is still
  //   exactly the text;
  // * they are built BATCH_SPANS at a time, yielding to the event loop in between, so
  //   typing and scrolling stay live; a newer text abandons an older rendering.
  // Resolves to false if a newer update took over before it finished.
  const t0 = performance.now();
  state.text = text;
  state.tokens = tokens;
  const box = $("tokens");
  box.replaceChildren();
  const limit = Math.min(tokens.length, MAX_SPANS);
  let block = document.createElement("div");
  let inBlock = 0;
  let group = 0;
  let i = 0;
  let shownEnd = 0;
  let longest = 0;

  function batch() {
    const b0 = performance.now();
    const frag = document.createDocumentFragment();
    const stop = Math.min(limit, i + BATCH_SPANS);
    while (i < stop) {
      // Tokens that split a character share it: draw them as one span, marked partial.
      let j = i + 1;
      let end = tokens[i].end;
      while (j < tokens.length && tokens[j].start < end) {
        end = Math.max(end, tokens[j].end);
        j++;
      }
      const seg = text.slice(tokens[i].start, end);
      const span = document.createElement("span");
      let cls = j - i > 1 ? "tok partial" : "tok c" + (group % 5);
      if (j - i === 1 && seg.trim() === "") cls += seg.includes("\n") ? " ws nl" : " ws";
      span.className = cls;
      span.textContent = seg;
      span.tokFirst = i;
      span.tokLast = j;
      block.append(span);
      inBlock++;
      if (seg.endsWith("\n") || inBlock >= BLOCK_SPANS) {
        frag.append(block);
        block = document.createElement("div");
        inBlock = 0;
      }
      shownEnd = end;
      group++;
      i = j;
    }
    if (i >= limit) {
      if (shownEnd < text.length) {
        const rest = document.createElement("span");
        rest.className = "tok rest";
        rest.textContent = text.slice(shownEnd);
        block.append(rest);
      }
      if (block.firstChild) frag.append(block);
    }
    box.append(frag);
    longest = Math.max(longest, performance.now() - b0);
  }

  return runBatches(seq, () => {
    batch();
    return i >= limit;
  }).then((done) => {
    if (!done) return false;
    const ms = performance.now() - t0;
    box.dataset.renderMs = ms.toFixed(1);
    box.dataset.longestBatchMs = longest.toFixed(1);
    box.dataset.spans = String(group);
    $("render-info").textContent = tokens.length > MAX_SPANS
      ? `showing the first ${nf.format(MAX_SPANS)} of ${nf.format(tokens.length)} tokens`
      : `${nf.format(group)} spans drawn in ${ms.toFixed(0)} ms`;
    return true;
  });
}

// Call batch() once per turn of the event loop until it returns true, so a large
// rendering never holds the page for long; resolves to false (and stops) as soon as a
// newer update takes over (a keystroke, another mode or model).
function runBatches(seq, batch) {
  return new Promise((resolve) => {
    function step() {
      if (seq !== state.seq || state.dirty) return resolve(false);
      if (batch()) return resolve(true);
      setTimeout(step, 0);
    }
    step();
  });
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function describe(first, last) {
  const encoder = new TextEncoder();
  const lines = [];
  for (let k = first; k < last; k++) {
    const t = state.tokens[k];
    const seg = state.text.slice(t.start, t.end);
    const bytes = t.partial ? t.bytes.match(/../g).join(" ") : hex(encoder.encode(seg));
    const note = t.partial ? "  (part of a character)" : "";
    lines.push(`#${k}  id ${t.id}  bytes ${bytes}  ${JSON.stringify(seg)}${note}`);
  }
  return lines.join("\n");
}

function onHover(event) {
  const span = event.target.closest ? event.target.closest(".tok") : null;
  const tip = $("tip");
  if (!span || span.tokFirst === undefined) {
    tip.hidden = true;
    return;
  }
  tip.textContent = describe(span.tokFirst, span.tokLast);
  tip.hidden = false;
  tip.style.left = `${Math.min(event.clientX + 12, window.innerWidth - 320)}px`;
  tip.style.top = `${event.clientY + 16}px`;
}

// ------------------------------------------------------------------------ chunks

const BATCH_CHUNKS = 200; // chunks built per turn of the event loop

async function updateChunks(seq) {
  const text = $("input").value;
  const model = state.model;
  const settings = { max_tokens: numberOrNull("max-tokens"), overlap: numberOrNull("overlap") };
  const t0 = performance.now();
  const [split, check] = await Promise.all([
    attempt(api("/api/split", { text, model, ...settings, offsets: "utf16" })),
    attempt(api("/api/check", { text, model })),
  ]);
  if (seq !== state.seq) return;
  const box = $("chunks");
  if (split.error) {
    // A bad max tokens / overlap, or a character that alone needs more than max tokens:
    // the library's message says which and what to do.
    box.replaceChildren();
    $("chunk-summary").textContent = "";
    $("chunk-info").textContent = String(split.error.message || split.error);
    $("chunk-info").className = "error";
    box.dataset.model = model;
    box.dataset.count = "";
    setStatus(split.error.detail ? split.error.detail.code : "error", true);
    return;
  }
  const doc = split.doc;
  const apiMs = performance.now() - t0;
  renderCheck(check, doc.tokens, doc);
  $("chunk-info").className = "muted";
  $("chunk-info").textContent = "";
  const fill = doc.count ? doc.tokens / (doc.count * doc.max_tokens) : 0;
  $("chunk-summary").textContent = `${nf.format(doc.count)} chunks of at most `
    + `${nf.format(doc.max_tokens)} tokens${doc.overlap ? ` (overlap ${nf.format(doc.overlap)})` : ""}`
    + ` · ${nf.format(doc.tokens)} tokens in all · mean fill ${(100 * fill).toFixed(0)}%`;
  if (await renderChunks(text, doc, seq)) {
    box.dataset.model = model;
    box.dataset.count = String(doc.count);
  }
  setStatus(`${nf.format(doc.count)} chunks · API ${apiMs.toFixed(0)} ms`);
}

function renderChunks(text, doc, seq) {
  // One card per chunk: a head (index, tokens, a bar of how full it is) and its text;
  // text it repeats from the chunk before (overlap) is marked. Cards are laid out only
  // when on screen (content-visibility) and built in batches, like the token spans.
  // data-start / data-end hold each chunk's offsets (UTF-16, JavaScript's indices).
  const box = $("chunks");
  box.replaceChildren();
  box.dataset.count = "";
  const chunks = doc.chunks;
  let k = 0;
  return runBatches(seq, () => {
    const frag = document.createDocumentFragment();
    const stop = Math.min(chunks.length, k + BATCH_CHUNKS);
    for (; k < stop; k++) frag.append(chunkCard(text, chunks, k, doc.max_tokens));
    box.append(frag);
    return k >= chunks.length;
  });
}

function chunkCard(text, chunks, k, maxTokens) {
  const c = chunks[k];
  const card = document.createElement("div");
  card.className = `chunk c${k % 5}`;
  card.dataset.index = String(k);
  card.dataset.start = String(c.start);
  card.dataset.end = String(c.end);
  card.dataset.tokens = String(c.tokens);
  const head = document.createElement("div");
  head.className = "chunk-head";
  const label = document.createElement("span");
  label.textContent = `#${k} · ${nf.format(c.tokens)} tokens`;
  const bar = document.createElement("div");
  bar.className = "fill-bar";
  const filled = document.createElement("div");
  filled.style.width = pct(c.tokens, maxTokens);
  bar.append(filled);
  head.append(label, bar);
  const body = document.createElement("div");
  body.className = "chunk-text";
  const shared = k > 0 ? Math.min(chunks[k - 1].end, c.end) : c.start;
  if (shared > c.start) {
    const repeated = document.createElement("span");
    repeated.className = "shared";
    repeated.title = `also in chunk #${k - 1} (overlap)`;
    repeated.textContent = text.slice(c.start, shared);
    body.append(repeated);
  }
  body.append(document.createTextNode(text.slice(Math.max(shared, c.start), c.end)));
  card.append(head, body);
  return card;
}

// ------------------------------------------------------------------------ chat request

async function updateChat(seq) {
  const raw = $("chat-input").value;
  const model = state.model;
  let request;
  if (raw.trim() === "") {
    clearFigures();
    showChat(null, null, model, "");
    setStatus("paste a Chat Completions request body");
    return;
  }
  try {
    request = JSON.parse(raw);
  } catch (err) {
    clearFigures();
    showChat(null, null, model, `not valid JSON: ${err.message}`);
    setStatus("not valid JSON", true);
    return;
  }
  const t0 = performance.now();
  const [chat, check] = await Promise.all([
    attempt(api("/api/chat", { request, model })),
    attempt(api("/api/check", { request, model, ...budgetSettings() })),
  ]);
  if (seq !== state.seq) return;
  if (chat.error) {
    clearFigures();
    showChat(null, null, model, String(chat.error.message || chat.error));
    setStatus(chat.error.detail ? chat.error.detail.code : "error", true);
    return;
  }
  const doc = chat.doc;
  const apiMs = performance.now() - t0;
  renderCheck(check, doc.total, doc);
  showChat(doc, request, model, "");
  setStatus(`${nf.format(doc.total)} tokens · API ${apiMs.toFixed(0)} ms`);
}

function showChat(doc, request, model, error) {
  const pane = $("chat-pane");
  $("chat-error").hidden = !error;
  $("chat-error").textContent = error;
  $("chat-table").hidden = !doc;
  $("chat-rows").replaceChildren(...(doc ? chatRows(doc, requestMessages(request)) : []));
  const other = doc && doc.request_model && doc.request_model !== model;
  $("chat-note").textContent = other
    ? `The request names ${doc.request_model}; counted for ${doc.model || model} (the model picker).`
    : "";
  pane.dataset.model = doc ? model : "";
}

function requestMessages(request) {
  // A Batch API input line wraps the request in "body" (as the server unwraps it).
  const body = request && request.custom_id !== undefined && request.body ? request.body : request;
  return Array.isArray(body && body.messages) ? body.messages : [];
}

function preview(message) {
  // What a message says, as plain text for its row (drawn with textContent only).
  const content = message ? message.content : null;
  let text = "";
  if (typeof content === "string") {
    text = content;
  } else if (Array.isArray(content)) {
    text = content.map((part) => (part && part.type === "text" ? part.text
      : `[${part && part.type === "image_url" ? "image" : String(part && part.type)}]`)).join(" ");
  }
  text = text.replace(/\s+/g, " ").trim();
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

function row(kind, cells, tokens, total) {
  const tr = document.createElement("tr");
  tr.dataset.kind = kind;
  for (const value of cells) {
    const td = document.createElement("td");
    td.textContent = value;
    tr.append(td);
  }
  const num = document.createElement("td");
  num.className = "num";
  num.textContent = nf.format(tokens);
  const share = document.createElement("td");
  share.className = "share";
  const bar = document.createElement("div");
  bar.className = "share-bar";
  bar.style.width = total > 0 ? pct(Math.max(0, tokens), total) : "0%";
  share.append(bar);
  tr.append(num, share);
  return tr;
}

function chatRows(doc, messages) {
  const total = doc.total;
  const rows = doc.messages.map((m) => {
    let detail = preview(messages[m.index]);
    if (m.calls.length) detail = `${detail} → calls ${m.calls.join(", ")}`.trim();
    if (m.tool_call_id !== null) detail = `(answers ${m.tool_call_id}) ${detail}`;
    const tr = row("message", [String(m.index), m.role, m.name ?? "", detail], m.tokens, total);
    tr.dataset.index = String(m.index);
    return tr;
  });
  for (const d of doc.tools.definitions) {
    rows.push(row("tool", ["", "tools", d.name, "definition"], d.tokens, total));
  }
  if (doc.tools.tokens !== 0) {
    rows.push(row("tools-shared", ["", "tools", "",
      "shared: the tools block frame, fixed overhead, tool_choice"], doc.tools.shared, total));
  }
  rows.push(row("overhead", ["", "", "", "reply priming"], doc.overhead, total));
  rows.push(row("total", ["", "total", "", ""], total, total));
  return rows;
}

// ------------------------------------------------------------------------ figures

function money(s) {
  if (s === null || s === undefined) return "–";
  const [whole, frac = ""] = s.split(".");
  const trimmed = frac.replace(/0+$/, "");
  return `$${whole}.${trimmed.padEnd(2, "0")}`;
}

function pct(part, whole) {
  return `${Math.max(0, Math.min(100, (100 * part) / whole))}%`;
}

function clearFigures() {
  for (const id of ["count", "chars", "cpt", "cost"]) $(id).textContent = "–";
  for (const id of ["encoding", "cost-notes", "budget-text", "verdict"]) $(id).textContent = "";
  $("budget").hidden = true;
  $("budget-error").hidden = true;
}

// What /api/check answered (check.doc: its figures and budget), or why it failed
// (check.error: e.g. a bad max output, in the library's words); the count comes from
// the other request of the update so it shows either way.
function renderCheck(check, count, who) {
  if (check.error) {
    clearFigures();
    $("count").textContent = nf.format(count);
    $("encoding").textContent = `${who.model || ""} · ${who.encoding}`;
    $("budget-error").textContent = String(check.error.message || check.error);
    $("budget-error").hidden = false;
    return;
  }
  renderFigures(check.doc.figures, who);
  renderBudget(check.doc.budget);
}

function renderFigures(fig, who) {
  $("count").textContent = nf.format(fig.tokens);
  $("chars").textContent = fig.characters === null ? "–" : nf.format(fig.characters);
  $("cpt").textContent = fig.chars_per_token === null ? "–" : fig.chars_per_token.toFixed(2);
  // No price (open-weight, fine-tuned, unlisted models): say so, and why, in the notes.
  $("cost").textContent = fig.input_cost === null ? "no price" : money(fig.input_cost);
  $("cost-notes").textContent = fig.cost_notes.join(" ");
  $("encoding").textContent = `${who.model || ""} · ${who.encoding}`;
}

// The budget bar draws tokbudget.check's report as it is (no figure is worked out
// here): across the context window, the prompt, the reserve and the room left for
// output, with marks at the max input (where it is below the window) and at the
// prompt budget (where the prompt has to end).
function renderBudget(b) {
  $("budget-error").hidden = true;
  if (!b || !b.context_window) {
    $("budget").hidden = true;
    return;
  }
  $("budget").hidden = false;
  const ctx = b.context_window;
  const place = (id, from, size) => {
    $(id).style.left = pct(from, ctx);
    $(id).style.width = pct(size, ctx);
  };
  place("bar-prompt", 0, b.prompt_tokens);
  place("bar-reserve", b.prompt_tokens, b.reserve);
  place("bar-room", b.prompt_tokens + b.reserve, b.completion_room);
  $("bar-prompt").classList.toggle("over", !b.fits);
  const cap = b.max_input_tokens;
  $("bar-input-cap").hidden = cap === null || cap >= ctx;
  $("bar-input-cap").style.left = pct(cap || 0, ctx);
  $("bar-budget").style.left = pct(b.prompt_budget, ctx);
  $("verdict").textContent = b.fits ? "fits" : `does not fit: over by ${nf.format(b.overflow)}`;
  $("verdict").className = b.fits ? "fits" : "over";
  $("budget").dataset.fits = String(b.fits);
  const parts = [
    `prompt ${nf.format(b.prompt_tokens)}`,
    `budget ${nf.format(b.prompt_budget)} (${b.reason})`,
    cap === null ? null : `max input ${nf.format(cap)}`,
    `context window ${nf.format(ctx)}`,
    `max output ${b.max_output_tokens === null ? "–" : nf.format(b.max_output_tokens)}`,
    b.reserve ? `reserve ${nf.format(b.reserve)}` : null,
    `room for output ${nf.format(b.completion_room)}`,
  ];
  $("budget-text").textContent = parts.filter((p) => p !== null).join(" · ");
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
  for (const tab of document.querySelectorAll("#modes [role=tab]")) {
    tab.addEventListener("click", () => setMode(tab.dataset.mode));
  }
  $("model").addEventListener("change", (e) => { state.model = e.target.value; schedule(); });
  $("tokens").addEventListener("mouseover", onHover);
  $("tokens").addEventListener("mouseleave", () => { $("tip").hidden = true; });
  document.body.dataset.ready = "1";
  schedule();
}

main();
