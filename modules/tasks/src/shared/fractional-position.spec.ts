import { describe, expect, it } from 'vitest';
import { fillPositions, POSITION_STEP, positionBetween, spacedPositions } from './fractional-position.js';

describe('positionBetween', () => {
  it('starts an empty list at one step', () => {
    expect(positionBetween()).toBe(POSITION_STEP);
    expect(positionBetween(null, null)).toBe(POSITION_STEP);
  });

  it('appends one step after the last item and prepends one step before the first', () => {
    expect(positionBetween(3000, null)).toBe(3000 + POSITION_STEP);
    expect(positionBetween(null, 1024)).toBe(0);
    expect(positionBetween(null, 0)).toBe(-POSITION_STEP);
  });

  it('splits the gap between two neighbours', () => {
    expect(positionBetween(1024, 2048)).toBe(1536);
    expect(positionBetween(1, 2)).toBe(1.5);
    expect(positionBetween(-1, 1)).toBe(0);
  });

  it('keeps strict order over many repeated insertions at the same spot', () => {
    let lower = 1024;
    const upper = 2048;
    for (let i = 0; i < 40; i += 1) {
      const next = positionBetween(lower, upper);
      expect(next).not.toBeNull();
      expect(next!).toBeGreaterThan(lower);
      expect(next!).toBeLessThan(upper);
      lower = next!;
    }
  });

  it('reports exhaustion instead of returning a colliding position', () => {
    let lower = 1024;
    const upper = 2048;
    let result: number | null = 0;
    let steps = 0;
    while (result !== null && steps < 200) {
      result = positionBetween(lower, upper);
      if (result !== null) lower = result;
      steps += 1;
    }
    expect(result).toBeNull();
    expect(steps).toBeGreaterThan(40);
    expect(steps).toBeLessThan(200);
    // adjacent doubles: nothing fits between them
    expect(positionBetween(1, 1 + Number.EPSILON)).toBeNull();
  });

  it('rejects inverted or equal neighbours and non-finite input', () => {
    expect(() => positionBetween(2, 1)).toThrow(RangeError);
    expect(() => positionBetween(1, 1)).toThrow(RangeError);
    expect(() => positionBetween(Number.NaN, 1)).toThrow(RangeError);
    expect(() => positionBetween(1, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('spacedPositions', () => {
  it('numbers items one step apart in order', () => {
    expect(spacedPositions(0)).toEqual([]);
    expect(spacedPositions(3)).toEqual([POSITION_STEP, 2 * POSITION_STEP, 3 * POSITION_STEP]);
  });
});

describe('fillPositions', () => {
  it('numbers a list without explicit positions one step apart', () => {
    expect(fillPositions([undefined, undefined, undefined])).toEqual(spacedPositions(3));
    expect(fillPositions([])).toEqual([]);
  });

  it('keeps explicit positions and spreads the missing ones between their neighbours', () => {
    expect(fillPositions([10, undefined, 20])).toEqual([10, 15, 20]);
    expect(fillPositions([0, undefined, undefined, undefined, 4])).toEqual([0, 1, 2, 3, 4]);
    expect(fillPositions([undefined, 5000])).toEqual([5000 - POSITION_STEP, 5000]);
    expect(fillPositions([5, undefined])).toEqual([5, 5 + POSITION_STEP]);
  });

  it('keeps the given order even when explicit neighbours are inverted', () => {
    const positions = fillPositions([30, undefined, 10]);
    expect(positions[0]).toBe(30);
    expect(positions[2]).toBe(10);
    expect(positions[1]).toBeGreaterThan(30);
  });
});
