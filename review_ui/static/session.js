/* Session helpers shared by every screen: CSRF-carrying fetch, idle lock (R34). */
"use strict";
(function () {
  const IDLE_MS = 5 * 60 * 1000;   // R34: 5 minutes without input locks the screen
  const TOUCH_MS = 30 * 1000;      // tell the server about activity at most this often
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const lock = document.getElementById("lock");
  const lockForm = document.getElementById("lock-form");
  const lockError = document.getElementById("lock-error");
  let lastInput = Date.now();
  let lastTouch = Date.now();
  let pending = 0;  // requests in flight (tests wait for 0)

  function showLock() {
    if (!lock.hidden) return;
    lock.hidden = false;
    // Nothing behind the lock may take focus or input.
    document.querySelector("main").inert = true;
    lockError.hidden = true;
    lockForm.password.value = "";
    lockForm.password.focus();
  }

  /** POST JSON with the CSRF token; shows the lock or the login page when the server asks. */
  async function post(url, body) {
    pending += 1;
    try {
      return await send(url, body);
    } finally {
      pending -= 1;
    }
  }

  async function send(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": csrf,
      },
      body: JSON.stringify(body || {}),
    });
    if (response.status === 401) {
      const info = await response.json().catch(() => ({}));
      if (info.locked) showLock();
      else window.location.href = "/login?next=" + encodeURIComponent(location.pathname);
      throw new Error("session");
    }
    return response;
  }

  function activity() {
    if (!lock.hidden) return;
    lastInput = Date.now();
    if (lastInput - lastTouch > TOUCH_MS) {
      lastTouch = lastInput;
      post("/session/touch").catch(() => {});
    }
  }
  ["keydown", "mousedown", "wheel", "touchstart"].forEach((name) =>
    document.addEventListener(name, activity, { capture: true, passive: true }));

  setInterval(() => {
    if (Date.now() - lastInput >= IDLE_MS) showLock();
  }, 5000);

  lockForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch("/unlock", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      body: new URLSearchParams(new FormData(lockForm)),
    });
    if (response.status === 204) {
      lock.hidden = true;
      document.querySelector("main").inert = false;
      lastInput = lastTouch = Date.now();
      document.dispatchEvent(new Event("unlocked"));
    } else if (response.status === 401 && response.headers.get("content-type")?.includes("json")) {
      window.location.href = "/login";
    } else {
      lockError.hidden = false;
      lockForm.password.value = "";
      lockForm.password.focus();
    }
  });

  window.TaxIntake = { post, showLock, isLocked: () => !lock.hidden, pending: () => pending };
})();
