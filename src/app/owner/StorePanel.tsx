import { useState, type DragEvent, type FormEvent } from 'react';
import { loadFile } from '../../duet/data/load';
import type { DataOwner } from '../../duet/owner';
import type { AssetMeta } from '../../duet/store';
import { ErrorBanner } from '../components/ErrorBanner';

// The DO's data: what is shared (metadata only reaches the scientist), and a drop zone.

export function StorePanel({ owner, loading }: { owner: DataOwner | undefined; loading: boolean }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const [publicRanges, setPublicRanges] = useState(false);
  const assets = owner?.store.listing() ?? [];

  const addFiles = async (files: readonly File[]) => {
    if (!owner || files.length === 0) return;
    setBusy(true);
    setError(undefined);
    try {
      for (const f of files) {
        const value = await loadFile(new Uint8Array(await f.arrayBuffer()), { name: f.name });
        owner.addAsset({ name: f.name, description: `Uploaded from ${f.name}`, tags: ['upload'], value, ...(publicRanges ? { domains: 'infer' as const } : {}) });
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
      <label className="toggle">
        <input type="checkbox" checked={publicRanges} onChange={(e) => setPublicRanges(e.target.checked)} data-testid="public-ranges" />
        Declare the new files' ranges and categories public (DP bounds and realistic mocks; only if they are not secret)
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
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(a.name);
  const [description, setDescription] = useState(a.description);
  const [tags, setTags] = useState(a.tags.join(', '));
  const save = (ev: FormEvent) => {
    ev.preventDefault();
    owner.describeAsset(a.id, { name, description, tags: tags.split(',') });
    setEditing(false);
  };
  return (
    <li className="asset" data-testid="asset" data-asset-id={a.id}>
      <div className="asset-head">
        <strong>{a.name}</strong>
        <code className="chip">{a.id}</code>
      </div>
      {editing ? (
        <form className="asset-edit" onSubmit={save}>
          <input value={name} onChange={(e) => setName(e.target.value)} aria-label="name" />
          <input value={description} onChange={(e) => setDescription(e.target.value)} aria-label="description" placeholder="What the scientist should know" />
          <input value={tags} onChange={(e) => setTags(e.target.value)} aria-label="tags" placeholder="tags, comma separated" />
          <button className="button small primary" type="submit">
            Save
          </button>
        </form>
      ) : (
        a.description && <p className="muted small">{a.description}</p>
      )}
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
        <button className="button ghost small" onClick={() => setEditing((x) => !x)}>
          {editing ? 'Cancel' : 'Edit'}
        </button>
        <button className="button ghost small" onClick={() => owner.removeAsset(a.id)}>
          Remove
        </button>
      </div>
    </li>
  );
}
