/** PROXY protocol headers as a gateway sends them (HAProxy's proxy-protocol.txt), for the tests. */
import net from 'node:net';

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

export function proxyV1(source: string, destination = '127.0.0.1', sourcePort = 50_000, destinationPort = 4000): string {
  return `PROXY ${net.isIPv6(source) ? 'TCP6' : 'TCP4'} ${source} ${destination} ${sourcePort} ${destinationPort}\r\n`;
}

/** A v2 PROXY (command 1) header over TCP for `source`, with an optional TLV tail (as HAProxy adds). */
export function proxyV2(source: string, destination = net.isIPv6(source) ? '::1' : '127.0.0.1', tlvs = Buffer.alloc(0)): Buffer {
  const v6 = net.isIPv6(source);
  const address = (text: string) => (v6 ? ipv6Bytes(text) : Buffer.from(text.split('.').map(Number)));
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(50_000, 0);
  ports.writeUInt16BE(4000, 2);
  const body = Buffer.concat([address(source), address(destination), ports, tlvs]);
  const head = Buffer.alloc(4);
  head[0] = 0x21;
  head[1] = v6 ? 0x21 : 0x11;
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([V2_SIGNATURE, head, body]);
}

function ipv6Bytes(text: string): Buffer {
  const [head, tail = ''] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(Number.parseInt(g, 16), i * 2));
  return out;
}
