/*
 * WeMi Bot – web chat client.
 * Plain JavaScript, no dependencies, no build step; loaded with `defer` by index.html.
 * Works under a strict CSP (no inline code, no eval). Server-provided text reaches the DOM
 * only through textContent, except the reply `html` field, which is re-built node by node
 * keeping <b>/<i>/<br> only (defence in depth: the server already escapes it).
 * All URLs are relative, so the app also works behind a path prefix.
 */
(function () {
  'use strict';

  // ------------------------------------------------------------------ state
  const $ = (id) => document.getElementById(id);
  const root = document.documentElement;
  const log = $('log'), input = $('message'), form = $('composer');
  const statusEl = $('status'), locateBtn = $('locate');
  // localStorage: the log survives a reload and shows in a new tab, for the same
  // session only (its tag), and is cleared when the citizen erases their data.
  const STORE_KEY = 'wemibot.log.v2';
  const MAX_DELAY = 30000;              // retry back-off cap (ms)
  const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');
  const touchOnly = window.matchMedia('(pointer: coarse)');
  const embedded = window.self !== window.top;   // inside the embed.js iframe

  let lang = navigator.language || 'it';   // a hint until the server names the language
  let dir = 'ltr';
  let sessionTag = '';            // names the session whose log the storage may hold
  let texts = {};
  let queue = Promise.resolve();  // POSTs run one at a time, so replies keep their order
  let inFlight = 0;               // queued + running POSTs, mirrored in <html data-busy>
  let buttonBusy = false;         // a reply button's press is being answered
  let locating = false;
  let inboxSeq = 0;               // seq of the last pushed reply shown, saved with the log

  const ICON_PIN = 'M12 2a7 7 0 0 0-7 7c0 5.25 7 13 7 13s7-7.75 7-13a7 7 0 0 0-7-7zm0 9.5a2.5 2.5 0 1 1 0-5 2.5 2.5 0 0 1 0 5z';
  const ICON_DOWNLOAD = 'M5 20h14v-2H5v2zM19 9h-4V3H9v6H5l7 7 7-7z';

  // ---------------------------------------------------------------- helpers
  const t = (key) => (typeof texts[key] === 'string' ? texts[key] : '');

  /** Creates an element; text, when given, is set with textContent (never parsed). */
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = String(text);
    return e;
  }

  /** A decorative inline SVG icon (hidden from assistive technology). */
  function icon(d) {
    const NS = 'http://www.w3.org/2000/svg', svg = document.createElementNS(NS, 'svg');
    const attrs = { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false', class: 'icon' };
    for (const k in attrs) svg.setAttribute(k, attrs[k]);
    svg.append(document.createElementNS(NS, 'path'));
    svg.firstChild.setAttribute('d', d);
    return svg;
  }

  /** A <span> showing texts[key], re-translated by applyTexts(); class "vh" = screen readers only. */
  function label(key, cls) {
    const s = el('span', cls, t(key));
    s.dataset.t = key;
    return s;
  }

  /** Random 128-bit hex id; getRandomValues also works outside secure contexts. */
  function newId() {
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (x) => x.toString(16).padStart(2, '0')).join('');
  }

  /** Waits `ms`, or less if the browser comes back online. */
  function pause(ms) {
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); window.removeEventListener('online', done); resolve(); };
      const timer = setTimeout(done, ms);
      window.addEventListener('online', done);
    });
  }

  /**
   * Parses the server's reply HTML in an inert <template> and copies it node by node:
   * text stays text, <b>/<strong>/<i>/<em>/<br> and http(s)/mailto/tel links are recreated,
   * anything else keeps only its text.
   */
  function safeHTML(html) {
    const tpl = document.createElement('template');
    tpl.innerHTML = String(html);
    const out = document.createDocumentFragment();
    (function copy(from, to) {
      for (const n of from.childNodes) {
        if (n.nodeType === Node.TEXT_NODE) { to.append(n.data); continue; }
        if (n.nodeType !== Node.ELEMENT_NODE) continue;
        const tag = n.tagName.toLowerCase();
        if (tag === 'br') { to.append(document.createElement('br')); continue; }
        if (['b', 'strong', 'i', 'em'].includes(tag)) { const e = document.createElement(tag); copy(n, e); to.append(e); continue; }
        // Links: only web, mail and phone addresses; web links open in a new tab.
        const href = tag === 'a' ? n.getAttribute('href') || '' : '';
        if (/^(https?:|mailto:|tel:)/i.test(href)) {
          const a = document.createElement('a');
          a.href = href;
          if (/^https?:/i.test(href)) { a.target = '_blank'; a.rel = 'noopener noreferrer'; }
          copy(n, a);
          to.append(a);
          continue;
        }
        if (tag !== 'script' && tag !== 'style') copy(n, to);
      }
    })(tpl.content, out);
    return out;
  }

  function setStatus(text, kind) {
    statusEl.textContent = text || '';
    statusEl.className = 'status' + (text && kind ? ' ' + kind : '');
  }

  // ------------------------------------------------------------------ texts
  /** Puts the current texts on every [data-t] (textContent) and [data-t-label] (aria-label). */
  function applyTexts() {
    root.lang = lang;
    root.dir = dir;   // the page mirrors for right-to-left languages
    if (t('title')) document.title = t('title');
    for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
    for (const e of document.querySelectorAll('[data-t-label]')) {
      const label = t(e.dataset.tLabel);
      e.setAttribute('aria-label', label);
      if (e.tagName === 'BUTTON') e.title = label;   // tooltip for the icon-only buttons
    }
    input.placeholder = t('placeholder');
    save();
  }

  /** Loads the UI texts for `want`, retrying with back-off; a newer language wins. */
  async function loadTexts(want) {
    for (let delay = 1000; want === lang; delay = Math.min(delay * 2, MAX_DELAY)) {
      let status = 0;
      try {
        const res = await fetch('api/texts?lang=' + encodeURIComponent(want), { headers: { Accept: 'application/json' } });
        status = res.status;
        if (res.ok) {
          const data = await res.json();
          if (want === lang && data && data.texts) {
            if (typeof data.lang === 'string' && /^[a-z]{2}$/.test(data.lang)) lang = data.lang;
            dir = data.dir === 'rtl' ? 'rtl' : 'ltr';
            if (typeof data.tag === 'string') sessionTag = data.tag;
            texts = data.texts;
            applyTexts();
          }
          return;
        }
      } catch (e) { /* network error or bad JSON: retry */ }
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) return;
      await pause(delay);
    }
  }

  // -------------------------------------------------------------- rendering
  /** Appends the user's own message (text via textContent), marked "sending" until delivered. */
  function userMessage(content) {
    const msg = el('div', 'msg user pending');
    msg.lang = lang;   // a screen reader pronounces each message in its own language
    const bubble = el('div', 'bubble');
    bubble.dir = 'auto';   // the citizen may write right to left (Arabic) in any conversation
    bubble.append(content);
    const sending = label('sending', 'meta');
    sending.setAttribute('aria-hidden', 'true');   // the live region reads replies, not this
    msg.append(label('you', 'vh'), bubble, sending);
    log.append(msg);
    log.scrollTo({ top: log.scrollHeight, behavior: reducedMotion.matches ? 'auto' : 'smooth' });
    return msg;
  }

  /** Builds one bot message: bubble, location card, document link, button rows. */
  function renderReply(r) {
    const msg = el('div', 'msg bot');
    msg.lang = r.lang || lang;
    msg.dir = r.dir === 'rtl' ? 'rtl' : 'ltr';   // each message in its language's direction
    msg.append(label('bot', 'vh'));
    if (r.html) {
      const bubble = el('div', 'bubble');
      bubble.append(safeHTML(r.html));
      msg.append(bubble);
    }
    if (r.location) msg.append(locationCard(r.location));
    const doc = r.document && documentLink(r.document);
    if (doc) msg.append(doc);
    if (typeof r.ask_location === 'string' && r.ask_location) msg.append(locationRow(r.ask_location));
    if (Array.isArray(r.buttons) && r.buttons.length) msg.append(buttonRows(r.buttons));
    return msg;
  }

  /** The button of a reply that asks for the location: it shares the browser's. */
  function locationRow(text) {
    const wrap = el('div', 'buttons');
    const line = el('div', 'row');
    const btn = el('button', 'reply-button share-location');
    btn.type = 'button';
    buttonLabel(btn, text);
    line.append(btn);
    wrap.append(line);
    return wrap;
  }

  function buttonRows(rows) {
    const wrap = el('div', 'buttons');
    for (const row of rows) {
      const line = el('div', 'row');
      for (const b of Array.isArray(row) ? row : []) {
        if (b && typeof b.url === 'string' && b.url) {
          const link = linkButton(b);
          if (link) line.append(link);
          continue;
        }
        if (!b || typeof b.data !== 'string') continue;
        const btn = el('button', 'reply-button');
        btn.type = 'button';
        btn.dataset.data = b.data;
        buttonLabel(btn, b.label == null ? '' : String(b.label));
        line.append(btn);
      }
      if (line.childElementCount) wrap.append(line);
    }
    return wrap;
  }

  /**
   * A button that opens a page (a hosted payment) in a new tab: a link styled as a
   * button, which sends nothing to the bot. Only https pages; the new tab cannot reach
   * back into the chat (noopener), and screen readers hear that it opens a new tab.
   */
  function linkButton(b) {
    let url;
    try { url = new URL(b.url); } catch (e) { return null; }
    if (url.protocol !== 'https:') return null;
    const a = el('a', 'reply-button link-button');
    a.href = url.href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    buttonLabel(a, b.label == null ? '' : String(b.label));
    a.append(' ', label('new_tab', 'vh'));
    return a;
  }

  /**
   * Sets a reply button's label. A leading symbol ("🔎 Cerca") and a trailing check mark
   * ("Solo gratuiti ✓") are decoration: hidden from screen readers, which get the
   * words, and for the check mark the pressed state (aria-pressed) instead.
   */
  function buttonLabel(btn, label) {
    let text = label;
    const icon = /^[^\p{L}\p{N}]+\s/u.exec(text);
    if (icon) {
      const span = el('span', 'icon', icon[0]);
      span.setAttribute('aria-hidden', 'true');
      btn.append(span);
      text = text.slice(icon[0].length);
    }
    const checked = /\s✓$/.test(text);
    if (checked) text = text.replace(/\s✓$/, '');
    btn.append(text);
    if (checked) {
      const mark = el('span', 'check', ' ✓');
      mark.setAttribute('aria-hidden', 'true');
      btn.append(mark);
    }
    if (/^(free|zoneask|forask)(\.|$)/.test(btn.dataset.data)) btn.setAttribute('aria-pressed', checked ? 'true' : 'false');
  }

  function locationCard(loc) {
    const card = el('div', 'card location');
    const body = el('div', 'card-body');
    card.append(icon(ICON_PIN), body);
    if (loc.name) body.append(el('strong', 'name', loc.name));
    if (loc.address) body.append(el('span', 'address', loc.address));
    const lat = Number(loc.lat), lon = Number(loc.lon);
    if (Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      const a = el('a', 'map-link');
      a.href = 'https://www.openstreetmap.org/?mlat=' + lat + '&mlon=' + lon + '#map=17/' + lat + '/' + lon;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.append(label('map'));
      if (loc.name) a.append(el('span', 'vh', ' – ' + loc.name));  // "Map – <place>" for screen readers
      body.append(a);
    }
    return card;
  }

  /** A download link for a base64 document (Blob + object URL); null if it can't be decoded. */
  function documentLink(doc) {
    try {
      const bin = atob(String(doc.data_base64 || ''));
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      // Never hand the browser an active type (HTML/SVG/XML/JS) under our origin.
      const mime = String(doc.mime || '');
      const safe = /^[\w.+-]+\/[\w.+-]+$/.test(mime) && !/html|xml|svg|script/i.test(mime) ? mime : 'application/octet-stream';
      const a = el('a', 'card doc');
      a.href = URL.createObjectURL(new Blob([bytes], { type: safe }));
      a.download = doc.name || 'wemibot';
      a.append(icon(ICON_DOWNLOAD), el('span', null, doc.name || mime));
      return a;
    } catch (e) {
      return null;
    }
  }

  // ------------------------------------------------------------- messaging
  /** Queues a POST /api/messages; the id is fixed now so that every retry reuses it. */
  function send(body, opts) {
    body.id = newId();
    inFlight++;
    root.dataset.busy = '1';
    queue = queue.then(() => deliver(body, opts))
      .catch(() => setStatus(t('error'), 'error'))
      .finally(() => { if (--inFlight === 0) delete root.dataset.busy; });
    return queue;
  }

  /** Sends one message, retrying 5xx/network/timeouts with the same id (1s, 2s, 4s … 30s). */
  async function deliver(body, opts) {
    body.lang = lang;   // the language when the message actually leaves (an earlier reply may change it)
    for (let delay = 1000, attempt = 1; ; delay = Math.min(delay * 2, MAX_DELAY), attempt++) {
      // The first attempt says so: the server need not look for an answer kept for it.
      const payload = JSON.stringify(Object.assign({}, body, { attempt }));
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(), 20000);
      let status = 0, data = null;
      try {
        const res = await fetch('api/messages', { method: 'POST', body: payload, signal: ctl.signal,
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' } });
        status = res.status;
        if (res.ok) data = (await res.json()) || {};
      } catch (e) { /* network error, timeout or truncated body: retry below */ }
      clearTimeout(timer);
      if (data) return received(data, opts);
      if (status === 401) return unauthorised(opts);
      if (status >= 400 && status < 500 && status !== 408) return rejected(status, opts);
      setStatus(t('offline'), 'warn');
      await pause(delay);
    }
  }

  /*
   * 401: the session is gone (expired, or not one the server issued). The page reloads
   * once to get a new one, keeping the text being sent, and then says why the
   * conversation starts again. A second 401 before any answer means the browser keeps
   * no cookie for the chat: no reload loop, the citizen is told instead.
   */
  const RELOADED = 'wemi-reloaded', DRAFT = 'wemi-draft';

  function unauthorised(opts) {
    let reloaded = null;
    try { reloaded = sessionStorage.getItem(RELOADED); } catch (e) { reloaded = '1'; /* storage blocked: no loop */ }
    if (reloaded) {
      setStatus(t('no_session'), 'error');
      if (opts.user) opts.user.remove();
      if (opts.text && !input.value) { input.value = opts.text; autosize(); }
      return;
    }
    try {
      sessionStorage.setItem(RELOADED, '1');
      if (opts.text) sessionStorage.setItem(DRAFT, opts.text);
    } catch (e) { /* storage blocked */ }
    location.reload();
    return new Promise(() => {});   // the page goes: nothing else is sent
  }

  /** Renders a successful answer. */
  function received(data, opts) {
    try { sessionStorage.removeItem(RELOADED); } catch (e) { /* storage blocked */ }
    setStatus('');
    if (opts.user) { opts.user.classList.remove('pending'); opts.user.querySelector('.meta').remove(); }
    show(data, opts);
  }

  /**
   * Appends the replies of an answer, or of the inbox (opts.pushed), to the log, whose
   * live region announces them.
   */
  function show(data, opts) {
    let replaced = null, first = null;
    for (const r of Array.isArray(data.replies) ? data.replies : []) {
      if (!r || typeof r !== 'object') continue;
      const msg = renderReply(r);
      if (r.replace && !replaced && opts.source && opts.source.isConnected) {
        opts.source.replaceWith(msg);   // paging: the pressed message is updated in place
        replaced = msg;
      } else {
        log.append(msg);
        first = first || msg;
      }
    }
    if (typeof data.lang === 'string' && /^[a-z]{2}$/.test(data.lang) && data.lang !== lang) {
      lang = data.lang;
      root.lang = lang;
      loadTexts(lang);   // labels follow the conversation's language
    }
    reveal(first, replaced);
    moveFocus(opts, replaced);
    if (data.forgotten) {
      // The citizen erased their data: the browser keeps none of it either, only
      // the confirmation on screen.
      while (log.firstElementChild && log.firstElementChild !== first) log.firstElementChild.remove();
      try { localStorage.removeItem(STORE_KEY); } catch (e) { /* storage blocked */ }
      if (typeof data.tag === 'string') sessionTag = data.tag;   // the new session's
      return;
    }
    save();
  }

  /** 4xx: tell the user why, drop the bubble and give the text back for editing. */
  function rejected(status, opts) {
    setStatus(t(status === 413 ? 'too_long' : status === 429 ? 'too_fast' : 'error'), 'error');
    if (opts.user) opts.user.remove();
    if (opts.text && !input.value) { input.value = opts.text; autosize(); }
  }

  /** Scrolls so that the first new message starts in view (or to the bottom if all fits). */
  function reveal(first, replaced) {
    const behavior = reducedMotion.matches ? 'auto' : 'smooth';
    if (first) {
      log.scrollTo({ top: Math.min(first.offsetTop - 8, log.scrollHeight - log.clientHeight), behavior });
    } else if (replaced && replaced.offsetTop < log.scrollTop) {
      log.scrollTo({ top: replaced.offsetTop - 8, behavior });
    }
  }

  /** Keeps keyboard users oriented, without stealing focus from someone who moved on. */
  function moveFocus(opts, replaced) {
    if (opts.start || opts.pushed) return;   // nobody asked: the focus stays where it is
    const a = document.activeElement;
    if (a && a !== document.body && a.isConnected && a !== opts.pressed) return;
    if (replaced) {
      // Paging: focus the same button in the new page (e.g. "Next"), else the message itself.
      const p = opts.pressed, buttons = Array.from(replaced.querySelectorAll('.reply-button'));
      const target = (p && (buttons.find((b) => b.dataset.data === p.dataset.data) ||
        buttons.find((b) => b.textContent === p.textContent))) || replaced;
      if (target === replaced) replaced.tabIndex = -1;
      target.focus({ preventScroll: true });
    } else if (opts.keyboard || !touchOnly.matches) {
      input.focus({ preventScroll: true });   // no virtual keyboard pop-up after a tap on a phone
    }
  }

  // ------------------------------------------------------------------ inbox
  /*
   * Replies pushed to this session outside an answer (an operator's, while a person
   * follows the conversation) wait on the server until the page has shown them: every
   * POLL_EVERY while the page is visible, every MAX_DELAY while hidden, backing off
   * after errors, and at once when the page becomes visible again. Each has a seq; a
   * poll asks for those after the last shown, which acknowledges that one and every
   * earlier (the server forgets them). inboxSeq is saved with the log, so a reload
   * neither shows a reply twice nor loses one whose response never arrived.
   */
  const POLL_EVERY = 4000;
  let pollTimer = 0, polling = false, pollFailures = 0;

  function schedulePoll(ms) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, ms);
  }

  async function poll() {
    if (polling) return;   // the poll under way schedules the next
    polling = true;
    clearTimeout(pollTimer);
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 20000);
    let ok = false;
    try {
      // 401 (no session), 429 and 503 (store unreachable) are failures like a network error.
      const res = await fetch('api/inbox?after=' + inboxSeq, { cache: 'no-store', signal: ctl.signal, headers: { Accept: 'application/json' } });
      const data = res.ok ? await res.json() : null;
      ok = !!data;
      const fresh = data && Array.isArray(data.replies)
        ? data.replies.filter((r) => r && Number.isSafeInteger(r.seq) && r.seq > inboxSeq) : [];
      if (fresh.length) {
        inboxSeq = Math.max(...fresh.map((r) => r.seq));   // before show(), which saves it with the log
        show({ replies: fresh }, { pushed: true });
      }
    } catch (e) { /* network error, timeout or bad JSON: back off quietly */ }
    clearTimeout(timer);
    polling = false;
    pollFailures = ok ? 0 : Math.min(pollFailures + 1, 8);
    const hidden = document.visibilityState !== 'visible';
    schedulePoll(hidden ? MAX_DELAY : Math.min(POLL_EVERY * 2 ** pollFailures, MAX_DELAY));
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') schedulePoll(0);
  });

  // ---------------------------------------------------- history (best effort)
  /** Saves the delivered log to localStorage (pending bubbles and dead blob links excluded). */
  function save() {
    if (!log.querySelector('.msg')) return;   // nothing shown yet: keep what another tab saved
    try {
      const copy = log.cloneNode(true);
      copy.querySelectorAll('.pending').forEach((n) => n.remove());
      copy.querySelectorAll('a.doc').forEach((a) => { a.removeAttribute('href'); a.classList.add('expired'); });
      while (copy.children.length > 150) copy.firstElementChild.remove();
      if (sessionTag) localStorage.setItem(STORE_KEY, JSON.stringify({ tag: sessionTag, lang, html: copy.innerHTML, seq: inboxSeq }));
    } catch (e) { /* storage full or blocked (e.g. third-party iframe) */ }
  }

  /** Restores our own serialisation of already-sanitised nodes; true if messages came back. */
  function restore(value) {
    try {
      const saved = JSON.parse(value === undefined ? localStorage.getItem(STORE_KEY) || 'null' : value);
      if (!saved || typeof saved.html !== 'string' || !sessionTag || saved.tag !== sessionTag) return false;
      if (Number.isSafeInteger(saved.seq) && saved.seq > 0) inboxSeq = saved.seq;
      log.innerHTML = saved.html;
      if (/^[a-z]{2}$/.test(saved.lang)) lang = saved.lang;
      return log.querySelector('.msg') !== null;
    } catch (e) {
      return false;
    }
  }

  // -------------------------------------------------------------- composer
  function autosize() {
    if (CSS.supports && CSS.supports('field-sizing', 'content')) return;   // CSS does it
    input.style.height = 'auto';   // CSSOM, allowed by CSP (unlike style="" attributes)
    input.style.height = Math.min(input.scrollHeight + 4, 160) + 'px';
  }

  function sendText() {
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    autosize();
    send({ text }, { user: userMessage(text), text });
    input.focus();   // focus returns to the input after sending
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); sendText(); });

  // Enter sends, Shift+Enter is a new line; never interrupt an IME composition.
  const plainEnter = (ev) => ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing;
  input.addEventListener('keydown', (ev) => { if (plainEnter(ev)) { ev.preventDefault(); sendText(); } });
  // Synthetic key events (e.g. DevTools protocol) may deliver the character separately.
  input.addEventListener('keypress', (ev) => { if (plainEnter(ev)) ev.preventDefault(); });
  input.addEventListener('input', autosize);

  // Reply buttons (delegated, so restored messages work too). They stay usable for paging.
  log.addEventListener('click', (ev) => {
    const btn = ev.target.closest('button.reply-button');
    if (!btn || !log.contains(btn)) return;
    if (btn.classList.contains('share-location')) return shareLocation(ev.detail === 0);
    // A second tap while a press is still being answered would ask twice: ignore it.
    if (buttonBusy) return;
    buttonBusy = true;
    const msg = btn.closest('.msg');
    msg.querySelectorAll('.reply-button.pressed').forEach((b) => b.classList.remove('pressed'));
    btn.classList.add('pressed');
    // detail === 0: activated with the keyboard (Enter/Space), not a pointer.
    send({ button: btn.dataset.data }, { source: msg, pressed: btn, keyboard: ev.detail === 0 })
      .finally(() => { buttonBusy = false; });
  });

  // The composer's pin and a reply's location button share the browser's position.
  locateBtn.addEventListener('click', (ev) => shareLocation(ev.detail === 0));   // detail 0: Enter/Space

  function shareLocation(keyboard) {
    if (!navigator.geolocation) return setStatus(t('location_denied'), 'error');
    if (locating) return;
    locating = true;
    const done = () => { locating = false; };
    navigator.geolocation.getCurrentPosition((pos) => {
      done();
      const loc = { lat: pos.coords.latitude, lon: pos.coords.longitude };
      // The bubble shows a pin and the coordinates (numbers, no language needed).
      const content = document.createDocumentFragment();
      content.append(icon(ICON_PIN), label('location', 'vh'), ' ' + loc.lat.toFixed(5) + ', ' + loc.lon.toFixed(5));
      send({ location: loc }, { user: userMessage(content), keyboard });
      if (keyboard || !touchOnly.matches) input.focus();
    }, () => {
      done();
      setStatus(t('location_denied'), 'error');
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  // In the embed.js iframe, Escape asks the host page to close the chat (no data is sent).
  if (embedded) {
    root.classList.add('embedded');
    document.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') window.parent.postMessage({ wemibot: 'close' }, '*');
    });
  }

  // Another tab of the same conversation wrote: show what it shows.
  window.addEventListener('storage', (ev) => {
    if (ev.key !== STORE_KEY || inFlight > 0) return;
    if (ev.newValue === null) { log.replaceChildren(); return; }   // erased there
    const before = lang;
    if (restore(ev.newValue)) {
      log.scrollTop = log.scrollHeight;
      if (lang !== before) loadTexts(lang);
    }
  });

  // --------------------------------------------------------- large text
  /*
   * With text enlarged (a browser's zoom, the phone's text size) the header and the
   * composer would leave the conversation a strip: when fewer than 34 lines of text
   * fit the window's height, they shrink to the essentials (class "compact").
   */
  const probe = el('div', 'em-probe');
  probe.setAttribute('aria-hidden', 'true');
  document.body.append(probe);
  function fit() {
    const em = probe.getBoundingClientRect().height || 16;
    root.classList.toggle('compact', window.innerHeight / em < 34);
  }
  if (window.ResizeObserver) new ResizeObserver(fit).observe(probe);
  window.addEventListener('resize', fit);
  fit();

  // ------------------------------------------------------------------ start
  (async function start() {
    root.lang = lang;
    let renewed = false, draft = '';
    try {
      renewed = sessionStorage.getItem(RELOADED) === '1';
      draft = sessionStorage.getItem(DRAFT) || '';
      sessionStorage.removeItem(DRAFT);
    } catch (e) { /* storage blocked */ }
    if (draft && !input.value) { input.value = draft; autosize(); }
    await loadTexts(lang);   // the page's words, its language and the session's tag
    const told = () => { if (renewed) setStatus(t('session_expired'), 'warn'); };
    if (restore()) {
      root.dataset.ready = '1';
      log.scrollTop = log.scrollHeight;
      if (texts && lang !== root.lang) loadTexts(lang);
      told();
    } else {
      send({ text: '/start' }, { start: true }).then(() => {
        if (statusEl.className === 'status') told();   // unless the greeting failed
        root.dataset.ready = '1';
      });
    }
    poll();
  })();
  // On a computer, start in the text box (a phone would open its keyboard over the
  // greeting, so there the citizen taps it).
  if (window.matchMedia('(hover: hover) and (pointer: fine)').matches && window === window.parent) input.focus();
})();
