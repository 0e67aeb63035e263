import { isbot } from 'isbot';
import { memoizeRecent } from './recent-map';
import { USER_AGENT_REMEMBERED_MAX_LENGTH, USER_AGENTS_REMEMBERED } from './user-agent';

/**
 * Health checkers and monitors isbot's list may miss because they pose as a browser
 * ("Mozilla/5.0 (compatible; monitoring)"): ours and the usual load balancers' and probes'.
 */
const HEALTH_CHECKER = /health[\s_-]?check|\bprobe\b|kube-probe|\bmonitor(?:ing)?\b|\buptime\b|synthetic/i;

/**
 * Whether a visit comes from software rather than a person: crawlers, scripts (curl, wget,
 * python-requests, fetch's "node"), headless browsers, health checkers, uptime monitors. isbot
 * (a maintained pattern list) treats anything that does not look like a browser as a bot; an
 * empty user agent counts as one too, since every browser sends one.
 */
export const isBotUserAgent: (userAgent: string) => boolean = memoizeRecent(
  matchesBot,
  USER_AGENTS_REMEMBERED,
  USER_AGENT_REMEMBERED_MAX_LENGTH,
);

function matchesBot(userAgent: string): boolean {
  const trimmed = userAgent.trim();
  return trimmed === '' || isbot(trimmed) || HEALTH_CHECKER.test(trimmed);
}
