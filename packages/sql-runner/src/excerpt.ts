const EXCERPT_LENGTH = 80;

/** A single-line excerpt of a statement for error messages: whitespace collapsed, cut at 80 characters. */
export function excerptOf(statementText: string): string {
  // NOTE: only the head of the statement is needed; collapsing a 1 MB statement would be wasted work.
  const collapsed = statementText
    .slice(0, EXCERPT_LENGTH * 4)
    .replace(/\s+/g, ' ')
    .trim();
  return collapsed.length > EXCERPT_LENGTH || statementText.length > EXCERPT_LENGTH * 4
    ? `${collapsed.slice(0, EXCERPT_LENGTH - 1).trimEnd()}…`
    : collapsed;
}
