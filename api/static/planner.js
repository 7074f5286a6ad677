// Planner page: lists suggestions of a published plan and approves / overrides them through
// the JSON API. Plain JS, no build step. The API key stays in this tab (sessionStorage).
"use strict";

const REASONS = ["promo_not_in_data", "supplier_issue", "local_event", "other"];
const $ = (id) => document.getElementById(id);

function apiKey() { return $("api-key").value.trim(); }

function showMessage(text, isError) {
  const box = $("message");
  box.textContent = text;
  box.className = isError ? "error" : "";
}

async function callApi(path, options = {}) {
  const headers = Object.assign({ Authorization: "Bearer " + apiKey() }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  let body = null;
  const type = response.headers.get("content-type") || "";
  if (type.includes("application/json")) body = await response.json();
  if (!response.ok) {
    let detail = body && body.detail;
    if (Array.isArray(detail)) detail = detail.map((d) => d.msg || JSON.stringify(d)).join("; ");
    throw new Error(`${response.status}: ${detail || response.statusText}`);
  }
  return body;
}

function filterQuery(extra) {
  const params = new URLSearchParams(extra || {});
  for (const [id, name] of [["plan-date", "date"], ["location", "location"], ["sku", "sku"], ["flag", "flag"]]) {
    const value = $(id).value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

// The service target column: class badge ("BY"), then group and target fill rate when known.
// Suggestions of plans stored before these fields existed have nulls: the cell stays empty.
function serviceCell(row, s) {
  const td = cell(row, "", "service");
  if (s.service_class) {
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = s.service_class;
    td.append(badge, " ");
  }
  const parts = [];
  if (s.service_group) parts.push(s.service_group);
  if (s.target_fill_rate !== null && s.target_fill_rate !== undefined) {
    parts.push((100 * s.target_fill_rate).toFixed(1) + "%");
  }
  td.append(parts.join(" · "));
  return td;
}

function renderRow(tbody, s) {
  const tr = document.createElement("tr");
  tr.dataset.id = s.id;
  tr.className = s.review_status;
  cell(tr, s.location);
  cell(tr, s.sku);
  cell(tr, s.order_qty, "num");
  cell(tr, s.final_qty, "num final");
  cell(tr, s.review_status + (s.reason_code ? ` (${s.reason_code})` : ""), "status");
  serviceCell(tr, s);
  cell(tr, s.flags);
  cell(tr, s.explanation);
  const review = cell(tr, "");
  const approve = document.createElement("button");
  approve.textContent = "Approve";
  approve.className = "approve";
  approve.addEventListener("click", () => act(s.id, "approve", {}));
  const qty = document.createElement("input");
  qty.type = "number"; qty.min = "0"; qty.step = "any"; qty.className = "qty";
  qty.value = s.final_qty !== null ? s.final_qty : s.order_qty;
  const reason = document.createElement("select");
  reason.className = "reason";
  for (const code of REASONS) {
    const option = document.createElement("option");
    option.value = code; option.textContent = code;
    reason.appendChild(option);
  }
  const comment = document.createElement("input");
  comment.placeholder = "comment"; comment.className = "comment";
  const override = document.createElement("button");
  override.textContent = "Override";
  override.className = "override";
  override.addEventListener("click", () => act(s.id, "override", {
    quantity: Number(qty.value), reason_code: reason.value, comment: comment.value || null,
  }));
  review.append(approve, " ", qty, reason, comment, override);
  tbody.appendChild(tr);
}

async function act(id, action, body) {
  try {
    const result = await callApi(`/v1/suggestions/${id}/${action}`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const s = result.suggestion;
    await load();
    showMessage(`${s.sku} @ ${s.location}: ${s.review_status}, final ${s.final_qty}`, false);
  } catch (error) {
    showMessage(error.message, true);
  }
}

async function load() {
  const tbody = document.querySelector("#suggestions tbody");
  try {
    const page = await callApi("/v1/suggestions?" + filterQuery({ limit: "1000" }));
    tbody.replaceChildren();
    for (const s of page.items) renderRow(tbody, s);
    const p = page.plan;
    $("plan").textContent =
      `Plan ${p.as_of} version ${p.version} (run ${p.plan_run_id}): ${page.total} suggestions`;
  } catch (error) {
    tbody.replaceChildren();
    showMessage(error.message, true);
  }
}

async function download(format) {
  try {
    const response = await fetch("/v1/suggestions/export?" + filterQuery({ format }), {
      headers: { Authorization: "Bearer " + apiKey() },
    });
    if (!response.ok) throw new Error(`${response.status}: export failed`);
    const blob = await response.blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `suggestions.${format}`;
    link.click();
  } catch (error) {
    showMessage(error.message, true);
  }
}

$("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem("supplycast-key", apiKey());
  showMessage("", false);
  load();
});
$("export-csv").addEventListener("click", (e) => { e.preventDefault(); download("csv"); });
$("export-xlsx").addEventListener("click", (e) => { e.preventDefault(); download("xlsx"); });
$("api-key").value = sessionStorage.getItem("supplycast-key") || "";
