// The tests' own HTTP servers leave idle keep-alive connections for their clients to close
// (test/helpers/idle-connections.ts), so a loaded machine's late client never reuses a socket the server
// is closing. A server that closes them says when (Keep-Alive: timeout=5, Node's default); these say nothing.
// The tests' Mastra server is checked in server.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from './helpers/fake-openai.ts';
import { newSigningKey, startJwksIssuer } from './helpers/jwks-issuer.ts';
import { startOtlpReceiver } from './helpers/otlp-receiver.ts';

const closers: (() => Promise<void> | void)[] = [];
afterAll(() => Promise.all(closers.map((close) => close())));

/** A request on a kept-alive connection, and the idle timeout the server announced with its answer. */
async function idleTimeoutOf(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  await response.arrayBuffer();
  return { connection: response.headers.get('connection'), keepAlive: response.headers.get('keep-alive') };
}

describe("the tests' HTTP servers announce no idle timeout", () => {
  it('the OTLP receiver', async () => {
    const receiver = await startOtlpReceiver();
    closers.push(() => receiver.close());
    expect(await idleTimeoutOf(receiver.tracesUrl, { method: 'POST', body: '' })).toEqual({ connection: 'keep-alive', keepAlive: null });
  });

  it('the fake OpenAI server', async () => {
    const model = await startFakeOpenAI();
    closers.push(() => model.close());
    const body = JSON.stringify({ model: 'fake', messages: [{ role: 'user', content: 'hello' }] });
    expect(await idleTimeoutOf(`${model.baseUrl}/chat/completions`, { method: 'POST', body })).toEqual({
      connection: 'keep-alive',
      keepAlive: null,
    });
  });

  it('the JWKS issuer', async () => {
    const issuer = await startJwksIssuer([newSigningKey('kid-1', 'ES256')]);
    closers.push(() => issuer.close());
    expect(await idleTimeoutOf(issuer.jwksUrl)).toEqual({ connection: 'keep-alive', keepAlive: null });
  });
});
