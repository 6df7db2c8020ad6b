// The Copy buttons of fix code blocks (result-tree.ts codeBlock), live and recorded: one click
// handler on the document, so blocks drawn later by the island need nothing of their own.
// What is copied is the block's text as shown.

const FLAG = 'mbCopy';

/** Installs the handler once per document (the recorded results and the island both ask). */
export function enableCopyButtons(doc: Document = document): void {
  const root = doc.documentElement;
  if (root.dataset[FLAG] !== undefined) return;
  root.dataset[FLAG] = '';
  doc.addEventListener('click', (event) => {
    const button = (event.target as Element | null)?.closest?.<HTMLButtonElement>('button.mb-copy[data-copy]');
    const code = button?.closest('figure.mb-code')?.querySelector('pre code')?.textContent;
    if (button === null || button === undefined || code === null || code === undefined) return;
    void copy(code).then((ok) => {
      button.textContent = ok ? 'Copied!' : 'Select and copy';
      button.dataset.copied = ok ? 'true' : 'false';
      setTimeout(() => {
        button.textContent = 'Copy';
        delete button.dataset.copied;
      }, 1_500);
    });
  });
}

// The clipboard API needs a secure context (localhost is one; a plain-http published site is not).
async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    } finally {
      area.remove();
    }
  }
}
