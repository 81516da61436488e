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
// input amounts to. The elements of a mode carry data-mode="<name>"; setMode shows
// them and hides the others' (a new mode is an entry here and its elements).
const modes = {
  text: { input: "input", update: updateText },
  chat: { input: "chat-input", update: updateChat },
};

function setMode(name) {
  if (!(name in modes) || name === state.mode) return;
  state.mode = name;
  state.seq++; // an answer still on its way belongs to the other mode: drop it
  document.body.dataset.mode = name;
  for (const el of document.querySelectorAll("main [data-mode]")) {
    el.hidden = el.dataset.mode !== name;
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

async function updateText(seq) {
  const text = $("input").value;
  const model = state.model;
  const body = { text, model };
  const t0 = performance.now();
  const [tok, check] = await Promise.all([
    api("/api/tokenize", { ...body, offsets: "utf16" }),
    api("/api/check", body),
  ]);
  const apiMs = performance.now() - t0;
  if (seq !== state.seq) return;
  renderFigures(check.figures, tok);
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

  return new Promise((resolve) => {
    function step() {
      if (seq !== state.seq || state.dirty) return resolve(false); // newer text waits
      batch();
      if (i < limit) return setTimeout(step, 0);
      const ms = performance.now() - t0;
      box.dataset.renderMs = ms.toFixed(1);
      box.dataset.longestBatchMs = longest.toFixed(1);
      box.dataset.spans = String(group);
      $("render-info").textContent = tokens.length > MAX_SPANS
        ? `showing the first ${nf.format(MAX_SPANS)} of ${nf.format(tokens.length)} tokens`
        : `${nf.format(group)} spans drawn in ${ms.toFixed(0)} ms`;
      resolve(true);
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
  let doc;
  try {
    doc = await api("/api/chat", { request, model });
  } catch (err) {
    if (seq === state.seq) {
      clearFigures();
      showChat(null, null, model, String(err.message || err));
      setStatus(err.detail ? err.detail.code : "error", true);
    }
    return;
  }
  const apiMs = performance.now() - t0;
  if (seq !== state.seq) return;
  renderFigures(doc.figures, doc);
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
  return `${Math.min(100, (100 * part) / whole)}%`;
}

function clearFigures() {
  for (const id of ["count", "chars", "cpt", "cost"]) $(id).textContent = "–";
  for (const id of ["encoding", "cost-notes", "budget-text"]) $(id).textContent = "";
  $("budget").hidden = true;
}

function renderFigures(fig, tok) {
  $("count").textContent = nf.format(fig.tokens);
  $("chars").textContent = fig.characters === null ? "–" : nf.format(fig.characters);
  $("cpt").textContent = fig.chars_per_token === null ? "–" : fig.chars_per_token.toFixed(2);
  // No price (open-weight, fine-tuned, unlisted models): say so, and why, in the notes.
  $("cost").textContent = fig.input_cost === null ? "no price" : money(fig.input_cost);
  $("cost-notes").textContent = fig.cost_notes.join(" ");
  $("encoding").textContent = `${tok.model || ""} · ${tok.encoding}`;
  const ctx = fig.context_window;
  const prompt = $("bar-prompt");
  const room = $("bar-room");
  const cap = $("bar-input-cap");
  if (!ctx) {
    $("budget").hidden = true;
    return;
  }
  $("budget").hidden = false;
  const maxIn = fig.max_input_tokens || ctx;
  const maxOut = fig.max_output_tokens || ctx;
  const fits = fig.tokens <= maxIn;
  const roomForOutput = fits ? Math.max(0, Math.min(maxOut, ctx - fig.tokens)) : 0;
  prompt.style.width = pct(fig.tokens, ctx);
  prompt.classList.toggle("over", !fits);
  room.style.left = pct(fig.tokens, ctx);
  room.style.width = pct(roomForOutput, ctx);
  cap.hidden = maxIn >= ctx;
  cap.style.left = pct(maxIn, ctx);
  const parts = [
    `prompt ${nf.format(fig.tokens)}`,
    `max input ${nf.format(maxIn)}`,
    `context window ${nf.format(ctx)}`,
    `max output ${fig.max_output_tokens === null ? "–" : nf.format(fig.max_output_tokens)}`,
    fits ? `room for output ${nf.format(roomForOutput)}`
         : `over the input limit by ${nf.format(fig.tokens - maxIn)}`,
  ];
  $("budget-text").textContent = parts.join(" · ");
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
