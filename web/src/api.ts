// The server's REST API, and the signed-in session.
//
// The session token (a JWT from POST /auth/login) lives only in this module's memory: never in localStorage,
// sessionStorage or a cookie. Script injected into the page could still use it while the page is open, but nothing
// persists it, and because the browser never attaches it by itself (it goes in an Authorization header we set), no
// other site can make the browser send it: there is no CSRF to defend against. It is renewed with POST /auth/refresh
// before it expires; reloading the page signs the user out.

export interface User {
  id: string;
  email: string;
  display_name: string;
  role: 'super_admin' | 'admin' | 'user';
  tenant_id: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

interface Session {
  token: string;
  expiresAt: number;
  user: User;
  refreshTimer?: number;
}

let session: Session | undefined;
const listeners = new Set<() => void>();

export function currentUser(): User | undefined {
  return session?.user;
}

export function isAdmin(user: User | undefined = session?.user): boolean {
  return user?.role === 'admin' || user?.role === 'super_admin';
}

export function onSessionChange(listener: () => void): void {
  listeners.add(listener);
}

function notify(): void {
  for (const l of listeners) l();
}

function scheduleRefresh(): void {
  if (!session) return;
  window.clearTimeout(session.refreshTimer);
  // Five minutes before expiry (at least in ten seconds).
  const delay = Math.max(10_000, session.expiresAt - Date.now() - 5 * 60_000);
  session.refreshTimer = window.setTimeout(() => {
    void refresh();
  }, Math.min(delay, 2 ** 31 - 1));
}

async function refresh(): Promise<void> {
  if (!session) return;
  try {
    const body = await request<{ jwt_token: string; expires_at: string }>('POST', '/auth/refresh');
    session.token = body.jwt_token;
    session.expiresAt = Date.parse(body.expires_at);
    scheduleRefresh();
  } catch {
    signOut();
  }
}

export async function signIn(email: string, password: string): Promise<User> {
  const body = await request<{ jwt_token: string; expires_at: string; user: User }>('POST', '/auth/login', {
    email,
    password,
  });
  session = { token: body.jwt_token, expiresAt: Date.parse(body.expires_at), user: body.user };
  scheduleRefresh();
  notify();
  return body.user;
}

export function signOut(): void {
  if (session) window.clearTimeout(session.refreshTimer);
  session = undefined;
  notify();
}

export function authHeaders(): Record<string, string> {
  return session ? { Authorization: `Bearer ${session.token}` } : {};
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server could not be reached.');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = {};
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; details?: { field?: string } } }).error;
    throw new ApiError(res.status, e?.code ?? 'HTTP_' + res.status, e?.message ?? res.statusText, e?.details?.field);
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  del: <T>(path: string) => request<T>('DELETE', path),
};

// A Server-Sent Events stream read with fetch (EventSource cannot send the Authorization header). Calls onEvent for
// each event until the signal aborts; resolves when the stream ends.
export async function streamEvents(
  path: string,
  signal: AbortSignal,
  onEvent: (type: string, data: string) => void,
  onOpen: () => void,
): Promise<void> {
  const res = await fetch(path, { headers: { Accept: 'text/event-stream', ...authHeaders() }, signal });
  if (!res.ok || !res.body) {
    const text = await res.text();
    let message = res.statusText;
    let code = 'HTTP_' + res.status;
    try {
      const e = JSON.parse(text).error;
      message = e.message;
      code = e.code;
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, code, message);
  }
  onOpen();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) onEvent(type, data.join('\n'));
    }
  }
}
