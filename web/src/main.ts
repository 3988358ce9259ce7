import './styles.css';
import { currentUser, isAdmin, onSessionChange, signIn, signOut, ApiError, type User } from './api';
import { field, h, message } from './dom';
import { pages, type Page } from './pages';

const BASE = '/dashboard';
const app = document.getElementById('app')!;
let dispose: (() => void) | undefined;

function pageName(): string {
  const rest = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  return rest.replace(/^\/+|\/+$/g, '') || 'usage';
}

export function navigate(name: string): void {
  history.pushState({}, '', `${BASE}/${name}`);
  render();
}

function visiblePages(user: User): Page[] {
  return pages.filter((p) => !p.adminOnly || isAdmin(user));
}

function renderSignIn(): void {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card signin', novalidate: true },
    h('h1', { tabindex: -1 }, 'Sign in to Pierre'),
    field('Email', email),
    field('Password', password),
    submit,
    status,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    if (!email.value || !password.value) {
      status.append(message('error', 'Enter your email and password.'));
      return;
    }
    submit.disabled = true;
    signIn(email.value, password.value)
      .then(() => {
        if (pageName() === 'signin') history.replaceState({}, '', `${BASE}/usage`);
      })
      .catch((e: unknown) => {
        const text =
          e instanceof ApiError && e.status === 401
            ? 'Email or password is not correct, or the account is not active yet.'
            : e instanceof Error
              ? e.message
              : 'Sign-in failed.';
        status.append(message('error', text));
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  app.replaceChildren(h('main', { id: 'main', class: 'signin-wrap' }, form));
  email.focus();
}

function render(): void {
  dispose?.();
  dispose = undefined;
  const user = currentUser();
  if (!user) {
    renderSignIn();
    return;
  }
  const name = pageName();
  const page = pages.find((p) => p.name === name);
  const nav = h(
    'nav',
    { 'aria-label': 'Dashboard sections' },
    h(
      'ul',
      {},
      ...visiblePages(user).map((p) =>
        h(
          'li',
          {},
          h(
            'a',
            {
              href: `${BASE}/${p.name}`,
              'aria-current': p.name === name ? 'page' : undefined,
              onclick: (ev: Event) => {
                ev.preventDefault();
                navigate(p.name);
              },
            },
            p.title,
          ),
        ),
      ),
    ),
  );
  const signOutButton = h('button', { type: 'button', class: 'link', onclick: () => signOut() }, 'Sign out');
  const header = h(
    'header',
    { class: 'top' },
    h('span', { class: 'brand' }, 'Pierre dashboard'),
    h('span', { class: 'who' }, `${user.display_name || user.email} · ${user.role.replace('_', ' ')}`, signOutButton),
  );
  const main = h('main', { id: 'main', tabindex: -1 });
  app.replaceChildren(header, h('div', { class: 'layout' }, nav, main));
  if (!page) {
    main.append(h('h1', {}, 'Not found'), message('error', 'There is no such page.'));
  } else if (page.adminOnly && !isAdmin(user)) {
    document.title = `${page.title} · Pierre dashboard`;
    main.append(
      h('h1', {}, page.title),
      message('error', 'Access denied: this page is for administrators. Your account cannot manage this.'),
    );
  } else {
    document.title = `${page.title} · Pierre dashboard`;
    main.append(h('h1', {}, page.title));
    dispose = page.render(main, user);
  }
  main.focus();
}

window.addEventListener('popstate', render);
onSessionChange(render);
render();
