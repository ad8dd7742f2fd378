import { Socket } from 'node:net';
import { vi } from 'vitest';

/**
 * Runs `body` with the network cut: every `fetch` and socket connect fails loudly and is recorded in the
 * returned list, so a test can assert that loading a model reached nothing.
 */
export async function withoutNetwork(body: () => Promise<void>): Promise<string[]> {
  const attempts: string[] = [];
  vi.stubGlobal('fetch', async (input: unknown) => {
    attempts.push(`fetch ${String(input)}`);
    throw new Error('network is disabled in this test');
  });
  const connect = vi.spyOn(Socket.prototype, 'connect').mockImplementation(function (this: Socket, ...args: unknown[]) {
    attempts.push(`connect ${JSON.stringify(args[0])}`);
    throw new Error('network is disabled in this test');
  });
  try {
    await body();
  } finally {
    connect.mockRestore();
    vi.unstubAllGlobals();
  }
  return attempts;
}
