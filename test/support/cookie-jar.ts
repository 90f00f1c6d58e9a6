/**
 * A browser without JavaScript for tests that cross servers: cookies kept per host (like a
 * browser, not per port) and path (RFC 6265 path-match), redirects followed by hand.
 */
interface Cookie {
  host: string;
  path: string;
  name: string;
  value: string;
}

export interface Answer {
  url: URL;
  status: number;
  location: URL | undefined;
  body: string;
}

const pathMatches = (cookiePath: string, path: string) =>
  path === cookiePath ||
  (path.startsWith(cookiePath) && (cookiePath.endsWith('/') || path[cookiePath.length] === '/'));

export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();

  private header(url: URL): string {
    return [...this.cookies.values()]
      .filter((c) => c.host === url.hostname && pathMatches(c.path, url.pathname))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private keep(url: URL, response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      const given = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5);
      const path = given ?? (url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/');
      const key = `${url.hostname}|${path}|${name}`;
      const gone =
        value === '' || attributes.some((a) => /^expires=.*1970/i.test(a) || /^max-age=0$/i.test(a));
      if (gone) this.cookies.delete(key);
      else this.cookies.set(key, { host: url.hostname, path, name, value });
    }
  }

  async request(url: URL | string, form?: Record<string, string>): Promise<Answer> {
    const target = new URL(url);
    const response = await fetch(target, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: this.header(target),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    this.keep(target, response);
    const location = response.headers.get('location');
    return {
      url: target,
      status: response.status,
      location: location ? new URL(location, target) : undefined,
      body: await response.text(),
    };
  }

  /** Follows redirects until a page, or until `stop` says the next address is not to be visited. */
  async follow(
    url: URL | string,
    stop: (next: URL) => boolean,
    form?: Record<string, string>,
  ): Promise<Answer & { stoppedAt?: URL }> {
    let answer = await this.request(url, form);
    for (let hops = 0; answer.location && hops < 20; hops++) {
      if (stop(answer.location)) return { ...answer, stoppedAt: answer.location };
      answer = await this.request(answer.location);
    }
    return answer;
  }
}
