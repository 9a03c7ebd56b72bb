import type { MessageInitShape } from '@bufbuild/protobuf';
import { CODEC_ID_PATTERN } from '../../codecs';
import { DuetError } from '../../errors';
import { PATH_NAMES, type PathName } from '../../transport/paths/types';
import type { NegotiationPreferences, NegotiationPreferencesSchema } from '../../wire/gen/duet/v1/negotiation_pb';
import type { Pins } from '../transfers';
import { MAX_CONSENT_CODECS } from './constants';

// Standing preferences each side sends the other (NegotiationPreferences), and how they
// combine with this side's own settings for one transfer. Pure, so the rules are testable.

/** Consent to lossy codecs: none (false), any (true), or the listed ids only. */
export type LossyConsent = boolean | readonly string[];

/** What one side asks of the transfers between the two, sent to the peer. */
export interface Preferences {
  /** Pin every transfer (in both directions) to this codec and/or path. */
  readonly pin?: Pins;
  /** For transfers this side receives: which lossy codecs it accepts for gradients. */
  readonly lossyConsent?: LossyConsent;
}

export function preferencesToWire(p: Preferences): MessageInitShape<typeof NegotiationPreferencesSchema> {
  const c = p.lossyConsent ?? false;
  return {
    pinCodec: p.pin?.codec ?? '',
    pinPath: p.pin?.path ?? '',
    lossyAny: c === true,
    lossyCodecs: Array.isArray(c) ? [...c] : [],
  };
}

function malformed(message: string): DuetError {
  return new DuetError('INVALID_ARGUMENT', `The peer's negotiation preferences are malformed: ${message}`, { reason: 'MALFORMED_MESSAGE' });
}

const isPath = (p: string): p is PathName => (PATH_NAMES as readonly string[]).includes(p);

/** Validates what a peer sent (STYLE 8: every inbound message is checked). */
export function preferencesFromWire(m: NegotiationPreferences): Preferences {
  if (m.pinPath !== '' && !isPath(m.pinPath)) throw malformed(`unknown path "${m.pinPath.slice(0, 40)}".`);
  if (m.pinCodec !== '' && !CODEC_ID_PATTERN.test(m.pinCodec)) throw malformed('a pinned codec id is not a codec id.');
  if (m.lossyCodecs.length > MAX_CONSENT_CODECS) throw malformed(`${m.lossyCodecs.length} consented codecs (at most MAX_CONSENT_CODECS=${MAX_CONSENT_CODECS}).`);
  if (m.lossyCodecs.some((id) => !CODEC_ID_PATTERN.test(id))) throw malformed('a consented codec id is not a codec id.');
  const pin: Pins = { ...(m.pinCodec ? { codec: m.pinCodec } : {}), ...(m.pinPath ? { path: m.pinPath as PathName } : {}) };
  return { pin, lossyConsent: m.lossyAny ? true : m.lossyCodecs.length > 0 ? [...m.lossyCodecs] : false };
}

/** Lossy codecs allowed by both the receiver's consent and the sender's policy. */
export function effectiveConsent(receiverConsent: LossyConsent, senderPolicy: LossyConsent): LossyConsent {
  if (receiverConsent === false || senderPolicy === false) return false;
  if (receiverConsent === true) return senderPolicy;
  if (senderPolicy === true) return receiverConsent;
  return receiverConsent.filter((id) => senderPolicy.includes(id));
}

export type PinSource = 'send' | 'local' | 'remote';

export interface MergedPins {
  readonly pin: Pins;
  /** Who set each pin that applies. */
  readonly from: { readonly codec?: PinSource; readonly path?: PinSource };
  /** Pins that lost to a stronger one, in words, for the reason string. */
  readonly overridden: readonly string[];
}

const WHO: Record<PinSource, string> = { send: 'this transfer', local: 'this side', remote: 'the peer' };

/**
 * Pins for one transfer: the send call's own, then this side's standing pins, then the peer's.
 * The stronger pin wins field by field; a pin that loses is named, never dropped silently.
 */
export function mergePins(send: Pins, local: Pins | undefined, remote: Pins | undefined): MergedPins {
  const layers: [PinSource, Pins | undefined][] = [
    ['send', send],
    ['local', local],
    ['remote', remote],
  ];
  const pin: { codec?: string; path?: PathName } = {};
  const from: { codec?: PinSource; path?: PinSource } = {};
  const overridden: string[] = [];
  for (const field of ['codec', 'path'] as const) {
    for (const [source, layer] of layers) {
      const value = layer?.[field];
      if (value === undefined) continue;
      const current = pin[field];
      if (current === undefined) {
        if (field === 'codec') pin.codec = value;
        else pin.path = value as PathName;
        from[field] = source;
      } else if (current !== value) {
        overridden.push(`${WHO[source]}'s ${field} pin ${value} gave way to ${WHO[from[field]!]}'s ${current}`);
      }
    }
  }
  return { pin, from, overridden };
}
