import type { DataScientist } from '../../duet/scientist';

// What the scientist may see of the owner's store (metadata only), and their requests.

export function AssetBrowser({ duet }: { duet: DataScientist }) {
  const assets = duet.store.cached;
  return (
    <section className="card" aria-label="The owner's data">
      <h2>The owner's data</h2>
      {assets.length === 0 ? (
        <p className="muted small">The listing appears once connected.</p>
      ) : (
        <ul className="asset-browser" data-testid="asset-browser">
          {assets.map((a) => (
            <li key={a.id}>
              <div>
                <code>{a.id}</code> <span className="muted small">{a.kind === 'table' ? `${a.rows.toLocaleString()} rows` : `${a.dtype} [${a.shape?.join('×')}]`}</span>
                {a.mock && <span className="chip small">mock</span>}
              </div>
              {a.columns && <p className="muted small">{a.columns.map((c) => c.name).join(', ')}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function MyRequests({ duet }: { duet: DataScientist }) {
  const requests = duet.requests();
  if (requests.length === 0) return null;
  return (
    <section className="card" aria-label="Your requests">
      <h2>Your requests</h2>
      <ul className="history">
        {requests.slice(0, 12).map((r) => (
          <li key={r.id} data-testid="my-request" data-status={r.status}>
            <span className={`chip status-${r.status}`}>{r.status}</span> “{r.reason}”{r.message ? <span className="muted"> · owner: “{r.message}”</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
