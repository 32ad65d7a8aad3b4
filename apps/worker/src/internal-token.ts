import { readFileSync } from 'node:fs';

/**
 * The shared secret of the calls between the two services: `CRUDDUR_INTERNAL_TOKEN`, else the
 * content of the file `CRUDDUR_INTERNAL_TOKEN_FILE` names (docker-compose generates one into a
 * shared volume, so no secret sits in the compose file). Surrounding whitespace is ignored.
 * @throws when the file is named but cannot be read or is empty: a service started without the
 * secret it was meant to have would fail every internal call, better to say so at start-up.
 */
export function internalTokenFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const direct = env.CRUDDUR_INTERNAL_TOKEN?.trim();
  if (direct) return direct;
  const file = env.CRUDDUR_INTERNAL_TOKEN_FILE?.trim();
  if (!file) return undefined;
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`CRUDDUR_INTERNAL_TOKEN_FILE is "${file}", which cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!token) throw new Error(`CRUDDUR_INTERNAL_TOKEN_FILE is "${file}", which is empty; expected the shared secret`);
  return token;
}
