import type { Child } from 'hono/jsx';
import type { Viewer } from '../../access';

/**
 * The frame of every tracked-site page (the dashboards, the site list, the sign-in form): head,
 * the one style block under the page's nonce, and who is looking: a banner when the server is
 * open to anyone, a sign-out button for a signed-in administrator, a sign-in link for anyone else.
 */

const STYLE = `
:root { color-scheme: light dark; --accent: #2563eb; --muted: #6b7280; --card: rgba(127,127,127,.08); --line: rgba(127,127,127,.25); }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem; overflow-wrap: anywhere; }
h1 { margin: .2rem 0; font-size: 1.5rem; }
h2 { font-size: 1.05rem; margin: 0 0 .4rem; }
a { color: var(--accent); }
.meta { color: var(--muted); }
.banner { background: #fef3c7; color: #78350f; border-radius: .5rem; padding: .5rem .8rem; }
nav { display: flex; flex-wrap: wrap; gap: .4rem .8rem; margin: .5rem 0; }
nav a[aria-current] { font-weight: 700; text-decoration: none; color: inherit; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .8rem; margin: 1rem 0; }
.card { background: var(--card); border-radius: .6rem; padding: .8rem 1rem; min-width: 0; }
.figure { font-size: 1.8rem; font-weight: 700; }
.lists { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: .8rem; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .2rem .3rem; border-bottom: 1px solid var(--line); }
td.n, th.n { text-align: right; white-space: nowrap; }
svg.bar { display: block; width: 100%; height: .35rem; }
svg.bar rect { fill: var(--accent); opacity: .5; }
svg.chart { width: 100%; height: auto; }
svg.chart rect { fill: var(--accent); }
svg.chart text { fill: var(--muted); font-size: 11px; }
svg.chart line { stroke: var(--line); }
pre { overflow-x: auto; background: rgba(127,127,127,.12); padding: .5rem; border-radius: .4rem; }
form { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
.session { display: flex; justify-content: flex-end; gap: .6rem; align-items: center; }
.session form { display: inline; }
.notice { background: #fee2e2; color: #7f1d1d; border-radius: .5rem; padding: .5rem .8rem; }
input[type=password] { min-width: min(100%, 24rem); }
`;

export function Page(props: { title: string; styleNonce: string; viewer: Viewer; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <link rel="icon" href="data:," />
        <style nonce={props.styleNonce}>{STYLE}</style>
      </head>
      <body>
        {props.viewer === 'open' ? (
          <p class="banner">No ADMIN_TOKEN is set: every site's figures are open to anyone who can reach this server.</p>
        ) : (
          <div class="session">
            {props.viewer === 'administrator' ? (
              <form method="post" action="/sign-out">
                <button type="submit">Sign out</button>
              </form>
            ) : (
              <a href="/sign-in">Sign in</a>
            )}
          </div>
        )}
        {props.children}
      </body>
    </html>
  );
}
