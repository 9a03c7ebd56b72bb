import type { AuditEntry, AuditEvent } from '../../duet/audit';
import type { DataOwner } from '../../duet/owner';
import { download } from '../download';
import { shortId } from '../format';

// The append-only audit log: everything that could let data out, newest first, exportable.

/** Entries drawn at once; the export always holds the whole log. */
const SHOWN_ENTRIES = 200;

export function AuditPanel({ owner }: { owner: DataOwner }) {
  const entries = owner.audit.entries();
  return (
    <section className="card" aria-label="Audit log">
      <div className="panel-head">
        <h2>Audit log</h2>
        <button className="button" data-testid="export-audit" onClick={() => download(`duet-audit-${new Date().toISOString().slice(0, 19)}.json`, owner.audit.exportJson(), 'application/json')}>
          Export JSON
        </button>
      </div>
      <p className="muted small">Append-only: entries cannot be edited or removed. {entries.length} entries.</p>
      <ol className="audit" data-testid="audit">
        {[...entries]
          .reverse()
          .slice(0, SHOWN_ENTRIES)
          .map((e) => (
            <AuditRow key={e.seq} e={e} />
          ))}
      </ol>
    </section>
  );
}

function AuditRow({ e }: { e: AuditEntry }) {
  return (
    <li data-testid="audit-entry" data-type={e.event.type}>
      <span className="seq">#{e.seq}</span>
      <time>{new Date(e.at).toLocaleTimeString()}</time>
      <span className={`chip audit-${e.event.type}`}>{e.event.type.replace('_', ' ')}</span>
      <span>{summary(e.event)}</span>
    </li>
  );
}

function summary(ev: AuditEvent): string {
  switch (ev.type) {
    case 'plan':
      return `${shortId(ev.scientist)} ran ${ev.ops.join(', ') || 'a plan'} on ${ev.assets.join(', ') || 'earlier results'}${ev.error ? ` — refused (${ev.error})` : ''}`;
    case 'request':
      return `${shortId(ev.scientist)} asked for ${ev.elements} element(s): “${ev.reason}”`;
    case 'decision':
      return `${ev.decision} by ${ev.by}${ev.message ? `: “${ev.message}”` : ''}`;
    case 'release':
      return `released ${ev.elements} element(s) to ${shortId(ev.scientist)} from ${ev.lineage.assets.join(', ')}`;
    case 'dp_spend':
      return `${shortId(ev.scientist)} spent ε=${ev.epsilon.toPrecision(3)}${ev.delta ? `, δ=${ev.delta.toPrecision(2)}` : ''} on a DP ${ev.query} (${ev.mechanism}) of ${ev.assets.join(', ')}`;
    case 'dp_refused':
      return `DP ${ev.query} by ${shortId(ev.scientist)} refused (${ev.reason}), asked ε=${ev.epsilon.toPrecision(3)}`;
    case 'policy':
      return `policy ${ev.policyId} ${ev.action}: ${ev.summary}`;
    case 'budget':
      return `budget for ${shortId(ev.scientist)} on ${ev.asset}: ε=${ev.epsilon}, δ=${ev.delta}`;
  }
}
