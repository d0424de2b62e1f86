/**
 * The candidate a mistyped word most likely meant, or undefined: an exact match once case and
 * underscores are ignored (`firstLevel` for `first_level`), else the closest within a small edit
 * distance (1 for words of up to four characters, 2 beyond), else the longest candidate of at least
 * three characters that the word starts with (`warning` for `warn`) or that starts with the word.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const normalized = normalize(word);
  const limit = word.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    if (normalize(candidate) === normalized) return candidate;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best ?? prefixMatch(word.toLowerCase(), candidates);
}

function prefixMatch(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    if (lower.length < 3 || word.length < 3 || lower === word) continue;
    if ((word.startsWith(lower) || lower.startsWith(word)) && candidate.length > (best?.length ?? 0))
      best = candidate;
  }
  return best;
}

/** `did you mean \`x\`?`, or undefined when nothing is close. */
export function didYouMeanHint(word: string, candidates: Iterable<string>): string | undefined {
  const suggestion = didYouMean(word, candidates);
  return suggestion === undefined ? undefined : `did you mean \`${suggestion}\`?`;
}

function normalize(word: string): string {
  return word.replace(/[_\-\s]/g, '').toLowerCase();
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(left: string, right: string): number {
  const rows = left.length + 1;
  const columns = right.length + 1;
  const table: number[][] = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: columns }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)),
  );
  const at = (row: number, column: number): number => table[row]?.[column] ?? Number.POSITIVE_INFINITY;
  for (let row = 1; row < rows; row++) {
    for (let column = 1; column < columns; column++) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      let distance = Math.min(
        at(row - 1, column) + 1,
        at(row, column - 1) + 1,
        at(row - 1, column - 1) + cost,
      );
      if (
        row > 1 &&
        column > 1 &&
        left[row - 1] === right[column - 2] &&
        left[row - 2] === right[column - 1]
      ) {
        distance = Math.min(distance, at(row - 2, column - 2) + 1);
      }
      table[row]![column] = distance;
    }
  }
  return at(rows - 1, columns - 1);
}
