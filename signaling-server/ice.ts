import { DuetError } from '../src/errors';

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** Parses DUET_ICE_SERVERS. Unset means none, which is enough on loopback and one LAN. */
export function parseIceServers(json: string | undefined): IceServer[] {
  if (json === undefined || json.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new DuetError('INVALID_ARGUMENT', `DUET_ICE_SERVERS is not valid JSON: ${(cause as Error).message}`, { reason: 'BAD_CONFIG', cause });
  }
  const bad = (why: string) => new DuetError('INVALID_ARGUMENT', `DUET_ICE_SERVERS ${why}. Expected e.g. [{"urls":"stun:stun.example.org:3478"}].`, { reason: 'BAD_CONFIG' });
  if (!Array.isArray(value)) throw bad('must be a JSON array');
  return value.map((entry: unknown, i): IceServer => {
    if (typeof entry !== 'object' || entry === null) throw bad(`entry ${i} is not an object`);
    const { urls, username, credential } = entry as Record<string, unknown>;
    const okUrls = typeof urls === 'string' || (Array.isArray(urls) && urls.length > 0 && urls.every((u) => typeof u === 'string'));
    if (!okUrls) throw bad(`entry ${i} needs "urls" as a string or a list of strings`);
    if (username !== undefined && typeof username !== 'string') throw bad(`entry ${i} has a non-string "username"`);
    if (credential !== undefined && typeof credential !== 'string') throw bad(`entry ${i} has a non-string "credential"`);
    return { urls: urls as string | string[], ...(username === undefined ? {} : { username }), ...(credential === undefined ? {} : { credential }) };
  });
}
