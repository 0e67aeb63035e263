const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * HTTP header values arrive as bytes, which both Node and workerd expose one byte per
 * character (Latin-1). Clients that send non-ASCII text send UTF-8, so a value whose bytes
 * form valid UTF-8 is decoded as such; anything else is kept as it came.
 */
export function decodeHeaderText(value: string): string {
  // Pure ASCII (nearly every real header), or characters no byte string can hold: nothing to decode.
  let hasHighByte = false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0xff) return value;
    if (code >= 0x80) hasHighByte = true;
  }
  if (!hasHighByte) return value;
  try {
    return utf8.decode(Uint8Array.from(value, (char) => char.charCodeAt(0)));
  } catch {
    return value;
  }
}
