// Owns the console's import form: sends the chosen file as the request body to /api/admin/import and shows the summary.
import { ApiError } from './api.js';
import { busy, fill, S, sessionLost } from './admin-dom.js';
import type { ErrorBody } from './types.js';

interface Summary {
  dryRun: boolean;
  imported: number;
  rejected: number;
  existing: number;
  articlesCreated: number;
  orphans: number;
  skipped: Record<string, number>;
}

export class ImportView {
  private readonly form = document.getElementById('import-form') as HTMLFormElement;
  private readonly result = document.getElementById('import-result') as HTMLElement;

  constructor() {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      const f = this.form.elements;
      const file = (f.namedItem('file') as HTMLInputElement).files?.[0];
      if (!file) return;
      const q = new URLSearchParams({
        format: (f.namedItem('format') as HTMLSelectElement).value,
        dryRun: (f.namedItem('dryRun') as HTMLInputElement).checked ? '1' : '0',
        rejected: (f.namedItem('rejected') as HTMLInputElement).checked ? 'import' : 'skip',
      });
      this.result.textContent = '';
      void busy(this.form.querySelector('button[type="submit"]'), async () => {
        const res = await fetch(`/api/admin/import?${q}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/json' },
          body: file,
        });
        const data = (await res.json().catch(() => null)) as { summary?: Summary; error?: ErrorBody } | null;
        if (res.status === 401) sessionLost();
        if (!res.ok || !data?.summary) throw new ApiError(res.status, data?.error ?? { code: `http_${res.status}`, message: res.statusText });
        const s = data.summary;
        const skipped = Object.values(s.skipped).reduce((a, b) => a + b, 0);
        const vars = { imported: s.imported, rejected: s.rejected, existing: s.existing, articles: s.articlesCreated, skipped, orphans: s.orphans };
        this.result.textContent = fill(s.dryRun ? S.importDryDone : S.importDone, vars);
      });
    });
  }
}
