// まちの声 demo: a phone-like chat over the local Bot API server's client API (/_client).
"use strict";

const params = new URLSearchParams(location.search);
const asStaff = params.get("staff") === "1";
const storageKey = asStaff ? "machikoe-demo-staff" : "machikoe-demo-resident";
const RESIDENT_COMMANDS = ["/start", "/help", "/mydata", "/language", "/delete"];
const STAFF_COMMANDS = ["/waves", "/review", "/help"];
const SAFE_LINK = /^(https?:|tg:)/i;

const $ = (id) => document.getElementById(id);
const log = $("log");
const text = $("text");
let userId = null;
let version = -1;
let lastSignature = "";
let lastBotId = 0;

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({ok: false}));
  if (!response.ok || !data.ok) throw new Error(data.description || `HTTP ${response.status}`);
  return data;
}

function setStatus(message) { $("status").textContent = message; }

function toast(message) {
  const box = $("toast");
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 3500);
}

// -- rendering: Telegram entities become DOM nodes (text is never parsed as HTML) ---------------
function elementFor(entity, source) {
  const simple = {
    bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
    blockquote: "blockquote", expandable_blockquote: "blockquote",
  };
  if (simple[entity.type]) return document.createElement(simple[entity.type]);
  if (entity.type === "spoiler") {
    const span = document.createElement("span");
    span.className = "spoiler";
    span.addEventListener("click", () => span.classList.add("shown"));
    return span;
  }
  if (entity.type === "text_link" || entity.type === "url") {
    const href = entity.type === "url" ? source : entity.url || "";
    if (SAFE_LINK.test(href)) {
      const link = document.createElement("a");
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
  }
  return document.createElement("span");
}

function renderRange(parent, content, entities, start, end) {
  let position = start;
  let index = 0;
  while (index < entities.length) {
    const entity = entities[index];
    const from = Math.max(entity.offset, position);
    const to = Math.min(entity.offset + entity.length, end);
    let next = index + 1;
    const inner = [];
    while (next < entities.length && entities[next].offset < entity.offset + entity.length) {
      inner.push(entities[next]);
      next += 1;
    }
    if (from > position) parent.append(content.slice(position, from));
    if (to > from) {
      const element = elementFor(entity, content.slice(from, to));
      renderRange(element, content, inner, from, to);
      parent.append(element);
      position = to;
    }
    index = next;
  }
  if (position < end) parent.append(content.slice(position, end));
}

function renderText(parent, content, entities) {
  const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  renderRange(parent, content, sorted, 0, content.length);
}

function keyboardFor(message) {
  const keyboard = document.createElement("div");
  keyboard.className = "keyboard";
  keyboard.setAttribute("role", "group");
  keyboard.setAttribute("aria-label", "選択肢");
  for (const row of message.buttons) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      const element = document.createElement("button");
      element.type = "button";
      element.textContent = button.text;
      const data = button.callback_data || "";
      if (SAFE_LINK.test(data)) {
        element.addEventListener("click", () => window.open(data, "_blank", "noopener"));
      } else {
        element.addEventListener("click", () => tap(message.message_id, data, element));
      }
      line.append(element);
    }
    keyboard.append(line);
  }
  return keyboard;
}

function messageElement(message) {
  const item = document.createElement("article");
  item.className = `msg ${message.from}`;
  item.dataset.messageId = message.message_id;
  item.setAttribute("aria-label", message.from === "bot" ? "まちの声" : "あなた");
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (message.photo) bubble.append("🖼 ");
  if (message.document) bubble.append(`📎 ${message.document}\n`);
  renderText(bubble, message.text || "", message.entities);
  item.append(bubble);
  if (message.edited) {
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = "編集済み";
    item.append(meta);
  }
  if (message.buttons && message.buttons.length) item.append(keyboardFor(message));
  return item;
}

function render(messages) {
  const signature = JSON.stringify(messages.map((m) => [m.message_id, m.text, m.buttons, m.edited]));
  if (signature === lastSignature) return;
  lastSignature = signature;
  const focusWasInLog = log.contains(document.activeElement) || document.activeElement === document.body;
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 120;
  log.replaceChildren(...messages.map(messageElement));
  $("start-wrap").hidden = messages.length > 0;
  const bots = messages.filter((m) => m.from === "bot");
  const newest = bots[bots.length - 1];
  if (nearBottom || (newest && newest.message_id > lastBotId)) log.scrollTop = log.scrollHeight;
  if (newest && newest.message_id !== lastBotId && focusWasInLog) {
    const first = log.querySelector(`[data-message-id="${newest.message_id}"] button`);
    if (first) first.focus({preventScroll: true});
  }
  if (newest) lastBotId = newest.message_id;
}

// -- acting --------------------------------------------------------------------------------------
async function tap(messageId, data, element) {
  element.setAttribute("aria-busy", "true");
  try {
    await api(`/_client/chats/${userId}/tap`, {message_id: messageId, callback_data: data});
  } catch (error) {
    toast(`押せませんでした: ${error.message}`);
    element.removeAttribute("aria-busy");
  }
}

async function send(message) {
  const value = message.trim();
  if (!value) return;
  try {
    await api(`/_client/chats/${userId}/send`, {text: value});
  } catch (error) {
    toast(`送れませんでした: ${error.message}`);
  }
}

let noticesSeen = 0;
function showNotices(messages) {
  const notices = messages.flatMap((m) => m.notices || []);
  if (notices.length > noticesSeen) toast(notices[notices.length - 1].text);
  noticesSeen = notices.length;
}

async function poll() {
  for (;;) {
    try {
      const data = await api(`/_client/chats/${userId}/messages?after=${version}&timeout=25`);
      version = data.version;
      setStatus("オンライン");
      render(data.messages);
      showNotices(data.messages);
    } catch (error) {
      setStatus("接続が切れました。再接続します…");
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
  }
}

function setUpCommands() {
  const bar = $("commands");
  for (const command of asStaff ? STAFF_COMMANDS.concat(["/start"]) : RESIDENT_COMMANDS) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = command;
    button.addEventListener("click", () => send(command));
    bar.append(button);
  }
}

async function register() {
  const stored = sessionStorage.getItem(storageKey);
  const body = {first_name: asStaff ? "職員" : "市民", language_code: "ja"};
  if (stored) body.user_id = Number(stored);
  const data = await api("/_client/users", body);
  userId = data.user.id;
  sessionStorage.setItem(storageKey, String(userId));
  if (asStaff) {
    try {
      await api("/_demo/staff", {user_id: userId});
    } catch (error) {
      toast(`職員として登録できませんでした: ${error.message}`);
    }
  }
}

async function main() {
  const identity = $("identity");
  const roleLink = $("switch-role");
  if (asStaff) {
    roleLink.href = "./";
    roleLink.textContent = "市民として開く";
    document.title = "まちの声 デモ（職員）";
  }
  setUpCommands();
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = text.value;
    text.value = "";
    send(value);
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("start").addEventListener("click", () => send("/start"));
  try {
    await register();
  } catch (error) {
    setStatus(`サーバーに接続できません: ${error.message}`);
    return;
  }
  identity.textContent = asStaff
    ? `職員（管理者）として操作中・ユーザー ${userId}`
    : `市民としてテスト中・ユーザー ${userId}（タブごとに別の市民です）`;
  identity.classList.toggle("staff", asStaff);
  poll();
}

// the LINE tab (line.js) plays a LINE resident instead
if (params.get("channel") !== "line") main();
