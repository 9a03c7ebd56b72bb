import { encodeTensorStream, type EncodeOptions } from '../../src/arrow';
import type { Tensor } from '../../src/tensor';
import { encodeFlightData } from '../../src/transport/flight/flight-data-codec';
import type { FlightRelay } from './relay';
import type { Principal } from './tokens';

/**
 * A data owner hosting Flight serves its own tensor: the ticket's DoGet streams the tensor's
 * frames straight from memory (encoded lazily, one batch at a time), with no relay in between.
 */
export function offerTensor(relay: FlightRelay, principal: Principal, t: Tensor, options: EncodeOptions = {}): Uint8Array {
  return relay.offer(principal, async function* () {
    for await (const f of encodeTensorStream(t, options)) yield encodeFlightData(f);
  });
}
