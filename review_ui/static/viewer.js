/* The page image beside the values: page tabs, zoom, rotate, the current field's box
 * highlighted, and each field's enlarged crop drawn from the one loaded image (no extra
 * requests). Used by the correction, double-check and resolve screens. */
"use strict";
(function () {
  function create(rows) {
    const viewer = document.getElementById("viewer");
    let zoom = 1;
    let rotation = 0;
    let currentPage = null;
    let current = null;

    function stage(page) { return viewer.querySelector(`.stage[data-page="${page}"]`); }
    function box(row) { return row.dataset.box ? row.dataset.box.split(",").map(Number) : null; }

    function apply() {
      const s = stage(currentPage);
      if (!s) return;
      s.style.width = `${zoom * 100}%`;
      s.style.transform = rotation ? `rotate(${rotation}deg)` : "";
      document.getElementById("zoom-level").textContent = `${Math.round(zoom * 100)}%`;
    }

    function showPage(page) {
      if (currentPage === String(page)) return;
      currentPage = String(page);
      viewer.querySelectorAll(".stage").forEach((s) => { s.hidden = s.dataset.page !== currentPage; });
      document.querySelectorAll(".page-tab").forEach((b) =>
        b.classList.toggle("active", b.dataset.page === currentPage));
      apply();
    }

    function highlight(row) {
      current = row;
      showPage(row.dataset.page);
      const mark = stage(row.dataset.page).querySelector(".highlight");
      const b = box(row);
      if (!b) { mark.hidden = true; return; }
      mark.hidden = false;
      mark.style.left = `${b[0]}%`;
      mark.style.top = `${b[1]}%`;
      mark.style.width = `${b[2]}%`;
      mark.style.height = `${b[3]}%`;
      mark.scrollIntoView({ block: "center", inline: "center" });
    }

    function setZoom(value) {
      zoom = Math.min(4, Math.max(0.5, value));
      apply();
      if (current) highlight(current);
    }
    function rotate() { rotation = (rotation + 90) % 360; apply(); }

    function drawCrops(img) {
      const page = img.dataset.page;
      const padX = img.naturalWidth * 0.01;
      const padY = img.naturalHeight * 0.01;
      for (const row of rows) {
        if (row.dataset.page !== page) continue;
        const b = box(row);
        const canvas = row.querySelector(".crop");
        if (!canvas) continue;
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

    document.getElementById("zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
    document.getElementById("zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));
    document.getElementById("zoom-fit").addEventListener("click", () => setZoom(1));
    document.getElementById("rotate").addEventListener("click", rotate);
    document.querySelectorAll(".page-tab").forEach((b) =>
      b.addEventListener("click", () => showPage(b.dataset.page)));
    document.addEventListener("keydown", (event) => {
      if (window.TaxIntake.isLocked() || !event.altKey) return;
      if (event.key === "ArrowUp") { event.preventDefault(); setZoom(zoom * 1.25); }
      else if (event.key === "ArrowDown") { event.preventDefault(); setZoom(zoom / 1.25); }
      else if (event.key === "0") { event.preventDefault(); setZoom(1); }
      else if (event.key === "r" || event.key === "R") { event.preventDefault(); rotate(); }
    });

    const first = rows[0] || null;
    const anyStage = viewer.querySelector(".stage");
    if (first) showPage(first.dataset.page);
    else if (anyStage) showPage(anyStage.dataset.page);
    return { highlight, showPage };
  }
  window.PageViewer = { create };
})();
