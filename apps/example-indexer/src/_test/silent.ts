import { Writable } from 'node:stream';

/** A stream that drops everything (the runs' log output in tests). */
export function silentStream(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
