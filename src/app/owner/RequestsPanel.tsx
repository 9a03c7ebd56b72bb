import { useState } from 'react';
import type { DataOwner } from '../../duet/owner';
import type { OwnerRequestView, RequestInfo } from '../../duet/requests';
import type { Preview } from '../../duet/preview';
import { describeType } from '../../duet/plan/values';
import { ErrorBanner } from '../components/ErrorBanner';
import { shortId, timeLeft } from '../format';

// The live queue: each request with who asked, why, what the value is made of, its size and a
// preview only the DO sees; approve or deny with a message that goes back to the scientist.

export function PendingRequests({ owner }: { owner: DataOwner }) {
  const pending = owner.pending();
  if (pending.length === 0) return null;
  return (
    <section className="card attention" aria-label="Requests waiting for you">
      <div className="panel-head">
        <h2>Waiting for you</h2>
        <span className="chip warn">{pending.length} request{pending.length === 1 ? '' : 's'}</span>
      </div>
      {pending.map((r) => (
        <RequestCard key={r.id} r={r} owner={owner} />
      ))}
    </section>
  );
}

function RequestCard({ r, owner }: { r: OwnerRequestView; owner: DataOwner }) {
  const [message, setMessage] = useState('');
  const [error, setError] = useState<unknown>();
  const decide = (approve: boolean) => {
    try {
      if (approve) owner.approve(r.id, message);
      else owner.deny(r.id, message);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className="request" data-testid="request-card" data-request-id={r.id}>
      <p className="request-reason">
        <span className="muted">Scientist {shortId(r.scientist)} asks:</span> “{r.reason}”
      </p>
      <dl className="facts small-facts">
        <div>
          <dt>Value</dt>
          <dd>
            {describeType(r.type)} · {r.elements.toLocaleString()} element{r.elements === 1 ? '' : 's'}
          </dd>
        </div>
        <div>
          <dt>Made from</dt>
          <dd data-testid="request-lineage">
            {r.lineage.assets.join(', ')}
            {r.lineage.ops.length ? ` → ${r.lineage.ops.join(' → ')}` : ''}
          </dd>
        </div>
        <div>
          <dt>Expires in</dt>
          <dd>{timeLeft(r.expiresAt)}</dd>
        </div>
      </dl>
      <PreviewView p={r.preview} />
      <textarea
        className="message"
        data-testid="decision-message"
        placeholder="Message to the scientist (optional)"
        value={message}
        onChange={(e) => setMessage(e.target.value)}
        rows={2}
      />
      <div className="actions">
        <button className="button primary" data-testid="approve" onClick={() => decide(true)}>
          Approve and send
        </button>
        <button className="button danger" data-testid="deny" onClick={() => decide(false)}>
          Deny
        </button>
      </div>
      <ErrorBanner error={error} />
    </div>
  );
}

function PreviewView({ p }: { p: Preview }) {
  const num = (x: number | string | null) => (typeof x === 'number' ? Number(x.toPrecision(6)).toString() : (x ?? '—'));
  return (
    <div className="preview" data-testid="request-preview">
      <span className="muted small">Preview (only you see this)</span>
      {p.kind === 'tensor' && (
        <code className="values">
          {p.dtype} [{p.shape.join(' × ')}]: {p.head.map(num).join(', ')}
          {p.head.length < p.shape.reduce((a, b) => a * b, 1) ? ', …' : ''}
        </code>
      )}
      {p.kind === 'table' && (
        <table className="out-table">
          <thead>
            <tr>{p.columns.map((c) => <th key={c}>{c}</th>)}</tr>
          </thead>
          <tbody>
            {p.head.map((row, i) => (
              <tr key={i}>{row.map((v, j) => <td key={j}>{num(v)}</td>)}</tr>
            ))}
          </tbody>
        </table>
      )}
      {p.kind === 'text' && <code className="values">{p.head.map(num).join(', ')}</code>}
      {p.kind === 'string' && <code className="values">{p.value}</code>}
    </div>
  );
}

export function RequestHistory({ owner }: { owner: DataOwner }) {
  const done = owner.requests().filter((r) => r.status !== 'pending');
  return (
    <section className="card" aria-label="Decided requests">
      <h2>Decided requests</h2>
      {done.length === 0 ? (
        <p className="muted">None yet. Requests from the scientist appear above, with a preview, for you to approve or deny.</p>
      ) : (
        <ul className="history">
          {done.map((r) => (
            <HistoryRow key={r.id} r={r} />
          ))}
        </ul>
      )}
    </section>
  );
}

function HistoryRow({ r }: { r: RequestInfo }) {
  return (
    <li data-testid="history-row" data-status={r.status}>
      <span className={`chip status-${r.status}`}>{r.status}</span> “{r.reason}” · {r.elements} element{r.elements === 1 ? '' : 's'} · by {r.decision?.by ?? '—'}
      {r.decision?.message ? <span className="muted"> · “{r.decision.message}”</span> : null}
    </li>
  );
}
