/*
 * The refund desk's chat widget. A shop adds one tag to any page:
 *
 *   <script src="https://desk.example.com/widget.js" data-token="CHAT_TOKEN" async></script>
 *
 * where CHAT_TOKEN comes from POST /v1/buyers/{id}/chat-tokens for the signed-in buyer. Optional:
 * data-lang="zh|en" (before the desk knows the buyer's language). No framework, no build step: plain
 * browser JavaScript in a shadow root, so the shop's styles and scripts do not touch it and it does
 * not touch theirs. The page can call window.RefundDesk.open() from its own "Contact support" link.
 *
 * Protocol: src/channels/widget/widget-protocol.ts. The browser keeps the session the desk gives it
 * (localStorage), so a reload shows the history; after a lost connection it reconnects with backoff,
 * asks for what it missed, and sends again what the desk had not confirmed (the desk answers a
 * repeated message once).
 */
(function () {
  'use strict';
  var script = document.currentScript || document.querySelector('script[src*="widget.js"][data-token]');
  if (!script || window.RefundDesk) return;

  var base = new URL(script.src, location.href);
  var socketUrl = (base.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + base.host + '/widget/ws';
  var token = script.getAttribute('data-token') || '';
  var hint = (script.getAttribute('data-lang') || document.documentElement.lang || navigator.language || 'zh').toLowerCase();
  var locale = hint.indexOf('zh') === 0 ? 'zh' : 'en';

  var UI = {
    zh: {
      title: '在线客服', subtitle: '退款助手 · 秒级处理', placeholder: '输入消息，回车发送', send: '发送', open: '打开在线客服',
      close: '关闭', connecting: '连接中…', online: '在线', reconnecting: '连接已断开，正在重连…', offline: '无法连接',
      typing: '正在输入', notSent: '未发送，点击重试', sending: '发送中', agent: '人工客服', earlier: '（更早的消息未显示）',
    },
    en: {
      title: 'Support chat', subtitle: 'Refund assistant · answers in seconds', placeholder: 'Type a message, Enter to send', send: 'Send',
      open: 'Open support chat', close: 'Close', connecting: 'Connecting…', online: 'Online', reconnecting: 'Connection lost, reconnecting…',
      offline: 'Cannot connect', typing: 'typing', notSent: 'Not sent, tap to retry', sending: 'Sending', agent: 'Support agent',
      earlier: '(earlier messages not shown)',
    },
  };

  // ---- storage: the session, this browser's device id, the last message read ----------------------
  var storeKey = 'refund-desk:' + base.host;
  var memory = {};
  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey) || '{}') || {}; } catch (e) { return memory; }
  }
  function save() {
    try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { memory = state; }
  }
  function randomId(prefix) {
    var bytes = new Uint8Array(9);
    crypto.getRandomValues(bytes);
    return prefix + Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  var state = load();
  if (!state.device) { state.device = randomId('d'); save(); }

  // ---- DOM ------------------------------------------------------------------------------------------
  var host = document.createElement('div');
  host.id = 'refund-desk-widget';
  var root = host.attachShadow({ mode: 'open' });
  root.innerHTML =
    '<style>' +
    ':host{all:initial}' +
    '*{box-sizing:border-box;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif}' +
    '.bubble{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;border:0;background:#1f6feb;color:#fff;display:flex;align-items:center;justify-content:center;cursor:pointer;box-shadow:0 6px 18px rgba(0,0,0,.25);z-index:2147483000}' +
    '.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#e5484d;color:#fff;font-size:13px;line-height:22px;font-weight:600}' +
    '.panel{position:fixed;right:20px;bottom:92px;width:370px;height:min(600px,calc(100vh - 120px));display:flex;flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.25);overflow:hidden;z-index:2147483001;color:#1c2024}' +
    '[hidden]{display:none!important}' +
    'header{display:flex;align-items:center;gap:10px;padding:12px 14px;background:#1f6feb;color:#fff}' +
    'header .who{flex:1;min-width:0}header strong{display:block;font-size:15px}header .status{font-size:12px;opacity:.9}' +
    'header button{background:transparent;border:0;color:#fff;font-size:24px;line-height:1;cursor:pointer;padding:4px 8px}' +
    '.log{flex:1;overflow-y:auto;padding:12px;background:#f5f6f8;display:flex;flex-direction:column;gap:8px}' +
    '.msg{max-width:84%;padding:9px 12px;border-radius:14px;font-size:14px;line-height:1.5;white-space:pre-wrap;overflow-wrap:anywhere}' +
    '.msg.in{align-self:flex-end;background:#1f6feb;color:#fff;border-bottom-right-radius:4px}' +
    '.msg.out{align-self:flex-start;background:#fff;border:1px solid #e3e5e8;border-bottom-left-radius:4px}' +
    '.msg.agent{align-self:flex-start;background:#fff8e6;border:1px solid #f3d58a;border-bottom-left-radius:4px}' +
    '.msg .by{display:block;font-size:11px;font-weight:600;color:#9a6b00;margin-bottom:2px}' +
    '.msg time{display:block;font-size:10px;opacity:.6;margin-top:3px;text-align:right}' +
    '.msg.pending{opacity:.65}.msg.failed{background:#fff;color:#c62828;border:1px dashed #c62828;cursor:pointer}' +
    '.buttons{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}' +
    '.buttons button{border:1px solid #1f6feb;background:#fff;color:#1f6feb;border-radius:16px;padding:6px 12px;font-size:13px;cursor:pointer;text-align:left}' +
    '.buttons button:disabled{border-color:#c9ccd1;color:#8b8f96;cursor:default}' +
    '.system{align-self:center;font-size:12px;color:#60646c;text-align:center;padding:2px 8px;white-space:pre-wrap}' +
    '.typing{padding:0 14px 6px;background:#f5f6f8;font-size:12px;color:#60646c}' +
    '.typing i{display:inline-block;width:6px;height:6px;margin-left:3px;border-radius:50%;background:#8b8f96;animation:blink 1.2s infinite}' +
    '.typing i:nth-child(2){animation-delay:.2s}.typing i:nth-child(3){animation-delay:.4s}' +
    '@keyframes blink{0%,80%,100%{opacity:.2}40%{opacity:1}}' +
    'form{display:flex;gap:8px;padding:10px;border-top:1px solid #e3e5e8;background:#fff}' +
    'textarea{flex:1;resize:none;border:1px solid #c9ccd1;border-radius:10px;padding:8px 10px;font-size:16px;max-height:120px;min-height:40px}' +
    'form button{border:0;border-radius:10px;background:#1f6feb;color:#fff;padding:0 16px;font-size:15px;cursor:pointer}' +
    'form button:disabled,textarea:disabled{opacity:.5}' +
    // A phone: the open chat takes the whole screen, like a messaging app.
    '@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;height:100vh;height:100dvh;border-radius:0}.bubble{right:16px;bottom:16px}}' +
    '</style>' +
    '<button class="bubble" type="button">' +
    '<svg aria-hidden="true" width="28" height="28" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1.1-4.6A8 8 0 1 1 21 12z"/></svg>' +
    '<span class="badge" hidden>0</span></button>' +
    '<section class="panel" role="dialog" hidden>' +
    '<header><div class="who"><strong class="title"></strong><div class="status"></div></div><button class="close" type="button">×</button></header>' +
    '<div class="log" role="log" aria-live="polite"></div>' +
    '<div class="typing" hidden><span class="typing-label"></span><i></i><i></i><i></i></div>' +
    '<form><textarea rows="1" maxlength="10000"></textarea><button type="submit"></button></form>' +
    '</section>';
  var $ = function (sel) { return root.querySelector(sel); };
  var bubble = $('.bubble'), badge = $('.badge'), panel = $('.panel'), log = $('.log'), typing = $('.typing');
  var input = $('textarea'), sendButton = $('form button'), statusLine = $('.status');

  var status = 'connecting';
  function label() {
    var t = UI[locale];
    bubble.setAttribute('aria-label', t.open);
    panel.setAttribute('aria-label', t.title);
    $('.title').textContent = t.title;
    $('.close').setAttribute('aria-label', t.close);
    $('.typing-label').textContent = t.typing;
    input.placeholder = t.placeholder;
    sendButton.textContent = t.send;
    statusLine.textContent = status === 'online' ? t.subtitle : t[status];
    var pendingText = root.querySelectorAll('.msg.failed');
    for (var i = 0; i < pendingText.length; i++) pendingText[i].title = t.notSent;
  }
  function setStatus(s) { status = s; label(); }
  function setLocale(l) { if (l === 'zh' || l === 'en') { locale = l; label(); } }

  // ---- messages -------------------------------------------------------------------------------------
  var shown = {};      // message id -> element (confirmed messages)
  var pending = {};    // client id -> { frame, el } (sent, not yet confirmed)
  var lastId = null;   // the newest confirmed message id (asked for on reconnect)
  var sessionId = null;
  var unread = 0;
  var closedForGood = false;

  function time(iso) {
    var d = iso ? new Date(iso) : new Date();
    return ('0' + d.getHours()).slice(-2) + ':' + ('0' + d.getMinutes()).slice(-2);
  }
  function scrollDown() { log.scrollTop = log.scrollHeight; }
  function retireButtons() {
    var live = log.querySelectorAll('.buttons button:not(:disabled)');
    for (var i = 0; i < live.length; i++) live[i].disabled = true;
  }
  function bubbleFor(direction, text, at) {
    var el = document.createElement('div');
    el.className = 'msg ' + direction;
    if (direction === 'agent') {
      var by = document.createElement('span');
      by.className = 'by';
      by.textContent = UI[locale].agent;
      el.appendChild(by);
    }
    el.appendChild(document.createTextNode(text || ''));
    var stamp = document.createElement('time');
    stamp.textContent = time(at);
    el.appendChild(stamp);
    return el;
  }
  function system(text) {
    var el = document.createElement('div');
    el.className = 'system';
    el.textContent = text;
    log.appendChild(el);
    scrollDown();
  }
  function insertInOrder(el, id) {
    // Ids rise in the order the desk stored them; a replayed message may belong before live ones.
    var after = null;
    var nodes = log.querySelectorAll('[data-id]');
    for (var i = nodes.length - 1; i >= 0; i--) {
      if (nodes[i].getAttribute('data-id') < id) { after = nodes[i]; break; }
    }
    if (after) after.after(el);
    else if (nodes.length) nodes[0].before(el);
    else log.insertBefore(el, log.querySelector('.msg.pending, .msg.failed'));
  }
  function show(m, live) {
    if (shown[m.id]) return;
    if (m.direction === 'in' && m.clientId && pending[m.clientId]) {
      pending[m.clientId].el.remove();
      delete pending[m.clientId];
    }
    var el = bubbleFor(m.direction, m.text, m.at);
    el.setAttribute('data-id', m.id);
    if (m.buttons && m.buttons.length) {
      var row = document.createElement('div');
      row.className = 'buttons';
      m.buttons.forEach(function (b) {
        var button = document.createElement('button');
        button.type = 'button';
        button.textContent = b.label;
        button.addEventListener('click', function () { press(b, row); });
        row.appendChild(button);
      });
      el.appendChild(row);
    }
    var newest = !lastId || m.id > lastId;
    // Only the newest message's buttons can be pressed: stale choices cannot be answered twice.
    if (newest) retireButtons();
    else { var old = el.querySelectorAll('button'); for (var j = 0; j < old.length; j++) old[j].disabled = true; }
    insertInOrder(el, m.id);
    shown[m.id] = el;
    if (newest) lastId = m.id;
    if (m.locale) setLocale(m.locale);
    if (m.direction !== 'in' && (!state.lastRead || m.id > state.lastRead)) {
      if (panel.hidden) { unread += 1; showBadge(); } else markRead();
    }
    if (live || !panel.hidden) scrollDown();
  }
  function showBadge() {
    badge.hidden = unread === 0;
    badge.textContent = unread > 99 ? '99+' : String(unread);
  }
  function markRead() {
    if (lastId && (!state.lastRead || lastId > state.lastRead)) { state.lastRead = lastId; save(); }
    unread = 0;
    showBadge();
  }

  // ---- sending ----------------------------------------------------------------------------------------
  function transmit(frame) {
    if (socket && socket.readyState === 1 && ready) socket.send(JSON.stringify(frame));
  }
  function queue(frame, text) {
    var el = bubbleFor('in', text);
    el.classList.add('pending');
    el.title = UI[locale].sending;
    log.appendChild(el);
    scrollDown();
    pending[frame.id] = { frame: frame, el: el };
    transmit(frame);
  }
  function press(button, row) {
    var all = row.querySelectorAll('button');
    for (var i = 0; i < all.length; i++) all[i].disabled = true;
    queue({ type: 'action', id: randomId('c'), action: button.action, label: button.label }, button.label);
  }
  $('form').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text || closedForGood) return;
    input.value = '';
    queue({ type: 'message', id: randomId('c'), text: text }, text);
  });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); $('form').requestSubmit(); }
  });
  // Still being handled (perhaps by a server that went away): ask again in a few seconds, a while.
  function retryLater(clientId) {
    var p = pending[clientId];
    p.tries = (p.tries || 0) + 1;
    if (p.tries > 12) return failed(clientId);
    setTimeout(function () { if (pending[clientId]) transmit(p.frame); }, 5000);
  }
  function failed(clientId) {
    var p = pending[clientId];
    if (!p) return;
    delete pending[clientId];
    p.el.classList.remove('pending');
    p.el.classList.add('failed');
    p.el.title = UI[locale].notSent;
    p.el.addEventListener('click', function retry() {
      p.el.remove();
      queue(Object.assign({}, p.frame, { id: randomId('c') }), p.frame.text || p.frame.label);
    }, { once: true });
  }

  // ---- the connection -----------------------------------------------------------------------------
  var socket = null, ready = false, attempts = 0, typingTimer = null, reconnectTimer = null;
  function connect() {
    setStatus(attempts === 0 ? 'connecting' : 'reconnecting');
    ready = false;
    socket = new WebSocket(socketUrl);
    socket.onopen = function () {
      var hello = { type: 'hello', device: state.device, lang: locale };
      if (token) hello.token = token;
      if (state.session) hello.session = state.session;
      // After a drop within this page: only what was missed. After a load: the recent history.
      if (lastId && sessionId) hello.since = lastId;
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = function (event) {
      var f;
      try { f = JSON.parse(event.data); } catch (e) { return; }
      if (f.type === 'ready') {
        attempts = 0;
        ready = true;
        if (sessionId && f.session.id !== sessionId) { log.textContent = ''; shown = {}; lastId = null; }
        sessionId = f.session.id;
        state.session = f.session;
        save();
        setLocale(f.locale);
        setStatus('online');
        if (f.more && !f.history.length) system(UI[locale].earlier);
        f.history.forEach(function (m) { show(m, false); });
        scrollDown();
        // Whatever the desk had not confirmed is sent again; it answers a repeat once.
        Object.keys(pending).forEach(function (id) { transmit(pending[id].frame); });
      } else if (f.type === 'message') {
        show(f, true);
      } else if (f.type === 'ack') {
        if (f.status === 'duplicate' && pending[f.clientId]) { pending[f.clientId].el.classList.remove('pending'); delete pending[f.clientId]; }
        else if (f.status === 'in_progress' && pending[f.clientId]) retryLater(f.clientId);
        else failed(f.clientId);
      } else if (f.type === 'typing') {
        typing.hidden = !f.on;
        clearTimeout(typingTimer);
        if (f.on) typingTimer = setTimeout(function () { typing.hidden = true; }, 15000);
      } else if (f.type === 'notice') {
        system(f.text);
      } else if (f.type === 'closed') {
        closedForGood = true;
        setLocale(f.locale);
        system(f.text);
        input.disabled = sendButton.disabled = true;
        setStatus('offline');
        // The token did not hold: a stale session must not be offered again.
        if (f.problem !== 'missing') { delete state.session; save(); }
      }
    };
    socket.onclose = function (event) {
      ready = false;
      typing.hidden = true;
      if (closedForGood || event.code === 4401 || event.code === 4403) { setStatus('offline'); return; }
      attempts += 1;
      setStatus('reconnecting');
      var wait = event.code === 4429 || event.code === 4430 ? 30000 : Math.min(10000, 500 * Math.pow(2, attempts - 1)) * (0.75 + Math.random() / 2);
      reconnectTimer = setTimeout(function () { reconnectTimer = null; connect(); }, wait);
    };
  }

  function open() {
    panel.hidden = false;
    bubble.setAttribute('aria-expanded', 'true');
    markRead();
    scrollDown();
    input.focus();
  }
  function close() {
    panel.hidden = true;
    bubble.setAttribute('aria-expanded', 'false');
  }
  bubble.addEventListener('click', function () { if (panel.hidden) open(); else close(); });
  $('.close').addEventListener('click', close);
  // Keep the socket while the phone sleeps only as long as the browser lets it; reconnect on wake.
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && reconnectTimer) { clearTimeout(reconnectTimer); reconnectTimer = null; attempts = 0; connect(); }
  });

  window.RefundDesk = { open: open, close: close };
  label();
  (document.body || document.documentElement).appendChild(host);
  connect();
})();
