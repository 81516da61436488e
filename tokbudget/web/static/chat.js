// Chat request mode: where a Chat Completions request's prompt tokens go.

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
  announce(`${nf.format(doc.total)} tokens`);
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
  bar.setAttribute("aria-hidden", "true"); // the tokens cell says it in words
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
