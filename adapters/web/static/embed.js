/*
 * WeMi Bot – embed snippet for the WeMi portal (or any other page):
 *
 *   <script src="https://<bot-host>/static/embed.js" async></script>
 *
 * Adds a floating launcher button that opens the chat in an iframe served by the bot host
 * (the same origin, and path prefix, as this script). Self-contained: no dependencies, no
 * innerHTML, styles isolated in a Shadow DOM so the portal's CSS and ours never mix.
 * The iframe is created on the first open only, so pages that never open the chat cost
 * the bot nothing. Closing hides it (the conversation stays); Escape or the close button
 * close it and focus goes back to the launcher.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || !script.src || window.__wemiBotEmbed) return;   // no src, or included twice
  window.__wemiBotEmbed = true;

  // ".../static/embed.js" → the chat page at the bot's root (works behind a path prefix too).
  var chatURL = new URL('../', script.src);
  // The only texts that live here: they are needed before the chat (and its texts) loads.
  var L = /^en/i.test(navigator.language || '')
    ? { open: 'Open the WeMi Bot chat', close: 'Close the chat', title: 'WeMi Bot' }
    : { open: 'Apri la chat di WeMi Bot', close: 'Chiudi la chat', title: 'WeMi Bot' };

  var STYLES = [
    ':host { all: initial; }',
    '.launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;',
    '  width: 60px; height: 60px; padding: 0; display: flex; align-items: center; justify-content: center;',
    '  border: 2px solid #fff; border-radius: 50%; background: #003a70; color: #fff; cursor: pointer;',
    '  box-shadow: 0 4px 14px rgba(0,0,0,.3); transition: transform .15s ease, background-color .15s ease; }',
    '.launcher:hover { background: #002a52; transform: scale(1.06); }',
    /* Blue ring plus a white gap: visible on light and dark pages alike. */
    '.launcher:focus-visible { outline: 3px solid #003a70; outline-offset: 3px;',
    '  box-shadow: 0 0 0 3px #fff, 0 4px 14px rgba(0,0,0,.3); }',
    'svg { width: 28px; height: 28px; fill: currentColor; }',
    '.panel { position: fixed; right: 20px; bottom: 92px; z-index: 2147483001;',
    '  width: 380px; max-width: calc(100vw - 40px); height: 620px; max-height: calc(100vh - 112px);',
    '  display: flex; flex-direction: column; overflow: hidden; background: #fff;',
    '  border-radius: 14px; box-shadow: 0 10px 40px rgba(0,0,0,.35);',
    '  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }',
    '.panel[hidden] { display: none; }',
    '.bar { display: flex; align-items: center; justify-content: space-between; gap: 8px;',
    '  min-height: 52px; padding: 4px 4px 4px 16px; background: #003a70; color: #fff; }',
    '.title { margin: 0; font-size: 16px; font-weight: 700; line-height: 1.3; }',
    '.close { width: 44px; height: 44px; padding: 0; display: flex; align-items: center; justify-content: center;',
    '  border: 0; border-radius: 50%; background: transparent; color: #fff; cursor: pointer; }',
    '.close:hover { background: rgba(255,255,255,.18); }',
    '.close:focus-visible { outline: 3px solid #fff; outline-offset: -3px; }',
    'iframe { flex: 1; display: block; width: 100%; min-height: 0; border: 0; }',
    /* Phones: the chat takes the whole screen. */
    '@media (max-width: 480px) { .panel { top: 0; left: 0; right: 0; bottom: 0; width: 100%;',
    '  max-width: none; height: 100%; max-height: none; border-radius: 0; } }',
    '@media (prefers-reduced-motion: reduce) { .launcher { transition: none; } .launcher:hover { transform: none; } }',
    '@media (forced-colors: active) { .launcher, .panel { border: 2px solid ButtonText; } }'
  ].join('\n');

  var ICON_CHAT = 'M6 3h12a3 3 0 0 1 3 3v8a3 3 0 0 1-3 3h-7.5L5 21v-4.2A3 3 0 0 1 3 14V6a3 3 0 0 1 3-3z';
  var ICON_CLOSE = 'M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7l-1.4-1.4L9.2 12 2.9 5.7l1.4-1.4 6.3 6.3 6.3-6.3z';

  /** Creates an element with attributes (never parses markup). */
  function h(tag, attrs, ns) {
    var e = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }

  function icon(d) {
    var NS = 'http://www.w3.org/2000/svg';
    var svg = h('svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' }, NS);
    svg.appendChild(h('path', { d: d }, NS));
    return svg;
  }

  /** Constructable stylesheet (not blocked by a host CSP without 'unsafe-inline'), else <style>. */
  function addStyles(shadow) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
      shadow.adoptedStyleSheets = [sheet];
    } catch (e) {
      var style = document.createElement('style');
      style.textContent = STYLES;
      shadow.appendChild(style);
    }
  }

  function init() {
    var host = h('div', { id: 'wemibot-embed' });
    if (!host.attachShadow) return;
    var shadow = host.attachShadow({ mode: 'open' });
    addStyles(shadow);

    var launcher = h('button', { type: 'button', class: 'launcher', 'aria-label': L.open, title: L.open,
      'aria-expanded': 'false', 'aria-controls': 'wemibot-panel' });
    launcher.appendChild(icon(ICON_CHAT));

    // Non-modal dialog: the portal stays usable while the chat is open.
    var panel = h('div', { id: 'wemibot-panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'wemibot-title' });
    panel.hidden = true;
    var bar = h('div', { class: 'bar' });
    var title = h('h2', { id: 'wemibot-title', class: 'title' });
    title.textContent = L.title;
    var close = h('button', { type: 'button', class: 'close', 'aria-label': L.close, title: L.close });
    close.appendChild(icon(ICON_CLOSE));
    bar.appendChild(title);
    bar.appendChild(close);
    panel.appendChild(bar);
    shadow.appendChild(panel);
    shadow.appendChild(launcher);
    document.body.appendChild(host);

    var iframe = null;

    function open() {
      if (!iframe) {
        // allow="geolocation": the location button in the chat needs it inside an iframe.
        iframe = h('iframe', { src: chatURL.href, title: L.title, allow: 'geolocation' });
        panel.appendChild(iframe);
      }
      panel.hidden = false;
      launcher.setAttribute('aria-expanded', 'true');
      iframe.focus();   // keyboard users land in the chat; Tab goes on to its controls
    }

    function hide() {
      if (panel.hidden) return;
      panel.hidden = true;
      launcher.setAttribute('aria-expanded', 'false');
      launcher.focus();
    }

    launcher.addEventListener('click', function () { if (panel.hidden) open(); else hide(); });
    close.addEventListener('click', hide);

    // Escape while focus is on our own controls…
    shadow.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape' && !panel.hidden) { ev.preventDefault(); hide(); }
    });
    // …and while it is inside the chat (the iframe posts {wemibot: "close"} to us).
    window.addEventListener('message', function (ev) {
      if (!iframe || ev.source !== iframe.contentWindow || ev.origin !== chatURL.origin) return;
      if (ev.data && ev.data.wemibot === 'close') hide();
    });
  }

  if (document.body) init();
  else document.addEventListener('DOMContentLoaded', init);
})();
