import { buildApp } from './child-run.js';

// Vitest global setup: the tests that run `node dist/src/main.js` need the built app. Building once
// here keeps two test files from running turbo at the same time.
export default function setup(): void {
  buildApp();
}
