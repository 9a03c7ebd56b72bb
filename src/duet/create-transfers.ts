import type { CodecRegistry } from '../codecs';
import { Negotiator, type NegotiatorOptions } from './negotiation';
import { ALL_PATHS } from './paths';
import type { Session } from './session';
import { Transfers, type PathPlugin } from './transfers';

// One call for entry points: Transfers over every path, with the negotiator as its chooser.
// The runtime's codec registry comes from the entry point (registerNodeCodecs in Node,
// registerBrowserCodecs in the app), since src/ must not pick runtime-specific code.

export interface CreateTransfersOptions extends Omit<NegotiatorOptions, 'codecs'> {
  /** The paths to offer; default: all three. Both sides should offer the same ones. */
  paths?: readonly PathPlugin[];
}

export interface NegotiatedTransfers {
  transfers: Transfers;
  negotiator: Negotiator;
}

export function createTransfers(session: Session, codecs: CodecRegistry | undefined, options: CreateTransfersOptions = {}): NegotiatedTransfers {
  const { paths = ALL_PATHS, ...rest } = options;
  const negotiator = new Negotiator(session, { ...rest, ...(codecs ? { codecs } : {}) });
  const transfers = new Transfers(session, paths, { choose: negotiator.choose, ...(codecs ? { codecs } : {}) });
  negotiator.attach(transfers);
  return { transfers, negotiator };
}
