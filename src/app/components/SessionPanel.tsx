import { useState } from 'react';
import { Role } from '../../wire/gen/duet/v1/common_pb';
import { DuetError } from '../../errors';
import { stateWords, type SessionView } from '../useSession';
import type { TransferView } from '../../duet/ds-types';
import { formatBytes } from '../format';

const ROLE_NAMES: Record<Role, string> = {
  [Role.UNSPECIFIED]: 'Unknown',
  [Role.OWNER]: 'Data owner',
  [Role.SCIENTIST]: 'Data scientist',
  [Role.PEER]: 'Party',
};

export function roleName(role: Role): string {
  return ROLE_NAMES[role];
}

/** What the data-science layer adds to the panel: requests waiting, budget left, transfers. */
export interface DuetStatus {
  pending: number;
  budgets: readonly { assetId: string; epsilon: number; remaining: number }[];
  transfers: readonly TransferView[];
}

export function SessionPanel({ view, status }: { view: SessionView; status?: DuetStatus }) {
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
      {status && <DuetFacts status={status} />}
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

function DuetFacts({ status }: { status: DuetStatus }) {
  const used = status.budgets.filter((b) => b.remaining < b.epsilon);
  const shown = used.length > 0 ? used : status.budgets.slice(0, 1);
  const active = status.transfers.filter((t) => t.state === 'running').length;
  return (
    <div className="duet-facts">
      <dl className="facts">
        <div>
          <dt>Pending requests</dt>
          <dd data-testid="pending-count">{status.pending}</dd>
        </div>
        <div>
          <dt>Budget left (ε)</dt>
          <dd data-testid="budget-left">
            {status.budgets.length === 0 ? '—' : shown.map((b) => `${round(b.remaining)} of ${round(b.epsilon)}${used.length > 0 ? ` on ${b.assetId}` : ' per asset'}`).join(', ')}
          </dd>
        </div>
        <div>
          <dt>Transfers</dt>
          <dd>{active > 0 ? `${active} in progress` : status.transfers.length > 0 ? `${status.transfers.length} done` : 'None yet'}</dd>
        </div>
      </dl>
      {status.transfers.length > 0 && (
        <ul className="transfers" aria-label="Transfers">
          {status.transfers.slice(-4).map((t) => (
            <li key={t.id} data-testid="transfer" data-state={t.state}>
              <div className="transfer-label">
                <span>{t.label}</span>
                <span className="muted">
                  {t.state === 'failed' ? 'failed' : `${formatBytes(t.bytes)}${t.totalBytes ? ` / ${formatBytes(t.totalBytes)}` : ''}`}
                </span>
              </div>
              <progress max={Math.max(1, t.totalBytes)} value={t.state === 'done' ? Math.max(1, t.totalBytes) : t.bytes} />
              {t.reason && (
                <div className="muted transfer-pick" data-testid="transfer-pick" title={t.reason}>
                  {t.path} · {t.codec}: {t.reason}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function round(x: number): string {
  return Number(x.toFixed(3)).toString();
}
