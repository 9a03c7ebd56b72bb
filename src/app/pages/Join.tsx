import { useCallback, useState, type FormEvent } from 'react';
import { formatCode, normalizeCode } from '../../duet/code';
import { Session, type SessionRuntime } from '../../duet/session';
import { ErrorBanner } from '../components/ErrorBanner';
import { SessionPanel } from '../components/SessionPanel';
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
  return (
    <main className="workspace">
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
      {joined && <SessionPanel view={view} />}
    </main>
  );
}
