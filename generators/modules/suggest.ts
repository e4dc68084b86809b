/** Levenshtein distance; inputs are short identifiers so the quadratic table is fine. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** Candidates close enough to `input` to be what the user meant, closest first. */
export function closestMatches(input: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.floor(input.length / 3));
  return [...candidates]
    .map((candidate) => ({ candidate, distance: editDistance(input, candidate) }))
    .filter(({ candidate, distance }) => distance <= limit || candidate.startsWith(input) || input.startsWith(candidate))
    .sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate))
    .slice(0, max)
    .map(({ candidate }) => candidate);
}
