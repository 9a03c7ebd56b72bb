import { DuetError } from '../errors';
import type { AuditLog } from './audit';
import type { Lineage } from './plan/types';

// Request handlers, as PySyft Duet's `duet.requests.add_handler(action=..., element_quota=...,
// timeout_secs=...)`: the DO pre-decides requests that match. Deny rules are checked first and
// win; an approve rule is deliberately narrow: every condition it states must hold.

export interface PolicyInput {
  /** Default: a fresh id. */
  id?: string;
  action: 'approve' | 'deny';
  /** Only this DS (default: any DS). */
  scientist?: string;
  /**
   * Asset tags. approve: every asset the value derives from carries one of these tags.
   * deny: any asset the value derives from carries one of them.
   */
  tags?: readonly string[];
  /**
   * Op names. approve: the value was made using only these ops.
   * deny: the value was made using any of them.
   */
  ops?: readonly string[];
  /** approve: the value has at most this many elements. deny: it has more. */
  maxElements?: number;
  /** approve only: total elements this policy may release, over all requests (PySyft's element_quota). */
  elementQuota?: number;
  /** ms since the epoch after which the policy no longer applies. */
  expiresAt?: number;
  /** Sent to the DS with the decision. */
  message?: string;
}

export interface Policy extends Readonly<Omit<PolicyInput, 'id'>> {
  readonly id: string;
  /** Elements released under this policy so far. */
  readonly released: number;
}

/** What a policy sees of a request. */
export interface PolicySubject {
  readonly scientist: string;
  readonly lineage: Lineage;
  readonly elements: number;
  /** The tags of each source asset, by asset id. */
  readonly assetTags: Readonly<Record<string, readonly string[]>>;
}

export interface PolicyMatch {
  readonly policy: Policy;
  readonly action: 'approve' | 'deny';
}

let counter = 0;

export class PolicySet {
  readonly #policies = new Map<string, Policy>();
  readonly #now: () => number;
  readonly #audit: AuditLog | undefined;

  /** With an audit log, every policy added or removed is recorded. */
  constructor(now: () => number = Date.now, audit?: AuditLog) {
    this.#now = now;
    this.#audit = audit;
  }

  add(input: PolicyInput): Policy {
    if (input.action !== 'approve' && input.action !== 'deny') throw bad(`action must be "approve" or "deny", got "${String(input.action)}"`);
    for (const [name, v] of [
      ['maxElements', input.maxElements],
      ['elementQuota', input.elementQuota],
    ] as const) {
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw bad(`${name} must be a non-negative integer`);
    }
    if (input.elementQuota !== undefined && input.action === 'deny') throw bad('an element quota applies to approve rules only');
    if (input.action === 'approve' && input.tags === undefined && input.ops === undefined && input.maxElements === undefined && input.elementQuota === undefined) {
      // An approve-everything rule would silently make every value public; make the DO say so.
      throw bad('an approve rule needs at least one condition (tags, ops, maxElements or elementQuota)');
    }
    const id = input.id ?? `policy-${++counter}`;
    if (this.#policies.has(id)) throw new DuetError('ALREADY_EXISTS', `Policy "${id}" already exists.`, { details: { policy: id } });
    const policy: Policy = Object.freeze({ ...input, id, released: 0 });
    this.#policies.set(id, policy);
    this.#audit?.append({ type: 'policy', action: 'added', policyId: id, summary: describePolicy(policy) });
    return policy;
  }

  remove(id: string): void {
    const p = this.#policies.get(id);
    if (p === undefined) throw new DuetError('NOT_FOUND', `No policy "${id}".`, { details: { policy: id } });
    this.#policies.delete(id);
    this.#audit?.append({ type: 'policy', action: 'removed', policyId: id, summary: describePolicy(p) });
  }

  list(): Policy[] {
    return [...this.#policies.values()];
  }

  /** The first deny rule that matches, else the first approve rule that matches, else undefined. */
  match(s: PolicySubject): PolicyMatch | undefined {
    const live = this.list().filter((p) => (p.expiresAt === undefined || this.#now() < p.expiresAt) && (p.scientist === undefined || p.scientist === s.scientist));
    const deny = live.find((p) => p.action === 'deny' && denies(p, s));
    if (deny) return { policy: deny, action: 'deny' };
    const approve = live.find((p) => p.action === 'approve' && approves(p, s));
    return approve ? { policy: approve, action: 'approve' } : undefined;
  }

  /** Counts a release against the policy's element quota. */
  recordRelease(id: string, elements: number): void {
    const p = this.#policies.get(id);
    if (p) this.#policies.set(id, Object.freeze({ ...p, released: p.released + elements }));
  }
}

function bad(why: string): DuetError {
  return new DuetError('INVALID_ARGUMENT', `Bad policy: ${why}.`, { reason: 'BAD_POLICY' });
}

function tagsOf(s: PolicySubject, asset: string): readonly string[] {
  return s.assetTags[asset] ?? [];
}

function denies(p: Policy, s: PolicySubject): boolean {
  if (p.tags && s.lineage.assets.some((a) => tagsOf(s, a).some((t) => p.tags!.includes(t)))) return true;
  if (p.ops && s.lineage.ops.some((o) => p.ops!.includes(o))) return true;
  if (p.maxElements !== undefined && s.elements > p.maxElements) return true;
  // A deny rule with no condition denies everything (for this DS, until it expires).
  return p.tags === undefined && p.ops === undefined && p.maxElements === undefined;
}

function approves(p: Policy, s: PolicySubject): boolean {
  if (p.tags && !(s.lineage.assets.length > 0 && s.lineage.assets.every((a) => tagsOf(s, a).some((t) => p.tags!.includes(t))))) return false;
  if (p.ops && !s.lineage.ops.every((o) => p.ops!.includes(o))) return false;
  if (p.maxElements !== undefined && s.elements > p.maxElements) return false;
  if (p.elementQuota !== undefined && p.released + s.elements > p.elementQuota) return false;
  return true;
}

/** One line for the audit log and the DO's UI, e.g. "approve if tags in [public] and elements <= 10". */
export function describePolicy(p: Policy): string {
  const conds: string[] = [];
  if (p.scientist !== undefined) conds.push(`scientist = ${p.scientist}`);
  if (p.tags) conds.push(`tags in [${p.tags.join(', ')}]`);
  if (p.ops) conds.push(`ops in [${p.ops.join(', ')}]`);
  if (p.maxElements !== undefined) conds.push(p.action === 'approve' ? `elements <= ${p.maxElements}` : `elements > ${p.maxElements}`);
  if (p.elementQuota !== undefined) conds.push(`quota ${p.elementQuota} elements`);
  if (p.expiresAt !== undefined) conds.push(`until ${new Date(p.expiresAt).toISOString()}`);
  return `${p.action}${conds.length ? ` if ${conds.join(p.action === 'approve' ? ' and ' : ' or ')}` : ' all'}`;
}
