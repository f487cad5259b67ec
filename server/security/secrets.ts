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
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Secrets>;
    // Tighten a file someone copied in with looser permissions.
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  }
  if (!stored.sessionSecret || !stored.ipHashKey) {
    stored = { ...generateSecrets(), ...stored };
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
    fs.chmodSync(file, 0o600);
  }
  return { sessionSecret: fromEnv.sessionSecret ?? stored.sessionSecret!, ipHashKey: fromEnv.ipHashKey ?? stored.ipHashKey! };
}
