// まちの声 demo, LINE tab: a LINE talk screen over the LINE platform stand-in's client API.
// What the bot sent is drawn as LINE draws it; taps and text go back as signed webhook events.
(() => {
  "use strict";
  const query = new URLSearchParams(location.search);
  if (query.get("channel") !== "line") return;
  const STORAGE_KEY = "machikoe-demo-line";
  const SAFE_LINK = /^https?:/i;
  const byId = (id) => document.getElementById(id);
  const log = byId("line-log");
  const quick = byId("line-quick");
  let base = "";
  let userId = null;
  let version = -1;
  let lastSignature = "";
  let menuShown = null;
  let lastMenu = null;

  async function api(path, body) {
    const options = body === undefined ? {} : {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
    };
    const response = await fetch(base + path, options);
    const data = await response.json().catch(() => ({ok: false}));
    if (!response.ok || !data.ok) throw new Error(data.description || `HTTP ${response.status}`);
    return data;
  }

  function toast(message) {
    const box = byId("line-toast");
    box.textContent = message;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, 3500);
  }

  // -- acting --------------------------------------------------------------------------------
  async function act(path, body) {
    try {
      await api(`/_client/line/users/${userId}/${path}`, body);
    } catch (error) {
      toast(`送れませんでした: ${error.message}`);
    }
  }

  function perform(action) {
    if (action.type === "postback") return act("postback", {data: action.data, shown: action.displayText});
    if (action.type === "message") return act("say", {text: action.text});
    if (action.type === "uri" && SAFE_LINK.test(action.uri || "")) {
      window.open(action.uri, "_blank", "noopener");
    }
    return undefined;
  }

  // -- rendering (all text as text: nothing the bot sends is parsed as HTML) -----------------
  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function flexNode(node) {
    if (!node || typeof node !== "object") return element("span");
    if (node.type === "bubble") {
      const card = element("div", "flex-bubble");
      for (const part of ["header", "hero", "body", "footer"]) {
        if (node[part]) card.append(flexNode(node[part]));
      }
      return card;
    }
    if (node.type === "carousel") {
      const row = element("div", "flex-box horizontal");
      for (const bubble of node.contents || []) row.append(flexNode(bubble));
      return row;
    }
    if (node.type === "box") {
      const box = element("div", `flex-box ${node.layout === "horizontal" ? "horizontal" : "vertical"}`);
      for (const child of node.contents || []) box.append(flexNode(child));
      return box;
    }
    if (node.type === "text") return element("p", "flex-text", node.text || "");
    if (node.type === "button") {
      const action = node.action || {};
      const button = element("button", `flex-button ${node.style || "secondary"}`, action.label || "");
      button.type = "button";
      button.addEventListener("click", () => perform(action));
      return button;
    }
    return element("span");
  }

  function botMessage(message) {
    const item = element("article", "msg bot");
    item.setAttribute("aria-label", "まちの声");
    item.append(element("div", "avatar", "声"));
    const stack = element("div", "stack");
    if (message.type === "flex") stack.append(flexNode(message.contents));
    else stack.append(element("div", "bubble", message.text || ""));
    item.append(stack);
    return item;
  }

  function entryElement(entry) {
    if (entry.from === "bot") return botMessage(entry.message);
    if (entry.from === "system") return element("p", "system", entry.text);
    const item = element("article", "msg user");
    item.setAttribute("aria-label", "あなた");
    item.append(element("div", "bubble", entry.text));
    return item;
  }

  function renderQuickReplies(chat) {
    // LINE shows a message's quick replies only while it is the newest thing in the talk
    const newest = chat[chat.length - 1];
    const items = newest && newest.from === "bot" && newest.message.quickReply
      ? newest.message.quickReply.items || [] : [];
    quick.replaceChildren(...items.map((item) => {
      const chip = element("button", "", item.action.label || "");
      chip.type = "button";
      chip.addEventListener("click", () => perform(item.action));
      return chip;
    }));
    quick.hidden = items.length === 0;
  }

  function renderMenu(menu) {
    lastMenu = menu;
    const panel = byId("line-menu");
    const bar = byId("line-chat-bar");
    if (!menu) {
      panel.hidden = true;
      bar.hidden = true;
      return;
    }
    if (panel.dataset.menuId !== menu.id) {
      panel.dataset.menuId = menu.id;
      const image = element("img");
      image.src = base + menu.image;
      image.alt = "";
      const areas = menu.areas.map((area) => {
        const {x, y, width, height} = area.bounds;
        const button = element("button");
        button.type = "button";
        button.setAttribute("aria-label", area.action.displayText || area.action.label || "");
        Object.assign(button.style, {
          left: `${(100 * x) / menu.size.width}%`, top: `${(100 * y) / menu.size.height}%`,
          width: `${(100 * width) / menu.size.width}%`, height: `${(100 * height) / menu.size.height}%`,
        });
        button.addEventListener("click", () => perform(area.action));
        return button;
      });
      panel.replaceChildren(image, ...areas);
      if (menuShown === null) menuShown = Boolean(menu.selected);
    }
    panel.hidden = !menuShown;
    bar.hidden = false;
    bar.textContent = `${menu.chatBarText} ${menuShown ? "▾" : "▴"}`;
    bar.setAttribute("aria-expanded", String(menuShown));
  }

  function render(data) {
    renderMenu(data.menu);
    const signature = JSON.stringify(data.chat);
    if (signature === lastSignature) return;
    lastSignature = signature;
    log.replaceChildren(...data.chat.map(entryElement));
    byId("line-follow-wrap").hidden = data.chat.length > 0;
    renderQuickReplies(data.chat);
    log.scrollTop = log.scrollHeight;
  }

  async function poll() {
    for (;;) {
      try {
        const data = await api(`/_client/line/users/${userId}/chat?after=${version}&timeout=25`);
        version = data.version;
        byId("line-status").textContent = "オンライン";
        render(data);
      } catch (error) {
        byId("line-status").textContent = "接続が切れました。再接続します…";
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
    }
  }

  async function main() {
    byId("telegram-phone").hidden = true;
    byId("line-phone").hidden = false;
    document.title = "まちの声 デモ（LINE）";
    const text = byId("line-text");
    byId("line-composer").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = text.value.trim();
      text.value = "";
      if (value) act("say", {text: value});
    });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        byId("line-composer").requestSubmit();
      }
    });
    byId("line-follow").addEventListener("click", () => act("follow", {}));
    byId("line-chat-bar").addEventListener("click", () => {
      menuShown = !menuShown;
      renderMenu(lastMenu);
    });
    try {
      const where = await fetch("/_demo/line").then((response) => response.json());
      if (!where.ok) throw new Error(where.description || "LINE is not running");
      base = `${location.protocol}//${location.hostname}:${where.port}`;
      const stored = sessionStorage.getItem(STORAGE_KEY);
      const data = await api("/_client/line/users", stored ? {user_id: stored} : {});
      userId = data.user.id;
      sessionStorage.setItem(STORAGE_KEY, userId);
    } catch (error) {
      byId("line-status").textContent = `LINEの代わりのサーバーに接続できません: ${error.message}`;
      return;
    }
    const identity = byId("line-identity");
    identity.dataset.userId = userId;
    identity.textContent = `LINEの市民としてテスト中・${userId.slice(0, 9)}…（タブごとに別の市民です）`;
    poll();
  }

  main();
})();
