// The shared-value encoder writes exactly what Socket.IO's own encoder writes: a shared catch-up is encoded once
// and reused, and every packet decodes to the same value with the default decoder.
import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';
import { SharedAckEncoder, encodeOnce } from '../server/realtime/ack.encoder';

const decode = (parts: unknown[]): Packet => {
  const d = new Decoder();
  let out: Packet | undefined;
  d.on('decoded', (p: Packet) => (out = p));
  for (const p of parts) d.add(p as string);
  return out!;
};

describe('SharedAckEncoder', () => {
  const changes = encodeOnce([
    { seq: 5, id: 1, comment: { body: 'a "quoted" </script> \u2028 body', html: '<p>x</p>', liked: false } },
    { seq: 6, id: 2, comment: null },
  ]);
  const ack = (id: number, nsp = '/'): Packet => ({ type: PacketType.ACK, nsp, id, data: [{ ok: true, data: { article: 'a', seq: 6, presence: id, changes, tail: 'x' } }] });

  it('writes what the default encoder writes, for every reader sharing the value', () => {
    const mine = new SharedAckEncoder();
    const theirs = new Encoder();
    for (const p of [ack(1), ack(2), ack(3, '/moderation')]) {
      expect(mine.encode(p)).toEqual(theirs.encode(p));
      expect(decode(mine.encode(p)).data).toEqual(p.data);
    }
  });

  it('carries the same value twice in one packet, and a user string that looks like JSON', () => {
    const p: Packet = { type: PacketType.EVENT, nsp: '/', data: ['x', { a: changes, b: '"\u0001yl"', c: changes }] };
    expect(new SharedAckEncoder().encode(p)).toEqual(new Encoder().encode(p));
  });

  it('leaves binary and unshared packets to the default path', () => {
    const bin: Packet = { type: PacketType.EVENT, nsp: '/', data: ['x', { changes, buf: Buffer.from('hi') }] };
    const parts = new SharedAckEncoder().encode(bin);
    expect(parts.length).toBe(2);
    expect(Buffer.isBuffer(parts[1])).toBe(true);
    const plain: Packet = { type: PacketType.ACK, nsp: '/', id: 9, data: [{ ok: false, error: { code: 'x', message: 'y' } }] };
    expect(new SharedAckEncoder().encode(plain)).toEqual(new Encoder().encode(plain));
  });
});
