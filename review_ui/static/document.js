/* The document screen: keyboard-first correction beside the page image (R15, issue 5).
 *
 * Enter: save (or confirm) the field and go to the next; Tab / Shift+Tab: next / previous;
 * Esc: revert the field; Ctrl+Enter: approve and open the next document.
 * Alt+↑ / Alt+↓ / Alt+0: zoom; Alt+R: rotate. Every action also has a button.
 */
"use strict";
(function () {
  const root = document.getElementById("doc");
  const docId = root.dataset.document;
  const editable = root.dataset.editable === "true";
  const post = window.TaxIntake.post;
  const fieldsEl = document.getElementById("fields");
  const rows = Array.from(fieldsEl.querySelectorAll(".field"));
  const byId = new Map(rows.map((row) => [row.dataset.id, row]));
  const toast = document.getElementById("toast");
  let liveTimer = null;
  // Keyboard actions run one after another: a second Enter waits for the first save.
  let chain = Promise.resolve();
  function serial(action) {
    chain = chain.then(action).catch(() => {});
    return chain;
  }

  /* ---------- feedback ---------- */
  function say(message, isError) {
    toast.textContent = message;
    toast.classList.toggle("error", Boolean(isError));
    toast.hidden = false;
    clearTimeout(say.timer);
    say.timer = setTimeout(() => { toast.hidden = true; }, 4000);
  }

  function renderFindings(list, items) {
    list.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      li.className = item.severity;
      li.textContent = item.message;
      return li;
    }));
  }

  /** Apply the server's fresh validation state to every row (no re-sorting while working). */
  function applyState(state) {
    for (const f of state.fields) {
      const row = byId.get(String(f.id));
      if (!row) continue;
      renderFindings(row.querySelector(".findings"), f.findings);
      row.classList.toggle("has-error", f.findings.some((x) => x.severity === "error"));
      row.classList.toggle("has-warning", f.findings.some((x) => x.severity === "warning"));
      row.classList.toggle("needs-review", f.needs_review);
      row.querySelector(".state").textContent =
        f.needs_review ? "未確認" : (f.source === "human" ? "訂正済" : "確認済");
    }
    renderFindings(document.getElementById("record-findings"), state.record_findings);
    const blockers = document.getElementById("blockers");
    blockers.replaceChildren(...state.blockers.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }));
  }

  const pageViewer = window.PageViewer.create(rows);
  const highlight = pageViewer.highlight;

  /* ---------- fields ---------- */
  function input(row) { return row.querySelector(".value"); }
  function textOf(el) { return el.type === "checkbox" ? (el.checked ? "1" : "") : el.value; }
  function savedOf(el) { return el.dataset.saved === "0" ? "" : el.dataset.saved; }
  function setText(el, text) {
    if (el.type === "checkbox") el.checked = text === "1";
    else el.value = text;
  }
  function currentRow() {
    const active = document.activeElement;
    return active && active.closest ? active.closest(".field") : null;
  }
  function focusables() {
    return rows.filter((row) => !input(row).disabled);
  }

  function focusRow(row) {
    if (!row) return;
    const el = input(row);
    if (el.disabled) { highlight(row); row.scrollIntoView({ block: "nearest" }); return; }
    el.focus();
    if (el.select && !el.dataset.hidden) el.select();
  }

  function neighbour(row, step) {
    const list = focusables();
    const index = list.indexOf(row);
    return list[index + step] || null;
  }

  /** Save the row if its value changed; with confirm=true also accept an unchanged value. */
  async function commit(row, confirm) {
    if (!editable || !row) return true;
    const el = input(row);
    if (el.disabled || el.dataset.hidden) return true;
    const text = textOf(el);
    let response;
    if (text !== savedOf(el)) {
      response = await post(`/documents/${docId}/fields/${row.dataset.id}`, { text });
    } else if (confirm && row.classList.contains("needs-review")) {
      response = await post(`/documents/${docId}/confirm`, { field_ids: [Number(row.dataset.id)] });
    } else {
      return true;
    }
    const body = await response.json();
    if (!response.ok) {
      say(body.message || "保存できませんでした。", true);
      renderFindings(row.querySelector(".findings"), [{ severity: "error", message: body.message }]);
      return false;
    }
    el.dataset.saved = text;
    applyState(body);
    return true;
  }

  function revert(row) {
    const el = input(row);
    setText(el, savedOf(el));
    liveValidate(row);
  }

  /** Live validation: what the rules say about the value being typed (nothing saved). */
  function liveValidate(row) {
    clearTimeout(liveTimer);
    liveTimer = setTimeout(async () => {
      const el = input(row);
      try {
        const response = await post(
          `/documents/${docId}/fields/${row.dataset.id}/validate`, { text: textOf(el) });
        const body = await response.json();
        if (response.ok) {
          applyState(body);
          row.classList.remove("bad-format");
        } else {
          row.classList.add("bad-format");
          renderFindings(row.querySelector(".findings"),
            [{ severity: "error", message: body.message }]);
        }
      } catch (e) { /* locked or logged out: handled by post() */ }
    }, 250);
  }

  rows.forEach((row) => {
    const el = input(row);
    el.addEventListener("focus", () => {
      rows.forEach((r) => r.classList.toggle("current", r === row));
      highlight(row);
    });
    el.addEventListener("input", () => liveValidate(row));
    el.addEventListener("change", () => { if (el.type === "checkbox") liveValidate(row); });
    // Leaving a field by mouse saves it too.
    el.addEventListener("blur", () => { commit(row, false).catch(() => {}); });
    row.addEventListener("mousedown", (event) => {
      if (event.target === row || event.target.classList.contains("crop")
          || event.target.classList.contains("label")) {
        event.preventDefault();
        focusRow(row);
      }
    });
  });

  fieldsEl.addEventListener("keydown", (event) => {
    const row = currentRow();
    if (!row || window.TaxIntake.isLocked()) return;
    if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && !event.isComposing) {
      event.preventDefault();
      const back = event.shiftKey;
      serial(async () => {
        if (input(row).dataset.hidden) { await reveal(row); return; }
        if (await commit(row, true)) focusRow(neighbour(row, back ? -1 : 1) || row);
      });
    } else if (event.key === "Escape") {
      event.preventDefault();
      revert(row);
    }
  });

  /** Show a 個人番号 in clear: an explicit, audited request (R31); then it can be edited. */
  async function reveal(row) {
    const response = await post(`/documents/${docId}/fields/${row.dataset.id}/reveal`);
    const body = await response.json();
    if (!response.ok) { say(body.message, true); return; }
    const el = input(row);
    el.value = body.text;
    el.dataset.saved = body.text;
    delete el.dataset.hidden;
    el.readOnly = !editable;
    const button = row.querySelector(".reveal");
    if (button) button.remove();
    focusRow(row);
  }
  document.querySelectorAll(".reveal").forEach((button) => {
    button.addEventListener("click", () => reveal(byId.get(button.dataset.id)).catch(() => {}));
  });

  const confirmRest = document.getElementById("confirm-rest");
  if (confirmRest) {
    confirmRest.addEventListener("click", async () => {
      const ids = rows.filter((r) => r.dataset.group === "rest" && !input(r).disabled)
        .map((r) => Number(r.dataset.id));
      const response = await post(`/documents/${docId}/confirm`, { field_ids: ids });
      const body = await response.json();
      if (!response.ok) { say(body.message, true); return; }
      applyState(body);
      say(`${ids.length} 項目を確認済みにしました。`);
    });
  }

  /* ---------- approval ---------- */
  const dialog = document.getElementById("confirm-dialog");
  function askWarnings(warnings) {
    return new Promise((resolve) => {
      const list = document.getElementById("confirm-warnings");
      list.replaceChildren(...warnings.map((w) => {
        const li = document.createElement("li");
        li.textContent = w;
        return li;
      }));
      dialog.hidden = false;
      const yes = document.getElementById("confirm-yes");
      const no = document.getElementById("confirm-no");
      const done = (answer) => {
        dialog.hidden = true;
        dialog.removeEventListener("keydown", onKey);
        yes.onclick = no.onclick = null;
        resolve(answer);
      };
      const onKey = (event) => {
        if (event.key === "Escape") { event.preventDefault(); done(false); }
      };
      dialog.addEventListener("keydown", onKey);
      yes.onclick = () => done(true);
      no.onclick = () => done(false);
      yes.focus();
    });
  }

  async function approve() {
    if (!editable) return;
    const row = currentRow();
    if (row && !(await commit(row, false))) return;
    let response = await post(`/documents/${docId}/approve`, {});
    let body = await response.json();
    if (response.status === 409) {
      if (!(await askWarnings(body.warnings))) { focusRow(row || focusables()[0]); return; }
      response = await post(`/documents/${docId}/approve`, { acknowledge_warnings: true });
      body = await response.json();
    }
    if (!response.ok) {
      say(body.message || "承認できませんでした。", true);
      return;
    }
    window.location.href = body.next;
  }
  document.getElementById("approve").addEventListener("click", approve);

  /* ---------- global keys ---------- */
  document.addEventListener("keydown", (event) => {
    if (window.TaxIntake.isLocked() || !dialog.hidden) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.shiftKey) {
      event.preventDefault();
      if (confirmRest) confirmRest.click();
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      serial(approve);
    }
  });

  /* ---------- start: cursor on the first field that needs a look ---------- */
  const first = rows.find((r) => r.dataset.group !== "rest" && !input(r).disabled);
  if (first) focusRow(first);
  else document.getElementById("approve").focus();
  document.addEventListener("unlocked", () => focusRow(currentRow() || first));
})();
