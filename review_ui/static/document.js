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
  const viewer = document.getElementById("viewer");
  const toast = document.getElementById("toast");
  let zoom = 1;
  let rotation = 0;
  let currentPage = null;
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

  /* ---------- page image: zoom, rotate, highlight, crops ---------- */
  function stage(page) { return viewer.querySelector(`.stage[data-page="${page}"]`); }

  function showPage(page) {
    if (currentPage === page) return;
    currentPage = page;
    viewer.querySelectorAll(".stage").forEach((s) => { s.hidden = s.dataset.page !== String(page); });
    document.querySelectorAll(".page-tab").forEach((b) =>
      b.classList.toggle("active", b.dataset.page === String(page)));
    applyTransform();
  }

  function applyTransform() {
    const s = stage(currentPage);
    if (!s) return;
    s.style.width = `${zoom * 100}%`;
    s.style.transform = rotation ? `rotate(${rotation}deg)` : "";
    document.getElementById("zoom-level").textContent = `${Math.round(zoom * 100)}%`;
  }

  function setZoom(value) {
    zoom = Math.min(4, Math.max(0.5, value));
    applyTransform();
    const row = currentRow();
    if (row) highlight(row);
  }

  function box(row) {
    return row.dataset.box ? row.dataset.box.split(",").map(Number) : null;
  }

  function highlight(row) {
    const page = row.dataset.page;
    showPage(page);
    const mark = stage(page).querySelector(".highlight");
    const b = box(row);
    if (!b) { mark.hidden = true; return; }
    mark.hidden = false;
    mark.style.left = `${b[0]}%`;
    mark.style.top = `${b[1]}%`;
    mark.style.width = `${b[2]}%`;
    mark.style.height = `${b[3]}%`;
    mark.scrollIntoView({ block: "center", inline: "center" });
  }

  /** Draw each field's enlarged crop from the one page image already loaded. */
  function drawCrops(img) {
    const page = img.dataset.page;
    const padX = img.naturalWidth * 0.01;
    const padY = img.naturalHeight * 0.01;
    for (const row of rows) {
      if (row.dataset.page !== page) continue;
      const b = box(row);
      const canvas = row.querySelector(".crop");
      if (!b) { canvas.hidden = true; continue; }
      const sx = Math.max(0, (b[0] / 100) * img.naturalWidth - padX);
      const sy = Math.max(0, (b[1] / 100) * img.naturalHeight - padY);
      const sw = Math.min(img.naturalWidth - sx, (b[2] / 100) * img.naturalWidth + 2 * padX);
      const sh = Math.min(img.naturalHeight - sy, (b[3] / 100) * img.naturalHeight + 2 * padY);
      canvas.width = Math.round(sw);
      canvas.height = Math.round(sh);
      canvas.getContext("2d").drawImage(img, sx, sy, sw, sh, 0, 0, canvas.width, canvas.height);
    }
  }
  document.querySelectorAll(".page-image").forEach((img) => {
    if (img.complete && img.naturalWidth) drawCrops(img);
    else img.addEventListener("load", () => drawCrops(img));
  });

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

  /* ---------- global keys and tools ---------- */
  document.addEventListener("keydown", (event) => {
    if (window.TaxIntake.isLocked() || !dialog.hidden) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      serial(approve);
    } else if (event.altKey && event.key === "ArrowUp") {
      event.preventDefault(); setZoom(zoom * 1.25);
    } else if (event.altKey && event.key === "ArrowDown") {
      event.preventDefault(); setZoom(zoom / 1.25);
    } else if (event.altKey && event.key === "0") {
      event.preventDefault(); setZoom(1);
    } else if (event.altKey && (event.key === "r" || event.key === "R")) {
      event.preventDefault(); rotation = (rotation + 90) % 360; applyTransform();
    }
  });
  document.getElementById("zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
  document.getElementById("zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));
  document.getElementById("zoom-fit").addEventListener("click", () => setZoom(1));
  document.getElementById("rotate").addEventListener("click", () => {
    rotation = (rotation + 90) % 360;
    applyTransform();
  });
  document.querySelectorAll(".page-tab").forEach((b) =>
    b.addEventListener("click", () => showPage(b.dataset.page)));

  /* ---------- start: cursor on the first field that needs a look ---------- */
  const first = rows.find((r) => r.dataset.group !== "rest" && !input(r).disabled);
  if (rows.length) showPage(rows[0].dataset.page);
  else if (viewer.querySelector(".stage")) showPage(viewer.querySelector(".stage").dataset.page);
  if (first) focusRow(first);
  else document.getElementById("approve").focus();
  document.addEventListener("unlocked", () => focusRow(currentRow() || first));
})();
