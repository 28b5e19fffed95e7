// The tests' HTTP servers leave idle keep-alive connections for their clients to close. With Node's
// default the server closes them after 5 s too, and a client whose timers run late on a loaded machine
// then sends its next request on a socket being closed under it: "fetch failed", or an export lost.
import type { Server } from 'node:http';

export function leaveIdleConnectionsToClients(server: Server): void {
  server.keepAliveTimeout = 0; // no timeout: the server then sends no Keep-Alive header either
}
