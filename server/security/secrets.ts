// Owns the server's secrets: the session-signing secret and the IP-hash key. Taken from the environment,
// or generated once and kept in the data directory with 0600 permissions. Never logged, never sent.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface Secrets {
  sessionSecret: string;
  ipHashKey: string;
}

export function generateSecrets(): Secrets {
  return { sessionSecret: crypto.randomBytes(32).toString('base64url'), ipHashKey: crypto.randomBytes(32).toString('base64url') };
}

export function loadSecrets(dataDir: string, fromEnv: Partial<Secrets>): Secrets {
  if (fromEnv.sessionSecret && fromEnv.ipHashKey) return { sessionSecret: fromEnv.sessionSecret, ipHashKey: fromEnv.ipHashKey };
  const file = path.join(dataDir, 'secrets.json');
  let stored: Partial<Secrets> = {};
  if (fs.existsSync(file)) {
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Record<keyof Secrets, unknown>> | null;
      // A value too short to be a secret is replaced below, like a missing one.
      const strong = (v: unknown) => (typeof v === 'string' && v.length >= 32 ? v : undefined);
      stored = { sessionSecret: strong(parsed?.sessionSecret), ipHashKey: strong(parsed?.ipHashKey) };
    } catch {
      // Regenerating would silently end every session and change every IP hash (bans stop matching): refuse instead.
      throw new Error(`${file} is not valid JSON; fix or remove it (removing ends all moderator sessions and resets IP hashes)`);
    }
    // Tighten a file someone copied in with looser permissions.
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  }
  if (!stored.sessionSecret || !stored.ipHashKey) {
    const fresh = generateSecrets();
    stored = { sessionSecret: stored.sessionSecret ?? fresh.sessionSecret, ipHashKey: stored.ipHashKey ?? fresh.ipHashKey };
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
    fs.chmodSync(file, 0o600);
  }
  return { sessionSecret: fromEnv.sessionSecret ?? stored.sessionSecret!, ipHashKey: fromEnv.ipHashKey ?? stored.ipHashKey! };
}
