/* Entry screens of the double check (R16): the blind second entry and the resolve step.
 * Enter: next field; Shift+Enter: previous; Esc: clear; Ctrl+Enter: submit. */
"use strict";
(function () {
  const root = document.getElementById("doc");
  const post = window.TaxIntake.post;
  const rows = Array.from(document.querySelectorAll("#fields .field"));
  const pageViewer = window.PageViewer.create(rows);
  const toast = document.getElementById("toast");
  let busy = false;

  function say(message, isError) {
    toast.textContent = message;
    toast.classList.toggle("error", Boolean(isError));
    toast.hidden = false;
    clearTimeout(say.timer);
    say.timer = setTimeout(() => { toast.hidden = true; }, 4000);
  }
  function input(row) { return row.querySelector(".value"); }
  function focusRow(row) { if (row) { input(row).focus(); input(row).select(); } }

  rows.forEach((row) => {
    input(row).addEventListener("focus", () => {
      rows.forEach((r) => r.classList.toggle("current", r === row));
      pageViewer.highlight(row);
    });
    row.addEventListener("keydown", (event) => {
      if (window.TaxIntake.isLocked()) return;
      const index = rows.indexOf(row);
      if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && !event.isComposing) {
        event.preventDefault();
        focusRow(rows[index + (event.shiftKey ? -1 : 1)] || row);
      } else if (event.key === "Escape" && !input(row).readOnly) {
        event.preventDefault();
        input(row).value = "";
      }
    });
  });

  // Resolve step: pick one of the two entries with a click.
  document.querySelectorAll(".pick").forEach((button) => {
    button.addEventListener("click", () => {
      const el = document.getElementById(button.dataset.for);
      if (el.dataset.hidden) { say("先に個人番号を表示してください。", true); return; }
      el.value = button.dataset.value;
      focusRow(el.closest(".field"));
    });
  });
  const reveal = document.getElementById("reveal");
  if (reveal) {
    reveal.addEventListener("click", async () => {
      const response = await post(reveal.dataset.url);
      const body = await response.json();
      if (!response.ok) { say(body.message, true); return; }
      for (const [id, pair] of Object.entries(body)) {
        const row = rows.find((r) => r.dataset.id === id);
        if (!row) continue;
        const [first, second] = row.querySelectorAll(".pick");
        first.dataset.value = pair.first;
        first.querySelector(".first").textContent = pair.first || "（空欄）";
        second.dataset.value = pair.second;
        second.querySelector(".second").textContent = pair.second || "（空欄）";
        delete input(row).dataset.hidden;
        input(row).readOnly = false;
      }
      reveal.remove();
    });
  }

  async function submit() {
    if (busy) return;
    busy = true;
    try {
      const values = {};
      rows.forEach((row) => { values[row.dataset.id] = input(row).value; });
      const response = await post(root.dataset.submit, { values });
      const body = await response.json();
      if (!response.ok) { say(body.message || "確定できませんでした。", true); return; }
      if (body.differences) say(`${body.differences} 件の不一致がありました。解決待ちに回します。`);
      window.location.href = body.next;
    } finally {
      busy = false;
    }
  }
  document.getElementById("submit").addEventListener("click", () => submit().catch(() => {}));
  document.addEventListener("keydown", (event) => {
    if (window.TaxIntake.isLocked()) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit().catch(() => {});
    }
  });
  focusRow(rows[0]);
})();
