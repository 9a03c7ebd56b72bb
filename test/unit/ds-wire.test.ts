import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { table } from '../../src/duet/data';
import { typeOfValue } from '../../src/duet/plan';
import { Store } from '../../src/duet/store';
import { assetInfoToProto, dpQueryFromProto, requestInfoToProto, valueInfoToProto } from '../../src/duet/wire';
import { AssetInfoSchema, DpQueryRequestSchema, RequestInfoSchema, RequestStatus } from '../../src/wire/gen/duet/v1/datascience_pb';
import { tensor } from '../../src/tensor';
import { thrown } from './ds-helpers';

function store(): Store {
  const s = new Store();
  s.add({
    id: 'people',
    name: 'People',
    tags: ['pii'],
    value: table([
      { kind: 'numeric', name: 'age', dtype: 'int32', values: Int32Array.of(30, 40) },
      { kind: 'category', name: 'sex', levels: ['F', 'M'], codes: Int32Array.of(0, 1) },
    ]),
    domains: { age: { min: 18, max: 99 } },
    mock: true,
  });
  return s;
}

describe('data-science wire forms', () => {
  it('ST1: an asset listing crosses the wire as metadata, with declared domains only', () => {
    const msg = fromBinary(AssetInfoSchema, toBinary(AssetInfoSchema, assetInfoToProto(store().meta('people'))));
    expect(msg).toMatchObject({ id: 'people', kind: 'table', tags: ['pii'], rowCount: 2n, mockAvailable: true });
    expect(msg.columns.map((c) => [c.name, c.kind, c.dtype])).toEqual([
      ['age', 'numeric', 'int32'],
      ['sex', 'category', ''],
    ]);
    expect(msg.columns[0]!.domain).toMatchObject({ min: 18, max: 99 });
    expect(msg.columns[1]!.domain).toBeUndefined(); // levels were not declared
    expect(valueInfoToProto(typeOfValue(tensor('float32', [2, 3])))).toMatchObject({ kind: 'tensor', dtype: 'float32', shape: [2n, 3n], exact: true });
  });

  it('DS2: a request crosses the wire with its status and decision, never a preview', () => {
    const msg = requestInfoToProto({
      id: 'req-1',
      scientist: 'ds1',
      pointerId: 'p',
      reason: 'r',
      lineage: { assets: ['people'], pointers: [], ops: ['column'] },
      type: { kind: 'tensor', dtype: 'float64', shape: [2], exact: false },
      elements: 2,
      createdAt: 1,
      expiresAt: 2,
      status: 'denied',
      decision: { by: 'owner', message: 'no', at: 2 },
    });
    const back = fromBinary(RequestInfoSchema, toBinary(RequestInfoSchema, msg));
    expect(back).toMatchObject({ status: RequestStatus.DENIED, decidedBy: 'owner', message: 'no', elements: 2n });
    expect(back.info).toMatchObject({ exact: false });
    expect('preview' in back).toBe(false);
  });

  it('DP3: a DP query takes the declared domain as bounds when the DS gives none, and is refused without either', () => {
    const s = store();
    const mean = dpQueryFromProto(create(DpQueryRequestSchema, { query: 'mean', epsilon: 0.5, boundsColumn: 'age' }), s, 'people');
    expect(mean.query).toEqual({ kind: 'mean', bounds: [18, 99] });
    expect(mean.opts).toEqual({ epsilon: 0.5 });
    const own = dpQueryFromProto(create(DpQueryRequestSchema, { query: 'sum', epsilon: 1, lower: 0, upper: 10, mechanism: 'gaussian', delta: 1e-6 }), s, 'people');
    expect(own).toEqual({ query: { kind: 'sum', bounds: [0, 10] }, opts: { epsilon: 1, delta: 1e-6, mechanism: 'gaussian' } });
    expect(thrown(() => dpQueryFromProto(create(DpQueryRequestSchema, { query: 'sum', epsilon: 1 }), s, 'people')).reason).toBe('BAD_DP_QUERY');
    expect(thrown(() => dpQueryFromProto(create(DpQueryRequestSchema, { query: 'sum', epsilon: 1, boundsColumn: 'sex' }), s, 'people')).reason).toBe('BAD_DP_QUERY');
    expect(thrown(() => dpQueryFromProto(create(DpQueryRequestSchema, { query: 'median', epsilon: 1 }), s, 'people')).reason).toBe('BAD_DP_QUERY');
  });
});
