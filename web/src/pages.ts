// The dashboard's pages. Each renders into <main> (which already holds its <h1>) and may return a cleanup function.
// What a page may show is decided by the server (403 for what the caller may not see); the UI only hides links.
import { api, ApiError, isAdmin, streamEvents, type User } from './api';
import { field, formatTime, h, inlineForm, message, percent, select, table } from './dom';
import { drawDailyChart } from './chart';

export interface Page {
  name: string;
  title: string;
  adminOnly: boolean;
  render: (main: HTMLElement, user: User) => (() => void) | undefined;
}

function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 403) return `Access denied: ${e.message}`;
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

// A region whose content is (re)loaded: shows "Loading…", then the content, or the error.
function section(title: string, load: (into: HTMLElement) => Promise<void>): { el: HTMLElement; reload: () => void } {
  const body = h('div', { 'aria-live': 'polite', 'aria-busy': 'false' });
  const el = h('section', {}, h('h2', {}, title), body);
  const reload = () => {
    body.setAttribute('aria-busy', 'true');
    body.replaceChildren(message('info', 'Loading…'));
    load(body)
      .catch((e: unknown) => body.replaceChildren(message('error', errorText(e))))
      .finally(() => body.setAttribute('aria-busy', 'false'));
  };
  reload();
  return { el, reload };
}

// A section listing what `load` returns as a table (or the `empty` sentence).
function tableSection<T>(
  title: string,
  load: () => Promise<T[]>,
  caption: string,
  headers: string[],
  row: (item: T) => Parameters<typeof table>[2][number],
  empty: string,
): { el: HTMLElement; reload: () => void } {
  return section(title, async (into) => {
    const items = await load();
    into.replaceChildren(table(caption, headers, items.map(row), empty));
  });
}

function button(text: string, onClick: () => void, label?: string, kind = ''): HTMLButtonElement {
  return h('button', { type: 'button', class: kind, 'aria-label': label, onclick: onClick }, text);
}

// ---------------------------------------------------------------------------------------------------------------------
// Users: pending approvals, approve/suspend, roles; tenants (super-admin)

interface AdminUser {
  id: string;
  email: string;
  display_name: string;
  role: string;
  status: string;
  created_at: string;
}

function usersPage(main: HTMLElement, user: User): undefined {
  const status = select('status', [
    ['', 'All'],
    ['pending', 'Pending approval'],
    ['active', 'Active'],
    ['suspended', 'Suspended'],
  ]);
  const feedback = h('div', { 'aria-live': 'polite' });
  // Rejecting a registration suspends the pending account: it can never sign in unless an administrator approves it.
  const done = { approve: 'approved', suspend: 'suspended', reject: 'rejected' } as const;
  const act = (u: AdminUser, action: keyof typeof done, reload: () => void) => async () => {
    feedback.replaceChildren();
    try {
      await api.post(`/admin/users/${encodeURIComponent(u.id)}/${action === 'reject' ? 'suspend' : action}`);
      feedback.append(message('success', `${u.email} ${done[action]}.`));
      reload();
    } catch (e) {
      feedback.append(message('error', errorText(e)));
    }
  };
  const roleControl = (u: AdminUser, reload: () => void) => {
    if (u.role === 'super_admin' || u.id === user.id) return u.role.replace('_', ' ');
    const s = select('role', [
      ['user', 'user'],
      ['admin', 'admin'],
    ]);
    s.value = u.role;
    s.setAttribute('aria-label', `Role of ${u.email}`);
    s.addEventListener('change', () => {
      feedback.replaceChildren();
      api
        .post(`/admin/users/${encodeURIComponent(u.id)}/role`, { role: s.value })
        .then(() => {
          feedback.append(message('success', `${u.email} is now ${s.value}.`));
          reload();
        })
        .catch((e: unknown) => {
          s.value = u.role;
          feedback.append(message('error', errorText(e)));
        });
    });
    return s;
  };
  const list = section('Accounts', async (into) => {
    const q = status.value ? `?status=${status.value}&limit=100` : '?limit=100';
    const { users } = await api.get<{ users: AdminUser[] }>(`/admin/users${q}`);
    into.replaceChildren(
      table(
        'Accounts of your tenant',
        ['Email', 'Name', 'Role', 'Status', 'Created', 'Actions'],
        users.map((u) => [
          u.email,
          u.display_name,
          roleControl(u, list.reload),
          h('span', { class: `badge badge-${u.status}` }, u.status),
          formatTime(u.created_at),
          h(
            'span',
            { class: 'actions' },
            u.status === 'pending' &&
              button('Approve', () => void act(u, 'approve', list.reload)(), `Approve ${u.email}`, 'primary'),
            u.status === 'pending' &&
              button('Reject', () => void act(u, 'reject', list.reload)(), `Reject ${u.email}`, 'danger'),
            u.status === 'active' &&
              u.role !== 'super_admin' &&
              u.id !== user.id &&
              button('Suspend', () => void act(u, 'suspend', list.reload)(), `Suspend ${u.email}`, 'danger'),
          ),
        ]),
        status.value === 'pending' ? 'No account is waiting for approval.' : 'No accounts match.',
      ),
    );
  });
  status.addEventListener('change', list.reload);
  main.append(h('div', { class: 'toolbar' }, field('Show', status)), feedback, list.el);
  if (user.role === 'super_admin') main.append(tenantsSection());
  return undefined;
}

