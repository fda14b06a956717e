import { useState } from 'react';
import { Group } from '../../../components/ui/group';
import { describeError } from '../../../components/ui/states';
import type { Download } from '../../../lib/api-client';
import { saveBlob } from '../../../lib/download';

/** JSON and CSV export through the API (authenticated fetch, then a file download). */
export function ExportButtons({
  label,
  load,
}: {
  label: string;
  load: (format: 'json' | 'csv') => Promise<Download>;
}) {
  const [busy, setBusy] = useState<'json' | 'csv' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = (format: 'json' | 'csv') => {
    setBusy(format);
    setError(null);
    load(format).then(
      (d) => {
        saveBlob(d.blob, d.filename);
        setBusy(null);
      },
      (e: Error) => {
        setError(describeError(e));
        setBusy(null);
      },
    );
  };
  return (
    <Group className="export" label={label}>
      <button type="button" onClick={() => run('json')} disabled={busy !== null}>
        {busy === 'json' ? 'Exporting…' : 'Export JSON'}
      </button>
      <button type="button" onClick={() => run('csv')} disabled={busy !== null}>
        {busy === 'csv' ? 'Exporting…' : 'Export CSV'}
      </button>
      {error && (
        <span className="tone-bad small" role="alert">
          {error}
        </span>
      )}
    </Group>
  );
}
