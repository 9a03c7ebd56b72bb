import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { formatCode, normalizeCode } from '../../duet/code';
import { Session, type SessionRuntime } from '../../duet/session';
import { ErrorBanner } from '../components/ErrorBanner';
import { SessionPanel, type DuetStatus } from '../components/SessionPanel';
import { Notebook } from '../notebook/Notebook';
import { AssetBrowser, MyRequests } from '../notebook/Sidebar';
import { useScientist } from '../useDuet';
import { useSession } from '../useSession';

export function Join({ runtime, hubUrl, initialCode }: { runtime: SessionRuntime; hubUrl: string; initialCode?: string }) {
  const [input, setInput] = useState(initialCode ?? '');
  const [code, setCode] = useState<string | undefined>(() => {
    try {
      return initialCode ? normalizeCode(initialCode) : undefined;
    } catch {
      return undefined;
    }
  });
  const [formError, setFormError] = useState<unknown>();
  const [attempt, setAttempt] = useState(0);
  const open = useCallback(() => Session.join({ hubUrl, runtime, code: code! }), [hubUrl, runtime, code, attempt]);
  const view = useSession(code ? open : undefined);

  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    try {
      const c = normalizeCode(input);
      setFormError(undefined);
      setCode(c);
      setAttempt((a) => a + 1);
      window.history.replaceState(null, '', `#/join/${c}`);
    } catch (e) {
      setFormError(e);
    }
  };

  const joined = view.session !== undefined;
  const { duet } = useScientist(view.session);
  const { note } = view;
  // Decisions show in the session log too, so the scientist sees them wherever they are.
  useEffect(
    () =>
      duet?.on('request', (r) => {
        if (r.status === 'pending') return;
        note(`Request “${r.reason}” ${r.status}${r.message ? `: “${r.message}”` : ''}`, r.status === 'approved' ? 'good' : 'bad');
      }),
    [duet, note],
  );
  const waiting = duet?.requests().filter((r) => r.status === 'pending').length ?? 0;
  const status: DuetStatus | undefined = duet && {
    pending: waiting,
    budgets: duet.cachedBudgets.map((b) => ({ assetId: b.assetId, epsilon: b.epsilon, remaining: b.remaining.epsilon })),
    transfers: duet.transferViews(),
  };
  const codeCard = (
      <section className="card code-card">
        <h2>{joined ? 'Joined session' : 'Join a session'}</h2>
        {joined && code ? (
          <p className="code small" data-testid="session-code">
            {formatCode(code)}
          </p>
        ) : (
          <form className="join-form" onSubmit={submit}>
            <label htmlFor="code">Code from the data owner</label>
            <div className="row">
              <input
                id="code"
                data-testid="code-input"
                value={input}
                autoComplete="off"
                spellCheck={false}
                placeholder="7K3MQ-PX9T2"
                onChange={(e) => setInput(e.target.value.toUpperCase())}
              />
              <button className="button primary" data-testid="join" type="submit" disabled={code !== undefined && view.state === 'starting' && !view.error}>
                Join
              </button>
            </div>
          </form>
        )}
        <ErrorBanner error={formError ?? (view.state !== 'connected' ? view.error : undefined)} />
      </section>
  );
  if (!joined) return <main className="workspace">{codeCard}</main>;
  return (
    <main className="workspace wide scientist">
      <div className="main-col">
        <Notebook duet={duet} waiting={waiting} />
      </div>
      <aside className="side-col">
        {codeCard}
        <SessionPanel view={view} {...(status ? { status } : {})} />
        {duet && <AssetBrowser duet={duet} />}
        {duet && <MyRequests duet={duet} />}
      </aside>
    </main>
  );
}