interface Tenant {
  id: string;
  name: string;
  slug: string;
  auto_approve: boolean;
  created_at: string;
}

function tenantsSection(): HTMLElement {
  const name = h('input', { type: 'text', name: 'tenant-name', required: true, maxlength: 200 });
  const slug = h('input', { type: 'text', name: 'tenant-slug', pattern: '[a-z0-9-]+', maxlength: 64 });
  const auto = h('input', { type: 'checkbox', name: 'auto-approve' });
  const feedback = h('div', { 'aria-live': 'polite' });
  const list = tableSection(
    'Tenants',
    async () => (await api.get<{ tenants: Tenant[] }>('/admin/tenants')).tenants,
    'All tenants',
    ['Name', 'Slug', 'Auto-approve', 'Created'],
    (t) => [t.name, t.slug, t.auto_approve ? 'yes' : 'no', formatTime(t.created_at)],
    'No tenants yet.',
  );
  auto.id = 'tenant-auto';
  const fields = [
    field('Tenant name', name),
    field('Slug (optional)', slug),
    h('div', { class: 'field checkbox' }, auto, h('label', { for: auto.id }, 'Approve sign-ups')),
  ];
  const form = inlineForm(fields, 'Create tenant', () => {
    feedback.replaceChildren();
    api
      .post<Tenant>('/admin/tenants', { name: name.value, slug: slug.value || undefined, auto_approve: auto.checked })
      .then((t) => {
        feedback.append(message('success', `Tenant ${t.name} created.`));
        form.reset();
        list.reload();
      })
      .catch((e: unknown) => feedback.append(message('error', errorText(e))));
  });
  return h('div', {}, list.el, h('h3', {}, 'New tenant'), form, feedback);
}

// ---------------------------------------------------------------------------------------------------------------------
// API keys: create with tier (shown once, copy), revoke, per-key usage

interface KeyInfo {
  id: string;
  name: string;
  tier: string;
  key_prefix: string;
  is_active: boolean;
  created_at: string;
  last_used_at: string | null;
  usage?: { requests_this_month: number; limits: { requests_per_month: number | null } };
}

