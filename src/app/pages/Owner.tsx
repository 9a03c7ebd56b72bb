import { useCallback, useState } from 'react';
import { formatCode } from '../../duet/code';
import { Session, type SessionRuntime } from '../../duet/session';
import { ErrorBanner } from '../components/ErrorBanner';
import { SessionPanel } from '../components/SessionPanel';
import { useSession } from '../useSession';

export function Owner({ runtime, hubUrl }: { runtime: SessionRuntime; hubUrl: string }) {
  const [attempt, setAttempt] = useState(0);
  const open = useCallback(() => Session.create({ hubUrl, runtime }), [hubUrl, runtime, attempt]);
  const view = useSession(open);
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

  return (
    <main className="workspace">
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
      <SessionPanel view={view} />
    </main>
  );
}
