// Text mode: the text's tokens, highlighted, with their ids and bytes on hover.

import { $, api, attempt, budgetSettings, nf, runBatches, setStatus, state } from "./page.js";
import { renderCheck } from "./figures.js";

const MAX_SPANS = 100000; // beyond this, the rest of the text is shown unhighlighted
export async function updateText(seq) {
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
  tip.textContent = describe(span.tokFirst, span.tokLast);
  tip.hidden = false;
  tip.style.left = `${Math.min(event.clientX + 12, window.innerWidth - 320)}px`;
  tip.style.top = `${event.clientY + 16}px`;
}
