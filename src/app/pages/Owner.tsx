import { useCallback, useEffect, useState } from 'react';
import { formatCode } from '../../duet/code';
import type { ActivityEntry, DataOwner } from '../../duet/owner';
import { Session, type SessionRuntime } from '../../duet/session';
import { ErrorBanner } from '../components/ErrorBanner';
import { SessionPanel, type DuetStatus } from '../components/SessionPanel';
import { loadBrowserDemo } from '../demo-data';
import { AuditPanel } from '../owner/AuditPanel';
import { BudgetsPanel } from '../owner/BudgetsPanel';
import { PoliciesPanel } from '../owner/PoliciesPanel';
import { PendingRequests, RequestHistory } from '../owner/RequestsPanel';
import { StorePanel } from '../owner/StorePanel';
import { useOwner } from '../useDuet';
import { useSession } from '../useSession';

const TABS = ['data', 'requests', 'policies', 'budgets', 'audit'] as const;
type Tab = (typeof TABS)[number];
const TAB_NAMES: Record<Tab, string> = { data: 'Data', requests: 'Requests', policies: 'Policies', budgets: 'Budgets', audit: 'Audit log' };

/** Loads the embedded demo data into the owner's store, once per owner. */
function useDemoData(owner: DataOwner | undefined): { loading: boolean; error: unknown } {
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!owner) return;
    let live = true;
    loadBrowserDemo(owner.store).then(
      () => owner.refreshStore(),
      (e: unknown) => live && setError(e), // the DO can still share their own files
    ).finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [owner]);
  return { loading, error };
}

export function Owner({ runtime, hubUrl }: { runtime: SessionRuntime; hubUrl: string }) {
  const [attempt, setAttempt] = useState(0);
  const open = useCallback(() => Session.create({ hubUrl, runtime }), [hubUrl, runtime, attempt]);
  const view = useSession(open);
  const { note } = view;
  const onActivity = useCallback((a: ActivityEntry) => note(a.text, a.tone), [note]);
  const { owner } = useOwner(view.session, onActivity);
  const demo = useDemoData(owner);
  const [tab, setTab] = useState<Tab>('data');
  const [copied, setCopied] = useState(false);
  const code = view.session?.code;
  const link = code ? `${window.location.origin}${window.location.pathname}#/join/${code}` : '';

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      window.prompt('Copy this link:', link); // clipboard needs permission or a secure context
    }
  };

  const peer = view.peers.find((p) => p.state === 'connected')?.id;
  const status: DuetStatus | undefined = owner && {
    pending: owner.pending().length,
    budgets: owner
      .budgets()
      .filter((b) => b.scientist === peer)
      .map((b) => ({ assetId: b.assetId, epsilon: b.status.budget.epsilon, remaining: b.status.remaining.epsilon })),
    transfers: owner.transferViews(),
  };

  return (
    <main className="workspace wide">
      <div className="main-col">
        {owner && <PendingRequests owner={owner} />}
        <nav className="tabs" role="tablist">
          {TABS.map((t) => (
            <button key={t} role="tab" aria-selected={tab === t} className={tab === t ? 'tab active' : 'tab'} data-testid={`tab-${t}`} onClick={() => setTab(t)}>
              {TAB_NAMES[t]}
              {t === 'requests' && owner && owner.requests().length > 0 ? <span className="badge">{owner.requests().length}</span> : null}
            </button>
          ))}
        </nav>
        <ErrorBanner error={demo.error} testId="demo-error" />
        {tab === 'data' && <StorePanel owner={owner} loading={demo.loading} />}
        {owner && tab === 'requests' && <RequestHistory owner={owner} />}
        {owner && tab === 'policies' && <PoliciesPanel owner={owner} />}
        {owner && tab === 'budgets' && <BudgetsPanel owner={owner} />}
        {owner && tab === 'audit' && <AuditPanel owner={owner} />}
      </div>
      <aside className="side-col">
        <section className="card code-card">
          <h2>Your session code</h2>
          {code ? (
            <>
              <p className="code" data-testid="session-code" aria-label="Session code">
                {formatCode(code)}
              </p>
              <p className="muted">Read it out to the data scientist, or send them the link. Only someone with this code can join.</p>
              <div className="actions">
                <button className="button primary" data-testid="copy-link" onClick={() => void copy()}>
                  {copied ? 'Link copied' : 'Copy link'}
                </button>
                <code className="link" data-testid="join-link">
                  {link}
                </code>
              </div>
            </>
          ) : view.error ? null : (
            <p className="muted">Creating a session…</p>
          )}
          <ErrorBanner error={view.state !== 'connected' ? view.error : undefined} onRetry={view.session ? undefined : () => setAttempt((a) => a + 1)} />
        </section>
        <SessionPanel view={view} {...(status ? { status } : {})} />
      </aside>
    </main>
  );
}
