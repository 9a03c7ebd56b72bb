import { describe, expect, it } from 'vitest';
import { columnsFor, focusColumns } from '../../bench/negotiator/run-link';
import { CONTROL, NEGOTIATED, type Sample } from '../../bench/negotiator/results';

// The negotiator benchmark's focus runs re-measure only what the targets compare; a column
// left out there keeps only its main runs, so what is left out must be far from the best.

function samples(ms: Record<string, number[]>, payload = 'grad-f32'): Sample[] {
  return Object.entries(ms).flatMap(([column, xs]) =>
    xs.map((x, run) => ({ run, payload: payload as Sample['payload'], column, ms: x, codec: column, path: 'arrow-flight', reason: '', wireBytes: 1, ok: true })),
  );
}

describe('focusColumns', () => {
  it('keeps negotiated, raw, its control and fixed codecs within FOCUS_CONTENDER_FACTOR of the best; drops the rest and the warm-up', () => {
    // Run 0 is the warm-up: xz's fast warm-up run must not make it a contender.
    const s = samples({ none: [50, 45, 46, 44], [CONTROL]: [50, 44, 47, 45], topk: [30, 17, 16, 18], dgc: [30, 25, 24, 26], sparse: [60, 47, 46, 48], xz: [1, 1000, 1100, 1050], [NEGOTIATED]: [99, 20, 21, 22] });
    expect(focusColumns('grad-f32', s, 1, true).sort()).toEqual([CONTROL, 'dgc', NEGOTIATED, 'none', 'topk'].sort());
  });

  it('without a control column, none is still kept; a payload with no samples yet keeps every column (nothing is known to be far)', () => {
    const s = samples({ none: [40, 40], blosc: [30, 30] }, 'mnist-f32');
    expect(focusColumns('mnist-f32', s, 0, false)).not.toContain(CONTROL);
    expect(focusColumns('random-f64', s, 0, false)).toEqual(columnsFor('random-f64', false));
  });
});
