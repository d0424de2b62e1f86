/**
 * Callbacks by name (`calculate_stats`, `stats.daily`): hooks and index handlers. The CLI fills the
 * registries from `hooks/**` and `handlers/**`; programs register their callbacks directly.
 * Registering a name twice is an error.
 */
// biome-ignore lint/suspicious/noExplicitAny: callbacks of any signature are kept by name.
export class CallbackRegistry<Callback extends (...args: any[]) => unknown> {
  private readonly callbacks = new Map<string, Callback>();

  constructor(private readonly kind: 'Hook' | 'Handler') {}

  register(name: string, callback: Callback): this {
    if (typeof callback !== 'function') {
      throw new TypeError(`${this.kind} "${name}": expected a function, found ${typeof callback}.`);
    }
    if (this.callbacks.has(name)) throw new Error(`${this.kind} "${name}" is registered twice.`);
    this.callbacks.set(name, callback);
    return this;
  }

  get(name: string): Callback | undefined {
    return this.callbacks.get(name);
  }

  has(name: string): boolean {
    return this.callbacks.has(name);
  }

  names(): string[] {
    return [...this.callbacks.keys()];
  }
}
