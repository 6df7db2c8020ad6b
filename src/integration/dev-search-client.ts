// Dev only (injected by dev-search.ts): mounts Pagefind's UI where Starlight's search dialog
// shows "only available in production builds", reading the index the dev server serves.

// Pagefind's UI is loaded from the index the dev server serves (/pagefind/pagefind-ui.js), not
// imported: an import would enter Vite's dependency optimizer, whose late re-optimization answers
// 504 to this page's other modules — the runbook island among them — on a fresh dev server.

interface PagefindUIConstructor {
  new (options: Record<string, unknown>): unknown;
}

/** Loads Pagefind's UI script once; resolves with its constructor. */
function loadPagefindUI(): Promise<PagefindUIConstructor> {
  const existing = (window as unknown as { PagefindUI?: PagefindUIConstructor }).PagefindUI;
  if (existing !== undefined) return Promise.resolve(existing);
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/pagefind/pagefind-ui.js';
    script.onload = () => {
      const loaded = (window as unknown as { PagefindUI?: PagefindUIConstructor }).PagefindUI;
      if (loaded === undefined) reject(new Error('pagefind-ui.js did not define PagefindUI'));
      else resolve(loaded);
    };
    script.onerror = () => reject(new Error('the search index is not ready yet'));
    document.head.append(script);
  });
}

function mount(): void {
  const search = document.querySelector<HTMLElement>('site-search');
  const frame = search?.querySelector('.dialog-frame');
  const warning = frame?.querySelector(':scope > div[dir="ltr"]');
  if (!search || !frame || !warning) return;
  // Starlight's scoped styles match its own elements by the component's scope class.
  const scope = [...frame.classList].find((c) => c.startsWith('astro-'));
  const container = document.createElement('div');
  container.className = 'search-container';
  const target = document.createElement('div');
  target.id = 'starlight__search';
  if (scope !== undefined) {
    container.classList.add(scope);
    target.classList.add(scope);
  }
  container.append(target);
  warning.replaceWith(container);
  let translations: unknown = {};
  try {
    translations = JSON.parse(search.dataset.translations ?? '{}');
  } catch {
    // Pagefind's own English strings then.
  }
  const options = {
    element: '#starlight__search',
    baseUrl: '/',
    bundlePath: '/pagefind/',
    showImages: false,
    showSubResults: true,
    translations,
  };
  const unavailable = 'Search is not available: the dev server could not build its index (see its log).';
  // The index is built in the background when the dev server starts: say so, and ask the
  // server's status endpoint until it is ready rather than fetching the index early.
  const attempt = (left: number): void => {
    indexState().then((state) => {
      if (state === 'ready') {
        loadPagefindUI().then(
          (PagefindUI) => {
            target.textContent = '';
            delete target.dataset.searchBuilding;
            void new PagefindUI(options);
          },
          () => (target.textContent = unavailable),
        );
      } else if (state === 'failed' || left === 0) {
        target.textContent = unavailable;
      } else {
        target.textContent = 'Building the search index… (the dev server builds it once when it starts; a few seconds)';
        target.dataset.searchBuilding = '';
        setTimeout(() => attempt(left - 1), 2_000);
      }
    });
  };
  attempt(90);
}

/** What the dev server says of its index: `ready`, `building` or `failed` (unreachable counts as building). */
async function indexState(): Promise<string> {
  try {
    const response = await fetch('/_meshbook/search-status', { cache: 'no-store' });
    const body = (await response.json()) as { state?: unknown };
    return typeof body.state === 'string' ? body.state : 'building';
  } catch {
    return 'building';
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
