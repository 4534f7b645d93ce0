/**
 * The operators' audit console: the shell around its views (live.js, events.js, characters.js,
 * history.js, reports.js, health.js, each its own file; what they share is common.js). Here: the
 * login form, logging out, the tabs, and opening the console. Loaded after the views, so that
 * every view listens before the console opens. Talks to /admin/api/* (JSON; the session is an
 * HttpOnly cookie).
 */
import { $, api, onSignedOut, signedIn, signOut, switchTab } from './common.js';

// ---------------------------------------------------------------- login / logout

onSignedOut((message) => {
  $('tabs').hidden = true;
  $('who').hidden = true;
  $('logout').hidden = true;
  for (const panel of document.querySelectorAll('main .panel')) /** @type {HTMLElement} */ (panel).hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  /** @type {HTMLInputElement} */ ($('login-name')).focus();
});

/** @param {{ name: string, permission: string }} me */
function showApp(me) {
  $('login').hidden = true;
  $('tabs').hidden = false;
  $('who').hidden = false;
  $('who').textContent = `${me.name} (${me.permission})`;
  $('logout').hidden = false;
  switchTab('live');
  signedIn();
}

$('loginform').addEventListener('submit', async (event) => {
  event.preventDefault();
  const nameInput = /** @type {HTMLInputElement} */ ($('login-name'));
  const passwordInput = /** @type {HTMLInputElement} */ ($('login-password'));
  $('login-error').textContent = '';
  try {
    const me = await api('login', { method: 'POST', body: { name: nameInput.value, password: passwordInput.value } });
    passwordInput.value = '';
    showApp(me);
    if (me.failed_logins > 0) {
      $('live-note').textContent = `${me.failed_logins} failed login attempt(s) on your account since your last game login.`;
    }
  } catch (error) {
    passwordInput.value = '';
    $('login-error').textContent = error instanceof Error ? error.message : String(error);
    passwordInput.focus();
  }
});

$('logout').addEventListener('click', async () => {
  try {
    await api('logout', { method: 'POST' });
  } finally {
    signOut('Logged out.');
  }
});

// ---------------------------------------------------------------- tabs

$('tabs').addEventListener('click', (event) => {
  const button = /** @type {HTMLElement} */ (event.target).closest('button[data-tab]');
  if (button) switchTab(/** @type {HTMLElement} */ (button).dataset.tab ?? 'live');
});

// ---------------------------------------------------------------- start

// A table wider than the screen scrolls in its box; the box takes the focus, so the keyboard can scroll it too.
for (const wrap of document.querySelectorAll('.tablewrap')) /** @type {HTMLElement} */ (wrap).tabIndex = 0;

(async () => {
  try {
    showApp(await api('me'));
  } catch {
    signOut();
  }
})();
