/** Order of rows on a fractional-position line; ties (e.g. two concurrent appends) fall back to creation order. */
export const byPosition = [{ position: 'asc' as const }, { createdAt: 'asc' as const }, { id: 'asc' as const }];
