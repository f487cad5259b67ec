// Owns encoding a shared value once: a catch-up answer that thousands of reconnecting readers share is
// JSON-encoded on its first ack and its text reused in every later ack, where Socket.IO's own encoder would
// walk and stringify it once per socket. The wire format is Socket.IO's own (the default parser decodes it).
import { randomBytes } from 'node:crypto';
import { Encoder, Decoder, PacketType, type Packet } from 'socket.io-parser';

/** Values registered as shared (plain JSON: no Buffers, no toJSON), and their text once encoded. */
const shared = new WeakSet<object>();
const texts = new WeakMap<object, string>();

/**
 * Marks a value as encoded once for every packet that carries it. It must never change afterwards (the text is
 * kept), and must hold nothing but JSON values (no binary).
 */
export function encodeOnce<T extends object>(value: T): T {
  shared.add(value);
  return value;
}

const textOf = (v: object): string => {
  let t = texts.get(v);
  if (t === undefined) texts.set(v, (t = JSON.stringify(v)));
  return t;
};

/** Whether `v` holds a Buffer/ArrayBuffer (then Socket.IO's binary packets are used) or a shared value. */
function scan(v: unknown, found: { binary: boolean; shared: boolean }, depth: number): void {
  if (v === null || typeof v !== 'object' || found.binary) return;
  if (shared.has(v)) return void (found.shared = true);
  if (Buffer.isBuffer(v) || ArrayBuffer.isView(v) || v instanceof ArrayBuffer || depth > 64) return void (found.binary = true);
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return void (found.binary = true);
  if (Array.isArray(v)) for (const x of v) scan(x, found, depth + 1);
  else for (const k in v) scan((v as Record<string, unknown>)[k], found, depth + 1);
}

/** Per process and never sent: a placeholder string no user text can guess, and its JSON text. */
const PLACEHOLDER = `\u0001yl${randomBytes(8).toString('hex')}`;
const TOKEN = JSON.stringify(PLACEHOLDER);

export class SharedAckEncoder extends Encoder {
  encode(obj: Packet): unknown[] {
    if (obj.type !== PacketType.ACK && obj.type !== PacketType.EVENT) return super.encode(obj);
    const found = { binary: false, shared: false };
    scan(obj.data, found, 0);
    // Binary, anything with toJSON, or nothing shared: Socket.IO's own path, unchanged.
    if (found.binary || !found.shared) return super.encode(obj);
    const parts: string[] = [];
    const json = JSON.stringify(obj.data, (_key, value: unknown) => {
      if (value !== null && typeof value === 'object' && shared.has(value)) {
        parts.push(textOf(value));
        return PLACEHOLDER;
      }
      return value;
    });
    let out = '';
    let from = 0;
    for (const part of parts) {
      const at = json.indexOf(TOKEN, from);
      out += json.slice(from, at) + part;
      from = at + TOKEN.length;
    }
    out += json.slice(from);
    const head = `${obj.type}${obj.nsp && obj.nsp !== '/' ? `${obj.nsp},` : ''}${obj.id ?? ''}`;
    return [head + out];
  }
}

/** Socket.IO's `parser` option: the shared-value encoder, the default decoder. */
export const sharedAckParser = { Encoder: SharedAckEncoder, Decoder };
