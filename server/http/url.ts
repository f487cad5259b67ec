// Owns the one question asked of every URL a user or a browser hands us: is it an http(s) URL at all?
export function parseHttpUrl(raw: string): URL | null {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}
