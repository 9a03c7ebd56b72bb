import { useState, type FormEvent } from 'react';
import type { DataOwner } from '../../duet/owner';
import type { Budget } from '../../privacy/dp/ledger';
import { ErrorBanner } from '../components/ErrorBanner';
import { shortId } from '../format';

// Privacy budgets: what each scientist may spend on each asset with DP queries, which need no
// click. The default applies to scientists and assets as they arrive.

export function BudgetsPanel({ owner }: { owner: DataOwner }) {
  const [error, setError] = useState<unknown>();
  const rows = owner.budgets();
  return (
    <section className="card" aria-label="Privacy budgets">
      <h2>Privacy budgets</h2>
      <p className="muted small">
        DP queries (count, sum, mean, histogram) run without your click while they fit the budget; past it they are refused and both of you see what is left. Gaussian
        releases compose by Rényi DP when the budget says so.
      </p>
      <DefaultBudget owner={owner} onError={setError} />
      {rows.length === 0 ? (
        <p className="muted">Budgets appear here when a scientist joins.</p>
      ) : (
        <table className="out-table budgets" data-testid="budgets">
          <thead>
            <tr>
              <th>Scientist</th>
              <th>Asset</th>
              <th>ε budget</th>
              <th>Spent</th>
              <th>Left</th>
              <th>Queries</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map(({ scientist, assetId, status }) => (
              <tr key={`${scientist}/${assetId}`} data-testid="budget-row" data-asset-id={assetId}>
                <td>{shortId(scientist)}</td>
                <td>{assetId}</td>
                <td>
                  {status.budget.epsilon}
                  {status.budget.delta > 0 ? `, δ ${status.budget.delta}` : ''}
                  <span className="muted small"> {status.budget.composition ?? 'basic'}</span>
                </td>
                <td>{round(status.spent.epsilon)}</td>
                <td>
                  <div className="meter" title={`${round(status.remaining.epsilon)} left`}>
                    <span style={{ width: `${status.budget.epsilon > 0 ? (100 * status.remaining.epsilon) / status.budget.epsilon : 0}%` }} />
                  </div>
                  <span data-testid="budget-remaining">{round(status.remaining.epsilon)}</span>
                </td>
                <td>{status.queries}</td>
                <td>
                  <SetBudget onSet={(b) => run(() => owner.setBudget(scientist, assetId, b), setError)} current={status.budget} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorBanner error={error} />
    </section>
  );
}

function run(f: () => void, onError: (e: unknown) => void): void {
  try {
    f();
    onError(undefined);
  } catch (e) {
    onError(e);
  }
}

function DefaultBudget({ owner, onError }: { owner: DataOwner; onError: (e: unknown) => void }) {
  const d = owner.defaultBudget;
  const [eps, setEps] = useState(String(d?.epsilon ?? 1));
  const [delta, setDelta] = useState(String(d?.delta ?? 0));
  const [composition, setComposition] = useState<'basic' | 'rdp'>(d?.composition ?? 'rdp');
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    run(() => owner.setDefaultBudget(eps === '' ? null : { epsilon: Number(eps), delta: Number(delta || 0), composition }), onError);
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <span>New scientists get ε</span>
      <input value={eps} onChange={(e) => setEps(e.target.value)} inputMode="decimal" aria-label="default epsilon" />
      <span>δ</span>
      <input value={delta} onChange={(e) => setDelta(e.target.value)} inputMode="decimal" aria-label="default delta" />
      <span>per asset, composed by</span>
      <select value={composition} onChange={(e) => setComposition(e.target.value as 'basic' | 'rdp')} aria-label="composition">
        <option value="rdp">Rényi DP (tighter for Gaussian)</option>
        <option value="basic">basic (ε and δ add up)</option>
      </select>
      <button className="button small" type="submit">
        Save
      </button>
      <span className="muted small">{d ? `now ε ${d.epsilon}, δ ${d.delta}, ${d.composition ?? 'basic'}` : 'now none: DP queries are refused until you set one'}</span>
    </form>
  );
}

function SetBudget({ onSet, current }: { onSet: (b: Budget) => void; current: Budget }) {
  const [eps, setEps] = useState('');
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (eps !== '') onSet({ ...current, epsilon: Number(eps) });
        setEps('');
      }}
    >
      <input value={eps} onChange={(e) => setEps(e.target.value)} placeholder="new ε" inputMode="decimal" aria-label="new epsilon" />
      <button className="button small" type="submit">
        Set
      </button>
    </form>
  );
}

function round(x: number): string {
  return Number(x.toFixed(4)).toString();
}
