import type net from 'node:net';

/**
 * Writes `answer` (one line, or a whole HTTP response) to a connection over a limit, and closes
 * it as soon as that is written: a refused socket must not keep its place in the server's
 * connection table, or a flood of them fills it anyway. What the client sent is read and thrown
 * away, so the close is a FIN after the answer, not a reset that could lose it.
 */
export function refuseSocket(socket: net.Socket, answer: string): void {
  socket.on('error', () => {});
  socket.resume();
  socket.end(answer, () => socket.destroy());
}
