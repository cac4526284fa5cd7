import { describe, expect, it } from '@jest/globals';
import {
  analyseWindow,
  connectorsNeedingStatus,
  defaultThresholds,
  emptyWindowState,
  type Observation,
  stateLimits,
  type WindowState,
  windowStateOf,
  withObservations,
} from '../../src/detectors/index.js';
import { meterObservation, minutes, statusObservation, T0 } from '../helpers/factories.js';

const windowEnd = T0 + minutes(15);
const flat = (minute: number) => meterObservation({ at: T0 + minutes(minute), registerWh: 5_000, powerW: 0 });
const charging = statusObservation({ at: T0 - minutes(1) });

/** Invokes the window with each batch in turn, carrying the state as Lambda does; returns every finding. */
function run(batches: Observation[][], state: WindowState = emptyWindowState(), finalLast = false) {
  const all = [];
  let carried = state;
  for (const [index, batch] of batches.entries()) {
    const final = finalLast && index === batches.length - 1;
    const result = analyseWindow(withObservations(carried, batch), { final, windowEnd }, defaultThresholds);
    all.push(...result.findings);
    carried = result.state;
  }
  return { findings: all, state: carried };
}

describe('a tumbling window across invocations', () => {
  it('carries observations between invocations of one window: a stall split over three batches is found', () => {
    const { findings } = run([[charging, flat(0), flat(1), flat(2)], [flat(3), flat(6)], [flat(10)]]);
    expect(findings.filter((finding) => finding.verdict === 'open')).toEqual([
      expect.objectContaining({ kind: 'stalled-charging', chargerId: 'CP-1', at: T0 + minutes(10) }),
    ]);
  });

  it('starts each window empty: the same split over two windows finds nothing', () => {
    const first = run([[charging, flat(0), flat(1), flat(2), flat(3), flat(6)]], emptyWindowState(), true);
    const second = run([[flat(10)]], windowStateOf({}));
    expect([...first.findings, ...second.findings].filter((finding) => finding.verdict === 'open')).toEqual(
      [],
    );
  });

  it('reports each verdict once per window, then again only when it changes', () => {
    const { findings } = run([
      [charging, flat(0), flat(10)],
      [flat(11)],
      [flat(12)],
      [meterObservation({ at: T0 + minutes(13), registerWh: 5_300, powerW: 7_000 })],
    ]);
    expect(
      findings.filter((finding) => finding.kind === 'stalled-charging').map((finding) => finding.verdict),
    ).toEqual(['open', 'clear']);
  });

  it('reports open alerts again at the final invoke, so their last seen time moves on', () => {
    const { findings } = run([[charging, flat(0), flat(10)], [flat(14)]], emptyWindowState(), true);
    expect(findings.filter((finding) => finding.kind === 'stalled-charging')).toEqual([
      expect.objectContaining({ verdict: 'open', at: T0 + minutes(10) }),
      expect.objectContaining({ verdict: 'open', at: T0 + minutes(14) }),
    ]);
  });

  it('is unmoved by a batch redelivered whole (a retry) or records arriving out of order', () => {
    const batch = [charging, flat(10), flat(0), flat(5)];
    const once = run([batch]);
    const twice = run([batch, batch, [...batch].reverse()]);
    expect(twice.findings).toEqual(once.findings);
    expect(twice.state.readings).toEqual(once.state.readings);
  });

  it('keeps the newest observations per connector within the state limit', () => {
    const many = Array.from({ length: stateLimits.readings + 30 }, (_, index) => flat(index));
    const state = withObservations(emptyWindowState(), many);
    const kept = state.readings['CP-1#1'] ?? [];
    expect(kept).toHaveLength(stateLimits.readings);
    expect(kept.at(-1)?.at).toBe(T0 + minutes(stateLimits.readings + 29));
  });

  it('asks for the stored status of a connector at ~0 W whose status the window has not seen', () => {
    const state = withObservations(emptyWindowState(), [
      flat(0),
      meterObservation({ chargerId: 'CP-2', at: T0, powerW: 7_000 }),
      meterObservation({ chargerId: 'CP-3', at: T0 }),
      statusObservation({ chargerId: 'CP-3', at: T0 }),
    ]);
    expect(connectorsNeedingStatus(state, defaultThresholds)).toEqual(['CP-1#1']);
  });

  it('reads a state it does not recognise as a new window', () => {
    expect(windowStateOf(undefined)).toEqual(emptyWindowState());
    expect(windowStateOf({ readings: {} })).toEqual(emptyWindowState());
  });
});
