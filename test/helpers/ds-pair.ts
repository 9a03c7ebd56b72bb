import type { DescMessage } from '@bufbuild/protobuf';
import { ControlChannel } from '../../src/transport/control-channel';
import { memoryTransportPair, type MemoryTransport } from '../../src/transport/memory-transport';
import type { MethodDef } from '../../src/transport/rpc-types';
import { Role } from '../../src/wire/gen/duet/v1/common_pb';
import { DataOwner, type OwnerOptions } from '../../src/duet/owner';
import { DataScientist } from '../../src/duet/scientist';
import type { DsLink } from '../../src/duet/ds-link';
import type { PeerHandler, Session } from '../../src/duet/session';
import { Transfers } from '../../src/duet/transfers';
import { controlPath } from '../../src/duet/paths';
import { Store } from '../../src/duet/store';
import { encodeCategory, table, type Column } from '../../src/duet/data/table';
import { tensor } from '../../src/tensor';

// A DO and a DS over one in-memory control channel (the same ControlChannel as over WebRTC),
// with the real Transfers and baseline path: the session layer without the hub and WebRTC.

function channelLink(channel: ControlChannel, remoteId: string, remoteRole: Role): DsLink {
  return {
    handleFrom<Req extends DescMessage, Res extends DescMessage>(def: MethodDef<Req, Res>, handler: PeerHandler<Req, Res>) {
      channel.handle(def, (req, ctx) => handler(req, ctx, remoteId));
    },
    call: (def, req, opts) => channel.call(def, req, opts),
    onEvent: (def, listener) => void channel.onEvent(def, (m) => listener(m, remoteId)),
    channel: () => channel,
    peers: [{ id: remoteId, role: remoteRole, state: 'connected', rtt: undefined }],
  };
}

// Transfers attaches its paths on a session's 'channel' event; this plays that event once
// (and nothing else: other events never fire on this stand-in).
function oneChannelSession(channel: ControlChannel, peerId: string): Session {
  return {
    on: (event: string, cb: (c: { peerId: string; channel: ControlChannel; link: undefined }) => void) => {
      if (event === 'channel') cb({ peerId, channel, link: undefined });
      return () => undefined;
    },
  } as unknown as Session;
}

export const SCIENTIST_ID = 'ds-peer-1';
export const OWNER_ID = 'do-peer-1';

export interface DsPair {
  owner: DataOwner;
  ds: DataScientist;
  /** Everything the DO's side put on the wire towards the DS. */
  toScientist: MemoryTransport;
  ownerChannel: ControlChannel;
  scientistChannel: ControlChannel;
}

export async function dsPair(options: OwnerOptions = {}): Promise<DsPair> {
  const [ta, tb] = memoryTransportPair();
  const ownerChannel = new ControlChannel(ta, { role: Role.OWNER });
  const scientistChannel = new ControlChannel(tb, { role: Role.SCIENTIST });
  const owner = new DataOwner(channelLink(ownerChannel, SCIENTIST_ID, Role.SCIENTIST), new Transfers(oneChannelSession(ownerChannel, SCIENTIST_ID), [controlPath]), {
    store: testStore(),
    ...options,
  });
  const ds = new DataScientist(channelLink(scientistChannel, OWNER_ID, Role.OWNER), new Transfers(oneChannelSession(scientistChannel, OWNER_ID), [controlPath]));
  await Promise.all([ownerChannel.start(), scientistChannel.start()]);
  return { owner, ds, toScientist: ta, ownerChannel, scientistChannel };
}

/** A value no test computes by accident: it marks the data's bytes on the wire. */
export const SECRET_INCOME = 987654.321;

/** A small store: a table with ages, incomes (one secret) and a category, and a tensor. */
export function testStore(): Store {
  const store = new Store();
  const ages = Int32Array.from([23, 35, 47, 51, 62, 29, 41, 38]);
  const income = Float64Array.from([31000, 52000, SECRET_INCOME, 61000, 45000, 28000, 50000, 47000]);
  const sex = encodeCategory('sex', ['F', 'M', 'F', 'M', 'F', 'F', 'M', 'M']);
  const columns: Column[] = [
    { kind: 'numeric', name: 'age', dtype: 'int32', values: ages },
    { kind: 'numeric', name: 'income', dtype: 'float64', values: income },
    sex,
    { kind: 'string', name: 'city', values: ['Oslo', 'Lima', null, 'Pune', 'Oslo', 'Kyiv', 'Lima', 'Baku'] },
  ];
  store.add({
    id: 'people',
    name: 'People',
    description: 'Eight people, for tests.',
    tags: ['census', 'sensitive'],
    value: table(columns),
    domains: { age: { min: 18, max: 90 }, income: { min: 0, max: 200000 }, sex: { levels: ['F', 'M'] } },
    mock: true,
  });
  store.add({
    id: 'pixels',
    name: 'Pixels',
    description: 'A 4x3x2 tensor.',
    tags: ['images', 'public'],
    value: tensor('float32', [4, 3, 2], Float32Array.from({ length: 24 }, (_, i) => i / 2)),
    domains: { min: 0, max: 12 },
  });
  return store;
}
