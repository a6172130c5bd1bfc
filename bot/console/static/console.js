// The console's only script: live counts on Home and confirmations before wave actions.
"use strict";

function refreshLive(region) {
  if (document.hidden) return;
  fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then((response) => (response.ok ? response.text() : null))
    .then((html) => {
      if (!html) return;
      const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live]");
      if (fresh) region.innerHTML = fresh.innerHTML;
    })
    .catch(() => {});
}

document.addEventListener("DOMContentLoaded", () => {
  const region = document.querySelector("[data-live]");
  if (region) {
    const seconds = Number(region.dataset.live) || 10;
    window.setInterval(() => refreshLive(region), seconds * 1000);
  }
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
