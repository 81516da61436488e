// Chunks mode: where tokbudget.split cuts the text, one card per chunk.

import {
  $, announce, api, attempt, nf, numberOrNull, pct, runBatches, setStatus, state,
} from "./page.js";
import { renderCheck } from "./figures.js";

const BATCH_CHUNKS = 200; // chunks built per turn of the event loop

export async function updateChunks(seq) {
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
  announce(`${nf.format(doc.count)} chunks`);
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
  bar.setAttribute("aria-hidden", "true"); // the label says it in words
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
