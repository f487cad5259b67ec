// Author tokens come from a pool of CSPRNG bytes: each is 256 bits, well formed, and never handed out twice.
import { newAuthorToken, readAuthorToken } from '../server/identity/author.cookie';

describe('author tokens', () => {
  it('hands out 1,000 distinct well-formed tokens across several pool refills', () => {
    const tokens = Array.from({ length: 1000 }, () => newAuthorToken());
    expect(new Set(tokens).size).toBe(1000);
    for (const t of tokens) {
      expect(t).toHaveLength(43);
      expect(readAuthorToken(`yl_author=${t}`)).toBe(t);
    }
  });
});
