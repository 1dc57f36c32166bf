// The shop platform's HMAC signature over a body, both ways: the desk signs what it sends the
// platform (platform-client.ts) and the API checks what the platform sends it (api/auth.ts).
import { createHmac } from 'node:crypto';

export function signBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
