import { useCallback, useEffect, useState } from 'react';
import type { PeerView, Session, SessionState } from '../duet/session';
import type { DuetError } from '../errors';

export interface LogEntry {
  at: Date;
  text: string;
  tone: 'info' | 'good' | 'bad';
}

export interface SessionView {
  session: Session | undefined;
  state: SessionState | 'starting';
  peers: PeerView[];
  rtt: number | undefined;
  error: unknown;
  log: LogEntry[];
  note(text: string, tone?: LogEntry['tone']): void;
}

const STATE_WORDS: Record<SessionState, string> = {
  waiting: 'Waiting for the other person',
  connecting: 'Connecting directly',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  'peer-left': 'The other person left',
  closed: 'Session closed',
  failed: 'Connection failed',
};

export function stateWords(state: SessionState | 'starting'): string {
  return state === 'starting' ? 'Starting' : STATE_WORDS[state];
}

/** Opens a session with `open` once, follows its events, and closes it on unmount. */
export function useSession(open: (() => Promise<Session>) | undefined): SessionView {
  const [session, setSession] = useState<Session>();
  const [state, setState] = useState<SessionState | 'starting'>('starting');
  const [peers, setPeers] = useState<PeerView[]>([]);
  const [rtt, setRtt] = useState<number>();
  const [error, setError] = useState<unknown>();
  const [log, setLog] = useState<LogEntry[]>([]);
  const note = useCallback((text: string, tone: LogEntry['tone'] = 'info') => setLog((l) => [{ at: new Date(), text, tone }, ...l].slice(0, 50)), []);
  // `open` is memoised by the page; a new one (a retry, another code) opens a new session.
  useEffect(() => {
    const opener = open;
    if (!opener) return;
    let live: Session | undefined;
    let cancelled = false;
    setState('starting');
    setError(undefined);
    opener().then(
      (s) => {
        if (cancelled) return s.close();
        live = s;
        setSession(s);
        setState(s.state);
        s.on('state', (st) => {
          setState(st);
          note(stateWords(st), st === 'connected' ? 'good' : st === 'failed' || st === 'peer-left' ? 'bad' : 'info');
          if (st === 'connected') setError(undefined);
        });
        s.on('peers', setPeers);
        s.on('rtt', setRtt);
        s.on('error', (e: DuetError) => {
          setError(e);
          note(e.message, 'bad');
        });
      },
      (e: unknown) => {
        if (!cancelled) {
          setError(e);
          setState('failed');
        }
      },
    );
    // A closing tab says goodbye, so the other side sees "left" at once, not after ICE times out.
    const leave = () => live?.close();
    window.addEventListener('pagehide', leave);
    return () => {
      cancelled = true;
      window.removeEventListener('pagehide', leave);
      live?.close();
    };
  }, [open, note]);

  return { session, state, peers, rtt, error, log, note };
}
