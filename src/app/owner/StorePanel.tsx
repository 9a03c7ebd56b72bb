import { useState, type DragEvent } from 'react';
import { loadFile } from '../../duet/data/load';
import type { DataOwner } from '../../duet/owner';
import type { AssetMeta } from '../../duet/store';
import { ErrorBanner } from '../components/ErrorBanner';

// The DO's data: what is shared (metadata only reaches the scientist), and a drop zone.

export function StorePanel({ owner, loading }: { owner: DataOwner | undefined; loading: boolean }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const assets = owner?.store.listing() ?? [];

  const addFiles = async (files: readonly File[]) => {
    if (!owner || files.length === 0) return;
    setBusy(true);
    setError(undefined);
    try {
      for (const f of files) {
        const value = await loadFile(new Uint8Array(await f.arrayBuffer()), { name: f.name });
        owner.addAsset({ name: f.name, description: `Uploaded from ${f.name}`, tags: ['upload'], value });
      }
    } catch (e) {
      setError(e); // the store keeps what it had; the message names the file (and line)
    } finally {
      setBusy(false);
    }
  };
  const onDrop = (ev: DragEvent) => {
    ev.preventDefault();
    setOver(false);
    void addFiles([...ev.dataTransfer.files]);
  };

  return (
    <section className="card" aria-label="Your data">
      <div className="panel-head">
        <h2>Your data</h2>
        <span className="muted small">{loading ? 'Loading the demo data…' : `${assets.length} asset${assets.length === 1 ? '' : 's'}, private by default`}</span>
      </div>
      <label
        className={`dropzone${over ? ' over' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <input type="file" multiple hidden data-testid="file-input" onChange={(e) => void addFiles([...(e.target.files ?? [])]).then(() => (e.target.value = ''))} />
        <strong>{busy ? 'Reading…' : 'Drop files here, or click to choose'}</strong>
        <span className="muted small">CSV, TSV, Arrow IPC, Parquet, MNIST IDX or JSON (optionally .gz). Files stay in this tab.</span>
      </label>
      <ErrorBanner error={error} testId="upload-error" />
      <ul className="assets">
        {assets.map((a) => (
          <AssetCard key={a.id} a={a} owner={owner!} />
        ))}
      </ul>
    </section>
  );
}

function AssetCard({ a, owner }: { a: AssetMeta; owner: DataOwner }) {
  return (
    <li className="asset" data-testid="asset" data-asset-id={a.id}>
      <div className="asset-head">
        <strong>{a.name}</strong>
        <code className="chip">{a.id}</code>
      </div>
      {a.description && <p className="muted small">{a.description}</p>}
      <p className="small">
        {a.kind === 'table' ? `Table · ${a.rowCount.toLocaleString()} rows · ${a.schema?.length ?? 0} columns` : `Tensor · ${a.dtype} [${a.shape?.join(' × ')}]`}
        {a.domain && a.domain.min !== undefined ? ` · values ${a.domain.min}..${a.domain.max}` : ''}
      </p>
      {a.schema && (
        <p className="columns">
          {a.schema.map((c) => (
            <span key={c.name} className="column-pill" title={c.domain ? JSON.stringify(c.domain) : 'no public domain'}>
              {c.name} <em>{c.kind === 'numeric' ? c.dtype : c.kind}</em>
            </span>
          ))}
        </p>
      )}
      <div className="asset-foot">
        <span className="tags">
          {a.tags.map((t) => (
            <span key={t} className="tag">
              {t}
            </span>
          ))}
        </span>
        <label className="toggle">
          <input type="checkbox" data-testid="mock-toggle" checked={a.mockAvailable} onChange={(e) => owner.setMock(a.id, e.target.checked)} />
          Offer a synthetic mock
        </label>
        <button className="button ghost small" onClick={() => owner.removeAsset(a.id)}>
          Remove
        </button>
      </div>
    </li>
  );
}
