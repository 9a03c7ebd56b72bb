import type { CodecRegistry } from '../../codecs';
import { DuetError } from '../../errors';
import type { DType } from '../../tensor';
import type { PathName } from '../../transport/paths/types';
import type { PathChoice } from '../transfers';
import type { LossyConsent } from './preferences';

// A transfer whose codec and path are both pinned needs no estimate at all: no probe to wait
// for, no codec speeds, no sample. It only has to be possible, with the same rules as the
// pure core's choose() (NG1, NG2, NG4), checked here without any of its inputs.

function refuse(message: string): DuetError {
  return new DuetError('FAILED_PRECONDITION', message, { reason: 'NO_USABLE_CODEC' });
}

export interface PinnedInput {
  codec: string;
  path: PathName;
  registry: CodecRegistry;
  /** Codec ids the receiver decodes. */
  peerDecodes: readonly string[];
  available: readonly PathName[];
  dtype: DType;
  gradient: boolean;
  consent: LossyConsent;
}

export function pinnedChoice(input: PinnedInput): PathChoice {
  const { codec, path } = input;
  if (!input.available.includes(path)) throw refuse(`The pinned path "${path}" is not usable here.`);
  if (!input.registry.has(codec) || !input.peerDecodes.includes(codec)) {
    throw refuse(`The pinned codec "${codec}" is not usable: both sides must have it (the receiver decodes: ${input.peerDecodes.join(', ')}).`);
  }
  const c = input.registry.get(codec);
  if (!c.accepts(input.dtype)) throw refuse(`The pinned codec "${codec}" does not take ${input.dtype} data.`);
  const consented = input.consent === true || (Array.isArray(input.consent) && input.consent.includes(codec));
  if (c.kind === 'lossy' && !(input.gradient && consented)) {
    throw refuse(`The pinned codec "${codec}" is lossy, and lossy codecs need a gradient payload, the receiver's consent and the sender's policy.`);
  }
  return { path, codec, reason: `${codec} (pinned) over ${path} (pinned)` };
}
