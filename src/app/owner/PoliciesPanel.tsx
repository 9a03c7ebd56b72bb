import { useState, type FormEvent } from 'react';
import type { DataOwner } from '../../duet/owner';
import { describePolicy, type PolicyInput } from '../../duet/policies';
import { ErrorBanner } from '../components/ErrorBanner';

// Request handlers: approve or deny by tag, op, size or element quota, with an expiry.

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function PoliciesPanel({ owner }: { owner: DataOwner }) {
  const [action, setAction] = useState<'approve' | 'deny'>('approve');
  const [tags, setTags] = useState('');
  const [ops, setOps] = useState('');
  const [maxElements, setMaxElements] = useState('');
  const [quota, setQuota] = useState('');
  const [minutes, setMinutes] = useState('60');
  const [message, setMessage] = useState('');
  const [error, setError] = useState<unknown>();

  const add = (ev: FormEvent) => {
    ev.preventDefault();
    try {
      const input: PolicyInput = {
        action,
        ...(list(tags).length ? { tags: list(tags) } : {}),
        ...(list(ops).length ? { ops: list(ops) } : {}),
        ...(maxElements !== '' ? { maxElements: Number(maxElements) } : {}),
        ...(quota !== '' && action === 'approve' ? { elementQuota: Number(quota) } : {}),
        ...(minutes !== '' ? { expiresAt: Date.now() + Number(minutes) * 60_000 } : {}),
        ...(message ? { message } : {}),
      };
      owner.policies.add(input);
      setError(undefined);
      setTags('');
      setOps('');
      setMaxElements('');
      setQuota('');
      setMessage('');
    } catch (e) {
      setError(e);
    }
  };

  const policies = owner.policies.list();
  return (
    <section className="card" aria-label="Policies">
      <h2>Policies</h2>
      <p className="muted small">
        A policy decides matching requests for you. Deny rules are checked first. An approve rule needs every condition to hold: each source asset has one of its
        tags, only its ops were used, the value is small enough, and its quota has room.
      </p>
      <ul className="policies">
        {policies.length === 0 && <li className="muted">No policies: every request waits for you.</li>}
        {policies.map((p) => (
          <li key={p.id} data-testid="policy">
            <span className={`chip ${p.action === 'approve' ? 'status-approved' : 'status-denied'}`}>{p.action}</span> {describePolicy(p).replace(/^(approve|deny)\s*/, '')}
            {p.elementQuota !== undefined && <span className="muted"> · {p.released} released</span>}
            <button className="button ghost small" onClick={() => owner.policies.remove(p.id)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form className="policy-form" onSubmit={add}>
        <label>
          Action
          <select value={action} onChange={(e) => setAction(e.target.value as 'approve' | 'deny')} data-testid="policy-action">
            <option value="approve">Approve</option>
            <option value="deny">Deny</option>
          </select>
        </label>
        <label>
          Tags <input value={tags} onChange={(e) => setTags(e.target.value)} placeholder="public, demo" data-testid="policy-tags" />
        </label>
        <label>
          Ops <input value={ops} onChange={(e) => setOps(e.target.value)} placeholder="column, mean" />
        </label>
        <label>
          {action === 'approve' ? 'At most' : 'More than'} elements <input value={maxElements} onChange={(e) => setMaxElements(e.target.value)} inputMode="numeric" />
        </label>
        {action === 'approve' && (
          <label>
            Element quota <input value={quota} onChange={(e) => setQuota(e.target.value)} inputMode="numeric" />
          </label>
        )}
        <label>
          Expires in (min) <input value={minutes} onChange={(e) => setMinutes(e.target.value)} inputMode="numeric" />
        </label>
        <label className="wide">
          Message to the scientist <input value={message} onChange={(e) => setMessage(e.target.value)} />
        </label>
        <button className="button primary" type="submit" data-testid="add-policy">
          Add policy
        </button>
      </form>
      <ErrorBanner error={error} />
    </section>
  );
}
