/**
 * A fresh self-signed certificate for the mock's HTTPS: valid for 127.0.0.1 and localhost, and its own CA
 * (basicConstraints CA), so clients trust it by passing the certificate PEM as their CA. Generated with
 * the pure-JS `selfsigned` package (WebCrypto), so no openssl binary and no network are needed.
 */
import { generate } from 'selfsigned';

export interface MockCertificate {
  readonly keyPem: string;
  readonly certPem: string;
}

export async function generateMockCertificate(now: number): Promise<MockCertificate> {
  const day = 24 * 60 * 60 * 1000;
  const pems = await generate([{ name: 'commonName', value: 'dtr-mock' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    // An hour of slack for clock skew between the mock and whoever checks the certificate.
    notBeforeDate: new Date(now - 60 * 60 * 1000),
    notAfterDate: new Date(now + 30 * day),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { keyPem: pems.private, certPem: pems.cert };
}
