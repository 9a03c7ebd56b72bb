import { DuetError } from '../../errors';
import { SealKeysRequestSchema, SealKeysResponseSchema } from '../../wire/gen/duet/v1/transfer_pb';
import type { ControlChannel } from '../control-channel';
import { defineMethod } from '../rpc-types';
import { deriveSealKey, exportSealPublicKey, generateSealKeyPair, type SealKey } from '../seal';

export const SealKeysMethod = defineMethod('duet.seal.keys', SealKeysRequestSchema, SealKeysResponseSchema);

/**
 * One AES key per connection for payloads that cross the hub, agreed by ECDH over the
 * control channel (DTLS-protected, peer to peer). Only the sending side starts the exchange,
 * so both sides always hold the same key; the other side's key() waits for it.
 */
export class SealKeyAgreement {
  #key: Promise<SealKey> | undefined;
  #answered: ((key: SealKey) => void) | undefined;
  readonly #waiting: Promise<SealKey>;

  constructor(private readonly channel: ControlChannel) {
    this.#waiting = new Promise((resolve) => (this.#answered = resolve));
    channel.handle(SealKeysMethod, async (req) => {
      if (this.#key) throw new DuetError('FAILED_PRECONDITION', 'The seal key of this connection is already agreed.', { reason: 'SEAL_KEY_AGREED' });
      const pair = await generateSealKeyPair();
      const key = deriveSealKey(pair, req.publicKey);
      this.#key = key;
      this.#answered?.(await key);
      return { publicKey: await exportSealPublicKey(pair) };
    });
  }

  /** The sender's side: agrees the key on first use. */
  initiate(): Promise<SealKey> {
    this.#key ??= (async () => {
      const pair = await generateSealKeyPair();
      const res = await this.channel.call(SealKeysMethod, { publicKey: await exportSealPublicKey(pair) });
      return deriveSealKey(pair, res.publicKey);
    })();
    return this.#key;
  }

  /** The receiver's side: the key the sender started. */
  answered(): Promise<SealKey> {
    return this.#key ?? this.#waiting;
  }
}
