// Dev only (injected by dev-search.ts): mounts Pagefind's UI where Starlight's search dialog
// shows "only available in production builds", reading the index the dev server serves.

// @ts-expect-error — @pagefind/default-ui ships no types (Starlight imports it the same way).
import { PagefindUI } from '@pagefind/default-ui';

function mount(): void {
  const search = document.querySelector<HTMLElement>('site-search');
  const frame = search?.querySelector('.dialog-frame');
  const warning = frame?.querySelector(':scope > div[dir="ltr"]');
  if (search == null || frame == null || warning == null) return;
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
  new PagefindUI({ element: '#starlight__search', baseUrl: '/', bundlePath: '/pagefind/', showImages: false, showSubResults: true, translations });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
