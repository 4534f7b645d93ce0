/**
 * Reading what comes first on an accepted, paused socket (a PROXY header, the first bytes of a
 * TLS ClientHello) before the code that serves the connection takes it over: the socket flows
 * until `take` has what it wants, then is paused again with the bytes after put back, so the next
 * reader sees the stream from exactly there.
 */
import type net from 'node:net';

/** What `take` found in the bytes so far, and the bytes after it, for the next reader. */
export interface Taken<T> {
  value: T;
  rest: Buffer;
}

/**
 * Resolves with `take`'s value once it returns one (null: wants more bytes); rejects with what
 * it throws; on close or after `timeoutMs`, settles as `ended` says (a value, or an Error to reject with).
 */
export function readSocketPrefix<T>(socket: net.Socket, timeoutMs: number, take: (held: Buffer) => Taken<T> | null, ended: (why: 'closed' | 'timeout') => T | Error): Promise<T> {
  return new Promise((resolve, reject) => {
    let held: Buffer = Buffer.alloc(0);
    const finish = (outcome: { value: T; rest?: Buffer } | { error: unknown }) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      if ('error' in outcome) return reject(outcome.error);
      if (outcome.rest?.length) socket.unshift(outcome.rest);
      resolve(outcome.value);
    };
    const end = (why: 'closed' | 'timeout') => {
      const value = ended(why);
      finish(value instanceof Error ? { error: value } : { value });
    };
    const onData = (chunk: Buffer) => {
      held = held.length ? Buffer.concat([held, chunk]) : chunk;
      try {
        const taken = take(held);
        if (taken) finish(taken);
      } catch (error) {
        finish({ error });
      }
    };
    const onClose = () => end('closed');
    const timer = setTimeout(() => end('timeout'), timeoutMs);
    timer.unref();
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.resume();
  });
}
