/** The scripted chain of the crash test: shared by the child process and the test's expectations. */
export const LAST_LEVEL = 60;
export const CRASH_LEVEL = 37;
const ACCOUNTS = ['alice', 'bob', 'carol'];

/** Two transfers on every level. */
export function transfersAt(level, branch) {
  return [0, 1].map((index) => ({
    type: 'transfer',
    id: `${level}-${branch}-${index}`,
    from: ACCOUNTS[(level + index) % 3],
    to: ACCOUNTS[(level + index + 1) % 3],
    amount: 1 + ((level * 7 + index) % 50),
  }));
}
