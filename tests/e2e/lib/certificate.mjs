// A throw-away TLS certificate for e2e servers on loopback (client metadata document hosts): the Pierre server trusts
// it through PIERRE_OUTBOUND_CA_FILE.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** A self-signed certificate for localhost / 127.0.0.1 / ::1, valid for a day, written into `dir`. */
export function makeCertificate(dir) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key,
    '-out', cert, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
  ], { stdio: 'ignore' });
  return { key, cert };
}
