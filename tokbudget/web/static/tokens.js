// Text mode: the text's tokens, highlighted, with their ids and bytes on hover or, from
// the keyboard, with the arrow keys once the token box has the focus.

import {
  $, announce, api, attempt, budgetSettings, nf, runBatches, setStatus, state,
} from "./page.js";
import { clearFigures, renderCheck } from "./figures.js";

const MAX_SPANS = 100000; // beyond this, the rest of the text is shown unhighlighted
export async function updateText(seq) {
  const text = $("input").value;
  const model = state.model;
  const body = { text, model };
  const t0 = performance.now();
  const [tok, check] = await Promise.all([
    attempt(api("/api/tokenize", { ...body, offsets: "utf16" })),
    attempt(api("/api/check", { ...body, ...budgetSettings() })),
  ]);
  const apiMs = performance.now() - t0;
  if (seq !== state.seq) return;
  if (tok.error) {
    showTokenError(tok.error, check, model);
    return;
  }
  $("token-error").hidden = true;
  $("tokens").dataset.error = "";
  renderCheck(check, tok.doc.count, tok.doc);
  if (await renderTokens(text, tok.doc.tokens, seq)) $("tokens").dataset.model = model;
  setStatus(`${nf.format(tok.doc.count)} tokens · API ${apiMs.toFixed(0)} ms`);
  announce(`${nf.format(tok.doc.count)} tokens`);
  $("tokens").dataset.apiMs = apiMs.toFixed(1);
}

// A failed /api/tokenize (a text over its token cap, an unknown model, a server error):
// the previous text's tokens go, the message shows in their place, and the figures show
// what /api/check could still say (the count of a text too long to highlight).
function showTokenError(error, check, model) {
  const detail = error.detail || {};
  clearTokens();
  const message = detail.code === "too_many_tokens"
    ? `${nf.format(detail.tokens)} tokens: too many to highlight (the page shows the tokens `
      + `of texts up to ${nf.format(detail.limit)} tokens); the figures are for the whole text`
    : String(error.message || error);
  $("token-error").textContent = message;
  $("token-error").hidden = false;
  $("tokens").dataset.model = model;
  $("tokens").dataset.error = detail.code || "error";
  if (check.error) {
    clearFigures();
  } else {
    renderCheck(check, check.doc.figures.tokens, check.doc);
  }
  setStatus(detail.code || "error", true); // #token-error is an alert: it is read out
}

function clearTokens() {
  state.text = "";
  state.tokens = [];
  state.current = null;
  $("tokens").replaceChildren();
  $("render-info").textContent = "";
  $("tip").hidden = true;
}

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
  state.current = null;
  const box = $("tokens");
  box.replaceChildren();
  if (document.activeElement !== box) $("tip").hidden = true;
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

export function onHover(event) {
  const span = event.target.closest ? event.target.closest(".tok") : null;
  const tip = $("tip");
  if (!span || span.tokFirst === undefined) {
    tip.hidden = true;
    return;
  }
  showTip(span, event.clientX + 12, event.clientY + 16);
}

function showTip(span, x, y) {
  const tip = $("tip");
  tip.textContent = describe(span.tokFirst, span.tokLast);
  tip.hidden = false;
  tip.style.left = `${Math.max(0, Math.min(x, window.innerWidth - 320))}px`;
  tip.style.top = `${y}px`;
}

// ------------------------------------------------------------------------ keyboard

// The token box is one tab stop. With the focus on it, the arrow keys (and Home / End)
// move a cursor over the drawn tokens; the cursor's token gets the tooltip and its
// details are read out (the #token-detail live region, which changes only on these
// keys). Walking the drawn spans in place keeps this cheap for 100,000 of them.
function isToken(el) {
  return el !== null && el.tokFirst !== undefined;
}

function firstToken(block) {
  for (let b = block; b; b = b.nextElementSibling) {
    for (let el = b.firstElementChild; el; el = el.nextElementSibling) if (isToken(el)) return el;
  }
  return null;
}

function lastToken(block) {
  for (let b = block; b; b = b.previousElementSibling) {
    for (let el = b.lastElementChild; el; el = el.previousElementSibling) if (isToken(el)) return el;
  }
  return null;
}

function step(span, forward) {
  const sibling = forward ? span.nextElementSibling : span.previousElementSibling;
  if (isToken(sibling)) return sibling;
  const block = forward ? span.parentElement.nextElementSibling
    : span.parentElement.previousElementSibling;
  return forward ? firstToken(block) : lastToken(block);
}

function moveTo(span) {
  if (!span) return;
  if (state.current) state.current.classList.remove("current");
  state.current = span;
  span.classList.add("current");
  span.scrollIntoView({ block: "nearest" });
  const rect = span.getBoundingClientRect();
  showTip(span, rect.left, rect.bottom + 6);
  $("token-detail").textContent = describe(span.tokFirst, span.tokLast);
}

export function onTokenKey(event) {
  const box = $("tokens");
  const current = state.current && box.contains(state.current) ? state.current : null;
  let next;
  switch (event.key) {
    case "ArrowRight": case "ArrowDown":
      next = current ? step(current, true) : firstToken(box.firstElementChild);
      break;
    case "ArrowLeft": case "ArrowUp":
      next = current ? step(current, false) : lastToken(box.lastElementChild);
      break;
    case "Home": next = firstToken(box.firstElementChild); break;
    case "End": next = lastToken(box.lastElementChild); break;
    case "Escape": $("tip").hidden = true; return;
    default: return;
  }
  event.preventDefault();
  moveTo(next);
}

export function onTokensFocus() {
  const box = $("tokens");
  moveTo(state.current && box.contains(state.current) ? state.current
    : firstToken(box.firstElementChild));
}

export function onTokensBlur() {
  if (state.current) state.current.classList.remove("current");
  $("tip").hidden = true;
}
