import { createHmac } from 'node:crypto';
import type { KeyedHashing } from '../../domain/keyed-hash';

/** node:crypto's HMAC on the calling thread (why: src/domain/keyed-hash.ts). */
export const nodeHashing: KeyedHashing = async (secret) => (message) =>
  createHmac('sha256', secret).update(message).digest('hex');