function keysPage(main: HTMLElement): undefined {
  const name = h('input', { type: 'text', name: 'key-name', required: true, maxlength: 100 });
  const tier = select(
    'tier',
    [
      ['trial', 'Trial (1 000 requests / month)'],
      ['starter', 'Starter (10 000 / month)'],
      ['professional', 'Professional (100 000 / month)'],
      ['enterprise', 'Enterprise (unlimited)'],
    ],
    'starter',
  );
  const created = h('div', { 'aria-live': 'polite' });
  const detail = h('div', { 'aria-live': 'polite' });
  const list = tableSection(
    'Your keys',
    async () => (await api.get<{ api_keys: KeyInfo[] }>('/api/keys')).api_keys,
    'Your API keys',
    ['Name', 'Prefix', 'Tier', 'Status', 'Requests this month', 'Last used', 'Actions'],
    (k) => [
      k.name,
      h('code', {}, k.key_prefix),
      k.tier,
      h('span', { class: `badge badge-${k.is_active ? 'active' : 'suspended'}` }, k.is_active ? 'active' : 'revoked'),
      `${k.usage?.requests_this_month ?? 0}${k.usage?.limits.requests_per_month ? ' / ' + k.usage.limits.requests_per_month : ''}`,
      formatTime(k.last_used_at),
      h(
        'span',
        { class: 'actions' },
        button('Usage', () => void showUsage(k), `Usage of ${k.name}`),
        k.is_active && button('Revoke', () => void revoke(k), `Revoke ${k.name}`, 'danger'),
      ),
    ],
    'You have no API keys yet. Create one above to connect an MCP client.',
  );
  const showUsage = async (k: KeyInfo) => {
    detail.replaceChildren(message('info', 'Loading…'));
    try {
      const u = await api.get<{
        period: string;
        requests: { this_month: number; this_minute: number };
        limits: { requests_per_minute: number | null; requests_per_month: number | null };
        remaining: { this_month: number | null };
      }>(`/api/keys/${encodeURIComponent(k.id)}/usage`);
      detail.replaceChildren(
        h(
          'dl',
          { class: 'stats', 'aria-label': `Usage of ${k.name}` },
          h('dt', {}, 'Key'),
          h('dd', {}, k.name),
          h('dt', {}, 'Period'),
          h('dd', {}, u.period),
          h('dt', {}, 'Requests this month'),
          h('dd', {}, u.requests.this_month),
          h('dt', {}, 'Requests this minute'),
          h('dd', {}, u.requests.this_minute),
          h('dt', {}, 'Remaining this month'),
          h('dd', {}, u.remaining.this_month ?? 'unlimited'),
        ),
      );
    } catch (e) {
      detail.replaceChildren(message('error', errorText(e)));
    }
  };
  const revoke = async (k: KeyInfo) => {
    detail.replaceChildren();
    try {
      await api.del(`/api/keys/${encodeURIComponent(k.id)}`);
      detail.append(message('success', `Key ${k.name} revoked: it no longer works.`));
      list.reload();
    } catch (e) {
      detail.append(message('error', errorText(e)));
    }
  };
  const form = inlineForm([field('Key name', name), field('Tier', tier)], 'Create key', () => {
    created.replaceChildren();
    if (!name.value.trim()) {
      created.append(message('error', 'Give the key a name.'));
      name.focus();
      return;
    }
    api
      .post<{ api_key: string; key_info: KeyInfo; warning: string }>('/api/keys', { name: name.value, tier: tier.value })
      .then((r) => {
        const value = h('input', { type: 'text', readonly: true, class: 'secret', name: 'new-key', value: r.api_key });
        const copyStatus = h('span', { role: 'status' });
        const copy = button('Copy key', () => {
          navigator.clipboard
            .writeText(r.api_key)
            .then(() => (copyStatus.textContent = 'Copied.'))
            .catch(() => {
              value.select();
              copyStatus.textContent = 'Copying was refused by the browser: select the key and copy it.';
            });
        });
        created.append(
          h(
            'div',
            { class: 'card created-key' },
            message('success', `Key ${r.key_info.name} created. ${r.warning}`),
            field('Your new API key', value),
            copy,
            copyStatus,
          ),
        );
        form.reset();
        list.reload();
      })
      .catch((e: unknown) => created.append(message('error', errorText(e))));
  });
  main.append(h('section', {}, h('h2', {}, 'New key'), form, created), list.el, detail);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// Usage analytics (aggregated by the server's database)

interface Bucket {
  requests: number;
  errors: number;
  error_rate: number;
  mean_latency_ms: number;
}
interface Summary {
  range: { from: string; to: string; days: number };
  scope: { tenant_id: string; user_id: string | null };
  totals: { requests: number; errors: number; error_rate: number; latency_ms: { p50: number; p95: number; p99: number } };
  per_day: (Bucket & { day: string })[];
  per_tool: (Bucket & { kind: string; name: string })[];
  per_tenant: { tenant_id: string; name: string; requests: number; errors: number; error_rate: number }[];
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function usagePage(main: HTMLElement, user: User): () => void {
  const today = new Date();
  const from = h('input', { type: 'date', name: 'from', value: isoDay(new Date(today.getTime() - 6 * 86_400_000)) });
  const to = h('input', { type: 'date', name: 'to', value: isoDay(today) });
  const preset = select(
    'range',
    [
      ['7', 'Last 7 days'],
      ['30', 'Last 30 days'],
      ['90', 'Last 90 days'],
      ['custom', 'Custom'],
    ],
    '7',
  );
  const tenant = select('tenant', [['', 'My tenant']]);
  const who = select('user', [['', 'All users']]);
  let destroyChart: (() => void) | undefined;
  const results = section('Requests', async (into) => {
    // Checked here too (the server answers 400 for the same), so that a half-edited range is not requested.
    const days = (Date.parse(to.value) - Date.parse(from.value)) / 86_400_000 + 1;
    if (!(days >= 1)) throw new Error('Choose a "From" day on or before the "To" day.');
    if (days > 366) throw new Error('Choose a range of at most 366 days.');
    const q = new URLSearchParams({ from: from.value, to: to.value });
    if (tenant.value) q.set('tenant_id', tenant.value);
    else if (who.value) q.set('user_id', who.value);
    who.disabled = tenant.value !== '';
    const s = await api.get<Summary>(`/api/usage/summary?${q}`);
    destroyChart?.();
    const canvas = h('canvas', { role: 'img', 'aria-label': `Requests and errors per day from ${s.range.from} to ${s.range.to}` });
    const t = s.totals;
    into.replaceChildren(
      h(
        'dl',
        { class: 'stats', 'aria-label': 'Totals' },
        h('dt', {}, 'Requests'),
        h('dd', { 'data-testid': 'total-requests' }, t.requests),
        h('dt', {}, 'Errors'),
        h('dd', {}, `${t.errors} (${percent(t.error_rate)})`),
        h('dt', {}, 'Latency p50'),
        h('dd', {}, `${t.latency_ms.p50} ms`),
        h('dt', {}, 'Latency p95'),
        h('dd', {}, `${t.latency_ms.p95} ms`),
        h('dt', {}, 'Latency p99'),
        h('dd', {}, `${t.latency_ms.p99} ms`),
      ),
      t.requests === 0
        ? message('info', 'No requests in this range yet. Calls made with your API keys appear here.')
        : h('div', { class: 'chart' }, canvas),
      h('h3', {}, 'Per tool and route'),
      table(
        'Requests per tool and route',
        ['Kind', 'Tool or route', 'Requests', 'Errors', 'Error rate', 'Mean latency'],
        s.per_tool.map((b) => [b.kind, h('code', {}, b.name), b.requests, b.errors, percent(b.error_rate), `${b.mean_latency_ms} ms`]),
        'No requests in this range.',
      ),
    );
    if (s.per_tenant.length > 0) {
      into.append(
        h('h3', {}, 'Per tenant'),
        table(
          'Requests per tenant',
          ['Tenant', 'Requests', 'Errors', 'Error rate'],
          s.per_tenant.map((x) => [x.name, x.requests, x.errors, percent(x.error_rate)]),
          'No tenants.',
        ),
      );
    }
    if (t.requests > 0) destroyChart = drawDailyChart(canvas, s.per_day);
  });
  const applyPreset = () => {
    if (preset.value === 'custom') return;
    const days = Number(preset.value);
    to.value = isoDay(new Date());
    from.value = isoDay(new Date(Date.now() - (days - 1) * 86_400_000));
    results.reload();
  };
  preset.addEventListener('change', applyPreset);
  for (const input of [from, to]) {
    input.addEventListener('change', () => {
      preset.value = 'custom';
      results.reload();
    });
  }
  tenant.addEventListener('change', results.reload);
  who.addEventListener('change', results.reload);
  const controls = h('form', { class: 'toolbar', 'aria-label': 'Range' }, field('Range', preset), field('From', from), field('To', to));
  controls.addEventListener('submit', (ev) => ev.preventDefault());
  if (isAdmin(user)) {
    controls.append(field('User', who));
    api
      .get<{ users: AdminUser[] }>('/admin/users?limit=100')
      .then(({ users }) => {
        for (const u of users) who.append(h('option', { value: u.id }, u.email));
      })
      .catch(() => undefined);
  }
  if (user.role === 'super_admin') {
    controls.append(field('Tenant', tenant));
    api
      .get<{ tenants: Tenant[] }>('/admin/tenants')
      .then(({ tenants }) => {
        for (const t of tenants) if (t.id !== user.tenant_id) tenant.append(h('option', { value: t.id }, t.name));
      })
      .catch(() => undefined);
  }
  main.append(
    h('p', { class: 'lead' }, isAdmin(user) ? 'Requests of your tenant (UTC days).' : 'Your own requests (UTC days).'),
    controls,
    results.el,
  );
  return () => destroyChart?.();
}

// ---------------------------------------------------------------------------------------------------------------------
// Live requests (Server-Sent Events)

interface LiveRequest {
  at: string;
  kind: string;
  name: string;
  status: number;
  latency_ms: number;
  user_id: string;
}

function livePage(main: HTMLElement, user: User): () => void {
  const MAX_ROWS = 100;
  const state = h('p', { class: 'msg msg-info', role: 'status' }, 'Connecting…');
  const tbody = h('tbody', { id: 'live-rows' });
  const empty = h('p', { class: 'empty' }, 'No requests yet. They appear here as they complete.');
  const tableEl = h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Live requests' },
    h(
      'table',
      {},
      h('caption', {}, 'Most recent first'),
      h('thead', {}, h('tr', {}, ...['Time', 'Kind', 'Tool or route', 'Status', 'Latency', 'User id'].map((x) => h('th', { scope: 'col' }, x)))),
      tbody,
    ),
  );
  tableEl.hidden = true;
  const controller = new AbortController();
  main.append(
    h('p', { class: 'lead' }, isAdmin(user) ? 'Requests of your tenant, as they happen.' : 'Your requests, as they happen.'),
    state,
    empty,
    tableEl,
  );
  streamEvents(
    '/api/usage/live',
    controller.signal,
    (type, data) => {
      if (type !== 'request') return;
      const r = JSON.parse(data) as LiveRequest;
      empty.hidden = true;
      tableEl.hidden = false;
      const row = h(
        'tr',
        { class: r.status >= 400 ? 'row-error' : '' },
        h('td', {}, formatTime(r.at)),
        h('td', {}, r.kind),
        h('td', {}, h('code', {}, r.name)),
        h('td', {}, r.status),
        h('td', {}, `${r.latency_ms} ms`),
        h('td', {}, h('code', {}, r.user_id)),
      );
      tbody.prepend(row);
      while (tbody.rows.length > MAX_ROWS) tbody.deleteRow(-1);
    },
    () => {
      state.textContent = 'Connected: new requests appear at the top.';
    },
  )
    .then(() => {
      if (!controller.signal.aborted) state.textContent = 'The stream ended. Reload the page to reconnect.';
    })
    .catch((e: unknown) => {
      if (controller.signal.aborted) return;
      state.className = 'msg msg-error';
      state.setAttribute('role', 'alert');
      state.textContent = errorText(e);
    });
  return () => controller.abort();
}

// ---------------------------------------------------------------------------------------------------------------------
// Provider connections and sync status (the caller's own)

interface ProviderStatus {
  provider: string;
  configured: boolean;
  connected: boolean;
  status?: string;
  last_sync_at?: string | null;
  activities_synced?: number;
  last_sync_error?: string | null;
}

function connectionsPage(main: HTMLElement, user: User): undefined {
  const s = tableSection(
    'Providers',
    async () => (await api.get<{ providers: ProviderStatus[] }>('/api/providers')).providers,
    'Your provider connections',
    ['Provider', 'Configured on this server', 'Connected', 'Sync status', 'Last sync', 'Activities synced', 'Last error'],
    (p) => [
      p.provider,
      p.configured ? 'yes' : 'no',
      p.connected ? 'yes' : 'no',
      p.status ?? '—',
      formatTime(p.last_sync_at),
      p.activities_synced ?? 0,
      p.last_sync_error ?? '—',
    ],
    'No providers are available on this server.',
  );
  main.append(h('p', { class: 'lead' }, 'Your fitness-provider connections and their sync status.'), s.el);
  if (isAdmin(user)) main.append(tenantConnections(user).el);
  return undefined;
}

interface TenantConnection extends ProviderStatus {
  tenant_id: string;
  user_id: string;
}

// Administrators: every user's connections (the super-admin: every tenant's), owners by email where the account list
// of the administrator's tenant knows them.
function tenantConnections(user: User): { el: HTMLElement; reload: () => void } {
  let emails = new Map<string, string>();
  return tableSection(
    user.role === 'super_admin' ? 'Connections of all users' : 'Connections of your tenant',
    async () => {
      const [{ connections }, { users }] = await Promise.all([
        api.get<{ connections: TenantConnection[] }>('/admin/connections'),
        api.get<{ users: AdminUser[] }>('/admin/users?limit=100'),
      ]);
      emails = new Map(users.map((u) => [u.id, u.email]));
      return connections;
    },
    'Provider connections per user',
    ['User', 'Provider', 'Sync status', 'Last sync', 'Activities synced', 'Last error'],
    (c) => [
      emails.get(c.user_id) ?? h('code', {}, c.user_id),
      c.provider,
      c.status ?? '—',
      formatTime(c.last_sync_at),
      c.activities_synced ?? 0,
      c.last_sync_error ?? '—',
    ],
    'No user has connected a provider yet.',
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// A2A clients (administrators)

interface A2aClient {
  id: string;
  client_id: string;
  name: string;
  description: string;
  scopes: string[];
  rate_limit_tier: string;
  is_active: boolean;
  created_at: string;
}

function a2aPage(main: HTMLElement): undefined {
  const feedback = h('div', { 'aria-live': 'polite' });
  const list = tableSection(
    'Registered agents',
    async () => (await api.get<{ clients: A2aClient[] }>('/a2a/clients')).clients,
    'A2A clients of your tenant',
    ['Name', 'Client id', 'Scopes', 'Tier', 'Status', 'Created', 'Actions'],
    (c) => [
      c.name,
      h('code', {}, c.client_id),
      c.scopes.join(' ') || '—',
      c.rate_limit_tier,
      c.is_active ? 'active' : 'deactivated',
      formatTime(c.created_at),
      c.is_active &&
        button(
          'Deactivate',
          () => {
            api
              .del(`/a2a/clients/${encodeURIComponent(c.id)}`)
              .then(() => list.reload())
              .catch((e: unknown) => feedback.replaceChildren(message('error', errorText(e))));
          },
          `Deactivate ${c.name}`,
          'danger',
        ),
    ],
    'No A2A clients are registered.',
  );
  const name = h('input', { type: 'text', name: 'agent-name', required: true, maxlength: 100 });
  const description = h('input', { type: 'text', name: 'agent-description', maxlength: 500 });
  const form = inlineForm([field('Agent name', name), field('Description', description)], 'Register agent', () => {
    feedback.replaceChildren();
    api
      .post<A2aClient & { client_secret: string; token_url: string }>('/a2a/clients', {
        name: name.value,
        description: description.value,
      })
      .then((c) => {
        const secret = h('input', { type: 'text', readonly: true, class: 'secret', name: 'agent-secret', value: c.client_secret });
        feedback.append(
          h(
            'div',
            { class: 'card' },
            message('success', `Agent ${c.name} registered. Its secret is shown once.`),
            field('Client id', h('input', { type: 'text', readonly: true, name: 'agent-client-id', value: c.client_id })),
            field('Client secret', secret),
            h('p', {}, `Token endpoint: ${c.token_url} (client_credentials)`),
          ),
        );
        form.reset();
        list.reload();
      })
      .catch((e: unknown) => feedback.append(message('error', errorText(e))));
  });
  main.append(h('section', {}, h('h2', {}, 'Register an agent'), form, feedback), list.el);
  return undefined;
}

export const pages: Page[] = [
  { name: 'usage', title: 'Usage', adminOnly: false, render: usagePage },
  { name: 'live', title: 'Live requests', adminOnly: false, render: livePage },
  { name: 'keys', title: 'API keys', adminOnly: false, render: keysPage },
  { name: 'connections', title: 'Connections', adminOnly: false, render: connectionsPage },
  { name: 'users', title: 'Users', adminOnly: true, render: usersPage },
  { name: 'a2a', title: 'A2A clients', adminOnly: true, render: a2aPage },
];
