// The Statelab embed kit: <statelab-embed tour="sticky-crash" step="2">.
// One script, no framework: loaded as a module (`type="module"`, which a
// cross-origin host must serve with Access-Control-Allow-Origin) or as a
// classic script (`defer`), which needs no such header; so it has no
// `import`/`export` and finds its own address in the page. It shows the
// step's prerendered page as a poster (`poster=1`: that page loads no wasm), loads the live playground when the
// reader asks (a click, Enter or Space on its button; or when it scrolls into
// view with load="visible"), sizes itself to its content, follows the host
// page's light/dark switch, and speaks the message API of docs/embed-api.md,
// also as methods and DOM events.
(() => {
const VERSION = 1;
// Where this script was loaded from: the playground's site, unless `src` says otherwise.
const SELF = document.currentScript ?? [...document.querySelectorAll('script[src]')].find((s) => /(^|\/)embed\.js([?#]|$)/.test(s.getAttribute('src')));
const HERE = new URL('./', SELF?.src ?? location.href).href;
const EVENTS = { ready: 'statelab-ready', step: 'statelab-step', action: 'statelab-action', resize: 'statelab-resize', answer: 'statelab-answer', error: 'statelab-error' };
// Each tour of this script's site and its last step, written in by the site's build
// (src/bin/prerender.rs), so a wrong `tour` or `step` is said in place rather than
// shown as the host's 404 page; `null` in the unbuilt file.
const TOURS = /* tours */ null;
const DARK_MDBOOK = ['navy', 'coal', 'ayu'];
const LIGHT_MDBOOK = ['light', 'rust'];

/** The host page's scheme: MkDocs Material, Docusaurus, mdBook, VitePress, else the system's. */
function hostTheme(doc = document) {
  const html = doc.documentElement;
  const md = doc.body?.getAttribute('data-md-color-scheme') ?? html.getAttribute('data-md-color-scheme');
  if (md) return md === 'slate' ? 'dark' : 'light';
  const docusaurus = html.getAttribute('data-theme');
  if (docusaurus === 'dark' || docusaurus === 'light') return docusaurus;
  if (DARK_MDBOOK.some((c) => html.classList.contains(c))) return 'dark';
  if (LIGHT_MDBOOK.some((c) => html.classList.contains(c))) return 'light';
  // VitePress puts `dark` on <html> when dark and nothing when light.
  if (html.classList.contains('dark')) return 'dark';
  if (doc.getElementById('VPContent')) return 'light';
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

const STYLE = `
:host{display:block;position:relative;margin:1em 0;max-width:100%}
:host([hidden]){display:none}
iframe{display:block;width:100%;height:var(--statelab-height,480px);border:0}
.load{position:absolute;inset:0;width:100%;margin:0;padding:0 0 1rem;border:0;background:transparent;cursor:pointer;display:flex;align-items:flex-end;justify-content:center}
.load span{font:600 15px/1.2 system-ui,sans-serif;padding:.6em 1.2em;border-radius:999px;background:#1d4ed8;color:#fff;box-shadow:0 2px 8px #0005}
.load:hover span{background:#1e40af}
.load:focus-visible{outline:3px solid #0b57d0;outline-offset:-3px}
.card{box-sizing:border-box;height:10rem;padding:1rem;border:1px solid #d0d7de;border-radius:8px;font:15px/1.5 system-ui,sans-serif;background:#f7f7f5;color:#1b1f24}
:host([data-theme=dark]) .card{background:#0d1117;color:#e6edf3;border-color:#30363d}
.error{font:14px/1.5 system-ui,sans-serif;color:#a40e26}`;

/** Every embed on the page, for the one message listener and the one theme watcher. */
const embeds = new Set();

addEventListener('message', (event) => {
  for (const embed of embeds) embed.receive(event);
});

function themeChanged() {
  for (const embed of embeds) embed.followHost();
}
const watcher = new MutationObserver(themeChanged);
const watched = { attributes: true, attributeFilter: ['class', 'data-theme', 'data-md-color-scheme'] };
watcher.observe(document.documentElement, watched);
// MkDocs Material marks <body>, which a script in <head> runs before.
if (document.body) watcher.observe(document.body, watched);
else addEventListener('DOMContentLoaded', () => watcher.observe(document.body, watched));
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', themeChanged);

/** Where a frame's page is, or why it cannot be: `{page, poster}`, `poster` false when the state has no prerendered page. */
function frameAddress({ tour, step, link, src }) {
  const base = new URL(src || HERE, location.href);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  if (tour != null) {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(tour)) throw new Error(`tour ${JSON.stringify(tour.slice(0, 64))} is not a tour id (lowercase letters, digits and dashes)`);
    const n = step ?? '0';
    if (!/^\d{1,4}$/.test(n)) throw new Error(`step ${JSON.stringify(n.slice(0, 16))} is not a step number (0 for the tour's start)`);
    // Another site (`src`) may have other tours: only this script's own are known here.
    if (TOURS && !src) {
      if (!Object.hasOwn(TOURS, tour)) throw new Error(`there is no tour ${JSON.stringify(tour)}; the tours are ${Object.keys(TOURS).join(', ')}`);
      if (Number(n) > TOURS[tour]) throw new Error(`tour ${tour} has steps 0 to ${TOURS[tour]}; there is no step ${Number(n)}`);
    }
    return { page: new URL(`tour/${tour}/${Number(n)}/embed/`, base), poster: true };
  }
  if (link == null || link === '') throw new Error('give a `tour` (and `step`), or a `link` the Share button copied');
  const page = new URL(link, base);
  // A tour step's own page has a prerendered embed form; any other state is the root's query.
  const step_page = page.pathname.match(/\/tour\/[a-z0-9-]+\/\d+\/(embed\/)?$/);
  if (step_page && !step_page[1]) page.pathname += 'embed/';
  if (!step_page) page.searchParams.set('embed', '1');
  return { page, poster: !!step_page && page.search === '' };
}

class StatelabEmbed extends HTMLElement {
  static observedAttributes = ['tour', 'step', 'link', 'src', 'theme'];

  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML = `<style>${STYLE}</style><div part="frame"></div>`;
    this.box = this.shadowRoot.querySelector('div');
    this.queue = [];
  }

  connectedCallback() {
    embeds.add(this);
    this.build();
  }

  disconnectedCallback() {
    embeds.delete(this);
    this.visible?.disconnect();
  }

  attributeChangedCallback(name, before, after) {
    // Upgrading an element already in the page calls this for each attribute before
    // connectedCallback builds it once.
    if (!embeds.has(this) || before === after) return;
    if (name === 'theme') this.followHost();
    else this.build();
  }

  /** The scheme the frame should show: the attribute, or the host's. */
  get theme() {
    const t = this.getAttribute('theme');
    return t === 'light' || t === 'dark' ? t : hostTheme();
  }

  /** Shows the poster (or, for a state with no prerendered page, a card) and its load button. */
  build() {
    this.visible?.disconnect();
    this.live = false;
    this.ready = false;
    // Whether the poster's page listens: its first height report says so.
    this.posterUp = false;
    this.inPlace = false;
    this.queue = [];
    this.box.replaceChildren();
    try {
      this.address = frameAddress({ tour: this.getAttribute('tour'), step: this.getAttribute('step'), link: this.getAttribute('link'), src: this.getAttribute('src') });
    } catch (e) {
      const p = document.createElement('p');
      p.className = 'error';
      p.setAttribute('role', 'alert');
      p.textContent = `statelab-embed: ${e.message}`;
      this.box.append(p);
      return;
    }
    this.origin = this.address.page.origin;
    this.shown = this.theme;
    this.dataset.theme = this.shown;
    const tour = this.getAttribute('tour');
    const name = this.getAttribute('title') || (tour ? `Statelab: tour ${tour}, step ${this.getAttribute('step') ?? 0}` : 'Statelab playground');
    this.frame = null;
    if (this.address.poster) {
      this.frame = this.makeFrame(name, { poster: '1' });
      this.frame.inert = true;
    } else {
      const card = document.createElement('div');
      card.className = 'card';
      card.textContent = `${name}: an interactive simulation of stateless and stateful servers.`;
      this.box.append(card);
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'load';
    button.setAttribute('aria-label', `Load the interactive playground: ${name}`);
    button.innerHTML = '<span aria-hidden="true">▶ Load the interactive playground</span>';
    button.addEventListener('click', () => this.load());
    this.box.append(button);
    this.name = name;
    if (this.getAttribute('load') === 'visible') {
      this.visible = new IntersectionObserver((seen) => seen.some((s) => s.isIntersecting) && this.load());
      this.visible.observe(this);
    }
  }

  makeFrame(name, params) {
    const url = new URL(this.address.page);
    for (const [k, v] of Object.entries({ ...params, theme: this.shown })) url.searchParams.set(k, v);
    const frame = document.createElement('iframe');
    frame.title = name;
    frame.src = url.href;
    // The poster never reports again once replaced; a live frame's height comes from its reports.
    if (this.height) frame.style.height = `${this.height}px`;
    frame.addEventListener('load', () => frame === this.frame && !this.live && this.post({ type: 'theme', theme: this.shown }));
    this.box.prepend(frame);
    return frame;
  }

  /**
   * Loads the live playground: in the poster's own frame once the poster is
   * up (its page starts the app in place, so only the script and the wasm
   * are fetched), else in a new frame.
   */
  load() {
    if (this.live || !this.address) return;
    this.visible?.disconnect();
    const focused = this.shadowRoot.activeElement != null;
    this.live = true;
    this.inPlace = !!this.frame && this.posterUp;
    if (this.inPlace) {
      // Asked first: the frame starts fetching while this page restyles.
      this.post({ type: 'load' });
      this.box.querySelector('button.load')?.remove();
      this.frame.inert = false;
    } else {
      this.box.replaceChildren();
      this.frame = this.makeFrame(this.name, {});
    }
    // The keyboard goes on into the playground, not back to the top of the host page.
    if (focused) this.frame.focus();
  }

  /** A message from a window: only this element's own frame, from its origin, in version 1. */
  receive(event) {
    if (!this.frame || event.source !== this.frame.contentWindow || event.origin !== this.origin) return;
    const m = event.data;
    if (m === null || typeof m !== 'object' || m.statelab !== VERSION || !(m.type in EVENTS)) return;
    if (m.type === 'resize' && !this.live) this.posterUp = true;
    if (m.type === 'resize' && Number.isFinite(m.height) && m.height > 0) {
      this.height = Math.ceil(m.height);
      this.frame.style.height = `${this.height}px`;
    }
    if (m.type === 'ready') {
      this.ready = true;
      // A poster started in place still has its first address as `src`: say the theme whatever it says.
      if (this.inPlace || this.shown !== new URL(this.frame.src).searchParams.get('theme')) this.queue.unshift({ type: 'theme', theme: this.shown });
      for (const q of this.queue.splice(0)) this.post(q);
    }
    if (!this.live) return;
    const { statelab, type, ...detail } = m;
    this.dispatchEvent(new CustomEvent(EVENTS[type], { detail, bubbles: true, composed: true }));
  }

  post(message) {
    this.frame?.contentWindow?.postMessage({ statelab: VERSION, ...message }, this.origin);
  }

  /** A command: sent when the live frame is ready, loading it first if need be. */
  command(message) {
    this.load();
    if (this.ready) this.post(message);
    else this.queue.push(message);
  }

  /** Follows the host page's scheme (theme="auto", the default) or the attribute. */
  followHost() {
    const theme = this.theme;
    if (theme === this.shown || !this.address) return;
    this.shown = theme;
    this.dataset.theme = theme;
    if (!this.live || this.ready) this.post({ type: 'theme', theme });
    else this.queue.push({ type: 'theme', theme });
  }

  goto(step) { this.command({ type: 'goto', step }); }
  next() { this.command({ type: 'next' }); }
  prev() { this.command({ type: 'prev' }); }
  play() { this.command({ type: 'play' }); }
  pause() { this.command({ type: 'pause' }); }
  reset() { this.command({ type: 'reset' }); }
  /** `light`, `dark`, or `auto` (follow the host page again). */
  setTheme(theme) {
    if (!['light', 'dark', 'auto'].includes(theme)) throw new TypeError(`setTheme: ${JSON.stringify(String(theme)).slice(0, 40)} is not "light", "dark" or "auto"`);
    if (theme === 'auto') this.removeAttribute('theme');
    else this.setAttribute('theme', theme);
  }
}

if (!customElements.get('statelab-embed')) customElements.define('statelab-embed', StatelabEmbed);
})();
