import { useState } from 'react';
import { Role } from '../../wire/gen/duet/v1/common_pb';
import { DuetError } from '../../errors';
import { stateWords, type SessionView } from '../useSession';

const ROLE_NAMES: Record<Role, string> = {
  [Role.UNSPECIFIED]: 'Unknown',
  [Role.OWNER]: 'Data owner',
  [Role.SCIENTIST]: 'Data scientist',
  [Role.PEER]: 'Party',
};

export function roleName(role: Role): string {
  return ROLE_NAMES[role];
}

export function SessionPanel({ view }: { view: SessionView }) {
  const { session, state, peers, rtt, log, note } = view;
  const [pinging, setPinging] = useState(false);
  const [lastPing, setLastPing] = useState<number>();
  const peer = peers[0];

  const ping = async () => {
    if (!session) return;
    setPinging(true);
    try {
      const ms = await session.ping();
      setLastPing(ms);
      note(`Ping answered in ${ms.toFixed(1)} ms`, 'good');
    } catch (e) {
      note(DuetError.from(e).message, 'bad');
    } finally {
      setPinging(false);
    }
  };

  return (
    <section className="card session-panel" aria-label="Session">
      <div className="panel-head">
        <h2>Session</h2>
        <span className={`state state-${state}`} data-testid="state" data-state={state}>
          <span className="dot" />
          {stateWords(state)}
        </span>
      </div>
      <dl className="facts">
        <div>
          <dt>Other person</dt>
          <dd data-testid="peer-role">{peer ? roleName(peer.role) : 'Not here yet'}</dd>
        </div>
        <div>
          <dt>Round trip</dt>
          <dd data-testid="rtt">{state === 'connected' && rtt !== undefined ? `${rtt.toFixed(1)} ms` : '—'}</dd>
        </div>
        <div>
          <dt>Link</dt>
          <dd>{state === 'connected' ? 'Direct (WebRTC)' : '—'}</dd>
        </div>
      </dl>
      <div className="actions">
        <button className="button" data-testid="ping" disabled={state !== 'connected' || pinging} onClick={() => void ping()}>
          Ping
        </button>
        {lastPing !== undefined && (
          <span className="muted" data-testid="ping-result">
            Last ping: {lastPing.toFixed(1)} ms
          </span>
        )}
      </div>
      <ol className="log" aria-label="Activity">
        {log.map((entry, i) => (
          <li key={log.length - i} className={`tone-${entry.tone}`}>
            <time>{entry.at.toLocaleTimeString()}</time> {entry.text}
          </li>
        ))}
      </ol>
    </section>
  );
}
