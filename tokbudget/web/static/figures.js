// The figures above the panes: counts, cost, and the budget bar (tokbudget.check's report).

import { $, nf, money, pct } from "./page.js";

export function clearFigures() {
  for (const id of ["count", "chars", "cpt", "cost"]) $(id).textContent = "–";
  for (const id of ["encoding", "cost-notes", "budget-text", "verdict"]) $(id).textContent = "";
  $("budget").hidden = true;
  $("budget-error").hidden = true;
}

// What /api/check answered (check.doc: its figures and budget), or why it failed
// (check.error: e.g. a bad max output, in the library's words); the count comes from
// the other request of the update so it shows either way.
export function renderCheck(check, count, who) {
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

export function renderFigures(fig, who) {
  $("count").textContent = nf.format(fig.tokens);
  $("chars").textContent = fig.characters === null ? "–" : nf.format(fig.characters);
  $("cpt").textContent = fig.chars_per_token === null ? "–" : fig.chars_per_token.toFixed(2);
  // No price (open-weight, fine-tuned, unlisted models): say so, and why, in the notes.
  $("cost").textContent = fig.input_cost === null ? "no price" : money(fig.input_cost);
  // Notes about the model itself (shutdown dates, an assumed encoding) come after.
  $("cost-notes").textContent = [...fig.cost_notes, ...(fig.model_notes || [])].join(" ");
  $("encoding").textContent = `${who.model || ""} · ${who.encoding}`;
}

// The budget bar draws tokbudget.check's report as it is (no figure is worked out
// here): across the context window, the prompt, the reserve and the room left for
// output, with marks at the max input (where it is below the window) and at the
// prompt budget (where the prompt has to end).
export function renderBudget(b) {
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
