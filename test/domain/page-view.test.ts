import { describe, expect, it } from 'vitest';
import { PATH_MAX_LENGTH, pageViewSource, UTM_MAX_LENGTH } from '../../src/domain/page-view';
import { summarizeUserAgent } from '../../src/domain/user-agent';

describe('a page view source', () => {
  it('keeps the path without the query, the UTM parameters apart and the referring host', () => {
    const check = pageViewSource(
      {
        url: 'https://example.com/pricing?utm_source=news&utm_medium=email&utm_campaign=%20launch%20&ref=x#plans',
        referrer: 'https://news.ycombinator.com/item?id=1',
      },
      'example.com',
    );
    expect(check).toEqual({
      ok: true,
      view: {
        path: '/pricing',
        referrerHost: 'news.ycombinator.com',
        utmSource: 'news',
        utmMedium: 'email',
        utmCampaign: 'launch',
      },
    });
  });

  it.each([
    ['https://example.com/about', 'example.com'],
    ['http://www.example.com/', 'example.com'],
    ['http://localhost:5173/a', 'localhost:5173'],
    ['', 'example.com'],
    ['not a url', 'example.com'],
    ['android-app://com.google.android.gm/', 'example.com'],
  ])('counts a referrer %j as direct for %s', (referrer, site) => {
    const check = pageViewSource({ url: `https://${site}/`, referrer }, site);
    expect(check.ok && check.view.referrerHost).toBeNull();
  });

  it('drops www. from a referring host and keeps another site on the same name apart', () => {
    const check = pageViewSource({ url: 'https://example.com/', referrer: 'https://www.Google.com/' }, 'example.com');
    expect(check.ok && check.view.referrerHost).toBe('google.com');
    const sub = pageViewSource({ url: 'https://example.com/', referrer: 'https://blog.example.com/post' }, 'example.com');
    expect(sub.ok && sub.view.referrerHost).toBe('blog.example.com');
  });

  it('bounds what it keeps: long paths and UTM values are cut, empty UTM values are none', () => {
    const long = pageViewSource(
      { url: `https://example.com/${'p'.repeat(2 * PATH_MAX_LENGTH)}?utm_source=${'é'.repeat(2 * UTM_MAX_LENGTH)}&utm_medium=` },
      'example.com',
    );
    expect(long.ok && long.view.path).toHaveLength(PATH_MAX_LENGTH);
    expect(long.ok && long.view.utmSource).toBe('é'.repeat(UTM_MAX_LENGTH));
    expect(long.ok && long.view.utmMedium).toBeNull();
  });

  it.each(['/pricing', 'example.com/pricing', 'javascript:alert(1)', 'ftp://example.com/'])(
    'refuses the url %j, naming it',
    (url) => {
      expect(pageViewSource({ url }, 'example.com')).toMatchObject({ ok: false, field: 'url' });
    },
  );
});

describe('a user agent summary', () => {
  it.each([
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      { browser: 'Chrome', os: 'Windows', device: 'desktop' },
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      { browser: 'Safari', os: 'iOS', device: 'mobile' },
    ],
    [
      'Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 Mobile/15E148 Safari/604.1',
      { browser: 'Safari', os: 'iOS', device: 'tablet' },
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      { browser: 'Chrome', os: 'Android', device: 'mobile' },
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
      { browser: 'Firefox', os: 'Linux', device: 'desktop' },
    ],
    ['', { browser: 'Unknown', os: 'Unknown', device: 'unknown' }],
    ['   ', { browser: 'Unknown', os: 'Unknown', device: 'unknown' }],
    ['x'.repeat(5_000), { browser: 'Unknown', os: 'Unknown', device: 'unknown' }],
  ])('reads %j', (userAgent, summary) => {
    expect(summarizeUserAgent(userAgent)).toEqual(summary);
  });
});
