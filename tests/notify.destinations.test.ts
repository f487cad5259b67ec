// Which webhook destinations count as loopback or private (refused unless an admin allows them).
import { checkDestination, isPrivateAddress } from '../server/notify/webhook.send';

describe('webhook destination guard', () => {
  it.each(['127.0.0.1', '127.8.9.10', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.1.2.3', 'not-an-ip'])(
    'refuses %s',
    (ip) => expect(isPrivateAddress(ip)).toBe(true),
  );

  it.each(['1.1.1.1', '8.8.8.8', '172.32.0.1', '203.0.113.9', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (ip) => expect(isPrivateAddress(ip)).toBe(false));

  it('refuses non-http URLs, credentials in the URL and private literals when saving; allows them when private is allowed', async () => {
    expect(await checkDestination('ftp://example.com/x', false)).toBe('invalid');
    expect(await checkDestination('https://user:pw@example.com/x', false)).toBe('invalid');
    expect(await checkDestination('not a url', false)).toBe('invalid');
    expect(await checkDestination('http://[::1]:8080/x', false)).toBe('private');
    expect(await checkDestination('http://localhost:8080/x', false)).toBe('private');
    expect(await checkDestination('http://127.0.0.1:8080/x', true)).toBe('ok');
    expect(await checkDestination('https://1.1.1.1/x', false)).toBe('ok');
  });
});
