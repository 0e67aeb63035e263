import { html } from 'hono/html';
import type { Viewer } from '../../access';
import { Page } from '../sites/layout';

export interface SignInProps {
  styleNonce: string;
  viewer: Viewer;
  /** Where to go once signed in: a path on this server. */
  next: string;
  /** Why the form is shown again (a wrong token, too many attempts), if it is. */
  notice?: string | undefined;
  /** Whether a token is configured at all: without one there is nothing to sign in to. */
  tokensConfigured: boolean;
}

function SignIn(props: SignInProps) {
  return (
    <Page title="Sign in · visit-tracker" styleNonce={props.styleNonce} viewer={props.viewer}>
      <h1>Sign in</h1>
      {props.notice === undefined ? null : (
        <p class="notice" role="alert">
          {props.notice}
        </p>
      )}
      {props.tokensConfigured ? (
        <form method="post" action="/sign-in">
          <input type="hidden" name="next" value={props.next} />
          <label>
            Admin token <input type="password" name="token" autocomplete="current-password" required />
          </label>
          <button type="submit">Sign in</button>
        </form>
      ) : (
        <p>
          This server has no ADMIN_TOKEN, so there is nothing to sign in to
          {props.viewer === 'open'
            ? ': on a workstation every dashboard is open.'
            : '. Set ADMIN_TOKEN (openssl rand -hex 32 makes one) and restart it.'}
        </p>
      )}
      <p class="meta">
        One of the server's ADMIN_TOKEN values. The browser keeps a signed cookie for seven days, until you sign out, or until
        that token is removed from ADMIN_TOKEN. <a href="/sites">Tracked sites</a> · <a href="/">Home</a>
      </p>
    </Page>
  );
}

export async function renderSignIn(props: SignInProps): Promise<string> {
  return String(await html`<!doctype html>${<SignIn {...props} />}`);
}

/** The short page a 303 carries, for a client that does not follow it. */
export async function renderContinue(location: string): Promise<string> {
  return String(
    await html`<!doctype html>${(
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>Continue · visit-tracker</title>
        </head>
        <body>
          <a href={location}>Continue</a>
        </body>
      </html>
    )}`,
  );
}
