// Owns `npm run admin -- create NAME [--role admin|moderator]` (asks for the password, never echoed)
// and `npm run admin -- list`.
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { loadConfig } from '../config';
import { closeDb } from '../db/open';
import { openStore } from '../db/bootstrap';
import { createModerator, hashPassword, validatePassword } from '../moderation/auth.service';
import { createModerationPolicy } from '../moderation/moderation.policy';
import { silentLogger } from '../log';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import type { Role } from '../db/moderators.types';

/** Reads a line without echoing it when stdin is a terminal; from a pipe it reads the next line. */
function askHidden(prompt: string, lines: AsyncIterableIterator<string>): Promise<string> {
  process.stderr.write(prompt);
  return lines.next().then((r) => {
    if (process.stdin.isTTY) process.stderr.write('\n');
    return r.done ? '' : r.value;
  });
}

async function run(argv: string[]): Promise<number> {
  const [cmd, name, ...rest] = argv;
  const roleIdx = rest.indexOf('--role');
  const role = (roleIdx >= 0 ? rest[roleIdx + 1] : 'admin') as Role;
  if (!['list', 'create', 'password'].includes(cmd ?? '') || (cmd !== 'list' && !name) || !['admin', 'moderator'].includes(role)) {
    process.stderr.write('usage:\n  npm run admin -- create NAME [--role admin|moderator]\n  npm run admin -- password NAME\n  npm run admin -- list\n');
    return 2;
  }
  const config = loadConfig(process.env);
  const { db, store } = openStore(config, { init: config.init });
  try {
    if (cmd === 'list') {
      for (const m of await store.moderators.list()) process.stdout.write(`${m.username}\t${m.role}${m.disabled ? '\tdisabled' : ''}\n`);
      return 0;
    }
    const muted = new Writable({ write: (_c, _e, cb) => cb() });
    const rl = readline.createInterface({ input: process.stdin, output: muted, terminal: process.stdin.isTTY });
    const lines = rl[Symbol.asyncIterator]();
    const password = await askHidden('Password: ', lines);
    const again = await askHidden('Repeat password: ', lines);
    rl.close();
    if (password !== again) {
      process.stderr.write('the passwords differ\n');
      return 1;
    }
    const now = Date.now;
    const deps: Deps = { store, now, config, log: silentLogger, policy: createModerationPolicy(store, now), publish: () => undefined };
    if (cmd === 'create') {
      const m = await createModerator(deps, name, password, role);
      process.stdout.write(`created ${m.role} "${m.username}"\n`);
    } else {
      const m = await store.moderators.getByUsername(name);
      if (!m) throw new AppError('moderator_not_found', 404, `no moderator named "${name}"`);
      validatePassword(password);
      await store.moderators.update(m.id, { passwordHash: await hashPassword(password) });
      await store.moderators.deleteSessionsOf(m.id);
      process.stdout.write(`password changed for "${m.username}"; their sessions were ended\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    closeDb(db);
  }
}

run(process.argv.slice(2)).then((code) => process.exit(code));
