import { DuetError } from '../../errors';
import { RDP_ORDERS } from './constants';
import type { PrivacyCost } from './mechanism';

// Two ways to add up a sequence of releases:
// - basic composition: ε and δ add (Dwork and Roth 2014, Thm. 3.16); always valid.
// - RDP: Rényi-DP curves add order by order (Mironov 2017, Prop. 1), then convert to (ε, δ) with
//   ε = min over α of  rdp(α) + log((α−1)/α) − (log δ + log α)/(α−1)
//   (Balle et al. 2020, Thm. 21; Canonne, Kamath, Steinke 2020, Prop. 12), which is never worse
//   than Mironov's rdp(α) + log(1/δ)/(α−1). Much tighter than basic for many Gaussian releases.

export type Composition = 'basic' | 'rdp';

export interface Spent {
  readonly epsilon: number;
  readonly delta: number;
}

export function composeBasic(costs: readonly PrivacyCost[]): Spent {
  let epsilon = 0;
  let delta = 0;
  for (const c of costs) {
    epsilon += c.epsilon;
    delta += c.delta;
  }
  return { epsilon, delta };
}

/** The composed RDP curve at each order; Infinity when a cost has no RDP curve. */
export function rdpCurve(costs: readonly PrivacyCost[], orders: readonly number[] = RDP_ORDERS): number[] {
  return orders.map((a) => costs.reduce((s, c) => s + (c.rdp ? c.rdp(a) : Infinity), 0));
}

/** (ε, δ) from an RDP curve at the given δ. */
export function rdpToEpsilon(curve: readonly number[], delta: number, orders: readonly number[] = RDP_ORDERS): number {
  if (!(delta > 0 && delta < 1)) throw new DuetError('INVALID_ARGUMENT', `RDP conversion needs 0 < δ < 1, got ${delta}.`, { reason: 'BAD_DELTA' });
  let best = Infinity;
  orders.forEach((a, i) => {
    const r = curve[i]!;
    const improved = r + Math.log((a - 1) / a) - (Math.log(delta) + Math.log(a)) / (a - 1);
    const classic = r + Math.log(1 / delta) / (a - 1);
    best = Math.min(best, improved, classic);
  });
  return Math.max(0, best);
}

/**
 * The (ε, δ) spent by `costs`. Basic composition gives (Σε, Σδ). RDP gives ε at the target δ
 * (releases without an RDP curve are added on basically, and their δ comes out of the target);
 * since both bounds hold, RDP reports the basic one when it is no worse and fits the target δ.
 */
export function compose(costs: readonly PrivacyCost[], composition: Composition, targetDelta: number): Spent {
  const basic = composeBasic(costs);
  if (composition === 'basic') return basic;
  const withCurve = costs.filter((c) => c.rdp !== undefined);
  const without = composeBasic(costs.filter((c) => c.rdp === undefined));
  const room = targetDelta - without.delta;
  let rdp: Spent;
  if (withCurve.length === 0) rdp = without;
  else if (room <= 0) rdp = { epsilon: Infinity, delta: targetDelta };
  else rdp = { epsilon: rdpToEpsilon(rdpCurve(withCurve), room) + without.epsilon, delta: targetDelta };
  return basic.epsilon <= rdp.epsilon && basic.delta <= targetDelta ? basic : rdp;
}
