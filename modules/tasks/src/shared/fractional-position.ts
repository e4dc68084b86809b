/**
 * Fractional indexing for drag-and-drop ordering: an item moved between two neighbours gets a position
 * strictly between theirs, so a move writes one row instead of renumbering the list.
 * Positions are IEEE doubles; halving a gap repeatedly eventually runs out of precision, which
 * `positionBetween` reports by returning null — the caller then renumbers the list (`spacedPositions`).
 */
export const POSITION_STEP = 1024;

/**
 * A position strictly between `lower` and `upper` (either may be absent: start or end of the list),
 * or null when the two are too close for a double to fit a value between them.
 */
export function positionBetween(lower?: number | null, upper?: number | null): number | null {
  const hasLower = lower !== null && lower !== undefined;
  const hasUpper = upper !== null && upper !== undefined;
  if (hasLower && !Number.isFinite(lower)) throw new RangeError(`lower position is not finite: ${lower}`);
  if (hasUpper && !Number.isFinite(upper)) throw new RangeError(`upper position is not finite: ${upper}`);
  if (!hasLower && !hasUpper) return POSITION_STEP;
  if (!hasUpper) return lower! + POSITION_STEP;
  if (!hasLower) return upper - POSITION_STEP;
  if (lower >= upper) throw new RangeError(`lower position ${lower} must be below upper position ${upper}`);
  const middle = lower + (upper - lower) / 2;
  return middle > lower && middle < upper ? middle : null;
}

/** Evenly spaced positions for `count` items in their current order (used to renumber a crowded list). */
export function spacedPositions(count: number): number[] {
  return Array.from({ length: count }, (_, index) => (index + 1) * POSITION_STEP);
}

/**
 * Positions for a list given in its intended order where some entries carry an explicit position: explicit ones are
 * kept, each run of missing ones is spread between its explicit neighbours (or one step apart at either end).
 */
export function fillPositions(explicit: readonly (number | undefined)[]): number[] {
  const result: number[] = [];
  let index = 0;
  while (index < explicit.length) {
    const given = explicit[index];
    if (given !== undefined) {
      result.push(given);
      index += 1;
      continue;
    }
    let end = index;
    while (end < explicit.length && explicit[end] === undefined) end += 1;
    const count = end - index;
    const lower = index > 0 ? result[index - 1]! : undefined;
    const upper = end < explicit.length ? explicit[end]! : undefined;
    for (let k = 1; k <= count; k += 1) {
      if (lower !== undefined && upper !== undefined && upper > lower) result.push(lower + ((upper - lower) * k) / (count + 1));
      else if (lower !== undefined) result.push(lower + k * POSITION_STEP);
      else if (upper !== undefined) result.push(upper - (count + 1 - k) * POSITION_STEP);
      else result.push(k * POSITION_STEP);
    }
    index = end;
  }
  return result;
}
