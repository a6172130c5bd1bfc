// The Comments page: select all, and one-by-one review with the keyboard
// (1-4 a goal, o other, Enter confirm the shown goals, s skip, arrows move).
"use strict";

const GOAL_KEYS = { 1: "1", 2: "2", 3: "3", 4: "4", o: "other" };

function csrfToken() {
  const field = document.querySelector('#bulk input[name="csrf_token"]');
  return field ? field.value : "";
}

function rows() {
  return Array.from(document.querySelectorAll("tr[data-comment]"));
}

function moveFrom(row, step, done = "") {
  const all = rows();
  const next = all[all.indexOf(row) + step];
  if (next) {
    next.focus();
    if (done) say(done);
  } else if (step > 0) {
    const more = document.getElementById("next-page");
    say(done + (more ? "このページは終わりです。「次の50件」で続きへ。" : "最後のコメントです。"));
  }
}

function say(message) {
  const status = document.getElementById("review-status");
  if (status) status.textContent = message;
}

function label(row, goals) {
  const body = { ids: [Number(row.dataset.comment)], goals: goals };
  return fetch("/api/comments/label", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
    body: JSON.stringify(body),
  }).then((response) => {
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  });
}

function review(row, goals) {
  label(row, goals)
    .then((answer) => {
      const changed = answer.changed[0];
      if (!changed) {
        say(`コメント${row.dataset.comment}は未分類のため確定できません。`);
        return;
      }
      row.dataset.goals = changed.goals.join(";");
      row.dataset.reviewed = "1";
      row.classList.add("done");
      const unsure = row.querySelector(".badge.unsure");
      if (unsure) unsure.textContent = "確認済み";
      const cell = row.querySelector("[data-goal-cell]");
      if (cell) cell.textContent = changed.goals.map((g) => (g === "other" ? "その他" : `目標${g}`)).join("、");
      moveFrom(row, 1, `コメント${row.dataset.comment}：${goals === null ? "確定" : "変更"}しました。`);
    })
    .catch(() => say("保存できませんでした。ページを読み込み直してください。"));
}

document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", () => {
      document.querySelectorAll('#bulk input[name="id"]').forEach((box) => {
        box.checked = all.checked;
      });
    });
  }
  rows().forEach((row) => {
    row.addEventListener("keydown", (event) => {
      if (event.target !== row || event.ctrlKey || event.metaKey || event.altKey) return;
      const key = event.key;
      if (GOAL_KEYS[key]) review(row, [GOAL_KEYS[key]]);
      else if (key === "Enter") review(row, null);
      else if (key === "s" || key === "ArrowDown") moveFrom(row, 1);
      else if (key === "ArrowUp") moveFrom(row, -1);
      else return;
      event.preventDefault();
    });
  });
});
