/** The EIP-1193 `request` function viem's `custom()` transport needs. */
export interface RequestProvider {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

/**
 * ganache 7 answers an unknown method with an error that has no JSON-RPC code. viem then cannot tell
 * "unsupported" from "failed": it hides the real error behind a retry of another method and retries
 * unknown methods with back-off on every call. Adding code -32601 (method not found) fixes both.
 */
export function withMethodNotFoundCode(provider: RequestProvider): RequestProvider {
  return {
    async request(args) {
      try {
        return await provider.request(args);
      } catch (error) {
        if (
          error instanceof Error &&
          (error as { code?: unknown }).code === undefined &&
          /does not exist\/is not available/.test(error.message)
        ) {
          Object.assign(error, { code: -32601 });
        }
        throw error;
      }
    },
  };
}
