// Request mode: where a request's prompt tokens go (Chat Completions or Responses API).
// The server reads the body (one reader for both APIs and Batch lines) and sends each
// row's preview, so this page never parses a request itself.

import {
  $, announce, api, attempt, budgetSettings, nf, pct, setStatus, state,
} from "./page.js";
import { clearFigures, renderCheck } from "./figures.js";

export async function updateChat(seq) {
  const raw = $("chat-input").value;
  const model = state.model;
  let request;
  if (raw.trim() === "") {
    clearFigures();
    showChat(null, null, model, "");
    setStatus("paste a Chat Completions or Responses API request body");
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
  announce(`${nf.format(doc.total)} tokens`);
}

function showChat(doc, request, model, error) {
  const pane = $("chat-pane");
  $("chat-error").hidden = !error;
  $("chat-error").textContent = error;
  $("chat-table").hidden = !doc;
  $("chat-rows").replaceChildren(...(doc ? chatRows(doc) : []));
  const other = doc && doc.request_model && doc.request_model !== model;
  $("chat-note").textContent = other
    ? `The request names ${doc.request_model}; counted for ${doc.model || model} (the model picker).`
    : "";
  pane.dataset.model = doc ? model : "";
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
  bar.setAttribute("aria-hidden", "true"); // the tokens cell says it in words
  bar.style.width = total > 0 ? pct(Math.max(0, tokens), total) : "0%";
  share.append(bar);
  tr.append(num, share);
  return tr;
}

function chatRows(doc) {
  const total = doc.total;
  const rows = doc.messages.map((m) => {
    let detail = m.preview;
    if (m.calls.length) detail = `${detail} → calls ${m.calls.join(", ")}`.trim();
    if (m.tool_call_id !== null) detail = `(answers ${m.tool_call_id}) ${detail}`;
    if (m.estimated) detail = `${detail} (estimate)`;
    const label = m.index === null ? m.part : String(m.index);
    const tr = row("message", [label, m.role, m.name ?? "", detail], m.tokens, total);
    tr.dataset.index = m.index === null ? "" : String(m.index);
    return tr;
  });
  for (const d of doc.tools.definitions) {
    rows.push(row("tool", ["", "tools", d.name, "definition"], d.tokens, total));
  }
  if (doc.tools.tokens !== 0) {
    rows.push(row("tools-shared", ["", "tools", "",
      "shared: the tools block frame, fixed overhead, tool_choice"], doc.tools.shared, total));
  }
  if (doc.response_format !== 0) {
    rows.push(row("format", ["", "format", "", "structured output schema (estimate)"],
      doc.response_format, total));
  }
  rows.push(row("overhead", ["", "", "", "reply priming"], doc.overhead, total));
  rows.push(row("total", ["", "total", "", ""], total, total));
  return rows;
}
