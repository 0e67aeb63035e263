import { raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** Markup made from a list, one piece per item, each already escaped by the html template that made it. */
export function each<T>(
  items: readonly T[],
  piece: (item: T, index: number) => HtmlEscapedString | Promise<HtmlEscapedString> | string,
): HtmlEscapedString {
  return raw(items.map((item, index) => String(piece(item, index))).join(''));
}
